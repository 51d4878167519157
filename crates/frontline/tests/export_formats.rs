//! Exports in every format carry every feature and property: CSV with WKT
//! parsed back with the csv and wkt readers, FlatGeobuf read back with the
//! flatgeobuf reader.

use std::path::Path;

use fallible_streaming_iterator::FallibleStreamingIterator;
use flatgeobuf::{FeatureProperties, FgbReader};
use frontline::export::{encode, Format, Layer};
use frontline::{parse_date, Atlas};

fn tiny() -> Atlas {
    Atlas::open(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/tiny")).unwrap()
}

#[test]
fn csv_rows_carry_properties_and_wkt() {
    let atlas = tiny();
    let zones = atlas
        .at(parse_date("2012-01-01").unwrap())
        .unwrap()
        .export(Layer::Zones);
    let bytes = encode(&zones, Format::CsvWkt, "zones").unwrap();
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header.first().map(String::as_str), Some("controller"));
    assert_eq!(header.last().map(String::as_str), Some("wkt"));
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[0][0], "west");
    let geometry: wkt::Wkt<f64> = rows[0][header.len() - 1].parse().unwrap();
    let shape: geo::Geometry<f64> = geometry.try_into().unwrap();
    let area = match shape {
        geo::Geometry::MultiPolygon(m) => frontline::geometry::area_km2(&m),
        other => panic!("expected a MultiPolygon, found {other:?}"),
    };
    assert!((area - 18462.6958).abs() < 1e-3, "{area}");
}

#[test]
fn flatgeobuf_reads_back() {
    let atlas = tiny();
    let view = atlas.at(parse_date("2012-01-01").unwrap()).unwrap();
    for (layer, count) in [
        (Layer::Zones, 2),
        (Layer::Routes, 1),
        (Layer::Places, 2),
        (Layer::Overlays, 1),
    ] {
        let bytes = encode(&view.export(layer), Format::FlatGeobuf, "layer").unwrap();
        let reader = FgbReader::open(std::io::Cursor::new(&bytes)).unwrap();
        assert_eq!(reader.header().crs().map(|c| c.code()), Some(4326));
        let mut features = reader.select_all().unwrap();
        let mut seen = 0;
        while let Some(feature) = features.next().unwrap() {
            if layer == Layer::Zones {
                let controller: String = feature.property("controller").unwrap();
                assert!(controller == "west" || controller == "east");
                let area: f64 = feature.property("area_km2").unwrap();
                assert!(area > 6000.0);
            }
            if layer == Layer::Routes {
                let id: String = feature.property("id").unwrap();
                assert_eq!(id, "main-road");
                let length: f64 = feature.property("length_km").unwrap();
                assert!((length - 111.32).abs() < 0.01, "{length}");
            }
            seen += 1;
        }
        assert_eq!(seen, count, "{layer:?}");
    }
}

#[test]
fn every_csv_output_has_one_line_ending() {
    // One writer for every CSV: RFC 4180 quoting, lines ending in LF.
    let atlas = Atlas::embedded().unwrap();
    let (from, to) = (
        parse_date("1994-05-12").unwrap(),
        parse_date("2020-12-01").unwrap(),
    );
    let view = atlas.at(to).unwrap();
    let outputs = [
        (
            "export",
            String::from_utf8(encode(&view.export(Layer::Zones), Format::CsvWkt, "zones").unwrap())
                .unwrap(),
        ),
        ("series", atlas.series(from, to).unwrap().to_csv()),
        ("stats", view.stats().to_csv()),
        ("diff", atlas.diff(from, to).unwrap().to_csv()),
        ("snapshots", frontline::text::csv(&atlas.snapshots())),
    ];
    for (what, text) in outputs {
        assert!(text.ends_with('\n'), "{what}");
        assert!(!text.contains('\r'), "{what} writes CR");
        assert!(text.lines().count() >= 2, "{what}: {text}");
    }
}

#[test]
fn flatgeobuf_keeps_the_schema() {
    use flatgeobuf::{ColumnType, GeometryType};
    let collection: geojson::FeatureCollection = r#"{"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[46.0, 39.0], [46.5, 39.5]]},
         "properties": {"id": "a", "since": "2020-11-10", "note": null, "km": 3}},
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[46.5, 39.5], [47.0, 39.8]]},
         "properties": {"id": "b", "since": "2022-12-12T00:00:00Z", "note": null, "km": "unknown"}}
    ]}"#
    .parse()
    .unwrap();
    let bytes = encode(&collection, Format::FlatGeobuf, "lines").unwrap();
    let reader = FgbReader::open(std::io::Cursor::new(&bytes)).unwrap();
    let header = reader.header();
    assert_eq!(header.geometry_type(), GeometryType::LineString);
    let columns: Vec<(String, ColumnType)> = header
        .columns()
        .unwrap()
        .iter()
        .map(|c| (c.name().to_owned(), c.type_()))
        .collect();
    assert_eq!(
        columns,
        [
            ("id".to_owned(), ColumnType::String),
            ("since".to_owned(), ColumnType::DateTime),
            ("note".to_owned(), ColumnType::String),
            // A number in one feature and text in the other: text.
            ("km".to_owned(), ColumnType::String),
        ]
    );
    let mut features = reader.select_all().unwrap();
    let mut kms = Vec::new();
    while let Some(feature) = features.next().unwrap() {
        kms.push(feature.property::<String>("km").unwrap());
        assert!(feature.property::<String>("note").is_err());
    }
    // Features come back in the file's spatial-index order.
    kms.sort();
    assert_eq!(kms, ["3", "unknown"]);

    // The tiny dataset's route layer is a LineString layer.
    let atlas = tiny();
    let view = atlas.at(parse_date("2012-01-01").unwrap()).unwrap();
    let routes = encode(&view.export(Layer::Routes), Format::FlatGeobuf, "routes").unwrap();
    let reader = FgbReader::open(std::io::Cursor::new(&routes)).unwrap();
    assert_eq!(reader.header().geometry_type(), GeometryType::LineString);
}
