//! The loader, as-of look-ups, areas and validation on a tiny synthetic
//! dataset (`tests/data/tiny`: two 1° squares on the equator) whose areas
//! are known in closed form: the ellipsoidal zone between two parallels,
//! A = Δλ · b²/2 · [q(φ)] with q(φ) = sin φ / (1 − e² sin² φ) + artanh(e sin φ) / e
//! on WGS 84 (GeographicLib on the densely sampled boxes agrees to 1e-11).

#[path = "support/scratch.rs"]
mod scratch;

use std::path::{Path, PathBuf};

use frontline::{parse_date, Atlas, DataSource, Error};
use geo::Point;

fn tiny() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/tiny")
}

/// Copies the tiny dataset to a fresh temp dir, applying `edit` to one file.
fn tiny_with(file: &str, edit: impl Fn(String) -> String) -> scratch::Scratch {
    let dir = scratch::scratch(&format!("test-{}", file.replace('/', "_")));
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
        let text = std::fs::read_to_string(tiny().join(name)).unwrap();
        let text = if name == file { edit(text) } else { text };
        std::fs::write(dir.join(name), text).unwrap();
    }
    dir
}

fn relative(a: f64, b: f64) -> f64 {
    ((a - b) / b).abs()
}

#[test]
fn areas_are_geodesic_and_match_geographiclib() {
    let atlas = Atlas::open(tiny()).unwrap();
    let stats = atlas.at(parse_date("2012-03-04").unwrap()).unwrap().stats();
    assert_eq!(stats.snapshot, "2010-01-01");
    let area = |id: &str| {
        stats
            .controllers
            .iter()
            .find(|c| c.id == id)
            .unwrap()
            .area_km2
    };
    assert!(
        relative(area("west"), 18462.695840962802) < 1e-6,
        "{}",
        area("west")
    );
    assert!(
        relative(area("east"), 6154.231946987602) < 1e-6,
        "{}",
        area("east")
    );
    assert!(relative(stats.overlays[0].area_km2, 2461.692778795043) < 1e-6);
}

#[test]
fn snapshot_in_force_and_overlay_validity() {
    let atlas = Atlas::open(tiny()).unwrap();
    let before = atlas.at(parse_date("2009-12-31").unwrap()).unwrap();
    assert_eq!(before.snapshot.id, "2000-01-01");
    assert!(before.overlays.is_empty());
    let after = atlas.at(parse_date("2010-01-01").unwrap()).unwrap();
    assert_eq!(after.snapshot.id, "2010-01-01");
    assert_eq!(after.overlays.len(), 1);
    // valid_to is exclusive
    assert!(atlas
        .at(parse_date("2015-01-01").unwrap())
        .unwrap()
        .overlays
        .is_empty());
    let infos = atlas.snapshots();
    assert_eq!(infos[0].until, Some(parse_date("2010-01-01").unwrap()));
    assert_eq!(infos[1].until, None);
}

#[test]
fn before_the_first_snapshot_is_an_error() {
    let atlas = Atlas::open(tiny()).unwrap();
    let error = atlas.at(parse_date("1999-12-31").unwrap()).unwrap_err();
    assert!(matches!(error, Error::BeforeFirstSnapshot { .. }));
    assert!(
        error.to_string().contains("starts on 2000-01-01"),
        "{error}"
    );
}

#[test]
fn locate_controller_de_jure_rayon_overlays() {
    let atlas = Atlas::open(tiny()).unwrap();
    let date = parse_date("2012-01-01").unwrap();
    let here = atlas.locate(Point::new(1.45, 0.5), date).unwrap();
    assert_eq!(here.controller.as_deref(), Some("west"));
    assert_eq!(here.de_jure.as_deref(), Some("east"));
    assert_eq!(here.rayon.as_deref(), Some("East One"));
    assert_eq!(here.overlays, vec!["buffer-zone".to_owned()]);
    let outside = atlas.locate(Point::new(5.0, 5.0), date).unwrap();
    assert_eq!(
        (outside.controller, outside.de_jure, outside.rayon),
        (None, None, None)
    );
    // On the shared boundary x = 1.5 the first controller in the manifest wins.
    assert_eq!(
        atlas
            .locate(Point::new(1.5, 0.5), date)
            .unwrap()
            .controller
            .as_deref(),
        Some("west")
    );
    assert!(matches!(
        atlas.locate(Point::new(0.0, 91.0), date),
        Err(Error::BadCoordinate(_))
    ));
    assert!(matches!(
        atlas.locate(Point::new(f64::NAN, 0.0), date),
        Err(Error::BadCoordinate(_))
    ));
}

