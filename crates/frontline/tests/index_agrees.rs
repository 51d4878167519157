//! The grids and the plain scan agree, for every bundled snapshot: on the
//! controller of 200 k uniformly random points over the region's bounding box
//! (5 M over the 26 bundled snapshots; 30 k each, 0.8 M, in an unoptimised
//! build, where the plain scan would take minutes), and on the whole answer
//! (de jure country, rayon, overlays too) of 5 k.
//! Seeded, so every run checks the same points.

use frontline::index::LocateIndex;
use frontline::Atlas;
use geo::Point;
use rayon::prelude::*;

#[path = "../../../benches/seeded.rs"]
mod seeded;

#[test]
fn fast_path_and_naive_scan_agree_on_random_points() {
    let n = if cfg!(debug_assertions) {
        30_000
    } else {
        200_000
    };
    let atlas = Atlas::embedded().unwrap();
    for (k, info) in atlas.snapshots().iter().enumerate() {
        let view = atlas.at(info.date).unwrap();
        let index = LocateIndex::new(&view);
        let pts = seeded::region_points(n, 0x5eed + k as u64);
        let mut fast = vec![None; n];
        index.controllers_into(&pts, &mut fast).unwrap();
        let disagree: Vec<(f64, f64)> = pts
            .par_iter()
            .zip(&fast)
            .filter(|(&(x, y), fast)| {
                let naive = view.controller_exact(Point::new(x, y)).unwrap();
                naive != fast.map(|c| c.id.as_str())
            })
            .map(|(p, _)| *p)
            .collect();
        assert!(
            disagree.is_empty(),
            "{}: {} of {n} points disagree, e.g. {:?}",
            info.id,
            disagree.len(),
            &disagree[..disagree.len().min(5)]
        );
        let held = fast.iter().filter(|c| c.is_some()).count();
        assert!(
            held > n / 4,
            "{}: only {held} points in the region",
            info.id
        );
    }
}

#[test]
fn whole_answers_agree() {
    let n = 5_000;
    let atlas = Atlas::embedded().unwrap();
    for (k, info) in atlas.snapshots().iter().enumerate() {
        let view = atlas.at(info.date).unwrap();
        let pts = seeded::region_points(n, 0xface + k as u64);
        let with_overlays = pts
            .par_iter()
            .map(|&(x, y)| {
                let p = Point::new(x, y);
                let (fast, naive) = (view.locate(p).unwrap(), view.locate_exact(p).unwrap());
                assert_eq!(fast, naive, "{} at {x}, {y}", info.id);
                !fast.overlays.is_empty() as usize
            })
            .sum::<usize>();
        if !view.overlays.is_empty() {
            assert!(with_overlays > 0, "{}: no point in an overlay", info.id);
        }
    }
}
