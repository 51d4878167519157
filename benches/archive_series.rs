//! `series` over a dated archive of 800 GeoJSON files of ~80 kB each, the
//! shape of the daily archives users bring. The archive is generated here
//! (seeded) into `target/frontline-bench-archive/` the first time and reused.
//!
//! ```text
//! cargo bench -p frontline --bench archive_series
//! ```

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, Criterion};
use frontline::archive::ArchiveOptions;
use frontline::{parse_date, Atlas};

#[path = "seeded.rs"]
mod seeded;
use seeded::Rng;

const FILES: usize = 800;
const VERTICES: usize = 3600;

/// Day `i`: a jagged star-shaped area around 48° N 30° E whose radius grows
/// and whose front line wobbles from day to day.
fn day(i: usize, rng: &mut Rng) -> String {
    let mut ring = String::with_capacity(VERTICES * 24);
    let radius = 1.0 + 0.5 * i as f64 / FILES as f64;
    let mut first = String::new();
    for v in 0..VERTICES {
        let theta = v as f64 / VERTICES as f64 * std::f64::consts::TAU;
        let r = radius * (1.0 + 0.05 * (7.0 * theta).sin() + 0.01 * rng.next_f64());
        let point = format!(
            "[{:.6},{:.6}]",
            30.0 + r * theta.cos() * 1.5,
            48.0 + r * theta.sin()
        );
        if v == 0 {
            first = point.clone();
        }
        ring.push_str(&point);
        ring.push(',');
    }
    ring.push_str(&first);
    format!(
        r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"day":{i}}},"geometry":{{"type":"Polygon","coordinates":[[{ring}]]}}}}]}}"#
    )
}

/// Writes the archive once; returns its directory.
pub fn archive() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/frontline-bench-archive");
    if std::fs::read_dir(&dir).map(|d| d.count()).unwrap_or(0) == FILES {
        return dir;
    }
    std::fs::create_dir_all(&dir).unwrap();
    let mut rng = Rng(0x5eed_f00d);
    let start = parse_date("2022-02-24").unwrap();
    for i in 0..FILES {
        let date = start + chrono::Days::new(i as u64);
        std::fs::write(
            dir.join(format!("control_{}.geojson", date.format("%Y%m%d"))),
            day(i, &mut rng),
        )
        .unwrap();
    }
    dir
}

fn series(c: &mut Criterion) {
    let dir = archive();
    let mut group = c.benchmark_group("archive");
    group.sample_size(10);
    group.bench_function("series over 800 files of ~80 kB", |b| {
        b.iter(|| {
            let atlas = Atlas::open_archive(&dir, &ArchiveOptions::new("Blue")).unwrap();
            let series = atlas
                .series(
                    parse_date("2022-02-24").unwrap(),
                    parse_date("2024-12-31").unwrap(),
                )
                .unwrap();
            assert_eq!(series.rows.len(), FILES);
            black_box(series)
        })
    });
    group.bench_function("list 800 dates", |b| {
        b.iter(|| {
            black_box(
                Atlas::open_archive(&dir, &ArchiveOptions::new("Blue"))
                    .unwrap()
                    .snapshots()
                    .len(),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, series);
criterion_main!(benches);
