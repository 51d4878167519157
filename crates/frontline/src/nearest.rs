//! Nearest queries: how far a point is from ground held by another side (the
//! contact line, seen from the point) and from the nearest route.
//!
//! Edges sit in an R-tree in degrees with longitude scaled by the cosine of
//! the tree's middle latitude; candidates come out nearest first, and each is
//! measured geodesically (Karney, WGS 84) to its closest point. The search
//! stops once no remaining edge can be nearer, by a bound that holds over the
//! tree's latitude span.

use geo::{Coord, Distance, Geodesic, Line, Point};
use rstar::primitives::GeomWithData;
use rstar::RTree;

use chrono::NaiveDate;

use crate::model::{Route, Snapshot};

/// Something near a point, and how far.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Nearby {
    /// Its id: a controller or a route.
    pub id: String,
    /// Geodesic distance in km (WGS 84) to its nearest point; 0 on it.
    pub km: f64,
}

/// Kilometres per degree of latitude, a floor over the ellipsoid (110.57 at
/// the equator).
const KM_PER_DEGREE_FLOOR: f64 = 110.5;

/// An edge in tree units, carrying its tag and its lon/lat original.
type TreeEdge = GeomWithData<Line<f64>, (u32, Line<f64>)>;

/// An R-tree of edges, each tagged with what it belongs to.
#[derive(Debug)]
pub(crate) struct EdgeTree {
    tree: RTree<TreeEdge>,
    /// Longitudes are multiplied by this (cosine of the middle latitude).
    squeeze: f64,
    /// A tree unit is at least this many km anywhere in the tree's span.
    km_per_unit: f64,
}

impl EdgeTree {
    pub(crate) fn new(edges: impl IntoIterator<Item = (Line<f64>, u32)>) -> EdgeTree {
        let edges: Vec<(Line<f64>, u32)> = edges.into_iter().collect();
        let (lo, hi) = edges.iter().fold((f64::MAX, f64::MIN), |(lo, hi), (l, _)| {
            (
                lo.min(l.start.y).min(l.end.y),
                hi.max(l.start.y).max(l.end.y),
            )
        });
        let (lo, hi) = if lo <= hi { (lo, hi) } else { (0.0, 0.0) };
        let squeeze = ((lo + hi) / 2.0).to_radians().cos().max(0.01);
        // Where |latitude| is largest a degree of longitude is shortest.
        let narrowest = lo.abs().max(hi.abs()).min(89.9).to_radians().cos();
        let km_per_unit = KM_PER_DEGREE_FLOOR * (narrowest / squeeze).min(1.0);
        let squeezed = |c: Coord<f64>| Coord {
            x: c.x * squeeze,
            y: c.y,
        };
        EdgeTree {
            tree: RTree::bulk_load(
                edges
                    .into_iter()
                    .map(|(l, tag)| {
                        GeomWithData::new(Line::new(squeezed(l.start), squeezed(l.end)), (tag, l))
                    })
                    .collect(),
            ),
            squeeze,
            km_per_unit,
        }
    }

    /// The nearest edge whose tag `accept` takes: (tag, km).
    pub(crate) fn nearest(
        &self,
        point: Point<f64>,
        accept: impl Fn(u32) -> bool,
    ) -> Option<(u32, f64)> {
        let query = Point::new(point.x() * self.squeeze, point.y());
        let mut best: Option<(u32, f64)> = None;
        for (edge, d2) in self.tree.nearest_neighbor_iter_with_distance_2(&query) {
            let floor_km = d2.sqrt() * self.km_per_unit;
            if best.is_some_and(|(_, km)| floor_km > km) {
                break;
            }
            let (tag, line) = edge.data;
            if !accept(tag) {
                continue;
            }
            let km = km_to_segment(point, line);
            // At a vertex two zones share, the lower tag (the first zone or
            // route of the layer), whatever order the tree holds them in.
            match best {
                Some((t, b)) if b < km || (b == km && t <= tag) => {}
                _ => best = Some((tag, km)),
            }
        }
        best
    }
}

