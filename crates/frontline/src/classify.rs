//! Batch classification of point records: every CSV row (or GeoJSON point
//! feature) gets the controller, de jure country, rayon and overlays of its
//! point on its date. Streaming (memory bounded by the chunk size, whatever
//! the input size), parallel within a chunk through the atlas's grids
//! ([`crate::index`]), and lossless: every input row comes out, in order, with
//! its own fields untouched, byte for byte; a row that cannot be classified
//! keeps its data and says why in the `error` column.
//!
//! # What "byte for byte" means for CSV
//!
//! The *values* of the fields are kept byte for byte (invalid UTF-8 too);
//! the CSV syntax around them is written anew:
//!
//! - **Quotes.** A field is quoted in the output only when it needs to be:
//!   when it holds a comma, a double quote, a CR or a LF (inner quotes are
//!   doubled), or is the only field of its row and empty. So `"1"` comes out
//!   as `1`, and `"a ""b"""` as it went in.
//! - **Line ends.** Every row ends with LF, whatever the input used (CRLF
//!   included). A CR LF inside a quoted field is part of its value and is
//!   kept.
//! - **Blank lines** between rows are no rows: they are left out.
//! - A UTF-8 **byte order mark** at the start is left out; gzip input is
//!   read decompressed and written plain.
//! - **Width.** Every output row has the header's fields and then the
//!   [`OUTPUT_COLUMNS`]. A row with fewer fields than the header is padded
//!   with empty ones; a row with more is cut to the header's width and its
//!   extra fields are quoted in its `error`. Neither is classified: a
//!   field too many or too few usually means the columns are shifted.
//! - An input that already has a column (GeoJSON: a property) named like one
//!   of the [`OUTPUT_COLUMNS`] is refused: nothing is overwritten.

use std::collections::BTreeMap;
use std::io::{Read, Write};

use chrono::NaiveDate;
use rayon::prelude::*;

use crate::atlas::Atlas;
use crate::error::{Error, Problem, Result};
use crate::index::LocationRef;

mod features;
mod lines;

/// Rows read, classified in parallel, and written per chunk.
pub const CHUNK_ROWS: usize = 16_384;

/// The columns appended to every row, in order.
pub const OUTPUT_COLUMNS: [&str; 5] = ["controller", "de_jure", "rayon", "overlays", "error"];

/// Where each row's date comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DateSource {
    /// A column holding `YYYY-MM-DD`.
    Column(String),
    /// One date for every row.
    Fixed(NaiveDate),
}

/// Which columns hold what: [`ClassifyOptions::new`] with the date, then the
/// setters for coordinate columns not named `lat` and `lon`.
///
/// ```
/// use frontline::classify::{ClassifyOptions, DateSource};
/// let options = ClassifyOptions::new(DateSource::Column("day".into())).lat_col("y").lon_col("x");
/// assert_eq!((options.lat_col.as_str(), options.lon_col.as_str()), ("y", "x"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClassifyOptions {
    /// Name of the latitude column (CSV only); `lat` by default.
    pub lat_col: String,
    /// Name of the longitude column (CSV only); `lon` by default.
    pub lon_col: String,
    /// The date of each row.
    pub date: DateSource,
}

impl ClassifyOptions {
    /// Rows dated by `date`, coordinates in the columns `lat` and `lon`.
    pub fn new(date: DateSource) -> Self {
        ClassifyOptions {
            lat_col: "lat".to_owned(),
            lon_col: "lon".to_owned(),
            date,
        }
    }

    /// The name of the latitude column.
    pub fn lat_col(mut self, name: impl Into<String>) -> Self {
        self.lat_col = name.into();
        self
    }

    /// The name of the longitude column.
    pub fn lon_col(mut self, name: impl Into<String>) -> Self {
        self.lon_col = name.into();
        self
    }
}

/// What a run did: every row is counted once, as classified or as an error.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Summary {
    /// Rows read (= rows written).
    pub rows: u64,
    /// Rows whose `error` column is filled.
    pub errors: u64,
    /// Rows per controller (`(outside the region)` for points outside it).
    pub per_controller: BTreeMap<String, u64>,
}

/// What the input is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum InputFormat {
    /// CSV with a header row; coordinates in two columns.
    Csv,
    /// A GeoJSON FeatureCollection of points.
    GeoJson,
}

impl InputFormat {
    /// From a file name: `.geojson` and `.json` are GeoJSON, anything else
    /// (and `-`, standard input) CSV; a `.gz` ending is passed over (the
    /// input is decompressed whatever its name, see [`classify`]).
    ///
    /// ```
    /// use frontline::classify::InputFormat;
    /// assert_eq!(InputFormat::from_path("points.geojson".as_ref()), InputFormat::GeoJson);
    /// assert_eq!(InputFormat::from_path("points.geojson.gz".as_ref()), InputFormat::GeoJson);
    /// assert_eq!(InputFormat::from_path("points.csv.gz".as_ref()), InputFormat::Csv);
    /// assert_eq!(InputFormat::from_path("-".as_ref()), InputFormat::Csv);
    /// ```
    pub fn from_path(path: &std::path::Path) -> InputFormat {
        let gz = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("gz"));
        let path = if gz {
            std::path::Path::new(path.file_stem().unwrap_or_default())
        } else {
            path
        };
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("geojson") || e.eq_ignore_ascii_case("json") => {
                InputFormat::GeoJson
            }
            _ => InputFormat::Csv,
        }
    }
}

/// The input as text: decompressed when it starts with gzip's magic bytes
/// (whatever its name), a UTF-8 byte order mark skipped.
enum Text<R: Read> {
    Plain(std::io::BufReader<R>),
    /// Boxed: the decoder's state is large (and larger with some of
    /// `flate2`'s backends), the plain reader small.
    #[cfg(feature = "gzip")]
    Gzip(Box<std::io::BufReader<flate2::bufread::MultiGzDecoder<std::io::BufReader<R>>>>),
}

