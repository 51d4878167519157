//! Every polygon of every committed layer, read straight from
//! `crates/frontline-karabakh/geojson/`, is valid (no ring crossing or touching itself or another,
//! no hole outside its exterior: the library's sweep, as `validate` checks
//! any dataset; geo's pairwise `Validation` takes minutes on the OSM borders)
//! and wound as RFC 7946 §3.1.6 asks: exteriors counter-clockwise, holes
//! clockwise.

use std::path::{Path, PathBuf};

use geo::{Geometry, Winding};
use geojson::FeatureCollection;

fn layers() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../frontline-karabakh/geojson");
    let mut files = Vec::new();
    for sub in [dir.clone(), dir.join("snapshots")] {
        for entry in std::fs::read_dir(&sub).expect("the dataset is committed") {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "geojson") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn every_polygon_is_valid_and_wound_counter_clockwise() {
    let files = layers();
    // de_jure, admin1, overlays, routes, places, events and the snapshots.
    assert!(files.len() >= 13, "{files:?}");
    let mut polygons = 0;
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let collection: FeatureCollection = text.parse().unwrap();
        for (i, feature) in collection.features.iter().enumerate() {
            let Some(geometry) = &feature.geometry else {
                continue;
            };
            let shape = match Geometry::<f64>::try_from(&geometry.value).unwrap() {
                Geometry::Polygon(p) => geo::MultiPolygon(vec![p]),
                Geometry::MultiPolygon(m) => m,
                _ => continue,
            };
            let at = format!("{} feature {i}", path.display());
            for polygon in &shape.0 {
                assert_eq!(frontline::ingest::polygon_defect(polygon), None, "{at}");
                assert!(polygon.exterior().is_ccw(), "{at}: exterior not CCW");
                for hole in polygon.interiors() {
                    assert!(hole.is_cw(), "{at}: hole not CW");
                }
            }
            polygons += shape.0.len();
        }
    }
    assert!(polygons > 100, "{polygons}");
}