#[test]
fn places_by_name_id_or_alias() {
    let atlas = Atlas::open(tiny()).unwrap();
    assert_eq!(atlas.place("OUESTVILLE").unwrap().id, "westville");
    assert_eq!(atlas.place("eastville").unwrap().name, "Eastville");
    let error = atlas.place("Eastvile").unwrap_err();
    assert!(
        error.to_string().contains("did you mean: Eastville"),
        "{error}"
    );
}

#[test]
fn the_tiny_dataset_validates() {
    let report = Atlas::validate(DataSource::Directory(tiny())).unwrap();
    assert!(report.is_ok(), "{:?}", report.problems);
    assert_eq!(report.partitions.len(), 2);
    for p in &report.partitions {
        assert!(p.error_km2() < 1e-6, "{p:?}");
    }
}

#[test]
fn a_bad_field_is_located() {
    let dir = tiny_with("places.geojson", |t| {
        t.replace("\"country\": \"east\"", "\"country\": 7")
    });
    let error = Atlas::open(&dir).unwrap_err().to_string();
    assert!(error.contains("places.geojson: feature 1: field `country`: expected a non-empty string, found number 7"), "{error}");
}

#[test]
fn an_unknown_controller_in_a_snapshot_is_located() {
    let dir = tiny_with("snapshots/2010-01-01.geojson", |t| {
        t.replace("\"controller\": \"east\"", "\"controller\": \"north\"")
    });
    let atlas = Atlas::open(&dir).unwrap();
    let error = atlas
        .at(parse_date("2011-01-01").unwrap())
        .unwrap_err()
        .to_string();
    assert!(error.contains("snapshots/2010-01-01.geojson: feature 1: field `controller`: expected a controller id (east, west), found \"north\""), "{error}");
}

#[test]
fn gaps_and_overlaps_are_reported_by_validate() {
    let dir = tiny_with("snapshots/2010-01-01.geojson", |t| {
        t.replacen("[1.5, 0], [1.5, 1]", "[1.6, 0], [1.6, 1]", 1)
    });
    let report = Atlas::validate(DataSource::Directory(dir.to_path_buf())).unwrap();
    let problem = report
        .problems
        .iter()
        .find(|p| p.file == "snapshot 2010-01-01")
        .expect("a partition problem");
    assert!(problem.message.contains("overlaps"), "{problem}");
    let check = &report.partitions[1];
    assert!(check.overlap_km2 > 1000.0, "{check:?}");
}

#[test]
fn malformed_json_and_bad_coordinates_are_located() {
    let dir = tiny_with("routes.geojson", |t| t.replace("[1.5, 0.5]", "[1.5, 95.5]"));
    let error = Atlas::open(&dir).unwrap_err().to_string();
    assert!(error.contains("routes.geojson: feature 0: field `geometry`: position 1: expected lon in [-180, 180] and lat in [-90, 90], found [1.5, 95.5]"), "{error}");
    let dir = tiny_with("events.geojson", |t| t[..t.len() / 2].to_owned());
    let error = Atlas::open(&dir).unwrap_err().to_string();
    assert!(
        error.contains("events.geojson: expected a GeoJSON FeatureCollection"),
        "{error}"
    );
    let dir = tiny_with("manifest.json", |t| {
        t.replace("\"date\": \"2010-01-01\"", "\"date\": \"1990-01-01\"")
    });
    let error = Atlas::open(&dir).unwrap_err().to_string();
    assert!(
        error.contains("snapshots[1].date: expected a date after 2000-01-01"),
        "{error}"
    );
}

