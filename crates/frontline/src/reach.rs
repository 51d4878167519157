//! Reachability over the road graph: can a traveller of one side get from
//! place A to place B on a date, through ground that side may cross (its
//! own, its allies', and the strips of open corridors), on routes that are
//! open? If not, why not.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use geo::{Coord, Distance, Geodesic, LineString, Point};
use petgraph::graph::{EdgeIndex, NodeIndex, UnGraph};
use rstar::{primitives::GeomWithData, RTree};

use crate::atlas::{Atlas, View};
use crate::error::{Error, Result};
use crate::geometry::length_km;
use crate::route::{split_valid, RouteStatus};

/// How far (km) a place may be from a road vertex to count as on the road.
pub const PLACE_SNAP_KM: f64 = 1.0;

/// The answer to "can `side` get from `from` to `to` on `date`?".
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Reach {
    /// Start place id.
    pub from: String,
    /// End place id.
    pub to: String,
    /// The date.
    pub date: NaiveDate,
    /// The traveller's side (a controller id).
    pub side: String,
    /// Whether a usable path exists.
    pub reachable: bool,
    /// Its geodesic length, km (`None` when unreachable).
    pub length_km: Option<f64>,
    /// Route ids and places passed, in order (the shortest usable path; when
    /// unreachable, the shortest path ignoring the obstacles).
    pub path: Vec<String>,
    /// Why not (`None` when reachable): the deciding events or zones.
    pub reason: Option<String>,
    /// The path's lines, for maps and GeoJSON.
    #[serde(skip)]
    pub lines: Vec<LineString<f64>>,
}

impl Reach {
    /// The path as an RFC 7946 FeatureCollection of one MultiLineString
    /// feature with `from`, `to`, `date`, `side`, `reachable`, `length_km`,
    /// `path` and `reason` (what `frontline reach --format geojson` prints).
    ///
    /// ```
    /// use frontline::{Atlas, parse_date};
    /// let atlas = Atlas::embedded()?;
    /// let reach = atlas.reach("Goris", "Stepanakert", parse_date("2021-06-01")?, "armenia")?;
    /// let collection = reach.to_geojson();
    /// let properties = collection.features[0].properties.as_ref().unwrap();
    /// assert_eq!(properties["reachable"], true);
    /// assert_eq!(properties["to"], "stepanakert");
    /// # Ok::<(), frontline::Error>(())
    /// ```
    pub fn to_geojson(&self) -> geojson::FeatureCollection {
        let feature = crate::export::feature(
            geo::Geometry::MultiLineString(geo::MultiLineString(self.lines.clone())),
            [
                ("from", self.from.as_str().into()),
                ("to", self.to.as_str().into()),
                ("date", self.date.to_string().into()),
                ("side", self.side.as_str().into()),
                ("reachable", self.reachable.into()),
                ("length_km", self.length_km.into()),
                ("path", self.path.clone().into()),
                ("reason", self.reason.clone().into()),
            ],
        );
        geojson::FeatureCollection {
            bbox: None,
            features: vec![feature],
            foreign_members: None,
        }
    }
}

struct Edge {
    route: String,
    line: LineString<f64>,
    km: f64,
}

/// The road graph: route vertices that are route ends or bundled places are
/// nodes; the stretches of road between them are edges.
struct Graph {
    graph: UnGraph<Coord<f64>, Edge>,
    places: BTreeMap<String, NodeIndex>,
}

fn key(c: Coord<f64>) -> (i64, i64) {
    ((c.x * 1e6).round() as i64, (c.y * 1e6).round() as i64)
}

