//! Area charts: one panel per side whose ground changes, each on its own
//! scale, on a time axis ticked in years, months or days by the span; the
//! dated events as numbered markers above the panels, listed under them.
//!
//! Everything is placed by [`chart_layout`] before anything is drawn, so
//! that the placement can be checked: no two texts overlap and every text
//! lies inside the canvas.

use chrono::{Datelike, Days, Months, NaiveDate};
use frontline::{Atlas, Event, Series};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::draw::draw_error;
use crate::palette::rgb;
use crate::{RenderError, Result};

const MARGIN: f64 = 16.0;
const TITLE_SIZE: f64 = 20.0;
const TEXT_SIZE: f64 = 12.0;
const PANEL_TITLE_SIZE: f64 = 13.0;
const LIST_LINE: f64 = 16.0;
const MARKER_H: f64 = 15.0;
const MARKER_ROW: f64 = 18.0;
const PANEL_TITLE_H: f64 = 19.0;
const PANEL_GAP: f64 = 10.0;
const MIN_COLUMN: f64 = 280.0;

/// Size and title of a chart: [`ChartOptions::new`] (or `default()`) then
/// the setters for what differs.
///
/// ```
/// let options = frontline_render::ChartOptions::new().size(800, 400).title("Area held");
/// assert_eq!((options.width, options.height), (800, 400));
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ChartOptions {
    /// Canvas width, px.
    pub width: u32,
    /// Canvas height, px.
    pub height: u32,
    /// Title; by default the dataset's name and the interval.
    pub title: Option<String>,
}

impl Default for ChartOptions {
    fn default() -> Self {
        ChartOptions {
            width: 1200,
            height: 800,
            title: None,
        }
    }
}

impl ChartOptions {
    /// 1200×600 px, the default title.
    pub fn new() -> Self {
        ChartOptions::default()
    }

    /// Canvas size, px.
    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.width = width;
        self.height = height;
        self
    }

    /// Title instead of the dataset's name and the interval.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }
}

/// A text and the pixel box it is drawn in (top left inclusive, bottom
/// right exclusive).
#[derive(Debug, Clone, PartialEq)]
pub struct LabelBox {
    /// The text.
    pub text: String,
    /// Left edge, px.
    pub x0: f64,
    /// Top edge, px.
    pub y0: f64,
    /// Right edge, px.
    pub x1: f64,
    /// Bottom edge, px.
    pub y1: f64,
}

impl LabelBox {
    fn at(text: String, x0: f64, y0: f64, size: f64, bold: bool) -> LabelBox {
        let (w, h) = measure(&text, size, bold);
        LabelBox {
            text,
            x0,
            y0,
            x1: x0 + w,
            y1: y0 + h,
        }
    }

    /// Whether the two boxes share some area.
    pub fn intersects(&self, other: &LabelBox) -> bool {
        self.x0 < other.x1 && other.x0 < self.x1 && self.y0 < other.y1 && other.y0 < self.y1
    }

    /// Whether the box lies wholly in a canvas of this size.
    pub fn inside(&self, width: u32, height: u32) -> bool {
        self.x0 >= 0.0 && self.y0 >= 0.0 && self.x1 <= width as f64 && self.y1 <= height as f64
    }
}

/// Text width and line height, px, in the embedded DejaVu Sans.
fn measure(text: &str, size: f64, bold: bool) -> (f64, f64) {
    crate::register_fonts();
    let style = if bold {
        FontStyle::Bold
    } else {
        FontStyle::Normal
    };
    let font = ("sans-serif", size, style).into_font();
    let width = font
        .box_size(text)
        .map_or(text.chars().count() as f64 * size * 0.62, |(w, _)| w as f64);
    // A line: ascent to descent of the font, whatever the letters.
    (width.ceil() + 1.0, (size * 1.25).ceil())
}

/// One side's panel.
#[derive(Debug, Clone)]
pub struct ChartPanel {
    /// Controller id.
    pub controller: String,
    /// The panel's heading: the side's name and its area at the start and
    /// at the end.
    pub title: LabelBox,
    /// The plot area, px: left, top, right, bottom.
    pub plot: (f64, f64, f64, f64),
    /// The km² at the bottom and at the top of the plot.
    pub y_range: (f64, f64),
    /// Labels of the km² ticks, each centred on its tick.
    pub y_labels: Vec<(f64, LabelBox)>,
}

