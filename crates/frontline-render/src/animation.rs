//! Animations: the control map once a step between two dates, with the date,
//! each side's area and the events of the step, as an animated GIF or APNG.
//!
//! Frames are drawn as the maps of [`render_map`] (same palette, legend and
//! labels) over a band listing the step's events, rasterised in parallel.
//! GIF frames take an exact palette: the maps use few colours, so the 256
//! most frequent colours of all frames hold every fill and line exactly and
//! the rest (antialiased edges) take the nearest of them, without dithering;
//! after the first frame only the rectangle that changed is stored.

use std::path::Path;

use chrono::{Days, NaiveDate};
use frontline::{Atlas, Event};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use rayon::prelude::*;

use crate::draw::draw_error;
use crate::frame::{BBox, Frame};
use crate::map::{render_map, MapOptions};
use crate::{RenderError, Result};

/// The most frames an animation may have (each is held in memory).
pub const MAX_FRAMES: usize = 1000;

/// Events listed under a frame at most; more are counted on a last line.
const MAX_EVENT_LINES: usize = 5;
const LINE_H: f64 = 17.0;

/// The file format of an animation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnimationFormat {
    /// Animated GIF, 256 colours.
    Gif,
    /// Animated PNG (APNG), full colour; shown as its first frame where
    /// APNG is unknown.
    Apng,
}

impl AnimationFormat {
    /// The format a file name asks for, by its extension: `.gif`, or
    /// `.png`/`.apng` for APNG.
    ///
    /// # Errors
    ///
    /// [`RenderError::Format`] for any other extension, or none.
    ///
    /// ```
    /// use frontline_render::AnimationFormat;
    /// use std::path::Path;
    /// assert_eq!(AnimationFormat::from_path(Path::new("war.GIF"))?, AnimationFormat::Gif);
    /// assert_eq!(AnimationFormat::from_path(Path::new("war.apng"))?, AnimationFormat::Apng);
    /// assert!(AnimationFormat::from_path(Path::new("war.webm")).is_err());
    /// # Ok::<(), frontline_render::RenderError>(())
    /// ```
    pub fn from_path(path: &Path) -> Result<AnimationFormat> {
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_lowercase);
        match extension.as_deref() {
            Some("gif") => Ok(AnimationFormat::Gif),
            Some("png" | "apng") => Ok(AnimationFormat::Apng),
            _ => Err(RenderError::Format(format!(
                "{}: expected an animation file ending in .gif, .png or .apng",
                path.display()
            ))),
        }
    }
}

/// What to animate and how.
#[derive(Debug, Clone)]
pub struct AnimationOptions {
    /// First frame's date.
    pub from: NaiveDate,
    /// Last frame's date (always shown, even when the last step is shorter).
    pub to: NaiveDate,
    /// Days from one frame to the next, at least 1.
    pub every_days: u32,
    /// Frame width, px.
    pub width: u32,
    /// Frame height, px, the event list included.
    pub height: u32,
    /// Ground to show; by default where control changes between `from`
    /// and `to` ([`BBox::conflict_area_between`]), with more on the west and
    /// at the bottom for the legend.
    pub bbox: Option<BBox>,
    /// How long each frame shows, ms (rounded to 10 ms in a GIF); the last
    /// frame shows three times as long.
    pub delay_ms: u32,
    /// Whether to label places.
    pub labels: bool,
    /// GIF or APNG.
    pub format: AnimationFormat,
}

impl AnimationOptions {
    /// Options for `from..=to` every `every_days`, with the defaults for the
    /// rest: 900×760 px, 1 s a frame, places labelled, GIF.
    pub fn new(from: NaiveDate, to: NaiveDate, every_days: u32) -> AnimationOptions {
        AnimationOptions {
            from,
            to,
            every_days,
            width: 900,
            height: 760,
            bbox: None,
            delay_ms: 1000,
            labels: true,
            format: AnimationFormat::Gif,
        }
    }
}

