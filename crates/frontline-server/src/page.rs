//! The page: its compiled-in assets, the data it needs, and the
//! self-contained file that inlines all of them.

use chrono::NaiveDate;
use frontline::export::Layer;
use frontline::{Atlas, Result};
use geojson::{Feature, FeatureCollection, GeometryValue, JsonObject, JsonValue};
use serde_json::json;

use crate::zones::{tolerance_degrees, ZoneCache};

const INDEX: &str = include_str!("../assets/index.html");
const APP_JS: &str = include_str!("../assets/app.js");
const APP_CSS: &str = include_str!("../assets/app.css");
const LEAFLET_JS: &str = include_str!("../assets/vendor/leaflet-1.9.4/leaflet.js");
const LEAFLET_CSS: &str = include_str!("../assets/vendor/leaflet-1.9.4/leaflet.css");

/// The zoom whose tolerance the self-contained file's zones are simplified
/// to (about 40 m): sharp at the scale of a district, about 300 kB a
/// snapshot.
const STATIC_ZOOM: u8 = 11;

/// The zoom of the borders and rayons the page draws at every date (about
/// 80 m): lines, not fills, so a coarser cut does not show.
const LAYER_ZOOM: u8 = 10;

/// The compiled-in assets by the name the page asks for; nothing else.
pub(crate) fn asset(name: &str) -> Option<(&'static str, &'static str)> {
    match name {
        "app.js" => Some(("text/javascript; charset=utf-8", APP_JS)),
        "app.css" => Some(("text/css; charset=utf-8", APP_CSS)),
        "leaflet.js" => Some(("text/javascript; charset=utf-8", LEAFLET_JS)),
        "leaflet.css" => Some(("text/css; charset=utf-8", LEAFLET_CSS)),
        _ => None,
    }
}

/// The page the server serves at `/`: scripts and styles from `/assets/`,
/// data from the API.
pub(crate) fn index_html() -> String {
    INDEX
        .replace(
            "<!--STYLES-->",
            "<link rel=\"stylesheet\" href=\"assets/leaflet.css\">\n<link rel=\"stylesheet\" href=\"assets/app.css\">",
        )
        .replace(
            "<!--SCRIPTS-->",
            "<script src=\"assets/leaflet.js\"></script>\n<script src=\"assets/app.js\"></script>",
        )
}

