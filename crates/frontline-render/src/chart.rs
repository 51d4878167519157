//! Step charts of the area each controller held over time, with the dated
//! events marked.

use chrono::NaiveDate;
use frontline::{Atlas, Series};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::draw::draw_error;
use crate::palette::rgb;
use crate::{RenderError, Result};

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
            height: 600,
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

/// The step chart of a series as SVG, up to `to`: one line per controller
/// whose area changes in the interval (constant ones would only flatten the
/// others), events of the dataset in the interval as dashed verticals.
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
    if !(200..=10_000).contains(&options.width) || !(200..=10_000).contains(&options.height) {
        return Err(RenderError::BadSize(options.width, options.height));
    }
    let first = series
        .rows
        .first()
        .ok_or_else(|| RenderError::Draw("an empty series".into()))?;
    let from = first.date;
    let to = to.max(from + chrono::Days::new(1));
    let changing: Vec<usize> = (0..series.controllers.len())
        .filter(|&c| {
            series
                .rows
                .iter()
                .any(|r| (r.areas_km2[c] - first.areas_km2[c]).abs() > 1e-6)
        })
        .collect();
    let shown: Vec<usize> = if changing.is_empty() {
        (0..series.controllers.len()).collect()
    } else {
        changing
    };
    let y_max = series
        .rows
        .iter()
        .flat_map(|r| shown.iter().map(|&c| r.areas_km2[c]))
        .fold(0.0, f64::max)
        * 1.08
        + 1.0;
    let title = options
        .title
        .as_deref()
        .map(crate::one_line)
        .unwrap_or_else(|| format!("{}: area held, {from} to {to}", atlas.name));

    let mut svg = String::new();
    {
        let root =
            SVGBackend::with_string(&mut svg, (options.width, options.height)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 20.0, FontStyle::Bold))
            .margin(16)
            .x_label_area_size(36)
            .y_label_area_size(70)
            .build_cartesian_2d(from..to, 0.0..y_max)
            .map_err(draw_error)?;
        chart
            .configure_mesh()
            .y_desc("km² (geodesic, WGS 84)")
            .x_labels(8)
            .y_labels(8)
            .y_label_formatter(&|v| crate::map::km2(*v).trim_end_matches(" km²").to_owned())
            .light_line_style(RGBColor(235, 235, 235))
            .label_style(("sans-serif", 12.0))
            .draw()
            .map_err(draw_error)?;
        for (k, event) in atlas
            .events()
            .iter()
            .filter(|e| e.date > from && e.date <= to)
            .enumerate()
        {
            let grey = RGBColor(150, 150, 150);
            chart
                .draw_series(std::iter::once(plotters::element::DashedPathElement::new(
                    vec![(event.date, 0.0), (event.date, y_max)],
                    4,
                    4,
                    grey.stroke_width(1),
                )))
                .map_err(draw_error)?;
            let y = y_max * (0.97 - 0.045 * (k % 6) as f64);
            let label = event.id.replace('-', " ");
            chart
                .draw_series(std::iter::once(Text::new(
                    label,
                    (event.date, y),
                    ("sans-serif", 10.0)
                        .into_font()
                        .color(&RGBColor(90, 90, 90))
                        .pos(Pos::new(HPos::Left, VPos::Center)),
                )))
                .map_err(draw_error)?;
        }
        for &c in &shown {
            let controller = atlas
                .controllers()
                .iter()
                .find(|x| x.id == series.controllers[c]);
            let (name, colour) = controller
                .map_or((series.controllers[c].clone(), RGBColor(80, 80, 80)), |x| {
                    (x.name.clone(), rgb(&x.colour))
                });
            let mut steps: Vec<(NaiveDate, f64)> = Vec::with_capacity(series.rows.len() * 2 + 1);
            for (i, row) in series.rows.iter().enumerate() {
                if i > 0 {
                    steps.push((row.date, series.rows[i - 1].areas_km2[c]));
                }
                steps.push((row.date, row.areas_km2[c]));
            }
            if let Some(last) = series.rows.last() {
                steps.push((to, last.areas_km2[c]));
            }
            chart
                .draw_series(LineSeries::new(steps, colour.stroke_width(3)))
                .map_err(draw_error)?
                .label(name)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(3))
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::MiddleRight)
            .background_style(WHITE.mix(0.9))
            .border_style(RGBColor(120, 120, 120))
            .label_font(("sans-serif", 13.0))
            .draw()
            .map_err(draw_error)?;
        root.present().map_err(draw_error)?;
    }
    Ok(crate::xml_safe(svg))
}
