//! Routes and reachability on the bundled dataset, against the timeline of
//! `../shared/reference/FACTS.md` (corridor from 2020-12-01, new road from
//! 2022-08-26, blockade from 2022-12-12, Hakari checkpoint from 2023-04-23,
//! everything Azerbaijani from 2023-09-20).

#[path = "support/scratch.rs"]
mod scratch;

use frontline::route::RouteStatus;
use frontline::{parse_date, Atlas};

fn atlas() -> Atlas {
    Atlas::embedded().unwrap()
}

fn d(text: &str) -> chrono::NaiveDate {
    parse_date(text).unwrap()
}

#[test]
fn corridor_roads_keep_to_their_corridors() {
    let atlas = atlas();
    for (road, date) in [
        ("lachin-road-2020", "2021-06-01"),
        ("lachin-road-2022", "2022-10-01"),
    ] {
        let report = atlas.route_report(road, d(date), 2.0).unwrap();
        let share = report.in_corridor_share.unwrap();
        assert!(share >= 0.99, "{road}: {share}");
    }
}

#[test]
fn segment_lengths_add_up_to_the_route() {
    let atlas = atlas();
    for route in atlas.routes() {
        for date in ["1994-05-12", "2021-06-01", "2023-01-15", "2023-09-21"] {
            let report = atlas.route_report(&route.id, d(date), 2.0).unwrap();
            let sum: f64 = report.segments.iter().map(|s| s.length_km).sum();
            assert!(
                (sum / report.length_km - 1.0).abs() < 1e-9,
                "{} {date}: {sum} vs {}",
                route.id,
                report.length_km
            );
            let by: f64 = report.by_controller.values().sum();
            assert!((by / report.length_km - 1.0).abs() < 1e-9);
        }
    }
}

#[test]
fn status_follows_the_events() {
    let atlas = atlas();
    let status = |date: &str| {
        let r = atlas
            .route_report("lachin-road-2022", d(date), 2.0)
            .unwrap();
        (r.status, r.status_events)
    };
    assert_eq!(status("2022-10-01"), (RouteStatus::Open, vec![]));
    assert_eq!(
        status("2023-01-15"),
        (RouteStatus::Blockaded, vec!["blockade-2022".to_owned()])
    );
    assert_eq!(status("2023-05-01").0, RouteStatus::Blockaded);
    assert!(status("2023-05-01")
        .1
        .contains(&"hakari-checkpoint-2023".to_owned()));
    assert_eq!(status("2023-07-01").0, RouteStatus::Closed);
    assert_eq!(status("2023-09-21").0, RouteStatus::Gone);
    assert_eq!(status("2022-01-01").0, RouteStatus::Closed, "not built yet");
    assert_eq!(
        atlas
            .route_report("lachin-road-2020", d("2022-09-01"), 2.0)
            .unwrap()
            .status,
        RouteStatus::Gone
    );
}

#[test]
fn exposure_near_other_sides_ground() {
    let atlas = atlas();
    // In 2021 the 2020 corridor passes within 2 km of Azerbaijani-held Shusha.
    let report = atlas
        .route_report("lachin-road-2020", d("2021-06-01"), 2.0)
        .unwrap();
    assert!(
        report.exposure_km > 1.0 && report.exposure_km <= report.length_km,
        "{}",
        report.exposure_km
    );
    let wider = atlas
        .route_report("lachin-road-2020", d("2021-06-01"), 5.0)
        .unwrap();
    assert!(wider.exposure_km >= report.exposure_km);
    let none = atlas
        .route_report("lachin-road-2020", d("2021-06-01"), 0.0)
        .unwrap();
    assert!(none.exposure_km < report.exposure_km);
}

#[test]
fn goris_to_stepanakert_for_armenia() {
    let atlas = atlas();
    let reach = |date: &str| {
        atlas
            .reach("Goris", "Stepanakert", d(date), "armenia")
            .unwrap()
    };
    let r = reach("2021-06-01");
    assert!(r.reachable, "{:?}", r.reason);
    assert!(
        r.path.contains(&"lachin-road-2020".to_owned()),
        "{:?}",
        r.path
    );
    let length = r.length_km.unwrap();
    assert!((50.0..80.0).contains(&length), "{length}");
    let r = reach("2022-10-01");
    assert!(r.reachable, "{:?}", r.reason);
    assert!(
        r.path.contains(&"lachin-road-2022".to_owned()),
        "{:?}",
        r.path
    );
    let r = reach("2023-01-15");
    assert!(!r.reachable);
    assert!(
        r.reason.as_deref().unwrap().contains("blockade-2022"),
        "{:?}",
        r.reason
    );
    assert_eq!(r.length_km, None);
    let r = reach("2023-09-21");
    assert!(!r.reachable);
    assert!(
        r.reason
            .as_deref()
            .unwrap()
            .starts_with("Stepanakert is held by azerbaijan on 2023-09-21"),
        "{:?}",
        r.reason
    );
}

