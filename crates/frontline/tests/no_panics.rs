//! Every public query taking coordinates or distances, fed NaN, ±∞ and huge
//! values: none panics; a value outside WGS 84 (or not finite) is an error
//! naming it, and the grid handles (`LocateIndex`, `CoverIndex`, built for
//! speed) answer "covered by nothing".

use std::path::Path;
use std::sync::OnceLock;

use frontline::geometry::{buffer_km, LocalProjection};
use frontline::index::{CoverIndex, LocateIndex, RecordError};
use frontline::{parse_date, Atlas, Error};
use geo::{line_string, Point};
use proptest::prelude::*;

fn atlas() -> &'static Atlas {
    static ATLAS: OnceLock<Atlas> = OnceLock::new();
    ATLAS.get_or_init(|| {
        Atlas::open(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/tiny")).unwrap()
    })
}

/// Hostile numbers, and ordinary ones (inside and outside WGS 84 ranges).
fn number() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(1e300),
        Just(-1e300),
        Just(f64::MAX),
        Just(f64::MIN_POSITIVE),
        -200.0..200.0f64,
        -2.0..3.0f64,
    ]
}

fn valid(lon: f64, lat: f64) -> bool {
    (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat)
}

/// An error naming the bad coordinate.
fn names_it(error: &Error, lon: f64, lat: f64) -> bool {
    let text = error.to_string();
    matches!(error, Error::BadCoordinate(_))
        && (text.contains(&format!("latitude {lat} "))
            || text.contains(&format!("longitude {lon} ")))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn point_queries_answer_or_name_the_bad_coordinate(lon in number(), lat in number()) {
        let atlas = atlas();
        let date = parse_date("2012-01-01").unwrap();
        let view = atlas.at(date).unwrap();
        let p = Point::new(lon, lat);
        let ok = valid(lon, lat);
        let results = [
            ("Atlas::locate", atlas.locate(p, date).err()),
            ("View::locate", view.locate(p).err()),
            ("View::locate_exact", view.locate_exact(p).err()),
            ("View::controller_exact", view.controller_exact(p).err()),
            ("View::nearest_other", view.nearest_other(p, Some("west")).err()),
            ("View::nearest_route", view.nearest_route(p).err()),
            ("route::split", frontline::route::split(&view, &line_string![(x: 0.5, y: 0.5), (x: lon, y: lat)]).err()),
            ("LocalProjection::new", LocalProjection::new(lon, lat).err()),
        ];
        for (query, error) in results {
            match error {
                None => prop_assert!(ok, "{query} answered for ({lon}, {lat})"),
                Some(e) => {
                    prop_assert!(!ok, "{query} refused ({lon}, {lat}): {e}");
                    if query != "LocalProjection::new" {
                        prop_assert!(names_it(&e, lon, lat), "{query}: {e}");
                    }
                }
            }
        }
        if ok {
            // The grid and the plain scan agree wherever the point is.
            prop_assert_eq!(view.locate(p).unwrap(), view.locate_exact(p).unwrap());
        }

        // Batches: one answer per record, an error for the bad ones.
        let records = [(lon, lat, date), (0.5, 0.5, date)];
        let mut out = vec![Err(RecordError::UnreadableSnapshot); 2];
        atlas.locate_many(&records, &mut out).unwrap();
        prop_assert_eq!(out[0].is_err(), !ok);
        if !ok {
            prop_assert_eq!(out[0].as_ref().unwrap_err(), &RecordError::BadCoordinate);
        }
        prop_assert_eq!(out[1].as_ref().unwrap().controller(), Some("west"));
        // The controller alone agrees with the whole answer.
        let mut held = vec![Err(RecordError::UnreadableSnapshot); 2];
        atlas.controllers_each(&records, &mut held).unwrap();
        for (held, whole) in held.iter().zip(&out) {
            prop_assert_eq!(
                held.map(|c| c.map(|c| c.id.as_str())),
                whole.map(|l| l.controller())
            );
        }

        // The grid handles: no panic, nothing covers a point outside.
        let index = LocateIndex::new(&view);
        if !ok {
            prop_assert_eq!(index.controller(lon, lat), None);
            let here = index.locate(lon, lat);
            prop_assert_eq!(here.controller(), None);
            prop_assert_eq!(here.de_jure(), None);
            prop_assert_eq!(here.rayon(), None);
            prop_assert_eq!(here.overlays().count(), 0);
            let mut batch = [None; 1];
            index.controllers_into(&[(lon, lat)], &mut batch).unwrap();
            prop_assert!(batch[0].is_none());
            let square = geo::MultiPolygon(vec![geo::Rect::new((0.0, 0.0), (1.0, 1.0)).to_polygon()]);
            let cover = CoverIndex::new([&square]);
            prop_assert_eq!(cover.first(lon, lat), None);
            prop_assert_eq!(cover.covering(lon, lat).count(), 0);
        }
    }

    #[test]
    fn distances_answer_or_name_the_bad_distance(km in number()) {
        let atlas = atlas();
        let date = parse_date("2012-01-01").unwrap();
        let ok = km.is_finite() && km >= 0.0;
        let route = &atlas.routes()[0].id;
        match atlas.route_report(route, date, km) {
            Ok(report) => {
                prop_assert!(ok, "exposure {km} km accepted");
                prop_assert!(report.exposure_km >= 0.0 && report.exposure_km <= report.length_km + 1e-9);
            }
            Err(e) => {
                prop_assert!(!ok, "exposure {km} km refused: {e}");
                let named = matches!(e, Error::BadDistance { .. }) && e.to_string().contains(&format!("{km} km"));
                prop_assert!(named, "{}", e);
            }
        }
        let road = line_string![(x: 0.5, y: 0.5), (x: 1.5, y: 0.5)];
        match buffer_km(&road, km) {
            Ok(_) => prop_assert!(ok, "buffer of {km} km accepted"),
            Err(e) => prop_assert!(!ok || km > 10_000.0, "buffer of {km} km refused: {e}"),
        }
    }
}

#[test]
fn huge_finite_distances_have_a_defined_answer() {
    let atlas = atlas();
    let date = parse_date("2012-01-01").unwrap();
    let route = &atlas.routes()[0].id;
    // Everything is within 1e300 km of the other side: the whole road.
    let report = atlas.route_report(route, date, 1e300).unwrap();
    assert!((report.exposure_km - report.length_km).abs() < 1e-9);
}
