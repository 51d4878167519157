//! Control maps and diff maps.

use frontline::{Atlas, Diff, View};
use geo::{BoundingRect, Intersects, MultiPolygon};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::draw::{clip, draw_error, fill_tiling, hatch, stroke_line, stroke_rings, Canvas};
use crate::frame::{BBox, Frame};
use crate::labels::{place, Boxed};
use crate::palette::{muted, rgb, TRANSITION_COLOURS};
use crate::Result;

pub(crate) const TOP: f64 = 48.0;
pub(crate) const BOTTOM: f64 = 22.0;
const OUTSIDE: RGBColor = RGBColor(236, 236, 232);

/// What to draw and how large: [`MapOptions::new`] (or `default()`) then
/// the setters for what differs.
///
/// ```
/// use frontline_render::{BBox, MapOptions};
/// let options = MapOptions::new().size(800, 600).title("Lachin corridor").labels(false);
/// assert_eq!((options.width, options.height, options.labels), (800, 600, false));
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct MapOptions {
    /// Canvas width, px.
    pub width: u32,
    /// Canvas height, px.
    pub height: u32,
    /// Ground to show; by default the dataset's conflict area with a margin.
    pub bbox: Option<BBox>,
    /// Title; by default the dataset's name and the date.
    pub title: Option<String>,
    /// Whether to label places.
    pub labels: bool,
    /// A PROJ string or EPSG code for the map's plane (needs the `proj`
    /// feature); by default Lambert azimuthal equal-area centred on the map.
    pub projection: Option<String>,
}

impl Default for MapOptions {
    fn default() -> Self {
        MapOptions {
            width: 1200,
            height: 900,
            bbox: None,
            title: None,
            labels: true,
            projection: None,
        }
    }
}

impl MapOptions {
    /// 1200×900 px, the dataset's conflict area, the default title, places
    /// labelled, the equal-area plane.
    pub fn new() -> Self {
        MapOptions::default()
    }

    /// Canvas size, px.
    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.width = width;
        self.height = height;
        self
    }

    /// Ground to show.
    pub fn bbox(mut self, bbox: BBox) -> Self {
        self.bbox = Some(bbox);
        self
    }

    /// Title instead of the dataset's name and the date.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Whether to label places.
    pub fn labels(mut self, labels: bool) -> Self {
        self.labels = labels;
        self
    }

    /// A PROJ string or EPSG code for the map's plane (needs the `proj`
    /// feature).
    pub fn projection(mut self, projection: impl Into<String>) -> Self {
        self.projection = Some(projection.into());
        self
    }
}

/// A legend entry: a swatch and its text.
enum Swatch {
    Fill(RGBColor),
    Hatch(RGBColor),
    Dashed,
}

