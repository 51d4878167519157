//! The malformed/unusual GeoJSON corpus (`tests/data/malformed`, written by
//! its `make_corpus.py`): every file gives the outcome `expected.tsv` lists —
//! read as is, repaired (and refused under strict), or refused with a located
//! message — and none panics.

use std::path::Path;

use frontline::ingest::{read_polygons_file, Strictness};

#[test]
fn every_file_gives_its_documented_outcome() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/malformed");
    let expected = std::fs::read_to_string(dir.join("expected.tsv")).unwrap();
    let mut checked = 0;
    for line in expected.lines().skip(1) {
        let fields: Vec<&str> = line.split('\t').collect();
        let (file, outcome, fragment) =
            (fields[0], fields[1], fields.get(2).copied().unwrap_or(""));
        let path = dir.join(file);
        let lenient = read_polygons_file(&path, Strictness::Repair);
        let strict = read_polygons_file(&path, Strictness::Strict);
        if !cfg!(feature = "gzip") && file.ends_with(".gz") {
            // A build without gzip refuses every .gz file, naming the feature.
            for read in [lenient, strict] {
                let problem = read.map(|_| ()).unwrap_err().to_string();
                assert!(problem.contains("`gzip` feature"), "{file}: {problem}");
            }
            continue;
        }
        match outcome {
            "ok" => {
                let read = lenient.unwrap_or_else(|p| panic!("{file}: expected ok, got {p}"));
                assert!(
                    read.repairs.is_empty(),
                    "{file}: unexpected repairs {:?}",
                    read.repairs
                );
                assert!(!read.shape.0.is_empty(), "{file}: no polygon read");
                assert!(strict.is_ok(), "{file}: strict refused a clean file");
            }
            "repaired" => {
                let read = lenient.unwrap_or_else(|p| panic!("{file}: expected a repair, got {p}"));
                assert!(
                    read.repairs.iter().any(|r| r.message.contains(fragment)),
                    "{file}: no repair mentioning {fragment:?} in {:?}",
                    read.repairs
                );
                assert!(
                    read.repairs.iter().all(|r| r.file.ends_with(file)),
                    "{file}: repair not located"
                );
                let refused = strict.expect_err(file);
                assert!(
                    refused.message.contains("refused: strict reading"),
                    "{file}: {refused}"
                );
            }
            "refused" => {
                let problem = lenient.expect_err(file);
                let text = problem.to_string();
                assert!(
                    text.contains(fragment),
                    "{file}: expected {fragment:?} in {text:?}"
                );
                assert!(
                    text.contains(file),
                    "{file}: message does not name the file: {text}"
                );
                assert!(strict.is_err(), "{file}: strict accepted a refused file");
            }
            other => panic!("{file}: unknown outcome {other}"),
        }
        checked += 1;
    }
    assert!(
        checked >= 30,
        "the corpus has {checked} files; the issue asks for at least 30"
    );
}

#[test]
fn repaired_geometry_is_valid_and_keeps_the_ground() {
    use geo::Validation;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/malformed");
    let square = frontline::geometry::area_km2(
        &read_polygons_file(&dir.join("ok_bare_polygon.geojson"), Strictness::Repair)
            .unwrap()
            .shape,
    );
    for file in [
        "repair_unclosed_ring.geojson",
        "repair_repeated_points.geojson",
        "repair_spike.geojson",
        "ok_clockwise.geojson",
        "ok_3d.geojson",
        "ok_gzipped.geojson.gz",
    ]
    .into_iter()
    .filter(|file| cfg!(feature = "gzip") || !file.ends_with(".gz"))
    {
        let read = read_polygons_file(&dir.join(file), Strictness::Repair).unwrap();
        assert!(read.shape.is_valid(), "{file}");
        let area = frontline::geometry::area_km2(&read.shape);
        assert!(
            (area - square).abs() < 1e-6 * square,
            "{file}: {area} vs {square}"
        );
    }
    // The bowtie becomes its two triangles: half the square.
    let bowtie =
        read_polygons_file(&dir.join("repair_bowtie.geojson"), Strictness::Repair).unwrap();
    assert!(bowtie.shape.is_valid());
    assert_eq!(bowtie.shape.0.len(), 2);
    // Two overlapping features are merged, not double counted: 1.5 squares.
    let overlap = read_polygons_file(
        &dir.join("ok_overlapping_features.geojson"),
        Strictness::Repair,
    )
    .unwrap();
    let area = frontline::geometry::area_km2(&overlap.shape);
    assert!((area / square - 1.5).abs() < 1e-3, "{area}");
}
