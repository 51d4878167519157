//! Messages that name the real culprit, in one line; options that cannot
//! apply are refused instead of ignored.

#[path = "support/scratch.rs"]
mod scratch;

use assert_cmd::Command;

const TINY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/tiny");

fn frontline() -> Command {
    Command::cargo_bin("frontline").unwrap()
}

fn scratch(name: &str) -> scratch::Scratch {
    scratch::scratch(&format!("cli-messages-{name}"))
}

/// Runs, expects exit 2, returns standard error.
fn fails(cmd: &mut Command) -> String {
    let output = cmd.output().unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(output.stdout.is_empty(), "{output:?}");
    String::from_utf8(output.stderr).unwrap()
}

#[test]
fn an_output_path_naming_a_directory_says_so() {
    let dir = scratch("directory");
    let existing = dir.join("exp");
    std::fs::create_dir(&existing).unwrap();
    let slash = format!("{}/", dir.join("new").display());
    for path in [existing.display().to_string(), slash] {
        let stderr = fails(
            frontline()
                .args(["--data", TINY, "export", "--at", "2012-01-01", "-o"])
                .arg(&path),
        );
        assert_eq!(
            stderr,
            format!("error: {path}: names a directory: expected a file path\n")
        );
    }
}

#[test]
fn an_impossible_date_in_a_file_name_is_named() {
    let dir = scratch("impossible");
    std::fs::write(
        dir.join("held_2022-02-30.geojson"),
        r#"{"type": "FeatureCollection", "features": []}"#,
    )
    .unwrap();
    let stderr = fails(frontline().arg("--archive").arg(&dir).args([
        "--side",
        "Blue",
        "stats",
        "--at",
        "2022-03-01",
    ]));
    assert_eq!(
        stderr,
        "error: invalid dataset: held_2022-02-30.geojson: invalid date 2022-02-30 in the file name: \
         no such day\n\
         hint: run `frontline validate` with the same data options to list every problem\n"
    );
}

#[test]
fn a_bad_date_pattern_is_one_line() {
    let dir = scratch("pattern");
    let stderr = fails(frontline().arg("--archive").arg(&dir).args([
        "--side",
        "Blue",
        "--date-pattern",
        "(?P<y>\\d{4}",
        "stats",
        "--at",
        "2022-03-01",
    ]));
    assert_eq!(
        stderr,
        "error: bad date pattern \"(?P<y>\\\\d{4}\": not a valid regex: unclosed group\n"
    );
}

#[test]
fn archive_options_without_an_archive_are_refused() {
    for (args, flags) in [
        (&["--side", "Blue"][..], "--side applies"),
        (
            &["--skip-bad", "--region", "r.geojson"],
            "--region, --skip-bad apply",
        ),
        (
            &["--date-pattern", "(?P<y>..)(?P<m>..)(?P<d>..)"],
            "--date-pattern applies",
        ),
        (&["--strict"], "--strict applies"),
    ] {
        let stderr = fails(frontline().args(["--data", TINY]).args(args).args([
            "stats",
            "--at",
            "2012-01-01",
        ]));
        assert_eq!(
            stderr,
            format!("error: {flags} only to a dated archive: pass --archive DIR too\n")
        );
    }
}

#[test]
fn an_empty_side_is_refused() {
    let dir = scratch("side");
    let stderr = fails(frontline().arg("--archive").arg(&dir).args([
        "--side",
        " ",
        "stats",
        "--at",
        "2022-03-01",
    ]));
    assert_eq!(
        stderr,
        "error: --side: expected the name of the side, found an empty one\n"
    );
}

#[test]
fn an_unknown_export_extension_is_refused() {
    let dir = scratch("extension");
    let path = dir.join("zones.shp");
    let stderr = fails(
        frontline()
            .args(["--data", TINY, "export", "--at", "2012-01-01", "-o"])
            .arg(&path),
    );
    assert_eq!(
        stderr,
        format!(
            "error: {}: unknown output extension .shp: expected .geojson, .json, .csv or .fgb (or pass --format)\n",
            path.display()
        )
    );
    assert!(!path.exists());
    // --format decides for any name.
    frontline()
        .args([
            "--data",
            TINY,
            "export",
            "--at",
            "2012-01-01",
            "--format",
            "csv",
            "-o",
        ])
        .arg(&path)
        .assert()
        .success();
    assert!(std::fs::read_to_string(&path)
        .unwrap()
        .starts_with("controller,"));
}

#[test]
fn a_picture_goes_to_standard_output_as_svg() {
    for path in ["-", "/dev/stdout"] {
        let output = frontline()
            .args(["--data", TINY, "render", "--at", "2012-01-01", "-o", path])
            .output()
            .unwrap();
        assert!(output.status.success(), "{path}: {output:?}");
        assert!(output.stdout.starts_with(b"<svg"), "{path}");
        assert!(output.stdout.ends_with(b"</svg>\n"), "{path}");
    }
}
