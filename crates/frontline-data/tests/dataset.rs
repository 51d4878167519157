//! The bundled dataset against the published figures of
//! `../shared/reference/FACTS.md` (quoted beside each check) and against its
//! own invariants: reproducible from the sources, valid polygons, zones that
//! partition the region.

use std::path::Path;

use frontline::geometry::{area_km2, length_km};
use frontline::validate::{check_partition, region, PARTITION_TOLERANCE_KM2};
use frontline::{parse_date, Atlas, DataSource};
use geo::{BooleanOps, Intersects, MultiLineString, Point};

fn atlas() -> Atlas {
    Atlas::embedded().expect("the embedded dataset loads")
}

fn held_share(atlas: &Atlas, date: &str, controller: &str, unit: &str) -> f64 {
    let view = atlas.at(parse_date(date).unwrap()).unwrap();
    let unit = &atlas.admin1().iter().find(|u| u.id == unit).unwrap().shape;
    let held = view
        .snapshot
        .zone(controller)
        .map_or(0.0, |z| area_km2(&z.shape.intersection(unit)));
    held / area_km2(unit)
}

fn controller_at(atlas: &Atlas, place: &str, date: &str) -> String {
    let point = atlas.place(place).unwrap().point;
    atlas
        .locate(point, parse_date(date).unwrap())
        .unwrap()
        .controller
        .unwrap_or_default()
}

#[test]
fn committed_files_are_what_the_sources_build() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let files = frontline_data::build(&root.join("data/sources")).unwrap();
    let differ = frontline_data::differences(&files, &root.join("data/geojson"));
    assert!(differ.is_empty(), "data/geojson differs from a fresh build in {differ:?}; regenerate with `cargo run -p frontline-data --release`");
}

#[test]
fn the_dataset_validates_and_every_snapshot_partitions_the_region() {
    let report = Atlas::validate(DataSource::Embedded).unwrap();
    assert!(report.is_ok(), "{:#?}", report.problems);
    assert_eq!(report.partitions.len(), atlas().snapshots().len());
    let atlas = atlas();
    let region = region(&atlas);
    for info in atlas.snapshots() {
        let check = check_partition(atlas.snapshot(&info.id).unwrap(), &region);
        assert!(check.error_km2() < PARTITION_TOLERANCE_KM2, "{check:?}");
    }
}

#[test]
fn former_nkao_area() {
    // FACTS: area of the NKAO 4,388 km²; the issue allows ± 8 %.
    let atlas = atlas();
    let nkao = atlas.overlays().iter().find(|o| o.id == "nkao").unwrap();
    let area = area_km2(&nkao.shape);
    assert!((area / 4388.0 - 1.0).abs() <= 0.08, "{area}");
}

#[test]
fn held_in_1994() {
    // FACTS: ≈ 11,500 km² (Tabakian), 11,458 km² (NKR): range 10,800–12,200.
    let atlas = atlas();
    let nkr = atlas
        .at(parse_date("1994-05-12").unwrap())
        .unwrap()
        .area_km2("nkr");
    assert!((10_800.0..=12_200.0).contains(&nkr), "{nkr}");
    // FACTS: Aghdam ≈ 77 %, Fuzuli ≈ 33 %, the five other districts all.
    let aghdam = held_share(&atlas, "1994-05-12", "nkr", "AZE-1691");
    assert!((0.72..=0.82).contains(&aghdam), "Aghdam {aghdam}");
    let fuzuli = held_share(&atlas, "1994-05-12", "nkr", "AZE-1702");
    assert!((0.28..=0.38).contains(&fuzuli), "Fuzuli {fuzuli}");
    for (unit, name) in [
        ("AZE-1682", "Kalbajar"),
        ("AZE-1735", "Lachin"),
        ("AZE-1736", "Qubadli"),
        ("AZE-1740", "Zangilan"),
        ("AZE-1699", "Jabrayil"),
    ] {
        let share = held_share(&atlas, "1994-05-12", "nkr", unit);
        assert!(share >= 0.97, "{name} {share}");
    }
}

#[test]
fn held_after_2020_and_after_2023() {
    // FACTS: ≈ 2,800 (Tabakian) to 3,170 km² (NKR government): range 2,600–3,500.
    let atlas = atlas();
    let nkr = atlas
        .at(parse_date("2020-12-01").unwrap())
        .unwrap()
        .area_km2("nkr");
    assert!((2_600.0..=3_500.0).contains(&nkr), "{nkr}");
    // FACTS: 2023-09-20, Azerbaijan controls all of the former NKAO.
    assert_eq!(
        atlas
            .at(parse_date("2023-09-21").unwrap())
            .unwrap()
            .area_km2("nkr"),
        0.0
    );
    assert_eq!(
        atlas
            .at(parse_date("2023-09-21").unwrap())
            .unwrap()
            .area_km2("russian_peacekeepers"),
        0.0
    );
}

