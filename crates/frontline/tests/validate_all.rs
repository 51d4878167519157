//! `validate` reports every problem: all of a snapshot file's, with its
//! partition still checked; unknown allies; the fields the format requires
//! of every layer (data/FORMAT.md).

#[path = "support/scratch.rs"]
mod scratch;

use std::path::{Path, PathBuf};

use frontline::{Atlas, DataSource, Problem};

fn tiny() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/tiny")
}

/// A copy of the tiny dataset in its own directory, with `edits` applied.
fn tiny_edited(tag: &str, edits: &[(&str, &dyn Fn(String) -> String)]) -> scratch::Scratch {
    let dir = scratch::scratch(&format!("validate-{tag}"));
    std::fs::create_dir_all(dir.join("snapshots")).unwrap();
    for name in [
        "manifest.json",
        "de_jure.geojson",
        "admin1.geojson",
        "overlays.geojson",
        "routes.geojson",
        "places.geojson",
        "events.geojson",
        "snapshots/2000-01-01.geojson",
        "snapshots/2010-01-01.geojson",
    ] {
        let mut text = std::fs::read_to_string(tiny().join(name)).unwrap();
        for (file, edit) in edits {
            if *file == name {
                text = edit(text);
            }
        }
        std::fs::write(dir.join(name), text).unwrap();
    }
    dir
}

fn problems(dir: &Path) -> (Vec<String>, frontline::validate::Report) {
    let report = Atlas::validate(DataSource::Directory(dir.to_path_buf())).unwrap();
    let lines = report.problems.iter().map(Problem::to_string).collect();
    (lines, report)
}

#[test]
fn every_problem_of_a_snapshot_file_is_reported_and_its_partition_checked() {
    let dir = tiny_edited(
        "snapshot",
        &[("snapshots/2010-01-01.geojson", &|t: String| {
            t.replace("\"controller\": \"west\"", "\"controller\": \"north\"")
                .replacen("\"source\": \"synthetic test fixture\", ", "", 2)
        })],
    );
    let (lines, report) = problems(&dir);
    let file = "snapshots/2010-01-01.geojson";
    assert_eq!(
        lines,
        [
            format!("{file}: feature 0: field `source`: missing; expected a non-empty string"),
            format!("{file}: feature 1: field `source`: missing; expected a non-empty string"),
            format!(
                "{file}: feature 0: field `controller`: expected a controller id (east, west), found \"north\""
            ),
        ]
    );
    let ids: Vec<&str> = report
        .partitions
        .iter()
        .map(|p| p.snapshot.as_str())
        .collect();
    assert_eq!(ids, ["2000-01-01", "2010-01-01"]);
    assert!(report.partitions[1].error_km2() < 1e-6);
}

#[test]
fn unknown_allies_are_reported() {
    let dir = tiny_edited(
        "allies",
        &[("manifest.json", &|t: String| {
            t.replacen(
                "\"colour\": \"#0072b2\"",
                "\"colour\": \"#0072b2\", \"allies\": [\"east\", \"norht\"]",
                1,
            )
        })],
    );
    let (lines, _) = problems(&dir);
    assert_eq!(
        lines,
        ["manifest.json: controllers[0].allies: expected controller ids (east, west), found unknown \"norht\""]
    );
    let error = Atlas::open(&dir).unwrap_err().to_string();
    assert!(error.contains("unknown \"norht\""), "{error}");
}

#[test]
fn the_fields_the_format_requires_are_required_on_every_layer() {
    let dir = tiny_edited(
        "format",
        &[
            ("events.geojson", &|t: String| {
                t.replace(", \"accuracy\": \"exact\"", "")
                    .replace("\"kind\": \"offensive\"", "\"kind\": \"offensve\"")
            }),
            ("places.geojson", &|t: String| {
                let value: serde_json::Value = serde_json::from_str(&t).unwrap();
                let mut value = value;
                let properties = value["features"][1]["properties"].as_object_mut().unwrap();
                properties.remove("admin1");
                properties.remove("aliases");
                value.to_string()
            }),
        ],
    );
    let (lines, _) = problems(&dir);
    assert_eq!(
        lines,
        [
            "events.geojson: feature 0: field `accuracy`: missing; expected a non-empty string",
            "events.geojson: feature 0: field `kind`: expected one of blockade, checkpoint, closure, \
             reopening, handover, offensive, ceasefire, other, found \"offensve\"",
            "places.geojson: feature 1: field `aliases`: missing",
            "places.geojson: feature 1: field `admin1`: missing",
        ]
    );
}

#[test]
fn the_tiny_dataset_has_every_field_the_format_requires() {
    let (lines, report) = problems(&tiny());
    assert!(lines.is_empty(), "{lines:?}");
    assert_eq!(report.partitions.len(), 2);
}
