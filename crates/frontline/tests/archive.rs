//! Dated archives round-trip: a synthetic archive written by the test (boxes
//! between meridians and parallels, whose areas are known in closed form on
//! the WGS 84 ellipsoid) gives those areas back, and diffs give the known
//! differences.

#[path = "support/scratch.rs"]
mod scratch;

use scratch::{scratch, Scratch};
use std::io::Write;

use frontline::archive::{validate_archive, ArchiveOptions};
use frontline::{parse_date, Atlas};

/// Area of the box [lon0, lon1] × [lat0, lat1] on WGS 84, km²: the
/// ellipsoidal zone formula Δλ · b²/2 · [q(φ)]_{φ0}^{φ1}.
fn box_km2(lon0: f64, lon1: f64, lat0: f64, lat1: f64) -> f64 {
    let a = 6_378_137.0_f64;
    let f = 1.0 / 298.257_223_563;
    let b = a * (1.0 - f);
    let e = (f * (2.0 - f)).sqrt();
    let q = |lat: f64| {
        let s = lat.to_radians().sin();
        s / (1.0 - e * e * s * s) + ((1.0 + e * s) / (1.0 - e * s)).ln() / (2.0 * e)
    };
    (lon1 - lon0).to_radians() * b * b / 2.0 * (q(lat1) - q(lat0)) / 1e6
}

fn polygon(lon0: f64, lon1: f64) -> String {
    format!(
        r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{}},"geometry":{{"type":"Polygon","coordinates":[[[{lon0},48],[{lon1},48],[{lon1},49],[{lon0},49],[{lon0},48]]]}}}}]}}"#
    )
}

/// Five dates; on date i the side holds [30, 30.5 + 0.25 i] × [48, 49].
fn archive(name: &str) -> (Scratch, Vec<(String, f64)>) {
    let dir = scratch(&format!("archive-{name}"));
    let mut days = Vec::new();
    for i in 0..5 {
        let date = format!("2022-03-{:02}", 1 + 7 * i);
        let east = 30.5 + 0.25 * i as f64;
        let text = polygon(30.0, east);
        if i % 2 == 0 {
            std::fs::write(
                dir.join(format!("front_{}.geojson", date.replace('-', ""))),
                text,
            )
            .unwrap();
        } else {
            let file = std::fs::File::create(dir.join(format!("{date}.geojson.gz"))).unwrap();
            let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
            gz.write_all(text.as_bytes()).unwrap();
            gz.finish().unwrap();
        }
        days.push((date, east));
    }
    (dir, days)
}

#[test]
fn stats_equal_the_known_areas() {
    let (dir, days) = archive("stats");
    let atlas = Atlas::open_archive(&dir, &ArchiveOptions::new("Blue")).unwrap();
    assert_eq!(atlas.snapshots().len(), 5);
    for (date, east) in &days {
        let view = atlas.at(parse_date(date).unwrap()).unwrap();
        let area = view.area_km2("blue").unwrap();
        let known = box_km2(30.0, *east, 48.0, 49.0);
        assert!(
            ((area - known) / known).abs() < 1e-6,
            "{date}: {area} vs {known}"
        );
    }
    // Between files the earlier one is in force.
    let view = atlas.at(parse_date("2022-03-10").unwrap()).unwrap();
    assert_eq!(view.snapshot.id, "2022-03-08");
}

#[test]
fn diff_equals_the_known_difference() {
    let (dir, _) = archive("diff");
    let atlas = Atlas::open_archive(&dir, &ArchiveOptions::new("Blue")).unwrap();
    let diff = atlas
        .diff(
            parse_date("2022-03-01").unwrap(),
            parse_date("2022-03-29").unwrap(),
        )
        .unwrap();
    let gained = diff.transferred_km2("other", "blue");
    let known = box_km2(30.5, 31.5, 48.0, 49.0);
    assert!(
        ((gained - known) / known).abs() < 1e-6,
        "{gained} vs {known}"
    );
    assert_eq!(diff.transferred_km2("blue", "other"), 0.0);
    let back = atlas
        .diff(
            parse_date("2022-03-29").unwrap(),
            parse_date("2022-03-01").unwrap(),
        )
        .unwrap();
    assert!(((back.transferred_km2("blue", "other") - known) / known).abs() < 1e-6);
}

