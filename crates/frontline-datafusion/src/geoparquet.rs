//! GeoParquet 1.1 files: a GeoJSON feature collection (an exported layer,
//! or every snapshot's zones with `valid_from`/`valid_to`,
//! [`frontline::Atlas::zones_timeline`]) as one Parquet
//! file with the geometry as WKB, a `bbox` covering column and the `geo`
//! metadata (CRS as PROJJSON, geometry types, bbox, orientation).
//!
//! Property columns get the narrowest Arrow type that holds every value:
//! booleans, 64-bit integers, doubles, dates (`YYYY-MM-DD` strings, so that
//! `valid_from`/`valid_to` are dates to DuckDB, QGIS and GeoPandas), else
//! text; arrays and objects are kept as JSON text.

use std::collections::BTreeSet;
use std::io::Write;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, BinaryBuilder, BooleanBuilder, Date32Builder, Float64Builder, Int64Builder,
    RecordBatch, StringBuilder, StructArray,
};
use arrow::datatypes::{DataType, Field, Fields, Schema};
use geo::BoundingRect;
use geojson::{FeatureCollection, JsonValue};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;

use crate::dates::naive_to_date32;
use crate::wkb;

/// OGC:CRS84 (WGS 84, longitude first) as PROJJSON, the CRS of every
/// frontline geometry.
pub const CRS84_PROJJSON: &str = r#"{"$schema":"https://proj.org/schemas/v0.7/projjson.schema.json","type":"GeographicCRS","name":"WGS 84 (CRS84)","datum_ensemble":{"name":"World Geodetic System 1984 ensemble","members":[{"name":"World Geodetic System 1984 (Transit)"},{"name":"World Geodetic System 1984 (G730)"},{"name":"World Geodetic System 1984 (G873)"},{"name":"World Geodetic System 1984 (G1150)"},{"name":"World Geodetic System 1984 (G1674)"},{"name":"World Geodetic System 1984 (G1762)"},{"name":"World Geodetic System 1984 (G2139)"}],"ellipsoid":{"name":"WGS 84","semi_major_axis":6378137,"inverse_flattening":298.257223563},"accuracy":"2.0","id":{"authority":"EPSG","code":6326}},"coordinate_system":{"subtype":"ellipsoidal","axis":[{"name":"Geodetic longitude","abbreviation":"Lon","direction":"east","unit":"degree"},{"name":"Geodetic latitude","abbreviation":"Lat","direction":"north","unit":"degree"}]},"scope":"Not known.","area":"World.","bbox":{"south_latitude":-90,"west_longitude":-180,"north_latitude":90,"east_longitude":180},"id":{"authority":"OGC","code":"CRS84"}}"#;

