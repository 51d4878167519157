//! Geometry on the WGS 84 ellipsoid: geodesic measures, local metric
//! projections and the operations the dataset is built with.

use geo::{Geodesic, GeodesicArea, Length, LineString, MultiPolygon};

/// Geodesic area of a (multi)polygon in km² on WGS 84 (Karney's algorithm).
///
/// Holes are subtracted; ring winding does not matter.
///
/// ```
/// use geo::{polygon, MultiPolygon};
/// // A 0.1° × 0.1° cell at the equator is about 123.09 km² (11.13 km × 11.06 km).
/// let cell = polygon![(x: 0.0, y: 0.0), (x: 0.1, y: 0.0), (x: 0.1, y: 0.1), (x: 0.0, y: 0.1)];
/// let km2 = frontline::geometry::area_km2(&MultiPolygon(vec![cell]));
/// assert!((km2 - 123.09).abs() < 0.01, "{km2}");
/// ```
pub fn area_km2(shape: &MultiPolygon<f64>) -> f64 {
    shape
        .0
        .iter()
        .map(|polygon| polygon.geodesic_area_unsigned())
        .sum::<f64>()
        / 1e6
        + 0.0 // turns the -0.0 of an empty sum into 0.0
}

/// Geodesic length of a line in km on WGS 84 (Karney's algorithm).
///
/// ```
/// use geo::line_string;
/// // One degree of longitude along the equator is 111.32 km.
/// let line = line_string![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0)];
/// let km = frontline::geometry::length_km(&line);
/// assert!((km - 111.32).abs() < 0.01, "{km}");
/// ```
pub fn length_km(line: &LineString<f64>) -> f64 {
    Geodesic.length(line) / 1e3
}
