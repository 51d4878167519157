//! Nearest queries against brute force: the distance from a point to the
//! nearest ground held by another controller, and to the nearest route, equal
//! the smallest distance to any such edge measured in a metric plane centred
//! on the point (seeded random points, every bundled snapshot).

use frontline::geometry::LocalProjection;
use frontline::{parse_date, Atlas};
use geo::{Coord, Distance, Euclidean, Line, Point};

#[path = "../../../benches/seeded.rs"]
mod seeded;

/// Smallest planar distance in km from the plane's centre to the edges.
fn brute_km(
    centre: Point<f64>,
    edges: &[(Line<f64>, String)],
    accept: impl Fn(&str) -> bool,
) -> Option<(String, f64)> {
    let plane = LocalProjection::new(centre.x(), centre.y()).unwrap();
    let origin = Point::new(0.0, 0.0);
    edges
        .iter()
        .filter(|(_, id)| accept(id))
        .map(|(line, id)| {
            let a: Coord<f64> = plane.forward(line.start).unwrap();
            let b: Coord<f64> = plane.forward(line.end).unwrap();
            (
                id.clone(),
                Euclidean.distance(&origin, &Line::new(a, b)) / 1000.0,
            )
        })
        .min_by(|a, b| a.1.total_cmp(&b.1))
}

/// Within 0.2 % and 10 m: the plane's distortion at these distances is far less.
fn close(got_km: f64, want_km: f64) -> bool {
    (got_km - want_km).abs() <= 0.002 * want_km + 0.01
}

#[test]
fn nearest_other_side_and_route_match_brute_force() {
    let atlas = Atlas::embedded().unwrap();
    for (k, info) in atlas.snapshots().iter().enumerate() {
        let view = atlas.at(info.date).unwrap();
        let zone_edges: Vec<(Line<f64>, String)> = view
            .snapshot
            .zones
            .iter()
            .flat_map(|z| {
                z.shape
                    .0
                    .iter()
                    .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
                    .flat_map(|r| r.lines())
                    .map(|l| (l, z.controller.clone()))
            })
            .collect();
        let route_edges: Vec<(Line<f64>, String)> = atlas
            .routes()
            .iter()
            .filter(|r| r.validity.contains(info.date))
            .flat_map(|r| r.line.lines().map(|l| (l, r.id.clone())))
            .collect();
        // Points over the middle of the region, where distances stay under
        // ~150 km and the plane is true to far better than the tolerance.
        for (x, y) in seeded::region_points(60, 0xbeef + k as u64) {
            let p = Point::new(
                45.5 + (x - 43.4) / 6.6 * 2.5,
                39.0 + (y - 38.3) / 3.65 * 1.5,
            );
            let here = view.locate(p).unwrap();
            let holder = here.controller.as_deref();
            let (want_id, want_km) = brute_km(p, &zone_edges, |id| Some(id) != holder).unwrap();
            let got = here.nearest_other.expect("another side holds ground");
            assert!(
                close(got.km, want_km),
                "{} at {p:?}: {} km, brute force {want_km} km",
                info.id,
                got.km
            );
            if (got.km - want_km).abs() < 1e-6 {
                assert_eq!(got.id, want_id);
            }
            if let Some((_, want_km)) = brute_km(p, &route_edges, |_| true) {
                let got = here.nearest_route.expect("a route is in force");
                assert!(
                    close(got.km, want_km),
                    "{} at {p:?}: route {} km, brute force {want_km} km",
                    info.id,
                    got.km
                );
            }
        }
    }
}

#[test]
fn the_lachin_corridor_is_five_km_wide_seen_from_its_road() {
    // FACTS.md: the corridor is a 5 km wide strip around the road, so its
    // centre line is ~2.5 km from Azerbaijani-held ground.
    let atlas = Atlas::embedded().unwrap();
    let here = atlas
        .locate(
            Point::new(46.5469, 39.6408),
            parse_date("2021-06-01").unwrap(),
        )
        .unwrap();
    let near = here.nearest_other.unwrap();
    // At Lachin the corridor's edge has Azerbaijani-held ground on one side
    // (2.49 km) and the NKR's on the other (2.41 km, nearer).
    assert_eq!(near.id, "nkr");
    assert!((2.2..=2.8).contains(&near.km), "{}", near.km);
    assert_eq!(here.nearest_route.unwrap().id, "lachin-road-2020");
}
