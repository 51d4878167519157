//! Building an [`Atlas`] from values instead of files: [`AtlasBuilder`].

use chrono::NaiveDate;
use geo::{CoordsIter, MultiPolygon};

use crate::error::{Error, Problem, Result};
use crate::model::{
    Admin1, Controller, Event, Layers, Overlay, Place, Route, Snapshot, Territory, Validity, Zone,
};
use crate::validate::{self, LayerFiles};

use super::{Atlas, Origin, SnapshotSlot};

/// Builds an [`Atlas`] from values: controllers, dated zones as `geo`
/// multipolygons and, optionally, de jure territories, admin-1 units,
/// overlays, routes, places and events. No file is written or read.
///
/// The constructor takes what every atlas needs (a name and the
/// controllers); each method adds one thing and returns the builder;
/// [`AtlasBuilder::build`] checks everything the way [`Atlas::validate`]
/// checks a dataset and returns the atlas, or every problem found.
///
/// The **region** is the union of the de jure territories, or, when none
/// are given, of the first snapshot's zones. Every snapshot's zones must
/// partition it (gaps, overlaps and ground outside it below
/// [`validate::PARTITION_TOLERANCE_KM2`] in all).
///
/// Problems are located as in a dataset, with the layer standing for the
/// file: `controllers`, `snapshots`, `snapshot 2000-01-01` (feature = the
/// zone's position in the list given), `de_jure`, `admin1`, `overlays`,
/// `routes`, `places`, `events`.
///
/// ```
/// use frontline::{AtlasBuilder, Controller, parse_date};
/// use frontline::geo::{MultiPolygon, Rect};
///
/// // 1° squares at the equator: 12,308.46 km² each (closed form on WGS 84).
/// let square = |x: f64| MultiPolygon(vec![Rect::new((x, 0.0), (x + 1.0, 1.0)).to_polygon()]);
/// let side = |id: &str, name: &str, colour: &str| Controller {
///     id: id.into(), name: name.into(), colour: colour.into(), allies: vec![],
/// };
/// let atlas = AtlasBuilder::new("Two squares", [side("west", "West", "#0072b2"), side("east", "East", "#d55e00")])
///     .snapshot(parse_date("2000-01-01")?, "start", [("west", square(0.0)), ("east", square(1.0))])
///     .snapshot(parse_date("2001-01-01")?, "west takes all", [("west", MultiPolygon(vec![Rect::new((0.0, 0.0), (2.0, 1.0)).to_polygon()]))])
///     .build()?;
/// let before = atlas.at(parse_date("2000-06-01")?)?;
/// assert!((before.area_km2("east")? - 12_308.46).abs() < 0.01);
/// let diff = atlas.diff(parse_date("2000-06-01")?, parse_date("2001-06-01")?)?;
/// assert!((diff.transferred_km2("east", "west") - 12_308.46).abs() < 0.01);
/// # Ok::<(), frontline::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct AtlasBuilder {
    name: String,
    description: String,
    attribution: Vec<String>,
    layers: Layers,
    snapshots: Vec<Snapshot>,
}

impl AtlasBuilder {
    /// A builder for an atlas called `name` with these controllers, in the
    /// order that decides boundaries (a point on the border of two zones goes
    /// to the controller listed first).
    pub fn new(name: impl Into<String>, controllers: impl IntoIterator<Item = Controller>) -> Self {
        AtlasBuilder {
            name: name.into(),
            description: String::new(),
            attribution: Vec::new(),
            layers: Layers {
                controllers: controllers.into_iter().collect(),
                ..Layers::default()
            },
            snapshots: Vec::new(),
        }
    }

    /// A one-line description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    /// One more attribution line the sources require.
    pub fn attribution(mut self, line: impl Into<String>) -> Self {
        self.attribution.push(line.into());
        self
    }

    /// The control state from `date` until the next snapshot's date: each
    /// controller's ground (controller id, multipolygon in WGS 84 lon/lat).
    /// `label` says what happened on that date. Snapshots may be given in
    /// any order; its id is the date (`YYYY-MM-DD`).
    pub fn snapshot<C: Into<String>>(
        mut self,
        date: NaiveDate,
        label: impl Into<String>,
        zones: impl IntoIterator<Item = (C, MultiPolygon<f64>)>,
    ) -> Self {
        self.snapshots.push(Snapshot {
            id: date.to_string(),
            date,
            label: label.into(),
            zones: zones
                .into_iter()
                .map(|(controller, shape)| Zone {
                    controller: controller.into(),
                    shape,
                    source: String::new(),
                    accuracy: String::new(),
                })
                .collect(),
            repairs: Vec::new(),
        });
        self
    }

    /// A snapshot given whole, zones with their `source` and `accuracy`
    /// (see [`AtlasBuilder::snapshot`]).
    pub fn snapshot_value(mut self, snapshot: Snapshot) -> Self {
        self.snapshots.push(snapshot);
        self
    }

    /// One de jure territory (a country's land by international
    /// recognition; its `country` is a controller id). Together they make
    /// the region the zones partition.
    pub fn territory(mut self, territory: Territory) -> Self {
        self.layers.territories.push(territory);
        self
    }

    /// One admin-1 unit (rayon, marz, ...).
    pub fn admin1(mut self, unit: Admin1) -> Self {
        self.layers.admin1.push(unit);
        self
    }

    /// One dated overlay (peacekeeping area, corridor, ...).
    pub fn overlay(mut self, overlay: Overlay) -> Self {
        self.layers.overlays.push(overlay);
        self
    }

