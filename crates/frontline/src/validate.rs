//! Whole-dataset checks: every file readable, every id known, every polygon
//! valid, and the zones of every snapshot partitioning the region.

use geo::{BooleanOps, MultiPolygon, Validation};

use crate::atlas::Atlas;
use crate::error::{Problem, Result};
use crate::geometry::area_km2;
use crate::source::DataSource;

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

/// The outcome of [`Atlas::validate`].
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

/// The region: the union of the de jure layer.
pub fn region(atlas: &Atlas) -> MultiPolygon<f64> {
    union_all(atlas.territories().iter().map(|t| &t.shape))
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

pub(crate) fn validate(source: DataSource) -> Result<Report> {
    let mut problems = Vec::new();
    let Some(atlas) = Atlas::read_all(source, &mut problems) else {
        return Ok(Report {
            problems,
            partitions: Vec::new(),
            counts: Vec::new(),
        });
    };
    for (i, t) in atlas.territories().iter().enumerate() {
        check_valid(&mut problems, "de_jure", i, &t.shape);
    }
    for (i, a) in atlas.admin1().iter().enumerate() {
        check_valid(&mut problems, "admin1", i, &a.shape);
    }
    for (i, o) in atlas.overlays().iter().enumerate() {
        check_valid(&mut problems, "overlays", i, &o.shape);
    }
    let region = region(&atlas);
    let mut partitions = Vec::new();
    for info in atlas.snapshots() {
        let Ok(snapshot) = atlas.snapshot(&info.id) else {
            continue;
        };
        for (i, zone) in snapshot.zones.iter().enumerate() {
            check_valid(
                &mut problems,
                &format!("snapshot {}", info.id),
                i,
                &zone.shape,
            );
        }
        let check = check_partition(snapshot, &region);
        if check.error_km2() >= PARTITION_TOLERANCE_KM2 {
            problems.push(Problem::file(
                format!("snapshot {}", info.id),
                format!(
                    "expected zones partitioning the region within {PARTITION_TOLERANCE_KM2} km², found gaps {:.4} km², outside {:.4} km², overlaps {:.4} km²",
                    check.gap_km2, check.outside_km2, check.overlap_km2
                ),
            ));
        }
        partitions.push(check);
    }
    let counts = vec![
        ("snapshots".to_owned(), atlas.snapshots().len()),
        ("de_jure".to_owned(), atlas.territories().len()),
        ("admin1".to_owned(), atlas.admin1().len()),
        ("overlays".to_owned(), atlas.overlays().len()),
        ("routes".to_owned(), atlas.routes().len()),
        ("places".to_owned(), atlas.places().len()),
        ("events".to_owned(), atlas.events().len()),
    ];
    Ok(Report {
        problems,
        partitions,
        counts,
    })
}

fn check_valid(problems: &mut Vec<Problem>, file: &str, index: usize, shape: &MultiPolygon<f64>) {
    if let Err(error) = shape.check_validation() {
        problems.push(Problem::feature(
            file,
            index,
            Some("geometry"),
            format!("expected a valid polygon: {error}"),
        ));
    }
}
