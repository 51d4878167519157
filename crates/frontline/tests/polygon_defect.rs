//! The fast validity test used when reading archives agrees with geo's
//! `Validation` (which tests every pair of segments) on random rings, except
//! that it also rejects two defects geo lets through: a ring folded back on
//! itself with zero area, and two rings touching at two or more points (which
//! cuts the interior apart, invalid under OGC simple features).

use frontline::ingest::{polygon_defect, polygon_defect_by_sweep, polygon_valid_by_grid};
use geo::{Area, Coord, LineString, Polygon, Validation};
use proptest::prelude::*;

/// Rings of 3–9 distinct consecutive vertices on a small integer grid, so
/// that crossings, touchings and collinear overlaps are all frequent.
fn ring() -> impl Strategy<Value = LineString<f64>> {
    prop::collection::vec((0i32..6, 0i32..6), 3..10).prop_filter_map(
        "needs 3 distinct consecutive vertices",
        |points| {
            let mut coords: Vec<Coord<f64>> = Vec::new();
            for (x, y) in points {
                let c = Coord {
                    x: x as f64,
                    y: y as f64,
                };
                if coords.last() != Some(&c) {
                    coords.push(c);
                }
            }
            if coords.len() > 1 && coords.first() == coords.last() {
                coords.pop();
            }
            (coords.len() >= 3).then(|| {
                coords.push(coords[0]);
                LineString(coords)
            })
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn agrees_with_geo_validation(exterior in ring(), hole in proptest::option::of(ring())) {
        let polygon = Polygon::new(exterior, hole.into_iter().collect());
        let defect = polygon_defect(&polygon);
        if !polygon.is_valid() {
            prop_assert!(defect.is_some(), "geo finds {:?} invalid, the sweep does not", polygon);
        } else if defect.is_some() {
            let folded = std::iter::once(polygon.exterior()).chain(polygon.interiors()).any(|r| Polygon::new(r.clone(), vec![]).unsigned_area() == 0.0);
            let cut_apart = defect.as_deref().is_some_and(|d| d.contains("touch at more than one point"));
            prop_assert!(folded || cut_apart, "the sweep finds {:?} invalid ({:?}), geo does not", polygon, defect);
        }
    }

    /// The grid's verdict is the sweep's, on rings with two holes too; each
    /// edge cut in eight, so that the grid (not its brute-force path for
    /// fewer than 32 segments) decides.
    #[test]
    fn the_grid_and_the_sweep_agree(exterior in ring(), holes in prop::collection::vec(ring(), 0..3)) {
        let cut = |ring: LineString<f64>| {
            let mut coords = Vec::new();
            for line in ring.lines() {
                for k in 0..8 {
                    let t = f64::from(k) / 8.0;
                    coords.push(Coord { x: line.start.x + t * line.dx(), y: line.start.y + t * line.dy() });
                }
            }
            coords.push(coords[0]);
            LineString(coords)
        };
        let polygon = Polygon::new(cut(exterior), holes.into_iter().map(cut).collect());
        let sweep = polygon_defect_by_sweep(&polygon);
        if let Some(valid) = polygon_valid_by_grid(&polygon) {
            prop_assert_eq!(valid, sweep.is_none(), "{:?}: sweep says {:?}", polygon, sweep);
        }
        prop_assert_eq!(polygon_defect(&polygon), sweep);
    }
}
