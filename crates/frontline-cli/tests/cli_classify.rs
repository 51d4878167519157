//! `frontline classify`: every input row comes out, in order, with its data;
//! bad rows say why in `error`; the summary counts every row.

#[path = "support/scratch.rs"]
mod scratch;

use assert_cmd::Command;
use predicates::prelude::*;

const INPUT: &str = "id,lat,lon,when\n\
1,39.8177,46.7528,2021-06-01\n\
2,91,46,2021-06-01\n\
3,39.7601,46.7499,1990-01-01\n\
4,,46.5,2000-01-01\n\
5,10,10,2021-06-01\n\
6,39.5129,46.3382,bad\n\
7,39.51,46.33\n\
8,39.7601,46.7499,2000-01-01\n\
\"9, quoted\",39.4488,47.3353,2021-06-01\n";

#[test]
fn no_row_is_lost_and_bad_rows_say_why() {
    let output = Command::cargo_bin("frontline")
        .unwrap()
        .args([
            "classify",
            "-",
            "-o",
            "-",
            "--lat-col",
            "lat",
            "--lon-col",
            "lon",
            "--date-col",
            "when",
        ])
        .write_stdin(INPUT)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(output.stdout.as_slice());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        header,
        [
            "id",
            "lat",
            "lon",
            "when",
            "controller",
            "de_jure",
            "rayon",
            "overlays",
            "error"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 9, "output rows = input rows");
    let ids: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
    assert_eq!(
        ids,
        ["1", "2", "3", "4", "5", "6", "7", "8", "9, quoted"],
        "same order, data kept"
    );
    assert_eq!(&rows[0][4], "nkr");
    assert_eq!(&rows[0][5], "azerbaijan");
    assert_eq!(&rows[0][8], "");
    assert!(rows[1][8].contains("latitude 91"));
    assert!(rows[2][8].contains("starts on 1994-05-12"));
    assert!(rows[3][8].contains("column `lat`: missing"));
    assert_eq!(
        (&rows[4][4], &rows[4][8]),
        ("", ""),
        "outside the region is not an error"
    );
    assert!(rows[5][8].contains("column `when`"));
    assert!(rows[6][8].contains("row has 3 fields"));
    assert_eq!(&rows[7][4], "nkr", "Shusha in 2000");
    assert_eq!(&rows[8][4], "azerbaijan", "Horadiz");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("9 rows, 5 with errors"), "{stderr}");
    assert!(
        stderr.contains("azerbaijan 1")
            && stderr.contains("nkr 2")
            && stderr.contains("(outside the region) 1"),
        "{stderr}"
    );
}

#[test]
fn a_fixed_date_and_files_written_atomically() {
    let dir = scratch::scratch("classify");
    let input = dir.join("in.csv");
    std::fs::write(
        &input,
        "name,y,x\nGoris,39.5129,46.3382\nAghdam,39.9910,46.9274\n",
    )
    .unwrap();
    let out = dir.join("out.csv");
    Command::cargo_bin("frontline")
        .unwrap()
        .arg("classify")
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .args(["--lat-col", "y", "--lon-col", "x", "--at", "2020-11-19"])
        .assert()
        .success();
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.contains("Goris,39.5129,46.3382,armenia,armenia,Syunik,"),
        "{text}"
    );
    assert!(
        text.contains("Aghdam,39.9910,46.9274,nkr,azerbaijan,Ağdam,"),
        "{text}"
    );
    // A missing column fails before anything is written.
    let bad = dir.join("bad.csv");
    Command::cargo_bin("frontline")
        .unwrap()
        .arg("classify")
        .arg(&input)
        .arg("-o")
        .arg(&bad)
        .args([
            "--lat-col",
            "latitude",
            "--lon-col",
            "x",
            "--at",
            "2020-11-19",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown column \"latitude\""));
    assert!(!bad.exists());
    let leftovers = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .count();
    assert_eq!(leftovers, 0);
}

#[test]
fn invalid_utf8_fields_pass_through_untouched() {
    let mut input = b"name,lat,lon\n".to_vec();
    input.extend_from_slice(b"caf\xe9,39.8177,46.7528\n");
    let output = Command::cargo_bin("frontline")
        .unwrap()
        .args(["classify", "-", "-o", "-", "--at", "2021-06-01"])
        .write_stdin(input)
        .output()
        .unwrap();
    assert!(output.status.success());
    let row = output.stdout.split(|&b| b == b'\n').nth(1).unwrap();
    assert!(row.starts_with(b"caf\xe9,39.8177,46.7528,nkr,azerbaijan,"));
}

