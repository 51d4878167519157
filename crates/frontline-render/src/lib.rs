//! # frontline-render
//!
//! Maps of a [`frontline::View`] (who holds what on a date), diff maps of a
//! [`frontline::Diff`], and step charts of a [`frontline::Series`], as SVG
//! drawn with plotters and as PNG rasterised with resvg. Fonts (DejaVu Sans)
//! are compiled in and the projection is pure Rust, so output is the same on
//! every machine: the same input gives byte-identical SVG.
//!
//! ```
//! use frontline::{Atlas, parse_date};
//! use frontline_render::{render_map, MapOptions};
//!
//! let atlas = Atlas::embedded()?;
//! let view = atlas.at(parse_date("2020-12-01")?)?;
//! let svg = render_map(&view, &MapOptions::default())?;
//! assert!(svg.starts_with("<svg"));
//! assert!(svg.contains("Nagorno-Karabakh Republic"));
//! # Ok::<(), frontline_render::RenderError>(())
//! ```
#![warn(missing_docs)]

mod animation;
mod chart;
mod draw;
mod frame;
mod labels;
mod map;
mod palette;
mod png;

pub use animation::{
    animate, default_span, frame_dates, map_frame, step_events, AnimationFormat, AnimationOptions,
    MAX_FRAMES,
};
pub use chart::{
    chart_layout, render_chart, ChartLayout, ChartMarker, ChartOptions, ChartPanel, LabelBox,
};
pub use frame::{BBox, Frame, Plane};
pub use map::{render_diff, render_map, MapOptions};
pub use palette::{muted, TRANSITION_COLOURS};
pub use png::svg_to_png;

/// Why a picture could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// The bounding box is empty, inverted or out of range.
    #[error("invalid bbox: {0} (expected lon_min,lat_min,lon_max,lat_max with min < max)")]
    BadBBox(String),
    /// The image size is unusable.
    #[error("invalid size {0}×{1} px: expected 200 to 10000 px on each side")]
    BadSize(u32, u32),
    /// The projection cannot be made or used.
    #[error("unknown or unusable projection {0}")]
    Projection(String),
    /// Something the library refused (a date out of range, ...).
    #[error(transparent)]
    Frontline(#[from] frontline::Error),
    /// plotters could not draw.
    #[error("drawing failed: {0}")]
    Draw(String),
    /// An animation's parameters or file name cannot be used.
    #[error("{0}")]
    Format(String),
    /// The SVG could not be rasterised.
    #[error("PNG rendering failed: {0}")]
    Png(String),
}

/// This crate's result type.
pub type Result<T, E = RenderError> = std::result::Result<T, E>;

/// Text to draw on one line: control characters (tab, newline, escape...)
/// become spaces, which XML allows and a one-line caption can show.
pub(crate) fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Removes from an SVG the characters XML 1.0 never allows (C0 controls but
/// tab, newline and carriage return; U+FFFE, U+FFFF), whatever text they
/// came with (a dataset's names included), so that the SVG always parses.
pub(crate) fn xml_safe(svg: String) -> String {
    let allowed = |c: char| !matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}');
    if svg.chars().all(allowed) {
        svg
    } else {
        svg.chars().filter(|&c| allowed(c)).collect()
    }
}

/// Registers the embedded DejaVu Sans with plotters (once per process).
pub(crate) fn register_fonts() {
    use plotters::style::{register_font, FontStyle};
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // The bytes are the `dejavu` crate's own: they parse.
        let _ = register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular());
        let _ = register_font("sans-serif", FontStyle::Bold, dejavu::sans::bold());
    });
}