impl<R: Read> Read for Text<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Text::Plain(r) => r.read(buf),
            #[cfg(feature = "gzip")]
            Text::Gzip(r) => r.read(buf),
        }
    }
}

const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];

fn text_of<R: Read>(input: R) -> std::io::Result<Text<R>> {
    use std::io::BufRead;
    let mut input = std::io::BufReader::with_capacity(1 << 16, input);
    let gzip = input.fill_buf()?.starts_with(GZIP_MAGIC);
    #[cfg(feature = "gzip")]
    let mut text = if gzip {
        Text::Gzip(Box::new(std::io::BufReader::new(
            flate2::bufread::MultiGzDecoder::new(input),
        )))
    } else {
        Text::Plain(input)
    };
    #[cfg(not(feature = "gzip"))]
    let mut text = if gzip {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            crate::error::NOT_IN_BUILD_GZIP,
        ));
    } else {
        Text::Plain(input)
    };
    match &mut text {
        Text::Plain(r) => crate::feature_stream::skip_bom(r)?,
        #[cfg(feature = "gzip")]
        Text::Gzip(r) => crate::feature_stream::skip_bom(r.as_mut())?,
    }
    Ok(text)
}

/// [`classify_csv`] or [`classify_geojson`], as `format` says; the output is
/// in the same format as the input. Input compressed with gzip is read
/// decompressed (it is known by its first bytes, whatever its name); the
/// output is not compressed.
pub fn classify<R: Read + Send, W: Write>(
    atlas: &Atlas,
    input: R,
    output: W,
    format: InputFormat,
    options: &ClassifyOptions,
    progress: impl FnMut(u64),
) -> Result<Summary> {
    match format {
        InputFormat::Csv => classify_csv(atlas, input, output, options, progress),
        InputFormat::GeoJson => classify_geojson(atlas, input, output, &options.date, progress),
    }
}

/// Reads CSV from `input`, writes it to `output` with the
/// [`OUTPUT_COLUMNS`] appended; `progress` is called with the rows done so far
/// after each chunk. Fields are passed through as bytes, so even a row that is
/// not valid UTF-8 comes out as it went in.
///
/// ```
/// use frontline::classify::{classify_csv, ClassifyOptions, DateSource};
/// let atlas = frontline::Atlas::embedded()?;
/// let input = "name,lat,lon,date\nStepanakert,39.8177,46.7528,2021-06-01\nnowhere,abc,46.0,2021-06-01\n";
/// let options = ClassifyOptions::new(DateSource::Column("date".into()));
/// let mut output = Vec::new();
/// let summary = classify_csv(&atlas, input.as_bytes(), &mut output, &options, |_| {})?;
/// let text = String::from_utf8(output).unwrap();
/// assert_eq!(summary.rows, 2);
/// assert_eq!(summary.errors, 1);
/// assert!(text.contains("Stepanakert,39.8177,46.7528,2021-06-01,nkr,azerbaijan,Stepanakert,nkao;peacekeeping-2020;lachin-corridor-2020,"));
/// assert!(text.contains("nowhere,abc,46.0,2021-06-01,,,,,\"column `lat`: expected a number, found \"\"abc\"\"\""));
/// # Ok::<(), frontline::Error>(())
/// ```
pub fn classify_csv<R: Read + Send, W: Write>(
    atlas: &Atlas,
    input: R,
    output: W,
    options: &ClassifyOptions,
    mut progress: impl FnMut(u64),
) -> Result<Summary> {
    let input = text_of(input).map_err(|source| Error::Io {
        path: CSV_INPUT.into(),
        source,
    })?;
    let read_error = |source: std::io::Error| Error::Io {
        path: CSV_INPUT.into(),
        source,
    };
    let mut output = output;
    let mut summary = Summary::default();
    // Quote-free text goes the fast way, block by block, from the start;
    // text with quotes or CRs goes through the `csv` reader from the first
    // block that has one.
    let mut blocks = lines::Blocks::new(input);
    let first = blocks.next(Vec::new()).map_err(read_error)?;
    let (block, rows_start, columns) = match first {
        Some(lines::Block::Lines(block)) => match lines::header(&block) {
            Some((header, rows_start)) => {
                let columns = columns_of(&header, options, &mut output)?;
                (block, rows_start, columns)
            }
            None => {
                let rest = std::io::Cursor::new(block).chain(blocks.into_input());
                return classify_quoted(atlas, rest, output, options, progress);
            }
        },
        Some(lines::Block::Quoted(block)) => {
            let rest = std::io::Cursor::new(block).chain(blocks.into_input());
            return classify_quoted(atlas, rest, output, options, progress);
        }
        None => return classify_quoted(atlas, std::io::empty(), output, options, progress),
    };
    let written = |source: std::io::Error| Error::Io {
        path: CSV_OUTPUT.into(),
        source,
    };
    summary.merge(
        lines::classify_block(atlas, &block[rows_start..], &columns, &mut output)
            .map_err(written)?,
    );
    progress(summary.rows);
    // A reader thread fills the next block while this one classifies.
    let (full_tx, full_rx) = std::sync::mpsc::sync_channel::<std::io::Result<lines::Block>>(1);
    let (empty_tx, empty_rx) = std::sync::mpsc::channel::<Vec<u8>>();
    let _ = empty_tx.send(block);
    let _ = empty_tx.send(Vec::new());
    let (quoted, blocks) = std::thread::scope(|scope| {
        let reader = scope.spawn(move || {
            while let Ok(buffer) = empty_rx.recv() {
                let next = match blocks.next(buffer) {
                    Ok(None) => break,
                    Ok(Some(block)) => Ok(block),
                    Err(e) => Err(e),
                };
                let last = !matches!(next, Ok(lines::Block::Lines(_)));
                if full_tx.send(next).is_err() || last {
                    break;
                }
            }
            blocks
        });
        let (full_rx, empty_tx) = (full_rx, empty_tx);
        let mut quoted = None;
        // A block's rows are written while the next block is classified.
        let mut classified: Option<Vec<(Vec<u8>, Summary)>> = None;
        while let Ok(next) = full_rx.recv() {
            match next.map_err(read_error)? {
                lines::Block::Lines(block) => {
                    let done = std::thread::scope(|scope| {
                        let job = scope.spawn(|| lines::classify_parts(atlas, &block, &columns));
                        if let Some(previous) = classified.take() {
                            summary.merge(lines::write_parts(previous, &mut output)?);
                            progress(summary.rows);
                        }
                        Ok::<_, std::io::Error>(
                            job.join().expect("classifying a block does not panic"),
                        )
                    })
                    .map_err(written)?;
                    classified = Some(done);
                    let _ = empty_tx.send(block);
                }
                lines::Block::Quoted(block) => {
                    quoted = Some(block);
                    break;
                }
            }
        }
        if let Some(previous) = classified.take() {
            summary.merge(lines::write_parts(previous, &mut output).map_err(written)?);
            progress(summary.rows);
        }
        drop(empty_tx);
        let blocks = reader.join().expect("the reader thread does not panic");
        Ok::<_, Error>((quoted, blocks))
    })?;
    if let Some(block) = quoted {
        let rest = std::io::Cursor::new(block).chain(blocks.into_input());
        let reader = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(false)
            .from_reader(rest);
        classify_records(
            atlas,
            reader,
            &mut output,
            &columns,
            &mut summary,
            &mut progress,
        )?;
    }
    output.flush().map_err(written)?;
    Ok(summary)
}

