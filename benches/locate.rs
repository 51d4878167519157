//! Point location throughput: 1 M uniformly random points (seeded) over the
//! region's bounding box against the 1994-05-12 and 2020-12-01 snapshots,
//! point by point and in batches on one core and on all cores; whole answers
//! of dated records in a batch; and the exact scan for the speed-up.
//!
//! ```text
//! cargo bench -p frontline --bench locate
//! ```

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use frontline::index::{CoverIndex, LocateIndex, RecordError};
use frontline::{parse_date, Atlas};

#[path = "seeded.rs"]
mod seeded;

fn locate(c: &mut Criterion) {
    let atlas = Atlas::embedded().unwrap();
    let pts = seeded::region_points(1_000_000, 0x5eed);
    let mut group = c.benchmark_group("locate 1M points");
    group.sample_size(10);
    let one_core = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    group.throughput(Throughput::Elements(pts.len() as u64));
    for date in ["1994-05-12", "2020-12-01"] {
        let view = atlas.at(parse_date(date).unwrap()).unwrap();
        let index = LocateIndex::new(&view);
        group.bench_function(format!("{date} grid point by point, one core"), |b| {
            b.iter(|| {
                let mut held = 0usize;
                for &(x, y) in &pts {
                    held += index.controller(x, y).is_some() as usize;
                }
                black_box(held)
            })
        });
        let mut out = vec![None; pts.len()];
        group.bench_function(format!("{date} grid batch, one core"), |b| {
            b.iter(|| one_core.install(|| index.controllers_into(&pts, black_box(&mut out))))
        });
        group.bench_function(format!("{date} grid batch, all cores"), |b| {
            b.iter(|| index.controllers_into(&pts, black_box(&mut out)))
        });
        group.bench_function(format!("{date} index build"), |b| {
            b.iter(|| {
                black_box(CoverIndex::new(
                    view.snapshot.zones.iter().map(|z| &z.shape),
                ))
            })
        });
    }
    // Whole answers (controller, de jure, rayon, overlays) of records with
    // dates spread over the snapshots.
    let snapshots = atlas.snapshots();
    let records: Vec<_> = pts
        .iter()
        .enumerate()
        .map(|(i, &(x, y))| (x, y, snapshots[i % snapshots.len()].date))
        .collect();
    let mut out = vec![Err(RecordError::BadCoordinate); records.len()];
    group.bench_function("locate_many, mixed dates, all cores", |b| {
        b.iter(|| atlas.locate_many(&records, black_box(&mut out)))
    });
    // The controller alone of the same records, on one core: what a query
    // engine's batch asks (`fl_controller(lon, lat, date)`).
    let mut held = vec![Err(RecordError::BadCoordinate); records.len()];
    group.bench_function("controllers_each, mixed dates, one core", |b| {
        b.iter(|| atlas.controllers_each(&records, black_box(&mut held)))
    });
    let view = atlas.at(parse_date("2020-12-01").unwrap()).unwrap();
    let few = &pts[..20_000];
    group.throughput(Throughput::Elements(few.len() as u64));
    group.bench_function("2020-12-01 exact scan, one core (20 k points)", |b| {
        b.iter(|| {
            few.iter()
                .filter(|&&(x, y)| {
                    view.controller_exact(geo::Point::new(x, y))
                        .unwrap()
                        .is_some()
                })
                .count()
        })
    });
    group.finish();
}

criterion_group!(benches, locate);
criterion_main!(benches);
