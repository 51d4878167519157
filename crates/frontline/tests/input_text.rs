//! Text inputs as they come: a UTF-8 byte order mark before GeoJSON is
//! skipped wherever GeoJSON is read, gzip-compressed input to classify is
//! read decompressed, and binary input is refused without being echoed.

#[path = "support/scratch.rs"]
mod scratch;

use std::io::Write;
use std::path::{Path, PathBuf};

use frontline::classify::{classify_csv, classify_geojson, ClassifyOptions, DateSource};
use frontline::ingest::{read_polygons, Strictness};
use frontline::{parse_date, Atlas, Error};

const BOM: &str = "\u{feff}";

fn tiny() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/tiny")
}

fn options() -> ClassifyOptions {
    ClassifyOptions::new(DateSource::Fixed(parse_date("2012-01-01").unwrap()))
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

const POINTS: &str = r#"{"type": "FeatureCollection", "features": [
  {"type": "Feature", "properties": {"id": "a"}, "geometry": {"type": "Point", "coordinates": [0.5, 0.5]}},
  {"type": "Feature", "properties": {"id": "b"}, "geometry": {"type": "Point", "coordinates": [1.75, 0.5]}}
]}"#;

fn controllers(output: &[u8]) -> Vec<String> {
    let value: serde_json::Value = serde_json::from_slice(output).unwrap();
    value["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["controller"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_byte_order_mark_before_geojson_points_is_skipped() {
    let atlas = Atlas::open(tiny()).unwrap();
    let input = format!("{BOM}{POINTS}");
    let mut output = Vec::new();
    let summary = classify_geojson(
        &atlas,
        input.as_bytes(),
        &mut output,
        &options().date,
        |_| {},
    )
    .unwrap();
    assert_eq!((summary.rows, summary.errors), (2, 0));
    assert_eq!(controllers(&output), ["west", "east"]);
}

#[test]
fn a_byte_order_mark_before_polygons_is_skipped() {
    let text =
        format!(r#"{BOM}{{"type": "Polygon", "coordinates": [[[0,0],[1,0],[1,1],[0,1],[0,0]]]}}"#);
    let read = read_polygons("cell.geojson", text.as_bytes(), Strictness::Strict).unwrap();
    assert_eq!(read.features, 1);
    assert_eq!(read.shape.0.len(), 1);
}

#[test]
fn a_byte_order_mark_in_dataset_files_is_skipped() {
    let dir = scratch::scratch("bom");
    std::fs::create_dir_all(dir.join("snapshots")).unwrap();
    for entry in walk(&tiny()) {
        let relative = entry.strip_prefix(tiny()).unwrap();
        let text = std::fs::read_to_string(&entry).unwrap();
        std::fs::write(dir.join(relative), format!("{BOM}{text}")).unwrap();
    }
    let atlas = Atlas::open(&dir).unwrap();
    let stats = atlas.at(parse_date("2012-01-01").unwrap()).unwrap().stats();
    assert!((stats.controllers[0].area_km2 - 18462.696).abs() < 0.01);
    assert!(
        Atlas::validate(frontline::DataSource::Directory(dir.to_path_buf()))
            .unwrap()
            .is_ok()
    );
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[test]
fn gzip_input_is_read_decompressed() {
    let atlas = Atlas::open(tiny()).unwrap();
    let mut output = Vec::new();
    let summary = classify_geojson(
        &atlas,
        gzip(POINTS.as_bytes()).as_slice(),
        &mut output,
        &options().date,
        |_| {},
    )
    .unwrap();
    assert_eq!(summary.rows, 2);
    assert_eq!(controllers(&output), ["west", "east"]);

    let csv = "id,lat,lon\na,0.5,0.5\nb,0.5,1.75\n";
    let mut plain = Vec::new();
    classify_csv(&atlas, csv.as_bytes(), &mut plain, &options(), |_| {}).unwrap();
    let mut unpacked = Vec::new();
    let summary = classify_csv(
        &atlas,
        gzip(csv.as_bytes()).as_slice(),
        &mut unpacked,
        &options(),
        |_| {},
    )
    .unwrap();
    assert_eq!(summary.rows, 2);
    assert_eq!(
        String::from_utf8(unpacked).unwrap(),
        String::from_utf8(plain).unwrap()
    );
}

#[test]
fn binary_csv_input_is_refused_without_echoing_it() {
    let atlas = Atlas::open(tiny()).unwrap();
    // A zip archive's first bytes, then noise.
    let binary: Vec<u8> = b"PK\x03\x04\x14\x00\x00\x00\x08\x00lat\x00\xff\xfe,\x01\x02\n"
        .iter()
        .copied()
        .chain((0..=255u8).cycle().take(600))
        .collect();
    let error =
        classify_csv(&atlas, binary.as_slice(), Vec::new(), &options(), |_| {}).unwrap_err();
    let message = error.to_string();
    assert_eq!(
        message,
        "invalid input: CSV: expected CSV text, found binary data (a compressed or binary file?)"
    );
}

#[test]
fn an_empty_csv_says_it_is_empty() {
    let atlas = Atlas::open(tiny()).unwrap();
    for input in ["", "\n", "\r\n\r\n"] {
        let error =
            classify_csv(&atlas, input.as_bytes(), Vec::new(), &options(), |_| {}).unwrap_err();
        assert!(matches!(error, Error::BadInput(_)), "{input:?}: {error}");
        assert_eq!(
            error.to_string(),
            "invalid input: CSV: the input is empty: expected a header row naming the columns",
            "{input:?}"
        );
    }
}