/// [`classify_csv`] through the `csv` reader from the header on.
fn classify_quoted<R: Read + Send, W: Write>(
    atlas: &Atlas,
    input: R,
    mut output: W,
    options: &ClassifyOptions,
    mut progress: impl FnMut(u64),
) -> Result<Summary> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(input);
    let header = reader.byte_headers().map_err(csv_input_error)?.clone();
    let columns = columns_of(&header, options, &mut output)?;
    let mut summary = Summary::default();
    classify_records(
        atlas,
        reader,
        &mut output,
        &columns,
        &mut summary,
        &mut progress,
    )?;
    output.flush().map_err(|source| Error::Io {
        path: CSV_OUTPUT.into(),
        source,
    })?;
    Ok(summary)
}

/// Reading failed (kind kept, the CSV reader's error as its source), or the
/// CSV itself is malformed.
fn csv_input_error(e: csv::Error) -> Error {
    match e.kind() {
        csv::ErrorKind::Io(io) => {
            let kind = io.kind();
            Error::Io {
                path: CSV_INPUT.into(),
                source: std::io::Error::new(kind, e),
            }
        }
        _ => Error::Csv {
            input: CSV_INPUT.into(),
            source: Box::new(e),
        },
    }
}

/// Checks the header, finds the columns and writes the output's header.
fn columns_of<'o, W: Write>(
    header: &csv::ByteRecord,
    options: &'o ClassifyOptions,
    output: &mut W,
) -> Result<Columns<'o>> {
    let io = csv_input_error;
    if header.is_empty() {
        return Err(Error::BadInput(Problem::file(
            CSV_INPUT,
            "the input is empty: expected a header row naming the columns",
        )));
    }
    // Control characters other than tab, CR and LF are no text's: never
    // echo such bytes in a message about a column.
    if header
        .as_slice()
        .iter()
        .any(|&b| b < 0x20 && !matches!(b, b'\t' | b'\r' | b'\n') || b == 0x7f)
    {
        return Err(Error::BadInput(Problem::file(
            CSV_INPUT,
            "expected CSV text, found binary data (a compressed or binary file?)",
        )));
    }
    if let Some(taken) = header
        .iter()
        .find(|h| OUTPUT_COLUMNS.iter().any(|c| c.as_bytes() == *h))
    {
        return Err(Error::BadInput(Problem::file(
            CSV_INPUT,
            already_there("column", &String::from_utf8_lossy(taken)),
        )));
    }
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h == name.as_bytes())
            .ok_or_else(|| Error::UnknownId {
                kind: "column",
                id: name.to_owned(),
                suggestions: header
                    .iter()
                    .map(|h| String::from_utf8_lossy(h).into_owned())
                    .collect(),
            })
    };
    let columns = Columns {
        lat: column(&options.lat_col)?,
        lon: column(&options.lon_col)?,
        date: match &options.date {
            DateSource::Column(name) => Some(column(name)?),
            DateSource::Fixed(_) => None,
        },
        options,
        width: header.len(),
    };
    let written = |source: std::io::Error| Error::Io {
        path: CSV_OUTPUT.into(),
        source,
    };
    let mut out_header = header.clone();
    for c in OUTPUT_COLUMNS {
        out_header.push_field(c.as_bytes());
    }
    let mut head = csv::WriterBuilder::new().from_writer(Vec::new());
    head.write_byte_record(&out_header).map_err(io)?;
    output
        .write_all(&head.into_inner().map_err(|e| written(e.into_error()))?)
        .map_err(written)?;
    Ok(columns)
}

