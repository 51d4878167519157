//! Polygon layers for a web map: the exported features with their rings
//! simplified to what a zoom level can show, cut to a bounding box.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use frontline::export::Layer;
use frontline::View;
use geo::{BoundingRect, Contains, Coord, Intersects, MapCoords, MultiPolygon, Rect, Simplify};
use geojson::{Feature, FeatureCollection, GeometryValue};

/// Web-map zoom levels the API serves: 0 (the world in 256 px) to this.
pub const MAX_ZOOM: u8 = 16;

/// The areal layers `/api/zones` serves.
pub const AREAL_LAYERS: [&str; 4] = ["zones", "overlays", "de_jure", "admin1"];

/// The largest tolerance a ring may move by, in degrees, at `zoom`: half a
/// pixel of a 256-px Web Mercator tile at the equator (less elsewhere, so
/// never more than half a pixel on screen).
pub fn tolerance_degrees(zoom: u8) -> f64 {
    360.0 / (256.0 * f64::from(1u32 << zoom)) / 2.0
}

/// Features of one layer with their geometry as geo polygons, so they can
/// be cut again for each box.
#[derive(Debug)]
pub struct Simplified {
    features: Vec<(Feature, MultiPolygon<f64>, Option<Rect<f64>>)>,
}

/// Simplified layers kept for reuse, keyed by layer, what the layer
/// depends on (snapshot id or the overlays in force) and zoom.
#[derive(Debug, Default)]
pub struct ZoneCache {
    entries: Mutex<HashMap<(String, String, u8), Arc<Simplified>>>,
}

impl ZoneCache {
    /// `layer` of `view` simplified for `zoom`, from the cache or made now.
    pub fn get(&self, view: &View<'_>, layer: Layer, name: &str, zoom: u8) -> Arc<Simplified> {
        let depends_on = match layer {
            Layer::Zones => view.snapshot.id.clone(),
            Layer::Overlays => view
                .overlays
                .iter()
                .map(|o| o.id.as_str())
                .collect::<Vec<_>>()
                .join(","),
            _ => String::new(),
        };
        let key = (name.to_owned(), depends_on, zoom);
        if let Some(found) = self.entries.lock().expect("cache lock").get(&key) {
            return Arc::clone(found);
        }
        let made = Arc::new(simplify(view.export(layer), zoom));
        self.entries
            .lock()
            .expect("cache lock")
            .entry(key)
            .or_insert(made)
            .clone()
    }
}

fn simplify(collection: FeatureCollection, zoom: u8) -> Simplified {
    let epsilon = tolerance_degrees(zoom);
    let features = collection
        .features
        .into_iter()
        .filter_map(|mut feature| {
            let geometry = feature.geometry.take()?;
            let shape: MultiPolygon<f64> = match geo::Geometry::<f64>::try_from(geometry).ok()? {
                geo::Geometry::MultiPolygon(m) => m,
                geo::Geometry::Polygon(p) => MultiPolygon(vec![p]),
                _ => return None,
            };
            // Coordinates rounded to a tenth of the tolerance (digits a
            // screen cannot show only cost bytes); parts that collapse or
            // are smaller than a pixel are dropped.
            let grid = 10f64.powi((-(epsilon / 10.0).log10()).ceil() as i32);
            let simplified = MultiPolygon(
                shape
                    .simplify(epsilon)
                    .map_coords(|c| Coord {
                        x: (c.x * grid).round() / grid,
                        y: (c.y * grid).round() / grid,
                    })
                    .0
                    .into_iter()
                    .map(|p| {
                        let (exterior, holes) = p.into_inner();
                        let holes = holes
                            .into_iter()
                            .filter(|h| {
                                h.0.len() >= 4
                                    && h.bounding_rect().is_some_and(|r| {
                                        r.width() >= epsilon || r.height() >= epsilon
                                    })
                            })
                            .collect();
                        geo::Polygon::new(exterior, holes)
                    })
                    .filter(|p| {
                        p.exterior().0.len() >= 4
                            && p.bounding_rect()
                                .is_some_and(|r| r.width() >= epsilon || r.height() >= epsilon)
                    })
                    .collect(),
            );
            let rect = simplified.bounding_rect();
            Some((feature, simplified, rect))
        })
        .collect();
    Simplified { features }
}