fn build(atlas: &Atlas) -> Graph {
    // Road vertices in an R-tree, to find which places lie on which roads.
    let vertices: Vec<GeomWithData<[f64; 2], (usize, usize)>> = atlas
        .routes()
        .iter()
        .enumerate()
        .flat_map(|(r, route)| {
            route
                .line
                .0
                .iter()
                .enumerate()
                .map(move |(i, c)| GeomWithData::new([c.x, c.y], (r, i)))
        })
        .collect();
    let tree = RTree::bulk_load(vertices);
    // Ordered maps: which vertex a place takes, and the order suggestions
    // come in, are the same on every run.
    let mut node_vertices: BTreeMap<(usize, usize), String> = BTreeMap::new();
    for place in atlas.places() {
        let p = [place.point.x(), place.point.y()];
        for candidate in tree.nearest_neighbor_iter(&p).take(8) {
            let c = candidate.geom();
            if Geodesic.distance(Point::new(c[0], c[1]), place.point) / 1000.0 <= PLACE_SNAP_KM {
                node_vertices
                    .entry(candidate.data)
                    .or_insert_with(|| place.id.clone());
            }
        }
    }
    // Where one route ends on another's vertex (a junction), the other is
    // split there too, so the two connect.
    let ends: std::collections::HashSet<(i64, i64)> = atlas
        .routes()
        .iter()
        .flat_map(|r| r.line.0.first().into_iter().chain(r.line.0.last()))
        .map(|c| key(*c))
        .collect();
    let mut graph = UnGraph::new_undirected();
    let mut nodes: HashMap<(i64, i64), NodeIndex> = HashMap::new();
    let mut node = |graph: &mut UnGraph<Coord<f64>, Edge>, c: Coord<f64>| {
        *nodes.entry(key(c)).or_insert_with(|| graph.add_node(c))
    };
    let mut places = BTreeMap::new();
    for (r, route) in atlas.routes().iter().enumerate() {
        let coords = &route.line.0;
        if coords.len() < 2 {
            continue;
        }
        let mut start = 0;
        for i in 1..coords.len() {
            let is_node = i == coords.len() - 1
                || node_vertices.contains_key(&(r, i))
                || ends.contains(&key(coords[i]));
            if is_node {
                let line = LineString(coords[start..=i].to_vec());
                let (a, b) = (node(&mut graph, coords[start]), node(&mut graph, coords[i]));
                graph.add_edge(
                    a,
                    b,
                    Edge {
                        route: route.id.clone(),
                        km: length_km(&line),
                        line,
                    },
                );
                start = i;
            }
        }
        for (&(route_index, i), place) in &node_vertices {
            if route_index == r {
                places
                    .entry(place.clone())
                    .or_insert_with(|| node(&mut graph, coords[i]));
            }
        }
    }
    Graph { graph, places }
}

/// Why an edge cannot be used by `side` on this view's date, if it cannot.
fn obstacle(
    atlas: &Atlas,
    view: &View<'_>,
    edge: &Edge,
    side: &str,
    allies: &[String],
) -> Option<String> {
    let route = atlas.route(&edge.route).ok()?;
    let (status, events) = atlas.route_status(route, view.date);
    let names = || {
        events
            .iter()
            .map(|e| e.id.clone())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match status {
        RouteStatus::Gone => {
            return Some(format!(
                "{} is gone on {}{}",
                route.id,
                view.date,
                if events.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", names())
                }
            ))
        }
        RouteStatus::Closed | RouteStatus::Blockaded => {
            return Some(format!(
                "{} is {} ({})",
                route.id,
                if status == RouteStatus::Closed {
                    "closed"
                } else {
                    "blockaded"
                },
                if events.is_empty() {
                    "not yet in use".to_owned()
                } else {
                    names()
                }
            ))
        }
        RouteStatus::Checkpoint => {
            // A checkpoint lets through only the side that holds it.
            let holders: Vec<Option<&str>> = events
                .iter()
                .filter_map(|e| e.location)
                .map(|p| view.holder_exact(p))
                .collect();
            if !holders.iter().all(|h| *h == Some(side)) {
                return Some(format!("{} is behind a checkpoint ({})", route.id, names()));
            }
        }
        RouteStatus::Open => {}
    }
    let corridor_open = route.corridor.as_ref();
    let mut foreign: Vec<(String, f64)> = Vec::new();
    for segment in split_valid(view, &edge.line) {
        let Some(holder) = &segment.controller else {
            continue;
        };
        let crossable = holder == side
            || allies.contains(holder)
            || corridor_open.is_some_and(|c| segment.overlays.contains(c));
        if !crossable {
            match foreign.iter_mut().find(|(h, _)| h == holder) {
                Some((_, km)) => *km += segment.length_km,
                None => foreign.push((holder.clone(), segment.length_km)),
            }
        }
    }
    let significant: Vec<String> = foreign
        .iter()
        .filter(|(_, km)| *km > 0.05)
        .map(|(h, km)| format!("{km:.1} km held by {h}"))
        .collect();
    (!significant.is_empty()).then(|| {
        format!(
            "{} crosses ground {side} may not cross: {}",
            route.id,
            significant.join(", ")
        )
    })
}