/// Classifies the records of `reader` into `output`, adding to `summary`.
fn classify_records<R: Read + Send, W: Write>(
    atlas: &Atlas,
    mut reader: csv::Reader<R>,
    output: &mut W,
    columns: &Columns,
    summary: &mut Summary,
    progress: &mut impl FnMut(u64),
) -> Result<()> {
    let io = csv_input_error;
    let written = |source: std::io::Error| Error::Io {
        path: CSV_OUTPUT.into(),
        source,
    };
    // A reader thread parses chunks while this one locates and writes the
    // previous; chunks go back to it for reuse, so no row allocates.
    let (full_tx, full_rx) = std::sync::mpsc::sync_channel::<Chunk>(1);
    let (empty_tx, empty_rx) = std::sync::mpsc::channel::<Chunk>();
    for _ in 0..3 {
        empty_tx
            .send(Chunk::default())
            .expect("the receiver is alive");
    }
    std::thread::scope(|scope| {
        scope.spawn(move || {
            while let Ok(mut chunk) = empty_rx.recv() {
                chunk.fill(&mut reader);
                let last = chunk.len == 0 || chunk.failed.is_some();
                if full_tx.send(chunk).is_err() || last {
                    break;
                }
            }
        });
        // Moved here so that they go whenever this returns, early on a write
        // error too: the reader, blocked on sending, then stops.
        let (full_rx, empty_tx) = (full_rx, empty_tx);
        while let Ok(mut chunk) = full_rx.recv() {
            if let Some(e) = chunk.failed.take() {
                return Err(io(e));
            }
            if chunk.len == 0 {
                break;
            }
            // Locating and formatting run in parallel, a slice of the chunk
            // per task, and the slices are written in order.
            let parts: Vec<(Vec<u8>, Summary)> = chunk.records[..chunk.len]
                .par_chunks(PART_ROWS)
                .zip(chunk.errors[..chunk.len].par_chunks(PART_ROWS))
                .map(|(rows, errors)| format_rows(atlas, rows, errors, columns))
                .collect::<std::result::Result<_, csv::Error>>()
                .map_err(io)?;
            // The reader may have gone (it stops at the end); nothing to reuse then.
            let _ = empty_tx.send(chunk);
            for (bytes, part) in parts {
                output.write_all(&bytes).map_err(written)?;
                summary.merge(part);
            }
            progress(summary.rows);
        }
        Ok(())
    })
}

/// Rows read as one batch: `records[..len]`, and `errors[i]` set when row `i`
/// could not be read (its record is then empty).
#[derive(Default)]
struct Chunk {
    records: Vec<csv::ByteRecord>,
    errors: Vec<Option<String>>,
    len: usize,
    failed: Option<csv::Error>,
}

impl Chunk {
    fn fill<R: Read>(&mut self, reader: &mut csv::Reader<R>) {
        self.records.resize_with(CHUNK_ROWS, csv::ByteRecord::new);
        self.errors.resize(CHUNK_ROWS, None);
        self.len = 0;
        while self.len < CHUNK_ROWS {
            let (record, error) = (&mut self.records[self.len], &mut self.errors[self.len]);
            *error = None;
            match reader.read_byte_record(record) {
                Ok(true) => {}
                Ok(false) => break,
                // Reading failed (the input, not a row): the run fails.
                Err(e) if matches!(e.kind(), csv::ErrorKind::Io(_)) => {
                    self.failed = Some(e);
                    break;
                }
                Err(e) => {
                    record.clear();
                    *error = Some(format!("unreadable row: {e}"));
                }
            }
            self.len += 1;
        }
    }
}

/// Rows formatted by one parallel task.
const PART_ROWS: usize = 2048;

/// Locates and formats a slice of rows: their CSV bytes and their counts.
fn format_rows(
    atlas: &Atlas,
    rows: &[csv::ByteRecord],
    errors: &[Option<String>],
    columns: &Columns,
) -> std::result::Result<(Vec<u8>, Summary), csv::Error> {
    let mut writer = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::with_capacity(rows.len() * 96));
    let mut tally = Tally::default();
    let mut overlays = String::new();
    let mut fields: Vec<&[u8]> = Vec::with_capacity(columns.width + 1);
    let mut dates = DateCache::default();
    for (record, error) in rows.iter().zip(errors) {
        fields.clear();
        fields.extend(record.iter());
        let result = match error {
            None => classify_fields(atlas, &fields, columns, &mut dates),
            Some(message) => Err(message.clone()),
        };
        // Every row as wide as the header, so the appended columns line up:
        // short rows padded, long ones cut (their error holds the rest).
        let fields = record.len();
        for field in record.iter().take(columns.width) {
            writer.write_field(field)?;
        }
        for _ in fields..columns.width {
            writer.write_field([])?;
        }
        let error = tally.count(&result);
        match &result {
            Ok(here) => {
                overlays.clear();
                for (i, id) in here.overlays().enumerate() {
                    if i > 0 {
                        overlays.push(';');
                    }
                    overlays.push_str(id);
                }
                for field in [
                    here.controller().unwrap_or_default(),
                    here.de_jure().unwrap_or_default(),
                    here.rayon().unwrap_or_default(),
                    &overlays,
                    "",
                ] {
                    writer.write_field(field)?;
                }
            }
            Err(_) => {
                for field in ["", "", "", "", error.unwrap_or_default()] {
                    writer.write_field(field)?;
                }
            }
        }
        writer.write_record(None::<&[u8]>)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    Ok((bytes, tally.into_summary()))
}

/// Appends a row's answer as the [`OUTPUT_COLUMNS`] (each after a comma)
/// and the line end, and counts it.
fn push_answer<'a>(out: &mut Vec<u8>, tally: &mut Tally<'a>, result: &RowResult<'a>) {
    let error = tally.count(result);
    match result {
        Ok(here) => {
            for field in [here.controller(), here.de_jure(), here.rayon()] {
                out.push(b',');
                push_field(out, field.unwrap_or_default().as_bytes());
            }
            out.push(b',');
            let start = out.len();
            for (i, id) in here.overlays().enumerate() {
                if i > 0 {
                    out.push(b';');
                }
                out.extend_from_slice(id.as_bytes());
            }
            if needs_quotes(&out[start..]) {
                let joined = out.split_off(start);
                push_field(out, &joined);
            }
            out.extend_from_slice(b",\n");
        }
        Err(_) => {
            out.extend_from_slice(b",,,,,");
            push_field(out, error.unwrap_or_default().as_bytes());
            out.push(b'\n');
        }
    }
}