/// Errors of the Parquet readers and writers.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Arrow refused a column or batch.
    #[error(transparent)]
    Arrow(#[from] arrow::error::ArrowError),
    /// Parquet could not read or write.
    #[error(transparent)]
    Parquet(#[from] parquet::errors::ParquetError),
    /// The input is not what was expected (names the column and why).
    #[error("{0}")]
    Input(String),
    /// The library refused.
    #[error(transparent)]
    Frontline(#[from] frontline::Error),
}

/// Parquet writer settings for every file written here: Zstandard.
pub fn writer_properties() -> WriterProperties {
    WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .build()
}

/// The type a property column gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Bool,
    Int,
    Float,
    Date,
    Text,
}

fn kind_of(values: impl Iterator<Item = Option<JsonValue>>) -> Kind {
    let mut kinds = BTreeSet::new();
    for value in values.flatten() {
        kinds.insert(match value {
            JsonValue::Null => continue,
            JsonValue::Bool(_) => 0,
            JsonValue::Number(n) if n.is_i64() => 1,
            JsonValue::Number(_) => 2,
            JsonValue::String(s) if frontline::parse_date(&s).is_ok() => 3,
            _ => 4,
        });
    }
    match kinds.into_iter().collect::<Vec<_>>().as_slice() {
        [] | [4] => Kind::Text,
        [0] => Kind::Bool,
        [1] => Kind::Int,
        [1, 2] | [2] => Kind::Float,
        [3] => Kind::Date,
        _ => Kind::Text,
    }
}

/// A feature collection as one record batch, plus its `geo` metadata.
///
/// # Errors
///
/// [`Error::Input`] when a feature has no geometry or one GeoJSON allows
/// but geo cannot hold.
pub fn batch(collection: &FeatureCollection) -> Result<(RecordBatch, String), Error> {
    let features = &collection.features;
    let mut keys: Vec<String> = Vec::new();
    for feature in features {
        for key in feature.properties.iter().flat_map(|p| p.keys()) {
            if !keys.contains(key) && key != "geometry" && key != "bbox" {
                keys.push(key.clone());
            }
        }
    }
    let mut fields = Vec::new();
    let mut columns: Vec<ArrayRef> = Vec::new();
    for key in &keys {
        let values = || features.iter().map(|f| f.property(key).cloned());
        let kind = kind_of(values());
        let (data_type, column): (DataType, ArrayRef) = match kind {
            Kind::Bool => {
                let mut b = BooleanBuilder::new();
                values().for_each(|v| b.append_option(v.and_then(|v| v.as_bool())));
                (DataType::Boolean, Arc::new(b.finish()))
            }
            Kind::Int => {
                let mut b = Int64Builder::new();
                values().for_each(|v| b.append_option(v.and_then(|v| v.as_i64())));
                (DataType::Int64, Arc::new(b.finish()))
            }
            Kind::Float => {
                let mut b = Float64Builder::new();
                values().for_each(|v| b.append_option(v.and_then(|v| v.as_f64())));
                (DataType::Float64, Arc::new(b.finish()))
            }
            Kind::Date => {
                let mut b = Date32Builder::new();
                values().for_each(|v| {
                    let date =
                        v.and_then(|v| v.as_str().and_then(|s| frontline::parse_date(s).ok()));
                    b.append_option(date.map(naive_to_date32));
                });
                (DataType::Date32, Arc::new(b.finish()))
            }
            Kind::Text => {
                let mut b = StringBuilder::new();
                values().for_each(|v| match v {
                    None | Some(JsonValue::Null) => b.append_null(),
                    Some(JsonValue::String(s)) => b.append_value(s),
                    Some(other) => b.append_value(other.to_string()),
                });
                (DataType::Utf8, Arc::new(b.finish()))
            }
        };
        fields.push(Field::new(key, data_type, true));
        columns.push(column);
    }
    // Geometry, bounding boxes, and what the `geo` metadata says of them.
    let mut wkb_column = BinaryBuilder::new();
    let bbox_fields: Fields = ["xmin", "ymin", "xmax", "ymax"]
        .into_iter()
        .map(|n| Field::new(n, DataType::Float64, false))
        .collect();
    let mut corners: [Vec<f64>; 4] = Default::default();
    let mut types = BTreeSet::new();
    let mut extent = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for (i, feature) in features.iter().enumerate() {
        let geometry = feature
            .geometry
            .as_ref()
            .ok_or_else(|| Error::Input(format!("feature {i}: no geometry")))?;
        let geometry = geo::Geometry::<f64>::try_from(&geometry.value)
            .map_err(|e| Error::Input(format!("feature {i}: {e}")))?;
        types.insert(wkb::type_name(&geometry));
        wkb_column.append_value(wkb::geometry(&geometry));
        let rect = geometry
            .bounding_rect()
            .ok_or_else(|| Error::Input(format!("feature {i}: empty geometry")))?;
        let b = [rect.min().x, rect.min().y, rect.max().x, rect.max().y];
        for (c, v) in corners.iter_mut().zip(b) {
            c.push(v);
        }
        extent = [
            extent[0].min(b[0]),
            extent[1].min(b[1]),
            extent[2].max(b[2]),
            extent[3].max(b[3]),
        ];
    }
    fields.push(wkb::geometry_field("geometry"));
    columns.push(Arc::new(wkb_column.finish()));
    let bbox = StructArray::new(
        bbox_fields.clone(),
        corners
            .into_iter()
            .map(|c| Arc::new(arrow::array::Float64Array::from(c)) as ArrayRef)
            .collect(),
        None,
    );
    fields.push(Field::new("bbox", DataType::Struct(bbox_fields), false));
    columns.push(Arc::new(bbox));
    let schema = Arc::new(Schema::new(fields));
    let batch = RecordBatch::try_new(schema, columns)?;
    let bbox_json = if features.is_empty() {
        String::new()
    } else {
        format!(
            r#","bbox":[{},{},{},{}]"#,
            extent[0], extent[1], extent[2], extent[3]
        )
    };
    let types: Vec<String> = types.iter().map(|t| format!("\"{t}\"")).collect();
    let geo = format!(
        r#"{{"version":"1.1.0","primary_column":"geometry","columns":{{"geometry":{{"encoding":"WKB","geometry_types":[{}],"crs":{CRS84_PROJJSON},"orientation":"counterclockwise","edges":"planar"{bbox_json},"covering":{{"bbox":{{"xmin":["bbox","xmin"],"ymin":["bbox","ymin"],"xmax":["bbox","xmax"],"ymax":["bbox","ymax"]}}}}}}}}}}"#,
        types.join(",")
    );
    Ok((batch, geo))
}

/// Writes a feature collection as GeoParquet 1.1 to `out`.
///
/// ```
/// use frontline::{Atlas, export::Layer, parse_date};
/// let atlas = Atlas::embedded()?;
/// let zones = atlas.at(parse_date("2020-12-01")?)?.export(Layer::Zones);
/// let mut bytes = Vec::new();
/// frontline_datafusion::geoparquet::write(&zones, &mut bytes)?;
/// assert_eq!(&bytes[..4], b"PAR1");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// As [`batch`], and the writer's.
pub fn write(collection: &FeatureCollection, out: impl Write + Send) -> Result<(), Error> {
    let (batch, geo) = batch(collection)?;
    let mut writer = ArrowWriter::try_new(out, batch.schema(), Some(writer_properties()))?;
    writer.write(&batch)?;
    writer.append_key_value_metadata(KeyValue::new("geo".to_owned(), geo));
    writer.close()?;
    Ok(())
}

/// GeoParquet `geo` metadata for the GeoArrow WKB columns of `schema` (the
/// first is the primary one), without bbox or geometry types (unknown
/// before the rows are written); `None` when there is no such column.
///
/// ```
/// use arrow::datatypes::Schema;
/// use frontline_datafusion::{geoparquet::geo_metadata_of, wkb::geometry_field};
/// let schema = Schema::new(vec![geometry_field("shape")]);
/// let geo: serde_json::Value = serde_json::from_str(&geo_metadata_of(&schema).unwrap()).unwrap();
/// assert_eq!(geo["primary_column"], "shape");
/// assert_eq!(geo["columns"]["shape"]["encoding"], "WKB");
/// ```
pub fn geo_metadata_of(schema: &Schema) -> Option<String> {
    let columns: Vec<&str> = schema
        .fields()
        .iter()
        .filter(|f| {
            f.metadata().get("ARROW:extension:name").map(String::as_str) == Some(wkb::GEOARROW_WKB)
        })
        .map(|f| f.name().as_str())
        .collect();
    let primary = columns.first()?;
    let described: Vec<String> = columns
        .iter()
        .map(|name| {
            format!(
                r#"{}:{{"encoding":"WKB","geometry_types":[],"crs":{CRS84_PROJJSON},"edges":"planar"}}"#,
                serde_json::Value::from(*name)
            )
        })
        .collect();
    Some(format!(
        r#"{{"version":"1.1.0","primary_column":{},"columns":{{{}}}}}"#,
        serde_json::Value::from(*primary),
        described.join(",")
    ))
}
