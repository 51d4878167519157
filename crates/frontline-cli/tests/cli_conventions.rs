//! What every command shares: `--format` and `-o`, the library's
//! serialisations, help headings and examples, `--quiet`, `FRONTLINE_DATA`,
//! shell completions and the manual page.

#[path = "support/scratch.rs"]
mod scratch;

use assert_cmd::Command;
use frontline::{parse_date, Atlas, DataSource};

const TINY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/tiny");
const ARCHIVE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/data/archive");

const SUBCOMMANDS: [&str; 15] = [
    "snapshots",
    "stats",
    "locate",
    "export",
    "diff",
    "series",
    "render",
    "chart",
    "classify",
    "route",
    "reach",
    "routes",
    "validate",
    "completions",
    "man",
];

fn frontline() -> Command {
    let mut cmd = Command::cargo_bin("frontline").unwrap();
    cmd.env_remove("FRONTLINE_DATA");
    cmd
}

fn stdout(cmd: &mut Command) -> String {
    let output = cmd.output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn scratch(name: &str) -> scratch::Scratch {
    scratch::scratch(&format!("cli-conventions-{name}"))
}

fn tiny() -> Atlas {
    Atlas::load(DataSource::Directory(TINY.into())).unwrap()
}

/// Every command that prints data, with arguments that work on the tiny
/// dataset, and the formats it takes.
fn data_commands() -> Vec<(Vec<&'static str>, Vec<&'static str>)> {
    vec![
        (vec!["snapshots"], vec!["table", "json", "csv"]),
        (
            vec!["stats", "--at", "2012-01-01"],
            vec!["table", "json", "csv"],
        ),
        (
            vec!["stats", "--at", "2012-01-01", "--by-de-jure"],
            vec!["table", "json", "csv"],
        ),
        (
            vec![
                "locate",
                "--lat",
                "0.5",
                "--lon",
                "0.5",
                "--at",
                "2012-01-01",
            ],
            vec!["table", "json"],
        ),
        (
            vec!["diff", "--from", "2000-01-01", "--to", "2012-01-01"],
            vec!["table", "json", "csv", "geojson"],
        ),
        (
            vec!["series", "--from", "2000-01-01", "--to", "2012-01-01"],
            vec!["table", "json", "csv"],
        ),
        (vec!["routes"], vec!["table", "json", "csv"]),
        (vec!["validate"], vec!["table", "json"]),
    ]
}

#[test]
fn every_data_command_writes_the_same_bytes_to_o_as_to_standard_output() {
    let dir = scratch("o");
    let mut checked = 0;
    for (args, formats) in data_commands() {
        for format in formats {
            let printed = stdout(
                frontline()
                    .args(["--data", TINY])
                    .args(&args)
                    .args(["--format", format]),
            );
            assert!(!printed.is_empty(), "{args:?} {format}");
            let path = dir.join(format!("{}-{format}.out", args.join("_")));
            let quiet = stdout(
                frontline()
                    .args(["--data", TINY])
                    .args(&args)
                    .args(["--format", format, "-o"])
                    .arg(&path),
            );
            assert_eq!(quiet, "", "{args:?} {format}: nothing on stdout with -o");
            assert_eq!(
                std::fs::read_to_string(&path).unwrap(),
                printed,
                "{args:?} {format}"
            );
            // `-o -` is standard output.
            let dash = stdout(
                frontline()
                    .args(["--data", TINY])
                    .args(&args)
                    .args(["--format", format, "-o", "-"]),
            );
            assert_eq!(dash, printed, "{args:?} {format}");
            checked += 1;
        }
    }
    assert_eq!(checked, 23);
}

#[test]
fn json_and_geojson_are_the_library_serialisations() {
    let atlas = tiny();
    let from = parse_date("2000-01-01").unwrap();
    let to = parse_date("2012-01-01").unwrap();
    let series = stdout(frontline().args([
        "--data",
        TINY,
        "series",
        "--from",
        "2000-01-01",
        "--to",
        "2012-01-01",
        "--format",
        "json",
    ]));
    assert_eq!(
        series,
        frontline::text::json(&atlas.series(from, to).unwrap()).unwrap()
    );
    // Areas keyed by controller id, in manifest order.
    let value: serde_json::Value = serde_json::from_str(&series).unwrap();
    let areas = value["rows"][0]["areas_km2"].as_object().unwrap();
    let ids: Vec<&String> = areas.keys().collect();
    let controllers: Vec<String> = atlas.controllers().iter().map(|c| c.id.clone()).collect();
    assert_eq!(ids, controllers.iter().collect::<Vec<_>>());

    let diff = stdout(frontline().args([
        "--data",
        TINY,
        "diff",
        "--from",
        "2000-01-01",
        "--to",
        "2012-01-01",
        "--format",
        "geojson",
    ]));
    assert_eq!(
        diff,
        format!("{}\n", atlas.diff(from, to).unwrap().to_geojson())
    );
    let csv = stdout(frontline().args([
        "--data",
        TINY,
        "diff",
        "--from",
        "2000-01-01",
        "--to",
        "2012-01-01",
        "--format",
        "csv",
    ]));
    assert_eq!(csv, atlas.diff(from, to).unwrap().to_csv());

    let routes = stdout(frontline().args(["--data", TINY, "routes", "--format", "json"]));
    assert_eq!(
        routes,
        frontline::text::json(&atlas.route_summaries()).unwrap()
    );
}

#[test]
fn route_and_reach_geojson_are_the_library_serialisations() {
    let atlas = Atlas::embedded().unwrap();
    let day = parse_date("2023-01-15").unwrap();
    let route = stdout(frontline().args([
        "route",
        "lachin-road-2022",
        "--at",
        "2023-01-15",
        "--format",
        "geojson",
    ]));
    let report = atlas.route_report("lachin-road-2022", day, 2.0).unwrap();
    assert_eq!(route, format!("{}\n", report.to_geojson()));
    let value: serde_json::Value = serde_json::from_str(&route).unwrap();
    assert_eq!(
        value["features"].as_array().unwrap().len(),
        report.segments.len()
    );
    assert_eq!(value["features"][0]["properties"]["status"], "blockaded");
    assert_eq!(value["features"][0]["geometry"]["type"], "LineString");

    let reach = stdout(frontline().args([
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
        "geojson",
    ]));
    let answer = atlas.reach("Goris", "Stepanakert", day, "armenia").unwrap();
    assert_eq!(reach, format!("{}\n", answer.to_geojson()));
    let value: serde_json::Value = serde_json::from_str(&reach).unwrap();
    assert_eq!(value["features"][0]["properties"]["reachable"], false);
    assert_eq!(value["features"][0]["geometry"]["type"], "MultiLineString");
}

#[test]
fn csv_outputs_are_rectangular_with_a_header() {
    for (args, formats) in data_commands() {
        if !formats.contains(&"csv") {
            continue;
        }
        let text = stdout(
            frontline()
                .args(["--data", TINY])
                .args(&args)
                .args(["--format", "csv"]),
        );
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let width = reader.headers().unwrap().len();
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert!(!rows.is_empty(), "{args:?}");
        assert!(rows.iter().all(|r| r.len() == width), "{args:?}: {text}");
    }
    let stats = stdout(frontline().args([
        "--data",
        TINY,
        "stats",
        "--at",
        "2012-01-01",
        "--format",
        "csv",
    ]));
    let first = stats.lines().nth(1).unwrap();
    let atlas = tiny();
    let view = atlas.at(parse_date("2012-01-01").unwrap()).unwrap();
    let controller = &atlas.controllers()[0];
    assert_eq!(
        first,
        format!(
            "controller,{},{},{:.3}",
            controller.id,
            controller.name,
            view.area_km2(&controller.id).unwrap()
        )
    );
}

#[test]
fn help_groups_the_data_source_and_shows_examples() {
    for command in SUBCOMMANDS {
        let help = stdout(frontline().args([command, "--help"]));
        assert!(
            help.contains("\nExamples:\n  frontline "),
            "{command}: {help}"
        );
        assert!(help.contains("\nData source:\n"), "{command}: {help}");
        // The data source options come under their heading, not the command's.
        let own = help.split("\nData source:\n").next().unwrap();
        assert!(!own.contains("--archive"), "{command}: {help}");
    }
    let stats = stdout(frontline().args(["stats", "--help"]));
    assert!(stats.contains("--at <DATE>"), "{stats}");
    assert!(stats.contains("[env: FRONTLINE_DATA"), "{stats}");
    let export = stdout(frontline().args(["export", "--help"]));
    assert!(
        export.contains("[possible values: zones, overlays, routes, places, de_jure, admin1]"),
        "{export}"
    );
}

#[test]
fn quiet_leaves_out_notes_but_not_errors() {
    let args = [
        "--data",
        TINY,
        "series",
        "--from",
        "1990-01-01",
        "--to",
        "2012-01-01",
    ];
    let loud = frontline().args(args).output().unwrap();
    assert!(loud.status.success());
    assert!(
        String::from_utf8_lossy(&loud.stderr).starts_with("note: the data starts on 2000-01-01"),
        "{loud:?}"
    );
    let quiet = frontline().arg("--quiet").args(args).output().unwrap();
    assert!(quiet.status.success());
    assert_eq!(quiet.stderr, b"");
    assert_eq!(quiet.stdout, loud.stdout);

    // An archive's repairs and a classify summary are notes too.
    let dir = scratch("quiet");
    let input = dir.join("points.csv");
    std::fs::write(&input, "lat,lon\n0.5,0.5\n").unwrap();
    let classify = frontline()
        .args(["--data", TINY, "-q", "classify"])
        .arg(&input)
        .args(["-o", "-", "--at", "2012-01-01"])
        .output()
        .unwrap();
    assert!(classify.status.success());
    assert_eq!(classify.stderr, b"");
    assert!(String::from_utf8_lossy(&classify.stdout).starts_with("lat,lon,controller"));

    let error = frontline()
        .args(["--quiet", "--data", TINY, "stats", "--at", "1990-01-01"])
        .output()
        .unwrap();
    assert_eq!(error.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&error.stderr).starts_with("error: "));
}

