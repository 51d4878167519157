//! Batch classification as a stream: every feature of the collection's own
//! `features` array comes out, whatever stands around it, and a failing
//! writer ends the run with its error instead of stalling the reader.

use std::io::Write;

use frontline::classify::{classify_csv, classify_geojson, ClassifyOptions, DateSource};
use frontline::{parse_date, Atlas};

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

/// `rows` point features; `with(i, feature)` may change feature `i`'s text.
fn collection(rows: usize, with: impl Fn(usize, String) -> String) -> String {
    let features: Vec<String> = (0..rows)
        .map(|i| {
            let (lat, lon) = (39.0 + (i % 1000) as f64 * 1e-3, 46.0 + (i % 997) as f64 * 1e-3);
            with(
                i,
                format!(
                    r#"{{"type": "Feature", "properties": {{"n": {i}}}, "geometry": {{"type": "Point", "coordinates": [{lon}, {lat}]}}}}"#
                ),
            )
        })
        .collect();
    format!(
        r#"{{"type": "FeatureCollection", "features": [{}]}}"#,
        features.join(",\n")
    )
}

#[test]
fn chunks_classified_while_the_next_is_read_come_out_whole_and_in_order() {
    let atlas = Atlas::embedded().unwrap();
    let rows = 2 * frontline::classify::CHUNK_ROWS + 5;
    let input = collection(rows, |_, f| f);
    let mut output = Vec::new();
    let summary =
        classify_geojson(&atlas, input.as_bytes(), &mut output, &fixed(), |_| {}).unwrap();
    assert_eq!((summary.rows, summary.errors), (rows as u64, 0));
    let out: serde_json::Value = serde_json::from_slice(&output).unwrap();
    let features = out["features"].as_array().unwrap();
    assert_eq!(features.len(), rows);
    for (i, feature) in features.iter().enumerate() {
        assert_eq!(feature["properties"]["n"], i, "feature {i} in its place");
        let (lon, lat) = (
            feature["geometry"]["coordinates"][0].as_f64().unwrap(),
            feature["geometry"]["coordinates"][1].as_f64().unwrap(),
        );
        let here = atlas
            .locate(
                frontline::geo::Point::new(lon, lat),
                parse_date("2021-06-01").unwrap(),
            )
            .unwrap();
        assert_eq!(
            feature["properties"]["controller"].as_str(),
            here.controller.as_deref(),
            "feature {i}"
        );
    }
}