#[test]
fn geojson_points_keep_their_members_and_gain_properties() {
    let dir = scratch::scratch("classify-gj");
    let input = dir.join("in.geojson");
    std::fs::write(
        &input,
        r#"{"type": "FeatureCollection", "name": "sightings", "features": [
 {"type": "Feature", "id": 7, "geometry": {"type": "Point", "coordinates": [46.3382, 39.5129]}, "properties": {"seen": "2020-11-19"}},
 {"type": "Feature", "geometry": {"type": "Point", "coordinates": [46.9274, 39.9910]}, "properties": {"seen": "2020-11-19"}},
 {"type": "Feature", "geometry": {"type": "Point", "coordinates": [46.9274, 39.9910]}, "properties": {"seen": "19/11/2020"}},
 {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": []}, "properties": {"seen": "2020-11-19"}}
]}"#,
    )
    .unwrap();
    let out = dir.join("out.geojson");
    let run = Command::cargo_bin("frontline")
        .unwrap()
        .arg("classify")
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .args(["--date-col", "seen"])
        .output()
        .unwrap();
    assert!(run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr).contains("4 rows, 2 with errors"));
    let text = std::fs::read_to_string(&out).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        json["name"], "sightings",
        "the collection's members are kept"
    );
    let features = json["features"].as_array().unwrap();
    assert_eq!(features.len(), 4, "every feature comes out");
    assert_eq!(features[0]["id"], 7);
    assert_eq!(features[0]["properties"]["controller"], "armenia");
    assert_eq!(features[0]["properties"]["rayon"], "Syunik");
    assert_eq!(features[1]["properties"]["controller"], "nkr");
    assert_eq!(features[1]["properties"]["de_jure"], "azerbaijan");
    assert!(features[2]["properties"]["error"]
        .as_str()
        .unwrap()
        .contains("feature 2: property `seen`"));
    assert!(features[3]["properties"]["error"]
        .as_str()
        .unwrap()
        .contains("expected a Point geometry"));

    // Cut short: an error naming the feature, and no output at all.
    std::fs::write(&input, &text[..text.len() / 2]).unwrap();
    let cut = dir.join("cut.geojson");
    Command::cargo_bin("frontline")
        .unwrap()
        .arg("classify")
        .arg(&input)
        .arg("-o")
        .arg(&cut)
        .args(["--at", "2020-11-19"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("invalid input")
                .and(predicate::str::contains("in.geojson: feature")),
        );
    assert!(!cut.exists());
}

#[test]
fn a_reader_that_goes_away_ends_the_run_quietly() {
    use std::io::Read;
    let dir = scratch::scratch("classify-pipe");
    let input = dir.join("many.csv");
    // Far more output than a pipe holds, so writing must fail once the reader goes.
    let mut text = String::from("lat,lon\n");
    for i in 0..200_000 {
        text.push_str(&format!("{},{}\n", 39.0 + (i % 1000) as f64 * 1e-3, 46.5));
    }
    std::fs::write(&input, text).unwrap();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("frontline"))
        .arg("classify")
        .arg(&input)
        .args(["-o", "-", "--at", "2021-06-01"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut head = [0u8; 100];
    child.stdout.take().unwrap().read_exact(&mut head).unwrap();
    // stdout is dropped here: the pipe is closed, as `| head` does.
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > std::time::Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("classify kept running after its reader went away");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(status.success(), "{status}: {stderr}");
    assert!(!stderr.contains("error"), "{stderr}");
    assert!(head.starts_with(b"lat,lon,controller"));
}

fn tiny() -> Command {
    let mut cmd = Command::cargo_bin("frontline").unwrap();
    cmd.arg("--data").arg(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/data/tiny"
    ));
    cmd
}

fn scratch(name: &str) -> scratch::Scratch {
    scratch::scratch(&format!("cli-classify-{name}"))
}

#[test]
fn gzip_inputs_are_read_decompressed_and_binary_is_never_echoed() {
    let dir = scratch("gzip");
    let points = r#"{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"id": "a"}, "geometry": {"type": "Point", "coordinates": [0.5, 0.5]}}]}"#;
    let csv = "id,lat,lon\na,0.5,1.75\n";
    for (name, text, expected) in [
        ("points.geojson.gz", points, "\"controller\":\"west\""),
        ("points.csv.gz", csv, "a,0.5,1.75,east,"),
    ] {
        // gzip of the text, by the system's own tool.
        let plain = dir.join(name.trim_end_matches(".gz"));
        std::fs::write(&plain, text).unwrap();
        assert!(std::process::Command::new("gzip")
            .arg("-kf")
            .arg(&plain)
            .status()
            .unwrap()
            .success());
        let output = tiny()
            .args(["classify", "--at", "2012-01-01", "-o", "-"])
            .arg(dir.join(name))
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert!(stdout.contains(expected), "{name}: {stdout}");
    }
    // Binary that is not gzip: refused in one printable line.
    let binary = dir.join("points.zip");
    let mut bytes = b"PK\x03\x04\x14\x00\x08\x00\x1b[2J\x07".to_vec();
    bytes.extend((0..=255u8).cycle().take(2000));
    std::fs::write(&binary, &bytes).unwrap();
    let output = tiny()
        .args(["classify", "--at", "2012-01-01", "-o", "-"])
        .arg(&binary)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).expect("no binary echoed");
    assert_eq!(
        stderr,
        format!(
            "error: invalid input: {}: expected CSV text, found binary data (a compressed or binary file?)\n",
            binary.display()
        )
    );
}

#[test]
fn an_empty_csv_says_so() {
    let output = tiny()
        .args(["classify", "-", "--at", "2012-01-01", "-o", "-"])
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "error: invalid input: standard input: the input is empty: expected a header row naming the columns\n"
    );
}

#[test]
fn a_full_disk_is_reported_with_the_path() {
    let output = tiny()
        .args(["classify", "-", "--at", "2012-01-01", "-o", "/dev/full"])
        .write_stdin("id,lat,lon\na,0.5,0.5\n")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "error: /dev/full: No space left on device (os error 28)\n"
    );
    let output = tiny()
        .args(["export", "--at", "2012-01-01", "-o", "/dev/full"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "error: /dev/full: No space left on device (os error 28)\n"
    );
}
