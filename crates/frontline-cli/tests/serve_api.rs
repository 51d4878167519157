//! The HTTP API against the CLI: a server on an ephemeral loopback port
//! answers every question with the bytes `frontline ... --format json`
//! prints for it; bad parameters get 400 naming the parameter, unknown
//! paths and traversal attempts 404.
#![cfg(feature = "serve")]

#[path = "support/scratch.rs"]
mod scratch;

mod support;

use std::net::SocketAddr;
use std::process::{Command, Stdio};
use support::http::get;
use support::server::server;

fn cli(args: &[&str]) -> Vec<u8> {
    let output = Command::new(env!("CARGO_BIN_EXE_frontline"))
        .args(args)
        .output()
        .expect("frontline runs");
    assert!(
        output.status.success(),
        "frontline {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

fn same_as_cli(target: &str, args: &[&str]) {
    let reply = get(server(), target, &[]);
    assert_eq!(reply.status, 200, "{target}: {}", reply.text());
    let expected = cli(args);
    assert!(
        reply.body == expected,
        "{target} differs from frontline {args:?}:\n--- server\n{}\n--- cli\n{}",
        String::from_utf8_lossy(&reply.body),
        String::from_utf8_lossy(&expected)
    );
}

#[test]
fn snapshots_routes_and_stats_match_the_cli() {
    same_as_cli("/api/snapshots", &["snapshots", "--format", "json"]);
    same_as_cli("/api/routes", &["routes", "--format", "json"]);
    for at in ["1994-05-12", "2021-06-01"] {
        same_as_cli(
            &format!("/api/stats?at={at}"),
            &["stats", "--at", at, "--format", "json"],
        );
    }
}

#[test]
fn locate_matches_the_cli() {
    for (lat, lon, at) in [
        ("39.8177", "46.7528", "1994-05-12"),
        ("39.7601", "46.7499", "2021-06-01"),
        ("39.51288", "46.33816", "2023-10-01"),
        ("41.5", "44.0", "2000-01-01"),
    ] {
        same_as_cli(
            &format!("/api/locate?lat={lat}&lon={lon}&at={at}"),
            &[
                "locate", "--lat", lat, "--lon", lon, "--at", at, "--format", "json",
            ],
        );
    }
    let reply = get(
        server(),
        "/api/locate?lat=39.8177&lon=46.7528&at=1994-05-12",
        &[],
    );
    assert_eq!(reply.json()["controller"], "nkr");
}

#[test]
fn diff_and_series_match_the_cli() {
    let (from, to) = ("2020-11-19", "2020-11-21");
    same_as_cli(
        &format!("/api/diff?from={from}&to={to}"),
        &["diff", "--from", from, "--to", to, "--format", "json"],
    );
    same_as_cli(
        &format!("/api/diff?from={from}&to={to}&by=rayon"),
        &[
            "diff", "--from", from, "--to", to, "--by", "rayon", "--format", "json",
        ],
    );
    same_as_cli(
        &format!("/api/diff?from={from}&to={to}&format=geojson"),
        &["diff", "--from", from, "--to", to, "--format", "geojson"],
    );
    same_as_cli(
        "/api/series?from=2020-09-01&to=2021-01-01",
        &[
            "series",
            "--from",
            "2020-09-01",
            "--to",
            "2021-01-01",
            "--format",
            "json",
        ],
    );
}

#[test]
fn route_reach_and_export_match_the_cli() {
    same_as_cli(
        "/api/route/lachin-road-2022?at=2023-01-15",
        &[
            "route",
            "lachin-road-2022",
            "--at",
            "2023-01-15",
            "--format",
            "json",
        ],
    );
    same_as_cli(
        "/api/route/lachin-road-2020?at=2021-06-01&exposure_km=5",
        &[
            "route",
            "lachin-road-2020",
            "--at",
            "2021-06-01",
            "--exposure-km",
            "5",
            "--format",
            "json",
        ],
    );
    for (from, to, at, side) in [
        ("goris", "stepanakert", "2021-06-01", "armenia"),
        ("goris", "stepanakert", "2023-01-15", "armenia"),
    ] {
        same_as_cli(
            &format!("/api/reach?from={from}&to={to}&at={at}&as={side}"),
            &[
                "reach", "--from", from, "--to", to, "--at", at, "--as", side, "--format", "json",
            ],
        );
    }
    for layer in ["zones", "overlays", "routes", "places"] {
        same_as_cli(
            &format!("/api/export?at=2021-06-01&layer={layer}"),
            &["export", "--at", "2021-06-01", "--layer", layer],
        );
    }
}

#[test]
fn maps_match_the_cli() {
    let dir = scratch::scratch("serve-maps");
    for extension in ["svg", "png"] {
        let path = dir.join(format!("map.{extension}"));
        cli(&[
            "render",
            "--at",
            "2020-12-01",
            "--width",
            "800",
            "--height",
            "600",
            "-o",
            path.to_str().unwrap(),
        ]);
        let reply = get(
            server(),
            &format!("/map.{extension}?at=2020-12-01&width=800&height=600"),
            &[],
        );
        assert_eq!(reply.status, 200);
        assert!(
            reply.body == std::fs::read(&path).unwrap(),
            "/map.{extension}"
        );
    }
}

#[test]
fn zones_are_simplified_for_the_zoom_and_cut_to_the_box() {
    // Every vertex, at full precision, against the simplified layers.
    let full = get(
        server(),
        "/api/export?at=1994-05-12&layer=zones&precision=15",
        &[],
    );
    let coarse = get(server(), "/api/zones?at=1994-05-12&zoom=6", &[]);
    let fine = get(server(), "/api/zones?at=1994-05-12&zoom=14", &[]);
    assert_eq!(coarse.headers["content-type"], "application/geo+json");
    assert!(coarse.body.len() * 10 < full.body.len());
    assert!(coarse.body.len() < fine.body.len());
    let controllers = |reply: &support::http::Reply| -> Vec<String> {
        reply.json()["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["properties"]["controller"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(controllers(&coarse), controllers(&full));
    // Around Stepanakert in 1994, only NKR's ground.
    let around = get(
        server(),
        "/api/zones?at=1994-05-12&zoom=12&bbox=46.70,39.78,46.80,39.85",
        &[],
    );
    assert_eq!(controllers(&around), ["nkr"]);
    let de_jure = get(
        server(),
        "/api/zones?at=1994-05-12&zoom=8&layer=de_jure",
        &[],
    );
    assert_eq!(de_jure.status, 200);
    assert!(de_jure.json()["features"].as_array().unwrap().len() >= 2);
}

#[test]
fn answers_carry_etags_and_revalidate() {
    let first = get(server(), "/api/stats?at=2021-06-01", &[]);
    let etag = first.headers["etag"].clone();
    assert!(etag.starts_with('"') && etag.len() > 10, "{etag}");
    assert!(first.headers["cache-control"].contains("max-age="));
    let again = get(
        server(),
        "/api/stats?at=2021-06-01",
        &[("If-None-Match", &etag)],
    );
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    assert_eq!(again.headers["etag"], etag);
    let other = get(
        server(),
        "/api/stats?at=1994-05-12",
        &[("If-None-Match", &etag)],
    );
    assert_eq!(other.status, 200);
    assert_ne!(other.headers["etag"], etag);
}

#[test]
fn bad_parameters_get_400_naming_them() {
    let long = format!("/api/stats?at=2021-06-01&pad={}", "x".repeat(2000));
    let cases: Vec<(String, &str)> = [
        ("/api/stats", "at: missing"),
        ("/api/stats?at=2021-13-01", "at: invalid date"),
        ("/api/stats?at=1990-01-01", "at: no control data"),
        ("/api/stats?at=2021-06-01&zoom=3", "zoom: unknown parameter"),
        (
            "/api/stats?at=2021-06-01&at=2021-06-02",
            "at: given more than once",
        ),
        ("/api/locate?lon=46.7&at=2021-06-01", "lat: missing"),
        ("/api/locate?lat=39.8&at=2021-06-01", "lon: missing"),
        (
            "/api/locate?lat=91&lon=46.7&at=2021-06-01",
            "lat: expected a number",
        ),
        (
            "/api/locate?lat=abc&lon=46.7&at=2021-06-01",
            "lat: expected a number",
        ),
        (
            "/api/locate?lat=NaN&lon=46.7&at=2021-06-01",
            "lat: expected a number",
        ),
        (
            "/api/series?from=2021-06-01&to=2020-01-01",
            "from/to: reversed interval",
        ),
        (
            "/api/diff?from=2020-01-01&to=2021-06-01&format=csv",
            "format: expected one of json, geojson",
        ),
        (
            "/api/diff?from=2020-01-01&to=2021-06-01&by=region",
            "by: expected one of rayon",
        ),
        ("/api/series?from=2021-06-01", "to: missing"),
        ("/api/route/lachin-road-2022", "at: missing"),
        (
            "/api/route/lachin-road-2022?at=2023-01-15&exposure_km=-1",
            "exposure_km: expected a number",
        ),
        (
            "/api/reach?from=atlantis&to=goris&at=2021-06-01&as=armenia",
            "from: unknown place",
        ),
        (
            "/api/reach?from=goris&to=stepanakert&at=2021-06-01&as=martians",
            "as: unknown controller",
        ),
        (
            "/api/export?at=2021-06-01&layer=rivers",
            "layer: expected one of zones",
        ),
        ("/api/zones?at=2021-06-01", "zoom: missing"),
        (
            "/api/zones?at=2021-06-01&zoom=17",
            "zoom: expected a number from 0 to 16",
        ),
        (
            "/api/zones?at=2021-06-01&zoom=2.5",
            "zoom: expected a whole number",
        ),
        (
            "/api/zones?at=2021-06-01&zoom=8&bbox=1,2,3",
            "bbox: invalid bbox",
        ),
        (
            "/api/zones?at=2021-06-01&zoom=8&bbox=46,40,45,41",
            "bbox: invalid bbox",
        ),
        (
            "/api/zones?at=2021-06-01&zoom=8&bbox=0,0,40,40",
            "bbox: wider or taller",
        ),
        (
            "/api/zones?at=2021-06-01&zoom=8&layer=places",
            "layer: expected one of zones",
        ),
        (
            "/map.svg?at=2021-06-01&width=50",
            "width: expected a number from 200",
        ),
        (
            "/map.png?at=2021-06-01&height=1e9",
            "height: expected a number from 200",
        ),
        ("/api/snapshots?x=1", "x: unknown parameter"),
        ("/api/stats?at=%ZZ", "at: invalid date"),
    ]
    .into_iter()
    .map(|(t, e)| (t.to_owned(), e))
    .chain([(long, "query:")])
    .collect();
    for (target, expected) in cases {
        let reply = get(server(), &target, &[]);
        assert_eq!(reply.status, 400, "{target}: {}", reply.text());
        assert_eq!(
            reply.headers["content-type"], "application/json",
            "{target}"
        );
        let error = reply.json()["error"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(
            error.starts_with(expected),
            "{target}: expected an error starting {expected:?}, got {error:?}"
        );
    }
}

#[test]
fn unknown_paths_and_traversal_get_404() {
    for target in [
        "/nothing",
        "/api",
        "/api/stats/2021-06-01",
        "/api/route/no-such-road?at=2021-06-01",
        "/Cargo.toml",
        "/README.md",
        "/../Cargo.toml",
        "/%2e%2e/Cargo.toml",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/assets/../Cargo.toml",
        "/assets/..%2fCargo.toml",
        "/assets/%2e%2e%2f%2e%2e%2fCargo.toml",
        "/assets/app.js%00",
        "/assets/index.html",
        "/assets/vendor/leaflet-1.9.4/LICENSE",
        "/..%5c..%5cCargo.toml",
    ] {
        let reply = get(server(), target, &[]);
        assert_eq!(reply.status, 404, "{target}: {}", reply.text());
        assert!(reply.json()["error"].is_string(), "{target}");
        assert!(!reply.text().contains("[workspace]"), "{target}");
    }
}

#[test]
fn the_page_and_its_assets_are_served_from_memory() {
    let page = get(server(), "/", &[]);
    assert_eq!(page.status, 200);
    assert!(page.headers["content-type"].starts_with("text/html"));
    assert!(page.text().contains("assets/leaflet.js"));
    for asset in ["leaflet.js", "leaflet.css", "app.js", "app.css"] {
        let reply = get(server(), &format!("/assets/{asset}"), &[]);
        assert_eq!(reply.status, 200, "{asset}");
        assert!(reply.body.len() > 1000, "{asset}");
    }
    let data = get(server(), "/api/page", &[]).json();
    assert_eq!(data["from"], "1994-05-12");
    assert!(data["events"].as_array().unwrap().len() > 10);
    assert!(data["changes"].as_array().unwrap().len() > 20);
}

#[test]
fn serve_prints_its_url_and_stops_on_sigterm() {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(env!("CARGO_BIN_EXE_frontline"))
        .args(["serve", "--port", "0"])
        .stderr(Stdio::piped())
        .spawn()
        .expect("frontline serve starts");
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"));
    let address: SocketAddr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .unwrap();
    let reply = get(address, "/api/snapshots", &[]);
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, cli(&["snapshots", "--format", "json"]));
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    assert!(rest.contains("stopped"), "{rest:?}");
}

#[test]
fn atlas_writes_one_self_contained_file() {
    let dir = scratch::scratch("atlas");
    let path = dir.join("atlas.html");
    cli(&[
        "atlas",
        "-o",
        path.to_str().unwrap(),
        "--from",
        "2020-09-27",
        "--to",
        "2020-12-01",
    ]);
    let html = std::fs::read_to_string(&path).unwrap();
    assert!(html.contains("window.FRONTLINE_BUNDLE = {"));
    // Nothing loaded from elsewhere (whether the page then asks the network
    // for anything is the browser test's to prove).
    for outside in ["<script src=", "<link ", "<img ", "url(http", "@import"] {
        assert!(!html.contains(outside), "{outside}");
    }
    // The embedded data holds the snapshots of the span, no more.
    let start =
        html.find("window.FRONTLINE_BUNDLE = ").unwrap() + "window.FRONTLINE_BUNDLE = ".len();
    let end = start + html[start..].find(";</script>").unwrap();
    let bundle: serde_json::Value =
        serde_json::from_str(&html[start..end].replace("<\\/", "</")).unwrap();
    let ids: Vec<&str> = bundle["snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.first(), Some(&"2020-09-27"));
    assert!(ids.iter().all(|id| *id <= "2020-12-01"), "{ids:?}");
    assert!(!bundle["zones"]
        .as_object()
        .unwrap()
        .contains_key("1994-05-12"));
    let stats_cli: serde_json::Value =
        serde_json::from_slice(&cli(&["stats", "--at", "2020-11-10", "--format", "json"])).unwrap();
    let snapshot = stats_cli["snapshot"].as_str().unwrap();
    assert_eq!(
        bundle["stats"][snapshot]["controllers"],
        stats_cli["controllers"]
    );
    let refused = Command::new(env!("CARGO_BIN_EXE_frontline"))
        .args([
            "atlas",
            "-o",
            path.to_str().unwrap(),
            "--from",
            "2021-01-01",
            "--to",
            "2020-01-01",
        ])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("reversed interval"));
}
