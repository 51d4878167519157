//! Geometries as WKB (ISO, little-endian, 2D) in Arrow columns tagged with
//! GeoArrow's extension metadata, and their bounding boxes.

use std::collections::HashMap;

use arrow::datatypes::{DataType, Field};
use geo::{BoundingRect, LineString, MultiPolygon, Polygon};

/// GeoArrow's extension type name for WKB.
pub const GEOARROW_WKB: &str = "geoarrow.wkb";

/// The CRS every frontline geometry is in: WGS 84, longitude first.
pub const CRS: &str = "OGC:CRS84";

/// A nullable binary field holding WKB, tagged `geoarrow.wkb` with the CRS
/// (so GeoArrow readers, GeoPandas and DuckDB see geometries, not bytes).
///
/// ```
/// let field = frontline_datafusion::wkb::geometry_field("geometry");
/// assert_eq!(field.metadata()["ARROW:extension:name"], "geoarrow.wkb");
/// ```
pub fn geometry_field(name: &str) -> Field {
    let metadata = HashMap::from([
        ("ARROW:extension:name".to_owned(), GEOARROW_WKB.to_owned()),
        (
            "ARROW:extension:metadata".to_owned(),
            format!(r#"{{"crs":"{CRS}","crs_type":"authority_code"}}"#),
        ),
    ]);
    Field::new(name, DataType::Binary, true).with_metadata(metadata)
}

const LITTLE_ENDIAN: u8 = 1;
const WKB_POINT: u32 = 1;
const WKB_POLYGON: u32 = 3;
const WKB_MULTIPOLYGON: u32 = 6;

fn ring(out: &mut Vec<u8>, ring: &LineString<f64>) {
    out.extend_from_slice(&(ring.0.len() as u32).to_le_bytes());
    for c in &ring.0 {
        out.extend_from_slice(&c.x.to_le_bytes());
        out.extend_from_slice(&c.y.to_le_bytes());
    }
}

fn polygon(out: &mut Vec<u8>, polygon: &Polygon<f64>) {
    out.push(LITTLE_ENDIAN);
    out.extend_from_slice(&WKB_POLYGON.to_le_bytes());
    out.extend_from_slice(&(1 + polygon.interiors().len() as u32).to_le_bytes());
    ring(out, polygon.exterior());
    for hole in polygon.interiors() {
        ring(out, hole);
    }
}

/// A MultiPolygon as WKB.
///
/// ```
/// use geo::{polygon, MultiPolygon};
/// let square = MultiPolygon(vec![polygon![(x: 0., y: 0.), (x: 1., y: 0.), (x: 1., y: 1.), (x: 0., y: 0.)]]);
/// let wkb = frontline_datafusion::wkb::multi_polygon(&square);
/// assert_eq!(wkb.len(), 1 + 4 + 4 + (1 + 4 + 4 + 4 + 4 * 16));
/// ```
pub fn multi_polygon(shape: &MultiPolygon<f64>) -> Vec<u8> {
    let vertices: usize = shape
        .0
        .iter()
        .map(|p| p.exterior().0.len() + p.interiors().iter().map(|r| r.0.len()).sum::<usize>())
        .sum();
    let mut out = Vec::with_capacity(9 + shape.0.len() * 13 + vertices * 16);
    out.push(LITTLE_ENDIAN);
    out.extend_from_slice(&WKB_MULTIPOLYGON.to_le_bytes());
    out.extend_from_slice(&(shape.0.len() as u32).to_le_bytes());
    for p in &shape.0 {
        polygon(&mut out, p);
    }
    out
}

/// A point as WKB (21 bytes).
pub fn point(lon: f64, lat: f64) -> [u8; 21] {
    let mut out = [0u8; 21];
    out[0] = LITTLE_ENDIAN;
    out[1..5].copy_from_slice(&WKB_POINT.to_le_bytes());
    out[5..13].copy_from_slice(&lon.to_le_bytes());
    out[13..21].copy_from_slice(&lat.to_le_bytes());
    out
}

/// The (lon, lat) of a WKB point (either byte order, ISO or EWKB type
/// codes with no SRID); `None` for anything else, an empty point included.
pub fn read_point(wkb: &[u8]) -> Option<(f64, f64)> {
    let (&order, rest) = wkb.split_first()?;
    let u32_at = |b: &[u8]| -> Option<u32> {
        let bytes: [u8; 4] = b.get(..4)?.try_into().ok()?;
        Some(if order == LITTLE_ENDIAN {
            u32::from_le_bytes(bytes)
        } else {
            u32::from_be_bytes(bytes)
        })
    };
    let f64_at = |b: &[u8]| -> Option<f64> {
        let bytes: [u8; 8] = b.get(..8)?.try_into().ok()?;
        Some(if order == LITTLE_ENDIAN {
            f64::from_le_bytes(bytes)
        } else {
            f64::from_be_bytes(bytes)
        })
    };
    if order > 1 || u32_at(rest)? != WKB_POINT {
        return None;
    }
    let (lon, lat) = (f64_at(&rest[4..])?, f64_at(rest.get(12..)?)?);
    (!lon.is_nan() || !lat.is_nan()).then_some((lon, lat))
}

/// Bounding box `[xmin, ymin, xmax, ymax]` of a shape; `None` when empty.
pub fn bbox(shape: &MultiPolygon<f64>) -> Option<[f64; 4]> {
    shape
        .bounding_rect()
        .map(|r| [r.min().x, r.min().y, r.max().x, r.max().y])
}

/// Any geometry as WKB (ISO, little-endian, 2D).
pub fn geometry(geometry: &geo::Geometry<f64>) -> Vec<u8> {
    let mut out = Vec::new();
    write_geometry(&mut out, geometry);
    out
}

fn header(out: &mut Vec<u8>, code: u32) {
    out.push(LITTLE_ENDIAN);
    out.extend_from_slice(&code.to_le_bytes());
}

fn count(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&(n as u32).to_le_bytes());
}

