//! Classification of the points of a Parquet file into another Parquet
//! file, a record batch at a time: every input row comes out once, in
//! order, with its own columns untouched and the columns of
//! [`frontline::classify::OUTPUT_COLUMNS`] appended (`overlays` as a list
//! of ids). Points come from two coordinate columns or from a WKB point
//! column (a GeoParquet file's primary geometry by default); a GeoParquet
//! input's `geo` metadata is carried over. Memory holds one batch.

use std::fs::File;
use std::io::Write;
use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, AsArray, Float64Array, ListBuilder, RecordBatch, StringBuilder,
};
use arrow::compute::{cast_with_options, CastOptions};
use arrow::datatypes::{DataType, Date32Type, Field, Schema, SchemaRef};
use frontline::classify::{DateSource, Summary, OUTPUT_COLUMNS};
use frontline::index::RecordError;
use frontline::Atlas;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;
use parquet::file::metadata::KeyValue;

use crate::dates::{date32_to_naive, to_date32};
use crate::geoparquet::{writer_properties, Error};

/// Rows read, classified and written at a time.
pub const BATCH_ROWS: usize = 65_536;

/// Where the points are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Points {
    /// Longitudes and latitudes in two numeric columns.
    LonLat {
        /// The longitude column.
        lon: String,
        /// The latitude column.
        lat: String,
    },
    /// WKB points in a binary column; `None`: the GeoParquet primary column.
    Geometry(Option<String>),
}

/// How to read the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParquetOptions {
    /// Where the points are.
    pub points: Points,
    /// Where each row's date is (a column of dates, timestamps or
    /// `YYYY-MM-DD` strings, or one date).
    pub date: DateSource,
}

impl ParquetOptions {
    /// Points in `lon` and `lat` columns when the file has both, else the
    /// GeoParquet primary geometry.
    pub fn new(date: DateSource) -> ParquetOptions {
        ParquetOptions {
            points: Points::LonLat {
                lon: "lon".into(),
                lat: "lat".into(),
            },
            date,
        }
    }
}

/// Which input columns answer what, resolved against the schema.
enum Columns {
    LonLat(usize, usize),
    Wkb(usize),
}

fn column(schema: &Schema, name: &str, what: &str) -> Result<usize, Error> {
    schema.index_of(name).map_err(|_| {
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        Error::Input(format!(
            "no {what} column `{name}` in the input (its columns: {})",
            names.join(", ")
        ))
    })
}

/// The primary geometry column of a GeoParquet file, from its `geo`
/// metadata.
fn primary_column(geo: Option<&str>) -> Option<String> {
    let geo: serde_json::Value = serde_json::from_str(geo?).ok()?;
    geo["primary_column"].as_str().map(str::to_owned)
}

