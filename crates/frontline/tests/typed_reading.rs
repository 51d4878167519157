//! `read_polygons` reads well-formed files the typed way and everything else
//! through `serde_json::Value`; on every file both readings must give the
//! same outcome: the same shape, feature count and repairs, or the same
//! located refusal. Checked on the malformed corpus, the fuzz finds, the
//! bundled dataset's files, and variations of a clean file.

use std::path::Path;

use frontline::ingest::{read_polygons, read_polygons_by_value, Strictness};

fn same_outcome(name: &str, bytes: &[u8]) {
    for strictness in [Strictness::Repair, Strictness::Strict] {
        let fast = read_polygons(name, bytes, strictness);
        let by_value = read_polygons_by_value(name, bytes, strictness);
        match (fast, by_value) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a.shape, b.shape, "{name} ({strictness:?}): shapes differ");
                assert_eq!(a.features, b.features, "{name} ({strictness:?})");
                assert_eq!(a.repairs, b.repairs, "{name} ({strictness:?})");
            }
            (Err(a), Err(b)) => assert_eq!(a, b, "{name} ({strictness:?})"),
            (a, b) => panic!(
                "{name} ({strictness:?}): {:?} vs {:?}",
                a.map(|r| r.repairs),
                b.map(|r| r.repairs)
            ),
        }
    }
}

fn every_file_in(dir: &Path, found: &mut usize) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            every_file_in(&path, found);
        } else {
            let name = path.display().to_string();
            // Text files, and the bundled borders (megabytes that the
            // `Value` reading would take a minute over in a debug build).
            let large = entry.metadata().map_or(true, |m| m.len() > 256 << 10);
            if large || name.ends_with(".tsv") || name.ends_with(".py") || name.ends_with(".md") {
                continue;
            }
            same_outcome(&name, &std::fs::read(&path).unwrap());
            *found += 1;
        }
    }
}

#[test]
fn both_readings_agree_on_every_stored_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut found = 0;
    for dir in [
        "tests/data/malformed",
        "tests/data/fuzz-regressions",
        "crates/frontline-karabakh/geojson",
    ] {
        every_file_in(&root.join(dir), &mut found);
    }
    // 44 malformed, 1 fuzz find, 5 small bundled layers.
    assert!(found >= 50, "only {found} files");
}

#[test]
fn both_readings_agree_on_variations_of_a_clean_file() {
    let ring = "[[30,40],[31,40.5],[31.25,41],[30.5,41.5],[30,40]]";
    let hole = "[[30.5,40.5],[30.6,40.9],[30.8,40.8],[30.5,40.5]]";
    let variations = [
        // Clean: the typed way takes these.
        format!(r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"a":[1,{{"b":null}}]}},"geometry":{{"type":"Polygon","coordinates":[{ring},{hole}]}}}}]}}"#),
        format!(r#"{{"features":[{{"geometry":{{"coordinates":[[{ring}]],"type":"MultiPolygon"}},"type":"Feature"}}],"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}}}}}}"#),
        format!(r#"{{"type":"Polygon","coordinates":[{ring}]}}"#),
        format!(r#"{{"type":"Feature","geometry":{{"type":"Polygon","coordinates":[{ring}]}}}}"#),
        r#"{"type":"Polygon","coordinates":[[[30,40,5],[31,40,5],[31,41,5],[30,40,5]]]}"#.to_owned(),
        // Two overlapping features, then two apart: a union either way.
        format!(r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","geometry":{{"type":"Polygon","coordinates":[{ring}]}}}},{{"type":"Feature","geometry":{{"type":"Polygon","coordinates":[[[30.5,40],[32,40],[32,42],[30.5,40]]]}}}}]}}"#),
        format!(r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","geometry":{{"type":"Polygon","coordinates":[{ring}]}}}},{{"type":"Feature","geometry":{{"type":"Polygon","coordinates":[[[40,40],[42,40],[42,42],[40,40]]]}}}}]}}"#),
        // Repairs: unclosed, repeated, null geometry, a bow-tie.
        r#"{"type":"Polygon","coordinates":[[[30,40],[31,40],[31,40],[31,41]]]}"#.to_owned(),
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null},{"type":"Feature","properties":{}}]}"#.to_owned(),
        r#"{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}"#.to_owned(),
        r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]],[[5,5],[6,5],[6,6],[5,5]]]}"#.to_owned(),
        // Refusals and odd shapes: the `Value` way answers.
        r#"{"type":"Polygon","coordinates":[[[30,95],[31,40],[31,41],[30,95]]]}"#.to_owned(),
        r#"{"type":"Polygon","coordinates":[[[30,40],[31,"40"],[31,41],[30,40]]]}"#.to_owned(),
        r#"{"type":"Polygon","coordinates":[[[30,40],[31],[31,41],[30,40]]]}"#.to_owned(),
        r#"{"type":"Polygon","coordinates":[[[30,40],[31,40,"x"],[31,41],[30,40]]]}"#.to_owned(),
        r#"{"type":"Polygon","coordinates":[]}"#.to_owned(),
        r#"{"type":"MultiPolygon","coordinates":[[],[[[30,40],[31,40],[31,41],[30,40]]]]}"#.to_owned(),
        r#"{"type":"Polygon","coordinates":[[[30,40],[31,40],[31,41],[30,40]],[]]}"#.to_owned(),
        r#"{"type":"Point","coordinates":[30,40]}"#.to_owned(),
        r#"{"type":"Polygon","type":"Polygon","coordinates":[[[30,40],[31,40],[31,41],[30,40]]]}"#.to_owned(),
        r#"{"type":"FeatureCollection","features":[{"type":"Feat","geometry":null}]}"#.to_owned(),
        r#"{"type":"Polygon","crs":{"type":"name","properties":{"name":"EPSG:3857"}},"coordinates":[[[30,40],[31,40],[31,41],[30,40]]]}"#.to_owned(),
        r#"{"type":"GeometryCollection","geometries":[{"type":"Polygon","coordinates":[[[30,40],[31,40],[31,41],[30,40]]]}]}"#.to_owned(),
        r#"[1,2]"#.to_owned(),
        r#"{"type":"Polygon","coordinates":[[[30,40],[31,40],[31,41],[30,40]]"#.to_owned(),
    ];
    for (i, text) in variations.iter().enumerate() {
        same_outcome(&format!("variation {i}"), text.as_bytes());
    }
}