#[test]
fn stepanakert_to_aghdam_for_nkr_in_2023() {
    let atlas = atlas();
    let r = atlas
        .reach("Stepanakert", "Aghdam", d("2023-08-01"), "nkr")
        .unwrap();
    assert!(!r.reachable);
    let reason = r.reason.unwrap();
    assert!(
        reason.contains("aghdam-road crosses ground nkr may not cross")
            && reason.contains("held by azerbaijan"),
        "{reason}"
    );
}

#[test]
fn unknown_names_are_errors() {
    let atlas = atlas();
    assert!(atlas
        .route_report("no-such-road", d("2021-06-01"), 2.0)
        .is_err());
    assert!(atlas
        .reach("Goris", "Atlantis", d("2021-06-01"), "armenia")
        .is_err());
    assert!(atlas
        .reach("Goris", "Stepanakert", d("2021-06-01"), "martians")
        .is_err());
}

#[test]
fn corridor_roads_run_down_the_middle_of_their_strips() {
    // The strips are the roads buffered 2.5 km each side, so the road is
    // their centre line: off by no more than the buffer's polygonisation,
    // near Lachin, Aghavno and Sus (inside the 2020 corridor with a kilometre
    // around each) by less than a kilometre, and at the Hakari bridge, where
    // the Armenian border cuts the 2022 strip, by less than two.
    let atlas = atlas();
    for (road, date, most) in [
        ("lachin-road-2020", "2021-06-01", 1.0),
        ("lachin-road-2022", "2022-10-01", 2.0),
    ] {
        let off = atlas
            .route_report(road, d(date), 2.0)
            .unwrap()
            .max_off_centre_km
            .unwrap();
        assert!(off < most, "{road}: {off} km off centre");
    }
    assert_eq!(
        atlas
            .route_report("aghdam-road", d("2021-06-01"), 2.0)
            .unwrap()
            .max_off_centre_km,
        None
    );
}

#[test]
fn a_negative_exposure_distance_is_named_as_such() {
    let atlas = frontline::Atlas::open(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/tiny"),
    )
    .unwrap();
    let error = atlas
        .route_report(
            "main-road",
            frontline::parse_date("2012-01-01").unwrap(),
            -1.0,
        )
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid exposure distance -1 km: expected a number of km ≥ 0"
    );
}

#[test]
fn reach_suggestions_come_in_the_same_order_every_time() {
    let tiny = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/tiny");
    let dir = scratch::scratch("reach-order");
    std::fs::create_dir_all(dir.join("snapshots")).unwrap();
    for name in [
        "manifest.json",
        "de_jure.geojson",
        "admin1.geojson",
        "overlays.geojson",
        "routes.geojson",
        "events.geojson",
        "snapshots/2000-01-01.geojson",
        "snapshots/2010-01-01.geojson",
    ] {
        std::fs::copy(tiny.join(name), dir.join(name)).unwrap();
    }
    // Places on the road at both ends and halfway, and one off it.
    let place = |id: &str, lon: f64, lat: f64| {
        serde_json::json!({"type": "Feature", "properties": {"id": id, "name": id, "aliases": [],
            "country": "west", "admin1": "W-1", "source": "test", "accuracy": "exact"},
            "geometry": {"type": "Point", "coordinates": [lon, lat]}})
    };
    let places = serde_json::json!({"type": "FeatureCollection", "features": [
        place("zulu", 0.5, 0.5), place("mike", 1.5, 0.5), place("alpha", 1.0, 0.5),
        place("island", 0.9, 0.9)]});
    std::fs::write(dir.join("places.geojson"), places.to_string()).unwrap();
    let atlas = frontline::Atlas::open(&dir).unwrap();
    let day = frontline::parse_date("2012-01-01").unwrap();
    for _ in 0..24 {
        let error = atlas.reach("island", "zulu", day, "west").unwrap_err();
        assert_eq!(
            error.to_string(),
            "unknown place on the road graph \"island\" (did you mean: mike, zulu?)"
        );
    }
}
