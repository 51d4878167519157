//! Geometry on the WGS 84 ellipsoid: geodesic measures, local metric
//! projections and the operations the dataset is built with.

mod buffer;
mod clean;
mod projection;

pub use buffer::buffer_km;
pub use clean::{clean, drop_slivers, orient_rfc7946};
pub use projection::LocalProjection;

use geo::{Geodesic, LineString, MultiPolygon};
use geographiclib_rs::{Geodesic as Ellipsoid, PolygonArea, Winding};

/// Longest edge, in degrees of longitude or latitude, that [`area_km2`] feeds
/// to the geodesic area algorithm as it is; longer edges are split.
pub const AREA_EDGE_DEG: f64 = 0.01;

/// Geodesic area of a (multi)polygon in km² on WGS 84 (Karney's algorithm).
///
/// Holes are subtracted; ring winding does not matter.
///
/// Edges are taken as straight in longitude/latitude — the reading that the
/// boolean operations, point-in-polygon tests and maps all make — by
/// splitting edges longer than [`AREA_EDGE_DEG`] before summing. Without
/// that, a long edge would count as a geodesic (bowing towards the pole), and
/// cutting it where another boundary crosses would change the area: parts
/// would not add up to the whole.
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

/// Unsigned geodesic area of one closed ring, m², edges straight in lon/lat.
fn ring_area_m2(ring: &LineString<f64>) -> f64 {
    let geodesic = Ellipsoid::wgs84();
    let mut area = PolygonArea::new(&geodesic, Winding::CounterClockwise);
    let mut points = 0usize;
    for line in ring.lines() {
        let (from, to) = (line.start, line.end);
        let steps = ((to.x - from.x).abs().max((to.y - from.y).abs()) / AREA_EDGE_DEG)
            .ceil()
            .max(1.0) as usize;
        for step in 0..steps {
            let t = step as f64 / steps as f64;
            area.add_point(from.y + t * (to.y - from.y), from.x + t * (to.x - from.x));
            points += 1;
        }
    }
    if points < 3 {
        return 0.0;
    }
    // The geodesic area is known only up to a whole earth: signed, it comes
    // in (-E/2, E/2], so a ring larger than a hemisphere would measure as
    // its complement. The ring's area on a sphere, summed edge by edge in
    // the lon/lat plane, has no such wrap: it picks the multiple of E.
    let signed = area.compute(true).1;
    let estimate = sphere_ring_area_m2(ring);
    let turns = ((estimate - signed) / EARTH_AREA_M2).round();
    (signed + turns * EARTH_AREA_M2).abs()
}

/// WGS 84's authalic radius (the sphere of the same area), m.
const AUTHALIC_RADIUS_M: f64 = 6_371_007.180_918_5;

/// The area of the WGS 84 ellipsoid, m².
const EARTH_AREA_M2: f64 = 4.0 * std::f64::consts::PI * AUTHALIC_RADIUS_M * AUTHALIC_RADIUS_M;

/// Signed area of a ring on the authalic sphere, m², counter-clockwise
/// (in lon/lat) positive, edges straight in lon/lat: the sum over edges of
/// -R² ∫ sin φ dλ, in closed form for φ linear in λ.
fn sphere_ring_area_m2(ring: &LineString<f64>) -> f64 {
    let mut sum = 0.0;
    for line in ring.lines() {
        let (l1, l2) = (line.start.x.to_radians(), line.end.x.to_radians());
        let (p1, p2) = (line.start.y.to_radians(), line.end.y.to_radians());
        let dl = l2 - l1;
        if dl == 0.0 {
            continue;
        }
        let dp = p2 - p1;
        sum += if dp.abs() < 1e-12 {
            ((p1 + p2) / 2.0).sin() * dl
        } else {
            dl / dp * (p1.cos() - p2.cos())
        };
    }
    -sum * AUTHALIC_RADIUS_M * AUTHALIC_RADIUS_M
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