#[test]
fn frontline_data_stands_for_data() {
    let by_flag = stdout(frontline().args(["--data", TINY, "snapshots", "--format", "csv"]));
    let by_env =
        stdout(
            frontline()
                .env("FRONTLINE_DATA", TINY)
                .args(["snapshots", "--format", "csv"]),
        );
    assert_eq!(by_env, by_flag);
    assert!(by_env.starts_with("id,date,until,label\n"), "{by_env}");
    assert_ne!(
        by_env,
        stdout(frontline().args(["snapshots", "--format", "csv"]))
    );
    // The flag wins over the environment.
    let embedded = stdout(frontline().args(["snapshots", "--format", "csv"]));
    let overridden = stdout(frontline().env("FRONTLINE_DATA", "/nonexistent").args([
        "--data",
        TINY,
        "snapshots",
        "--format",
        "csv",
    ]));
    assert_eq!(overridden, by_flag);
    assert_ne!(overridden, embedded);
    // An archive on the command line wins over the environment ...
    let archive = stdout(frontline().env("FRONTLINE_DATA", TINY).args([
        "--archive",
        ARCHIVE,
        "--side",
        "Blue",
        "snapshots",
        "--format",
        "csv",
    ]));
    assert!(archive.contains("2022-02-24"), "{archive}");
    // ... but not over --data on the command line.
    let both = frontline()
        .args([
            "--data",
            TINY,
            "--archive",
            ARCHIVE,
            "--side",
            "Blue",
            "snapshots",
        ])
        .output()
        .unwrap();
    assert_eq!(both.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&both.stderr),
        "error: --data and --archive: expected one source of data, found both\n"
    );
}