/// The span animated when none is asked for: the longest offensive of the
/// dataset (an event of kind `offensive` with an end date; in the bundled
/// dataset the 2020 war, 2020-09-27 to 2020-11-10), else from the first
/// snapshot to the last.
///
/// ```
/// use frontline::{Atlas, parse_date};
/// let atlas = Atlas::embedded()?;
/// let (from, to) = frontline_render::default_span(&atlas);
/// assert_eq!((from, to), (parse_date("2020-09-27")?, parse_date("2020-11-10")?));
/// # Ok::<(), frontline_render::RenderError>(())
/// ```
pub fn default_span(atlas: &Atlas) -> (NaiveDate, NaiveDate) {
    let longest = atlas
        .events()
        .iter()
        .filter(|e| e.kind == "offensive")
        .filter_map(|e| e.until.map(|until| (e.date, until)))
        .filter(|(from, until)| until > from)
        .max_by_key(|(from, until)| (*until - *from, std::cmp::Reverse(*from)));
    let snapshots = atlas.snapshots();
    longest.unwrap_or_else(|| {
        let first = snapshots.first().map_or(NaiveDate::MIN, |s| s.date);
        (first, snapshots.last().map_or(first, |s| s.date))
    })
}

/// The date of every frame: `from`, then every `every_days` days while
/// before `to`, then `to`.
///
/// # Errors
///
/// A reversed interval, a step of 0 days, or more than [`MAX_FRAMES`] frames.
///
/// ```
/// use frontline::parse_date;
/// let dates = frontline_render::frame_dates(parse_date("2020-09-27")?, parse_date("2020-11-10")?, 7)?;
/// assert_eq!(dates.len(), 8);
/// assert_eq!(dates[1], parse_date("2020-10-04")?);
/// assert_eq!(dates[6], parse_date("2020-11-08")?);
/// assert_eq!(dates[7], parse_date("2020-11-10")?);
/// # Ok::<(), frontline_render::RenderError>(())
/// ```
pub fn frame_dates(from: NaiveDate, to: NaiveDate, every_days: u32) -> Result<Vec<NaiveDate>> {
    if from > to {
        return Err(frontline::Error::ReversedInterval { from, to }.into());
    }
    if every_days == 0 {
        return Err(RenderError::Format(
            "invalid step of 0 days: expected --every 1 or more".into(),
        ));
    }
    let span = (to - from).num_days() as u64;
    let count = span.div_ceil(every_days as u64) + 1;
    if count > MAX_FRAMES as u64 {
        return Err(RenderError::Format(format!(
            "{count} frames from {from} to {to} every {every_days} days: expected at most {MAX_FRAMES} (take a longer step)"
        )));
    }
    let mut dates: Vec<NaiveDate> = (0..count - 1)
        .map(|k| from + Days::new(k * every_days as u64))
        .collect();
    dates.push(to);
    Ok(dates)
}

/// The events listed under each frame: those dated after the previous
/// frame, up to and including the frame's own date (the first frame: those
/// of its date), in the dataset's order.
///
/// ```
/// use frontline::{Atlas, parse_date};
/// let atlas = Atlas::embedded()?;
/// let dates = [parse_date("2020-11-01")?, parse_date("2020-11-08")?];
/// let steps = frontline_render::step_events(&atlas, &dates);
/// assert!(steps[0].is_empty());
/// assert_eq!(steps[1][0].id, "shusha-taken-2020");
/// # Ok::<(), frontline_render::RenderError>(())
/// ```
pub fn step_events<'a>(atlas: &'a Atlas, dates: &[NaiveDate]) -> Vec<Vec<&'a Event>> {
    dates
        .iter()
        .enumerate()
        .map(|(i, &date)| {
            let after = if i == 0 {
                date.pred_opt().unwrap_or(NaiveDate::MIN)
            } else {
                dates[i - 1]
            };
            atlas
                .events()
                .iter()
                .filter(|e| e.date > after && e.date <= date)
                .collect()
        })
        .collect()
}

/// Where the map of every frame is drawn: its [`Frame`] (lon/lat to pixel)
/// within the frame's top part, the event list below it.
///
/// # Errors
///
/// As [`animate`].
pub fn map_frame(atlas: &Atlas, options: &AnimationOptions) -> Result<Frame> {
    let dates = frame_dates(options.from, options.to, options.every_days)?;
    let layout = Layout::new(atlas, options, &dates)?;
    Frame::new(
        layout.bbox,
        options.width,
        layout.map_height,
        crate::map::TOP,
        crate::map::BOTTOM,
    )
}

/// The pieces every frame shares.
struct Layout {
    bbox: BBox,
    map_height: u32,
    lines: usize,
}

