//! With the `proj` feature: the built-in Lambert azimuthal equal-area and the
//! real PROJ place every bundled place within 1 m of each other, and maps
//! render in any CRS PROJ knows.
#![cfg(feature = "proj")]

use frontline::geometry::LocalProjection;
use frontline::{parse_date, Atlas};
use frontline_render::{render_map, MapOptions, Plane};
use geo::Coord;

#[test]
fn pure_rust_and_real_proj_agree_within_a_metre() {
    let atlas = Atlas::embedded().unwrap();
    let centre = Coord { x: 46.75, y: 39.8 };
    let ours = LocalProjection::new(centre.x, centre.y).unwrap();
    let definition = format!(
        "+proj=laea +lat_0={} +lon_0={} +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs +type=crs",
        centre.y, centre.x
    );
    let theirs = Plane::new(centre, Some(&definition)).unwrap();
    assert!(!atlas.places().is_empty());
    for place in atlas.places() {
        let a = ours.forward(place.point.0).unwrap();
        let b = theirs.forward(place.point.0).unwrap();
        let metres = (a.x - b.x).hypot(a.y - b.y);
        assert!(metres < 1.0, "{}: {metres} m apart", place.id);
    }
}

#[test]
fn maps_render_in_an_epsg_crs() {
    let atlas = Atlas::embedded().unwrap();
    let view = atlas.at(parse_date("2021-06-01").unwrap()).unwrap();
    let svg = render_map(
        &view,
        &MapOptions::new().size(600, 450).projection("EPSG:32638"),
    )
    .unwrap();
    assert!(svg.contains("EPSG:32638 (PROJ)"));
    assert!(render_map(&view, &MapOptions::new().projection("EPSG:999999")).is_err());
}