#[test]
fn a_missing_manifest_says_what_to_pass() {
    let error = Atlas::open("/nonexistent/dir").unwrap_err().to_string();
    assert!(error.contains("manifest.json"), "{error}");
}

#[test]
fn exported_zones_are_rfc7946() {
    use geo::{orient::Direction, Orient};
    let atlas = Atlas::open(tiny()).unwrap();
    let zones = atlas
        .at(parse_date("2012-01-01").unwrap())
        .unwrap()
        .export(frontline::export::Layer::Zones);
    assert_eq!(zones.features.len(), 2);
    for feature in &zones.features {
        let shape: geo::MultiPolygon<f64> = feature
            .geometry
            .as_ref()
            .unwrap()
            .value
            .clone()
            .try_into()
            .unwrap();
        assert_eq!(
            shape.orient(Direction::Default),
            shape,
            "exteriors counter-clockwise"
        );
        assert!(feature.property("controller").is_some());
    }
}

#[test]
fn series_refuses_a_reversed_interval_and_clamps_one_before_the_data() {
    let atlas = Atlas::open(tiny()).unwrap();
    let day = |s| parse_date(s).unwrap();
    match atlas.series(day("2012-01-01"), day("2001-01-01")) {
        Err(Error::ReversedInterval { from, to }) => {
            assert_eq!((from, to), (day("2012-01-01"), day("2001-01-01")));
        }
        other => panic!("expected ReversedInterval, got {other:?}"),
    }
    let series = atlas.series(day("1990-01-01"), day("2012-01-01")).unwrap();
    assert_eq!(series.clamped_from, Some(day("1990-01-01")));
    let dates: Vec<_> = series.rows.iter().map(|r| r.date).collect();
    assert_eq!(dates, [day("2000-01-01"), day("2010-01-01")]);
    let unclamped = atlas.series(day("2001-01-01"), day("2012-01-01")).unwrap();
    assert_eq!(unclamped.clamped_from, None);
    assert_eq!(unclamped.rows[0].date, day("2001-01-01"));
    assert!(matches!(
        atlas.series(day("1990-01-01"), day("1995-01-01")),
        Err(Error::BeforeFirstSnapshot { .. })
    ));
}

#[test]
fn polygons_larger_than_a_hemisphere_measure_as_themselves() {
    use frontline::geometry::area_km2;
    use geo::{polygon, MultiPolygon};
    let boxed = |w: f64, s: f64, e: f64, n: f64| {
        MultiPolygon(vec![polygon![
            (x: w, y: s), (x: e, y: s), (x: e, y: n), (x: w, y: n), (x: w, y: s)
        ]])
    };
    // A lon/lat box's area on WGS 84: Δλ · b²/2 · [q(φ)], as at the top.
    let zone = |w: f64, s: f64, e: f64, n: f64| {
        let (a, f): (f64, f64) = (6_378_137.0, 1.0 / 298.257_223_563);
        let e2 = f * (2.0 - f);
        let ecc = e2.sqrt();
        let b2 = a * a * (1.0 - e2);
        let q = |phi: f64| {
            let s = phi.to_radians().sin();
            s / (1.0 - e2 * s * s) + (ecc * s).atanh() / ecc
        };
        (e - w).to_radians() * b2 / 2.0 * (q(n) - q(s)) / 1e6
    };
    for (w, s, e, n) in [
        (-170.0, -80.0, 170.0, 80.0),
        (-180.0, -90.0, 180.0, 90.0),
        (-180.0, -89.0, 180.0, 89.0),
        (0.0, 0.0, 1.0, 1.0),
        (-179.0, 0.0, 179.0, 89.0),
    ] {
        let expected = zone(w, s, e, n);
        for shape in [boxed(w, s, e, n), {
            // The same ring the other way round.
            let mut m = boxed(w, s, e, n);
            m.0[0].exterior_mut(|r| r.0.reverse());
            m
        }] {
            let got = area_km2(&shape);
            assert!(
                ((got - expected) / expected).abs() < 1e-6,
                "box {w},{s},{e},{n}: {got} km², expected {expected} km²"
            );
        }
    }
    assert!((zone(-180.0, -90.0, 180.0, 90.0) - 510_065_621.7).abs() < 1.0);
}
