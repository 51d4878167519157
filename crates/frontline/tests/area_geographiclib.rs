//! `geometry::area_km2` integrates edges straight in lon/lat exactly on the
//! authalic sphere; on rings densified to 0.01° edges, where a geodesic and a
//! straight lon/lat edge part by centimetres at most (and finer on small
//! rings), it must agree with
//! Karney's geodesic polygon area (GeographicLib) to 1e-6, anywhere on earth
//! and at any size.

use frontline::geometry::area_km2;
use geo::{Coord, LineString, MultiPolygon, Polygon};
use geographiclib_rs::{Geodesic, PolygonArea, Winding};
use proptest::prelude::*;

/// Splits every edge into pieces of at most `step` degrees in lon and lat.
fn densify(ring: &[Coord<f64>], step: f64) -> Vec<Coord<f64>> {
    let mut out = Vec::new();
    for pair in ring.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let steps = ((b.x - a.x).abs().max((b.y - a.y).abs()) / step)
            .ceil()
            .max(1.0) as usize;
        for s in 0..steps {
            let t = s as f64 / steps as f64;
            out.push(Coord {
                x: a.x + t * (b.x - a.x),
                y: a.y + t * (b.y - a.y),
            });
        }
    }
    out.push(ring[ring.len() - 1]);
    out
}

/// Karney's area of the geodesic polygon through `ring`'s positions, km².
fn karney_km2(ring: &[Coord<f64>]) -> f64 {
    let geodesic = Geodesic::wgs84();
    let mut area = PolygonArea::new(&geodesic, Winding::CounterClockwise);
    for c in &ring[..ring.len() - 1] {
        area.add_point(c.y, c.x);
    }
    area.compute(true).1.abs() / 1e6
}

/// A star-shaped ring around (`lon`, `lat`): `radii` at equal angles, scaled
/// by `size` degrees, kept within ±89.9° of latitude.
fn star(lon: f64, lat: f64, size: f64, radii: &[f64]) -> Vec<Coord<f64>> {
    let mut ring: Vec<Coord<f64>> = radii
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let theta = i as f64 / radii.len() as f64 * std::f64::consts::TAU;
            Coord {
                x: lon + size * r * theta.cos(),
                y: (lat + size * r * theta.sin()).clamp(-89.9, 89.9),
            }
        })
        .collect();
    ring.push(ring[0]);
    ring
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn agrees_with_geographiclib_on_densified_rings(
        lon in -180.0f64..180.0,
        lat in -89.0f64..89.0,
        size_exponent in -2.0f64..1.3,
        radii in prop::collection::vec(0.3f64..1.0, 3..24),
        hole in prop::bool::ANY,
    ) {
        let size = 10f64.powf(size_exponent);
        // Pieces of at most 0.01°, and at most a hundredth of the ring's
        // size: a geodesic piece bows off the straight lon/lat one by an area
        // that grows as the cube of its length, which on rings of a few
        // hundredths of a degree would be 1e-5 of the whole at 0.01°.
        // Towards a pole a lon/lat-straight piece bends away from the
        // geodesic faster (as tan φ): pieces shrink by it, and rings stay
        // below 85° where that keeps the densified rings small.
        prop_assume!(lat.abs() + size < 85.0);
        let step = (size / 100.0).min(0.01) / (lat.abs() + size).to_radians().tan().max(1.0);
        let exterior = densify(&star(lon, lat, size, &radii), step);
        let expected_exterior = karney_km2(&exterior);
        // A hole: the same star at a third of the size, reversed.
        let (interiors, expected) = if hole {
            let mut inner = densify(&star(lon, lat, size / 3.0, &radii), step);
            inner.reverse();
            let hole_km2 = karney_km2(&inner);
            (vec![LineString(inner)], expected_exterior - hole_km2)
        } else {
            (Vec::new(), expected_exterior)
        };
        let got = area_km2(&MultiPolygon(vec![Polygon::new(LineString(exterior), interiors)]));
        prop_assert!(
            ((got - expected) / expected).abs() < 1e-6,
            "got {got} km², GeographicLib {expected} km²"
        );
    }
}

#[test]
fn the_doc_cell_and_a_split_edge() {
    let cell = |points: &[(f64, f64)]| {
        MultiPolygon(vec![Polygon::new(
            LineString(points.iter().map(|&(x, y)| Coord { x, y }).collect()),
            Vec::new(),
        )])
    };
    let whole = cell(&[(0.0, 0.0), (0.1, 0.0), (0.1, 0.1), (0.0, 0.1), (0.0, 0.0)]);
    let km2 = area_km2(&whole);
    // Δλ · b²/2 · (q(0.1°) - q(0)) in closed form: 123.090660 km².
    assert!((km2 - 123.090_660).abs() < 1e-6, "{km2}");
    // A long oblique edge, split at points on it: the area does not move.
    let long = cell(&[(10.0, 40.0), (30.0, 60.0), (10.0, 60.0), (10.0, 40.0)]);
    let split = cell(&[
        (10.0, 40.0),
        (15.0, 45.0),
        (27.5, 57.5),
        (30.0, 60.0),
        (10.0, 60.0),
        (10.0, 40.0),
    ]);
    let (a, b) = (area_km2(&long), area_km2(&split));
    assert!(((a - b) / a).abs() < 1e-13, "{a} vs {b}");
}
