//! Inputs the fuzzers found crashing (`fuzz/`, see CONTRIBUTING.md), replayed
//! on every test run: each now reads to valid polygons or to a located error.

use std::path::Path;

use frontline::ingest::{read_polygons, Strictness};
use geo::Validation;

#[test]
fn geojson_ingest_crashes_stay_fixed() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data/fuzz-regressions/geojson_ingest");
    let mut replayed = 0;
    for entry in std::fs::read_dir(&dir).unwrap().flatten() {
        let bytes = std::fs::read(entry.path()).unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        for strictness in [Strictness::Repair, Strictness::Strict] {
            match read_polygons(&name, &bytes, strictness) {
                Ok(read) => assert!(
                    read.shape.is_valid(),
                    "{name}: invalid result {:?}",
                    read.shape
                ),
                Err(problem) => assert!(problem.file == name, "{name}: {problem}"),
            }
        }
        replayed += 1;
    }
    assert!(replayed >= 1, "no regression inputs in {}", dir.display());
}

#[test]
fn a_hole_crossing_its_exterior_is_rebuilt_valid() {
    // The first crash: the rebuild must give the square less the crossing
    // part of the triangle, and never the triangle's outside parts (a repair
    // adds no ground).
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data/fuzz-regressions/geojson_ingest");
    let bytes = std::fs::read(dir.join("crossing-hole-union.geojson")).unwrap();
    let read = read_polygons("crossing-hole-union.geojson", &bytes, Strictness::Repair).unwrap();
    assert!(read.shape.is_valid());
    assert_eq!(read.repairs.len(), 1);
    use geo::{BooleanOps, BoundingRect};
    let square = geo::Rect::new((30.0, 48.0), (31.0, 49.0)).to_polygon();
    let bounds = read.shape.bounding_rect().unwrap();
    assert!(
        bounds.min().x >= 30.0 && bounds.max().x <= 31.0,
        "{bounds:?}"
    );
    assert!(
        bounds.min().y >= 48.0 && bounds.max().y <= 49.0,
        "{bounds:?}"
    );
    let kept = frontline::geometry::area_km2(&read.shape);
    let whole = frontline::geometry::area_km2(&geo::MultiPolygon(vec![square.clone()]));
    let triangle = geo::Polygon::new(
        geo::LineString::from(vec![(35.0, 48.0), (16.0, 46.0), (36.0, 50.0), (35.0, 48.0)]),
        Vec::new(),
    );
    let taken = frontline::geometry::area_km2(&square.intersection(&triangle));
    assert!(taken > 1.0, "{taken}");
    assert!(
        (kept - (whole - taken)).abs() < 0.01,
        "{kept} + {taken} vs {whole}"
    );
}
