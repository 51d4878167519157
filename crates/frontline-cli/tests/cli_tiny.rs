//! The `frontline` command on the tiny synthetic dataset (`tests/data/tiny`).

#[path = "support/scratch.rs"]
mod scratch;

use assert_cmd::Command;
use predicates::prelude::*;

fn frontline() -> Command {
    let mut cmd = Command::cargo_bin("frontline").unwrap();
    cmd.arg("--data").arg(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/data/tiny"
    ));
    cmd
}

fn json(cmd: &mut Command) -> serde_json::Value {
    let output = cmd.output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn stats_json_has_the_documented_shape() {
    let value = json(frontline().args(["stats", "--at", "2012-01-01", "--format", "json"]));
    let keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["date", "snapshot", "controllers", "overlays"]);
    assert_eq!(value["date"], "2012-01-01");
    assert_eq!(value["snapshot"], "2010-01-01");
    assert_eq!(value["controllers"][0]["id"], "west");
    assert_eq!(value["controllers"][0]["name"], "West");
    let west = value["controllers"][0]["area_km2"].as_f64().unwrap();
    assert!((west - 18462.696).abs() < 0.01, "{west}");
    assert_eq!(value["overlays"][0]["id"], "buffer-zone");
}

#[test]
fn locate_json_keys_and_values() {
    let value = json(frontline().args([
        "locate",
        "--lat",
        "0.5",
        "--lon",
        "1.45",
        "--at",
        "2012-01-01",
        "--format",
        "json",
    ]));
    let keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "date",
            "lat",
            "lon",
            "controller",
            "de_jure",
            "rayon",
            "overlays",
            "nearest_other",
            "nearest_route"
        ]
    );
    assert_eq!(value["controller"], "west");
    // The west/east line runs along 1.5° E: 0.05° of longitude at 0.5° N on
    // WGS 84 is 6378.137 km × cos 0.5° × 0.05π/180 = 5.5657 km.
    assert_eq!(value["nearest_other"]["id"], "east");
    let km = value["nearest_other"]["km"].as_f64().unwrap();
    assert!((km - 5.5657).abs() < 0.0005, "{km}");
    assert_eq!(value["de_jure"], "east");
    assert_eq!(value["overlays"][0], "buffer-zone");
    let outside = json(frontline().args([
        "locate",
        "--lat",
        "-5",
        "--lon",
        "-5",
        "--at",
        "2012-01-01",
        "--format",
        "json",
    ]));
    assert!(
        outside["controller"].is_null()
            && outside["de_jure"].is_null()
            && outside["rayon"].is_null()
    );
}

#[test]
fn bad_requests_exit_2_with_one_line() {
    for args in [
        &["stats", "--at", "2012-13-01"][..],
        &["stats", "--at", "1990-01-01"],
        &["locate", "--place", "Atlantis", "--at", "2012-01-01"],
        &["locate", "--lat", "91", "--lon", "0", "--at", "2012-01-01"],
        &["export", "--at", "2012-01-01", "--layer", "rivers"],
    ] {
        let output = frontline().args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        // One line, and a hint under it where one helps.
        let lines: Vec<&str> = stderr.trim_end().lines().collect();
        assert!(
            lines.len() == 1 || (lines.len() == 2 && lines[1].starts_with("hint: ")),
            "{args:?}: {stderr}"
        );
        assert!(stderr.starts_with("error"), "{stderr}");
    }
}