impl Layout {
    fn new(atlas: &Atlas, options: &AnimationOptions, dates: &[NaiveDate]) -> Result<Layout> {
        if !(200..=4000).contains(&options.width) || !(200..=4000).contains(&options.height) {
            return Err(RenderError::Format(format!(
                "invalid frame size {}×{} px: expected 200 to 4000 px on each side",
                options.width, options.height
            )));
        }
        let bbox = match options.bbox {
            Some(b) => b,
            None => {
                // More ground at the bottom and on the west, for the legend
                // (bottom left) to lie on instead of on the front; a frame
                // wider than the ground takes the width at no cost in scale.
                let b = BBox::conflict_area_between(atlas, options.from, options.to)?;
                let down = (b.lat_max - b.lat_min) * 0.2;
                let west = (b.lon_max - b.lon_min) * 0.4;
                BBox::new(
                    (b.lon_min - west).max(-180.0),
                    (b.lat_min - down).max(-89.0),
                    b.lon_max,
                    b.lat_max,
                )?
            }
        };
        let most = step_events(atlas, dates)
            .iter()
            .map(Vec::len)
            .max()
            .unwrap_or(0);
        let lines = most.clamp(1, MAX_EVENT_LINES);
        let band = band_height(lines);
        let map_height = options.height.saturating_sub(band);
        if map_height < 200 {
            return Err(RenderError::Format(format!(
                "frame height {} px leaves no room for the map above {band} px of events: expected at least {} px",
                options.height,
                band + 200
            )));
        }
        Ok(Layout {
            bbox,
            map_height,
            lines,
        })
    }
}

fn band_height(lines: usize) -> u32 {
    (30.0 + LINE_H * lines as f64).ceil() as u32
}

/// The animation as the bytes of a GIF or APNG file.
///
/// # Errors
///
/// A reversed interval ([`frontline::Error::ReversedInterval`]), a start
/// before the first snapshot, a step of 0 days, too many frames, a frame
/// size out of range, or a failure to draw or encode.
///
/// ```no_run
/// use frontline::{Atlas, parse_date};
/// use frontline_render::{animate, AnimationOptions};
/// let atlas = Atlas::embedded()?;
/// let options = AnimationOptions::new(parse_date("2020-09-27")?, parse_date("2020-11-10")?, 7);
/// let gif = animate(&atlas, &options)?;
/// assert_eq!(&gif[..6], b"GIF89a");
/// # Ok::<(), frontline_render::RenderError>(())
/// ```
pub fn animate(atlas: &Atlas, options: &AnimationOptions) -> Result<Vec<u8>> {
    let dates = frame_dates(options.from, options.to, options.every_days)?;
    let layout = Layout::new(atlas, options, &dates)?;
    let steps = step_events(atlas, &dates);
    // Every frame's view first, so that a date before the dataset fails
    // before anything is drawn.
    let views = dates
        .iter()
        .map(|&date| atlas.at(date))
        .collect::<frontline::Result<Vec<_>>>()?;
    let frames: Vec<Vec<u8>> = views
        .par_iter()
        .enumerate()
        .map(|(i, view)| {
            let previous = (i > 0).then(|| dates[i - 1]);
            draw_frame(view, previous, &steps[i], &layout, options)
        })
        .collect::<Result<_>>()?;
    let delays: Vec<u32> = (0..frames.len())
        .map(|i| {
            if i + 1 == frames.len() {
                options.delay_ms.saturating_mul(3)
            } else {
                options.delay_ms
            }
        })
        .collect();
    match options.format {
        AnimationFormat::Gif => encode_gif(&frames, &delays, options.width, options.height),
        AnimationFormat::Apng => encode_apng(&frames, &delays, options.width, options.height),
    }
}

/// One frame, opaque RGBA: the map over the band of events.
fn draw_frame(
    view: &frontline::View<'_>,
    previous: Option<NaiveDate>,
    events: &[&Event],
    layout: &Layout,
    options: &AnimationOptions,
) -> Result<Vec<u8>> {
    let map = render_map(
        view,
        &MapOptions {
            width: options.width,
            height: layout.map_height,
            bbox: Some(layout.bbox),
            labels: options.labels,
            ..MapOptions::default()
        },
    )?;
    let band = event_band(view.date, previous, events, layout, options.width)?;
    let mut rgba = crate::png::rasterise(&map)?.take();
    rgba.extend_from_slice(&crate::png::rasterise(&band)?.take());
    // Both pictures paint a white background first: every pixel is opaque,
    // so premultiplied RGBA is plain RGBA.
    debug_assert_eq!(rgba.len(), (options.width * options.height * 4) as usize);
    Ok(rgba)
}

