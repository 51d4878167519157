//! Whole-dataset checks: every id known, every polygon valid, and the zones
//! of every snapshot partitioning the region.
//!
//! The checks work on the model's values (controllers, layers, snapshots),
//! whatever they were read from: [`crate::Atlas::validate`] runs them on a
//! dataset's files, [`crate::AtlasBuilder::build`] on values given in memory.
//! Each problem names where it is: a file, or for values in memory the layer
//! (`controllers`, `snapshot 2020-12-01`, `routes`, ...).

use std::collections::HashSet;

use geo::{BooleanOps, MultiPolygon, Validation};

use crate::error::Problem;
use crate::geometry::area_km2;
use crate::model::{Controller, Layers, Snapshot, Territory};

/// Largest total of gaps plus overlaps (km²) allowed between a snapshot's
/// zones and the region before the snapshot is reported as not partitioning it.
pub const PARTITION_TOLERANCE_KM2: f64 = 0.01;

/// How well one snapshot's zones partition the region.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct PartitionCheck {
    /// Snapshot id.
    pub snapshot: String,
    /// Region not covered by any zone, km².
    pub gap_km2: f64,
    /// Zone area outside the region, km².
    pub outside_km2: f64,
    /// Area covered by two zones or more, km² (summed over pairs).
    pub overlap_km2: f64,
}

impl PartitionCheck {
    /// Gap + outside + overlap, km².
    pub fn error_km2(&self) -> f64 {
        self.gap_km2 + self.outside_km2 + self.overlap_km2
    }
}

/// The outcome of [`crate::Atlas::validate`].
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Report {
    /// Every problem found, located.
    pub problems: Vec<Problem>,
    /// Partition figures per snapshot (when the snapshots could be read).
    pub partitions: Vec<PartitionCheck>,
    /// Counts of what was read: `(layer, features)`.
    pub counts: Vec<(String, usize)>,
}

impl Report {
    /// Whether nothing is wrong.
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// The region: the union of the de jure layer (`atlas.territories()`).
pub fn region(territories: &[Territory]) -> MultiPolygon<f64> {
    union_all(territories.iter().map(|t| &t.shape))
}

/// Union of many shapes.
pub fn union_all<'a>(shapes: impl IntoIterator<Item = &'a MultiPolygon<f64>>) -> MultiPolygon<f64> {
    shapes
        .into_iter()
        .fold(MultiPolygon(Vec::new()), |acc, shape| acc.union(shape))
}

/// Measures how far a snapshot's zones are from partitioning `region`.
pub fn check_partition(snapshot: &crate::Snapshot, region: &MultiPolygon<f64>) -> PartitionCheck {
    let covered = union_all(snapshot.zones.iter().map(|z| &z.shape));
    let mut overlap_km2 = 0.0;
    for (i, a) in snapshot.zones.iter().enumerate() {
        for b in &snapshot.zones[i + 1..] {
            overlap_km2 += area_km2(&a.shape.intersection(&b.shape));
        }
    }
    PartitionCheck {
        snapshot: snapshot.id.clone(),
        gap_km2: area_km2(&region.difference(&covered)),
        outside_km2: area_km2(&covered.difference(region)),
        overlap_km2,
    }
}

pub(crate) fn check_valid(
    problems: &mut Vec<Problem>,
    file: &str,
    index: usize,
    shape: &MultiPolygon<f64>,
) {
    if let Err(error) = shape.check_validation() {
        problems.push(Problem::feature(
            file,
            index,
            Some("geometry"),
            format!("expected a valid polygon: {error}"),
        ));
    }
}

