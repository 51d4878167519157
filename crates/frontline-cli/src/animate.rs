//! `frontline animate`: a few lines over `frontline_render::animate`.

use std::path::Path;

use chrono::NaiveDate;
use frontline::Atlas;
use frontline_render::{AnimationFormat, AnimationOptions};

use crate::output::CliError;

/// Writes the animation of `span` (default: the dataset's longest
/// offensive) every `every` days to `path`, in the format its extension
/// names, atomically.
pub fn run(
    atlas: &Atlas,
    span: Option<(NaiveDate, NaiveDate)>,
    every: u32,
    path: &Path,
) -> Result<(), CliError> {
    // The name is checked before any frame is drawn.
    let format = AnimationFormat::from_path(path)?;
    let (from, to) = span.unwrap_or_else(|| frontline_render::default_span(atlas));
    let options = AnimationOptions {
        format,
        ..AnimationOptions::new(from, to, every)
    };
    let bytes = frontline_render::animate(atlas, &options)?;
    frontline::io::write_atomic(path, &bytes)?;
    Ok(())
}