#[test]
fn corridor_strips_are_five_km_wide() {
    // FACTS: corridor width 5 km (point 6 of the 2020-11-10 statement).
    let atlas = atlas();
    for (corridor, road) in [
        ("lachin-corridor-2020", "lachin-road-2020"),
        ("lachin-corridor-2022", "lachin-road-2022"),
    ] {
        let strip = &atlas
            .overlays()
            .iter()
            .find(|o| o.id == corridor)
            .unwrap()
            .shape;
        let line = &atlas.routes().iter().find(|r| r.id == road).unwrap().line;
        let width = area_km2(strip) / length_km(line);
        assert!((4.5..=5.5).contains(&width), "{corridor}: {width} km");
        let inside = strip.clip(&MultiLineString(vec![line.clone()]), false);
        let share = inside.0.iter().map(length_km).sum::<f64>() / length_km(line);
        assert!(share >= 0.99, "{road}: {share} inside {corridor}");
    }
}

#[test]
fn every_place_lies_in_its_own_rayon_and_country() {
    let atlas = atlas();
    for place in atlas.places() {
        let territory = atlas
            .territories()
            .iter()
            .find(|t| t.shape.intersects(&place.point))
            .map(|t| t.country.as_str());
        assert_eq!(
            territory,
            Some(place.country.as_str()),
            "{} de jure",
            place.id
        );
        let unit = place
            .admin1
            .as_deref()
            .expect("every bundled place names its unit");
        let shape = &atlas.admin1().iter().find(|u| u.id == unit).unwrap().shape;
        assert!(
            shape.intersects(&place.point),
            "{} is not in {unit}",
            place.id
        );
        let here = atlas
            .locate(place.point, parse_date("2000-01-01").unwrap())
            .unwrap();
        let name = &atlas.admin1().iter().find(|u| u.id == unit).unwrap().name;
        assert_eq!(
            here.rayon.as_ref(),
            Some(name),
            "{}: locate reports another unit",
            place.id
        );
    }
}

#[test]
fn spot_checks_by_place_and_date() {
    let atlas = atlas();
    let stepanakert = atlas
        .locate(
            atlas.place("Stepanakert").unwrap().point,
            parse_date("2021-06-01").unwrap(),
        )
        .unwrap();
    assert_eq!(stepanakert.controller.as_deref(), Some("nkr"));
    assert_eq!(stepanakert.de_jure.as_deref(), Some("azerbaijan"));
    assert!(
        stepanakert
            .overlays
            .iter()
            .any(|o| o.starts_with("peacekeeping")),
        "{:?}",
        stepanakert.overlays
    );
    assert_eq!(controller_at(&atlas, "Shusha", "2000-01-01"), "nkr");
    assert_eq!(controller_at(&atlas, "Shusha", "2021-06-01"), "azerbaijan");
    assert_eq!(controller_at(&atlas, "Aghdam", "2020-11-19"), "nkr");
    assert_eq!(controller_at(&atlas, "Aghdam", "2020-11-21"), "azerbaijan");
    assert_eq!(controller_at(&atlas, "Kalbajar", "2020-11-24"), "nkr");
    assert_eq!(
        controller_at(&atlas, "Kalbajar", "2020-11-26"),
        "azerbaijan"
    );
    assert_eq!(controller_at(&atlas, "Lachin", "2020-11-30"), "nkr");
    assert_eq!(
        controller_at(&atlas, "Lachin", "2021-06-01"),
        "russian_peacekeepers"
    );
    assert_eq!(controller_at(&atlas, "Lachin", "2022-09-01"), "azerbaijan");
    assert_eq!(controller_at(&atlas, "Martuni", "2021-06-01"), "nkr");
    assert_eq!(controller_at(&atlas, "Hadrut", "2021-06-01"), "azerbaijan");
    assert_eq!(controller_at(&atlas, "Talish", "2021-06-01"), "azerbaijan");
    assert_eq!(controller_at(&atlas, "Fuzuli", "2000-01-01"), "nkr");
    assert_eq!(
        controller_at(&atlas, "Hakari", "2023-05-01"),
        "russian_peacekeepers"
    );
    for date in [
        "1994-05-12",
        "2010-01-01",
        "2020-11-15",
        "2021-06-01",
        "2023-01-01",
        "2024-01-01",
    ] {
        assert_eq!(controller_at(&atlas, "Goris", date), "armenia", "{date}");
        assert_eq!(
            controller_at(&atlas, "Horadiz", date),
            "azerbaijan",
            "{date}"
        );
        assert_eq!(
            controller_at(&atlas, "Tartar", date),
            "azerbaijan",
            "{date}"
        );
    }
    for place in ["Stepanakert", "Martakert", "Martuni", "Askeran"] {
        assert_eq!(
            controller_at(&atlas, place, "2023-09-21"),
            "azerbaijan",
            "{place}"
        );
    }
}

#[test]
fn known_source_defects_stay_fixed() {
    let atlas = atlas();
    let lachin = atlas.admin1().iter().find(|u| u.id == "AZE-1735").unwrap();
    assert_eq!(lachin.name_alt.as_deref(), Some("Lachin"));
    // GeoNames' Lachin coordinates fall in Lachin rayon too.
    assert!(lachin.shape.intersects(&Point::new(46.5505, 39.5988)));
    // NE's Artsakh polygon wrongly contains Shusha: the zones do not.
    assert_eq!(controller_at(&atlas, "Shusha", "2020-12-01"), "azerbaijan");
}