/// The control map of a view as SVG.
///
/// Zones filled by controller; de jure borders; rayon boundaries; the former
/// NKAO (any `outline` overlay) dashed; other overlays in force hatched;
/// routes; places with labels that do not collide; a legend with each
/// controller's area in km²; a scale bar true at the map centre; a north
/// arrow; the title with the date; the attribution.
pub fn render_map(view: &View<'_>, options: &MapOptions) -> Result<String> {
    crate::register_fonts();
    let atlas = view.atlas;
    let frame = frame_for(atlas, options)?;
    let visible = frame.visible();
    let stats = view.stats();
    let mut svg = String::new();
    {
        let canvas =
            SVGBackend::with_string(&mut svg, (options.width, options.height)).into_drawing_area();
        background(&canvas, &frame)?;
        let zones: Vec<(MultiPolygon<f64>, RGBColor)> = atlas
            .controllers()
            .iter()
            .filter_map(|c| {
                view.snapshot
                    .zone(&c.id)
                    .map(|z| (clip(&z.shape, &visible), rgb(&c.colour)))
            })
            .collect();
        fill_tiling(&canvas, &frame, &zones)?;
        let mut legend: Vec<(Swatch, String)> = atlas
            .controllers()
            .iter()
            .zip(&stats.controllers)
            .filter(|(_, a)| a.area_km2 > 0.0)
            .map(|(c, a)| {
                (
                    Swatch::Fill(rgb(&c.colour)),
                    format!("{} — {}", c.name, km2(a.area_km2)),
                )
            })
            .collect();
        for (i, overlay) in view.overlays.iter().enumerate() {
            let shape = clip(&overlay.shape, &visible);
            if overlay.kind != "outline" {
                let colour = if overlay.kind == "corridor" {
                    RGBColor(20, 20, 20)
                } else {
                    RGBColor(0, 70, 60)
                };
                hatch(
                    &canvas,
                    &frame,
                    &shape,
                    colour.mix(0.7).stroke_width(1),
                    if overlay.kind == "corridor" { 4.0 } else { 8.0 },
                    i % 2 == 0,
                )?;
                stroke_rings(
                    &canvas,
                    &frame,
                    &shape,
                    colour.mix(0.8).stroke_width(1),
                    None,
                )?;
                legend.push((Swatch::Hatch(colour), overlay.name.clone()));
            }
        }
        base_lines(&canvas, &frame, atlas, &visible)?;
        for overlay in view.overlays.iter().filter(|o| o.kind == "outline") {
            stroke_rings(
                &canvas,
                &frame,
                &clip(&overlay.shape, &visible),
                BLACK.stroke_width(2),
                Some((8, 5)),
            )?;
            legend.push((Swatch::Dashed, overlay.name.clone()));
        }
        for route in atlas
            .routes()
            .iter()
            .filter(|r| r.validity.contains(view.date))
        {
            stroke_line(
                &canvas,
                &frame,
                &route.line,
                RGBColor(90, 20, 20).stroke_width(2),
                None,
            )?;
        }
        let title = options
            .title
            .as_deref()
            .map(crate::one_line)
            .unwrap_or_else(|| format!("{}: control on {}", atlas.name, view.date));
        let subtitle = format!(
            "In force since {}: {}",
            view.snapshot.date, view.snapshot.label
        );
        finish(
            &canvas,
            &frame,
            atlas,
            &visible,
            &title,
            &subtitle,
            &legend,
            options.labels,
        )?;
        canvas.present().map_err(draw_error)?;
    }
    Ok(crate::xml_safe(svg))
}

/// The diff map between two dates as SVG: ground that changed hands coloured
/// by transition, with its km² in the legend; unchanged ground muted.
pub fn render_diff(diff: &Diff, atlas: &Atlas, options: &MapOptions) -> Result<String> {
    crate::register_fonts();
    let frame = frame_for(atlas, options)?;
    let visible = frame.visible();
    let name = |id: &str| {
        atlas
            .controller(id)
            .map(|c| c.name.clone())
            .unwrap_or_else(|_| id.to_owned())
    };
    let mut svg = String::new();
    {
        let canvas =
            SVGBackend::with_string(&mut svg, (options.width, options.height)).into_drawing_area();
        background(&canvas, &frame)?;
        let mut tiles: Vec<(MultiPolygon<f64>, RGBColor)> = diff
            .unchanged
            .iter()
            .map(|u| {
                let colour = atlas
                    .controller(&u.controller)
                    .map(|c| muted(&c.colour))
                    .unwrap_or_else(|_| "#cccccc".into());
                (clip(&u.shape, &visible), rgb(&colour))
            })
            .collect();
        let mut legend = Vec::new();
        for (i, t) in diff.transitions.iter().enumerate() {
            let colour = rgb(TRANSITION_COLOURS[i % TRANSITION_COLOURS.len()]);
            tiles.push((clip(&t.shape, &visible), colour));
            legend.push((
                Swatch::Fill(colour),
                format!("{} → {} — {}", name(&t.from), name(&t.to), km2(t.area_km2)),
            ));
        }
        legend.push((
            Swatch::Fill(RGBColor(200, 200, 200)),
            format!("Unchanged (muted) — {}", km2(diff.unchanged_km2)),
        ));
        fill_tiling(&canvas, &frame, &tiles)?;
        base_lines(&canvas, &frame, atlas, &visible)?;
        let title = options
            .title
            .as_deref()
            .map(crate::one_line)
            .unwrap_or_else(|| {
                format!(
                    "{}: changes of control, {} to {}",
                    atlas.name, diff.from, diff.to
                )
            });
        let subtitle = format!(
            "{} of ground changed hands",
            km2(diff.transitions.iter().map(|t| t.area_km2).sum())
        );
        finish(
            &canvas,
            &frame,
            atlas,
            &visible,
            &title,
            &subtitle,
            &legend,
            options.labels,
        )?;
        canvas.present().map_err(draw_error)?;
    }
    Ok(crate::xml_safe(svg))
}

