//! Batch classification of point records: every CSV row gets the controller,
//! de jure country, rayon and overlays of its point on its date. Streaming
//! (memory bounded by the chunk size, whatever the input size), parallel
//! within a chunk, and lossless: every input row comes out, in order, with
//! its own fields untouched; a row that cannot be classified keeps its data
//! and says why in the `error` column.

use std::collections::BTreeMap;
use std::io::{Read, Write};

use chrono::NaiveDate;
use geo::Point;
use rayon::prelude::*;

use crate::atlas::Atlas;
use crate::error::{Error, Result};

/// Rows read, classified in parallel, and written per chunk.
pub const CHUNK_ROWS: usize = 16_384;

/// The columns appended to every row, in order.
pub const OUTPUT_COLUMNS: [&str; 5] = ["controller", "de_jure", "rayon", "overlays", "error"];

/// Where each row's date comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateSource {
    /// A column holding `YYYY-MM-DD`.
    Column(String),
    /// One date for every row.
    Fixed(NaiveDate),
}

/// Which columns hold what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassifyOptions {
    /// Name of the latitude column.
    pub lat_col: String,
    /// Name of the longitude column.
    pub lon_col: String,
    /// The date of each row.
    pub date: DateSource,
}

/// What a run did: every row is counted once, as classified or as an error.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    /// Rows read (= rows written).
    pub rows: u64,
    /// Rows whose `error` column is filled.
    pub errors: u64,
    /// Rows per controller (`(outside the region)` for points outside it).
    pub per_controller: BTreeMap<String, u64>,
}

/// Reads CSV from `input`, writes it to `output` with the
/// [`OUTPUT_COLUMNS`] appended; `progress` is called with the rows done so far
/// after each chunk.
///
/// ```
/// use frontline::classify::{classify_csv, ClassifyOptions, DateSource};
/// let atlas = frontline::Atlas::embedded()?;
/// let input = "name,lat,lon,date\nStepanakert,39.8177,46.7528,2021-06-01\nnowhere,abc,46.0,2021-06-01\n";
/// let options = ClassifyOptions { lat_col: "lat".into(), lon_col: "lon".into(), date: DateSource::Column("date".into()) };
/// let mut output = Vec::new();
/// let summary = classify_csv(&atlas, input.as_bytes(), &mut output, &options, |_| {})?;
/// let text = String::from_utf8(output).unwrap();
/// assert_eq!(summary.rows, 2);
/// assert_eq!(summary.errors, 1);
/// assert!(text.contains("Stepanakert,39.8177,46.7528,2021-06-01,nkr,azerbaijan,Stepanakert,nkao;peacekeeping-2020;lachin-corridor-2020,"));
/// assert!(text.contains("nowhere,abc,46.0,2021-06-01,,,,,\"column `lat`: expected a number, found \"\"abc\"\"\""));
/// # Ok::<(), frontline::Error>(())
/// ```
pub fn classify_csv<R: Read, W: Write>(
    atlas: &Atlas,
    input: R,
    output: W,
    options: &ClassifyOptions,
    mut progress: impl FnMut(u64),
) -> Result<Summary> {
    let io = |e: csv::Error| Error::Io {
        path: "CSV".into(),
        source: std::io::Error::other(e.to_string()),
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(input);
    let mut writer = csv::WriterBuilder::new().flexible(true).from_writer(output);
    let header = reader.headers().map_err(io)?.clone();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| Error::UnknownId {
                kind: "column",
                id: name.to_owned(),
                suggestions: header.iter().map(str::to_owned).collect(),
            })
    };
    let lat = column(&options.lat_col)?;
    let lon = column(&options.lon_col)?;
    let date = match &options.date {
        DateSource::Column(name) => Some(column(name)?),
        DateSource::Fixed(_) => None,
    };
    let fixed = match &options.date {
        DateSource::Fixed(d) => Some(*d),
        DateSource::Column(_) => None,
    };
    let mut out_header = header.clone();
    for c in OUTPUT_COLUMNS {
        out_header.push_field(c);
    }
    writer.write_record(&out_header).map_err(io)?;

    let mut summary = Summary::default();
    let mut chunk: Vec<csv::StringRecord> = Vec::with_capacity(CHUNK_ROWS);
    let mut records = reader.records();
    loop {
        chunk.clear();
        for record in records.by_ref().take(CHUNK_ROWS) {
            // An unreadable row (e.g. invalid UTF-8) still comes out, empty
            // but for its error.
            chunk.push(record.unwrap_or_else(|e| {
                let mut r = csv::StringRecord::new();
                r.push_field(&format!("\u{0}{e}"));
                r
            }));
        }
        if chunk.is_empty() {
            break;
        }
        let columns = Columns {
            lat,
            lon,
            date,
            fixed,
            options,
            width: header.len(),
        };
        let results: Vec<[String; 5]> = chunk
            .par_iter()
            .map(|record| classify_row(atlas, record, &columns))
            .collect();
        for (record, result) in chunk.iter().zip(results) {
            let mut out = if record.get(0).is_some_and(|f| f.starts_with('\u{0}')) {
                csv::StringRecord::new()
            } else {
                record.clone()
            };
            // Short rows are padded so the appended columns line up.
            while out.len() < header.len() {
                out.push_field("");
            }
            summary.rows += 1;
            if result[4].is_empty() {
                let key = if result[0].is_empty() {
                    "(outside the region)".to_owned()
                } else {
                    result[0].clone()
                };
                *summary.per_controller.entry(key).or_insert(0) += 1;
            } else {
                summary.errors += 1;
            }
            for field in &result {
                out.push_field(field);
            }
            writer.write_record(&out).map_err(io)?;
        }
        progress(summary.rows);
    }
    writer.flush().map_err(|source| Error::Io {
        path: "CSV output".into(),
        source,
    })?;
    Ok(summary)
}