#[test]
fn completions_know_every_command() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let script = stdout(frontline().args(["completions", shell]));
        for command in SUBCOMMANDS {
            assert!(script.contains(command), "{shell}: no {command}");
        }
        // fish spells long options `-l NAME`.
        assert!(script.contains("format"), "{shell}");
        assert!(script.contains("data"), "{shell}");
    }
    let bash = stdout(frontline().args(["completions", "bash"]));
    assert!(bash.contains("complete -F _frontline"), "{bash}");
    let bad = frontline().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn the_manual_page_is_roff_naming_every_command() {
    let page = stdout(frontline().arg("man"));
    assert!(
        page.starts_with(".ie \\n(.g .ds Aq \\(aq") || page.contains("\n.TH "),
        "{page}"
    );
    let th = page.lines().find(|l| l.starts_with(".TH ")).unwrap();
    let version = env!("CARGO_PKG_VERSION");
    assert!(
        th.starts_with(&format!(".TH frontline 1  \"frontline {version}\"")),
        "{th}"
    );
    for section in [
        ".SH NAME",
        ".SH SYNOPSIS",
        ".SH DESCRIPTION",
        ".SH OPTIONS",
        ".SH SUBCOMMANDS",
    ] {
        assert!(page.contains(section), "no {section}");
    }
    for command in SUBCOMMANDS {
        assert!(
            page.contains(&format!("frontline\\-{command}")),
            "no {command} in the page"
        );
    }
    // Every request line is a known roff request or macro.
    for line in page.lines().filter(|l| l.starts_with('.')) {
        let request = line[1..].split_whitespace().next().unwrap_or("");
        assert!(
            [
                "TH", "SH", "TP", "PP", "RS", "RE", "IP", "br", "B", "I", "ie", "el", "ds", "nh",
                "ad", "fi", "nf"
            ]
            .contains(&request),
            "unexpected roff request in {line:?}"
        );
    }
    let stats = stdout(frontline().args(["man", "stats"]));
    assert!(
        stats.contains(&format!(".TH frontline-stats 1  \"frontline {version}\"")),
        "{stats}"
    );
    assert!(stats.contains("\\-\\-at"), "{stats}");
    assert!(stats.contains("\\-\\-data"), "the global options: {stats}");
    let unknown = frontline().args(["man", "nope"]).output().unwrap();
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("unknown command \"nope\""));
}

