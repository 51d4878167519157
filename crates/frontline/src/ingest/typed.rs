//! The typed reading of well-formed GeoJSON: coordinates go straight from
//! the text into positions, with no `Value` tree (one allocation a position
//! and a boxed number a value) in between; properties are skipped unread.
//!
//! It takes FeatureCollections, Features and bare Polygons and MultiPolygons
//! whose coordinates are nested arrays of numbers; for anything else, and
//! whenever the reading would refuse the file, it gives up (`None`) and the
//! file is read again through `Value`, which locates and words every
//! problem. Where it succeeds it gives what that reading gives: the same
//! shape, features and repairs (checked by `tests/typed_reading.rs`).

use geo::Coord;
use serde::de::{self, Deserializer, IgnoredAny, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;

use super::{check_crs, Polygons, Reader, Strictness};

/// The document's members that matter; the rest is skipped.
#[derive(Deserialize)]
struct Document {
    #[serde(rename = "type")]
    kind: Option<String>,
    crs: Option<Value>,
    features: Option<Vec<Feature>>,
    geometry: Option<Geometry>,
    coordinates: Option<Nest>,
}

#[derive(Deserialize)]
struct Feature {
    #[serde(rename = "type")]
    kind: Option<String>,
    geometry: Option<Geometry>,
}

#[derive(Deserialize)]
struct Geometry {
    #[serde(rename = "type")]
    kind: Option<String>,
    coordinates: Option<Nest>,
}

/// Nested arrays of numbers, by depth; mixed depths are an error (and the
/// file goes the `Value` way).
enum Nest {
    Number(f64),
    Empty,
    Position(Coord<f64>),
    Ring(Vec<Coord<f64>>),
    Polygon(Vec<Vec<Coord<f64>>>),
    Multi(Vec<Vec<Vec<Coord<f64>>>>),
}

impl<'de> Deserialize<'de> for Nest {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NestVisitor)
    }
}

struct NestVisitor;

/// The rest of a sequence whose first element gave the variant: every
/// element must be of it.
fn rest<'de, A: SeqAccess<'de>, T>(
    mut seq: A,
    first: T,
    unwrap: impl Fn(Nest) -> Option<T>,
) -> Result<Vec<T>, A::Error> {
    let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).max(4));
    items.push(first);
    while let Some(item) = seq.next_element::<Nest>()? {
        items.push(unwrap(item).ok_or_else(|| de::Error::custom("mixed nesting"))?);
    }
    Ok(items)
}

impl<'de> Visitor<'de> for NestVisitor {
    type Value = Nest;

    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        formatter.write_str("nested arrays of numbers")
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Nest, E> {
        Ok(Nest::Number(value))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Nest, E> {
        Ok(Nest::Number(value as f64))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Nest, E> {
        Ok(Nest::Number(value as f64))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Nest, A::Error> {
        let not_nested = || de::Error::custom("mixed nesting");
        Ok(match seq.next_element::<Nest>()? {
            None => Nest::Empty,
            Some(Nest::Number(x)) => {
                let Some(Nest::Number(y)) = seq.next_element::<Nest>()? else {
                    return Err(not_nested());
                };
                // A third value (height) and anything after it are dropped.
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Nest::Position(Coord { x, y })
            }
            Some(Nest::Position(c)) => Nest::Ring(rest(seq, c, |n| match n {
                Nest::Position(c) => Some(c),
                _ => None,
            })?),
            Some(Nest::Ring(r)) => Nest::Polygon(rest(seq, r, |n| match n {
                Nest::Ring(r) => Some(r),
                _ => None,
            })?),
            Some(Nest::Polygon(p)) => Nest::Multi(rest(seq, p, |n| match n {
                Nest::Polygon(p) => Some(p),
                _ => None,
            })?),
            Some(Nest::Empty | Nest::Multi(_)) => return Err(not_nested()),
        })
    }
}

/// The polygons of a well-formed file, or `None` to read it through `Value`.
pub(super) fn read(file: &str, bytes: &[u8], strictness: Strictness) -> Option<Polygons> {
    // Skipped members are not checked for UTF-8 by the parser: the whole
    // text is, here, as the `Value` reading checks it.
    let text = std::str::from_utf8(bytes).ok()?;
    let document: Document = serde_json::from_str(text).ok()?;
    let mut reader = Reader::new(file, strictness);
    if let Some(crs) = &document.crs {
        check_crs(crs).ok()?;
    }
    match document.kind.as_deref()? {
        "FeatureCollection" => {
            let features = document.features?;
            let count = features.len();
            for (index, feature) in features.into_iter().enumerate() {
                reader.feature = index;
                if feature.kind.as_deref() != Some("Feature") {
                    return None;
                }
                reader.feature_geometry(feature.geometry)?;
            }
            reader.feature = count;
        }
        "Feature" => {
            reader.feature_geometry(document.geometry)?;
            reader.feature = 1;
        }
        kind => {
            reader.geometry_typed(kind, document.coordinates?)?;
            reader.feature = 1;
        }
    }
    Some(reader.finish())
}

impl Reader<'_> {
    fn feature_geometry(&mut self, geometry: Option<Geometry>) -> Option<()> {
        match geometry {
            None => self.repair("null geometry: feature skipped").ok(),
            Some(geometry) => self.geometry_typed(geometry.kind.as_deref()?, geometry.coordinates?),
        }
    }

    fn geometry_typed(&mut self, kind: &str, coordinates: Nest) -> Option<()> {
        match (kind, coordinates) {
            ("Polygon", Nest::Polygon(rings)) => self.polygon_typed(rings),
            ("MultiPolygon", Nest::Multi(polygons)) => polygons
                .into_iter()
                .try_for_each(|rings| self.polygon_typed(rings)),
            _ => None,
        }
    }

    fn polygon_typed(&mut self, mut rings: Vec<Vec<Coord<f64>>>) -> Option<()> {
        self.polygon_with(rings.len(), |reader, r| {
            let ring = std::mem::take(&mut rings[r]);
            // Out of range: the `Value` reading refuses it, and says where.
            let in_range =
                |c: &Coord<f64>| (-90.0..=90.0).contains(&c.y) && (-180.0..=180.0).contains(&c.x);
            if ring.iter().all(in_range) {
                Ok(ring)
            } else {
                Err(reader.refuse("out of range"))
            }
        })
        .ok()
    }
}
