//! Reading the GeoJSON layers of a dataset into the model, with every
//! problem located by file, feature index and field.

use chrono::NaiveDate;
use geo::{Coord, LineString, MultiPolygon, Point, Polygon};
use geojson::{Feature, FeatureCollection, GeometryValue, JsonObject, JsonValue, Position};

use crate::error::Problem;
use crate::model::Validity;

/// Parses a layer file as a FeatureCollection.
pub(crate) fn parse_collection(file: &str, text: &str) -> Result<FeatureCollection, Problem> {
    text.parse::<FeatureCollection>().map_err(|error| {
        Problem::file(
            file,
            format!("expected a GeoJSON FeatureCollection: {error}"),
        )
    })
}

/// One feature being read: knows where it is, collects what is wrong with it.
pub(crate) struct FeatureFields<'a> {
    file: &'a str,
    index: usize,
    feature: &'a Feature,
    empty: JsonObject,
    pub problems: Vec<Problem>,
}

impl<'a> FeatureFields<'a> {
    pub fn new(file: &'a str, index: usize, feature: &'a Feature) -> Self {
        FeatureFields {
            file,
            index,
            feature,
            empty: JsonObject::new(),
            problems: Vec::new(),
        }
    }

    fn properties(&self) -> &JsonObject {
        self.feature.properties.as_ref().unwrap_or(&self.empty)
    }

    /// A property as it is, unchecked.
    pub fn raw(&self, field: &str) -> Option<&JsonValue> {
        self.properties().get(field)
    }

    /// A property that must be present (any value, `null` included: its
    /// type is checked where it is read).
    pub fn required(&mut self, field: &str) {
        if !self.properties().contains_key(field) {
            self.problem(field, "missing");
        }
    }

    pub fn problem(&mut self, field: &str, message: impl Into<String>) {
        self.problems.push(Problem::feature(
            self.file,
            self.index,
            Some(field),
            message,
        ));
    }

    /// A required, non-empty string property.
    pub fn string(&mut self, field: &str) -> String {
        match self.properties().get(field) {
            Some(JsonValue::String(s)) if !s.trim().is_empty() => s.clone(),
            Some(other) => {
                let found = describe(other);
                self.problem(field, format!("expected a non-empty string, found {found}"));
                String::new()
            }
            None => {
                self.problem(field, "missing; expected a non-empty string");
                String::new()
            }
        }
    }

    /// An optional string property (`null` or absent is `None`).
    pub fn optional_string(&mut self, field: &str) -> Option<String> {
        match self.properties().get(field) {
            None | Some(JsonValue::Null) => None,
            Some(JsonValue::String(s)) => Some(s.clone()),
            Some(other) => {
                let found = describe(other);
                self.problem(field, format!("expected a string or null, found {found}"));
                None
            }
        }
    }

    /// An optional array of strings (absent is empty).
    pub fn strings(&mut self, field: &str) -> Vec<String> {
        match self.properties().get(field) {
            None | Some(JsonValue::Null) => Vec::new(),
            Some(JsonValue::Array(items)) if items.iter().all(JsonValue::is_string) => items
                .iter()
                .filter_map(|item| item.as_str().map(str::to_owned))
                .collect(),
            Some(other) => {
                let found = describe(other);
                self.problem(
                    field,
                    format!("expected an array of strings, found {found}"),
                );
                Vec::new()
            }
        }
    }

    /// A required date property.
    pub fn date(&mut self, field: &str) -> NaiveDate {
        match self.optional_date(field) {
            Some(date) => date,
            None => {
                if !self
                    .problems
                    .iter()
                    .any(|p| p.field.as_deref() == Some(field))
                {
                    self.problem(field, "missing; expected a date YYYY-MM-DD");
                }
                NaiveDate::MIN
            }
        }
    }

    /// An optional date property.
    pub fn optional_date(&mut self, field: &str) -> Option<NaiveDate> {
        let text = self.optional_string(field)?;
        match crate::parse_date(&text) {
            Ok(date) => Some(date),
            Err(_) => {
                self.problem(field, format!("expected a date YYYY-MM-DD, found {text:?}"));
                None
            }
        }
    }

    /// `valid_from` / `valid_to` as a [`Validity`]; `from` must precede `to`.
    pub fn validity(&mut self) -> Validity {
        let validity = Validity::new(
            self.optional_date("valid_from"),
            self.optional_date("valid_to"),
        );
        if let (Some(from), Some(to)) = (validity.from, validity.to) {
            if from >= to {
                self.problem(
                    "valid_to",
                    format!("expected a date after valid_from {from}, found {to}"),
                );
            }
        }
        validity
    }