impl Simplified {
    /// The features cut to `bbox` (all of them, whole, without one), as
    /// RFC 7946 GeoJSON; features outside the box are left out.
    pub fn to_geojson(&self, bbox: Option<Rect<f64>>) -> FeatureCollection {
        let features = self
            .features
            .iter()
            .filter_map(|(feature, shape, rect)| {
                let rect = (*rect)?;
                let shape = match bbox {
                    None => shape.clone(),
                    Some(b) if b.contains(&rect) => shape.clone(),
                    Some(b) if !b.intersects(&rect) => return None,
                    Some(b) => {
                        let cut = frontline::geometry::clip_to_rect(shape, b);
                        if cut.0.is_empty() {
                            return None;
                        }
                        cut
                    }
                };
                let mut feature = feature.clone();
                feature.geometry = Some(geojson::Geometry::new(GeometryValue::from(
                    &geo::Geometry::MultiPolygon(shape),
                )));
                Some(feature)
            })
            .collect();
        FeatureCollection {
            bbox: None,
            features,
            foreign_members: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::BooleanOps;

    #[test]
    fn tolerance_halves_with_each_zoom() {
        assert!((tolerance_degrees(0) - 360.0 / 512.0).abs() < 1e-12);
        assert!((tolerance_degrees(8) * 2.0 - tolerance_degrees(7)).abs() < 1e-12);
    }

    #[test]
    fn simplified_zones_keep_their_controllers_and_shrink() {
        let atlas = frontline::Atlas::embedded().unwrap();
        let view = atlas
            .at(frontline::parse_date("1994-05-12").unwrap())
            .unwrap();
        let cache = ZoneCache::default();
        let full = view.export(Layer::Zones);
        let coarse = cache.get(&view, Layer::Zones, "zones", 6).to_geojson(None);
        let count = |c: &FeatureCollection| c.to_string().len();
        assert!(
            count(&coarse) * 10 < count(&full),
            "{} vs {}",
            count(&coarse),
            count(&full)
        );
        let ids = |c: &FeatureCollection| {
            c.features
                .iter()
                .map(|f| f.property("controller").unwrap().to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&coarse), ids(&full));
        // A box around Stepanakert only: the cut keeps nkr's ground there.
        let around = Rect::new((46.70, 39.78), (46.80, 39.85));
        let cut = cache
            .get(&view, Layer::Zones, "zones", 12)
            .to_geojson(Some(around));
        assert_eq!(ids(&cut), ["\"nkr\""]);
    }

    #[test]
    fn the_quick_cut_equals_the_full_overlay() {
        use geo::{Area, Validation};
        let atlas = frontline::Atlas::embedded().unwrap();
        let cache = ZoneCache::default();
        for date in ["1994-05-12", "2020-11-10", "2023-09-20"] {
            let view = atlas.at(frontline::parse_date(date).unwrap()).unwrap();
            let layer = cache.get(&view, Layer::Zones, "zones", 11);
            for (i, bbox) in [
                Rect::new((46.70, 39.78), (46.80, 39.85)),
                Rect::new((46.0, 39.3), (46.9, 40.1)),
                Rect::new((45.5, 38.8), (47.9, 40.6)),
                Rect::new((46.46, 39.55), (46.58, 39.62)),
            ]
            .into_iter()
            .enumerate()
            {
                for (_, shape, _) in &layer.features {
                    let quick = frontline::geometry::clip_to_rect(shape, bbox);
                    let full = shape.intersection(&MultiPolygon(vec![bbox.to_polygon()]));
                    let (a, b) = (quick.unsigned_area(), full.unsigned_area());
                    assert!(
                        (a - b).abs() <= 1e-9 + b * 1e-9,
                        "{date} box {i}: {a} vs {b}"
                    );
                    assert!(quick.is_valid(), "{date} box {i}: invalid cut");
                    let outside = quick.difference(&MultiPolygon(vec![bbox.to_polygon()]));
                    let full_outside = full
                        .difference(&MultiPolygon(vec![bbox.to_polygon()]))
                        .unsigned_area();
                    assert!(
                        outside.unsigned_area() <= full_outside + 1e-12,
                        "{date} box {i}: leaves the box by {} (the full overlay: {full_outside})",
                        outside.unsigned_area()
                    );
                }
            }
        }
    }
}