#[test]
fn an_error_in_a_chunk_being_classified_comes_before_a_later_syntax_error() {
    let atlas = Atlas::embedded().unwrap();
    let rows = frontline::classify::CHUNK_ROWS + 10;
    // Feature 5 already has a property classify writes; the last one is cut.
    let input = collection(rows, |i, f| match i {
        5 => f.replace(r#""n": 5"#, r#""n": 5, "rayon": "mine""#),
        i if i == rows - 1 => f[..f.len() - 3].to_owned(),
        _ => f,
    });
    let error =
        classify_geojson(&atlas, input.as_bytes(), Vec::new(), &fixed(), |_| {}).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("feature 5: already has a property `rayon`"),
        "{error}"
    );
    // Without feature 5's, the syntax error is the one given, naming the
    // feature cut short.
    let input = collection(rows, |i, f| match i {
        i if i == rows - 1 => f[..f.len() - 3].to_owned(),
        _ => f,
    });
    let error =
        classify_geojson(&atlas, input.as_bytes(), Vec::new(), &fixed(), |_| {}).unwrap_err();
    assert!(
        error.to_string().contains(&format!("feature {}", rows - 1)),
        "{error}"
    );
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

fn classify_text(atlas: &Atlas, text: &[u8], date: DateSource) -> (Vec<u8>, String) {
    let options = ClassifyOptions::new(date);
    let mut output = Vec::new();
    let summary = classify_csv(atlas, text, &mut output, &options, |_| {}).unwrap();
    (output, format!("{summary:?}"))
}

/// Quote-free CSV is read as lines (the fast way) and CSV with quotes by
/// the `csv` reader: the same rows must come out byte for byte either way,
/// whether the quotes start at the header (all through `csv`) or deep in
/// the input (lines first, `csv` from the block holding the quote on).
#[test]
fn quote_free_rows_come_out_as_the_csv_reader_gives_them() {
    let atlas = Atlas::embedded().unwrap();
    let mut rows = String::new();
    let dates = [
        "1994-06-01",
        "2020-11-15",
        "2021-06-01",
        "2023-10-01",
        "1980-01-01",
    ];
    for i in 0..150_000u32 {
        let lat = 38.3 + f64::from(i % 3650) / 1000.0;
        let lon = 43.4 + f64::from((i * 7919) % 6600) / 1000.0;
        let date = dates[i as usize % dates.len()];
        match i % 1000 {
            // Odd rows: short, long, blank lines, bad numbers, spaces,
            // signs, exponents, a field with a semicolon.
            1 => rows.push_str(&format!("{i},{lat}\n")),
            2 => rows.push_str(&format!("{i},{lat},{lon},{date},extra,more\n")),
            3 => rows.push_str("\n\n"),
            4 => rows.push_str(&format!("{i},abc,{lon},{date}\n")),
            5 => rows.push_str(&format!("{i}, {lat} ,+{lon},{date}\n")),
            6 => rows.push_str(&format!("{i},3.83e1,{lon},{date}\n")),
            7 => rows.push_str(&format!("{i};x,{lat:.12},-{lon},{date}\n")),
            8 => rows.push_str(&format!("{i},{lat},{lon},2021-02-30\n")),
            9 => rows.push_str(&format!("{i},.5,{lon}.,{date}\n")),
            _ => rows.push_str(&format!("{i},{lat:.6},{lon:.6},{date}\n")),
        }
    }
    let lines = format!("id,lat,lon,when\n{rows}");
    let quoted_header = format!("\"id\",lat,lon,when\n{rows}");
    let date = || DateSource::Column("when".into());
    let (fast, fast_summary) = classify_text(&atlas, lines.as_bytes(), date());
    let (slow, slow_summary) = classify_text(&atlas, quoted_header.as_bytes(), date());
    assert_eq!(fast_summary, slow_summary);
    assert!(fast == slow, "outputs differ");
    assert!(fast.len() > 5 << 20, "more than one block: {}", fast.len());
    // A quote deep in the input, and a CR: the rest goes through `csv`.
    for tail in [
        "\"q,1\",39.8177,46.7528,2021-06-01\n9,39.8,46.7,2021-06-01\n",
        "9,39.8,46.7,2021-06-01\r\n10,39.8,46.7,2021-06-01",
    ] {
        let (mixed, mixed_summary) =
            classify_text(&atlas, format!("{lines}{tail}").as_bytes(), date());
        let (all_csv, all_summary) =
            classify_text(&atlas, format!("{quoted_header}{tail}").as_bytes(), date());
        assert_eq!(mixed_summary, all_summary);
        assert!(mixed == all_csv, "outputs differ with {tail:?}");
    }
    // No line end at the very end, and a fixed date.
    let fixed_date = || fixed();
    let (fast, _) = classify_text(&atlas, b"lat,lon\n39.8177,46.7528\n40,47", fixed_date());
    let (slow, _) = classify_text(&atlas, b"\"lat\",lon\n39.8177,46.7528\n40,47", fixed_date());
    assert_eq!(
        String::from_utf8(fast).unwrap(),
        String::from_utf8(slow).unwrap()
    );
}

/// Ids and names that need quotes in CSV (a comma, a double quote) come out
/// quoted the same way by the line path, which writes each answer's fields
/// ahead, and by the `csv` writer; overlays are listed only on the dates
/// they are in force.
#[test]
fn answers_needing_quotes_come_out_as_the_csv_writer_gives_them() {
    use frontline::{Admin1, AtlasBuilder, Controller, Overlay, Territory, Validity};
    use geo::{MultiPolygon, Rect};
    let boxed = |west: f64, east: f64| -> MultiPolygon<f64> {
        MultiPolygon(vec![Rect::new((west, 0.0), (east, 1.0)).to_polygon()])
    };
    let side = |id: &str| Controller {
        id: id.into(),
        name: id.into(),
        colour: "#123456".into(),
        allies: Vec::new(),
    };
    let unit = |name: &str, west: f64, east: f64| Admin1 {
        id: name.replace([',', '"', ' '], "-"),
        name: name.into(),
        name_alt: None,
        country: "west".into(),
        shape: boxed(west, east),
        corrections: None,
        source: "test".into(),
        accuracy: "exact".into(),
    };
    let overlay = |id: &str, from: &str| Overlay {
        id: id.into(),
        name: id.into(),
        kind: "test".into(),
        validity: Validity {
            from: Some(parse_date(from).unwrap()),
            to: None,
        },
        shape: boxed(0.25, 1.75),
        source: "test".into(),
        accuracy: "exact".into(),
    };
    let plain = |overlays: &[(&str, &str)]| {
        let mut builder = AtlasBuilder::new("Quotes", [side("west"), side("east")])
            .territory(Territory {
                country: "west".into(),
                name: "West".into(),
                shape: boxed(0.0, 2.0),
                source: "test".into(),
                accuracy: "exact".into(),
            })
            .admin1(unit("Big, \"old\" town", 0.0, 0.5))
            .admin1(unit("Plain", 0.5, 2.0))
            .snapshot(
                parse_date("2000-01-01").unwrap(),
                "Start",
                [("west", boxed(0.0, 1.0)), ("east", boxed(1.0, 2.0))],
            );
        for &(id, from) in overlays {
            builder = builder.overlay(overlay(id, from));
        }
        builder.build().unwrap()
    };
    let rows: String = (0..400)
        .map(|i| {
            let date = ["2005-01-01", "2015-01-01"][i % 2];
            format!("{i},0.5,{},{date}\n", 0.05 + f64::from(i as u32) * 0.005)
        })
        .collect();
    let date = || DateSource::Column("when".into());
    for (overlays, both) in [
        (
            &[("zone-a", "2010-01-01"), ("zone-b", "2000-01-01")][..],
            ",zone-a;zone-b,\n",
        ),
        (
            &[("zone,a", "2010-01-01"), ("zone-b", "2000-01-01")][..],
            ",\"zone,a;zone-b\",\n",
        ),
    ] {
        let atlas = plain(overlays);
        let (fast, fast_summary) = classify_text(
            &atlas,
            format!("id,lat,lon,when\n{rows}").as_bytes(),
            date(),
        );
        let (slow, slow_summary) = classify_text(
            &atlas,
            format!("\"id\",lat,lon,when\n{rows}").as_bytes(),
            date(),
        );
        let text = String::from_utf8(fast.clone()).unwrap();
        assert_eq!(fast_summary, slow_summary);
        assert_eq!(text, String::from_utf8(slow).unwrap());
        assert!(
            text.contains(",west,west,\"Big, \"\"old\"\" town\","),
            "{text}"
        );
        assert!(text.contains(both), "{both} in {text}");
        assert!(text.contains(",east,west,Plain,zone-b,\n"), "{text}");
    }
}