/// The viewer as one HTML file: Leaflet, the page's script and style, and
/// the data of every snapshot in force between `from` and `to` (the whole
/// span by default) inline, so that it opens from disk with no network.
///
/// # Errors
///
/// A date before the data, a reversed interval, or a snapshot that cannot
/// be read.
pub fn atlas_html(atlas: &Atlas, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<String> {
    let bundle = page_bundle(atlas, from, to, true)?;
    // Inside <script>, "</" could end the element: JSON allows "<\/".
    let data = serde_json::to_string(&bundle)
        .expect("the bundle serialises")
        .replace("</", "<\\/");
    let inline = |text: &str| text.replace("</script", "<\\/script");
    Ok(INDEX
        .replace(
            "<!--STYLES-->",
            &format!("<style>\n{LEAFLET_CSS}\n</style>\n<style>\n{APP_CSS}\n</style>"),
        )
        .replace(
            "<!--SCRIPTS-->",
            &format!(
                "<script>\n{}\n</script>\n<script>window.FRONTLINE_BUNDLE = {data};</script>\n<script>\n{}\n</script>",
                inline(LEAFLET_JS),
                inline(APP_JS)
            ),
        ))
}

/// What the page needs: the dataset's name and attribution, controllers
/// and colours, snapshots, events, the route statuses at every date where
/// one changes, the area series, and the static layers (de jure borders,
/// rayons, overlays and routes with their validity, places) simplified for
/// the page. With `with_dates`, also each snapshot's zones, areas and the
/// diffs between consecutive snapshots (the self-contained file's answers
/// to what the server computes on demand).
///
/// # Errors
///
/// A date before the data, a reversed interval, or a snapshot that cannot
/// be read.
pub fn page_bundle(
    atlas: &Atlas,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    with_dates: bool,
) -> Result<serde_json::Value> {
    let snapshots = atlas.snapshots();
    let first = snapshots
        .first()
        .map(|s| s.date)
        .ok_or_else(|| frontline::Error::BadCoordinate("the dataset has no snapshot".to_owned()))?;
    let last_known = snapshots
        .iter()
        .map(|s| s.date)
        .chain(atlas.events().iter().map(|e| e.date))
        .chain(atlas.events().iter().filter_map(|e| e.until))
        .max()
        .unwrap_or(first);
    let from = from.unwrap_or(first);
    let to = to.unwrap_or(last_known);
    // Checks the interval the way every other command does.
    let series = atlas.series(from, to)?;
    let from = series.rows.first().map_or(from, |r| r.date);
    let in_span: Vec<_> = snapshots
        .iter()
        .filter(|s| s.date <= to && s.until.is_none_or(|u| u > from))
        .cloned()
        .collect();

    let mut change_dates: Vec<NaiveDate> = vec![from];
    change_dates.extend(in_span.iter().map(|s| s.date));
    for event in atlas.events() {
        change_dates.push(event.date);
        change_dates.extend(event.until);
    }
    for route in atlas.routes() {
        change_dates.extend(route.validity.from);
        change_dates.extend(route.validity.to);
    }
    for overlay in atlas.overlays() {
        change_dates.extend(overlay.validity.from);
        change_dates.extend(overlay.validity.to);
    }
    change_dates.retain(|d| (from..=to).contains(d));
    change_dates.sort();
    change_dates.dedup();
    let changes: Vec<serde_json::Value> = change_dates
        .iter()
        .map(|&date| {
            let statuses: serde_json::Map<String, JsonValue> = atlas
                .routes()
                .iter()
                .map(|r| {
                    let (status, _) = atlas.route_status(r, date);
                    (
                        r.id.clone(),
                        serde_json::to_value(status).unwrap_or_default(),
                    )
                })
                .collect();
            let snapshot = atlas.at(date).map(|v| v.snapshot.id.clone()).ok();
            json!({"date": date, "snapshot": snapshot, "routes": statuses})
        })
        .collect();

    let view = atlas.at(from)?;
    let cache = ZoneCache::default();
    let layer = |layer: Layer, name: &str| {
        serde_json::to_value(cache.get(&view, layer, name, LAYER_ZOOM).to_geojson(None))
            .unwrap_or_default()
    };
    let overlays = FeatureCollection {
        bbox: None,
        features: atlas
            .overlays()
            .iter()
            .map(|o| {
                use geo::Simplify;
                feature(
                    geo::Geometry::MultiPolygon(o.shape.simplify(tolerance_degrees(STATIC_ZOOM))),
                    json!({"id": o.id, "name": o.name, "kind": o.kind,
                           "valid_from": o.validity.from, "valid_to": o.validity.to}),
                )
            })
            .collect(),
        foreign_members: None,
    };
    let routes = FeatureCollection {
        bbox: None,
        features: atlas
            .routes()
            .iter()
            .map(|r| {
                feature(
                    geo::Geometry::LineString(r.line.clone()),
                    json!({"id": r.id, "name": r.name, "corridor": r.corridor,
                           "valid_from": r.validity.from, "valid_to": r.validity.to}),
                )
            })
            .collect(),
        foreign_members: None,
    };
    let places: Vec<serde_json::Value> = atlas
        .places()
        .iter()
        .map(|p| {
            json!({"id": p.id, "name": p.name, "aliases": p.aliases,
                   "lon": p.point.x(), "lat": p.point.y()})
        })
        .collect();
    let events: Vec<serde_json::Value> = atlas
        .events()
        .iter()
        .map(|e| {
            json!({"id": e.id, "date": e.date, "until": e.until, "title": e.title,
                   "kind": e.kind, "routes": e.routes,
                   "location": e.location.map(|p| [p.x(), p.y()])})
        })
        .collect();
    let bbox = frontline_render::BBox::conflict_area(atlas)
        .map(|b| [b.lon_min, b.lat_min, b.lon_max, b.lat_max])
        .ok();

    let mut bundle = json!({
        "name": atlas.name,
        "description": atlas.description,
        "attribution": atlas.attribution,
        "from": from,
        "to": to,
        "bbox": bbox,
        "controllers": atlas.controllers(),
        "snapshots": in_span,
        "events": events,
        "changes": changes,
        "series": series,
        "layers": {
            "de_jure": layer(Layer::DeJure, "de_jure"),
            "admin1": layer(Layer::Admin1, "admin1"),
            "overlays": overlays,
            "routes": routes,
        },
        "places": places,
    });
    if with_dates {
        let mut zones = serde_json::Map::new();
        let mut stats = serde_json::Map::new();
        for s in &in_span {
            let view = atlas.at(s.date.max(from))?;
            zones.insert(s.id.clone(), layer_of(&cache, &view));
            stats.insert(
                s.id.clone(),
                serde_json::to_value(view.stats()).unwrap_or_default(),
            );
        }
        let diffs: Vec<serde_json::Value> = in_span
            .windows(2)
            .map(|pair| {
                let diff = atlas.diff(pair[0].date.max(from), pair[1].date)?;
                Ok(json!({"from": diff.from, "to": diff.to, "diff": diff,
                          "geojson": simplified_diff(&diff)}))
            })
            .collect::<Result<_>>()?;
        bundle["zones"] = zones.into();
        bundle["stats"] = stats.into();
        bundle["diffs"] = diffs.into();
    }
    Ok(bundle)
}

fn layer_of(cache: &ZoneCache, view: &frontline::View<'_>) -> serde_json::Value {
    serde_json::to_value(
        cache
            .get(view, Layer::Zones, "zones", STATIC_ZOOM)
            .to_geojson(None),
    )
    .unwrap_or_default()
}

/// The diff's transitions as GeoJSON with their rings simplified like the
/// zones of the self-contained file.
fn simplified_diff(diff: &frontline::Diff) -> FeatureCollection {
    use geo::Simplify;
    FeatureCollection {
        bbox: None,
        features: diff
            .transitions
            .iter()
            .map(|t| {
                feature(
                    geo::Geometry::MultiPolygon(t.shape.simplify(tolerance_degrees(STATIC_ZOOM))),
                    json!({"from": t.from, "to": t.to, "area_km2": t.area_km2}),
                )
            })
            .collect(),
        foreign_members: None,
    }
}

fn feature(geometry: geo::Geometry<f64>, properties: serde_json::Value) -> Feature {
    let properties: JsonObject = match properties {
        JsonValue::Object(map) => map,
        _ => JsonObject::new(),
    };
    Feature {
        bbox: None,
        geometry: Some(geojson::Geometry::new(GeometryValue::from(&geometry))),
        id: None,
        properties: Some(properties),
        foreign_members: None,
    }
}
