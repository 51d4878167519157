//! Cutting polygons to a rectangle: a box of a web map, or the common box of
//! two shapes before they are overlaid. A ring is first clipped to the box
//! grown by a margin (Sutherland–Hodgman: one pass over its vertices),
//! which keeps only what lies near the box; the exact cut is then an
//! overlay of those few vertices with the box. The first pass may leave
//! zero-width runs along the grown box's edges; they lie outside the box
//! and the even-odd overlay drops them.

use geo::{
    BooleanOps, BoundingRect, Contains, Coord, Intersects, LineString, MultiPolygon, Polygon, Rect,
};

/// `shape` cut to `rect`: exactly the ground of `shape` inside `rect`, as
/// valid polygons. Linear in the vertices far from the box, so a small box
/// over a large, detailed shape costs little.
///
/// ```
/// use frontline::geo::{polygon, Area, MultiPolygon, Rect};
/// let square = MultiPolygon(vec![polygon![(x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 10.0), (x: 0.0, y: 10.0)]]);
/// let cut = frontline::geometry::clip_to_rect(&square, Rect::new((8.0, 8.0), (12.0, 12.0)));
/// assert!((cut.unsigned_area() - 4.0).abs() < 1e-12);
/// ```
pub fn clip_to_rect(shape: &MultiPolygon<f64>, rect: Rect<f64>) -> MultiPolygon<f64> {
    let near = near_rect(shape, grown(rect));
    if near.0.is_empty() {
        return near;
    }
    near.intersection(&MultiPolygon(vec![rect.to_polygon()]))
}

/// `a ∩ b`, overlaying only what lies near the box the two have in common.
pub(crate) fn intersection(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    let (Some(ra), Some(rb)) = (a.bounding_rect(), b.bounding_rect()) else {
        return MultiPolygon(Vec::new());
    };
    if !ra.intersects(&rb) {
        return MultiPolygon(Vec::new());
    }
    let common = grown(Rect::new(
        (ra.min().x.max(rb.min().x), ra.min().y.max(rb.min().y)),
        (ra.max().x.min(rb.max().x), ra.max().y.min(rb.max().y)),
    ));
    // Any run the clipping leaves on the grown box's edge lies outside one
    // of the two boxes, so outside one of the shapes: none of it is in both.
    // A shape the clipping barely shrinks is overlaid whole: the pass would
    // save nothing, and the overlay's integer grid (a fixed fraction of the
    // inputs' extent) would move for no gain.
    let near = |shape: &MultiPolygon<f64>| {
        let clipped = near_rect(shape, common);
        if 2 * vertices(&clipped) > vertices(shape) {
            shape.clone()
        } else {
            clipped
        }
    };
    let (a, b) = (near(a), near(b));
    if a.0.is_empty() || b.0.is_empty() {
        return MultiPolygon(Vec::new());
    }
    a.intersection(&b)
}

fn vertices(shape: &MultiPolygon<f64>) -> usize {
    shape
        .0
        .iter()
        .map(|p| p.exterior().0.len() + p.interiors().iter().map(|h| h.0.len()).sum::<usize>())
        .sum()
}

/// `rect` grown by 1% of its larger side (and a hair, for a degenerate box).
fn grown(rect: Rect<f64>) -> Rect<f64> {
    let margin = rect.width().max(rect.height()) * 0.01 + 1e-9;
    Rect::new(
        (rect.min().x - margin, rect.min().y - margin),
        (rect.max().x + margin, rect.max().y + margin),
    )
}

/// The polygons of `shape` with every ring clipped to `rect` on its own:
/// the same ground inside `rect` under the even-odd rule, with possible
/// zero-width runs along `rect`'s edges.
fn near_rect(shape: &MultiPolygon<f64>, rect: Rect<f64>) -> MultiPolygon<f64> {
    MultiPolygon(
        shape
            .0
            .iter()
            .filter_map(|polygon| {
                let bounds = polygon.bounding_rect()?;
                if !rect.intersects(&bounds) {
                    return None;
                }
                if rect.contains(&bounds) {
                    return Some(polygon.clone());
                }
                let exterior = clip_ring(polygon.exterior(), rect)?;
                let holes = polygon
                    .interiors()
                    .iter()
                    .filter_map(|hole| clip_ring(hole, rect))
                    .collect();
                Some(Polygon::new(exterior, holes))
            })
            .collect(),
    )
}

