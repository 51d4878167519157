//! `frontline route`, `reach` and `routes`.

use assert_cmd::Command;

fn json(args: &[&str]) -> serde_json::Value {
    let output = Command::cargo_bin("frontline")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn route_json_has_the_documented_keys() {
    let value = json(&[
        "route",
        "lachin-road-2022",
        "--at",
        "2023-01-15",
        "--format",
        "json",
    ]);
    for key in [
        "id",
        "date",
        "length_km",
        "by_controller",
        "in_corridor_share",
        "status",
        "status_events",
        "segments",
    ] {
        assert!(value.get(key).is_some(), "missing {key}");
    }
    assert_eq!(value["status"], "blockaded");
    assert_eq!(value["status_events"][0], "blockade-2022");
    let segment = &value["segments"][0];
    for key in ["controller", "overlays", "length_km"] {
        assert!(segment.get(key).is_some(), "segment lacks {key}");
    }
    let geojson = Command::cargo_bin("frontline")
        .unwrap()
        .args([
            "route",
            "aghdam-road",
            "--at",
            "2023-08-01",
            "--format",
            "geojson",
        ])
        .output()
        .unwrap();
    let value: serde_json::Value = serde_json::from_slice(&geojson.stdout).unwrap();
    assert!(value["features"].as_array().unwrap().len() >= 2);
}

#[test]
fn reach_json_has_the_documented_keys() {
    let value = json(&[
        "reach",
        "--from",
        "Goris",
        "--to",
        "Stepanakert",
        "--at",
        "2022-10-01",
        "--as",
        "armenia",
        "--format",
        "json",
    ]);
    let keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "from",
            "to",
            "date",
            "side",
            "reachable",
            "length_km",
            "path",
            "reason"
        ]
    );
    assert_eq!(value["reachable"], true);
    assert!(value["reason"].is_null());
    let value = json(&[
        "reach",
        "--from",
        "Goris",
        "--to",
        "Stepanakert",
        "--at",
        "2023-01-15",
        "--as",
        "armenia",
        "--format",
        "json",
    ]);
    assert_eq!(value["reachable"], false);
    assert!(value["length_km"].is_null());
    assert!(value["reason"].as_str().unwrap().contains("blockade-2022"));
}

#[test]
fn unknown_route_place_or_side_exit_2() {
    for args in [
        &["route", "no-such-road", "--at", "2021-06-01"][..],
        &[
            "reach",
            "--from",
            "Goris",
            "--to",
            "Atlantis",
            "--at",
            "2021-06-01",
            "--as",
            "armenia",
        ],
        &[
            "reach",
            "--from",
            "Goris",
            "--to",
            "Stepanakert",
            "--at",
            "2021-06-01",
            "--as",
            "martians",
        ],
    ] {
        let output = Command::cargo_bin("frontline")
            .unwrap()
            .args(args)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert_eq!(
            String::from_utf8_lossy(&output.stderr)
                .trim_end()
                .lines()
                .count(),
            1
        );
    }
    let routes = json(&["routes", "--format", "json"]);
    assert_eq!(routes.as_array().unwrap().len(), 8);
}
