//! Parquet in and out (`export -o FILE.parquet`, `timeline -o FILE.parquet`,
//! `classify IN.parquet -o OUT.parquet`): GeoParquet 1.1 written and points
//! classified a record batch at a time by `frontline-datafusion`. Without
//! the `parquet` feature each says which build it needs.

use std::path::Path;

use crate::output::CliError;

/// Whether a file name asks for Parquet (`.parquet`, `.geoparquet`).
pub fn is_parquet(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet") || e.eq_ignore_ascii_case("geoparquet"))
}

#[cfg(not(feature = "parquet"))]
fn not_built(path: &Path) -> CliError {
    CliError::Output(format!(
        "{}: Parquet needs frontline built with the `parquet` feature (cargo build --release --features parquet --bin frontline)",
        path.display()
    ))
}

/// Writes `collection` as GeoParquet 1.1 to `path` (`-`: standard output).
#[cfg(feature = "parquet")]
pub fn export(collection: &geojson::FeatureCollection, path: &Path) -> Result<(), CliError> {
    let mut bytes = Vec::new();
    frontline_datafusion::geoparquet::write(collection, &mut bytes)
        .map_err(|e| CliError::Output(format!("{}: {e}", path.display())))?;
    Ok(crate::output::print_or_write(path, &bytes)?)
}

/// Writes `collection` as GeoParquet 1.1 to `path` (`-`: standard output).
#[cfg(not(feature = "parquet"))]
pub fn export(_collection: &geojson::FeatureCollection, path: &Path) -> Result<(), CliError> {
    Err(not_built(path))
}

/// Classifies the points of the Parquet file `input` into the Parquet file
/// `output`, batch by batch.
#[cfg(feature = "parquet")]
pub fn classify(
    atlas: &frontline::Atlas,
    input: &Path,
    output: &Path,
    options: &frontline::classify::ClassifyOptions,
) -> Result<frontline::classify::Summary, CliError> {
    use frontline_datafusion::classify::{classify_parquet, ParquetOptions, Points};
    let file = std::fs::File::open(input).map_err(|source| frontline::Error::Io {
        path: input.to_path_buf(),
        source,
    })?;
    let options = ParquetOptions {
        points: Points::LonLat {
            lon: options.lon_col.clone(),
            lat: options.lat_col.clone(),
        },
        date: options.date.clone(),
    };
    let mut result = None;
    let written = frontline::io::write_atomic_with(output, |out| {
        let out = std::io::BufWriter::with_capacity(1 << 20, out);
        match classify_parquet(atlas, file, out, &options, |_| {}) {
            Ok(summary) => {
                result = Some(Ok(summary));
                Ok(())
            }
            Err(e) => {
                let message = format!("{}: {e}", input.display());
                result = Some(Err(CliError::Output(message.clone())));
                Err(std::io::Error::other(message))
            }
        }
    });
    match result {
        Some(Err(e)) => Err(e),
        Some(Ok(summary)) => {
            written?;
            Ok(summary)
        }
        None => Err(written.err().map_or_else(
            || CliError::Output(format!("{}: not written", output.display())),
            CliError::from,
        )),
    }
}

/// Classifies the points of the Parquet file `input` into the Parquet file
/// `output`, batch by batch.
#[cfg(not(feature = "parquet"))]
pub fn classify(
    _atlas: &frontline::Atlas,
    input: &Path,
    _output: &Path,
    _options: &frontline::classify::ClassifyOptions,
) -> Result<frontline::classify::Summary, CliError> {
    Err(not_built(input))
}