/// The band under the map: the step and its events, one a line, each cut to
/// the width with an ellipsis.
fn event_band(
    date: NaiveDate,
    previous: Option<NaiveDate>,
    events: &[&Event],
    layout: &Layout,
    width: u32,
) -> Result<String> {
    crate::register_fonts();
    let height = band_height(layout.lines);
    let mut svg = String::new();
    {
        let canvas = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        canvas.fill(&WHITE).map_err(draw_error)?;
        canvas
            .draw(&PathElement::new(
                vec![(12, 1), (width as i32 - 12, 1)],
                RGBColor(190, 190, 190).stroke_width(1),
            ))
            .map_err(draw_error)?;
        let heading = match previous {
            Some(before) if before.succ_opt() != Some(date) => {
                format!("Events {} to {date}", before.succ_opt().unwrap_or(before))
            }
            _ => format!("Events on {date}"),
        };
        let bold = ("sans-serif", 13.0, FontStyle::Bold)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Left, VPos::Top));
        canvas
            .draw(&Text::new(heading, (12, 8), bold))
            .map_err(draw_error)?;
        let style = ("sans-serif", 12.0)
            .into_font()
            .color(&RGBColor(40, 40, 40))
            .pos(Pos::new(HPos::Left, VPos::Top));
        let mut lines: Vec<String> = events
            .iter()
            .map(|e| format!("{}  {}", e.date, crate::one_line(&e.title)))
            .collect();
        if lines.is_empty() {
            lines.push("none listed".to_owned());
        }
        if lines.len() > layout.lines {
            let more = lines.len() - layout.lines + 1;
            lines.truncate(layout.lines - 1);
            lines.push(format!("and {more} more"));
        }
        let room = width as f64 - 24.0;
        for (k, line) in lines.into_iter().enumerate() {
            let text = fit(&canvas, line, &style, room);
            let y = 28.0 + k as f64 * LINE_H;
            canvas
                .draw(&Text::new(text, (12, y as i32), style.clone()))
                .map_err(draw_error)?;
        }
        canvas.present().map_err(draw_error)?;
    }
    Ok(crate::xml_safe(svg))
}

/// `text`, cut with an ellipsis to fit `room` px.
fn fit(canvas: &crate::draw::Canvas, text: String, style: &TextStyle, room: f64) -> String {
    let width = |t: &str| {
        canvas
            .estimate_text_size(t, style)
            .map_or(t.chars().count() as f64 * 7.0, |(w, _)| w as f64)
    };
    if width(&text) <= room {
        return text;
    }
    let mut chars: Vec<char> = text.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let cut: String = chars.iter().collect::<String>().trim_end().to_owned() + "…";
        if width(&cut) <= room {
            return cut;
        }
    }
    "…".to_owned()
}

/// An exact palette: the 256 most frequent colours of all frames (ties by
/// colour, so the output is deterministic), and each colour's index, the
/// nearest entry for colours left out.
struct Palette {
    colours: Vec<[u8; 3]>,
    index: std::collections::HashMap<u32, u8>,
}

fn key(p: &[u8]) -> u32 {
    (p[0] as u32) << 16 | (p[1] as u32) << 8 | p[2] as u32
}

impl Palette {
    fn of(frames: &[Vec<u8>]) -> Palette {
        let mut counts: std::collections::HashMap<u32, u64> = std::collections::HashMap::new();
        for frame in frames {
            for p in frame.chunks_exact(4) {
                *counts.entry(key(p)).or_default() += 1;
            }
        }
        let mut ranked: Vec<(u32, u64)> = counts.iter().map(|(&c, &n)| (c, n)).collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let colours: Vec<[u8; 3]> = ranked
            .iter()
            .take(256)
            .map(|&(c, _)| [(c >> 16) as u8, (c >> 8) as u8, c as u8])
            .collect();
        let index = counts
            .keys()
            .map(|&c| {
                let rgb = [(c >> 16) as i32, (c >> 8 & 0xff) as i32, (c & 0xff) as i32];
                let nearest = colours
                    .iter()
                    .enumerate()
                    .min_by_key(|(_, p)| (0..3).map(|k| (rgb[k] - p[k] as i32).pow(2)).sum::<i32>())
                    .map_or(0, |(i, _)| i as u8);
                (c, nearest)
            })
            .collect();
        Palette { colours, index }
    }