/// A closed ring clipped to `rect` (Sutherland–Hodgman), or `None` when
/// fewer than three vertices are left.
fn clip_ring(ring: &LineString<f64>, rect: Rect<f64>) -> Option<LineString<f64>> {
    let (min, max) = (rect.min(), rect.max());
    let mut points: Vec<Coord<f64>> = ring.0.clone();
    if points.len() > 1 && points.first() == points.last() {
        points.pop();
    }
    // Left, right, bottom, top.
    for side in 0..4 {
        if points.is_empty() {
            return None;
        }
        let inside = |c: &Coord<f64>| match side {
            0 => c.x >= min.x,
            1 => c.x <= max.x,
            2 => c.y >= min.y,
            _ => c.y <= max.y,
        };
        let crossing = |a: &Coord<f64>, b: &Coord<f64>| match side {
            0 | 1 => {
                let x = if side == 0 { min.x } else { max.x };
                Coord {
                    x,
                    y: a.y + (x - a.x) / (b.x - a.x) * (b.y - a.y),
                }
            }
            _ => {
                let y = if side == 2 { min.y } else { max.y };
                Coord {
                    x: a.x + (y - a.y) / (b.y - a.y) * (b.x - a.x),
                    y,
                }
            }
        };
        let mut kept = Vec::with_capacity(points.len() + 4);
        let mut previous = points[points.len() - 1];
        for &current in &points {
            match (inside(&previous), inside(&current)) {
                (true, true) => kept.push(current),
                (true, false) => kept.push(crossing(&previous, &current)),
                (false, true) => {
                    kept.push(crossing(&previous, &current));
                    kept.push(current);
                }
                (false, false) => {}
            }
            previous = current;
        }
        points = kept;
    }
    if points.len() < 3 {
        return None;
    }
    points.push(points[0]);
    Some(LineString(points))
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{polygon, Area, Validation};

    fn square(x0: f64, y0: f64, x1: f64, y1: f64) -> Polygon<f64> {
        Rect::new((x0, y0), (x1, y1)).to_polygon()
    }

    #[test]
    fn a_ring_around_the_box_clips_to_the_box() {
        let ring = square(0.0, 0.0, 10.0, 10.0).exterior().clone();
        let clipped = clip_ring(&ring, Rect::new((2.0, 3.0), (4.0, 5.0))).unwrap();
        assert!((Polygon::new(clipped, vec![]).unsigned_area() - 4.0).abs() < 1e-12);
        assert!(clip_ring(&ring, Rect::new((20.0, 20.0), (30.0, 30.0))).is_none());
    }

    #[test]
    fn a_u_shape_and_a_hole_cut_exactly_and_validly() {
        // A U open to the top, with a hole in its base, cut by a box across
        // both arms and the hole: the first pass joins the arms along the
        // box's edge; the overlay must not keep that join.
        let u = polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 10.0), (x: 7.0, y: 10.0),
                       (x: 7.0, y: 3.0), (x: 3.0, y: 3.0), (x: 3.0, y: 10.0), (x: 0.0, y: 10.0)],
            interiors: [[(x: 4.0, y: 1.0), (x: 6.0, y: 1.0), (x: 6.0, y: 2.0), (x: 4.0, y: 2.0)]],
        );
        let shape = MultiPolygon(vec![u]);
        let rect = Rect::new((-1.0, 1.5), (11.0, 8.0));
        let quick = clip_to_rect(&shape, rect);
        let full = shape.intersection(&MultiPolygon(vec![rect.to_polygon()]));
        assert!((quick.unsigned_area() - full.unsigned_area()).abs() < 1e-9);
        // Base 10 × 1.5 less the hole's 2 × 0.5, and two arms of 3 × 5.
        assert!(
            (quick.unsigned_area() - 44.0).abs() < 1e-9,
            "{}",
            quick.unsigned_area()
        );
        assert!(quick.is_valid());
        let b = MultiPolygon(vec![square(2.0, -5.0, 8.0, 12.0)]);
        let both = intersection(&shape, &b);
        let plain = shape.intersection(&b);
        assert!((both.unsigned_area() - plain.unsigned_area()).abs() < 1e-9);
        assert!(both.is_valid());
    }

    #[test]
    fn shapes_apart_have_nothing_in_common() {
        let a = MultiPolygon(vec![square(0.0, 0.0, 1.0, 1.0)]);
        let b = MultiPolygon(vec![square(2.0, 2.0, 3.0, 3.0)]);
        assert!(intersection(&a, &b).0.is_empty());
        assert!(clip_to_rect(&a, Rect::new((5.0, 5.0), (6.0, 6.0)))
            .0
            .is_empty());
    }
}
