//! Point-location throughput on a file of points, for peer comparisons on the
//! very same points: reads little-endian f64 pairs (lon, lat), locates them
//! all against the snapshot in force on a date through the grid (point by
//! point, and in batches on one core and on all cores), and prints one JSON
//! line with the throughputs and the number of points inside a zone.
//!
//! ```text
//! cargo run --release -p frontline --example locate_points -- points.f64 2020-12-01
//! ```

use std::time::Instant;

use frontline::index::LocateIndex;
use frontline::{parse_date, Atlas};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path, date] = args.as_slice() else {
        return Err("usage: locate_points POINTS.f64 YYYY-MM-DD".into());
    };
    let bytes = std::fs::read(path)?;
    if bytes.len() % 16 != 0 {
        return Err(format!(
            "{path}: expected (lon, lat) pairs of f64, {} bytes is not a multiple of 16",
            bytes.len()
        )
        .into());
    }
    let points: Vec<(f64, f64)> = bytes
        .chunks_exact(16)
        .map(|c| {
            let f = |b: &[u8]| f64::from_le_bytes(b.try_into().expect("8 bytes"));
            (f(&c[..8]), f(&c[8..]))
        })
        .collect();
    let atlas = Atlas::embedded()?;
    let view = atlas.at(parse_date(date)?)?;
    let index = LocateIndex::new(&view);
    // Best of twenty runs each, after the grid is built (a batch takes a few
    // ms, so one late thread wake-up would skew a single run).
    let best = |run: &mut dyn FnMut() -> usize| {
        (0..20)
            .map(|_| {
                let start = Instant::now();
                let hits = run();
                (start.elapsed().as_secs_f64(), hits)
            })
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .expect("twenty runs")
    };
    let (by_point, hits) = best(&mut || {
        points
            .iter()
            .filter(|&&(x, y)| index.controller(x, y).is_some())
            .count()
    });
    let mut out = vec![None; points.len()];
    let one_core = rayon::ThreadPoolBuilder::new().num_threads(1).build()?;
    let (one, _) = best(&mut || {
        one_core
            .install(|| index.controllers_into(&points, &mut out))
            .expect("one answer slot per point");
        0
    });
    let (all, _) = best(&mut || {
        index
            .controllers_into(&points, &mut out)
            .expect("one answer slot per point");
        0
    });
    assert_eq!(out.iter().filter(|c| c.is_some()).count(), hits);
    let n = points.len() as f64;
    println!(
        "{{\"points\": {}, \"hits\": {hits}, \"point_by_point_mpts\": {:.2}, \"one_core_mpts\": {:.2}, \"all_cores_mpts\": {:.2}, \"threads\": {}}}",
        points.len(),
        n / by_point / 1e6,
        n / one / 1e6,
        n / all / 1e6,
        rayon::current_num_threads()
    );
    Ok(())
}
