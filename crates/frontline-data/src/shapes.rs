//! Geometric helpers of the builder: polygons closed from digitised lines,
//! sections of the Armenia–Azerbaijan border, nearest-settlement cells and
//! roads split where they cross the border.

use frontline::geometry::{buffer_km, LocalProjection};
use geo::{
    BooleanOps, Contains, Coord, Distance, Geodesic, LineString, MultiLineString, MultiPolygon,
    Point, Polygon,
};

use crate::{Error, Shape};

/// The polygon bounded by a digitised line and a closure (vertices that lie
/// outside everything the polygon is intersected with, so only the line
/// decides anything).
pub(crate) fn closed(line: &LineString<f64>, closure: &[Coord<f64>]) -> Shape {
    let mut ring = line.0.clone();
    ring.extend_from_slice(closure);
    if let Some(&first) = ring.first() {
        ring.push(first);
    }
    // A union with nothing normalises winding and any touching vertices.
    MultiPolygon(vec![Polygon::new(LineString(ring), vec![])]).union(&MultiPolygon(vec![]))
}

fn km(a: Coord<f64>, b: Coord<f64>) -> f64 {
    Geodesic.distance(Point::from(a), Point::from(b)) / 1000.0
}

/// The vertices of `outer`'s rings shared exactly with `other`'s rings (the
/// OpenStreetMap land polygons share the vertices of a common border).
fn shared_rings(outer: &Shape, other: &Shape) -> Vec<Vec<(Coord<f64>, bool)>> {
    let key = |c: &Coord<f64>| ((c.x * 1e7).round() as i64, (c.y * 1e7).round() as i64);
    let theirs: std::collections::HashSet<(i64, i64)> = other
        .0
        .iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .flat_map(|r| r.0.iter().map(key))
        .collect();
    outer
        .0
        .iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .map(|r| r.0.iter().map(|c| (*c, theirs.contains(&key(c)))).collect())
        .collect()
}

/// The common border of two shapes between the border vertices nearest to
/// `a` and to `b`, along the shorter way round.
pub(crate) fn border_section(
    one: &Shape,
    other: &Shape,
    a: Coord<f64>,
    b: Coord<f64>,
    what: &str,
) -> Result<LineString<f64>, Error> {
    let rings = shared_rings(one, other);
    let nearest = |target: Coord<f64>| {
        rings
            .iter()
            .enumerate()
            .flat_map(|(r, ring)| {
                ring.iter()
                    .enumerate()
                    .filter(|(_, (_, shared))| *shared)
                    .map(move |(i, (c, _))| (r, i, *c))
            })
            .min_by(|x, y| km(x.2, target).total_cmp(&km(y.2, target)))
    };
    let (ra, ia, ca) = nearest(a).ok_or_else(|| format!("{what}: no common border"))?;
    let (rb, ib, cb) = nearest(b).ok_or_else(|| format!("{what}: no common border"))?;
    if ra != rb {
        return Err(format!("{what}: the two anchors lie on different rings"));
    }
    for (anchor, found) in [(a, ca), (b, cb)] {
        if km(anchor, found) > 10.0 {
            return Err(format!(
                "{what}: anchor {anchor:?} is {:.1} km from the border",
                km(anchor, found)
            ));
        }
    }
    let ring = &rings[ra];
    let n = ring.len() - 1; // closed ring: last == first
    let (lo, hi) = (ia.min(ib), ia.max(ib));
    let forward: Vec<Coord<f64>> = ring[lo..=hi].iter().map(|(c, _)| *c).collect();
    let path = if hi - lo <= n / 2 {
        forward
    } else {
        ring[hi..n]
            .iter()
            .chain(ring[..=lo].iter())
            .map(|(c, _)| *c)
            .collect()
    };
    Ok(LineString(path))
}

/// The common-border vertex nearest to `target`.
pub(crate) fn nearest_border_point(one: &Shape, other: &Shape, target: Coord<f64>) -> Coord<f64> {
    shared_rings(one, other)
        .into_iter()
        .flatten()
        .filter(|(_, shared)| *shared)
        .map(|(c, _)| c)
        .min_by(|x, y| km(*x, target).total_cmp(&km(*y, target)))
        .unwrap_or(target)
}

/// A point `distance_km` from `from` towards `to` (on the straight line in a
/// local metric plane).
pub(crate) fn towards(
    from: Coord<f64>,
    to: Coord<f64>,
    distance_km: f64,
) -> Result<Coord<f64>, Error> {
    let projection = LocalProjection::new(from.x, from.y).map_err(|e| e.to_string())?;
    let (p, q) = (
        projection.forward(from).map_err(|e| e.to_string())?,
        projection.forward(to).map_err(|e| e.to_string())?,
    );
    let length = ((q.x - p.x).powi(2) + (q.y - p.y).powi(2)).sqrt();
    let t = distance_km * 1000.0 / length;
    projection
        .inverse(Coord {
            x: p.x + (q.x - p.x) * t,
            y: p.y + (q.y - p.y) * t,
        })
        .map_err(|e| e.to_string())
}