impl ChartPanel {
    /// The pixel row of an area.
    pub fn y(&self, km2: f64) -> f64 {
        let (_, top, _, bottom) = self.plot;
        let (lo, hi) = self.y_range;
        bottom - (km2 - lo) / (hi - lo) * (bottom - top)
    }
}

/// A numbered marker: one event, or several on nearly the same day.
#[derive(Debug, Clone)]
pub struct ChartMarker {
    /// The numbers, e.g. `3` or `3–15`, and where they are drawn.
    pub label: LabelBox,
    /// The dates of its events.
    pub dates: Vec<NaiveDate>,
}

/// Where everything of a chart goes.
#[derive(Debug, Clone)]
pub struct ChartLayout {
    /// Canvas width, px.
    pub width: u32,
    /// Canvas height, px.
    pub height: u32,
    /// The time axis runs from this date (left edge of the plots) ...
    pub from: NaiveDate,
    /// ... to this one (right edge): the day after the last day charted.
    pub to: NaiveDate,
    /// The title.
    pub title: LabelBox,
    /// The line under it (units, scales).
    pub subtitle: LabelBox,
    /// One panel per side shown, top to bottom.
    pub panels: Vec<ChartPanel>,
    /// Ticks of the time axis and their labels, under the last panel.
    pub x_ticks: Vec<(NaiveDate, LabelBox)>,
    /// The numbered event markers above the panels.
    pub markers: Vec<ChartMarker>,
    /// The event list under the axis: `1  2020-09-27  Second war begins`,
    /// in columns; a last entry says how many were left out, if any were.
    pub list: Vec<LabelBox>,
}

impl ChartLayout {
    /// The pixel column of a date.
    pub fn x(&self, date: NaiveDate) -> f64 {
        let (left, _, right, _) = self.panels.first().map_or((0.0, 0.0, 1.0, 0.0), |p| p.plot);
        let span = (self.to - self.from).num_days().max(1) as f64;
        left + (date - self.from).num_days() as f64 / span * (right - left)
    }

    /// Every text of the chart.
    pub fn texts(&self) -> Vec<&LabelBox> {
        let mut all = vec![&self.title, &self.subtitle];
        for panel in &self.panels {
            all.push(&panel.title);
            all.extend(panel.y_labels.iter().map(|(_, b)| b));
        }
        all.extend(self.x_ticks.iter().map(|(_, b)| b));
        all.extend(self.markers.iter().map(|m| &m.label));
        all.extend(&self.list);
        all
    }
}

/// A round number near `raw`: 1, 2, 2.5 or 5 times a power of ten.
fn nice_step(raw: f64) -> f64 {
    let power = 10f64.powf(raw.max(1e-9).log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|&s| s >= raw)
        .unwrap_or(10.0 * power)
}

/// The km² range of a panel: from 0 when the values are far from it,
/// otherwise around them, so that a change of a few per cent shows.
fn y_range(lo: f64, hi: f64) -> (f64, f64) {
    if hi - lo < 1e-9 {
        return ((lo - 1.0).max(0.0), hi + 1.0);
    }
    let bottom = if lo <= 0.4 * hi {
        0.0
    } else {
        let step = nice_step((hi - lo) / 4.0);
        ((lo - 0.15 * (hi - lo)) / step).floor() * step
    };
    (bottom.max(0.0), hi + 0.12 * (hi - bottom))
}

/// km² ticks: about four, fewer when the plot is too low for their labels.
fn y_ticks(lo: f64, hi: f64, plot_h: f64) -> Vec<f64> {
    let line_h = measure("0", TEXT_SIZE, false).1;
    let mut step = nice_step((hi - lo) / 3.5);
    while step / (hi - lo) * plot_h < line_h + 4.0 && step < hi - lo {
        step = nice_step(step * 1.01);
    }
    let first = (lo / step).ceil() as i64;
    (first..)
        .map(|k| k as f64 * step)
        .take_while(|&v| v <= hi)
        .collect()
}