/// Column positions and the fixed date, if any.
struct Columns<'a> {
    lat: usize,
    lon: usize,
    date: Option<usize>,
    fixed: Option<NaiveDate>,
    options: &'a ClassifyOptions,
    width: usize,
}

fn classify_row(atlas: &Atlas, record: &csv::StringRecord, columns: &Columns) -> [String; 5] {
    let fail = |message: String| {
        [
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            message,
        ]
    };
    if let Some(unreadable) = record.get(0).and_then(|f| f.strip_prefix('\u{0}')) {
        return fail(format!("unreadable row: {unreadable}"));
    }
    if record.len() != columns.width {
        let problem = format!(
            "row has {} fields, the header {}",
            record.len(),
            columns.width
        );
        if record.len() > columns.width {
            return fail(problem);
        }
        if [Some(columns.lat), Some(columns.lon), columns.date]
            .iter()
            .flatten()
            .any(|&i| i >= record.len())
        {
            return fail(problem);
        }
    }
    let number = |index: usize, name: &str| -> std::result::Result<f64, String> {
        let text = record.get(index).map(str::trim).unwrap_or("");
        if text.is_empty() {
            return Err(format!("column `{name}`: missing"));
        }
        text.parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| format!("column `{name}`: expected a number, found {text:?}"))
    };
    let (lat_value, lon_value) = match (
        number(columns.lat, &columns.options.lat_col),
        number(columns.lon, &columns.options.lon_col),
    ) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return fail(e),
    };
    let day = match (columns.fixed, columns.date, &columns.options.date) {
        (Some(d), _, _) => d,
        (None, Some(index), DateSource::Column(name)) => {
            match crate::parse_date(record.get(index).unwrap_or("")) {
                Ok(d) => d,
                Err(e) => return fail(format!("column `{name}`: {e}")),
            }
        }
        _ => return fail("no date".into()),
    };
    match atlas.locate(Point::new(lon_value, lat_value), day) {
        Ok(here) => [
            here.controller.unwrap_or_default(),
            here.de_jure.unwrap_or_default(),
            here.rayon.unwrap_or_default(),
            here.overlays.join(";"),
            String::new(),
        ],
        Err(e) => fail(e.to_string()),
    }
}
