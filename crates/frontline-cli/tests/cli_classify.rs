//! `frontline classify`: every input row comes out, in order, with its data;
//! bad rows say why in `error`; the summary counts every row.

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
    let dir = std::env::temp_dir().join(format!("frontline-classify-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
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
    std::fs::remove_dir_all(&dir).unwrap();
}
