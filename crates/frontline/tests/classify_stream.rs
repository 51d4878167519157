//! Batch classification as a stream: every feature of the collection's own
//! `features` array comes out, whatever stands around it, and a failing
//! writer ends the run with its error instead of stalling the reader.

use std::io::Write;

use frontline::classify::{classify_csv, classify_geojson, ClassifyOptions, DateSource};
use frontline::Atlas;

fn fixed() -> DateSource {
    DateSource::Fixed(frontline::parse_date("2021-06-01").unwrap())
}

#[test]
fn only_the_collections_own_features_are_classified_and_its_members_kept() {
    let atlas = Atlas::embedded().unwrap();
    let input = r#"{
      "name": "sightings",
      "metadata": {"features": [{"type": "Feature", "properties": {"id": "decoy"},
                                 "geometry": {"type": "Point", "coordinates": [46.0, 40.0]}}]},
      "features": [
        {"type": "Feature", "properties": {"id": "stepanakert"}, "geometry": {"type": "Point", "coordinates": [46.7528, 39.8177]}},
        {"type": "Feature", "properties": {"id": "shusha"}, "geometry": {"type": "Point", "coordinates": [46.7499, 39.7601]}}
      ],
      "type": "FeatureCollection",
      "licence": "CC0"
    }"#;
    let mut output = Vec::new();
    let summary =
        classify_geojson(&atlas, input.as_bytes(), &mut output, &fixed(), |_| {}).unwrap();
    assert_eq!((summary.rows, summary.errors), (2, 0));
    let out: serde_json::Value = serde_json::from_slice(&output).unwrap();
    assert_eq!(out["type"], "FeatureCollection");
    assert_eq!(out["name"], "sightings");
    assert_eq!(out["licence"], "CC0");
    assert_eq!(out["metadata"]["features"][0]["properties"]["id"], "decoy");
    assert!(out["metadata"]["features"][0]["properties"]["controller"].is_null());
    let ids: Vec<_> = out["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| &f["properties"]["id"])
        .collect();
    assert_eq!(ids, ["stepanakert", "shusha"]);
    assert_eq!(out["features"][0]["properties"]["controller"], "nkr");
    assert_eq!(out["features"][1]["properties"]["controller"], "azerbaijan");
}

/// Takes `room` bytes, then fails like a closed pipe.
struct Closing {
    room: usize,
}

impl Write for Closing {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if self.room == 0 {
            return Err(std::io::ErrorKind::BrokenPipe.into());
        }
        let n = bytes.len().min(self.room);
        self.room -= n;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_failing_writer_ends_the_run_with_its_error() {
    // Several chunks' worth, so the reader is ahead and blocked when the writer fails.
    let rows = 8 * frontline::classify::CHUNK_ROWS;
    let mut csv = String::from("lat,lon\n");
    let mut features = Vec::new();
    for i in 0..rows {
        let (lat, lon) = (
            39.0 + (i % 1000) as f64 * 1e-3,
            46.0 + (i % 997) as f64 * 1e-3,
        );
        csv.push_str(&format!("{lat},{lon}\n"));
        features.push(format!(
            r#"{{"type": "Feature", "properties": {{}}, "geometry": {{"type": "Point", "coordinates": [{lon}, {lat}]}}}}"#
        ));
    }
    let geojson = format!(
        r#"{{"type": "FeatureCollection", "features": [{}]}}"#,
        features.join(",")
    );
    let options = ClassifyOptions::new(fixed());
    let broken = |e: frontline::Error| match e {
        frontline::Error::Io { source, .. } => source.kind() == std::io::ErrorKind::BrokenPipe,
        _ => false,
    };
    // A stall would hang the test: run it aside and give it a minute.
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let atlas = Atlas::embedded().unwrap();
        let csv_error = classify_csv(
            &atlas,
            csv.as_bytes(),
            Closing { room: 1000 },
            &options,
            |_| {},
        )
        .unwrap_err();
        let geojson_error = classify_geojson(
            &atlas,
            geojson.as_bytes(),
            Closing { room: 1000 },
            &fixed(),
            |_| {},
        )
        .unwrap_err();
        done.send((csv_error, geojson_error)).unwrap();
    });
    let (csv_error, geojson_error) = finished
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("classify stalled after its writer failed");
    assert!(broken(csv_error));
    assert!(broken(geojson_error));
}

#[test]
fn a_number_beyond_f64_is_refused_naming_its_feature() {
    let atlas = Atlas::embedded().unwrap();
    let input = r#"{"type": "FeatureCollection", "features": [
      {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [46.7, 39.8]}},
      {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [1e400, 0]}}
    ]}"#;
    let error =
        classify_geojson(&atlas, input.as_bytes(), Vec::new(), &fixed(), |_| {}).unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid input: GeoJSON input: feature 1: number out of range"
    );
}