#[test]
fn export_writes_atomically_and_refuses_unwritable_paths() {
    let dir = scratch::scratch("cli");
    let path = dir.join("zones.geojson");
    frontline()
        .args(["export", "--at", "2012-01-01", "-o"])
        .arg(&path)
        .assert()
        .success();
    let value: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(value["features"].as_array().unwrap().len(), 2);
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
    frontline()
        .args([
            "export",
            "--at",
            "2012-01-01",
            "-o",
            "/nonexistent-dir/zones.geojson",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/nonexistent-dir/zones.geojson"));
}

#[test]
fn validate_summarises_and_snapshots_lists() {
    frontline()
        .arg("validate")
        .assert()
        .success()
        .stdout(predicate::str::contains("ok: no problems"));
    let value = json(frontline().args(["snapshots", "--format", "json"]));
    assert_eq!(value.as_array().unwrap().len(), 2);
    assert_eq!(value[0]["until"], "2010-01-01");
}

#[test]
fn validate_fails_on_a_broken_dataset() {
    Command::cargo_bin("frontline")
        .unwrap()
        .args(["--data", "/nonexistent", "validate"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("manifest.json"));
}

#[test]
fn reversed_intervals_are_refused() {
    let dir = scratch::scratch("reversed");
    let chart = dir.join("chart.svg");
    let chart = chart.to_str().unwrap();
    for args in [
        &["series", "--from", "2012-01-01", "--to", "2001-01-01"][..],
        &[
            "chart",
            "--from",
            "2012-01-01",
            "--to",
            "2001-01-01",
            "-o",
            chart,
        ],
    ] {
        let output = frontline().args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(output.stdout.is_empty(), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(
            stderr.trim_end(),
            "error: reversed interval: it starts on 2012-01-01, after its end on 2001-01-01"
        );
    }
    assert!(!std::path::Path::new(chart).exists());
}

#[test]
fn an_interval_starting_before_the_data_starts_with_the_data() {
    let output = frontline()
        .args(["series", "--from", "1990-01-01", "--to", "2012-01-01"])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "date,snapshot,west,east\n\
         2000-01-01,2000-01-01,12308.464,12308.464\n\
         2010-01-01,2010-01-01,18462.696,6154.232\n"
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "note: the data starts on 2000-01-01: the series starts there, not on 1990-01-01\n"
    );
    // Wholly before the data, or a single date before it: still an error.
    for args in [
        &["series", "--from", "1990-01-01", "--to", "1995-01-01"][..],
        &["stats", "--at", "1999-12-31"],
    ] {
        let output = frontline().args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&output.stderr).contains("the dataset starts on 2000-01-01"),
            "{args:?}"
        );
    }
}

#[test]
fn negative_numbers_are_values_not_flags() {
    let dir = scratch::scratch("negative");
    let map = dir.join("map.svg");
    let output = frontline()
        .args([
            "render",
            "--at",
            "2012-01-01",
            "--bbox",
            "-0.5,-0.5,2.5,1.5",
            "-o",
        ])
        .arg(&map)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(std::fs::read_to_string(&map).unwrap().starts_with("<svg"));
    std::fs::remove_dir_all(&dir).unwrap();

    let output = frontline()
        .args([
            "route",
            "main-road",
            "--at",
            "2012-01-01",
            "--exposure-km",
            "-1",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        stderr.trim_end(),
        "error: invalid value '-1' for '--exposure-km <KM>': \
         expected a distance in km, a number ≥ 0 (see frontline --help)"
    );
    let value = json(frontline().args([
        "route",
        "main-road",
        "--at",
        "2012-01-01",
        "--exposure-km",
        "0.5",
        "--format",
        "json",
    ]));
    assert_eq!(value["exposure_within_km"], 0.5);
}

#[test]
fn control_characters_in_a_title_leave_a_valid_svg() {
    let dir = scratch::scratch("title");
    let title = "West\u{1}\u{8}\u{1b}[31m\tand\nEast\u{7f}";
    for args in [
        &["render", "--at", "2012-01-01"][..],
        &["render", "--from", "2001-01-01", "--to", "2012-01-01"],
        &["chart", "--from", "2000-01-01", "--to", "2012-01-01"],
    ] {
        let path = dir.join("picture.svg");
        frontline()
            .args(args)
            .args(["--title", title, "-o"])
            .arg(&path)
            .assert()
            .success();
        let svg = std::fs::read_to_string(&path).unwrap();
        let document = roxmltree::Document::parse(&svg)
            .unwrap_or_else(|e| panic!("{args:?}: the SVG does not parse: {e}"));
        let texts: Vec<&str> = document
            .descendants()
            .filter_map(|n| n.text())
            .map(str::trim)
            .collect();
        assert!(
            texts.contains(&"West   [31m and East"),
            "{args:?}: {texts:?}"
        );
    }
}