/// Dates of the time axis' ticks and their labels: years over spans of more
/// than three years, months over more than ten weeks, days below, as many as
/// fit without touching.
fn time_ticks(from: NaiveDate, to: NaiveDate, left: f64, right: f64) -> Vec<(NaiveDate, String)> {
    let days = (to - from).num_days();
    let x =
        |d: NaiveDate| left + (d - from).num_days() as f64 / days.max(1) as f64 * (right - left);
    let candidates: Vec<Vec<(NaiveDate, String)>> = if days > 3 * 365 {
        [1, 2, 5, 10, 20, 50, 100]
            .iter()
            .map(|&step| {
                (from.year()..=to.year())
                    .filter(|y| y.rem_euclid(step) == 0)
                    .filter_map(|y| NaiveDate::from_ymd_opt(y, 1, 1))
                    .filter(|&d| d >= from && d <= to)
                    .map(|d| (d, d.year().to_string()))
                    .collect()
            })
            .collect()
    } else if days > 70 {
        [1, 2, 3, 6, 12]
            .iter()
            .map(|&step| {
                let mut month =
                    NaiveDate::from_ymd_opt(from.year(), from.month(), 1).unwrap_or(from);
                let mut ticks = Vec::new();
                while month <= to {
                    if month >= from && month.month0().is_multiple_of(step) {
                        ticks.push((month, month.format("%b %Y").to_string()));
                    }
                    month = month + Months::new(1);
                }
                ticks
            })
            .collect()
    } else {
        [1, 2, 7, 14, 28]
            .iter()
            .map(|&step| {
                (0..=days as u64)
                    .step_by(step)
                    .map(|k| from + Days::new(k))
                    .map(|d| (d, d.format("%-d %b").to_string()))
                    .collect()
            })
            .collect()
    };
    // Labels at least 40 px apart: a tick every label would be clutter.
    let gap = 40.0;
    for ticks in &candidates {
        let fits = ticks.windows(2).all(|w| {
            let (a, b) = (
                measure(&w[0].1, TEXT_SIZE, false).0,
                measure(&w[1].1, TEXT_SIZE, false).0,
            );
            x(w[1].0) - x(w[0].0) >= (a + b) / 2.0 + gap
        });
        if fits && !ticks.is_empty() {
            return ticks.clone();
        }
    }
    // Not even the sparsest fits (a very narrow chart): the ends only.
    vec![(from, from.to_string()), (to, to.to_string())]
}

/// The events of the chart's interval, in date order.
fn chart_events(atlas: &Atlas, from: NaiveDate, to: NaiveDate) -> Vec<&Event> {
    let mut events: Vec<&Event> = atlas
        .events()
        .iter()
        .filter(|e| e.date >= from && e.date <= to)
        .collect();
    events.sort_by_key(|e| e.date);
    events
}

/// The controllers drawn: those whose area changes in the interval
/// (constant ones say nothing over time), or all when none does.
fn shown_controllers(series: &Series) -> Vec<usize> {
    let first = &series.rows[0];
    let changing: Vec<usize> = (0..series.controllers.len())
        .filter(|&c| {
            series
                .rows
                .iter()
                .any(|r| (r.areas_km2[c] - first.areas_km2[c]).abs() > 1e-6)
        })
        .collect();
    if changing.is_empty() {
        (0..series.controllers.len()).collect()
    } else {
        changing
    }
}

