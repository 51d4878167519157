//! Layers as RFC 7946 GeoJSON: counter-clockwise exteriors, WGS 84, with the
//! ids other commands take as properties.

use geo::orient::{Direction, Orient};
use geo::{Geometry, MultiPolygon};
use geojson::{Feature, FeatureCollection, GeometryValue, JsonObject, JsonValue};

use crate::atlas::View;
use crate::error::{Error, Result};
use crate::geometry::{area_km2, length_km};

/// A layer that can be exported for a date.
///
/// Its name (`zones`, `de_jure`, ...) is the same in `Display`, `FromStr`
/// and serde, all read from [`Layer::ALL`].
///
/// ```
/// use frontline::export::Layer;
/// assert_eq!(Layer::DeJure.to_string(), "de_jure");
/// assert_eq!("de_jure".parse::<Layer>()?, Layer::DeJure);
/// # Ok::<(), frontline::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
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

    /// The layer's name, as `Display`, `FromStr` and serde spell it.
    pub fn name(self) -> &'static str {
        crate::names::name_of(&Layer::ALL, self)
    }
}

crate::names::named!(Layer, "layer");

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
                    let holder = self.holder_exact(p.point);
                    feature(
                        Geometry::Point(p.point),
                        [
                            ("id", p.id.as_str().into()),
                            ("name", p.name.as_str().into()),
                            ("aliases", p.aliases.clone().into()),
                            ("country", p.country.as_str().into()),
                            ("admin1", p.admin1.clone().into()),
                            ("controller", holder.into()),
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

pub(crate) fn feature<const N: usize>(
    geometry: Geometry<f64>,
    properties: [(&str, JsonValue); N],
) -> Feature {
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

impl crate::Atlas {
    /// Every snapshot's zones in one collection, for time-enabled maps (QGIS's
    /// temporal controller) and range queries: each zone feature of each
    /// snapshot, as [`View::export`] gives it, with `valid_from` (the
    /// snapshot's date) and `valid_to` (the next snapshot's date, exclusive;
    /// null for the last). A date `d` is in force where
    /// `valid_from <= d AND (valid_to IS NULL OR d < valid_to)`.
    ///
    /// ```
    /// let atlas = frontline::Atlas::embedded()?;
    /// let all = atlas.zones_timeline()?;
    /// let first = &all.features[0];
    /// assert_eq!(first.property("valid_from").unwrap(), "1994-05-12");
    /// assert_eq!(first.property("valid_to").unwrap(), atlas.snapshots()[1].date.to_string().as_str());
    /// assert!(all.features.last().unwrap().property("valid_to").unwrap().is_null());
    /// # Ok::<(), frontline::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// A snapshot that cannot be read.
    pub fn zones_timeline(&self) -> Result<FeatureCollection> {
        let mut features = Vec::new();
        for info in self.snapshots() {
            for mut feature in self.at(info.date)?.export(Layer::Zones).features {
                let properties = feature.properties.get_or_insert_with(JsonObject::new);
                properties.insert("valid_from".into(), info.date.to_string().into());
                let until = info.until.map_or(JsonValue::Null, |d| d.to_string().into());
                properties.insert("valid_to".into(), until);
                features.push(feature);
            }
        }
        Ok(FeatureCollection {
            bbox: None,
            features,
            foreign_members: None,
        })
    }
}

/// File formats an exported layer can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// RFC 7946 GeoJSON.
    GeoJson,
    /// CSV: one row per feature, its properties, then the geometry as WKT.
    CsvWkt,
    /// FlatGeobuf (with a spatial index), EPSG:4326.
    FlatGeobuf,
}

impl Format {
    /// The format a file name's extension implies (`.csv`, `.fgb`, else GeoJSON).
    ///
    /// ```
    /// use frontline::export::Format;
    /// assert_eq!(Format::from_path(std::path::Path::new("zones.fgb")), Format::FlatGeobuf);
    /// assert_eq!(Format::from_path(std::path::Path::new("-")), Format::GeoJson);
    /// ```
    pub fn from_path(path: &std::path::Path) -> Format {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_lowercase)
            .as_deref()
        {
            Some("csv") => Format::CsvWkt,
            Some("fgb") => Format::FlatGeobuf,
            _ => Format::GeoJson,
        }
    }
}

/// Decimals of longitude and latitude written by default: 7, about 1 cm,
/// finer than any source of the bundled dataset.
pub const DEFAULT_PRECISION: u8 = 7;

/// Rounds every coordinate of `collection` to `decimals` places (at most
/// 15; more is taken as 15), so that files carry the precision their data
/// have rather than 17 digits of binary noise.
///
/// Polygons are snap-rounded, so they stay valid (OGC simple features, as
/// GEOS and PostGIS check them): rings are cut where they meet on the grid
/// of the precision, so a ring that would touch itself becomes two rings,
/// and a sliver or hole thinner than the grid closes. Where that grid does
/// not fit in 32-bit integers across a geometry (beyond 8 decimals for one
/// the size of a country), and for a polygon that snapping would split,
/// coordinates are rounded one by one: repeated points are merged and rings
/// that collapse are dropped, but rings that came within 10<sup>−`decimals`</sup>
/// degrees of themselves may then touch.
///
/// ```
/// use frontline::{Atlas, export::{round_coordinates, Layer}, parse_date};
/// let atlas = Atlas::embedded()?;
/// let mut places = atlas.at(parse_date("2020-12-01")?)?.export(Layer::Places);
/// round_coordinates(&mut places, 3);
/// let text = places.to_string();
/// let coordinates = text.split("\"coordinates\":[").nth(1).unwrap();
/// let lon = coordinates.split(',').next().unwrap();
/// assert!(lon.split('.').nth(1).unwrap().len() <= 3, "{lon}");
/// # Ok::<(), frontline::Error>(())
/// ```
///
/// A sliver thinner than the precision closes rather than being written as
/// a ring that folds onto itself:
///
/// ```
/// use frontline::export::round_coordinates;
/// use frontline::geojson::{Feature, FeatureCollection, Geometry, GeometryValue};
/// let square = vec![vec![0.0, 0.0], vec![1.0, 0.0], vec![1.0, 1.0], vec![0.0, 1.0], vec![0.0, 0.0]];
/// let sliver = vec![vec![2.0, 0.0], vec![3.0, 0.0], vec![2.5, 0.0001], vec![2.0, 0.0]];
/// let mut collection = FeatureCollection {
///     bbox: None,
///     features: vec![Feature {
///         geometry: Some(Geometry::new(GeometryValue::new_multi_polygon(vec![vec![square], vec![sliver]]))),
///         ..Feature::default()
///     }],
///     foreign_members: None,
/// };
/// round_coordinates(&mut collection, 3);
/// let Some(GeometryValue::MultiPolygon { coordinates }) =
///     collection.features[0].geometry.as_ref().map(|g| &g.value) else { unreachable!() };
/// assert_eq!(coordinates.len(), 1);
/// ```
pub fn round_coordinates(collection: &mut FeatureCollection, decimals: u8) {
    let decimals = decimals.min(15);
    fn each(value: &mut GeometryValue, decimals: u8) {
        let round = |position: &mut geojson::Position| round_position(position, decimals);
        match value {
            GeometryValue::Point { coordinates } => round(coordinates),
            GeometryValue::MultiPoint { coordinates }
            | GeometryValue::LineString { coordinates } => coordinates.iter_mut().for_each(round),
            GeometryValue::MultiLineString { coordinates } => {
                coordinates.iter_mut().flatten().for_each(round)
            }
            GeometryValue::Polygon { coordinates } => {
                *coordinates = match snap_rounded(std::slice::from_ref(coordinates), decimals) {
                    Some(mut parts) if parts.len() <= 1 => parts.pop().unwrap_or_default(),
                    _ => rounded_rings(coordinates, decimals),
                };
            }
            GeometryValue::MultiPolygon { coordinates } => {
                *coordinates = snap_rounded(coordinates, decimals).unwrap_or_else(|| {
                    coordinates
                        .iter()
                        .map(|part| rounded_rings(part, decimals))
                        .filter(|part| !part.is_empty())
                        .collect()
                });
            }
            GeometryValue::GeometryCollection { geometries } => {
                for geometry in geometries {
                    each(&mut geometry.value, decimals);
                }
            }
        }
    }
    for feature in &mut collection.features {
        if let Some(geometry) = feature.geometry.as_mut() {
            each(&mut geometry.value, decimals);
        }
    }
}

fn round_position(position: &mut geojson::Position, decimals: u8) {
    let scale = 10f64.powi(i32::from(decimals));
    for value in position.as_slice_mut() {
        let rounded = (*value * scale).round() / scale;
        if rounded.is_finite() {
            *value = rounded;
        }
    }
}

/// Polygons snap-rounded on the grid of `decimals` by the overlay engine,
/// in OGC form (outer rings counter-clockwise, holes clockwise). `None`
/// where the grid across them does not fit in 32-bit integers.
fn snap_rounded(
    parts: &[Vec<Vec<geojson::Position>>],
    decimals: u8,
) -> Option<Vec<Vec<Vec<geojson::Position>>>> {
    use i_overlay::core::fill_rule::FillRule;
    use i_overlay::core::overlay::IntOverlayOptions;
    use i_overlay::core::simplify::Simplify;
    use i_overlay::i_float::int::point::IntPoint;
    // Grid steps from a whole-degree origin, so that coordinates are the
    // nearest doubles to decimals of `decimals` places on the way back.
    let scale = 10f64.powi(i32::from(decimals));
    let positions = || parts.iter().flatten().flatten().map(|p| p.as_slice());
    let origin = |axis: usize| {
        positions()
            .map(|p| p[axis])
            .fold(f64::INFINITY, f64::min)
            .floor()
    };
    let (x0, y0) = (origin(0), origin(1));
    if !(x0.is_finite() && y0.is_finite()) {
        return None;
    }
    // Headroom for the engine's arithmetic: 2^30 steps at most.
    let limit = f64::from(1u32 << 30);
    let (x0_steps, y0_steps) = (x0 * scale, y0 * scale);
    let to_int = |p: &geojson::Position| {
        let (x, y) = (
            (p.as_slice()[0] * scale).round() - x0_steps,
            (p.as_slice()[1] * scale).round() - y0_steps,
        );
        (x.is_finite() && y.is_finite() && (0.0..limit).contains(&x) && (0.0..limit).contains(&y))
            .then(|| IntPoint::new(x as i32, y as i32))
    };
    let mut contours = Vec::new();
    for ring in parts.iter().flatten() {
        let mut contour: Vec<IntPoint> = ring.iter().map(to_int).collect::<Option<_>>()?;
        contour.dedup();
        if contour.len() > 1 && contour.first() == contour.last() {
            contour.pop();
        }
        if contour.len() >= 3 {
            contours.push(contour);
        }
    }
    let options = IntOverlayOptions {
        preserve_input_collinear: true,
        preserve_output_collinear: true,
        ..IntOverlayOptions::ogc()
    };
    // Even-odd: valid input has disjoint parts and holes inside their part,
    // whichever way their rings run.
    let shapes = contours.simplify(FillRule::EvenOdd, options);
    let to_position = |p: &IntPoint| {
        geojson::Position::from([
            (x0_steps + f64::from(p.x)) / scale,
            (y0_steps + f64::from(p.y)) / scale,
        ])
    };
    Some(
        shapes
            .iter()
            .map(|shape| {
                shape
                    .iter()
                    .enumerate()
                    .map(|(index, contour)| {
                        let mut ring: Vec<geojson::Position> =
                            contour.iter().map(to_position).collect();
                        // RFC 7946 §3.1.6, whatever the engine returns: outer
                        // rings counter-clockwise, holes clockwise.
                        if (doubled_area(contour) > 0) != (index == 0) {
                            ring.reverse();
                        }
                        ring.push(ring[0].clone());
                        ring
                    })
                    .collect()
            })
            .collect(),
    )
}

/// Twice the signed area of a closed contour of grid points: positive when
/// it runs counter-clockwise.
fn doubled_area(contour: &[i_overlay::i_float::int::point::IntPoint]) -> i128 {
    let mut sum = 0i128;
    for (i, a) in contour.iter().enumerate() {
        let b = &contour[(i + 1) % contour.len()];
        sum += i128::from(a.x) * i128::from(b.y) - i128::from(b.x) * i128::from(a.y);
    }
    sum
}

/// A polygon's rings rounded one by one, repeated points merged, collapsed
/// rings dropped; no rings when its outer ring collapses.
fn rounded_rings(rings: &[Vec<geojson::Position>], decimals: u8) -> Vec<Vec<geojson::Position>> {
    let mut rounded = Vec::with_capacity(rings.len());
    for (index, ring) in rings.iter().enumerate() {
        let mut ring = ring.clone();
        ring.iter_mut().for_each(|p| round_position(p, decimals));
        ring.dedup();
        if ring_collapsed(&ring) {
            if index == 0 {
                return Vec::new();
            }
            continue;
        }
        rounded.push(ring);
    }
    rounded
}

/// Fewer than three distinct points, or no area.
fn ring_collapsed(ring: &[geojson::Position]) -> bool {
    let xy = |p: &geojson::Position| (p.as_slice()[0], p.as_slice()[1]);
    if ring.len() < 4 {
        return true;
    }
    let doubled_area: f64 = ring
        .windows(2)
        .map(|pair| {
            let ((x0, y0), (x1, y1)) = (xy(&pair[0]), xy(&pair[1]));
            x0 * y1 - x1 * y0
        })
        .sum();
    doubled_area == 0.0
}

/// Encodes a feature collection in `format`.
///
/// ```
/// use frontline::{Atlas, export::{encode, Format, Layer}, parse_date};
/// let atlas = Atlas::embedded()?;
/// let zones = atlas.at(parse_date("2020-12-01")?)?.export(Layer::Zones);
/// let csv = String::from_utf8(encode(&zones, Format::CsvWkt, "zones")?).unwrap();
/// assert!(csv.lines().next().unwrap().ends_with(",wkt"));
/// assert!(csv.contains("MULTIPOLYGON"));
/// let fgb = encode(&zones, Format::FlatGeobuf, "zones")?;
/// assert_eq!(&fgb[..3], b"fgb");
/// # Ok::<(), frontline::Error>(())
/// ```
pub fn encode(collection: &FeatureCollection, format: Format, name: &str) -> Result<Vec<u8>> {
    match format {
        Format::GeoJson => Ok(collection.to_string().into_bytes()),
        Format::CsvWkt => Ok(csv_wkt(collection)),
        #[cfg(feature = "export-fgb")]
        Format::FlatGeobuf => flatgeobuf_bytes(collection, name),
        #[cfg(not(feature = "export-fgb"))]
        Format::FlatGeobuf => {
            let _ = name;
            Err(Error::NotInBuild {
                what: "FlatGeobuf output",
                feature: "export-fgb",
            })
        }
    }
}

fn csv_wkt(collection: &FeatureCollection) -> Vec<u8> {
    use wkt::ToWkt;
    let mut columns: Vec<String> = Vec::new();
    for feature in &collection.features {
        for key in feature.properties.iter().flat_map(|p| p.keys()) {
            if !columns.contains(key) {
                columns.push(key.clone());
            }
        }
    }
    let header = columns.iter().cloned().chain(["wkt".to_owned()]).collect();
    let rows = collection.features.iter().map(|feature| {
        let mut cells: Vec<String> = columns
            .iter()
            .map(|key| match feature.property(key) {
                None | Some(JsonValue::Null) => String::new(),
                Some(JsonValue::String(s)) => s.clone(),
                Some(other) => other.to_string(),
            })
            .collect();
        let wkt = feature
            .geometry
            .as_ref()
            .and_then(|g| Geometry::<f64>::try_from(&g.value).ok())
            .map_or(String::new(), |g| g.wkt_string());
        cells.push(wkt);
        cells
    });
    // The one CSV writer of every CSV output: RFC 4180 quoting, LF lines.
    crate::text::csv_records(std::iter::once(header).chain(rows)).into_bytes()
}

/// An ISO 8601 date (`YYYY-MM-DD`) or date and time (`YYYY-MM-DDTHH:MM:SS`,
/// with or without an offset), which FlatGeobuf keeps as DateTime.
#[cfg(feature = "export-fgb")]
fn is_iso_date_time(text: &str) -> bool {
    let Some(date) = text.get(..10) else {
        return false;
    };
    if chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_err() {
        return false;
    }
    text.len() == 10
        || chrono::DateTime::parse_from_rfc3339(text).is_ok()
        || chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S").is_ok()
}

#[cfg(feature = "export-fgb")]
fn flatgeobuf_bytes(collection: &FeatureCollection, name: &str) -> Result<Vec<u8>> {
    use flatgeobuf::{ColumnType, FgbCrs, FgbWriter, FgbWriterOptions, GeometryType};
    use geozero::{ColumnValue, PropertyProcessor};
    let fail = |error: &dyn std::fmt::Display| Error::Io {
        path: std::path::PathBuf::from(format!("{name}.fgb")),
        source: std::io::Error::other(format!("FlatGeobuf encoding failed: {error}")),
    };
    let options = FgbWriterOptions {
        crs: FgbCrs {
            code: 4326,
            ..Default::default()
        },
        ..Default::default()
    };
    let geometries: Vec<Option<Geometry<f64>>> = collection
        .features
        .iter()
        .map(|f| {
            f.geometry
                .as_ref()
                .and_then(|g| Geometry::<f64>::try_from(&g.value).ok())
        })
        .collect();
    // One declared geometry type when every feature has the same one (a
    // route layer is a LineString layer to GDAL and QGIS), else Unknown.
    let kind_of = |g: &Geometry<f64>| match g {
        Geometry::Point(_) => GeometryType::Point,
        Geometry::LineString(_) | Geometry::Line(_) => GeometryType::LineString,
        Geometry::Polygon(_) | Geometry::Rect(_) | Geometry::Triangle(_) => GeometryType::Polygon,
        Geometry::MultiPoint(_) => GeometryType::MultiPoint,
        Geometry::MultiLineString(_) => GeometryType::MultiLineString,
        Geometry::MultiPolygon(_) => GeometryType::MultiPolygon,
        Geometry::GeometryCollection(_) => GeometryType::GeometryCollection,
    };
    let mut kinds = geometries.iter().flatten().map(kind_of);
    let first = kinds.next();
    let declared = match first {
        Some(kind) if kinds.all(|k| k == kind) => kind,
        _ => GeometryType::Unknown,
    };
    let mut writer =
        FgbWriter::create_with_options(name, declared, options).map_err(|e| fail(&e))?;
    // Columns: every key any feature has, null everywhere or not, typed by
    // all its values: numbers as doubles, booleans, ISO dates and times as
    // DateTime, anything else (or a mix) as text, arrays and objects as
    // JSON text. A feature leaves out the columns it has no value for.
    let mut columns: Vec<(String, Option<ColumnType>)> = Vec::new();
    for (key, value) in collection
        .features
        .iter()
        .flat_map(|f| f.properties.iter().flatten())
    {
        let position = match columns.iter().position(|(k, _)| k == key) {
            Some(i) => i,
            None => {
                columns.push((key.clone(), None));
                columns.len() - 1
            }
        };
        let kind = match value {
            JsonValue::Null => continue,
            JsonValue::Number(_) => ColumnType::Double,
            JsonValue::Bool(_) => ColumnType::Bool,
            JsonValue::String(s) if is_iso_date_time(s) => ColumnType::DateTime,
            _ => ColumnType::String,
        };
        let column = &mut columns[position].1;
        *column = match *column {
            None => Some(kind),
            Some(seen) if seen == kind => Some(seen),
            Some(_) => Some(ColumnType::String),
        };
    }
    let columns: Vec<(String, ColumnType)> = columns
        .into_iter()
        .map(|(key, kind)| (key, kind.unwrap_or(ColumnType::String)))
        .collect();
    for (key, kind) in &columns {
        writer.add_column(key, *kind, |_, column| column.nullable = true);
    }
    for (feature, geometry) in collection.features.iter().zip(geometries) {
        let Some(geometry) = geometry else {
            continue;
        };
        let mut result = Ok(());
        writer
            .add_feature_geom(geometry, |out| {
                for (i, (key, kind)) in columns.iter().enumerate() {
                    let text;
                    let value = match (feature.property(key), *kind) {
                        (None | Some(JsonValue::Null), _) => continue,
                        (Some(v), ColumnType::Double) => {
                            ColumnValue::Double(v.as_f64().unwrap_or(f64::NAN))
                        }
                        (Some(v), ColumnType::Bool) => {
                            ColumnValue::Bool(v.as_bool().unwrap_or(false))
                        }
                        (Some(JsonValue::String(s)), ColumnType::DateTime) => {
                            ColumnValue::DateTime(s)
                        }
                        (Some(JsonValue::String(s)), _) => ColumnValue::String(s),
                        (Some(v), _) => {
                            text = v.to_string();
                            ColumnValue::String(&text)
                        }
                    };
                    if let Err(error) = out.property(i, key, &value) {
                        result = Err(error);
                    }
                }
            })
            .map_err(|e| fail(&e))?;
        result.map_err(|e| fail(&e))?;
    }
    let mut bytes = Vec::new();
    writer.write(&mut bytes).map_err(|e| fail(&e))?;
    Ok(bytes)
}