#[test]
fn with_a_region_other_holds_the_rest() {
    let (dir, _) = archive("region");
    let outside = scratch("region");
    let region = outside.join("region.geojson");
    std::fs::write(&region, polygon(29.0, 33.0)).unwrap();
    let mut options = ArchiveOptions::new("Blue");
    options.region = Some(region);
    let atlas = Atlas::open_archive(&dir, &options).unwrap();
    let stats = atlas.at(parse_date("2022-03-01").unwrap()).unwrap().stats();
    let other = stats
        .controllers
        .iter()
        .find(|c| c.id == "other")
        .unwrap()
        .area_km2;
    let known = box_km2(29.0, 30.0, 48.0, 49.0) + box_km2(30.5, 33.0, 48.0, 49.0);
    assert!(((other - known) / known).abs() < 1e-6, "{other} vs {known}");
}

#[test]
fn listing_dates_reads_no_geometry() {
    let (dir, _) = archive("lazy");
    // Corrupt every file: listing still works, a query names the file.
    for entry in std::fs::read_dir(&dir).unwrap().flatten() {
        std::fs::write(entry.path(), b"not json").unwrap();
    }
    let atlas = Atlas::open_archive(&dir, &ArchiveOptions::new("Blue")).unwrap();
    assert_eq!(atlas.snapshots().len(), 5);
    let error = atlas
        .at(parse_date("2022-03-09").unwrap())
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("2022-03-08.geojson.gz: cannot read"),
        "{error}"
    );
}

#[test]
fn a_bad_file_fails_unless_skipped() {
    let (dir, _) = archive("skip");
    std::fs::write(
        dir.join("front_20220320.geojson"),
        br#"{"type":"Polygon","coordinates":[[[30,48],[31,95],[31,49],[30,48]]]}"#,
    )
    .unwrap();
    let atlas = Atlas::open_archive(&dir, &ArchiveOptions::new("Blue")).unwrap();
    let date = parse_date("2022-03-21").unwrap();
    let error = atlas.at(date).unwrap_err().to_string();
    assert!(
        error.contains(
            "front_20220320.geojson: feature 0: field `geometry`: ring 0, position 1: latitude 95"
        ),
        "{error}"
    );
    let mut options = ArchiveOptions::new("Blue");
    options.skip_bad = true;
    let atlas = Atlas::open_archive(&dir, &options).unwrap();
    assert_eq!(atlas.at(date).unwrap().snapshot.id, "2022-03-15");
    assert_eq!(atlas.unreadable().len(), 1);
    let reports = validate_archive(&dir, &options).unwrap();
    assert_eq!(reports.len(), 6);
    assert_eq!(reports.iter().filter(|r| !r.problems.is_empty()).count(), 1);
}

#[test]
fn names_without_dates_and_custom_patterns() {
    let (dir, _) = archive("pattern");
    std::fs::write(dir.join("readme.json"), b"{}").unwrap();
    let error = Atlas::open_archive(&dir, &ArchiveOptions::new("Blue"))
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("readme.json: no date in the file name"),
        "{error}"
    );

    let custom = scratch("archive-custom");
    std::fs::write(custom.join("map 05.03.2022.geojson"), polygon(30.0, 31.0)).unwrap();
    let mut options = ArchiveOptions::new("Blue");
    options.date_pattern = Some(r"(?P<d>\d{2})\.(?P<m>\d{2})\.(?P<y>\d{4})".into());
    let atlas = Atlas::open_archive(&custom, &options).unwrap();
    assert_eq!(atlas.snapshots()[0].id, "2022-03-05");
    options.date_pattern = Some(r"(\d+)".into());
    assert!(Atlas::open_archive(&custom, &options)
        .unwrap_err()
        .to_string()
        .contains("lacks the named group"));
}