/// Places every part of the chart of `series` up to `to`.
///
/// # Errors
///
/// An empty series, a canvas size out of range, or a canvas too small for
/// the panels.
///
/// ```
/// use frontline::{Atlas, parse_date};
/// let atlas = Atlas::embedded()?;
/// let (from, to) = (parse_date("2020-09-27")?, parse_date("2020-11-10")?);
/// let layout = frontline_render::chart_layout(&atlas.series(from, to)?, &atlas, to, &Default::default())?;
/// // Azerbaijan and the Republic change; Armenia does not.
/// let sides: Vec<&str> = layout.panels.iter().map(|p| p.controller.as_str()).collect();
/// assert_eq!(sides, ["azerbaijan", "nkr"]);
/// let texts = layout.texts();
/// assert!(texts.iter().all(|t| t.inside(layout.width, layout.height)));
/// # Ok::<(), frontline_render::RenderError>(())
/// ```
pub fn chart_layout(
    series: &Series,
    atlas: &Atlas,
    to: NaiveDate,
    options: &ChartOptions,
) -> Result<ChartLayout> {
    let (width, height) = (options.width, options.height);
    if !(200..=10_000).contains(&width) || !(200..=10_000).contains(&height) {
        return Err(RenderError::BadSize(width, height));
    }
    let first = series
        .rows
        .first()
        .ok_or_else(|| RenderError::Draw("an empty series".into()))?;
    let from = first.date;
    let last_day = to.max(from);
    // The axis ends the day after the last, so that the last day's state
    // shows as wide as any other day's.
    let to = last_day + Days::new(1);
    let (w, h) = (width as f64, height as f64);

    let title_text = options
        .title
        .as_deref()
        .map(crate::one_line)
        .unwrap_or_else(|| format!("{}: area held, {from} to {last_day}", atlas.name));
    let title = fit_box(title_text, MARGIN, 8.0, TITLE_SIZE, true, w - 2.0 * MARGIN);
    let subtitle = fit_box(
        "Area held by each side, km² (geodesic, WGS 84); each panel has its own scale. Numbered events are listed below."
            .to_owned(),
        MARGIN,
        title.y1 + 2.0,
        TEXT_SIZE,
        false,
        w - 2.0 * MARGIN,
    );

    let events = chart_events(atlas, from, last_day);
    // The y labels decide the plots' left edge.
    let shown = shown_controllers(series);
    let ranges: Vec<(f64, f64)> = shown
        .iter()
        .map(|&c| {
            let values = series.rows.iter().map(|r| r.areas_km2[c]);
            let lo = values.clone().fold(f64::INFINITY, f64::min);
            let hi = values.fold(f64::NEG_INFINITY, f64::max);
            y_range(lo, hi)
        })
        .collect();
    let tick_text = |v: f64| crate::map::km2(v).trim_end_matches(" km²").to_owned();
    let label_w = ranges
        .iter()
        .flat_map(|&(lo, hi)| y_ticks(lo, hi, f64::INFINITY))
        .map(|v| measure(&tick_text(v), TEXT_SIZE, false).0)
        .fold(0.0, f64::max);
    let (left, right) = (MARGIN + label_w + 8.0, w - MARGIN - 8.0);
    if right - left < 100.0 {
        return Err(RenderError::BadSize(width, height));
    }
    let x_of = |d: NaiveDate| {
        left + (d - from).num_days() as f64 / (to - from).num_days() as f64 * (right - left)
    };

    // Markers of every event take at least the rows those of the listed
    // ones take: the panels start under those rows.
    let markers_top = subtitle.y1 + 8.0;
    let dates: Vec<NaiveDate> = events.iter().map(|e| e.date).collect();
    let (_, rows_all) = place_markers(&dates, &x_of, markers_top, w);
    let panels_top = markers_top + rows_all as f64 * MARKER_ROW + 10.0;

    // The event list, bottom up: as many columns as needed to keep it under
    // two fifths of the height and leave the panels their least, each
    // column at least MIN_COLUMN wide.
    let n = shown.len() as f64;
    let panels_least = n * (PANEL_TITLE_H + 30.0) + (n - 1.0) * PANEL_GAP;
    // Under the last plot: half a line for its lowest km² label, then the
    // time labels.
    let line_h = measure("0", TEXT_SIZE, false).1;
    let axis_h = 1.5 * line_h + 14.0;
    let list_room = (0.4 * h)
        .min(h - 6.0 - axis_h - panels_least - panels_top)
        .max(LIST_LINE);
    let rows_fit = ((list_room / LIST_LINE).floor() as usize).max(1);
    let columns_fit = (((w - 2.0 * MARGIN) / MIN_COLUMN).floor() as usize).max(1);
    let columns = events.len().div_ceil(rows_fit).clamp(1, columns_fit);
    let rows = events.len().div_ceil(columns).min(rows_fit);
    let listed = if events.len() > rows * columns {
        rows * columns - 1
    } else {
        events.len()
    };
    let column_w = (w - 2.0 * MARGIN) / columns as f64;
    let list_top = h - 6.0 - rows as f64 * LIST_LINE;
    let mut list: Vec<LabelBox> = Vec::with_capacity(listed + 1);
    let mut entries: Vec<String> = events[..listed]
        .iter()
        .enumerate()
        .map(|(i, e)| format!("{}  {}  {}", i + 1, e.date, crate::one_line(&e.title)))
        .collect();
    if listed < events.len() {
        entries.push(format!("and {} more events", events.len() - listed));
    }
    for (i, entry) in entries.into_iter().enumerate() {
        let (column, row) = (i / rows.max(1), i % rows.max(1));
        let x = MARGIN + column as f64 * column_w;
        let y = list_top + row as f64 * LIST_LINE;
        list.push(fit_box(
            entry,
            x,
            y,
            TEXT_SIZE - 1.0,
            false,
            column_w - 12.0,
        ));
    }

    let (markers, _) = place_markers(&dates[..listed], &x_of, markers_top, w);

    // Time axis labels over the list; panels share what is left.
    let ticks_top = list_top - axis_h;
    let x_ticks: Vec<(NaiveDate, LabelBox)> = time_ticks(from, to, left, right)
        .into_iter()
        .map(|(date, text)| {
            let tw = measure(&text, TEXT_SIZE, false).0;
            let x0 = (x_of(date) - tw / 2.0).clamp(0.0, w - tw);
            (
                date,
                LabelBox::at(text, x0, ticks_top + line_h / 2.0 + 2.0, TEXT_SIZE, false),
            )
        })
        .collect();
    let plot_h = (ticks_top - panels_top - n * PANEL_TITLE_H - (n - 1.0) * PANEL_GAP) / n;
    if plot_h < 30.0 {
        return Err(RenderError::Draw(format!(
            "a {width}×{height} px chart leaves {plot_h:.0} px for each of its {} panels: expected at least 30 (make it taller)",
            shown.len()
        )));
    }
    let mut panels = Vec::with_capacity(shown.len());
    for (k, (&c, &(lo, hi))) in shown.iter().zip(&ranges).enumerate() {
        let top = panels_top + k as f64 * (PANEL_TITLE_H + plot_h + PANEL_GAP) + PANEL_TITLE_H;
        let bottom = top + plot_h;
        let id = &series.controllers[c];
        let name = atlas.controller(id).map_or(id.clone(), |x| x.name.clone());
        let last = series.rows.last().map_or(0.0, |r| r.areas_km2[c]);
        let heading = format!(
            "{name}: {} on {from}, {} on {last_day}",
            crate::map::km2(first.areas_km2[c]),
            crate::map::km2(last)
        );
        // The heading starts after the side's colour swatch.
        let title = fit_box(
            heading,
            left + 15.0,
            top - PANEL_TITLE_H + 1.0,
            PANEL_TITLE_SIZE,
            true,
            right - left - 15.0,
        );
        let mut panel = ChartPanel {
            controller: id.clone(),
            title,
            plot: (left, top, right, bottom),
            y_range: (lo, hi),
            y_labels: Vec::new(),
        };
        panel.y_labels = y_ticks(lo, hi, plot_h)
            .into_iter()
            .map(|v| {
                let text = tick_text(v);
                let tw = measure(&text, TEXT_SIZE, false).0;
                let y = panel.y(v);
                let label = LabelBox::at(text, left - 6.0 - tw, y - line_h / 2.0, TEXT_SIZE, false);
                (v, label)
            })
            .collect();
        panels.push(panel);
    }
    Ok(ChartLayout {
        width,
        height,
        from,
        to,
        title,
        subtitle,
        panels,
        x_ticks,
        markers,
        list,
    })
}

