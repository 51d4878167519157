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

#[path = "seeded.rs"]
mod seeded;

fn locate(c: &mut Criterion) {
    let atlas = Atlas::embedded().unwrap();
    let pts = seeded::region_points(1_000_000, 0x5eed);
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