fn write_geometry(out: &mut Vec<u8>, geometry: &geo::Geometry<f64>) {
    use geo::Geometry as G;
    match geometry {
        G::Point(p) => out.extend_from_slice(&point(p.x(), p.y())),
        G::Line(l) => write_geometry(out, &G::LineString(LineString::from(vec![l.start, l.end]))),
        G::LineString(l) => {
            header(out, 2);
            ring(out, l);
        }
        G::Polygon(p) => polygon(out, p),
        G::MultiPoint(m) => {
            header(out, 4);
            count(out, m.0.len());
            for p in &m.0 {
                out.extend_from_slice(&point(p.x(), p.y()));
            }
        }
        G::MultiLineString(m) => {
            header(out, 5);
            count(out, m.0.len());
            for l in &m.0 {
                header(out, 2);
                ring(out, l);
            }
        }
        G::MultiPolygon(m) => out.extend_from_slice(&multi_polygon(m)),
        G::GeometryCollection(c) => {
            header(out, 7);
            count(out, c.0.len());
            for g in &c.0 {
                write_geometry(out, g);
            }
        }
        G::Rect(r) => polygon(out, &r.to_polygon()),
        G::Triangle(t) => polygon(out, &t.to_polygon()),
    }
}

/// The GeoParquet name of a geometry's type.
pub fn type_name(geometry: &geo::Geometry<f64>) -> &'static str {
    use geo::Geometry as G;
    match geometry {
        G::Point(_) => "Point",
        G::Line(_) | G::LineString(_) => "LineString",
        G::Polygon(_) | G::Rect(_) | G::Triangle(_) => "Polygon",
        G::MultiPoint(_) => "MultiPoint",
        G::MultiLineString(_) => "MultiLineString",
        G::MultiPolygon(_) => "MultiPolygon",
        G::GeometryCollection(_) => "GeometryCollection",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_round_trip() {
        assert_eq!(read_point(&point(46.75, 39.81)), Some((46.75, 39.81)));
        assert_eq!(read_point(&[0, 0, 0]), None);
        let mut big = vec![0u8, 0, 0, 0, 1];
        big.extend_from_slice(&46.75f64.to_be_bytes());
        big.extend_from_slice(&39.81f64.to_be_bytes());
        assert_eq!(read_point(&big), Some((46.75, 39.81)));
    }
}