#[test]
fn a_repair_never_adds_ground() {
    use frontline::geometry::area_km2;
    use frontline::ingest::{read_polygons, Strictness};
    let square = "[[0,0],[1,0],[1,1],[0,1],[0,0]]";
    let plain = format!(r#"{{"type": "Polygon", "coordinates": [{square}]}}"#);
    let expected = area_km2(
        &read_polygons("plain", plain.as_bytes(), Strictness::Strict)
            .unwrap()
            .shape,
    );
    // A hole wholly outside the exterior, and one half outside it.
    for hole in [
        "[[2,0],[3,0],[3,1],[2,1],[2,0]]",
        "[[0.5,0.25],[1.5,0.25],[1.5,0.75],[0.5,0.75],[0.5,0.25]]",
    ] {
        let text = format!(r#"{{"type": "Polygon", "coordinates": [{square}, {hole}]}}"#);
        let read = read_polygons("holed", text.as_bytes(), Strictness::Repair).unwrap();
        assert_eq!(read.repairs.len(), 1, "{hole}");
        let got = area_km2(&read.shape);
        assert!(
            got <= expected * (1.0 + 1e-9),
            "{hole}: {got} km² > {expected} km²"
        );
    }
    // The half-outside hole still takes its inside half away.
    let text = format!(
        r#"{{"type": "Polygon", "coordinates": [{square}, [[0.5,0.25],[1.5,0.25],[1.5,0.75],[0.5,0.75],[0.5,0.25]]]}}"#
    );
    let read = read_polygons("holed", text.as_bytes(), Strictness::Repair).unwrap();
    let got = area_km2(&read.shape);
    assert!((got / expected - 0.75).abs() < 0.01, "{got} vs {expected}");
}

#[test]
fn what_an_archive_leaves_out_is_in_its_warnings_and_reports() {
    let dir = scratch("archive-warnings");
    std::fs::write(dir.join("held_20220301.geojson"), polygon(30.0, 31.0)).unwrap();
    std::fs::write(
        dir.join("held_20220308.geojson"),
        r#"{"type":"FeatureCollection","features":[]}"#,
    )
    .unwrap();
    std::fs::write(dir.join("held_2022-02-30.geojson"), polygon(30.0, 31.0)).unwrap();
    let region = dir.join("region.json.txt");
    std::fs::write(&region, polygon(40.0, 41.0)).unwrap();
    let mut options = ArchiveOptions::new("North");
    options.skip_bad = true;
    options.region = Some(region.clone());
    let atlas = Atlas::open_archive(&dir, &options).unwrap();
    let messages = |atlas: &Atlas| -> Vec<String> {
        atlas.warnings().iter().map(ToString::to_string).collect()
    };
    assert_eq!(
        messages(&atlas),
        ["held_2022-02-30.geojson: invalid date 2022-02-30 in the file name: no such day (skipped)"]
    );
    let series = atlas
        .series(
            parse_date("2022-03-01").unwrap(),
            parse_date("2022-03-10").unwrap(),
        )
        .unwrap();
    assert!(series.rows.iter().all(|r| r.areas_km2[0] == 0.0));
    let mut seen = messages(&atlas);
    seen.sort();
    assert_eq!(
        seen,
        [
            "held_2022-02-30.geojson: invalid date 2022-02-30 in the file name: no such day (skipped)"
                .to_owned(),
            format!(
                "held_20220301.geojson: none of its {:.3} km² lies in the region: left out",
                box_km2(30.0, 31.0, 48.0, 49.0)
            ),
            "held_20220308.geojson: no features: the side holds no ground on this date".to_owned(),
        ]
    );
    let reports = validate_archive(&dir, &options).unwrap();
    let warnings: Vec<usize> = reports.iter().map(|r| r.warnings.len()).collect();
    assert_eq!(warnings, [1, 1, 0]);
}
