//! Route and reachability queries on the bundled data.
//!
//! ```text
//! cargo bench -p frontline --bench routes
//! ```

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use frontline::{parse_date, Atlas};

fn routes(c: &mut Criterion) {
    let atlas = Atlas::embedded().unwrap();
    let date = parse_date("2021-06-01").unwrap();
    atlas.at(date).unwrap();
    c.bench_function("route lachin-road-2020 on 2021-06-01", |b| {
        b.iter(|| black_box(atlas.route_report("lachin-road-2020", date, 2.0).unwrap()))
    });
    c.bench_function(
        "reach Goris -> Stepanakert for armenia on 2021-06-01",
        |b| {
            b.iter(|| {
                black_box(
                    atlas
                        .reach("Goris", "Stepanakert", date, "armenia")
                        .unwrap(),
                )
            })
        },
    );
}

criterion_group!(benches, routes);
criterion_main!(benches);