/// Geodesic km from `p` to the closest point of `line`, that point found in
/// an equirectangular frame around `p` (true to well under a metre for edges
/// of a few km).
fn km_to_segment(p: Point<f64>, line: Line<f64>) -> f64 {
    let k = p.y().to_radians().cos();
    let (ax, ay) = ((line.start.x - p.x()) * k, line.start.y - p.y());
    let (dx, dy) = ((line.end.x - line.start.x) * k, line.end.y - line.start.y);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (-(ax * dx + ay * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let closest = Point::new(
        line.start.x + t * (line.end.x - line.start.x),
        line.start.y + t * (line.end.y - line.start.y),
    );
    Geodesic.distance(p, closest) / 1000.0
}

/// Edges of every ring of a (multi)polygon.
fn ring_edges(shape: &geo::MultiPolygon<f64>) -> impl Iterator<Item = Line<f64>> + '_ {
    shape
        .0
        .iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .flat_map(|r| r.lines())
}

/// The nearest ground of `snapshot` held by a controller other than
/// `holder`, from the snapshot's edge tree ([`EdgeTree::of_zones`]).
pub(crate) fn nearest_other(
    tree: &EdgeTree,
    snapshot: &Snapshot,
    point: Point<f64>,
    holder: Option<&str>,
) -> Option<Nearby> {
    let zones = &snapshot.zones;
    let (zone, km) = tree.nearest(point, |z| {
        Some(zones[z as usize].controller.as_str()) != holder
    })?;
    Some(Nearby {
        id: zones[zone as usize].controller.clone(),
        km,
    })
}

/// The nearest of `routes` in force on `date`, from their edge tree
/// ([`EdgeTree::of_routes`]).
pub(crate) fn nearest_route(
    tree: &EdgeTree,
    routes: &[Route],
    date: NaiveDate,
    point: Point<f64>,
) -> Option<Nearby> {
    let (route, km) = tree.nearest(point, |r| routes[r as usize].validity.contains(date))?;
    Some(Nearby {
        id: routes[route as usize].id.clone(),
        km,
    })
}

impl EdgeTree {
    pub(crate) fn of_zones(snapshot: &Snapshot) -> EdgeTree {
        EdgeTree::new(
            snapshot
                .zones
                .iter()
                .enumerate()
                .flat_map(|(z, zone)| ring_edges(&zone.shape).map(move |l| (l, z as u32))),
        )
    }

    pub(crate) fn of_routes(routes: &[Route]) -> EdgeTree {
        EdgeTree::new(
            routes
                .iter()
                .enumerate()
                .flat_map(|(r, route)| route.line.lines().map(move |l| (l, r as u32))),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_are_geodesic_and_the_search_finds_the_nearest() {
        // Two north-south edges 0.1° and 0.3° of longitude east of the point.
        let edges = [
            (
                Line::new(Coord { x: 46.3, y: 39.0 }, Coord { x: 46.3, y: 41.0 }),
                1,
            ),
            (
                Line::new(Coord { x: 46.1, y: 39.0 }, Coord { x: 46.1, y: 41.0 }),
                0,
            ),
        ];
        let tree = EdgeTree::new(edges);
        let p = Point::new(46.0, 40.0);
        let (tag, km) = tree.nearest(p, |_| true).unwrap();
        assert_eq!(tag, 0);
        // 0.1° of longitude at 40° N on WGS 84: 8.53 km.
        assert!((km - 8.53).abs() < 0.01, "{km}");
        let (tag, km) = tree.nearest(p, |t| t == 1).unwrap();
        assert_eq!(tag, 1);
        assert!((km - 25.60).abs() < 0.02, "{km}");
        assert!(tree.nearest(p, |_| false).is_none());
    }
}
