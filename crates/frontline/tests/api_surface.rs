//! What another Rust program relies on: the public types cross threads,
//! result types come back whole through serde, named enums spell their names
//! the same way everywhere, and a batch call given an output of the wrong
//! length says so instead of answering in part. On `tests/data/tiny`, so it
//! runs in every feature combination.

use std::path::{Path, PathBuf};

use frontline::export::Layer;
use frontline::geo::Point;
use frontline::index::{CoverIndex, LocateIndex, LocationRef, RecordError};
#[cfg(feature = "routes")]
use frontline::route::RouteStatus;
use frontline::{parse_date, Atlas, Error, Location};
use serde::de::DeserializeOwned;
use serde::Serialize;

fn tiny() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/tiny")
}

fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn public_types_are_send_and_sync() {
    assert_send_sync::<Atlas>();
    assert_send_sync::<Error>();
    assert_send_sync::<Location>();
    assert_send_sync::<LocationRef<'static>>();
    assert_send_sync::<LocateIndex<'static>>();
    assert_send_sync::<frontline::View<'static>>();
    assert_send_sync::<frontline::Diff>();
    assert_send_sync::<frontline::Series>();
    assert_send_sync::<frontline::stats::Stats>();
    assert_send_sync::<frontline::Problem>();
    assert_send_sync::<RecordError>();
}

/// Serialises `value`, reads it back and serialises that: the same JSON
/// (fields serde leaves out, such as geometry, are left out both times).
fn round_trip<T: Serialize + DeserializeOwned>(value: &T) -> T {
    let json = serde_json::to_string(value).unwrap();
    let back: T = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"));
    assert_eq!(serde_json::to_string(&back).unwrap(), json);
    back
}

#[test]
fn result_types_come_back_through_serde() {
    let atlas = Atlas::open(tiny()).unwrap();
    let (start, later) = (
        parse_date("2000-06-01").unwrap(),
        parse_date("2012-01-01").unwrap(),
    );

    let here = atlas.locate(Point::new(0.5, 0.5), start).unwrap();
    assert_eq!(here.controller.as_deref(), Some("west"));
    assert_eq!(round_trip(&here), here);

    let stats = atlas.at(start).unwrap().stats();
    assert_eq!(round_trip(&stats), stats);

    let snapshots = atlas.snapshots();
    assert_eq!(round_trip(&snapshots), snapshots);

    let series = atlas.series(start, later).unwrap();
    assert_eq!(series.rows.len(), 2);
    assert_eq!(round_trip(&series), series);

    let diff = atlas.diff(start, later).unwrap();
    assert!(diff.total_km2 > 0.0 && !diff.transitions.is_empty());
    let back = round_trip(&diff);
    assert_eq!(back.transitions.len(), diff.transitions.len());
    assert_eq!(back.transitions[0].area_km2, diff.transitions[0].area_km2);

    let validation = Atlas::validate(frontline::DataSource::Directory(tiny())).unwrap();
    assert!(validation.is_ok());
    let back = round_trip(&validation);
    assert_eq!(back.partitions, validation.partitions);

    let problem = frontline::Problem::feature("a.geojson", 3, Some("date"), "expected a date");
    assert_eq!(round_trip(&problem), problem);
}

#[cfg(feature = "routes")]
#[test]
fn routes_and_reach_come_back_through_serde() {
    let atlas = Atlas::open(tiny()).unwrap();
    let date = parse_date("2000-06-01").unwrap();
    let report = atlas.route_report("main-road", date, 1.0).unwrap();
    assert!(report.length_km > 100.0, "{}", report.length_km);
    let back = round_trip(&report);
    assert_eq!(
        (back.status, back.length_km),
        (report.status, report.length_km)
    );
}

// The tiny dataset's places are not both on its road (Eastville lies
// mid-segment): the bundled road graph serves for reach.
#[cfg(all(feature = "routes", feature = "embedded"))]
#[test]
fn reach_comes_back_through_serde() {
    let atlas = Atlas::embedded().unwrap();
    let date = parse_date("2021-06-01").unwrap();
    let reach = atlas
        .reach("Goris", "Stepanakert", date, "armenia")
        .unwrap();
    assert!(reach.reachable);
    let back = round_trip(&reach);
    assert_eq!((back.reachable, &back.path), (reach.reachable, &reach.path));
}