/// The frame a map of `atlas` with these options is drawn in.
fn frame_for(atlas: &Atlas, options: &MapOptions) -> Result<Frame> {
    let bbox = match options.bbox {
        Some(b) => b,
        None => BBox::conflict_area(atlas)?,
    };
    Frame::with_plane(
        bbox,
        options.width,
        options.height,
        TOP,
        BOTTOM,
        options.projection.as_deref(),
    )
}

fn background(canvas: &Canvas, frame: &Frame) -> Result<()> {
    canvas.fill(&WHITE).map_err(draw_error)?;
    let (l, t, r, b) = frame.map_area;
    canvas
        .draw(&Rectangle::new(
            [(l as i32, t as i32), (r as i32, b as i32)],
            OUTSIDE.filled(),
        ))
        .map_err(draw_error)
}

/// Rayon boundaries and de jure borders.
fn base_lines(
    canvas: &Canvas,
    frame: &Frame,
    atlas: &Atlas,
    visible: &geo::Rect<f64>,
) -> Result<()> {
    for unit in atlas.admin1() {
        if unit
            .shape
            .bounding_rect()
            .is_some_and(|r| r.intersects(visible))
        {
            // Rings are drawn whole: the canvas clips lines for free, where
            // cutting the polygons first costs a boolean operation each.
            stroke_rings(
                canvas,
                frame,
                &unit.shape,
                WHITE.mix(0.9).stroke_width(1),
                None,
            )?;
        }
    }
    for territory in atlas.territories() {
        stroke_rings(
            canvas,
            frame,
            &territory.shape,
            RGBColor(40, 40, 40).stroke_width(2),
            None,
        )?;
    }
    Ok(())
}

fn font(size: f64) -> TextStyle<'static> {
    ("sans-serif", size).into_font().color(&BLACK)
}

fn text_size(canvas: &Canvas, text: &str, style: &TextStyle) -> (f64, f64) {
    canvas
        .estimate_text_size(text, style)
        .map_or((text.chars().count() as f64 * 7.0, 12.0), |(w, h)| {
            (w as f64, h as f64)
        })
}

