//! Colours. Controllers bring their own (the bundled dataset uses the
//! Okabe–Ito palette, safe for the common colour-vision deficiencies);
//! transitions on diff maps take these, in order.

use plotters::style::RGBColor;

/// Colours of the transitions of a diff map, in order (Okabe–Ito, then black).
pub const TRANSITION_COLOURS: [&str; 8] = [
    "#d55e00", "#0072b2", "#cc79a7", "#009e73", "#e69f00", "#56b4e9", "#f0e442", "#000000",
];

/// Parses `#rrggbb`; anything else is mid grey.
pub(crate) fn rgb(hex: &str) -> RGBColor {
    let value = hex
        .strip_prefix('#')
        .and_then(|h| u32::from_str_radix(h, 16).ok())
        .filter(|_| hex.len() == 7);
    value.map_or(RGBColor(128, 128, 128), |v| {
        RGBColor((v >> 16) as u8, (v >> 8) as u8, v as u8)
    })
}

/// A colour blended towards white: unchanged ground on diff maps.
///
/// ```
/// assert_eq!(frontline_render::muted("#000000"), "#b3b3b3");
/// ```
pub fn muted(hex: &str) -> String {
    let RGBColor(r, g, b) = rgb(hex);
    let blend = |c: u8| (c as f64 + (255.0 - c as f64) * 0.7).round() as u8;
    format!("#{:02x}{:02x}{:02x}", blend(r), blend(g), blend(b))
}
