//! Geometry on the WGS 84 ellipsoid: geodesic measures, local metric
//! projections and the operations the dataset is built with.

mod area;
mod buffer;
mod clean;
pub(crate) mod clip;
mod projection;
pub(crate) mod segments;

pub use buffer::buffer_km;
pub use clean::{clean, drop_slivers, orient_rfc7946};
pub use clip::clip_to_rect;
pub use projection::LocalProjection;

use geo::{Geodesic, LineString, MultiPolygon};

/// Longest edge, in degrees of longitude or latitude, that [`length_km`]
/// measures as one geodesic; longer edges are measured in pieces.
pub const AREA_EDGE_DEG: f64 = 0.01;

/// Area of a (multi)polygon on the WGS 84 ellipsoid, km².
///
/// Holes are subtracted; ring winding does not matter.
///
/// Edges are taken as straight in longitude/latitude — the reading that the
/// boolean operations, point-in-polygon tests and maps all make — and
/// integrated exactly on the authalic sphere (the sphere of the ellipsoid's
/// area, onto which the authalic latitude maps it without changing areas):
/// the area is the ellipsoid's, with no densifying and no geodesic per edge.
/// Splitting an edge at a point on it changes nothing, so the parts of a
/// split polygon add up to the whole. Rings larger than a hemisphere, around
/// a pole or across ±180° measure as the ground they enclose in the lon/lat
/// plane. On rings densified to 0.01° edges it agrees with Karney's geodesic
/// polygon area (GeographicLib) to better than 1e-6.
///
/// ```
/// use frontline::geo::{polygon, MultiPolygon};
/// // The cell between the equator and 0.1° N, 0° and 0.1° E: 123.09 km²
/// // (11.13 km × 11.06 km).
/// let cell = polygon![(x: 0.0, y: 0.0), (x: 0.1, y: 0.0), (x: 0.1, y: 0.1), (x: 0.0, y: 0.1)];
/// let km2 = frontline::geometry::area_km2(&MultiPolygon(vec![cell]));
/// assert!((km2 - 123.09).abs() < 0.01, "{km2}");
/// ```
pub fn area_km2(shape: &MultiPolygon<f64>) -> f64 {
    let mut total = 0.0;
    for polygon in &shape.0 {
        total += ring_area_m2(polygon.exterior());
        for hole in polygon.interiors() {
            total -= ring_area_m2(hole);
        }
    }
    total / 1e6 + 0.0 // + 0.0 turns the -0.0 of an empty sum into 0.0
}

/// Unsigned area of one closed ring, m², edges straight in lon/lat.
fn ring_area_m2(ring: &LineString<f64>) -> f64 {
    area::ring_signed_area_m2(&ring.0).abs()
}

/// Geodesic length of a line in km on WGS 84 (Karney's algorithm).
///
/// Like [`area_km2`], edges are straight in lon/lat: edges longer than
/// [`AREA_EDGE_DEG`] are measured in pieces, so the lengths of the parts of a
/// split line add up to the length of the whole.
///
/// ```
/// use frontline::geo::line_string;
/// // One degree of longitude along the equator is 111.32 km.
/// let line = line_string![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0)];
/// let km = frontline::geometry::length_km(&line);
/// assert!((km - 111.32).abs() < 0.01, "{km}");
/// ```
pub fn length_km(line: &LineString<f64>) -> f64 {
    use geo::Distance;
    let mut metres = 0.0;
    for segment in line.lines() {
        let (from, to) = (segment.start, segment.end);
        let steps = ((to.x - from.x).abs().max((to.y - from.y).abs()) / AREA_EDGE_DEG)
            .ceil()
            .max(1.0) as usize;
        let at =
            |t: f64| geo::Point::new(from.x + t * (to.x - from.x), from.y + t * (to.y - from.y));
        for step in 0..steps {
            metres += Geodesic.distance(
                at(step as f64 / steps as f64),
                at((step + 1) as f64 / steps as f64),
            );
        }
    }
    metres / 1e3
}

/// Whether the closed area of `shape` holds `point` (a point on its boundary
/// counts). The bounding box is tried first: most shapes are far away.
pub(crate) fn covers(shape: &MultiPolygon<f64>, point: geo::Point<f64>) -> bool {
    use geo::{BoundingRect, Intersects};
    let inside_box = |rect: geo::Rect<f64>| {
        let (min, max) = (rect.min(), rect.max());
        point.x() >= min.x && point.x() <= max.x && point.y() >= min.y && point.y() <= max.y
    };
    shape.bounding_rect().is_some_and(inside_box) && shape.intersects(&point)
}

/// Checks a (lon, lat) point is finite and within WGS 84 ranges.
///
/// # Errors
///
/// [`crate::Error::BadCoordinate`], naming the value at fault.
pub(crate) fn check_point(point: geo::Point<f64>) -> crate::Result<()> {
    let (lon, lat) = (point.x(), point.y());
    if !(lat.is_finite() && (-90.0..=90.0).contains(&lat)) {
        return Err(crate::Error::BadCoordinate(format!(
            "latitude {lat} is outside [-90, 90]"
        )));
    }
    if !(lon.is_finite() && (-180.0..=180.0).contains(&lon)) {
        return Err(crate::Error::BadCoordinate(format!(
            "longitude {lon} is outside [-180, 180]"
        )));
    }
    Ok(())
}
