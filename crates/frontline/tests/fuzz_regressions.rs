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
    // The first crash: the even-odd rebuild must give the square less the
    // crossing part of the triangle, plus the triangle's outside parts.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data/fuzz-regressions/geojson_ingest");
    let bytes = std::fs::read(dir.join("crossing-hole-union.geojson")).unwrap();
    let read = read_polygons("crossing-hole-union.geojson", &bytes, Strictness::Repair).unwrap();
    assert!(read.shape.is_valid());
    assert_eq!(read.shape.0.len(), 2);
    assert_eq!(read.repairs.len(), 1);
}