/// Numbered markers above the panels for events on these dates (numbered
/// from 1 in this order): events less than a marker apart share one
/// ("3–15"); markers that would touch go to the next row. Returns them and
/// the number of rows.
fn place_markers(
    dates: &[NaiveDate],
    x_of: &dyn Fn(NaiveDate) -> f64,
    top: f64,
    width: f64,
) -> (Vec<ChartMarker>, usize) {
    let mut groups: Vec<(f64, Vec<usize>)> = Vec::new();
    for (i, &date) in dates.iter().enumerate() {
        let x = x_of(date);
        match groups.last_mut() {
            Some((x0, members)) if x - *x0 < 16.0 => members.push(i),
            _ => groups.push((x, vec![i])),
        }
    }
    let mut row_ends: Vec<f64> = Vec::new();
    let mut markers = Vec::with_capacity(groups.len());
    for (x, members) in groups {
        let text = match (members.first(), members.last()) {
            (Some(a), Some(b)) if a != b => format!("{}–{}", a + 1, b + 1),
            _ => format!("{}", members[0] + 1),
        };
        let box_w = measure(&text, TEXT_SIZE - 1.0, true).0 + 8.0;
        let x0 = (x - box_w / 2.0).clamp(MARGIN / 2.0, width - MARGIN / 2.0 - box_w);
        let row = match row_ends.iter().position(|&end| x0 >= end + 3.0) {
            Some(r) => r,
            None => {
                row_ends.push(f64::NEG_INFINITY);
                row_ends.len() - 1
            }
        };
        row_ends[row] = x0 + box_w;
        let y0 = top + row as f64 * MARKER_ROW;
        markers.push(ChartMarker {
            label: LabelBox {
                text,
                x0,
                y0,
                x1: x0 + box_w,
                y1: y0 + MARKER_H,
            },
            dates: members.iter().map(|&i| dates[i]).collect(),
        });
    }
    (markers, row_ends.len())
}