/// Classifies `input` (a Parquet file) into `output` (Parquet, Zstandard),
/// a batch of [`BATCH_ROWS`] at a time; `progress` gets the rows done so
/// far after each batch.
///
/// ```no_run
/// use frontline::classify::DateSource;
/// use frontline_datafusion::classify::{classify_parquet, ParquetOptions};
/// let atlas = frontline::Atlas::embedded()?;
/// let input = std::fs::File::open("points.parquet")?;
/// let output = std::fs::File::create("classified.parquet")?;
/// let options = ParquetOptions::new(DateSource::Column("date".into()));
/// let summary = classify_parquet(&atlas, input, output, &options, |_| {})?;
/// println!("{} rows, {} errors", summary.rows, summary.errors);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`Error::Input`] when a named column is missing or of the wrong type,
/// or the input already has a column named like an output column; Parquet's
/// errors reading or writing. Rows that cannot be classified are no error:
/// they say why in their `error` column.
pub fn classify_parquet(
    atlas: &Atlas,
    input: File,
    output: impl Write + Send,
    options: &ParquetOptions,
    mut progress: impl FnMut(u64),
) -> Result<Summary, Error> {
    let builder = ParquetRecordBatchReaderBuilder::try_new(input)?.with_batch_size(BATCH_ROWS);
    let geo = builder
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .and_then(|kv| kv.iter().find(|kv| kv.key == "geo"))
        .and_then(|kv| kv.value.clone());
    let schema = builder.schema().clone();
    for name in OUTPUT_COLUMNS {
        if schema.index_of(name).is_ok() {
            return Err(Error::Input(format!(
                "the input already has a column `{name}`: classify appends {} and overwrites nothing",
                OUTPUT_COLUMNS.join(", ")
            )));
        }
    }
    let columns = match &options.points {
        Points::LonLat { lon, lat }
            if schema.index_of(lon).is_ok() || primary_column(geo.as_deref()).is_none() =>
        {
            Columns::LonLat(
                column(&schema, lon, "longitude")?,
                column(&schema, lat, "latitude")?,
            )
        }
        Points::LonLat { .. } => Columns::Wkb(column(
            &schema,
            &primary_column(geo.as_deref()).unwrap_or_default(),
            "geometry",
        )?),
        Points::Geometry(Some(name)) => Columns::Wkb(column(&schema, name, "geometry")?),
        Points::Geometry(None) => {
            let name = primary_column(geo.as_deref()).ok_or_else(|| {
                Error::Input(
                    "the input has no GeoParquet `geo` metadata naming its geometry column".into(),
                )
            })?;
            Columns::Wkb(column(&schema, &name, "geometry")?)
        }
    };
    let date_column = match &options.date {
        DateSource::Column(name) => Some(column(&schema, name, "date")?),
        DateSource::Fixed(_) => None,
        // Any other source answers every row with an error below.
        _ => None,
    };
    let out_schema = output_schema(&schema);
    let mut writer = ArrowWriter::try_new(output, out_schema.clone(), Some(writer_properties()))?;
    if let Some(geo) = geo {
        writer.append_key_value_metadata(KeyValue::new("geo".to_owned(), geo));
    }
    let mut summary = Summary::default();
    for batch in builder.build()? {
        let batch = batch?;
        let added = classify_batch(atlas, &batch, &columns, date_column, options, &mut summary)?;
        let mut all = batch.columns().to_vec();
        all.extend(added);
        writer.write(&RecordBatch::try_new(out_schema.clone(), all)?)?;
        progress(summary.rows);
    }
    writer.close()?;
    Ok(summary)
}

/// The input's fields, then the output columns.
fn output_schema(input: &Schema) -> SchemaRef {
    let text = |name: &str| Field::new(name, DataType::Utf8, true);
    let mut fields: Vec<Field> = input.fields().iter().map(|f| f.as_ref().clone()).collect();
    fields.extend([
        text("controller"),
        text("de_jure"),
        text("rayon"),
        Field::new(
            "overlays",
            DataType::List(Arc::new(Field::new_list_field(DataType::Utf8, true))),
            true,
        ),
        text("error"),
    ]);
    Arc::new(Schema::new_with_metadata(fields, input.metadata().clone()))
}

fn as_f64(array: &ArrayRef, name: &str) -> Result<Float64Array, Error> {
    if !(array.data_type().is_numeric() || array.data_type().is_null()) {
        return Err(Error::Input(format!(
            "column `{name}` is {}, expected numbers (degrees)",
            array.data_type()
        )));
    }
    let safe = CastOptions {
        safe: true,
        ..Default::default()
    };
    Ok(cast_with_options(array, &DataType::Float64, &safe)?
        .as_primitive::<arrow::datatypes::Float64Type>()
        .clone())
}

