//! SVG to PNG with resvg, with the same embedded fonts the SVG names.

use crate::{RenderError, Result};

/// Rasterises an SVG made by this crate (or any SVG whose text is in
/// sans-serif) to PNG bytes at its own size.
///
/// ```
/// let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"><rect width="20" height="10" fill="red"/></svg>"#;
/// let png = frontline_render::svg_to_png(svg)?;
/// assert_eq!(&png[1..4], b"PNG");
/// # Ok::<(), frontline_render::RenderError>(())
/// ```
pub fn svg_to_png(svg: &str) -> Result<Vec<u8>> {
    rasterise(svg)?
        .encode_png()
        .map_err(|e| RenderError::Png(e.to_string()))
}

/// An SVG rasterised at its own size on a transparent pixmap.
pub(crate) fn rasterise(svg: &str) -> Result<resvg::tiny_skia::Pixmap> {
    let tree =
        resvg::usvg::Tree::from_str(svg, fonts()).map_err(|e| RenderError::Png(e.to_string()))?;
    let size = tree.size().to_int_size();
    let mut pixmap =
        resvg::tiny_skia::Pixmap::new(size.width(), size.height()).ok_or_else(|| {
            RenderError::Png(format!(
                "cannot allocate {}×{} px",
                size.width(),
                size.height()
            ))
        })?;
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::default(),
        &mut pixmap.as_mut(),
    );
    Ok(pixmap)
}

/// The options with the embedded fonts, made once: parsing the fonts again
/// for every frame of an animation would cost more than drawing it.
fn fonts() -> &'static resvg::usvg::Options<'static> {
    static OPTIONS: std::sync::OnceLock<resvg::usvg::Options<'static>> = std::sync::OnceLock::new();
    OPTIONS.get_or_init(|| {
        let mut options = resvg::usvg::Options::default();
        let fonts = options.fontdb_mut();
        fonts.load_font_data(dejavu::sans::regular().to_vec());
        fonts.load_font_data(dejavu::sans::bold().to_vec());
        // Without this mapping resvg silently drops every label.
        fonts.set_sans_serif_family("DejaVu Sans");
        options
    })
}
