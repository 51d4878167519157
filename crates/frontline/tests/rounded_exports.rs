//! What users open: every zone of the bundled dataset without specks (parts
//! of a few square metres that overlays leave along borders), and exports at
//! the default precision valid as GEOS and PostGIS check polygons, with at
//! most 7 decimals in every coordinate.

use frontline::export::{round_coordinates, Layer, DEFAULT_PRECISION};
use frontline::geo::{Area, Contains, InteriorPoint, MultiPolygon, Polygon, Validation, Winding};
use frontline::geojson::GeometryValue;
use frontline::geometry::area_km2;
use frontline::{parse_date, Atlas};

fn part_km2(part: &Polygon<f64>) -> f64 {
    area_km2(&MultiPolygon(vec![part.clone()]))
}

#[test]
fn zones_have_no_specks_but_the_islets_of_the_land() {
    let atlas = Atlas::embedded().unwrap();
    // The region's own parts under 0.01 km²: islets in OpenStreetMap's land.
    let islets: Vec<Polygon<f64>> = atlas
        .territories()
        .iter()
        .flat_map(|t| t.shape.0.iter())
        .filter(|p| part_km2(p) < 0.01)
        .cloned()
        .collect();
    assert!(islets.len() < 10, "{} islets", islets.len());
    for info in atlas.snapshots() {
        let view = atlas.at(info.date).unwrap();
        for zone in &view.snapshot.zones {
            let specks: Vec<String> = zone
                .shape
                .0
                .iter()
                .filter(|p| part_km2(p) < 0.01)
                .filter(|p| {
                    !p.interior_point()
                        .is_some_and(|c| islets.iter().any(|i| i.contains(&c)))
                })
                .map(|p| format!("{:?} ({:.6} km²)", p.interior_point(), part_km2(p)))
                .collect();
            assert!(
                specks.is_empty(),
                "{} on {}: {} specks, e.g. {:?}",
                zone.controller,
                info.date,
                specks.len(),
                &specks[..specks.len().min(3)]
            );
        }
    }
}

/// Every polygon of a GeoJSON geometry, as geo polygons (geojson's own
/// conversion).
fn polygons(value: &GeometryValue) -> Vec<Polygon<f64>> {
    match frontline::geo::Geometry::<f64>::try_from(value).unwrap() {
        frontline::geo::Geometry::Polygon(polygon) => vec![polygon],
        frontline::geo::Geometry::MultiPolygon(shape) => shape.0,
        _ => Vec::new(),
    }
}

/// GEOS's test that geo's leaves out: no ring meets itself at a vertex.
fn touches_itself(ring: &frontline::geo::LineString<f64>) -> bool {
    let mut points: Vec<(u64, u64)> = ring.0[1..]
        .iter()
        .map(|c| (c.x.to_bits(), c.y.to_bits()))
        .collect();
    points.sort_unstable();
    points.windows(2).any(|w| w[0] == w[1])
}

#[test]
fn exports_at_the_default_precision_are_valid_and_rounded() {
    let atlas = Atlas::embedded().unwrap();
    // Before, during and after the war, and with the corridor.
    for date in [
        "1994-05-12",
        "2020-11-10",
        "2020-12-01",
        "2022-09-13",
        "2024-05-24",
    ] {
        let view = atlas.at(parse_date(date).unwrap()).unwrap();
        for layer in [Layer::Zones, Layer::Overlays, Layer::DeJure, Layer::Admin1] {
            let mut collection = view.export(layer);
            let before: f64 = collection
                .features
                .iter()
                .flat_map(|f| polygons(&f.geometry.as_ref().unwrap().value))
                .map(|p| p.unsigned_area())
                .sum();
            round_coordinates(&mut collection, DEFAULT_PRECISION);
            let mut after = 0.0;
            for feature in &collection.features {
                let value = &feature.geometry.as_ref().unwrap().value;
                let parts = polygons(value);
                let shape = MultiPolygon(parts.clone());
                after += shape.unsigned_area();
                assert!(
                    shape.is_valid(),
                    "{layer} on {date}: {:?}",
                    shape.validation_errors().first()
                );
                for part in &parts {
                    // RFC 7946: outer rings counter-clockwise, holes clockwise.
                    assert!(
                        part.exterior().is_ccw(),
                        "{layer} on {date}: an outer ring runs clockwise"
                    );
                    assert!(
                        part.interiors().iter().all(|hole| hole.is_cw()),
                        "{layer} on {date}: a hole runs counter-clockwise"
                    );
                    for ring in std::iter::once(part.exterior()).chain(part.interiors()) {
                        assert!(
                            !touches_itself(ring),
                            "{layer} on {date}: a ring touches itself"
                        );
                        for c in &ring.0 {
                            for v in [c.x, c.y] {
                                let text = v.to_string();
                                let decimals = text.split_once('.').map_or(0, |(_, d)| d.len());
                                assert!(decimals <= 7, "{layer} on {date}: {text}");
                            }
                        }
                    }
                }
            }
            // Snapping moves edges by half a centimetre at most.
            assert!(
                (after - before).abs() <= 1e-6 * before + 1e-9,
                "{layer} on {date}: {before} → {after} square degrees"
            );
        }
    }
}
