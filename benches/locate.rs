//! Point location throughput: 1 M uniformly random points (seeded) over the
//! region's bounding box against the 1994-05-12 and 2020-12-01 snapshots,
//! one core and all cores; and the exact scan for the speed-up.
//!
//! ```text
//! cargo bench -p frontline --bench locate
//! ```

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use frontline::index::LocateIndex;
use frontline::{parse_date, Atlas};

fn points(n: usize) -> Vec<(f64, f64)> {
    let mut state: u64 = 0x5eed;
    let mut next = move || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        (state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..n)
        .map(|_| {
            (
                43.4 + next() * (50.0 - 43.4),
                38.3 + next() * (41.95 - 38.3),
            )
        })
        .collect()
}

fn locate(c: &mut Criterion) {
    let atlas = Atlas::embedded().unwrap();
    let pts = points(1_000_000);
    let mut group = c.benchmark_group("locate 1M points");
    group.sample_size(10);
    group.throughput(Throughput::Elements(pts.len() as u64));
    for date in ["1994-05-12", "2020-12-01"] {
        let view = atlas.at(parse_date(date).unwrap()).unwrap();
        let index = LocateIndex::new(&view);
        group.bench_function(format!("{date} grid, one core"), |b| {
            b.iter(|| {
                let mut held = 0usize;
                for &(x, y) in &pts {
                    held += index.controller(x, y).is_some() as usize;
                }
                black_box(held)
            })
        });
        let mut out = vec![None; pts.len()];
        group.bench_function(format!("{date} grid, all cores"), |b| {
            b.iter(|| index.controllers_into(&pts, black_box(&mut out)))
        });
        group.bench_function(format!("{date} index build"), |b| {
            b.iter(|| black_box(LocateIndex::new(&view)))
        });
    }
    let view = atlas.at(parse_date("2020-12-01").unwrap()).unwrap();
    let few = &pts[..20_000];
    group.throughput(Throughput::Elements(few.len() as u64));
    group.bench_function("2020-12-01 exact scan, one core (20 k points)", |b| {
        b.iter(|| {
            few.iter()
                .filter(|&&(x, y)| view.locate(geo::Point::new(x, y)).controller.is_some())
                .count()
        })
    });
    group.finish();
}

criterion_group!(benches, locate);
criterion_main!(benches);