#[test]
fn named_enums_spell_their_names_alike_everywhere() {
    #[cfg(feature = "routes")]
    for (name, status) in RouteStatus::ALL {
        assert_eq!(status.to_string(), name);
        assert_eq!(name.parse::<RouteStatus>().unwrap(), status);
        assert_eq!(serde_json::to_string(&status).unwrap(), format!("{name:?}"));
        let back: RouteStatus = serde_json::from_str(&format!("{name:?}")).unwrap();
        assert_eq!(back, status);
    }
    for (name, layer) in Layer::ALL {
        assert_eq!(layer.to_string(), name);
        assert_eq!(name.parse::<Layer>().unwrap(), layer);
        assert_eq!(serde_json::to_string(&layer).unwrap(), format!("{name:?}"));
    }
    let error = "roads".parse::<Layer>().unwrap_err().to_string();
    assert!(error.contains("unknown layer \"roads\""), "{error}");
    assert!(serde_json::from_str::<Layer>("\"roads\"").is_err());
}

#[test]
fn batch_calls_refuse_an_output_of_another_length() {
    let atlas = Atlas::open(tiny()).unwrap();
    let date = parse_date("2000-06-01").unwrap();
    let records = [(0.5, 0.5, date), (1.5, 0.5, date), (0.5, 0.5, date)];
    for slots in [0, 2, 4] {
        let mut out = vec![Err(RecordError::BadCoordinate); slots];
        match atlas.locate_many(&records, &mut out) {
            Err(Error::BatchLength {
                inputs: 3,
                slots: s,
            }) => assert_eq!(s, slots),
            other => panic!("{slots} slots: {other:?}"),
        }
        assert!(out
            .iter()
            .all(|r| matches!(r, Err(RecordError::BadCoordinate))));
    }
    let mut out = vec![Err(RecordError::BadCoordinate); 3];
    atlas.locate_many(&records, &mut out).unwrap();
    let ids: Vec<_> = out.iter().map(|r| r.unwrap().controller()).collect();
    assert_eq!(ids, [Some("west"), Some("east"), Some("west")]);

    let view = atlas.at(date).unwrap();
    let index = LocateIndex::new(&view);
    let points = [(0.5, 0.5), (1.5, 0.5)];
    let mut short = [None; 1];
    let error = index.controllers_into(&points, &mut short).unwrap_err();
    assert_eq!(
        error.to_string(),
        "batch of 2 inputs given 1 answer slots: expected one slot per input"
    );
    let mut out = [None; 2];
    index.controllers_into(&points, &mut out).unwrap();
    assert_eq!(
        out.map(|c| c.map(|c| c.id.as_str())),
        [Some("west"), Some("east")]
    );

    let shapes: Vec<_> = view.snapshot.zones.iter().map(|z| &z.shape).collect();
    let cover = CoverIndex::new(shapes);
    let mut long = [None; 3];
    assert!(cover.first_into(&points, &mut long).is_err());
    assert_eq!(long, [None; 3]);
}

#[cfg(not(feature = "export-fgb"))]
#[test]
fn flatgeobuf_without_its_feature_says_which_feature() {
    use frontline::export::{encode, Format};
    let atlas = Atlas::open(tiny()).unwrap();
    let zones = atlas
        .at(parse_date("2000-06-01").unwrap())
        .unwrap()
        .export(Layer::Zones);
    assert!(encode(&zones, Format::GeoJson, "zones").is_ok());
    let error = encode(&zones, Format::FlatGeobuf, "zones").unwrap_err();
    assert!(matches!(
        error,
        Error::NotInBuild {
            feature: "export-fgb",
            ..
        }
    ));
    assert_eq!(
        error.to_string(),
        "FlatGeobuf output is not in this build: it needs frontline's `export-fgb` feature"
    );
}

#[cfg(not(feature = "gzip"))]
#[test]
fn gzip_input_without_its_feature_says_which_feature() {
    use frontline::classify::{classify_csv, ClassifyOptions, DateSource};
    let atlas = Atlas::open(tiny()).unwrap();
    let options = ClassifyOptions::new(DateSource::Fixed(parse_date("2000-06-01").unwrap()));
    let gzip: &[u8] = &[0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 0x03];
    let error = classify_csv(&atlas, gzip, Vec::new(), &options, |_| {}).unwrap_err();
    assert!(error.to_string().contains("`gzip` feature"), "{error}");
}