/// Whether the `csv` writer quotes a field (of a row of more than one
/// field): when it holds a comma, a double quote, a CR or a LF.
fn needs_quotes(field: &[u8]) -> bool {
    field
        .iter()
        .any(|&b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
}

/// Appends a field as the `csv` writer writes it: quoted (inner quotes
/// doubled) when it must be, as it is otherwise.
fn push_field(out: &mut Vec<u8>, field: &[u8]) {
    if !needs_quotes(field) {
        out.extend_from_slice(field);
        return;
    }
    out.push(b'"');
    for &b in field {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    out.push(b'"');
}

/// A row's answer, or why there is none.
type RowResult<'a> = std::result::Result<LocationRef<'a>, String>;

/// What [`Summary`] counts, kept while rows are written: the controllers
/// are the atlas's own strings, so a row is counted by comparing pointers,
/// not by a map lookup.
#[derive(Default)]
struct Tally<'a> {
    rows: u64,
    errors: u64,
    per_controller: Vec<(&'a str, u64)>,
}

impl<'a> Tally<'a> {
    /// Counts one row; returns its error message, if any.
    fn count<'r>(&mut self, result: &'r RowResult<'a>) -> Option<&'r str> {
        self.rows += 1;
        match result {
            Ok(here) => {
                let key = here.controller().unwrap_or(OUTSIDE);
                match self
                    .per_controller
                    .iter_mut()
                    .find(|(seen, _)| std::ptr::eq(*seen, key) || *seen == key)
                {
                    Some((_, n)) => *n += 1,
                    None => self.per_controller.push((key, 1)),
                }
                None
            }
            Err(message) => {
                self.errors += 1;
                Some(message)
            }
        }
    }

    /// Counts `rows` rows held by `controller` (`None`: outside the region).
    fn add(&mut self, controller: Option<&'a str>, rows: u64) {
        self.rows += rows;
        let key = controller.unwrap_or(OUTSIDE);
        match self
            .per_controller
            .iter_mut()
            .find(|(seen, _)| *seen == key)
        {
            Some((_, n)) => *n += rows,
            None => self.per_controller.push((key, rows)),
        }
    }

    fn into_summary(self) -> Summary {
        let mut summary = Summary {
            rows: self.rows,
            errors: self.errors,
            per_controller: BTreeMap::new(),
        };
        for (controller, n) in self.per_controller {
            *summary
                .per_controller
                .entry(controller.to_owned())
                .or_insert(0) += n;
        }
        summary
    }
}

/// The key [`Summary::per_controller`] counts points outside the region under.
const OUTSIDE: &str = "(outside the region)";

impl Summary {
    /// Adds the counts of another run.
    fn merge(&mut self, other: Summary) {
        self.rows += other.rows;
        self.errors += other.errors;
        for (controller, n) in other.per_controller {
            *self.per_controller.entry(controller).or_insert(0) += n;
        }
    }
}

/// Reads a GeoJSON FeatureCollection of points from `input` and writes it
/// to `output`, each feature with the properties `controller`, `de_jure`,
/// `rayon`, `overlays` (an array) and `error` added; every other member of
/// a feature, and of the collection, is kept as it was. A feature's members
/// keep their text (numbers as written, strings with their escapes), with
/// the whitespace between tokens left out; a key given twice comes out
/// once, at its first place with its last value. A feature that is not a
/// point, or lacks its date, keeps its data and says why in `error`. The
/// date comes from the property `date` names, or is fixed. Streaming: the
/// `features` array is read a chunk at a time,
/// and each chunk classified in parallel, a slice's points located as one
/// batch.
///
/// ```
/// use frontline::classify::{classify_geojson, DateSource};
/// let atlas = frontline::Atlas::embedded()?;
/// let input = r#"{"type": "FeatureCollection", "name": "sightings", "features": [
///   {"type": "Feature", "geometry": {"type": "Point", "coordinates": [46.7528, 39.8177]}, "properties": {"name": "Stepanakert", "seen": "2024-01-01"}},
///   {"type": "Feature", "geometry": null, "properties": {"name": "lost", "seen": "2024-01-01"}}
/// ]}"#;
/// let mut output = Vec::new();
/// let summary = classify_geojson(&atlas, input.as_bytes(), &mut output, &DateSource::Column("seen".into()), |_| {})?;
/// assert_eq!((summary.rows, summary.errors), (2, 1));
/// let out: serde_json::Value = serde_json::from_slice(&output).unwrap();
/// assert_eq!(out["name"], "sightings");
/// assert_eq!(out["features"][0]["properties"]["controller"], "azerbaijan");
/// assert_eq!(out["features"][0]["properties"]["name"], "Stepanakert");
/// assert_eq!(out["features"][1]["properties"]["error"], "feature 1: expected a Point geometry, found null");
/// # Ok::<(), frontline::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::BadInput`] naming the feature for text that is not JSON, a
/// feature that already has one of the properties classify adds, or a
/// coordinate beyond f64; [`Error::Io`] when reading or writing fails.
pub fn classify_geojson<R: Read, W: Write>(
    atlas: &Atlas,
    input: R,
    mut output: W,
    date: &DateSource,
    mut progress: impl FnMut(u64),
) -> Result<Summary> {
    use crate::feature_stream::{read_feature_collection, Piece};
    use serde_json::Value;
    let write = geojson_output_error;
    let mut summary = Summary::default();
    // Members before `features` wait for the array to open: the output
    // starts with `type` whatever the input's order.
    let mut before: Vec<(String, Value)> = Vec::new();
    let mut features_open = false;
    let mut written = 0usize;
    let member = |output: &mut W, key: &str, value: &Value| -> Result<()> {
        output.write_all(b", ").map_err(write)?;
        serde_json::to_writer(&mut *output, key).map_err(|e| write(e.into()))?;
        output.write_all(b": ").map_err(write)?;
        serde_json::to_writer(&mut *output, value).map_err(|e| write(e.into()))
    };
    // Reading stays on this thread, and so does freeing the raw features
    // (a chunk comes back here once classified): glibc's allocator stays
    // fast when one thread allocates and frees them (a reader thread of
    // their own made the run twice as slow). Past a syntax error nothing
    // more can be read: the error names the feature, and the caller's
    // atomic write keeps no half output.
    let input = text_of(input).map_err(|source| Error::Io {
        path: GEOJSON_INPUT.into(),
        source,
    })?;
    // Building, classifying and writing features runs in parallel, a slice
    // per task; slices are written in order.
    let classify_chunk = |first: usize, chunk: Vec<Box<serde_json::value::RawValue>>| {
        let parts = chunk
            .par_chunks(PART_ROWS)
            .enumerate()
            .map(|(p, slice)| features::format_features(atlas, first + p * PART_ROWS, slice, date))
            .collect::<Result<Vec<_>>>();
        (chunk, parts)
    };
    std::thread::scope(|scope| {
        // A chunk is classified while the next one is read.
        let mut pending: Option<std::thread::ScopedJoinHandle<'_, _>> = None;
        let read = read_feature_collection(input, GEOJSON_INPUT, CHUNK_ROWS, |piece| {
            match piece {
                Piece::Member(key, value) if !features_open => before.push((key, value)),
                Piece::Member(key, value) => member(&mut output, &key, &value)?,
                Piece::FeaturesBegin => {
                    features_open = true;
                    output
                        .write_all(b"{\"type\": \"FeatureCollection\"")
                        .map_err(write)?;
                    for (key, value) in before.drain(..) {
                        member(&mut output, &key, &value)?;
                    }
                    output.write_all(b", \"features\": [").map_err(write)?;
                }
                Piece::Features(chunk) => {
                    let first = written;
                    written += chunk.len();
                    let job = scope.spawn(move || classify_chunk(first, chunk));
                    if let Some(done) = pending.replace(job) {
                        write_classified(done, &mut output, &mut summary)?;
                        progress(summary.rows);
                    }
                }
                Piece::FeaturesEnd => {
                    if let Some(done) = pending.take() {
                        write_classified(done, &mut output, &mut summary)?;
                        progress(summary.rows);
                    }
                    output.write_all(b"\n]").map_err(write)?;
                }
            }
            Ok(())
        });
        // The reader stopped early: a chunk still being classified holds
        // earlier features than the reader's error, so its error comes first.
        if let Some(job) = pending.take() {
            job.join().expect("classifying features does not panic").1?;
        }
        read
    })?;
    output.write_all(b"}\n").map_err(write)?;
    output.flush().map_err(write)?;
    Ok(summary)
}

/// A chunk of raw features and what classifying them wrote, a slice at a
/// time.
type ClassifiedChunk = (
    Vec<Box<serde_json::value::RawValue>>,
    Result<Vec<(Vec<u8>, Summary)>>,
);

/// Writes a classified chunk of features (its slices in order) and counts
/// them; the chunk's raw features are freed here.
fn write_classified<W: Write>(
    job: std::thread::ScopedJoinHandle<'_, ClassifiedChunk>,
    output: &mut W,
    summary: &mut Summary,
) -> Result<()> {
    let (_features, parts) = job.join().expect("classifying features does not panic");
    for (bytes, part) in parts? {
        output.write_all(&bytes).map_err(geojson_output_error)?;
        summary.merge(part);
    }
    Ok(())
}

/// How errors name the GeoJSON input (the caller knows its file name).
pub const GEOJSON_INPUT: &str = "GeoJSON input";

/// How errors name the CSV input (the caller knows its file name).
pub const CSV_INPUT: &str = "CSV";

/// How errors name the output (the caller knows its file name).
pub const CSV_OUTPUT: &str = "CSV output";

/// How errors name the output (the caller knows its file name).
pub const GEOJSON_OUTPUT: &str = "GeoJSON output";

fn geojson_output_error(source: std::io::Error) -> Error {
    Error::Io {
        path: GEOJSON_OUTPUT.into(),
        source,
    }
}

/// Why an input that already has one of the [`OUTPUT_COLUMNS`] is refused.
fn already_there(kind: &str, name: &str) -> String {
    format!(
        "already has a {kind} `{name}`, which classify writes ({}): rename it first, nothing is overwritten",
        OUTPUT_COLUMNS.join(", ")
    )
}

/// Column positions.
struct Columns<'a> {
    lat: usize,
    lon: usize,
    date: Option<usize>,
    options: &'a ClassifyOptions,
    width: usize,
}

/// Classifies one row, given as its fields.
fn classify_fields<'a>(
    atlas: &'a Atlas,
    record: &[&[u8]],
    columns: &Columns,
    dates: &mut DateCache,
) -> RowResult<'a> {
    let (lon, lat, day) = parse_fields(record, columns, dates)?;
    locate(atlas, lon, lat, day)
}

