//! Tidying the output of boolean operations: dropping slivers, making rings
//! valid and orienting them the way RFC 7946 wants (exteriors
//! counter-clockwise, holes clockwise).

use geo::orient::{Direction, Orient};
use geo::{BooleanOps, MultiPolygon, Polygon};

use super::area_km2;

/// Drops the polygons, and the holes, whose geodesic area is below `min_km2`.
///
/// ```
/// use frontline::geometry::drop_slivers;
/// use frontline::geo::{polygon, MultiPolygon};
/// let big = polygon![(x: 46.0, y: 39.0), (x: 46.1, y: 39.0), (x: 46.1, y: 39.1), (x: 46.0, y: 39.1)];
/// let sliver = polygon![(x: 47.0, y: 39.0), (x: 47.0001, y: 39.0), (x: 47.0001, y: 39.1), (x: 47.0, y: 39.1)];
/// let kept = drop_slivers(&MultiPolygon(vec![big, sliver]), 0.5);
/// assert_eq!(kept.0.len(), 1); // the 0.09 km² sliver is gone
/// ```
pub fn drop_slivers(shape: &MultiPolygon<f64>, min_km2: f64) -> MultiPolygon<f64> {
    let keep = |ring: &geo::LineString<f64>| {
        area_km2(&MultiPolygon(vec![Polygon::new(ring.clone(), vec![])])) >= min_km2
    };
    MultiPolygon(
        shape
            .0
            .iter()
            .filter(|p| keep(p.exterior()))
            .map(|p| {
                let holes = p.interiors().iter().filter(|h| keep(h)).cloned().collect();
                Polygon::new(p.exterior().clone(), holes)
            })
            .collect(),
    )
}

/// Orients rings as RFC 7946 §3.1.6 asks: exteriors counter-clockwise, holes
/// clockwise.
///
/// ```
/// use frontline::geometry::orient_rfc7946;
/// use frontline::geo::{polygon, MultiPolygon, Winding};
/// let clockwise = polygon![(x: 0.0, y: 0.0), (x: 0.0, y: 1.0), (x: 1.0, y: 1.0), (x: 1.0, y: 0.0)];
/// let oriented = orient_rfc7946(&MultiPolygon(vec![clockwise]));
/// assert!(oriented.0[0].exterior().is_ccw());
/// ```
pub fn orient_rfc7946(shape: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    shape.orient(Direction::Default)
}

/// A valid, tidy version of a (multi)polygon: re-noded by a union with
/// nothing (which resolves self-intersections, merges overlapping parts and
/// splits rings that touch themselves), slivers and holes under `min_km2`
/// removed, rings oriented per RFC 7946.
///
/// ```
/// use frontline::geometry::{area_km2, clean};
/// use frontline::geo::{polygon, MultiPolygon, Validation};
/// // Two overlapping squares: not a valid MultiPolygon.
/// let a = polygon![(x: 46.0, y: 39.0), (x: 46.2, y: 39.0), (x: 46.2, y: 39.2), (x: 46.0, y: 39.2)];
/// let b = polygon![(x: 46.1, y: 39.1), (x: 46.3, y: 39.1), (x: 46.3, y: 39.3), (x: 46.1, y: 39.3)];
/// let messy = MultiPolygon(vec![a, b]);
/// assert!(!messy.is_valid());
/// let tidy = clean(&messy, 0.01);
/// assert!(tidy.is_valid());
/// assert_eq!(tidy.0.len(), 1);
/// assert!(area_km2(&tidy) < area_km2(&messy));
/// ```
pub fn clean(shape: &MultiPolygon<f64>, min_km2: f64) -> MultiPolygon<f64> {
    let mut renoded = MultiPolygon(vec![]);
    for polygon in &shape.0 {
        renoded = renoded.union(polygon);
    }
    orient_rfc7946(&drop_slivers(&renoded, min_km2))
}
