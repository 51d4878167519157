//! Rendering and diff speed on the bundled dataset.
//!
//! ```text
//! cargo bench -p frontline-render --bench render
//! ```

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use frontline::{parse_date, Atlas};
use frontline_render::{
    animate, render_map, svg_to_png, AnimationFormat, AnimationOptions, MapOptions,
};

fn render(c: &mut Criterion) {
    let atlas = Atlas::embedded().unwrap();
    let options = MapOptions::default();
    let mut group = c.benchmark_group("render");
    group.sample_size(20);
    for date in ["1994-05-12", "2020-12-01"] {
        let view = atlas.at(parse_date(date).unwrap()).unwrap();
        group.bench_function(format!("map {date} svg 1200x900"), |b| {
            b.iter(|| black_box(render_map(&view, &options).unwrap()))
        });
        let svg = render_map(&view, &options).unwrap();
        group.bench_function(format!("map {date} svg to png 1200x900"), |b| {
            b.iter(|| black_box(svg_to_png(&svg).unwrap()))
        });
    }
    group.finish();
    let (from, to) = (
        parse_date("1994-05-12").unwrap(),
        parse_date("2020-12-01").unwrap(),
    );
    c.bench_function("diff 1994-05-12 -> 2020-12-01", |b| {
        b.iter(|| black_box(atlas.diff(from, to).unwrap()))
    });
    // The default animation: the 2020 war weekly, 8 frames of 900×760.
    let (from, to) = frontline_render::default_span(&atlas);
    let mut group = c.benchmark_group("animate");
    group.sample_size(10);
    for format in [AnimationFormat::Gif, AnimationFormat::Apng] {
        let options = AnimationOptions {
            format,
            ..AnimationOptions::new(from, to, 7)
        };
        group.bench_function(format!("war weekly {format:?}"), |b| {
            b.iter(|| black_box(animate(&atlas, &options).unwrap()))
        });
    }
    group.finish();
}

criterion_group!(benches, render);
criterion_main!(benches);