/// A row's longitude, latitude and date, or why it has none.
fn parse_fields(
    record: &[&[u8]],
    columns: &Columns,
    dates: &mut DateCache,
) -> std::result::Result<(f64, f64, NaiveDate), String> {
    if record.len() < columns.width {
        return Err(format!(
            "row has {} fields, the header {}: padded with empty fields, not classified",
            record.len(),
            columns.width
        ));
    }
    if record.len() > columns.width {
        let extra: Vec<String> = record
            .iter()
            .skip(columns.width)
            .map(|f| format!("{:?}", String::from_utf8_lossy(f)))
            .collect();
        return Err(format!(
            "row has {} fields, the header {}: not classified; the fields past the header, left out here: {}",
            record.len(),
            columns.width,
            extra.join(",")
        ));
    }
    let text = |index: usize| -> &str {
        record
            .get(index)
            .and_then(|f| std::str::from_utf8(f).ok())
            .map_or("\u{fffd}", str::trim)
    };
    let number = |index: usize, name: &str| -> std::result::Result<f64, String> {
        // A plain decimal as it stands (no spaces around it) needs no text.
        match record.get(index).and_then(|field| fast_decimal(field)) {
            Some(value) => Ok(value),
            None => parse_coordinate(text(index), name),
        }
    };
    let lat = number(columns.lat, &columns.options.lat_col)?;
    let lon = number(columns.lon, &columns.options.lon_col)?;
    let day = match (&columns.options.date, columns.date) {
        (DateSource::Fixed(d), _) => *d,
        (DateSource::Column(name), Some(index)) => {
            let field = record.get(index).copied().unwrap_or_default();
            match dates.get(field) {
                Some(day) => day,
                None => {
                    let day = crate::parse_date(text(index))
                        .map_err(|e| format!("column `{name}`: {e}"))?;
                    dates.put(field, day);
                    day
                }
            }
        }
        (DateSource::Column(_), None) => return Err("no date".into()),
    };
    Ok((lon, lat, day))
}

