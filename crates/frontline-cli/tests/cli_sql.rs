//! `frontline sql` and Parquet in and out (features `sql` and `parquet`);
//! without them, a clear message naming the feature.

use std::path::PathBuf;

#[path = "support/scratch.rs"]
mod scratch;

use assert_cmd::Command;

/// A file's path in a directory of its own, removed when the test is done.
struct Scratch {
    path: PathBuf,
    _dir: scratch::Scratch,
}

impl std::ops::Deref for Scratch {
    type Target = PathBuf;
    fn deref(&self) -> &PathBuf {
        &self.path
    }
}

impl AsRef<std::path::Path> for Scratch {
    fn as_ref(&self) -> &std::path::Path {
        &self.path
    }
}

fn temp(name: &str) -> Scratch {
    let dir = scratch::scratch("cli-sql");
    Scratch {
        path: dir.join(name),
        _dir: dir,
    }
}

fn frontline(args: &[&str]) -> (bool, String, String) {
    let output = Command::cargo_bin("frontline")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[cfg(not(feature = "parquet"))]
#[test]
fn parquet_without_the_feature_says_which_build() {
    let path = temp("zones.parquet");
    let (ok, _, err) = frontline(&["export", "--at", "2020-12-01", "-o", path.to_str().unwrap()]);
    assert!(!ok);
    assert!(err.contains("the `parquet` feature"), "{err}");
    assert!(!path.exists());
}

/// A CSV of places with dates: Stepanakert twice, Goris, a bad row.
#[cfg(feature = "sql")]
fn points_csv() -> Scratch {
    let path = temp("points.csv");
    std::fs::write(
        &path,
        "id,lon,lat,date\n\
         1,46.7528,39.8177,2000-01-01\n\
         2,46.7528,39.8177,2024-01-01\n\
         3,46.3382,39.5129,2021-06-01\n\
         4,,39.5,2021-06-01\n",
    )
    .unwrap();
    path
}

#[cfg(feature = "sql")]
#[test]
fn sql_over_a_csv_file_as_csv_json_and_table() {
    let csv = points_csv();
    let query = format!(
        "SELECT id, fl_controller(lon, lat, date) AS c FROM '{}' ORDER BY id",
        csv.display()
    );
    let (ok, out, err) = frontline(&["sql", &query, "--format", "csv"]);
    assert!(ok, "{err}");
    assert_eq!(out, "id,c\n1,nkr\n2,azerbaijan\n3,armenia\n4,\n");
    let (ok, out, err) = frontline(&["sql", &query, "--format", "json"]);
    assert!(ok, "{err}");
    assert_eq!(out.lines().next().unwrap(), r#"{"id":1,"c":"nkr"}"#);
    let (ok, out, err) = frontline(&["sql", &query]);
    assert!(ok, "{err}");
    assert!(out.contains("| 3  | armenia    |"), "{out}");
    // A query that cannot plan says why, exit code 2.
    let output = Command::cargo_bin("frontline")
        .unwrap()
        .args(["sql", "SELECT nope FROM fl_snapshots()"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let err = String::from_utf8(output.stderr).unwrap();
    assert!(
        err.starts_with("error: sql: ") && err.contains("nope"),
        "{err}"
    );
}

#[cfg(feature = "sql")]
#[test]
fn a_path_in_from_that_is_no_table_says_why() {
    let dir = scratch::scratch("cli-sql-paths");
    let text = dir.join("points.txt");
    std::fs::write(&text, "lon,lat\n46.75,39.81\n").unwrap();
    let empty = dir.join("empty");
    std::fs::create_dir(&empty).unwrap();
    let missing = dir.join("missing.parquet");
    for (path, why) in [
        (&missing, "No such file or directory"),
        (&text, "not a kind of file tables are read from"),
        (&empty, "a folder with none of"),
    ] {
        let query = format!("SELECT count(*) FROM '{}'", path.display());
        let output = Command::cargo_bin("frontline")
            .unwrap()
            .args(["sql", &query])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2));
        let err = String::from_utf8(output.stderr).unwrap();
        assert!(
            err.starts_with("error: sql: ") && err.contains(&format!("{}: {why}", path.display())),
            "{err}"
        );
    }
    // A plain name that is no table keeps DataFusion's own message.
    let (ok, _, err) = frontline(&["sql", "SELECT * FROM nowhere"]);
    assert!(!ok);
    assert!(
        err.contains("table 'datafusion.public.nowhere' not found"),
        "{err}"
    );
}

/// `frontline sql` with `DATAFUSION_EXECUTION_BATCH_SIZE` set to `value`
/// (unset for `None`), asked for the batch size it runs with.
#[cfg(feature = "sql")]
fn batch_size_with(value: Option<&str>) -> std::process::Output {
    let mut cmd = Command::cargo_bin("frontline").unwrap();
    cmd.env_remove("DATAFUSION_EXECUTION_BATCH_SIZE");
    if let Some(value) = value {
        cmd.env("DATAFUSION_EXECUTION_BATCH_SIZE", value);
    }
    cmd.args([
        "sql",
        "SELECT value FROM information_schema.df_settings \
         WHERE name = 'datafusion.execution.batch_size'",
        "--format",
        "csv",
    ])
    .output()
    .unwrap()
}

#[cfg(feature = "sql")]
#[test]
fn datafusion_settings_come_from_datafusion_variables() {
    let set = batch_size_with(Some("1234"));
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    assert_eq!(String::from_utf8(set.stdout).unwrap(), "value\n1234\n");
    // Unset: DataFusion's default.
    let unset = batch_size_with(None);
    assert!(unset.status.success());
    assert_eq!(String::from_utf8(unset.stdout).unwrap(), "value\n8192\n");
    // A value the setting does not take names the variable and the value.
    let bad = batch_size_with(Some("many"));
    assert_eq!(bad.status.code(), Some(2));
    assert!(bad.stdout.is_empty());
    let err = String::from_utf8(bad.stderr).unwrap();
    assert!(
        err.starts_with("error: sql: ") && err.contains("DATAFUSION_EXECUTION_BATCH_SIZE=many"),
        "{err}"
    );
}

#[cfg(feature = "sql")]
#[test]
fn parquet_out_of_sql_export_and_classify_reads_back() {
    let csv = points_csv();
    // sql → Parquet, read back by sql.
    let points = temp("points.parquet");
    let query = format!(
        "SELECT id, lon, lat, CAST(date AS DATE) AS date FROM '{}'",
        csv.display()
    );
    let (ok, _, err) = frontline(&["sql", &query, "-o", points.to_str().unwrap()]);
    assert!(ok, "{err}");
    let count = format!("SELECT count(*) AS n FROM '{}'", points.display());
    let (ok, out, err) = frontline(&["sql", &count, "--format", "csv"]);
    assert!(ok, "{err}");
    assert_eq!(out, "n\n4\n");

    // classify Parquet → Parquet.
    let classified = temp("classified.parquet");
    let (ok, _, err) = frontline(&[
        "classify",
        points.to_str().unwrap(),
        "-o",
        classified.to_str().unwrap(),
        "--date-col",
        "date",
    ]);
    assert!(ok, "{err}");
    assert!(err.contains("4 rows, 1 with errors"), "{err}");
    let query = format!(
        "SELECT id, controller, de_jure, error FROM '{}' ORDER BY id",
        classified.display()
    );
    let (ok, out, err) = frontline(&["sql", &query, "--format", "csv"]);
    assert!(ok, "{err}");
    assert_eq!(
        out,
        "id,controller,de_jure,error\n1,nkr,azerbaijan,\n2,azerbaijan,azerbaijan,\n3,armenia,armenia,\n4,,,column `lon`: missing\n"
    );

    // export → GeoParquet; fl_zones and the file agree.
    let zones = temp("zones.parquet");
    let (ok, _, err) = frontline(&[
        "export",
        "--at",
        "2020-12-01",
        "-o",
        zones.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let from_file = format!(
        "SELECT controller, area_km2 FROM '{}' ORDER BY controller",
        zones.display()
    );
    let from_function =
        "SELECT controller, area_km2 FROM fl_zones('2020-12-01') ORDER BY controller";
    let (ok, a, err) = frontline(&["sql", &from_file, "--format", "csv"]);
    assert!(ok, "{err}");
    let (ok, b, err) = frontline(&["sql", from_function, "--format", "csv"]);
    assert!(ok, "{err}");
    assert_eq!(a, b);
    assert!(a.contains("nkr,"), "{a}");

    // The timeline: on any date, the rows in force are that date's zones.
    let timeline = temp("timeline.parquet");
    let (ok, _, err) = frontline(&["timeline", "-o", timeline.to_str().unwrap()]);
    assert!(ok, "{err}");
    let in_force = format!(
        "SELECT controller FROM '{}' WHERE valid_from <= DATE '2021-06-01' \
         AND (valid_to IS NULL OR DATE '2021-06-01' < valid_to) ORDER BY controller",
        timeline.display()
    );
    let that_day = "SELECT controller FROM fl_zones('2021-06-01') ORDER BY controller";
    let (ok, a, err) = frontline(&["sql", &in_force, "--format", "csv"]);
    assert!(ok, "{err}");
    let (ok, b, err) = frontline(&["sql", that_day, "--format", "csv"]);
    assert!(ok, "{err}");
    assert_eq!(a, b);
}

#[test]
fn timeline_as_geojson_holds_every_snapshot() {
    let (ok, out, err) = frontline(&["timeline"]);
    assert!(ok, "{err}");
    let collection: serde_json::Value = serde_json::from_str(&out).unwrap();
    let features = collection["features"].as_array().unwrap();
    let (ok, snapshots, _) = frontline(&["snapshots", "--format", "json"]);
    assert!(ok);
    let snapshots: serde_json::Value = serde_json::from_str(&snapshots).unwrap();
    let dates: std::collections::BTreeSet<&str> = features
        .iter()
        .map(|f| f["properties"]["valid_from"].as_str().unwrap())
        .collect();
    assert_eq!(dates.len(), snapshots.as_array().unwrap().len());
    assert!(features
        .iter()
        .any(|f| f["properties"]["valid_to"].is_null()));
}