    fn geometry(&mut self) -> Option<&'a GeometryValue> {
        match &self.feature.geometry {
            Some(geometry) => Some(&geometry.value),
            None => {
                self.problem("geometry", "missing; expected a geometry");
                None
            }
        }
    }

    /// A Polygon or MultiPolygon geometry.
    pub fn areal(&mut self) -> MultiPolygon<f64> {
        let polygons = match self.geometry() {
            None => return MultiPolygon(Vec::new()),
            Some(GeometryValue::Polygon { coordinates }) => vec![coordinates],
            Some(GeometryValue::MultiPolygon { coordinates }) => coordinates.iter().collect(),
            Some(other) => {
                self.problem(
                    "geometry",
                    format!(
                        "expected Polygon or MultiPolygon, found {}",
                        other.type_name()
                    ),
                );
                return MultiPolygon(Vec::new());
            }
        };
        let mut shape = Vec::with_capacity(polygons.len());
        for rings in polygons {
            let mut converted = Vec::with_capacity(rings.len());
            for ring in rings {
                match self.ring(ring) {
                    Some(ring) => converted.push(ring),
                    None => return MultiPolygon(Vec::new()),
                }
            }
            if converted.is_empty() {
                self.problem(
                    "geometry",
                    "expected a polygon with an exterior ring, found an empty polygon",
                );
                return MultiPolygon(Vec::new());
            }
            let exterior = converted.remove(0);
            shape.push(Polygon::new(exterior, converted));
        }
        MultiPolygon(shape)
    }

    fn ring(&mut self, ring: &[Position]) -> Option<LineString<f64>> {
        let coords = self.coords(ring)?;
        if coords.len() < 4 || coords.first() != coords.last() {
            self.problem(
                "geometry",
                format!(
                    "expected a closed ring of at least 4 positions, found {} positions",
                    coords.len()
                ),
            );
            return None;
        }
        Some(LineString(coords))
    }

    /// A LineString geometry.
    pub fn line(&mut self) -> LineString<f64> {
        match self.geometry() {
            None => LineString(Vec::new()),
            Some(GeometryValue::LineString { coordinates }) => {
                let coords = self.coords(coordinates).unwrap_or_default();
                if coords.len() < 2 {
                    self.problem("geometry", "expected a LineString of at least 2 positions");
                }
                LineString(coords)
            }
            Some(other) => {
                self.problem(
                    "geometry",
                    format!("expected LineString, found {}", other.type_name()),
                );
                LineString(Vec::new())
            }
        }
    }

    /// A Point geometry.
    pub fn point(&mut self) -> Point<f64> {
        self.optional_point(true).unwrap_or(Point::new(0.0, 0.0))
    }

    /// A Point geometry or `null`.
    pub fn optional_point(&mut self, required: bool) -> Option<Point<f64>> {
        match (&self.feature.geometry, required) {
            (None, false) => None,
            _ => match self.geometry()? {
                GeometryValue::Point { coordinates } => self
                    .coords(std::slice::from_ref(coordinates))
                    .map(|c| Point(c[0])),
                other => {
                    self.problem(
                        "geometry",
                        format!("expected Point, found {}", other.type_name()),
                    );
                    None
                }
            },
        }
    }

    fn coords(&mut self, positions: &[Position]) -> Option<Vec<Coord<f64>>> {
        let mut coords = Vec::with_capacity(positions.len());
        for (i, position) in positions.iter().enumerate() {
            let values = position.as_slice();
            let (lon, lat) = match values {
                [lon, lat, ..] => (*lon, *lat),
                _ => {
                    self.problem(
                        "geometry",
                        format!(
                            "position {i}: expected [lon, lat], found {} numbers",
                            values.len()
                        ),
                    );
                    return None;
                }
            };
            if !(lon.is_finite()
                && lat.is_finite()
                && (-180.0..=180.0).contains(&lon)
                && (-90.0..=90.0).contains(&lat))
            {
                self.problem("geometry", format!("position {i}: expected lon in [-180, 180] and lat in [-90, 90], found [{lon}, {lat}]"));
                return None;
            }
            coords.push(Coord { x: lon, y: lat });
        }
        Some(coords)
    }
}

fn describe(value: &JsonValue) -> String {
    match value {
        JsonValue::Null => "null".into(),
        JsonValue::Bool(b) => format!("boolean {b}"),
        JsonValue::Number(n) => format!("number {n}"),
        JsonValue::String(s) => format!("string {s:?}"),
        JsonValue::Array(_) => "an array".into(),
        JsonValue::Object(_) => "an object".into(),
    }
}