#[test]
fn precision_sets_the_decimals_of_every_coordinate() {
    // The longest run of decimals in any number of a GeoJSON text's
    // coordinates.
    let most_decimals = |text: &str| -> usize {
        let value: serde_json::Value = serde_json::from_str(text).unwrap();
        let mut most = 0;
        let mut stack: Vec<&serde_json::Value> = value["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| &f["geometry"]["coordinates"])
            .collect();
        while let Some(v) = stack.pop() {
            match v {
                serde_json::Value::Array(items) => stack.extend(items),
                serde_json::Value::Number(n) => {
                    let text = n.to_string();
                    most = most.max(text.split_once('.').map_or(0, |(_, d)| d.len()));
                }
                _ => {}
            }
        }
        most
    };
    let export = |extra: &[&str]| {
        let mut args = vec!["export", "--at", "2020-12-01", "--layer", "zones"];
        args.extend_from_slice(extra);
        stdout(frontline().args(&args))
    };
    let default = export(&[]);
    assert_eq!(most_decimals(&default), 7, "the default is 7 decimals");
    assert_eq!(most_decimals(&export(&["--precision", "3"])), 3);
    assert!(most_decimals(&export(&["--precision", "15"])) > 7);
    let timeline = stdout(frontline().args(["timeline", "--precision", "4"]));
    assert!(most_decimals(&timeline) <= 4);
    frontline()
        .args(["export", "--at", "2020-12-01", "--precision", "16"])
        .assert()
        .code(2);
}