/// The zones of one snapshot: valid polygons, partitioning `region` within
/// [`PARTITION_TOLERANCE_KM2`]. Problems are filed under `snapshot ID`.
pub(crate) fn check_snapshot(
    snapshot: &Snapshot,
    region: &MultiPolygon<f64>,
    problems: &mut Vec<Problem>,
) -> PartitionCheck {
    let file = format!("snapshot {}", snapshot.id);
    for (i, zone) in snapshot.zones.iter().enumerate() {
        check_valid(problems, &file, i, &zone.shape);
    }
    let check = check_partition(snapshot, region);
    if check.error_km2() >= PARTITION_TOLERANCE_KM2 {
        problems.push(Problem::file(
            file,
            format!(
                "expected zones partitioning the region within {PARTITION_TOLERANCE_KM2} km², found gaps {:.4} km², outside {:.4} km², overlaps {:.4} km²",
                check.gap_km2, check.outside_km2, check.overlap_km2
            ),
        ));
    }
    check
}

/// The polygons of the static layers are valid.
pub(crate) fn check_layer_shapes(layers: &Layers, problems: &mut Vec<Problem>) {
    for (i, t) in layers.territories.iter().enumerate() {
        check_valid(problems, "de_jure", i, &t.shape);
    }
    for (i, a) in layers.admin1.iter().enumerate() {
        check_valid(problems, "admin1", i, &a.shape);
    }
    for (i, o) in layers.overlays.iter().enumerate() {
        check_valid(problems, "overlays", i, &o.shape);
    }
}

/// Controllers: ids `[a-z0-9_]+` and unique, allies known, colours
/// `#rrggbb`. `file` is where they are listed (`manifest.json`).
pub(crate) fn check_controllers(
    file: &str,
    controllers: &[Controller],
    problems: &mut Vec<Problem>,
) {
    let mut seen = HashSet::new();
    for (i, c) in controllers.iter().enumerate() {
        let at = |field: &str, message: String| {
            Problem::file(file, format!("controllers[{i}].{field}: {message}"))
        };
        if c.id.is_empty()
            || !c
                .id
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_')
        {
            problems.push(at("id", format!("expected [a-z0-9_]+, found {:?}", c.id)));
        }
        if !seen.insert(c.id.as_str()) {
            problems.push(at("id", format!("duplicate controller id {:?}", c.id)));
        }
        for ally in &c.allies {
            if !controllers.iter().any(|other| &other.id == ally) {
                let mut known: Vec<&str> = controllers.iter().map(|c| c.id.as_str()).collect();
                known.sort_unstable();
                problems.push(at(
                    "allies",
                    format!(
                        "expected controller ids ({}), found unknown {ally:?}",
                        known.join(", ")
                    ),
                ));
            }
        }
        let hex = c
            .colour
            .strip_prefix('#')
            .is_some_and(|h| h.len() == 6 && h.chars().all(|ch| ch.is_ascii_hexdigit()));
        if !hex {
            problems.push(at(
                "colour",
                format!("expected #rrggbb, found {:?}", c.colour),
            ));
        }
    }
}

/// Each `(field, id)` names a controller of `known`.
pub(crate) fn check_ids<'a>(
    file: &str,
    ids: impl Iterator<Item = (&'a str, &'a str)>,
    known: &HashSet<&str>,
    problems: &mut Vec<Problem>,
) {
    for (index, (field, id)) in ids.enumerate() {
        if !id.is_empty() && !known.contains(id) {
            let mut list: Vec<&str> = known.iter().copied().collect();
            list.sort_unstable();
            problems.push(Problem::feature(
                file,
                index,
                Some(field),
                format!(
                    "expected a controller id ({}), found {id:?}",
                    list.join(", ")
                ),
            ));
        }
    }
}

/// No id is taken twice in one layer.
pub(crate) fn unique_ids<'a>(
    file: &str,
    ids: impl Iterator<Item = &'a str>,
    problems: &mut Vec<Problem>,
) {
    let mut seen = HashSet::new();
    for (index, id) in ids.enumerate() {
        if !id.is_empty() && !seen.insert(id) {
            problems.push(Problem::feature(
                file,
                index,
                None,
                format!("duplicate id {id:?}; ids must be unique in a layer"),
            ));
        }
    }
}

