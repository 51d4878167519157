//! The grid index and the exact scan agree on uniformly random points over
//! the region's bounding box, for every bundled snapshot: 1 M points each in
//! release builds (`cargo test --release`), 20 k in debug builds (the exact
//! scan is slow unoptimised).

use frontline::index::LocateIndex;
use frontline::Atlas;
use geo::Point;
use rayon::prelude::*;

#[path = "../../../benches/seeded.rs"]
mod seeded;

#[test]
fn fast_path_and_naive_scan_agree() {
    let n = if cfg!(debug_assertions) {
        20_000
    } else {
        1_000_000
    };
    let atlas = Atlas::embedded().unwrap();
    for (k, info) in atlas.snapshots().iter().enumerate() {
        let view = atlas.at(info.date).unwrap();
        let index = LocateIndex::new(&view);
        let pts = seeded::region_points(n, 0x5eed + k as u64);
        let mut fast = vec![None; n];
        index.controllers_into(&pts, &mut fast);
        let naive: Vec<Option<String>> = pts
            .par_iter()
            .map(|&(x, y)| view.locate(Point::new(x, y)).controller)
            .collect();
        let disagree = fast
            .iter()
            .zip(&naive)
            .filter(|(a, b)| a.map(str::to_owned) != **b)
            .count();
        assert_eq!(
            disagree, 0,
            "{}: {disagree} of {n} points disagree",
            info.id
        );
        assert!(
            fast.iter().filter(|c| c.is_some()).count() > n / 4,
            "most points should land in the region"
        );
    }
}
