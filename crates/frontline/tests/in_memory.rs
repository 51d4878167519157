//! Atlases built from values ([`frontline::AtlasBuilder`]): closed-form
//! areas and diffs, the same answers as the same data loaded from files, and
//! bad values refused with every problem named.
//!
//! Areas of lon/lat boxes on WGS 84 in closed form (as in `tiny_dataset.rs`):
//! A = Δλ · b²/2 · [q(φ)], q(φ) = sin φ / (1 − e² sin² φ) + artanh(e sin φ) / e.

use std::path::Path;

use frontline::export::Layer;
use frontline::{parse_date, Atlas, AtlasBuilder, Controller, Error, Territory};
use geo::{MultiPolygon, Point, Rect};

fn boxed(west: f64, south: f64, east: f64, north: f64) -> MultiPolygon<f64> {
    MultiPolygon(vec![Rect::new((west, south), (east, north)).to_polygon()])
}

/// Area of a lon/lat box on WGS 84, km².
fn box_km2(west: f64, south: f64, east: f64, north: f64) -> f64 {
    let (a, f): (f64, f64) = (6_378_137.0, 1.0 / 298.257_223_563);
    let e2 = f * (2.0 - f);
    let ecc = e2.sqrt();
    let b2 = a * a * (1.0 - e2);
    let q = |phi: f64| {
        let s = phi.to_radians().sin();
        s / (1.0 - e2 * s * s) + (ecc * s).atanh() / ecc
    };
    (east - west).to_radians() * b2 / 2.0 * (q(north) - q(south)) / 1e6
}

fn close(got: f64, expected: f64) -> bool {
    ((got - expected) / expected).abs() < 1e-6
}

fn side(id: &str, name: &str) -> Controller {
    Controller {
        id: id.into(),
        name: name.into(),
        colour: "#123456".into(),
        allies: Vec::new(),
    }
}

fn territory(country: &str, shape: MultiPolygon<f64>) -> Territory {
    Territory {
        country: country.into(),
        name: country.into(),
        shape,
        source: "test".into(),
        accuracy: "exact".into(),
    }
}

/// The atlas of `examples/in_memory.rs`: two 1° squares on the equator; on
/// 2010-01-01 West takes the western half of East's square.
fn two_squares() -> AtlasBuilder {
    AtlasBuilder::new("Two squares", [side("west", "West"), side("east", "East")])
        .territory(territory("west", boxed(0.0, 0.0, 1.0, 1.0)))
        .territory(territory("east", boxed(1.0, 0.0, 2.0, 1.0)))
        .snapshot(
            parse_date("2010-01-01").unwrap(),
            "West advances",
            [
                ("west", boxed(0.0, 0.0, 1.5, 1.0)),
                ("east", boxed(1.5, 0.0, 2.0, 1.0)),
            ],
        )
        .snapshot(
            parse_date("2000-01-01").unwrap(),
            "Start",
            [
                ("west", boxed(0.0, 0.0, 1.0, 1.0)),
                ("east", boxed(1.0, 0.0, 2.0, 1.0)),
            ],
        )
}

#[test]
fn areas_and_diff_of_an_atlas_built_in_memory_are_the_closed_form_ones() {
    let atlas = two_squares().build().unwrap();
    let d = |text| parse_date(text).unwrap();
    let square = box_km2(0.0, 0.0, 1.0, 1.0);
    let half = box_km2(1.0, 0.0, 1.5, 1.0);
    assert!((square - 12_308.46).abs() < 0.01, "{square}");

    // Snapshots were given out of order: they come by date.
    let ids: Vec<String> = atlas.snapshots().into_iter().map(|s| s.id).collect();
    assert_eq!(ids, ["2000-01-01", "2010-01-01"]);

    let before = atlas.at(d("2005-06-01")).unwrap();
    let after = atlas.at(d("2015-06-01")).unwrap();
    assert!(close(before.area_km2("west").unwrap(), square));
    assert!(close(before.area_km2("East").unwrap(), square)); // display name
    assert!(close(after.area_km2("west").unwrap(), square + half));
    assert!(close(after.area_km2("east").unwrap(), half));
    let stats = after.stats();
    assert_eq!(stats.snapshot, "2010-01-01");
    assert!(close(stats.controllers[0].area_km2, square + half));

    let diff = atlas.diff(d("2005-06-01"), d("2015-06-01")).unwrap();
    assert_eq!(diff.transitions.len(), 1);
    let t = &diff.transitions[0];
    assert_eq!((t.from.as_str(), t.to.as_str()), ("east", "west"));
    assert!(close(t.area_km2, half), "{}", t.area_km2);
    assert!(close(diff.unchanged_km2, square + half));
    assert!(close(diff.total_km2, 2.0 * square));

    let series = atlas.series(d("2000-01-01"), d("2020-01-01")).unwrap();
    assert_eq!(series.rows.len(), 2);
    assert!(close(series.rows[1].areas_km2[1], half));

    // Point queries run on the same grids as for a loaded dataset.
    let at = Point::new(1.25, 0.5);
    assert_eq!(
        before.locate(at).unwrap().controller.as_deref(),
        Some("east")
    );
    assert_eq!(
        after.locate(at).unwrap().controller.as_deref(),
        Some("west")
    );
    assert_eq!(after.locate(at).unwrap().de_jure.as_deref(), Some("east"));
    let near = after.nearest_other(at, Some("west")).unwrap().unwrap();
    assert_eq!(near.id, "east");
    // 0.25° of longitude on the equator: 27.83 km.
    assert!((near.km - 27.83).abs() < 0.01, "{}", near.km);
    let records = [(1.25, 0.5, d("2005-06-01")), (1.25, 0.5, d("2015-06-01"))];
    let mut out = vec![Err(frontline::index::RecordError::BadCoordinate); 2];
    atlas.locate_many(&records, &mut out).unwrap();
    let held: Vec<_> = out
        .iter()
        .map(|r| r.as_ref().unwrap().controller())
        .collect();
    assert_eq!(held, [Some("east"), Some("west")]);
    assert_eq!(after.export(Layer::Zones).features.len(), 2);
    assert!(atlas.source().is_none());
}