/// The zones of a snapshot name known controllers, each once. `file` is
/// where the snapshot is.
pub(crate) fn check_zones(
    file: &str,
    snapshot: &Snapshot,
    controllers: &[Controller],
    problems: &mut Vec<Problem>,
) {
    let known: HashSet<&str> = controllers.iter().map(|c| c.id.as_str()).collect();
    check_ids(
        file,
        snapshot
            .zones
            .iter()
            .map(|z| ("controller", z.controller.as_str())),
        &known,
        problems,
    );
    unique_ids(
        file,
        snapshot.zones.iter().map(|z| z.controller.as_str()),
        problems,
    );
}

/// Where each layer is, for the problems found in it.
#[derive(Debug, Clone)]
pub(crate) struct LayerFiles {
    pub(crate) de_jure: String,
    pub(crate) admin1: String,
    pub(crate) overlays: String,
    pub(crate) routes: String,
    pub(crate) places: String,
    pub(crate) events: String,
}

impl LayerFiles {
    /// The layer names themselves, for values given in memory.
    pub(crate) fn named() -> LayerFiles {
        LayerFiles {
            de_jure: "de_jure".into(),
            admin1: "admin1".into(),
            overlays: "overlays".into(),
            routes: "routes".into(),
            places: "places".into(),
            events: "events".into(),
        }
    }
}

/// The references between layers: territories name controllers, ids are
/// unique per layer, corridors are overlays, places lie in known countries
/// and units, events name known routes.
pub(crate) fn check_references(layers: &Layers, files: &LayerFiles, problems: &mut Vec<Problem>) {
    let known: HashSet<&str> = layers.controllers.iter().map(|c| c.id.as_str()).collect();
    check_ids(
        &files.de_jure,
        layers
            .territories
            .iter()
            .map(|t| ("country", t.country.as_str())),
        &known,
        problems,
    );
    let admin1: HashSet<&str> = layers.admin1.iter().map(|a| a.id.as_str()).collect();
    let overlays: HashSet<&str> = layers.overlays.iter().map(|o| o.id.as_str()).collect();
    let routes: HashSet<&str> = layers.routes.iter().map(|r| r.id.as_str()).collect();
    let countries: HashSet<&str> = layers
        .territories
        .iter()
        .map(|t| t.country.as_str())
        .collect();
    unique_ids(
        &files.admin1,
        layers.admin1.iter().map(|a| a.id.as_str()),
        problems,
    );
    unique_ids(
        &files.overlays,
        layers.overlays.iter().map(|o| o.id.as_str()),
        problems,
    );
    unique_ids(
        &files.routes,
        layers.routes.iter().map(|r| r.id.as_str()),
        problems,
    );
    unique_ids(
        &files.places,
        layers.places.iter().map(|p| p.id.as_str()),
        problems,
    );
    unique_ids(
        &files.events,
        layers.events.iter().map(|e| e.id.as_str()),
        problems,
    );
    for (i, route) in layers.routes.iter().enumerate() {
        if let Some(corridor) = &route.corridor {
            if !overlays.contains(corridor.as_str()) {
                problems.push(Problem::feature(
                    &files.routes,
                    i,
                    Some("corridor"),
                    format!("expected an overlay id, found {corridor:?}"),
                ));
            }
        }
    }
    for (i, place) in layers.places.iter().enumerate() {
        if !countries.contains(place.country.as_str()) {
            problems.push(Problem::feature(
                &files.places,
                i,
                Some("country"),
                format!(
                    "expected a country of the de_jure layer, found {:?}",
                    place.country
                ),
            ));
        }
        if let Some(unit) = &place.admin1 {
            if !admin1.contains(unit.as_str()) {
                problems.push(Problem::feature(
                    &files.places,
                    i,
                    Some("admin1"),
                    format!("expected an admin1 id, found {unit:?}"),
                ));
            }
        }
    }
    for (i, event) in layers.events.iter().enumerate() {
        for route in &event.routes {
            if !routes.contains(route.as_str()) {
                problems.push(Problem::feature(
                    &files.events,
                    i,
                    Some("routes"),
                    format!("expected route ids, found unknown {route:?}"),
                ));
            }
        }
    }
}