/// The dates of the last few date fields read: rows mostly repeat a few
/// dates, and comparing a field's bytes is cheaper than reading it again.
pub(crate) struct DateCache {
    /// A field of up to 15 bytes as its key, and its date.
    recent: [(DateKey, NaiveDate); 8],
    len: usize,
    next_out: usize,
}

/// A field of up to 15 bytes, whole: its length and its first and last
/// eight bytes (which overlap, or for a field under eight bytes, its bytes
/// and zeros). Read with two loads, not copied byte by byte.
#[derive(Clone, Copy, PartialEq, Eq)]
struct DateKey {
    first: u64,
    last: u64,
    len: usize,
}

impl Default for DateCache {
    fn default() -> Self {
        let empty = DateKey {
            first: 0,
            last: 0,
            len: usize::MAX,
        };
        DateCache {
            recent: [(empty, NaiveDate::MIN); 8],
            len: 0,
            next_out: 0,
        }
    }
}

impl DateCache {
    /// The key of a field of up to 15 bytes.
    #[inline(always)]
    fn key(field: &[u8]) -> Option<DateKey> {
        let len = field.len();
        let eight = |bytes: &[u8]| bytes.try_into().map(u64::from_le_bytes).ok();
        let (first, last) = match len {
            8..=15 => (eight(&field[..8])?, eight(&field[len - 8..])?),
            0..=7 => {
                let packed = field
                    .iter()
                    .rev()
                    .fold(0u64, |packed, &b| packed << 8 | u64::from(b));
                (packed, 0)
            }
            _ => return None,
        };
        Some(DateKey { first, last, len })
    }

    fn get(&self, field: &[u8]) -> Option<NaiveDate> {
        let key = Self::key(field)?;
        self.recent[..self.len]
            .iter()
            .find(|(k, _)| *k == key)
            .map(|&(_, day)| day)
    }

    fn put(&mut self, field: &[u8], day: NaiveDate) {
        let Some(key) = Self::key(field) else {
            return;
        };
        if self.len < self.recent.len() {
            self.recent[self.len] = (key, day);
            self.len += 1;
        } else {
            self.recent[self.next_out] = (key, day);
            self.next_out = (self.next_out + 1) % self.recent.len();
        }
    }
}

fn parse_coordinate(text: &str, name: &str) -> std::result::Result<f64, String> {
    if text.is_empty() {
        return Err(format!("column `{name}`: missing"));
    }
    fast_decimal(text.as_bytes())
        .or_else(|| text.parse::<f64>().ok())
        .filter(|v| v.is_finite())
        .ok_or_else(|| format!("column `{name}`: expected a number, found {text:?}"))
}

/// A plain decimal (`-12.345678`: sign, digits, point, digits; at most 15
/// digits in all) read exactly as `str::parse` reads it, and faster: the
/// digits as an integer below 2^53 and the power of ten are both exact, so
/// one division rounds correctly. Anything else is `None`.
fn fast_decimal(text: &[u8]) -> Option<f64> {
    const POWERS: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let (negative, digits) = match text.first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    // At most 15 digits and a point: longer text is not read here.
    if digits.len() > 16 {
        return None;
    }
    let (whole, fraction) = match digits.iter().position(|&b| b == b'.') {
        Some(point) => (&digits[..point], &digits[point + 1..]),
        None => (digits, &digits[digits.len()..]),
    };
    let pointed = whole.len() < digits.len();
    if whole.is_empty() || (pointed && fraction.is_empty()) || whole.len() + fraction.len() > 15 {
        return None;
    }
    let mantissa = decimal_digits(fraction, decimal_digits(whole, 0)?)?;
    // Below 2^53: the conversion is exact (and as a signed integer, one
    // instruction).
    let value = mantissa as i64 as f64 / POWERS[fraction.len()];
    Some(if negative { -value } else { value })
}

/// `value` followed by the decimal digits `text` (`None` when a byte is not
/// one): four at a time, then one by one.
#[inline(always)]
fn decimal_digits(text: &[u8], mut value: u64) -> Option<u64> {
    let mut fours = text.chunks_exact(4);
    for four in &mut fours {
        let word = u32::from_le_bytes([four[0], four[1], four[2], four[3]]);
        // Every byte 0x30..=0x39: its high nibble 3, and adding 6 to it
        // does not carry into the high nibble.
        if (word & 0xf0f0_f0f0) | ((word.wrapping_add(0x0606_0606) & 0xf0f0_f0f0) >> 4)
            != 0x3333_3333
        {
            return None;
        }
        let digits = word - 0x3030_3030;
        // The first byte is the first digit: pairs, then the four.
        let pairs = (digits & 0x00ff_00ff) * 10 + ((digits >> 8) & 0x00ff_00ff);
        value = value * 10_000 + u64::from((pairs & 0xffff) * 100 + (pairs >> 16));
    }
    for &b in fours.remainder() {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        value = value * 10 + u64::from(digit);
    }
    Some(value)
}