    fn indexed(&self, frame: &[u8]) -> Vec<u8> {
        frame
            .chunks_exact(4)
            .map(|p| self.index.get(&key(p)).copied().unwrap_or(0))
            .collect()
    }
}

fn encode_error<E: std::fmt::Display>(error: E) -> RenderError {
    RenderError::Png(format!("encoding the animation failed: {error}"))
}

/// A GIF of the frames with one global exact palette, looping; after the
/// first frame only the rectangle that changed is stored.
fn encode_gif(frames: &[Vec<u8>], delays: &[u32], width: u32, height: u32) -> Result<Vec<u8>> {
    let palette = Palette::of(frames);
    let flat: Vec<u8> = palette.colours.iter().flatten().copied().collect();
    let (w, h) = (width as u16, height as u16);
    let mut out = Vec::new();
    {
        let mut encoder = gif::Encoder::new(&mut out, w, h, &flat).map_err(encode_error)?;
        encoder
            .set_repeat(gif::Repeat::Infinite)
            .map_err(encode_error)?;
        let mut before: Option<Vec<u8>> = None;
        for (rgba, &delay_ms) in frames.iter().zip(delays) {
            let indexed = palette.indexed(rgba);
            let (left, top, cw, ch) = match &before {
                None => (0, 0, width as usize, height as usize),
                Some(old) => changed_rect(old, &indexed, width as usize, height as usize),
            };
            let mut pixels = Vec::with_capacity(cw * ch);
            for y in top..top + ch {
                let row = y * width as usize;
                pixels.extend_from_slice(&indexed[row + left..row + left + cw]);
            }
            let mut frame = gif::Frame::from_indexed_pixels(cw as u16, ch as u16, pixels, None);
            frame.left = left as u16;
            frame.top = top as u16;
            frame.delay = (delay_ms.div_ceil(10)).min(u16::MAX as u32) as u16;
            frame.dispose = gif::DisposalMethod::Keep;
            encoder.write_frame(&frame).map_err(encode_error)?;
            before = Some(indexed);
        }
    }
    Ok(out)
}

/// The smallest rectangle (left, top, width, height) holding every pixel
/// that differs; one pixel when none does (a GIF frame is never empty).
fn changed_rect(a: &[u8], b: &[u8], width: usize, height: usize) -> (usize, usize, usize, usize) {
    let (mut x0, mut y0, mut x1, mut y1) = (width, height, 0, 0);
    for y in 0..height {
        let row = y * width;
        let (ra, rb) = (&a[row..row + width], &b[row..row + width]);
        if ra == rb {
            continue;
        }
        let first = ra.iter().zip(rb).position(|(p, q)| p != q).unwrap_or(0);
        let last = width
            - 1
            - ra.iter()
                .rev()
                .zip(rb.iter().rev())
                .position(|(p, q)| p != q)
                .unwrap_or(0);
        x0 = x0.min(first);
        x1 = x1.max(last);
        y0 = y0.min(y);
        y1 = y1.max(y);
    }
    if x0 > x1 {
        return (0, 0, 1, 1);
    }
    (x0, y0, x1 - x0 + 1, y1 - y0 + 1)
}

/// An APNG of the full-colour frames, looping.
fn encode_apng(frames: &[Vec<u8>], delays: &[u32], width: u32, height: u32) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder
            .set_animated(frames.len() as u32, 0)
            .map_err(encode_error)?;
        let mut writer = encoder.write_header().map_err(encode_error)?;
        for (rgba, &delay_ms) in frames.iter().zip(delays) {
            let rgb: Vec<u8> = rgba
                .chunks_exact(4)
                .flat_map(|p| [p[0], p[1], p[2]])
                .collect();
            // The delay is a fraction: ms over 1000, both 16-bit.
            let delay = delay_ms.min(u16::MAX as u32) as u16;
            writer.set_frame_delay(delay, 1000).map_err(encode_error)?;
            writer.write_image_data(&rgb).map_err(encode_error)?;
        }
        writer.finish().map_err(encode_error)?;
    }
    Ok(out)
}