    /// One route.
    pub fn route(mut self, route: Route) -> Self {
        self.layers.routes.push(route);
        self
    }

    /// One place.
    pub fn place(mut self, place: Place) -> Self {
        self.layers.places.push(place);
        self
    }

    /// One event.
    pub fn event(mut self, event: Event) -> Self {
        self.layers.events.push(event);
        self
    }

    /// Checks everything and makes the atlas.
    ///
    /// # Errors
    ///
    /// [`Error::Problems`] listing every problem found: controller ids
    /// malformed, duplicate or unknown (allies, zones, territories);
    /// no snapshot, or two on one date; invalid polygons or coordinates
    /// outside WGS 84 ranges; zones that do not partition the region
    /// (gaps, overlaps, ground outside it); ids taken twice in a layer;
    /// references to unknown overlays, routes, countries or units; validity
    /// intervals that end before they start; unknown event kinds.
    pub fn build(mut self) -> Result<Atlas> {
        let mut problems = Vec::new();
        validate::check_controllers("controllers", &self.layers.controllers, &mut problems);
        self.snapshots.sort_by_key(|s| s.date);
        if self.snapshots.is_empty() {
            problems.push(Problem::file("snapshots", "expected at least one snapshot"));
        }
        for pair in self.snapshots.windows(2) {
            if pair[0].date == pair[1].date {
                problems.push(Problem::file(
                    "snapshots",
                    format!(
                        "two snapshots dated {}: expected one per date",
                        pair[0].date
                    ),
                ));
            }
        }
        validate::check_references(&self.layers, &LayerFiles::named(), &mut problems);
        validate::check_layer_shapes(&self.layers, &mut problems);
        check_values(&self.layers, &mut problems);
        let region = if self.layers.territories.is_empty() {
            let first = self.snapshots.first();
            validate::union_all(
                first
                    .into_iter()
                    .flat_map(|s| s.zones.iter().map(|z| &z.shape)),
            )
        } else {
            validate::region(&self.layers.territories)
        };
        for snapshot in &self.snapshots {
            let file = format!("snapshot {}", snapshot.id);
            validate::check_zones(&file, snapshot, &self.layers.controllers, &mut problems);
            for (i, zone) in snapshot.zones.iter().enumerate() {
                check_coordinates(&file, i, zone.shape.coords_iter(), &mut problems);
            }
            validate::check_snapshot(snapshot, &region, &mut problems);
        }
        if !problems.is_empty() {
            return Err(Error::Problems(problems));
        }
        let snapshots = self
            .snapshots
            .into_iter()
            .map(SnapshotSlot::filled)
            .collect();
        Ok(Atlas::assemble(
            (self.name, self.description, self.attribution),
            self.layers,
            snapshots,
            Origin::Memory,
        ))
    }
}

/// What files are checked for while they are read: coordinates in range,
/// validity intervals in order, event kinds from the format's list.
fn check_values(layers: &Layers, problems: &mut Vec<Problem>) {
    for (i, t) in layers.territories.iter().enumerate() {
        check_coordinates("de_jure", i, t.shape.coords_iter(), problems);
    }
    for (i, a) in layers.admin1.iter().enumerate() {
        check_coordinates("admin1", i, a.shape.coords_iter(), problems);
    }
    for (i, o) in layers.overlays.iter().enumerate() {
        check_coordinates("overlays", i, o.shape.coords_iter(), problems);
        check_validity("overlays", i, o.validity, problems);
    }
    for (i, r) in layers.routes.iter().enumerate() {
        check_coordinates("routes", i, r.line.coords_iter(), problems);
        check_validity("routes", i, r.validity, problems);
        if r.line.0.len() < 2 {
            problems.push(Problem::feature(
                "routes",
                i,
                Some("geometry"),
                "expected a line of two points or more",
            ));
        }
    }
    for (i, p) in layers.places.iter().enumerate() {
        check_coordinates("places", i, std::iter::once(p.point.0), problems);
    }
    for (i, e) in layers.events.iter().enumerate() {
        check_coordinates("events", i, e.location.iter().map(|p| p.0), problems);
        if let Some(until) = e.until.filter(|&until| until < e.date) {
            problems.push(Problem::feature(
                "events",
                i,
                Some("until"),
                format!("expected a date on or after {}, found {until}", e.date),
            ));
        }
        if !super::EVENT_KINDS.contains(&e.kind.as_str()) {
            problems.push(Problem::feature(
                "events",
                i,
                Some("kind"),
                format!(
                    "expected one of {}, found {:?}",
                    super::EVENT_KINDS.join(", "),
                    e.kind
                ),
            ));
        }
    }
}

/// The first coordinate outside WGS 84 ranges (or not finite), if any.
fn check_coordinates(
    file: &str,
    index: usize,
    coords: impl Iterator<Item = geo::Coord<f64>>,
    problems: &mut Vec<Problem>,
) {
    for c in coords {
        if let Err(error) = crate::geometry::check_point(geo::Point(c)) {
            let message = match error {
                Error::BadCoordinate(message) => message,
                other => other.to_string(),
            };
            problems.push(Problem::feature(
                file,
                index,
                Some("geometry"),
                format!("expected WGS 84 lon/lat: {message}"),
            ));
            return;
        }
    }
}

fn check_validity(file: &str, index: usize, validity: Validity, problems: &mut Vec<Problem>) {
    if let (Some(from), Some(to)) = (validity.from, validity.to) {
        if from >= to {
            problems.push(Problem::feature(
                file,
                index,
                Some("valid_to"),
                format!("expected a date after valid_from {from}, found {to}"),
            ));
        }
    }
}
