//! Results as text, the same bytes for every front end: pretty JSON
//! ([`json`]) and CSV ([`csv()`] for lists of flat rows, `to_csv` methods such
//! as [`Series::to_csv`](crate::Series::to_csv) for the others). The
//! `frontline` command prints these; a server sending them gives the same
//! bodies.
//!
//! GeoJSON comes from the results' own `to_geojson` methods
//! ([`Diff::to_geojson`](crate::Diff::to_geojson),
//! [`RouteReport::to_geojson`](crate::route::RouteReport::to_geojson),
//! [`Reach::to_geojson`](crate::reach::Reach::to_geojson)).

/// Pretty JSON (two-space indent) with a final newline: what `frontline …
/// --format json` prints.
///
/// ```
/// use frontline::{Atlas, parse_date};
/// let atlas = Atlas::embedded()?;
/// let stats = atlas.at(parse_date("2021-06-01")?)?.stats();
/// let text = frontline::text::json(&stats)?;
/// assert!(text.starts_with("{\n  \"date\": \"2021-06-01\",\n"));
/// assert!(text.ends_with("}\n"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// What `serde_json` refuses (a map with keys that are not strings, a
/// `Serialize` implementation that fails); never for the crate's own results.
pub fn json<T: serde::Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    Ok(text)
}

/// A flat record with a fixed set of columns, for [`csv()`].
pub trait CsvRow {
    /// The column names.
    const HEADER: &'static [&'static str];
    /// The fields, one per column of [`Self::HEADER`](CsvRow::HEADER).
    fn fields(&self) -> Vec<String>;
}

/// `rows` as CSV: the header, then one line per row, fields quoted only where
/// needed (RFC 4180), lines ending in LF.
///
/// ```
/// let atlas = frontline::Atlas::embedded()?;
/// let text = frontline::text::csv(&atlas.snapshots());
/// assert!(text.starts_with("id,date,until,label\n1994-05-12,1994-05-12,"));
/// # Ok::<(), frontline::Error>(())
/// ```
pub fn csv<T: CsvRow>(rows: &[T]) -> String {
    let header = T::HEADER.iter().map(|h| (*h).to_owned()).collect();
    csv_records(std::iter::once(header).chain(rows.iter().map(CsvRow::fields)))
}

/// Records as CSV text.
pub(crate) fn csv_records(records: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut writer = ::csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    for record in records {
        // Writing to memory cannot fail.
        let _ = writer.write_record(&record);
    }
    let bytes = writer.into_inner().unwrap_or_default();
    // Every field is a `String`, so the bytes are UTF-8.
    String::from_utf8(bytes).unwrap_or_default()
}

/// A date, or empty for none.
pub(crate) fn day(date: Option<chrono::NaiveDate>) -> String {
    date.map_or_else(String::new, |d| d.to_string())
}

impl CsvRow for crate::SnapshotInfo {
    const HEADER: &'static [&'static str] = &["id", "date", "until", "label"];
    fn fields(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.date.to_string(),
            day(self.until),
            self.label.clone(),
        ]
    }
}

impl CsvRow for crate::stats::DeJureArea {
    const HEADER: &'static [&'static str] = &["controller", "country", "area_km2"];
    fn fields(&self) -> Vec<String> {
        vec![
            self.controller.clone(),
            self.country.clone(),
            format!("{:.3}", self.area_km2),
        ]
    }
}
