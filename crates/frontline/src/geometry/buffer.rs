//! Buffers made in a local metric projection, never in degrees.

use geo::{BoundingRect, Buffer, LineString, MultiPolygon};

use crate::error::{Error, Result};
use crate::geometry::LocalProjection;

/// The area within `km` of a line, built in a Lambert azimuthal equal-area
/// plane centred on the line and brought back to lon/lat.
///
/// ```
/// use frontline::geometry::{area_km2, buffer_km, length_km};
/// use frontline::geo::line_string;
/// let road = line_string![(x: 46.55, y: 39.64), (x: 46.75, y: 39.82)];
/// let strip = buffer_km(&road, 2.5)?;
/// // A 5-km-wide strip plus two round ends of radius 2.5 km.
/// let expected = 5.0 * length_km(&road) + std::f64::consts::PI * 2.5 * 2.5;
/// assert!((area_km2(&strip) / expected - 1.0).abs() < 0.01, "{} vs {expected}", area_km2(&strip));
/// # Ok::<(), frontline::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::BadDistance`] when `km` is negative or not finite;
/// [`Error::BadCoordinate`] for an empty line, or one the projection
/// cannot take.
pub fn buffer_km(line: &LineString<f64>, km: f64) -> Result<MultiPolygon<f64>> {
    if !(km.is_finite() && km >= 0.0) {
        return Err(Error::BadDistance {
            what: "buffer distance",
            km,
        });
    }
    let rect = line
        .bounding_rect()
        .ok_or_else(|| Error::BadCoordinate("cannot buffer an empty line".into()))?;
    let centre = rect.center();
    let projection = LocalProjection::new(centre.x, centre.y)?;
    let plane = projection.forward_geometry(line)?;
    let strip = plane.buffer(km * 1000.0);
    projection.inverse_geometry(&strip)
}
