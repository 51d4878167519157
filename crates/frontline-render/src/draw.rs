//! Drawing lon/lat geometry on a plotters canvas through a [`Frame`].

use geo::{
    BooleanOps, Contains, Coord, InteriorPoint, LineString, MultiLineString, MultiPolygon, Polygon,
    Rect,
};
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::frame::Frame;
use crate::{RenderError, Result};

pub(crate) type Canvas<'a> = DrawingArea<SVGBackend<'a>, Shift>;

pub(crate) fn draw_error<E: std::fmt::Debug>(error: E) -> RenderError {
    RenderError::Draw(format!("{error:?}"))
}

/// A shape cut to what the map shows (keeps the SVG small).
pub(crate) fn clip(shape: &MultiPolygon<f64>, visible: &Rect<f64>) -> MultiPolygon<f64> {
    shape.intersection(&MultiPolygon(vec![visible.to_polygon()]))
}

fn pixels(frame: &Frame, ring: &LineString<f64>) -> Vec<(i32, i32)> {
    let mut out: Vec<(i32, i32)> = Vec::with_capacity(ring.0.len());
    for c in &ring.0 {
        let p = frame.pixel(*c);
        let q = (p.x.round() as i32, p.y.round() as i32);
        if out.last() != Some(&q) {
            out.push(q);
        }
    }
    out
}

/// Fills the polygons of several shapes that together tile the ground (the
/// zones of a snapshot), each in its colour. SVG polygons have no holes, so
/// polygons are painted from the outside in: a polygon lying in another's hole
/// is painted after it.
pub(crate) fn fill_tiling(
    canvas: &Canvas,
    frame: &Frame,
    shapes: &[(MultiPolygon<f64>, RGBColor)],
) -> Result<()> {
    let polygons: Vec<(&Polygon<f64>, RGBColor)> = shapes
        .iter()
        .flat_map(|(shape, colour)| shape.0.iter().map(move |p| (p, *colour)))
        .collect();
    let holes: Vec<Polygon<f64>> = polygons
        .iter()
        .flat_map(|(p, _)| {
            p.interiors()
                .iter()
                .map(|h| Polygon::new(h.clone(), vec![]))
        })
        .collect();
    let mut ordered: Vec<(usize, usize)> = polygons
        .iter()
        .enumerate()
        .map(|(i, (p, _))| {
            let depth = p.interior_point().map_or(0, |point| {
                holes.iter().filter(|h| h.contains(&point)).count()
            });
            (depth, i)
        })
        .collect();
    ordered.sort_unstable();
    for (_, i) in ordered {
        let (polygon, colour) = polygons[i];
        let points = pixels(frame, polygon.exterior());
        if points.len() >= 3 {
            canvas
                .draw(&plotters::element::Polygon::new(points, colour.filled()))
                .map_err(draw_error)?;
        }
    }
    Ok(())
}

/// Draws the rings of a shape as lines, solid or dashed.
pub(crate) fn stroke_rings(
    canvas: &Canvas,
    frame: &Frame,
    shape: &MultiPolygon<f64>,
    style: ShapeStyle,
    dash: Option<(u32, u32)>,
) -> Result<()> {
    for polygon in &shape.0 {
        for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
            stroke_line(canvas, frame, ring, style, dash)?;
        }
    }
    Ok(())
}

/// Draws a line, solid or dashed (`dash` = on, off lengths in px).
pub(crate) fn stroke_line(
    canvas: &Canvas,
    frame: &Frame,
    line: &LineString<f64>,
    style: ShapeStyle,
    dash: Option<(u32, u32)>,
) -> Result<()> {
    let points = pixels(frame, line);
    if points.len() < 2 {
        return Ok(());
    }
    match dash {
        None => canvas
            .draw(&PathElement::new(points, style))
            .map_err(draw_error),
        Some((on, off)) => canvas
            .draw(&plotters::element::DashedPathElement::new(
                points, on, off, style,
            ))
            .map_err(draw_error),
    }
}

/// Hatches a shape with parallel lines `spacing` px apart at 45°.
pub(crate) fn hatch(
    canvas: &Canvas,
    frame: &Frame,
    shape: &MultiPolygon<f64>,
    style: ShapeStyle,
    spacing: f64,
    rising: bool,
) -> Result<()> {
    // The shape in pixel space, then lines across the canvas clipped to it.
    let in_pixels = MultiPolygon(
        shape
            .0
            .iter()
            .map(|p| {
                let ring =
                    |r: &LineString<f64>| LineString(r.0.iter().map(|c| frame.pixel(*c)).collect());
                Polygon::new(ring(p.exterior()), p.interiors().iter().map(ring).collect())
            })
            .collect(),
    );
    let (w, h) = (frame.width as f64, frame.height as f64);
    let mut lines = Vec::new();
    let mut offset = -h;
    while offset < w {
        let (a, b) = if rising {
            (
                Coord { x: offset, y: h },
                Coord {
                    x: offset + h,
                    y: 0.0,
                },
            )
        } else {
            (
                Coord { x: offset, y: 0.0 },
                Coord {
                    x: offset + h,
                    y: h,
                },
            )
        };
        lines.push(LineString(vec![a, b]));
        offset += spacing;
    }
    let inside = in_pixels.clip(&MultiLineString(lines), false);
    for line in inside.0 {
        let points: Vec<(i32, i32)> = line
            .0
            .iter()
            .map(|c| (c.x.round() as i32, c.y.round() as i32))
            .collect();
        canvas
            .draw(&PathElement::new(points, style))
            .map_err(draw_error)?;
    }
    Ok(())
}