/// Places, legend, scale bar, north arrow, title and attribution.
#[allow(clippy::too_many_arguments)]
fn finish(
    canvas: &Canvas,
    frame: &Frame,
    atlas: &Atlas,
    visible: &geo::Rect<f64>,
    title: &str,
    subtitle: &str,
    legend: &[(Swatch, String)],
    labels: bool,
) -> Result<()> {
    let (l, t, r, b) = frame.map_area;
    // Legend box, bottom left of the map.
    let entry = font(13.0);
    let line_h = 20.0;
    let width = legend
        .iter()
        .map(|(_, text)| text_size(canvas, text, &entry).0)
        .fold(0.0, f64::max)
        + 44.0;
    let height = legend.len() as f64 * line_h + 12.0;
    let legend_box = Boxed {
        x0: l + 10.0,
        y0: b - 10.0 - height,
        x1: l + 10.0 + width,
        y1: b - 10.0,
    };
    // Scale bar and north arrow areas, kept free of labels.
    let scale_box = Boxed {
        x0: r - 190.0,
        y0: b - 44.0,
        x1: r - 8.0,
        y1: b - 6.0,
    };
    let north_box = Boxed {
        x0: r - 46.0,
        y0: t + 6.0,
        x1: r - 8.0,
        y1: t + 62.0,
    };

    let places: Vec<&frontline::Place> = atlas
        .places()
        .iter()
        .filter(|p| visible.intersects(&p.point))
        .collect();
    let points: Vec<(f64, f64)> = places
        .iter()
        .map(|p| frame.pixel(p.point.0))
        .map(|c| (c.x, c.y))
        .collect();
    for &(x, y) in &points {
        canvas
            .draw(&Circle::new(
                (x.round() as i32, y.round() as i32),
                3,
                BLACK.filled(),
            ))
            .map_err(draw_error)?;
        canvas
            .draw(&Circle::new(
                (x.round() as i32, y.round() as i32),
                3,
                WHITE.stroke_width(1),
            ))
            .map_err(draw_error)?;
    }
    if labels {
        let style = font(12.0);
        let sizes: Vec<(f64, f64)> = places
            .iter()
            .map(|p| text_size(canvas, &p.name, &style))
            .collect();
        let bounds = Boxed {
            x0: l + 2.0,
            y0: t + 2.0,
            x1: r - 2.0,
            y1: b - 2.0,
        };
        let spots = place(&points, &sizes, bounds, &[legend_box, scale_box, north_box]);
        for (p, spot) in places.iter().zip(spots) {
            if let Some((x, y)) = spot {
                let pos = Pos::new(HPos::Left, VPos::Top);
                canvas
                    .draw(&Text::new(
                        p.name.clone(),
                        (x.round() as i32, y.round() as i32),
                        style.clone().pos(pos),
                    ))
                    .map_err(draw_error)?;
            }
        }
    }

    // Legend.
    canvas
        .draw(&Rectangle::new(
            [
                (legend_box.x0 as i32, legend_box.y0 as i32),
                (legend_box.x1 as i32, legend_box.y1 as i32),
            ],
            WHITE.mix(0.9).filled(),
        ))
        .map_err(draw_error)?;
    canvas
        .draw(&Rectangle::new(
            [
                (legend_box.x0 as i32, legend_box.y0 as i32),
                (legend_box.x1 as i32, legend_box.y1 as i32),
            ],
            RGBColor(120, 120, 120).stroke_width(1),
        ))
        .map_err(draw_error)?;
    for (i, (swatch, text)) in legend.iter().enumerate() {
        let y = legend_box.y0 + 8.0 + i as f64 * line_h;
        let (x0, y0, x1, y1) = (
            legend_box.x0 as i32 + 8,
            y as i32,
            legend_box.x0 as i32 + 30,
            y as i32 + 14,
        );
        match swatch {
            Swatch::Fill(colour) => canvas
                .draw(&Rectangle::new([(x0, y0), (x1, y1)], colour.filled()))
                .map_err(draw_error)?,
            Swatch::Hatch(colour) => {
                for k in (0..22).step_by(4) {
                    canvas
                        .draw(&PathElement::new(
                            vec![
                                (x0 + k, y1),
                                (
                                    (x0 + k + 14).min(x1),
                                    (y1 - 14 + (x0 + k + 14 - x1).max(0)).max(y0),
                                ),
                            ],
                            colour.stroke_width(1),
                        ))
                        .map_err(draw_error)?;
                }
                canvas
                    .draw(&Rectangle::new(
                        [(x0, y0), (x1, y1)],
                        colour.stroke_width(1),
                    ))
                    .map_err(draw_error)?;
            }
            Swatch::Dashed => canvas
                .draw(&plotters::element::DashedPathElement::new(
                    vec![(x0, y0 + 7), (x1, y0 + 7)],
                    5,
                    3,
                    BLACK.stroke_width(2),
                ))
                .map_err(draw_error)?,
        }
        canvas
            .draw(&Text::new(
                text.clone(),
                (x1 + 8, y0),
                entry.clone().pos(Pos::new(HPos::Left, VPos::Top)),
            ))
            .map_err(draw_error)?;
    }

    // Scale bar: true at the map centre, measured there along a geodesic.
    let metres_per_px = frame.metres_per_px_at_centre();
    let target_km = 150.0 * metres_per_px / 1000.0;
    let nice = [
        1.0, 2.0, 5.0, 10.0, 20.0, 25.0, 50.0, 100.0, 200.0, 250.0, 500.0, 1000.0,
    ];
    let km = nice
        .iter()
        .copied()
        .filter(|&k| k <= target_km)
        .fold(nice[0], f64::max);
    let bar = km * 1000.0 / metres_per_px;
    let (sx, sy) = (scale_box.x1 - 12.0 - bar, scale_box.y1 - 14.0);
    canvas
        .draw(&Rectangle::new(
            [
                (sx as i32 - 6, scale_box.y0 as i32 + 4),
                (scale_box.x1 as i32, scale_box.y1 as i32),
            ],
            WHITE.mix(0.8).filled(),
        ))
        .map_err(draw_error)?;
    canvas
        .draw(&Rectangle::new(
            [
                (sx as i32, sy as i32),
                ((sx + bar / 2.0) as i32, sy as i32 + 5),
            ],
            BLACK.filled(),
        ))
        .map_err(draw_error)?;
    canvas
        .draw(&Rectangle::new(
            [
                ((sx + bar / 2.0) as i32, sy as i32),
                ((sx + bar) as i32, sy as i32 + 5),
            ],
            BLACK.stroke_width(1),
        ))
        .map_err(draw_error)?;
    canvas
        .draw(&Text::new(
            format!("{km} km"),
            ((sx + bar / 2.0) as i32, sy as i32 - 3),
            font(12.0).pos(Pos::new(HPos::Center, VPos::Bottom)),
        ))
        .map_err(draw_error)?;

    // North arrow, pointing to north as it runs at the map centre.
    let (ux, uy) = frame.north_at_centre();
    let (cx, cy) = ((north_box.x0 + north_box.x1) / 2.0, north_box.y0 + 31.0);
    let at = |along: f64, across: f64| {
        (
            (cx + ux * along - uy * across).round() as i32,
            (cy + uy * along + ux * across).round() as i32,
        )
    };
    canvas
        .draw(&plotters::element::Polygon::new(
            vec![
                at(13.0, 0.0),
                at(-13.0, 8.0),
                at(-7.0, 0.0),
                at(-13.0, -8.0),
            ],
            BLACK.filled(),
        ))
        .map_err(draw_error)?;
    let (nx, ny) = ((north_box.x0 + north_box.x1) / 2.0, north_box.y0 + 18.0);
    canvas
        .draw(&Text::new(
            "N",
            (nx as i32, ny as i32 - 2),
            font(14.0).pos(Pos::new(HPos::Center, VPos::Bottom)),
        ))
        .map_err(draw_error)?;

    // Title, subtitle, attribution, on bands that hide the map's overflow.
    canvas
        .draw(&Rectangle::new(
            [(0, 0), (frame.width as i32, t as i32)],
            WHITE.filled(),
        ))
        .map_err(draw_error)?;
    canvas
        .draw(&Rectangle::new(
            [(0, b as i32), (frame.width as i32, frame.height as i32)],
            WHITE.filled(),
        ))
        .map_err(draw_error)?;
    canvas
        .draw(&Text::new(
            title.to_owned(),
            (12, 6),
            ("sans-serif", 20.0, FontStyle::Bold)
                .into_font()
                .color(&BLACK)
                .pos(Pos::new(HPos::Left, VPos::Top)),
        ))
        .map_err(draw_error)?;
    canvas
        .draw(&Text::new(
            subtitle.to_owned(),
            (12, 30),
            font(12.0)
                .color(&RGBColor(70, 70, 70))
                .pos(Pos::new(HPos::Left, VPos::Top)),
        ))
        .map_err(draw_error)?;
    let attribution = format!(
        "{} Projection: {}.",
        atlas.attribution.join(" "),
        frame.plane.describe()
    );
    canvas
        .draw(&Text::new(
            attribution,
            (12, frame.height as i32 - 16),
            font(10.0)
                .color(&RGBColor(70, 70, 70))
                .pos(Pos::new(HPos::Left, VPos::Top)),
        ))
        .map_err(draw_error)?;
    Ok(())
}

/// `11,614 km²`.
pub(crate) fn km2(value: f64) -> String {
    let whole = value.round() as i64;
    let digits = whole.abs().to_string();
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    if value > 0.0 && value < 0.5 {
        return format!("{value:.2} km²");
    }
    format!("{}{grouped} km²", if whole < 0 { "-" } else { "" })
}
