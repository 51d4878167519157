//! `series` over a dated archive shaped like real daily control maps: 770
//! GeoJSON files, each one MultiPolygon of about 30,000 vertices (a main
//! part whose front line wanders from day to day with noise at the scale of
//! tens of metres, three holes, three islands; 6 or 7 decimals). The archive
//! is generated here (seeded) into `target/frontline-bench-archive-770/` the
//! first time and reused; `benches/peers/archive_series.py` reads the same
//! files.
//!
//! ```text
//! cargo bench -p frontline --bench archive_series
//! ```

use std::fmt::Write as _;
use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, Criterion};
use frontline::archive::ArchiveOptions;
use frontline::{parse_date, Atlas};

#[path = "seeded.rs"]
mod seeded;
use seeded::Rng;

const FILES: usize = 770;
const MAIN_VERTICES: usize = 26_000;
const HOLE_VERTICES: usize = 500;
const ISLAND_VERTICES: usize = 800;

/// A closed ring around (`cx`, `cy`) (longitudes stretched by 1.5) with
/// radius `radius(θ)` at `|n|` equal angles, counter-clockwise for positive
/// `n`: simple whenever the radius stays positive. `decimals` as a real
/// export would write them.
fn ring(
    out: &mut String,
    (cx, cy): (f64, f64),
    n: isize,
    decimals: usize,
    mut radius: impl FnMut(f64) -> f64,
) {
    out.push('[');
    let mut first = String::new();
    for v in 0..n.unsigned_abs() {
        let theta = v as f64 / n as f64 * std::f64::consts::TAU;
        let r = radius(theta);
        let start = out.len();
        write!(
            out,
            "[{:.*},{:.*}]",
            decimals,
            cx + 1.5 * r * theta.cos(),
            decimals,
            cy + r * theta.sin()
        )
        .unwrap();
        if v == 0 {
            first = out[start..].to_owned();
        }
        out.push(',');
    }
    out.push_str(&first);
    out.push(']');
}

/// Day `i` of the archive.
fn day(i: usize, rng: &mut Rng) -> String {
    let t = i as f64 / FILES as f64;
    let centre = (37.0, 48.0);
    let base = 2.0 + 0.3 * (t * std::f64::consts::PI).sin();
    // The front: smooth bulges drifting over the days, an AR(1) walk (the
    // line's local wiggle) and jitter (digitising noise); |shape| < 0.18.
    let phases: Vec<f64> = (1..=8)
        .map(|j| j as f64 * 0.7 + t * (j as f64 * 1.3).sin() * 3.0)
        .collect();
    let mut walk = 0.0;
    let decimals = 6 + i % 2;
    let mut out = String::with_capacity(720_000);
    write!(
        out,
        r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"day":{i},"side":"Blue"}},"geometry":{{"type":"MultiPolygon","coordinates":[["#
    )
    .unwrap();
    ring(
        &mut out,
        centre,
        MAIN_VERTICES as isize,
        decimals,
        |theta| {
            let smooth: f64 = phases
                .iter()
                .enumerate()
                .map(|(j, p)| ((j + 1) as f64 * theta + p).sin() / (j + 2) as f64)
                .sum::<f64>()
                / 1.6;
            walk = 0.97 * walk + (rng.next_f64() - 0.5) * 0.5;
            base * (1.0
                + 0.15 * smooth.clamp(-1.0, 1.0)
                + 0.02 * walk.clamp(-1.5, 1.5)
                + 0.002 * (rng.next_f64() - 0.5))
        },
    );
    for h in 0..3 {
        let angle = h as f64 * std::f64::consts::TAU / 3.0 + t;
        let c = (
            centre.0 + 1.5 * 0.5 * base * angle.cos(),
            centre.1 + 0.5 * base * angle.sin(),
        );
        out.push(',');
        // Holes run clockwise.
        ring(&mut out, c, -(HOLE_VERTICES as isize), decimals, |_| {
            0.1 * base * (1.0 + 0.1 * (rng.next_f64() - 0.5))
        });
    }
    out.push(']');
    for k in 0..3 {
        let angle = k as f64 * std::f64::consts::TAU / 3.0 + 0.5;
        let c = (
            centre.0 + 1.5 * 1.4 * base * angle.cos(),
            centre.1 + 1.4 * base * angle.sin(),
        );
        out.push_str(",[");
        ring(&mut out, c, ISLAND_VERTICES as isize, decimals, |_| {
            0.08 * base * (1.0 + 0.1 * (rng.next_f64() - 0.5))
        });
        out.push(']');
    }
    out.push_str("]}}]}");
    out
}

/// Writes the archive once; returns its directory.
pub fn archive() -> PathBuf {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/frontline-bench-archive-770");
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
    group.bench_function("series over 770 files of 30,000 vertices", |b| {
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
    group.bench_function("list 770 dates", |b| {
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
