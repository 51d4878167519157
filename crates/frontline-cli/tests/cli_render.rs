//! `frontline render` and `frontline chart`: files written whole or not at
//! all, and one-line errors with exit code 2 for bad requests.

#[path = "support/scratch.rs"]
mod scratch;

use assert_cmd::Command;
use predicates::prelude::*;

fn dir(name: &str) -> scratch::Scratch {
    scratch::scratch(&format!("cli-render-{name}"))
}

#[test]
fn render_svg_png_diff_and_chart() {
    let out = dir("ok");
    for (args, file) in [
        (
            vec![
                "render",
                "--at",
                "2020-12-01",
                "--width",
                "600",
                "--height",
                "450",
            ],
            "map.svg",
        ),
        (
            vec![
                "render",
                "--at",
                "1994-05-12",
                "--width",
                "600",
                "--height",
                "450",
                "--no-labels",
                "--title",
                "Held in 1994",
            ],
            "map.png",
        ),
        (
            vec![
                "render",
                "--from",
                "1994-05-12",
                "--to",
                "2020-12-01",
                "--width",
                "600",
                "--height",
                "450",
            ],
            "diff.svg",
        ),
        (
            vec!["chart", "--from", "2019-01-01", "--to", "2024-01-01"],
            "areas.svg",
        ),
        (
            vec![
                "render",
                "--at",
                "2021-06-01",
                "--bbox",
                "46.2,39.4,47.0,40.0",
                "--width",
                "600",
                "--height",
                "450",
            ],
            "zoom.png",
        ),
    ] {
        let path = out.join(file);
        Command::cargo_bin("frontline")
            .unwrap()
            .args(&args)
            .arg("-o")
            .arg(&path)
            .assert()
            .success();
        let bytes = std::fs::read(&path).unwrap();
        if file.ends_with(".png") {
            assert_eq!(&bytes[1..4], b"PNG", "{file}");
        } else {
            assert!(bytes.starts_with(b"<svg"), "{file}");
        }
    }
    let svg = std::fs::read_to_string(out.join("diff.svg")).unwrap();
    assert!(
        svg.contains("8,290 km²"),
        "the diff legend gives the km² per transition"
    );
}

#[test]
fn bad_render_requests_exit_2_and_leave_nothing() {
    let out = dir("bad");
    for (args, culprit) in [
        (vec!["render", "--at", "1990-01-01"], "1990-01-01"),
        (
            vec!["render", "--at", "2020-12-01", "--bbox", "47,40,46,41"],
            "bbox",
        ),
        (
            vec!["render", "--at", "2020-12-01", "--bbox", "46,40,47,40"],
            "bbox",
        ),
        (vec!["render", "--at", "2020-12-01", "--width", "5"], "size"),
        (
            // Wholly before the data (one that ends in it is clamped).
            vec!["chart", "--from", "1990-01-01", "--to", "1993-01-01"],
            "1990-01-01",
        ),
    ] {
        let output = Command::cargo_bin("frontline")
            .unwrap()
            .args(&args)
            .arg("-o")
            .arg(out.join("x.png"))
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        // One line, and a hint under it where one helps.
        let lines: Vec<&str> = stderr.trim_end().lines().collect();
        assert!(
            lines.len() == 1 || (lines.len() == 2 && lines[1].starts_with("hint: ")),
            "{args:?}: {stderr}"
        );
        assert!(stderr.contains(culprit), "{args:?}: {stderr}");
    }
    Command::cargo_bin("frontline")
        .unwrap()
        .args(["render", "--at", "2020-12-01", "-o"])
        .arg(out.join("map.gif"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "expected an output file ending in .svg or .png",
        ));
    Command::cargo_bin("frontline")
        .unwrap()
        .args([
            "render",
            "--at",
            "2020-12-01",
            "-o",
            "/nonexistent-dir/map.svg",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/nonexistent-dir/map.svg"));
    assert_eq!(
        std::fs::read_dir(&out).unwrap().count(),
        0,
        "nothing partial is left behind"
    );
}

#[cfg(feature = "proj")]
#[test]
fn other_projections_go_through_proj() {
    let out = dir("proj-real");
    let map = out.join("map.svg");
    Command::cargo_bin("frontline")
        .unwrap()
        .args([
            "render",
            "--at",
            "2020-12-01",
            "--projection",
            "EPSG:32638",
            "-o",
        ])
        .arg(&map)
        .assert()
        .success();
    let svg = std::fs::read_to_string(&map).unwrap();
    assert!(
        svg.starts_with("<svg") || svg.starts_with("<?xml"),
        "{}",
        &svg[..80]
    );
    assert!(svg.contains("EPSG:32638 (PROJ)"));
    assert!(svg.matches("<polygon").count() > 10);

    // A code PROJ does not know is refused by name, and nothing is written.
    let refused = out.join("refused.svg");
    Command::cargo_bin("frontline")
        .unwrap()
        .args([
            "render",
            "--at",
            "2020-12-01",
            "--projection",
            "EPSG:999999",
            "-o",
        ])
        .arg(&refused)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("EPSG:999999"));
    assert!(!refused.exists());
}

#[cfg(not(feature = "proj"))]
#[test]
fn other_projections_say_which_build_they_need() {
    let out = dir("proj");
    Command::cargo_bin("frontline")
        .unwrap()
        .args([
            "render",
            "--at",
            "2020-12-01",
            "--projection",
            "EPSG:32638",
            "-o",
        ])
        .arg(out.join("map.svg"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--features proj"));
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 0);
}