impl Atlas {
    /// Can a traveller of `side` get from place `from` to place `to` on `date`?
    ///
    /// ```
    /// use frontline::{Atlas, parse_date};
    /// let atlas = Atlas::embedded()?;
    /// let open = atlas.reach("Goris", "Stepanakert", parse_date("2021-06-01")?, "armenia")?;
    /// assert!(open.reachable && open.path.contains(&"lachin-road-2020".to_owned()));
    /// let shut = atlas.reach("Goris", "Stepanakert", parse_date("2023-01-15")?, "armenia")?;
    /// assert!(!shut.reachable && shut.reason.unwrap().contains("blockade-2022"));
    /// # Ok::<(), frontline::Error>(())
    /// ```
    pub fn reach(&self, from: &str, to: &str, date: NaiveDate, side: &str) -> Result<Reach> {
        // An id or a display name; the id from here on.
        let side_controller = self.controller(side)?;
        let side = side_controller.id.as_str();
        let (a, b) = (self.place(from)?, self.place(to)?);
        let view = self.at(date)?;
        let graph = build(self);
        let mut answer = Reach {
            from: a.id.clone(),
            to: b.id.clone(),
            date,
            side: side.to_owned(),
            reachable: false,
            length_km: None,
            path: Vec::new(),
            reason: None,
            lines: Vec::new(),
        };
        let not_on_road = |p: &str| Error::UnknownId {
            kind: "place on the road graph",
            id: p.to_owned(),
            suggestions: graph.places.keys().cloned().collect(),
        };
        let start = *graph.places.get(&a.id).ok_or_else(|| not_on_road(&a.id))?;
        let goal = *graph.places.get(&b.id).ok_or_else(|| not_on_road(&b.id))?;
        let mut held: Vec<String> = Vec::new();
        for place in [a, b] {
            let holder = view.holder_exact(place.point);
            if let Some(holder) =
                holder.filter(|h| *h != side && !side_controller.allies.iter().any(|a| a == h))
            {
                held.push(format!("{} is held by {holder} on {date}", place.name));
            }
        }
        let obstacles: HashMap<EdgeIndex, Option<String>> = graph
            .graph
            .edge_indices()
            .map(|e| {
                (
                    e,
                    obstacle(self, &view, &graph.graph[e], side, &side_controller.allies),
                )
            })
            .collect();
        let usable = |e: EdgeIndex| obstacles[&e].is_none();
        let path = shortest(&graph, start, goal, usable)
            .or_else(|| shortest(&graph, start, goal, |_| true));
        let Some((edges, km)) = path else {
            held.push(format!("no road connects {} and {}", a.name, b.name));
            answer.reason = Some(held.join("; "));
            return Ok(answer);
        };
        let mut blocking: Vec<String> = held;
        blocking.extend(edges.iter().filter_map(|e| obstacles[e].clone()));
        blocking.dedup();
        answer.path = describe(self, &graph, start, &edges);
        answer.lines = edges.iter().map(|e| graph.graph[*e].line.clone()).collect();
        if blocking.is_empty() {
            answer.reachable = true;
            answer.length_km = Some(km);
        } else {
            answer.reason = Some(blocking.join("; "));
        }
        Ok(answer)
    }
}

/// Dijkstra over the usable edges; the edges of the shortest path and its km.
fn shortest(
    graph: &Graph,
    start: NodeIndex,
    goal: NodeIndex,
    usable: impl Fn(EdgeIndex) -> bool,
) -> Option<(Vec<EdgeIndex>, f64)> {
    use petgraph::visit::EdgeRef;
    let g = &graph.graph;
    let mut best: HashMap<NodeIndex, (f64, Option<EdgeIndex>)> =
        HashMap::from([(start, (0.0, None))]);
    let mut queue = std::collections::BinaryHeap::new();
    queue.push(std::cmp::Reverse((ordered(0.0), start)));
    while let Some(std::cmp::Reverse((d, n))) = queue.pop() {
        let d = d.0;
        if n == goal {
            break;
        }
        if best.get(&n).is_some_and(|(b, _)| *b < d) {
            continue;
        }
        for e in g.edges(n).filter(|e| usable(e.id())) {
            let next = if e.source() == n {
                e.target()
            } else {
                e.source()
            };
            let nd = d + e.weight().km;
            if best.get(&next).is_none_or(|(b, _)| nd < *b) {
                best.insert(next, (nd, Some(e.id())));
                queue.push(std::cmp::Reverse((ordered(nd), next)));
            }
        }
    }
    let (km, _) = *best.get(&goal)?;
    let mut edges = Vec::new();
    let mut n = goal;
    while let Some((_, Some(e))) = best.get(&n) {
        edges.push(*e);
        let (a, b) = g.edge_endpoints(*e)?;
        n = if a == n { b } else { a };
    }
    edges.reverse();
    Some((edges, km))
}

/// f64 with a total order, for the priority queue.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Ordered(f64);
impl Eq for Ordered {}
impl PartialOrd for Ordered {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Ordered {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}
fn ordered(v: f64) -> Ordered {
    Ordered(v)
}

/// Route ids and the places at the nodes passed, in travel order.
fn describe(atlas: &Atlas, graph: &Graph, start: NodeIndex, edges: &[EdgeIndex]) -> Vec<String> {
    let place_at: HashMap<NodeIndex, &str> =
        graph.places.iter().map(|(p, n)| (*n, p.as_str())).collect();
    let name = |n: NodeIndex| {
        place_at.get(&n).map(|id| {
            atlas
                .place(id)
                .map(|p| p.name.clone())
                .unwrap_or_else(|_| id.to_string())
        })
    };
    let mut path: Vec<String> = name(start).into_iter().collect();
    let mut n = start;
    for e in edges {
        let route = graph.graph[*e].route.clone();
        if path.last() != Some(&route) {
            path.push(route);
        }
        let (a, b) = graph
            .graph
            .edge_endpoints(*e)
            .expect("edges of the graph have ends");
        n = if a == n { b } else { a };
        if let Some(place) = name(n) {
            path.push(place);
        }
    }
    path
}
