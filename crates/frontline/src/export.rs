//! Layers as RFC 7946 GeoJSON: counter-clockwise exteriors, WGS 84, with the
//! ids other commands take as properties.

use geo::orient::{Direction, Orient};
use geo::{Geometry, MultiPolygon};
use geojson::{Feature, FeatureCollection, GeometryValue, JsonObject, JsonValue};

use crate::atlas::View;
use crate::error::{Error, Result};
use crate::geometry::{area_km2, length_km};

/// A layer that can be exported for a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    /// The snapshot's zones, one feature per controller.
    Zones,
    /// Overlays in force on the date.
    Overlays,
    /// Routes in force on the date.
    Routes,
    /// All places.
    Places,
    /// De jure territories.
    DeJure,
    /// Admin-1 units.
    Admin1,
}

impl Layer {
    /// Every layer with its name.
    pub const ALL: [(&'static str, Layer); 6] = [
        ("zones", Layer::Zones),
        ("overlays", Layer::Overlays),
        ("routes", Layer::Routes),
        ("places", Layer::Places),
        ("de_jure", Layer::DeJure),
        ("admin1", Layer::Admin1),
    ];
}

impl std::str::FromStr for Layer {
    type Err = Error;

    fn from_str(name: &str) -> Result<Layer> {
        Layer::ALL
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, layer)| *layer)
            .ok_or_else(|| Error::UnknownId {
                kind: "layer",
                id: name.to_owned(),
                suggestions: Layer::ALL.iter().map(|(n, _)| n.to_string()).collect(),
            })
    }
}

impl View<'_> {
    /// One layer as it stands on this view's date, as a GeoJSON FeatureCollection.
    ///
    /// ```
    /// use frontline::{Atlas, export::Layer, parse_date};
    /// let atlas = Atlas::embedded()?;
    /// let zones = atlas.at(parse_date("1994-05-12")?)?.export(Layer::Zones);
    /// assert!(zones.features.iter().any(|f| f.property("controller").and_then(|v| v.as_str()) == Some("nkr")));
    /// # Ok::<(), frontline::Error>(())
    /// ```
    pub fn export(&self, layer: Layer) -> FeatureCollection {
        let atlas = self.atlas;
        let features = match layer {
            Layer::Zones => self
                .snapshot
                .zones
                .iter()
                .map(|zone| {
                    let name = atlas
                        .controller(&zone.controller)
                        .map(|c| c.name.clone())
                        .unwrap_or_default();
                    areal(
                        &zone.shape,
                        [
                            ("controller", zone.controller.as_str().into()),
                            ("name", name.into()),
                            ("snapshot", self.snapshot.id.as_str().into()),
                            ("area_km2", area_km2(&zone.shape).into()),
                            ("source", zone.source.as_str().into()),
                            ("accuracy", zone.accuracy.as_str().into()),
                        ],
                    )
                })
                .collect(),
            Layer::Overlays => self
                .overlays
                .iter()
                .map(|o| {
                    areal(
                        &o.shape,
                        [
                            ("id", o.id.as_str().into()),
                            ("name", o.name.as_str().into()),
                            ("kind", o.kind.as_str().into()),
                            ("valid_from", date(o.validity.from)),
                            ("valid_to", date(o.validity.to)),
                            ("area_km2", area_km2(&o.shape).into()),
                            ("source", o.source.as_str().into()),
                            ("accuracy", o.accuracy.as_str().into()),
                        ],
                    )
                })
                .collect(),
            Layer::Routes => atlas
                .routes()
                .iter()
                .filter(|r| r.validity.contains(self.date))
                .map(|r| {
                    feature(
                        Geometry::LineString(r.line.clone()),
                        [
                            ("id", r.id.as_str().into()),
                            ("name", r.name.as_str().into()),
                            ("valid_from", date(r.validity.from)),
                            ("valid_to", date(r.validity.to)),
                            ("corridor", r.corridor.clone().into()),
                            ("length_km", length_km(&r.line).into()),
                            ("source", r.source.as_str().into()),
                            ("accuracy", r.accuracy.as_str().into()),
                        ],
                    )
                })
                .collect(),
            Layer::Places => atlas
                .places()
                .iter()
                .map(|p| {
                    let here = self.locate(p.point);
                    feature(
                        Geometry::Point(p.point),
                        [
                            ("id", p.id.as_str().into()),
                            ("name", p.name.as_str().into()),
                            ("aliases", p.aliases.clone().into()),
                            ("country", p.country.as_str().into()),
                            ("admin1", p.admin1.clone().into()),
                            ("controller", here.controller.into()),
                            ("source", p.source.as_str().into()),
                            ("accuracy", p.accuracy.as_str().into()),
                        ],
                    )
                })
                .collect(),
            Layer::DeJure => atlas
                .territories()
                .iter()
                .map(|t| {
                    areal(
                        &t.shape,
                        [
                            ("country", t.country.as_str().into()),
                            ("name", t.name.as_str().into()),
                            ("area_km2", area_km2(&t.shape).into()),
                            ("source", t.source.as_str().into()),
                            ("accuracy", t.accuracy.as_str().into()),
                        ],
                    )
                })
                .collect(),
            Layer::Admin1 => atlas
                .admin1()
                .iter()
                .map(|a| {
                    areal(
                        &a.shape,
                        [
                            ("id", a.id.as_str().into()),
                            ("name", a.name.as_str().into()),
                            ("country", a.country.as_str().into()),
                            ("area_km2", area_km2(&a.shape).into()),
                            ("source", a.source.as_str().into()),
                            ("accuracy", a.accuracy.as_str().into()),
                        ],
                    )
                })
                .collect(),
        };
        FeatureCollection {
            bbox: None,
            features,
            foreign_members: None,
        }
    }
}

fn date(value: Option<chrono::NaiveDate>) -> JsonValue {
    value.map_or(JsonValue::Null, |d| d.to_string().into())
}

pub(crate) fn areal<const N: usize>(
    shape: &MultiPolygon<f64>,
    properties: [(&str, JsonValue); N],
) -> Feature {
    feature(
        Geometry::MultiPolygon(shape.orient(Direction::Default)),
        properties,
    )
}

fn feature<const N: usize>(geometry: Geometry<f64>, properties: [(&str, JsonValue); N]) -> Feature {
    let properties: JsonObject = properties
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    Feature {
        bbox: None,
        geometry: Some(geojson::Geometry::new(GeometryValue::from(&geometry))),
        id: None,
        properties: Some(properties),
        foreign_members: None,
    }
}