fn tiny() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/tiny")
}

/// Every value of a loaded atlas given to the builder.
fn rebuilt(loaded: &Atlas) -> Atlas {
    let mut builder = AtlasBuilder::new(loaded.name.clone(), loaded.controllers().to_vec())
        .description(loaded.description.clone());
    for line in &loaded.attribution {
        builder = builder.attribution(line.clone());
    }
    for info in loaded.snapshots() {
        builder = builder.snapshot_value(loaded.snapshot(&info.id).unwrap().clone());
    }
    for t in loaded.territories() {
        builder = builder.territory(t.clone());
    }
    for a in loaded.admin1() {
        builder = builder.admin1(a.clone());
    }
    for o in loaded.overlays() {
        builder = builder.overlay(o.clone());
    }
    for r in loaded.routes() {
        builder = builder.route(r.clone());
    }
    for p in loaded.places() {
        builder = builder.place(p.clone());
    }
    for e in loaded.events() {
        builder = builder.event(e.clone());
    }
    builder.build().unwrap()
}

#[cfg_attr(not(feature = "routes"), allow(dead_code))]
fn json<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap()
}

#[test]
fn every_query_answers_the_same_in_memory_as_from_files() {
    let loaded = Atlas::open(tiny()).unwrap();
    let built = rebuilt(&loaded);
    let d = |text| parse_date(text).unwrap();
    let dates = [
        d("2000-01-01"),
        d("2005-06-01"),
        d("2010-01-01"),
        d("2030-01-01"),
    ];
    assert_eq!(loaded.snapshots(), built.snapshots());
    for &date in &dates {
        let (a, b) = (loaded.at(date).unwrap(), built.at(date).unwrap());
        assert_eq!(a.stats(), b.stats());
        assert_eq!(a.area_by_de_jure(), b.area_by_de_jure());
        for (_, layer) in Layer::ALL {
            assert_eq!(a.export(layer), b.export(layer), "{layer:?} on {date}");
        }
        for i in 0..=40 {
            for j in 0..=10 {
                let p = Point::new(-0.5 + i as f64 * 0.075, -0.25 + j as f64 * 0.15);
                assert_eq!(
                    a.locate(p).unwrap(),
                    b.locate(p).unwrap(),
                    "{p:?} on {date}"
                );
                assert_eq!(a.locate_exact(p).unwrap(), b.locate_exact(p).unwrap());
            }
        }
        #[cfg(feature = "routes")]
        for route in loaded.routes() {
            assert_eq!(
                json(&loaded.route_report(&route.id, date, 10.0).unwrap()),
                json(&built.route_report(&route.id, date, 10.0).unwrap())
            );
        }
        #[cfg(feature = "routes")]
        for side in ["west", "east"] {
            let (x, y) = (
                loaded.reach("Westville", "Eastville", date, side),
                built.reach("Westville", "Eastville", date, side),
            );
            assert_eq!(
                x.map(|r| json(&r)).map_err(|e| e.to_string()),
                y.map(|r| json(&r)).map_err(|e| e.to_string())
            );
        }
    }
    for pair in dates.windows(2) {
        let (a, b) = (
            loaded.diff(pair[0], pair[1]).unwrap(),
            built.diff(pair[0], pair[1]).unwrap(),
        );
        assert_eq!(a, b);
        assert_eq!(
            a.clone().with_rayons(&loaded),
            b.clone().with_rayons(&built)
        );
    }
    assert_eq!(
        loaded.series(d("2000-01-01"), d("2030-01-01")).unwrap(),
        built.series(d("2000-01-01"), d("2030-01-01")).unwrap()
    );
    let records: Vec<(f64, f64, chrono::NaiveDate)> = (0..200)
        .map(|i| (-0.2 + i as f64 * 0.012, 0.5, dates[i % dates.len()]))
        .collect();
    let mut a = vec![Err(frontline::index::RecordError::BadCoordinate); records.len()];
    let mut b = a.clone();
    loaded.locate_many(&records, &mut a).unwrap();
    built.locate_many(&records, &mut b).unwrap();
    fn ids(
        out: &[Result<frontline::index::LocationRef<'_>, frontline::index::RecordError>],
    ) -> Vec<String> {
        out.iter()
            .map(|r| match r {
                Ok(l) => format!(
                    "{:?} {:?} {:?} {:?}",
                    l.controller(),
                    l.de_jure(),
                    l.rayon(),
                    l.overlays().collect::<Vec<_>>()
                ),
                Err(e) => e.to_string(),
            })
            .collect()
    }
    assert_eq!(ids(&a), ids(&b));
}

#[test]
fn bad_values_are_refused_with_every_problem_named() {
    let d = |text| parse_date(text).unwrap();
    let mut west = side("west", "West");
    west.allies = vec!["nobody".into()];
    let error = AtlasBuilder::new("Bad", [west, side("east", "East")])
        .territory(territory("west", boxed(0.0, 0.0, 1.0, 1.0)))
        .territory(territory("east", boxed(1.0, 0.0, 2.0, 1.0)))
        // Overlapping zones: West reaches 0.5° into East's square.
        .snapshot(
            d("2000-01-01"),
            "",
            [
                ("west", boxed(0.0, 0.0, 1.5, 1.0)),
                ("east", boxed(1.0, 0.0, 2.0, 1.0)),
            ],
        )
        // An unknown controller, and a gap (nobody holds 1.5°–2° E).
        .snapshot(
            d("2010-01-01"),
            "",
            [
                ("west", boxed(0.0, 0.0, 1.0, 1.0)),
                ("north", boxed(1.0, 0.0, 1.5, 1.0)),
            ],
        )
        .build()
        .unwrap_err();
    let Error::Problems(problems) = &error else {
        panic!("expected Error::Problems, found {error:?}");
    };
    let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
    let has = |needle: &str| text.iter().any(|t| t.contains(needle));
    assert!(
        has("controllers: controllers[0].allies: expected controller ids (east, west), found unknown \"nobody\""),
        "{text:#?}"
    );
    assert!(
        has("snapshot 2010-01-01: feature 1: field `controller`: expected a controller id (east, west), found \"north\""),
        "{text:#?}"
    );
    let partition = |id: &str| {
        problems
            .iter()
            .find(|p| p.file == format!("snapshot {id}") && p.feature.is_none())
            .unwrap_or_else(|| panic!("no partition problem for {id}: {text:#?}"))
            .message
            .clone()
    };
    // Overlaps of 0.5° × 1°, and a gap of as much.
    let half = format!("{:.2}", box_km2(1.0, 0.0, 1.5, 1.0));
    assert!(
        partition("2000-01-01").contains(&format!("overlaps {half}")),
        "{text:#?}"
    );
    assert!(
        partition("2010-01-01").contains(&format!("found gaps {half}")),
        "{text:#?}"
    );
    assert_eq!(problems.len(), 4, "{text:#?}");
    // The message lists them all.
    let message = error.to_string();
    assert!(
        message.starts_with("invalid dataset: 4 problems: "),
        "{message}"
    );
    for t in &text {
        assert!(message.contains(t.as_str()), "{message}");
    }
}

#[test]
fn no_snapshot_two_on_one_date_and_coordinates_out_of_range_are_refused() {
    let d = |text| parse_date(text).unwrap();
    let error = AtlasBuilder::new("Empty", [side("west", "West")])
        .build()
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid dataset: snapshots: expected at least one snapshot"
    );
    let error = AtlasBuilder::new("Twice", [side("west", "West")])
        .snapshot(d("2000-01-01"), "", [("west", boxed(0.0, 0.0, 1.0, 1.0))])
        .snapshot(d("2000-01-01"), "", [("west", boxed(0.0, 0.0, 1.0, 1.0))])
        .snapshot(d("2001-01-01"), "", [("west", boxed(0.0, 0.0, 200.0, 1.0))])
        .build()
        .unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("snapshots: two snapshots dated 2000-01-01: expected one per date"),
        "{message}"
    );
    assert!(
        message.contains("snapshot 2001-01-01: feature 0: field `geometry`: expected WGS 84 lon/lat: longitude 200 is outside [-180, 180]"),
        "{message}"
    );
}