fn locate(
    atlas: &Atlas,
    lon: f64,
    lat: f64,
    day: NaiveDate,
) -> std::result::Result<LocationRef<'_>, String> {
    atlas.locate_record(lon, lat, day).map_err(|e| {
        // The whole message (which coordinate, which first date) comes from
        // the checks the record failed.
        crate::geometry::check_point(geo::Point::new(lon, lat))
            .and_then(|()| atlas.snapshot_in_force(day).map(drop))
            .err()
            .map_or_else(|| e.to_string(), |full| full.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        crate::parse_date(text).unwrap()
    }

    #[test]
    fn plain_decimals_read_as_str_parse_reads_them() {
        let mut rng = crate::testing::Xorshift::new(0x2545_f491_4f6c_dd1d);
        let mut next = move || rng.next_u64();
        let mut texts: Vec<String> = [
            "0",
            "7",
            "-0",
            "+5",
            "12.5",
            "0.000001",
            "39.8177",
            "-46.7528",
            "180",
            "1.",
            ".5",
            "1..2",
            "1.2.3",
            "",
            "-",
            "+",
            ".",
            "-.5",
            "1e5",
            " 1",
            "1 ",
            "12a4",
            "1234:678",
            "123456789012345",
            "1234567890123456",
            "12345678.9012345",
            "1234567.89012345",
            "99999999999999.9",
            "9999/999",
            "12345678901234567890123456789",
        ]
        .map(String::from)
        .into();
        for _ in 0..100_000 {
            let r = next();
            let digits = (r % 16) as usize + 1;
            let mut text: String = (0..digits)
                .map(|k| char::from(b'0' + (next() >> (k % 8 * 8)) as u8 % 10))
                .collect();
            if r >> 8 & 1 == 1 && digits > 1 {
                text.insert((r >> 16) as usize % (digits - 1) + 1, '.');
            }
            if r >> 9 & 1 == 1 {
                text.insert(0, '-');
            }
            texts.push(text);
        }
        let mut read = 0;
        for text in &texts {
            let expected: Option<f64> = text.parse().ok();
            match fast_decimal(text.as_bytes()) {
                Some(value) => {
                    assert_eq!(
                        Some(value.to_bits()),
                        expected.map(f64::to_bits),
                        "{text:?}"
                    );
                    read += 1;
                }
                // Only what is no plain decimal of at most 15 digits is left
                // to `str::parse`.
                None => {
                    let digits = text.bytes().filter(u8::is_ascii_digit).count();
                    let plain = text.trim_start_matches(['-', '+']);
                    let simple = plain.split('.').count() <= 2
                        && !plain.starts_with('.')
                        && !plain.ends_with('.')
                        && plain.bytes().all(|b| b.is_ascii_digit() || b == b'.');
                    assert!(!simple || digits > 15 || digits == 0, "{text:?} not read");
                }
            }
        }
        assert!(read > 80_000, "only {read} read");
    }

    #[test]
    fn the_date_cache_tells_fields_apart_by_every_byte_and_the_length() {
        let mut dates = DateCache::default();
        dates.put(b"2020-11-15", day("2020-11-15"));
        assert_eq!(dates.get(b"2020-11-15"), Some(day("2020-11-15")));
        assert_eq!(dates.get(b"2020-11-16"), None);
        assert_eq!(dates.get(b" 2020-11-15"), None);
        assert_eq!(dates.get(b"2020-11-1"), None);
        // A field padded with NULs is not the shorter field.
        assert_eq!(dates.get(b"2020-11-15\0"), None);
        // Fields of 16 bytes or more are never kept.
        dates.put(b"2020-11-15      ", day("2020-11-15"));
        assert_eq!(dates.get(b"2020-11-15      "), None);
        // The oldest goes when more than eight are kept.
        for d in 1..=9 {
            let text = format!("2021-01-0{d}");
            dates.put(text.as_bytes(), day(&text));
        }
        assert_eq!(dates.get(b"2020-11-15"), None);
        assert_eq!(dates.get(b"2021-01-01"), None);
        assert_eq!(dates.get(b"2021-01-09"), Some(day("2021-01-09")));
        assert_eq!(dates.get(b"2021-01-02"), Some(day("2021-01-02")));
        // Every byte counts, at every length up to 15 (the key reads a
        // field's first and last eight bytes, or packs a short one).
        let field = b"2020-11-15T00:0";
        for len in 0..=15 {
            let mut dates = DateCache::default();
            dates.put(&field[..len], day("2020-11-15"));
            assert_eq!(dates.get(&field[..len]), Some(day("2020-11-15")), "{len}");
            for at in 0..len {
                let mut other = field[..len].to_vec();
                other[at] ^= 0x40;
                assert_eq!(dates.get(&other), None, "{len} {at}");
            }
            if len > 0 {
                assert_eq!(dates.get(&field[..len - 1]), None, "{len}");
                assert_eq!(dates.get(&field[1..len]), None, "{len}");
            }
        }
    }

    #[test]
    fn a_row_reads_the_same_with_the_date_cache_warm_or_cold() {
        let options = ClassifyOptions::new(DateSource::Column("when".into()));
        let columns = Columns {
            lat: 1,
            lon: 2,
            date: Some(3),
            options: &options,
            width: 4,
        };
        let rows: [&[&[u8]]; 4] = [
            &[b"a", b"39.8177", b"46.7528", b"2020-11-15"],
            &[b"b", b" 39.5", b"+46.75 ", b" 2020-11-15 "],
            &[b"c", b"39.5", b"46.75", b"2020-02-30"],
            &[b"d", b"1e1", b"-0.5", b"2020-11-15"],
        ];
        let mut warm = DateCache::default();
        for row in rows {
            let cold = parse_fields(row, &columns, &mut DateCache::default());
            assert_eq!(parse_fields(row, &columns, &mut warm), cold);
            assert_eq!(parse_fields(row, &columns, &mut warm), cold);
        }
        assert_eq!(
            parse_fields(rows[1], &columns, &mut warm),
            Ok((46.75, 39.5, day("2020-11-15")))
        );
        assert!(parse_fields(rows[2], &columns, &mut warm)
            .unwrap_err()
            .starts_with("column `when`:"));
        assert_eq!(
            parse_fields(rows[3], &columns, &mut warm),
            Ok((-0.5, 10.0, day("2020-11-15")))
        );
    }
}
