//! The `frontline` command on dated archives and exports.

#[path = "support/scratch.rs"]
mod scratch;

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

fn archive(name: &str, files: &[(&str, &str)]) -> scratch::Scratch {
    let dir = scratch::scratch(&format!("cli-archive-{name}"));
    for (file, text) in files {
        std::fs::write(dir.join(file), text).unwrap();
    }
    dir
}

fn cell(lon0: f64, lon1: f64) -> String {
    format!(
        r#"{{"type":"Polygon","coordinates":[[[{lon0},0],[{lon1},0],[{lon1},0.1],[{lon0},0.1],[{lon0},0]]]}}"#
    )
}

fn frontline(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("frontline").unwrap();
    cmd.arg("--archive").arg(dir).args(["--side", "Blue"]);
    cmd
}

#[test]
fn series_over_an_archive() {
    let dir = archive(
        "series",
        &[
            ("a_20220101.geojson", &cell(0.0, 0.1)),
            ("a_20220201.geojson", &cell(0.0, 0.2)),
        ],
    );
    let output = frontline(&dir)
        .args(["series", "--from", "2022-01-01", "--to", "2022-12-31"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "date,snapshot,blue");
    assert!(
        lines[1].starts_with("2022-01-01,2022-01-01,123.09"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].starts_with("2022-02-01,2022-02-01,246.18"),
        "{}",
        lines[2]
    );
}

#[test]
fn a_bad_file_fails_the_command_before_any_output_unless_skipped() {
    let dir = archive(
        "bad",
        &[
            ("a_20220101.geojson", &cell(0.0, 0.1)),
            ("a_20220201.geojson", "{\"type\": \"Polygon\""),
            ("a_20220301.geojson", &cell(0.0, 0.3)),
        ],
    );
    frontline(&dir)
        .args(["series", "--from", "2022-01-01", "--to", "2022-12-31"])
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains(
            "a_20220201.geojson: expected GeoJSON",
        ));
    frontline(&dir)
        .args([
            "--skip-bad",
            "series",
            "--from",
            "2022-01-01",
            "--to",
            "2022-12-31",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("2022-03-01"))
        .stderr(predicate::str::contains("skipped: a_20220201.geojson"));
}

#[test]
fn strict_refuses_what_would_be_repaired() {
    let unclosed = r#"{"type":"Polygon","coordinates":[[[0,0],[0.1,0],[0.1,0.1],[0,0.1]]]}"#;
    let dir = archive("strict", &[("2022-01-01.geojson", unclosed)]);
    frontline(&dir)
        .args(["stats", "--at", "2022-01-02"])
        .assert()
        .success();
    frontline(&dir)
        .args(["--strict", "stats", "--at", "2022-01-02"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not closed"));
}

#[test]
fn validate_reports_every_file() {
    let dir = archive(
        "validate",
        &[
            ("a_20220101.geojson", &cell(0.0, 0.1)),
            ("a_20220201.geojson", "[1, 2"),
            ("notes.json", "{}"),
        ],
    );
    frontline(&dir)
        .arg("validate")
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "a_20220101.geojson  2022-01-01  1         123.091",
        ))
        .stdout(predicate::str::contains(
            "problem: a_20220201.geojson: expected GeoJSON",
        ))
        .stdout(predicate::str::contains(
            "problem: notes.json: no date in the file name",
        ))
        .stdout(predicate::str::contains("3 file(s), 2 with problems"));
}

#[test]
fn diff_and_export_on_an_archive() {
    let dir = archive(
        "diff",
        &[
            ("a_20220101.geojson", &cell(0.0, 0.1)),
            ("a_20220201.geojson", &cell(0.0, 0.2)),
        ],
    );
    let output = frontline(&dir)
        .args([
            "diff",
            "--from",
            "2022-01-01",
            "--to",
            "2022-02-01",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(value["transitions"][0]["from"], "other");
    assert_eq!(value["transitions"][0]["to"], "blue");
    let out = dir.join("out.csv");
    frontline(&dir)
        .args(["export", "--at", "2022-02-01", "-o"])
        .arg(&out)
        .assert()
        .success();
    let csv = std::fs::read_to_string(&out).unwrap();
    assert!(
        csv.starts_with("controller,name,snapshot,area_km2,source,accuracy,wkt"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 2);
}

#[test]
fn render_and_chart_an_archive() {
    let dir = archive(
        "render",
        &[
            ("a_20220101.geojson", &cell(0.0, 0.1)),
            ("a_20220201.geojson", &cell(0.0, 0.2)),
        ],
    );
    for (args, file) in [
        (
            vec![
                "render",
                "--at",
                "2022-01-15",
                "--width",
                "400",
                "--height",
                "300",
            ],
            "map.png",
        ),
        (
            vec![
                "chart",
                "--from",
                "2022-01-01",
                "--to",
                "2022-03-01",
                "--width",
                "400",
                "--height",
                "300",
            ],
            "chart.svg",
        ),
    ] {
        let path = dir.join(file);
        frontline(&dir)
            .args(&args)
            .arg("-o")
            .arg(&path)
            .assert()
            .success();
        assert!(std::fs::metadata(&path).unwrap().len() > 1000, "{file}");
    }
}

#[test]
fn printing_into_a_closed_pipe_ends_quietly() {
    use std::io::Read;
    // 1,200 daily files: series JSON far larger than a pipe holds.
    let start = chrono::NaiveDate::from_ymd_opt(2022, 1, 1).unwrap();
    let files: Vec<(String, String)> = (0..1200)
        .map(|i| {
            let day = start + chrono::Days::new(i);
            let polygon = cell(0.0, 0.1 + i as f64 * 1e-4);
            (format!("a_{}.geojson", day.format("%Y%m%d")), polygon)
        })
        .collect();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(f, t)| (f.as_str(), t.as_str()))
        .collect();
    let dir = archive("pipe", &refs);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("frontline"))
        .arg("--archive")
        .arg(&dir)
        .args([
            "--side",
            "Blue",
            "series",
            "--from",
            "2022-01-01",
            "--to",
            "2025-12-31",
        ])
        .args(["--format", "json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut head = [0u8; 10];
    child.stdout.take().unwrap().read_exact(&mut head).unwrap();
    // stdout is closed here, as `| head -c 10` does.
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{}: {stderr}", output.status);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

fn stderr_of(cmd: &mut Command) -> String {
    let output = cmd.output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stderr).unwrap()
}

#[test]
fn skip_bad_says_which_files_it_skipped() {
    let dir = archive(
        "skip-said",
        &[
            ("a_20220101.geojson", &cell(0.0, 0.1)),
            ("b_20220101.geojson", &cell(0.0, 0.2)),
            ("notes.json", "{}"),
        ],
    );
    let stderr = stderr_of(frontline(&dir).args(["--skip-bad", "stats", "--at", "2022-01-02"]));
    assert_eq!(
        stderr,
        "warning: notes.json: no date in the file name; expected YYYYMMDD, YYYY-MM-DD or YYYY_MM_DD, \
         or a date pattern with groups (?P<y>…)(?P<m>…)(?P<d>…) (skipped)\n\
         warning: b_20220101.geojson: same date 2022-01-01 as a_20220101.geojson; keep one file per date (skipped)\n"
    );
}

#[test]
fn an_empty_file_and_a_region_that_misses_are_said() {
    let region = cell(5.0, 5.1);
    let dir = archive(
        "region-misses",
        &[
            ("a_20220101.geojson", &cell(0.0, 0.1)),
            (
                "a_20220201.geojson",
                r#"{"type": "FeatureCollection", "features": []}"#,
            ),
        ],
    );
    let region_file = dir.with_extension("region.geojson");
    std::fs::write(&region_file, region).unwrap();
    let with_region = |cmd: &mut Command| {
        cmd.arg("--region").arg(&region_file);
    };
    let mut series = frontline(&dir);
    with_region(&mut series);
    let stderr = stderr_of(series.args(["series", "--from", "2022-01-01", "--to", "2022-03-01"]));
    assert_eq!(
        stderr,
        "warning: a_20220101.geojson: none of its 123.091 km² lies in the region: left out\n\
         warning: a_20220201.geojson: no features: the side holds no ground on this date\n"
    );
    let mut validate = frontline(&dir);
    with_region(&mut validate);
    validate
        .arg("validate")
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "warning: a_20220101.geojson: none of its 123.091 km² lies in the region: left out",
        ))
        .stdout(predicate::str::contains(
            "warning: a_20220201.geojson: no features: the side holds no ground on this date",
        ))
        .stdout(predicate::str::contains(
            "2 file(s), 0 with problems, 2 with warnings",
        ));
    let mut json = frontline(&dir);
    with_region(&mut json);
    let output = json
        .args(["validate", "--format", "json"])
        .output()
        .unwrap();
    let reports: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        reports[1]["warnings"][0]["message"],
        "no features: the side holds no ground on this date"
    );
    std::fs::remove_file(&region_file).unwrap();
}

#[test]
fn repairs_are_said_by_every_command() {
    // An unclosed ring, repaired.
    let open = r#"{"type":"Polygon","coordinates":[[[0,0],[0.1,0],[0.1,0.1],[0,0.1]]]}"#;
    let dir = archive("repairs-said", &[("a_20220101.geojson", open)]);
    let svg = dir.with_extension("map.svg");
    for args in [
        vec!["stats", "--at", "2022-01-02"],
        vec!["series", "--from", "2022-01-01", "--to", "2022-02-01"],
        vec![
            "render",
            "--at",
            "2022-01-02",
            "--bbox",
            "-0.05,-0.05,0.15,0.15",
            "-o",
            svg.to_str().unwrap(),
        ],
    ] {
        let stderr = stderr_of(frontline(&dir).args(&args));
        assert_eq!(
            stderr
                .lines()
                .filter(
                    |l| l.starts_with("repaired: a_20220101.geojson: feature 0: field `geometry`:")
                )
                .count(),
            1,
            "{args:?}: {stderr}"
        );
    }
    let _ = std::fs::remove_file(&svg);
}