/// A box for `text` at (x, y), cut with an ellipsis to `room` px.
fn fit_box(text: String, x: f64, y: f64, size: f64, bold: bool, room: f64) -> LabelBox {
    if measure(&text, size, bold).0 <= room {
        return LabelBox::at(text, x, y, size, bold);
    }
    let mut chars: Vec<char> = text.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let cut = chars.iter().collect::<String>().trim_end().to_owned() + "…";
        if measure(&cut, size, bold).0 <= room {
            return LabelBox::at(cut, x, y, size, bold);
        }
    }
    LabelBox::at("…".to_owned(), x, y, size, bold)
}

/// The area chart of a series as SVG, up to `to`: a panel per side whose
/// area changes in the interval, each on its own scale, coloured as on the
/// maps; the events of the interval numbered on the time axis and listed
/// under it. Placement: [`chart_layout`].
///
/// ```
/// use frontline::{Atlas, parse_date};
/// let atlas = Atlas::embedded()?;
/// let (from, to) = (parse_date("2019-01-01")?, parse_date("2023-12-31")?);
/// let series = atlas.series(from, to)?;
/// let svg = frontline_render::render_chart(&series, &atlas, to, &Default::default())?;
/// assert!(svg.contains("Nagorno-Karabakh Republic"));
/// # Ok::<(), frontline_render::RenderError>(())
/// ```
pub fn render_chart(
    series: &Series,
    atlas: &Atlas,
    to: NaiveDate,
    options: &ChartOptions,
) -> Result<String> {
    crate::register_fonts();
    let layout = chart_layout(series, atlas, to, options)?;
    let grey = RGBColor(150, 150, 150);
    let text_at = |canvas: &crate::draw::Canvas, label: &LabelBox, style: TextStyle| {
        canvas
            .draw(&Text::new(
                label.text.clone(),
                (label.x0.round() as i32, label.y0.round() as i32),
                style.pos(Pos::new(HPos::Left, VPos::Top)),
            ))
            .map_err(draw_error)
    };
    let mut svg = String::new();
    {
        let canvas =
            SVGBackend::with_string(&mut svg, (layout.width, layout.height)).into_drawing_area();
        canvas.fill(&WHITE).map_err(draw_error)?;
        text_at(
            &canvas,
            &layout.title,
            ("sans-serif", TITLE_SIZE, FontStyle::Bold)
                .into_font()
                .color(&BLACK),
        )?;
        text_at(
            &canvas,
            &layout.subtitle,
            ("sans-serif", TEXT_SIZE)
                .into_font()
                .color(&RGBColor(70, 70, 70)),
        )?;
        let px = |x: f64, y: f64| (x.round() as i32, y.round() as i32);
        for panel in &layout.panels {
            let (left, top, right, bottom) = panel.plot;
            let colour = atlas
                .controller(&panel.controller)
                .map_or(RGBColor(80, 80, 80), |c| rgb(&c.colour));
            // Grid: km² ticks and time ticks.
            for (value, label) in &panel.y_labels {
                let y = panel.y(*value);
                canvas
                    .draw(&PathElement::new(
                        vec![px(left, y), px(right, y)],
                        RGBColor(228, 228, 228).stroke_width(1),
                    ))
                    .map_err(draw_error)?;
                text_at(
                    &canvas,
                    label,
                    ("sans-serif", TEXT_SIZE)
                        .into_font()
                        .color(&RGBColor(60, 60, 60)),
                )?;
            }
            for (date, _) in &layout.x_ticks {
                let x = layout.x(*date);
                canvas
                    .draw(&PathElement::new(
                        vec![px(x, top), px(x, bottom)],
                        RGBColor(228, 228, 228).stroke_width(1),
                    ))
                    .map_err(draw_error)?;
            }
            for marker in &layout.markers {
                for &date in &marker.dates {
                    let x = layout.x(date);
                    canvas
                        .draw(&plotters::element::DashedPathElement::new(
                            vec![px(x, top), px(x, bottom)],
                            3,
                            3,
                            grey.stroke_width(1),
                        ))
                        .map_err(draw_error)?;
                }
            }
            // The step line over a light fill down to the plot's floor.
            let col = series_column(series, &panel.controller);
            let mut steps: Vec<(f64, f64)> = Vec::with_capacity(series.rows.len() * 2 + 1);
            for (i, row) in series.rows.iter().enumerate() {
                let x = layout.x(row.date);
                if i > 0 {
                    steps.push((x, panel.y(series.rows[i - 1].areas_km2[col])));
                }
                steps.push((x, panel.y(row.areas_km2[col])));
            }
            if let Some(last) = series.rows.last() {
                steps.push((right, panel.y(last.areas_km2[col])));
            }
            let mut area: Vec<(i32, i32)> = steps.iter().map(|&(x, y)| px(x, y)).collect();
            area.push(px(right, bottom));
            area.push(px(left, bottom));
            canvas
                .draw(&plotters::element::Polygon::new(
                    area,
                    colour.mix(0.22).filled(),
                ))
                .map_err(draw_error)?;
            canvas
                .draw(&PathElement::new(
                    steps.iter().map(|&(x, y)| px(x, y)).collect::<Vec<_>>(),
                    colour.stroke_width(3),
                ))
                .map_err(draw_error)?;
            canvas
                .draw(&Rectangle::new(
                    [px(left, top), px(right, bottom)],
                    RGBColor(120, 120, 120).stroke_width(1),
                ))
                .map_err(draw_error)?;
            // The heading, with a swatch of the side's colour.
            canvas
                .draw(&Rectangle::new(
                    [
                        px(left, panel.title.y0 + 3.0),
                        px(left + 10.0, panel.title.y0 + 13.0),
                    ],
                    colour.filled(),
                ))
                .map_err(draw_error)?;
            text_at(
                &canvas,
                &panel.title,
                ("sans-serif", PANEL_TITLE_SIZE, FontStyle::Bold)
                    .into_font()
                    .color(&BLACK),
            )?;
        }
        for (date, label) in &layout.x_ticks {
            if let Some(last) = layout.panels.last() {
                let (x, bottom) = (layout.x(*date), last.plot.3);
                canvas
                    .draw(&PathElement::new(
                        vec![px(x, bottom), px(x, bottom + 4.0)],
                        BLACK.stroke_width(1),
                    ))
                    .map_err(draw_error)?;
            }
            text_at(
                &canvas,
                label,
                ("sans-serif", TEXT_SIZE).into_font().color(&BLACK),
            )?;
        }
        let first_top = layout.panels.first().map_or(0.0, |p| p.plot.1);
        // Connectors first, so that no line crosses a marker drawn before.
        for marker in &layout.markers {
            let label = &marker.label;
            let centre = (label.x0 + label.x1) / 2.0;
            // From the marker down to the first plot, then to each date.
            let joint = first_top - 4.0;
            for &date in &marker.dates {
                canvas
                    .draw(&PathElement::new(
                        vec![
                            px(centre, label.y1),
                            px(layout.x(date), joint),
                            px(layout.x(date), first_top),
                        ],
                        grey.stroke_width(1),
                    ))
                    .map_err(draw_error)?;
            }
        }
        for marker in &layout.markers {
            let label = &marker.label;
            let centre = (label.x0 + label.x1) / 2.0;
            canvas
                .draw(&Rectangle::new(
                    [px(label.x0, label.y0), px(label.x1, label.y1)],
                    RGBColor(60, 60, 60).filled(),
                ))
                .map_err(draw_error)?;
            canvas
                .draw(&Text::new(
                    label.text.clone(),
                    px(centre, (label.y0 + label.y1) / 2.0),
                    ("sans-serif", TEXT_SIZE - 1.0, FontStyle::Bold)
                        .into_font()
                        .color(&WHITE)
                        .pos(Pos::new(HPos::Center, VPos::Center)),
                ))
                .map_err(draw_error)?;
        }
        for entry in &layout.list {
            text_at(
                &canvas,
                entry,
                ("sans-serif", TEXT_SIZE - 1.0)
                    .into_font()
                    .color(&RGBColor(40, 40, 40)),
            )?;
        }
        canvas.present().map_err(draw_error)?;
    }
    Ok(crate::xml_safe(svg))
}

fn series_column(series: &Series, controller: &str) -> usize {
    series
        .controllers
        .iter()
        .position(|c| c == controller)
        .unwrap_or(0)
}
