//! Maps, diff maps and charts of the bundled dataset: valid SVG that resvg
//! renders, byte-identical from run to run, and matching the golden PNGs in
//! `tests/golden/` within a small per-pixel tolerance.
//!
//! After a deliberate change of the pictures, update the goldens with
//! `UPDATE_GOLDEN=1 cargo test -p frontline-render --test render`, look at
//! them, and commit them.

use std::path::PathBuf;

use frontline::{parse_date, Atlas};
use frontline_render::{
    render_chart, render_diff, render_map, svg_to_png, BBox, Frame, MapOptions,
};
use geo::Coord;
use resvg::tiny_skia::Pixmap;

fn small() -> MapOptions {
    MapOptions::new().size(600, 450)
}

fn golden(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

/// Compares with the golden PNG: at most 0.5 % of pixels may differ by more
/// than 8 in any channel (antialiasing may change with resvg versions).
fn matches_golden(name: &str, png: &[u8]) {
    let path = golden(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, png).unwrap();
        return;
    }
    let expected = Pixmap::decode_png(
        &std::fs::read(&path)
            .unwrap_or_else(|_| panic!("{} missing: run with UPDATE_GOLDEN=1", path.display())),
    )
    .unwrap();
    let actual = Pixmap::decode_png(png).unwrap();
    assert_eq!(
        (actual.width(), actual.height()),
        (expected.width(), expected.height()),
        "{name}"
    );
    let differing = actual
        .data()
        .chunks(4)
        .zip(expected.data().chunks(4))
        .filter(|(a, b)| a.iter().zip(b.iter()).any(|(x, y)| x.abs_diff(*y) > 8))
        .count();
    let share = differing as f64 / (actual.width() * actual.height()) as f64;
    assert!(
        share <= 0.005,
        "{name}: {:.2} % of pixels differ from the golden image",
        share * 100.0
    );
}

#[test]
fn maps_match_their_goldens() {
    let atlas = Atlas::embedded().unwrap();
    for date in [
        "1994-05-12",
        "2020-10-20",
        "2020-12-01",
        "2022-09-01",
        "2023-09-01",
        "2023-09-21",
    ] {
        // Nagorno-Karabakh and the border pockets, large enough that the
        // legend leaves the fronts in view.
        let around = MapOptions::new()
            .size(900, 760)
            .bbox(BBox::new(45.55, 38.85, 47.55, 40.55).unwrap());
        let svg = render_map(&atlas.at(parse_date(date).unwrap()).unwrap(), &around).unwrap();
        matches_golden(&format!("map-{date}.png"), &svg_to_png(&svg).unwrap());
    }
    // The corridor, Shusha and the Lachin-road villages up close, before and
    // after the corridor moved.
    for date in ["2021-06-01", "2022-09-01"] {
        let zoom = MapOptions::new()
            .size(900, 900)
            .bbox(BBox::new(46.30, 39.40, 46.90, 39.90).unwrap());
        let svg = render_map(&atlas.at(parse_date(date).unwrap()).unwrap(), &zoom).unwrap();
        matches_golden(&format!("corridor-{date}.png"), &svg_to_png(&svg).unwrap());
    }
    let diff = atlas
        .diff(
            parse_date("1994-05-12").unwrap(),
            parse_date("2020-12-01").unwrap(),
        )
        .unwrap();
    let svg = render_diff(&diff, &atlas, &small()).unwrap();
    matches_golden("diff-1994-05-12-2020-12-01.png", &svg_to_png(&svg).unwrap());
}

#[test]
fn every_picture_parses_and_renders_and_is_deterministic() {
    let atlas = Atlas::embedded().unwrap();
    let mut svgs = Vec::new();
    for info in atlas.snapshots() {
        svgs.push(render_map(&atlas.at(info.date).unwrap(), &small()).unwrap());
    }
    let (from, to) = (
        parse_date("1994-05-12").unwrap(),
        parse_date("2024-06-30").unwrap(),
    );
    svgs.push(render_diff(&atlas.diff(from, to).unwrap(), &atlas, &small()).unwrap());
    svgs.push(
        render_chart(
            &atlas.series(from, to).unwrap(),
            &atlas,
            to,
            &Default::default(),
        )
        .unwrap(),
    );
    for svg in &svgs {
        let tree =
            resvg::usvg::Tree::from_str(svg, &resvg::usvg::Options::default()).expect("valid SVG");
        assert!(tree.size().width() > 0.0);
        let png = svg_to_png(svg).unwrap();
        assert_eq!(&png[1..4], b"PNG");
    }
    let again = render_map(&atlas.at(atlas.snapshots()[0].date).unwrap(), &small()).unwrap();
    assert_eq!(again, svgs[0], "same input, same bytes");
}

#[test]
fn map_content() {
    let atlas = Atlas::embedded().unwrap();
    let view = atlas.at(parse_date("2021-06-01").unwrap()).unwrap();
    let svg = render_map(&view, &MapOptions::default()).unwrap();
    let flat = svg.replace('\n', "");
    for expected in [
        "Nagorno-Karabakh: control on 2021-06-01",
        "Nagorno-Karabakh Republic (Artsakh) — 2,968 km²",
        "Russian peacekeepers — 53 km²",
        "Lachin corridor, 2020 road",
        "Former Nagorno-Karabakh Autonomous Oblast",
        "Stepanakert",
        "50 km",
        "Natural Earth",
        "GeoNames",
        ">N</text>",
    ] {
        assert!(flat.contains(expected), "the map lacks {expected:?}");
    }
    // Labels are rasterised: the PNG changes when they are left out.
    let plain = render_map(&view, &MapOptions::new().labels(false)).unwrap();
    assert!(flat.contains(">Stepanakert</text>"));
    assert!(!plain.replace('\n', "").contains(">Stepanakert</text>"));
    assert_ne!(svg_to_png(&svg).unwrap(), svg_to_png(&plain).unwrap());
}

#[test]
fn the_scale_is_true_at_the_centre() {
    // 0.5° of longitude at 40° N is 42.69 km on WGS 84 (GeographicLib).
    let bbox = frontline_render::BBox::new(45.5, 39.0, 47.5, 41.0).unwrap();
    let frame = Frame::new(bbox, 800, 800, 40.0, 20.0).unwrap();
    let (a, b) = (
        frame.pixel(Coord { x: 46.25, y: 40.0 }),
        frame.pixel(Coord { x: 46.75, y: 40.0 }),
    );
    let km = (b.x - a.x).hypot(b.y - a.y) / frame.scale / 1000.0;
    assert!((km - 42.69).abs() < 0.05, "{km}");
}

#[test]
fn bad_requests_are_errors() {
    let atlas = Atlas::embedded().unwrap();
    let view = atlas.at(parse_date("2021-06-01").unwrap()).unwrap();
    assert!(frontline_render::BBox::parse("47,40,46,41").is_err());
    assert!(frontline_render::BBox::parse("46,40,47").is_err());
    assert!(render_map(&view, &MapOptions::new().size(10, 900)).is_err());
}

#[cfg(not(feature = "proj"))]
#[test]
fn other_projections_need_the_proj_feature() {
    let atlas = Atlas::embedded().unwrap();
    let view = atlas.at(parse_date("2021-06-01").unwrap()).unwrap();
    let error = render_map(&view, &MapOptions::new().projection("EPSG:32638")).unwrap_err();
    assert!(error.to_string().contains("--features proj"), "{error}");
}
