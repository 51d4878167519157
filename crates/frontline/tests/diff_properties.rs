//! Invariants of `diff`, as property tests on random synthetic partitions:
//! area(a, c) = unchanged(c) + outgoing(c); diff(a, a) is empty; diff(a, b)
//! and diff(b, a) mirror each other.
//!
//! The generator works on the region [0, 2] × [40, 41], which `rect` maps
//! to a small patch on the ellipsoid.

use frontline::diff::diff_snapshots;
use frontline::geometry::area_km2;
use frontline::{parse_date, Diff, Snapshot, Zone};
use geo::{BooleanOps, MultiPolygon, Rect};
use proptest::prelude::*;

const CONTROLLERS: [&str; 3] = ["west", "east", "island"];

/// A rectangle in a 2 km × 1 km patch just north of the equator: the
/// generator's region [0, 2] × [40, 41] scaled by 1/100 and moved south.
///
/// Small, so that the 1e-6 and 1e-9 relative tolerances below test the
/// boolean operations and the bookkeeping rather than the edge splitting of
/// `area_km2` (see `AREA_EDGE_DEG`).
fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> MultiPolygon<f64> {
    let lon = |x: f64| x / 100.0;
    let lat = |y: f64| (y - 40.0) / 100.0;
    MultiPolygon(vec![
        Rect::new((lon(x0), lat(y0)), (lon(x1), lat(y1))).to_polygon()
    ])
}

/// The region [0, 2] × [40, 41] split at `cut` into west and east, with an
/// island (a rectangle) taken out of both.
fn snapshot(cut: f64, island: (f64, f64, f64, f64)) -> Snapshot {
    let island = rect(island.0, island.1, island.2, island.3);
    let zone = |controller: &str, shape: MultiPolygon<f64>| Zone {
        controller: controller.into(),
        shape,
        source: String::new(),
        accuracy: String::new(),
    };
    Snapshot {
        id: format!("cut {cut}"),
        date: parse_date("2000-01-01").unwrap(),
        label: String::new(),
        zones: vec![
            zone("west", rect(0.0, 40.0, cut, 41.0).difference(&island)),
            zone("east", rect(cut, 40.0, 2.0, 41.0).difference(&island)),
            zone("island", island),
        ],
        repairs: Vec::new(),
    }
}

fn diff(a: &Snapshot, b: &Snapshot) -> Diff {
    let date = parse_date("2000-01-01").unwrap();
    diff_snapshots(&CONTROLLERS, None, (date, a), (date, b))
}

fn arb_snapshot() -> impl Strategy<Value = Snapshot> {
    (
        0.05f64..1.95,
        0.0f64..1.9,
        40.0f64..40.9,
        0.05f64..1.0,
        0.05f64..0.5,
    )
        .prop_map(|(cut, x, y, w, h)| snapshot(cut, (x, y, (x + w).min(2.0), (y + h).min(41.0))))
}

fn close(a: f64, b: f64, relative: f64) -> bool {
    (a - b).abs() <= relative * a.abs().max(b.abs()).max(1.0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn area_is_unchanged_plus_outgoing(a in arb_snapshot(), b in arb_snapshot()) {
        let d = diff(&a, &b);
        for c in CONTROLLERS {
            let held = area_km2(&a.zone(c).unwrap().shape);
            let stayed = d.unchanged.iter().filter(|u| u.controller == c).map(|u| u.area_km2).sum::<f64>();
            let outgoing = d.transitions.iter().filter(|t| t.from == c).map(|t| t.area_km2).sum::<f64>();
            prop_assert!(close(held, stayed + outgoing, 1e-6), "{c}: {held} vs {stayed} + {outgoing}");
            let now = area_km2(&b.zone(c).unwrap().shape);
            let incoming = d.transitions.iter().filter(|t| t.to == c).map(|t| t.area_km2).sum::<f64>();
            prop_assert!(close(now, stayed + incoming, 1e-6), "{c}: {now} vs {stayed} + {incoming}");
        }
        // Not the area of the rectangle [0, 2] × [40, 41]: its edges are
        // geodesics, and a geodesic from x = 0 to 2 is not the cut edges' path.
        let region: f64 = a.zones.iter().map(|z| area_km2(&z.shape)).sum();
        prop_assert!(close(d.total_km2, region, 1e-6), "{} vs {}", d.total_km2, region);
    }

    #[test]
    fn diff_with_itself_is_empty(a in arb_snapshot()) {
        let d = diff(&a, &a);
        prop_assert!(d.transitions.is_empty());
        prop_assert!(close(d.unchanged_km2, d.total_km2, 1e-12));
    }

    #[test]
    fn diffs_mirror_each_other(a in arb_snapshot(), b in arb_snapshot()) {
        let forward = diff(&a, &b);
        let backward = diff(&b, &a);
        prop_assert_eq!(forward.transitions.len(), backward.transitions.len());
        for t in &forward.transitions {
            let back = backward.transferred_km2(&t.to, &t.from);
            prop_assert!(close(t.area_km2, back, 1e-9), "{} -> {}: {} vs {}", t.from, t.to, t.area_km2, back);
        }
        prop_assert!(close(forward.unchanged_km2, backward.unchanged_km2, 1e-9));
    }
}

#[test]
fn a_known_transfer() {
    // The cut moves from 1.0 to 1.5, the island stays in the west: east
    // loses exactly the strip [1.0, 1.5].
    let island = (0.1, 40.1, 0.2, 40.2);
    let a = snapshot(1.0, island);
    let b = snapshot(1.5, island);
    let d = diff(&a, &b);
    assert_eq!(d.transitions.len(), 1);
    let strip = area_km2(&rect(1.0, 40.0, 1.5, 41.0));
    let moved = d.transferred_km2("east", "west");
    // The overlay snaps to an integer grid of about 2^31 steps across its
    // inputs' extent (about 0.005° here, the two zones cut to the box they
    // share): each edge of the strip may move by a step, a few parts in
    // 1e9 of its 0.005° width.
    assert!(close(moved, strip, 5e-9), "{moved} vs {strip}");
    // The ellipsoidal zone formula gives 0.6154536009 km² for that box.
    assert!((moved - 0.6154536009).abs() < 1e-8, "{moved}");
}