/// The area within `radius_km` of a point (the buffer of a line a
/// centimetre long, in the same local metric projection as every buffer).
pub(crate) fn disc(at: Coord<f64>, radius_km: f64) -> Result<Shape, Error> {
    let line = LineString(vec![
        at,
        Coord {
            x: at.x + 1e-7,
            y: at.y,
        },
    ]);
    buffer_km(&line, radius_km).map_err(|e| e.to_string())
}

/// The area within `radius_km` of a line, on one side of a border: `within`.
pub(crate) fn band(line: &LineString<f64>, radius_km: f64, within: &Shape) -> Result<Shape, Error> {
    Ok(buffer_km(line, radius_km)
        .map_err(|e| e.to_string())?
        .intersection(within))
}

/// Nearest-settlement cells: for each seed, the part of `bounds` closer to
/// it than to any other seed, distances measured in a local equirectangular
/// plane (x scaled by the cosine of the mean latitude: under 0.2 % off
/// across the 100 km these cells span).
pub(crate) fn nearest_cells(seeds: &[Coord<f64>], bounds: [Coord<f64>; 2]) -> Vec<Shape> {
    let mean_lat = seeds.iter().map(|c| c.y).sum::<f64>() / seeds.len().max(1) as f64;
    let scale = mean_lat.to_radians().cos();
    let plane = |c: Coord<f64>| Coord {
        x: c.x * scale,
        y: c.y,
    };
    let back = |c: Coord<f64>| Coord {
        x: c.x / scale,
        y: c.y,
    };
    let [lo, hi] = bounds;
    let frame = vec![
        plane(lo),
        plane(Coord { x: hi.x, y: lo.y }),
        plane(hi),
        plane(Coord { x: lo.x, y: hi.y }),
    ];
    seeds
        .iter()
        .enumerate()
        .map(|(i, &seed)| {
            let s = plane(seed);
            let mut cell = frame.clone();
            for (j, &other) in seeds.iter().enumerate() {
                if i == j || cell.is_empty() {
                    continue;
                }
                let o = plane(other);
                // Keep the points p with (p - m) · (o - s) <= 0, m the midpoint.
                let m = Coord {
                    x: (s.x + o.x) / 2.0,
                    y: (s.y + o.y) / 2.0,
                };
                let d = Coord {
                    x: o.x - s.x,
                    y: o.y - s.y,
                };
                let side = |p: Coord<f64>| (p.x - m.x) * d.x + (p.y - m.y) * d.y;
                let mut clipped = Vec::with_capacity(cell.len() + 1);
                for k in 0..cell.len() {
                    let (p, q) = (cell[k], cell[(k + 1) % cell.len()]);
                    let (sp, sq) = (side(p), side(q));
                    if sp <= 0.0 {
                        clipped.push(p);
                    }
                    if (sp < 0.0 && sq > 0.0) || (sp > 0.0 && sq < 0.0) {
                        let t = sp / (sp - sq);
                        clipped.push(Coord {
                            x: p.x + (q.x - p.x) * t,
                            y: p.y + (q.y - p.y) * t,
                        });
                    }
                }
                cell = clipped;
            }
            if cell.len() < 3 {
                return MultiPolygon(vec![]);
            }
            let mut ring: Vec<Coord<f64>> = cell.into_iter().map(back).collect();
            ring.push(ring[0]);
            MultiPolygon(vec![Polygon::new(LineString(ring), vec![])])
        })
        .collect()
}

/// A road split where it crosses into `second`: the part before the border
/// and the part after, sharing the crossing point exactly (so the road graph
/// stays connected). Errors unless the road crosses exactly once.
pub(crate) fn split_at_border(
    road: &LineString<f64>,
    second: &Shape,
    what: &str,
) -> Result<(LineString<f64>, LineString<f64>), Error> {
    let inside: Vec<bool> = road.0.iter().map(|c| second.contains(c)).collect();
    let changes: Vec<usize> = (1..inside.len())
        .filter(|&i| inside[i] != inside[i - 1])
        .collect();
    let [i] = changes[..] else {
        return Err(format!(
            "{what}: expected one border crossing, found {} (vertices inside: {inside:?})",
            changes.len()
        ));
    };
    let segment = LineString(vec![road.0[i - 1], road.0[i]]);
    let clipped: MultiLineString<f64> = second.clip(&MultiLineString(vec![segment]), false);
    let crossing = clipped
        .0
        .iter()
        .flat_map(|l| l.0.iter())
        .copied()
        .min_by(|a, b| {
            let end = if inside[i] { road.0[i - 1] } else { road.0[i] };
            km(*a, end).total_cmp(&km(*b, end))
        })
        .ok_or_else(|| format!("{what}: the crossing segment does not meet the border"))?;
    let mut first: Vec<Coord<f64>> = road.0[..i].to_vec();
    first.push(crossing);
    let mut rest = vec![crossing];
    rest.extend_from_slice(&road.0[i..]);
    Ok((LineString(first), LineString(rest)))
}