/// The five output columns of one batch.
fn classify_batch(
    atlas: &Atlas,
    batch: &RecordBatch,
    columns: &Columns,
    date_column: Option<usize>,
    options: &ParquetOptions,
    summary: &mut Summary,
) -> Result<Vec<ArrayRef>, Error> {
    let rows = batch.num_rows();
    let schema = batch.schema();
    let name = |i: usize| schema.field(i).name().clone();
    // Each row's point, or why it has none.
    let mut points: Vec<Result<(f64, f64), String>> = Vec::with_capacity(rows);
    match *columns {
        Columns::LonLat(lon_i, lat_i) => {
            let lon = as_f64(batch.column(lon_i), &name(lon_i))?;
            let lat = as_f64(batch.column(lat_i), &name(lat_i))?;
            for i in 0..rows {
                points.push(match (lon.is_valid(i), lat.is_valid(i)) {
                    (true, true) => Ok((lon.value(i), lat.value(i))),
                    (false, _) => Err(format!("column `{}`: missing", name(lon_i))),
                    (_, false) => Err(format!("column `{}`: missing", name(lat_i))),
                });
            }
        }
        Columns::Wkb(g) => {
            let column = batch.column(g);
            let wkb: Vec<Option<&[u8]>> = match column.data_type() {
                DataType::Binary => column.as_binary::<i32>().iter().collect(),
                DataType::LargeBinary => column.as_binary::<i64>().iter().collect(),
                DataType::BinaryView => column.as_binary_view().iter().collect(),
                other => {
                    return Err(Error::Input(format!(
                        "column `{}` is {other}, expected WKB points (binary)",
                        name(g)
                    )))
                }
            };
            for value in wkb {
                points.push(match value {
                    None => Err(format!("column `{}`: missing", name(g))),
                    Some(bytes) => crate::wkb::read_point(bytes)
                        .ok_or_else(|| format!("column `{}`: not a WKB point", name(g))),
                });
            }
        }
    }
    // Each row's date, or why it has none.
    let days = match date_column {
        Some(d) => Some(to_date32(batch.column(d))?),
        None => None,
    };
    let days = days.as_ref().map(|d| d.as_primitive::<Date32Type>());
    let mut records = Vec::with_capacity(rows);
    let mut errors: Vec<Option<String>> = vec![None; rows];
    for (i, point) in points.into_iter().enumerate() {
        let date = match (&options.date, days) {
            (DateSource::Fixed(day), _) => Ok(*day),
            (DateSource::Column(column), Some(days)) => days
                .is_valid(i)
                .then(|| date32_to_naive(days.value(i)))
                .flatten()
                .ok_or_else(|| format!("column `{column}`: missing, or not a date (YYYY-MM-DD)")),
            (DateSource::Column(_), None) => Err("no date".to_owned()),
            _ => Err("this kind of date source is not supported for Parquet".to_owned()),
        };
        match point.and_then(|p| date.map(|d| (p, d))) {
            Ok(((lon, lat), day)) => {
                records.push((lon, lat, day));
            }
            Err(e) => errors[i] = Some(e),
        }
    }
    let mut located = vec![Err(RecordError::BadCoordinate); records.len()];
    atlas
        .locate_many(&records, &mut located)
        .expect("one answer slot per record");
    let mut controller = StringBuilder::with_capacity(rows, rows * 8);
    let mut de_jure = StringBuilder::with_capacity(rows, rows * 8);
    let mut rayon = StringBuilder::with_capacity(rows, rows * 8);
    let mut overlays = ListBuilder::new(StringBuilder::new());
    let mut error = StringBuilder::new();
    let mut answers = located.into_iter();
    for row_error in errors.iter_mut() {
        let answer = if row_error.is_none() {
            answers.next()
        } else {
            None
        };
        match answer {
            Some(Ok(l)) => {
                controller.append_option(l.controller());
                de_jure.append_option(l.de_jure());
                rayon.append_option(l.rayon());
                for id in l.overlays() {
                    overlays.values().append_value(id);
                }
                overlays.append(true);
                *summary
                    .per_controller
                    .entry(l.controller().unwrap_or("(outside the region)").to_owned())
                    .or_default() += 1;
            }
            Some(Err(e)) => *row_error = Some(e.to_string()),
            None => {}
        }
        if let Some(e) = row_error {
            controller.append_null();
            de_jure.append_null();
            rayon.append_null();
            overlays.append(false);
            error.append_value(e);
            summary.errors += 1;
        } else {
            error.append_null();
        }
    }
    summary.rows += rows as u64;
    Ok(vec![
        Arc::new(controller.finish()),
        Arc::new(de_jure.finish()),
        Arc::new(rayon.finish()),
        Arc::new(overlays.finish()),
        Arc::new(error.finish()),
    ])
}
