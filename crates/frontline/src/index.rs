//! Fast point location: a uniform grid over a snapshot's zones. A cell that
//! no zone edge crosses answers with no test at all; a cell crossed by edges
//! keeps only those edges and the zones containing its centre, and a query
//! there counts the crossings between the centre and the point. Points
//! exactly on an edge (and the rare query the grid cannot decide) fall back to
//! the exact [`crate::View::locate`] rule: the first controller in manifest
//! order whose zone covers the point.

use geo::{BoundingRect, Coord, Line, Point};
use rayon::prelude::*;

use crate::atlas::View;

/// What a cell knows.
#[derive(Debug, Clone, Copy)]
enum Cell {
    /// No zone edge crosses it: this controller (index) or none holds all of it.
    Whole(Option<u16>),
    /// Edges `edges[start..end]` cross it; `inside` has bit `z` set when zone
    /// `z` contains the cell centre.
    Mixed { start: u32, end: u32, inside: u64 },
}

/// A point-location index over the zones of one view.
///
/// ```
/// use frontline::{Atlas, parse_date, index::LocateIndex};
/// let atlas = Atlas::embedded()?;
/// let view = atlas.at(parse_date("2021-06-01")?)?;
/// let index = LocateIndex::new(&view);
/// assert_eq!(index.controller(46.7528, 39.8177), Some("nkr"));   // Stepanakert
/// assert_eq!(index.controller(46.3382, 39.5129), Some("armenia")); // Goris
/// assert_eq!(index.controller(0.0, 0.0), None);
/// # Ok::<(), frontline::Error>(())
/// ```
pub struct LocateIndex<'a> {
    view: &'a View<'a>,
    /// Controller ids of the zones, in manifest order (bit / index order).
    zones: Vec<&'a str>,
    origin: Coord<f64>,
    cell: Coord<f64>,
    nx: usize,
    ny: usize,
    cells: Vec<Cell>,
    edges: Vec<(Line<f64>, u16)>,
}

impl<'a> LocateIndex<'a> {
    /// Builds the index (a few tens of ms for the bundled snapshots).
    pub fn new(view: &'a View<'a>) -> Self {
        let zones: Vec<&crate::Zone> = view
            .atlas
            .controllers()
            .iter()
            .filter_map(|c| view.snapshot.zone(&c.id))
            .take(64)
            .collect();
        let mut edges: Vec<(Line<f64>, u16)> = Vec::new();
        for (z, zone) in zones.iter().enumerate() {
            for polygon in &zone.shape.0 {
                for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
                    edges.extend(
                        ring.lines()
                            .filter(|l| l.start != l.end)
                            .map(|l| (l, z as u16)),
                    );
                }
            }
        }
        let (mut min, mut max) = (
            Coord {
                x: f64::MAX,
                y: f64::MAX,
            },
            Coord {
                x: f64::MIN,
                y: f64::MIN,
            },
        );
        for zone in &zones {
            if let Some(r) = zone.shape.bounding_rect() {
                min = Coord {
                    x: min.x.min(r.min().x),
                    y: min.y.min(r.min().y),
                };
                max = Coord {
                    x: max.x.max(r.max().x),
                    y: max.y.max(r.max().y),
                };
            }
        }
        if edges.is_empty() {
            return LocateIndex {
                view,
                zones: Vec::new(),
                origin: Coord { x: 0.0, y: 0.0 },
                cell: Coord { x: 1.0, y: 1.0 },
                nx: 0,
                ny: 0,
                cells: Vec::new(),
                edges,
            };
        }
        // About 64 cells per edge: most cells hold no edge, and those that do
        // hold one or two (measured: twice the throughput of four edges a cell).
        let side = ((edges.len() as f64 * 64.0).sqrt().ceil() as usize).clamp(16, 2048);
        let (nx, ny) = (side, side);
        let cell = Coord {
            x: (max.x - min.x) / nx as f64 * (1.0 + 1e-9),
            y: (max.y - min.y) / ny as f64 * (1.0 + 1e-9),
        };
        let origin = min;

        // Edges into the cells their bounding boxes touch (edges are short).
        let mut per_cell: Vec<Vec<u32>> = vec![Vec::new(); nx * ny];
        for (i, (line, _)) in edges.iter().enumerate() {
            let (x0, x1) = (line.start.x.min(line.end.x), line.start.x.max(line.end.x));
            let (y0, y1) = (line.start.y.min(line.end.y), line.start.y.max(line.end.y));
            let cx = |x: f64| (((x - origin.x) / cell.x) as usize).min(nx - 1);
            let cy = |y: f64| (((y - origin.y) / cell.y) as usize).min(ny - 1);
            for gy in cy(y0)..=cy(y1) {
                for gx in cx(x0)..=cx(x1) {
                    if segment_meets_cell(
                        line,
                        origin.x + gx as f64 * cell.x,
                        origin.y + gy as f64 * cell.y,
                        cell,
                    ) {
                        per_cell[gy * nx + gx].push(i as u32);
                    }
                }
            }
        }
        // Which zones contain each cell centre: one scanline per row.
        let mut cells = Vec::with_capacity(nx * ny);
        let mut flat: Vec<(Line<f64>, u16)> = Vec::new();
        for gy in 0..ny {
            let y = origin.y + (gy as f64 + 0.5) * cell.y;
            let mut crossings: Vec<(f64, u16)> = edges
                .iter()
                .filter(|(l, _)| (l.start.y > y) != (l.end.y > y))
                .map(|(l, z)| {
                    (
                        l.start.x + (y - l.start.y) / (l.end.y - l.start.y) * (l.end.x - l.start.x),
                        *z,
                    )
                })
                .collect();
            crossings.sort_by(|a, b| a.0.total_cmp(&b.0));
            let mut inside: u64 = 0;
            let mut next = 0;
            for gx in 0..nx {
                let x = origin.x + (gx as f64 + 0.5) * cell.x;
                while next < crossings.len() && crossings[next].0 < x {
                    inside ^= 1 << crossings[next].1;
                    next += 1;
                }
                let list = &per_cell[gy * nx + gx];
                if list.is_empty() {
                    let first = (inside != 0).then(|| inside.trailing_zeros() as u16);
                    cells.push(Cell::Whole(first));
                } else {
                    let start = flat.len() as u32;
                    flat.extend(list.iter().map(|&i| edges[i as usize]));
                    cells.push(Cell::Mixed {
                        start,
                        end: flat.len() as u32,
                        inside,
                    });
                }
            }
        }
        LocateIndex {
            view,
            zones: zones.iter().map(|z| z.controller.as_str()).collect(),
            origin,
            cell,
            nx,
            ny,
            cells,
            edges: flat,
        }
    }

    /// Index of the zone holding (lon, lat), in manifest order of controllers.
    fn zone_index(&self, lon: f64, lat: f64) -> Option<u16> {
        let (fx, fy) = (
            (lon - self.origin.x) / self.cell.x,
            (lat - self.origin.y) / self.cell.y,
        );
        if !(fx >= 0.0 && fy >= 0.0 && fx < self.nx as f64 && fy < self.ny as f64) {
            return None;
        }
        let (gx, gy) = (fx as usize, fy as usize);
        match self.cells[gy * self.nx + gx] {
            Cell::Whole(zone) => zone,
            Cell::Mixed { start, end, inside } => {
                let centre = Coord {
                    x: self.origin.x + (gx as f64 + 0.5) * self.cell.x,
                    y: self.origin.y + (gy as f64 + 0.5) * self.cell.y,
                };
                let q = Coord { x: lon, y: lat };
                let mut state = inside;
                for (edge, zone) in &self.edges[start as usize..end as usize] {
                    let (o1, o2) = (
                        orient(edge.start, edge.end, centre),
                        orient(edge.start, edge.end, q),
                    );
                    let (o3, o4) = (orient(centre, q, edge.start), orient(centre, q, edge.end));
                    if o2 == 0.0 || o3 == 0.0 || o4 == 0.0 || o1 == 0.0 {
                        return self.exact(lon, lat);
                    }
                    if (o1 > 0.0) != (o2 > 0.0) && (o3 > 0.0) != (o4 > 0.0) {
                        state ^= 1 << zone;
                    }
                }
                (state != 0).then(|| state.trailing_zeros() as u16)
            }
        }
    }

    fn exact(&self, lon: f64, lat: f64) -> Option<u16> {
        let id = self.view.locate(Point::new(lon, lat)).controller?;
        self.zones.iter().position(|z| *z == id).map(|i| i as u16)
    }

    /// The controller holding (lon, lat), or `None` outside every zone.
    pub fn controller(&self, lon: f64, lat: f64) -> Option<&'a str> {
        self.zone_index(lon, lat).map(|z| self.zones[z as usize])
    }

    /// The controller of each (lon, lat), in parallel, into `out` (one slot
    /// per point; no allocation per point).
    pub fn controllers_into(&self, points: &[(f64, f64)], out: &mut [Option<&'a str>]) {
        out.par_iter_mut()
            .zip(points.par_iter())
            .for_each(|(slot, &(lon, lat))| *slot = self.controller(lon, lat));
    }
}

/// Twice the signed area of (a, b, c): > 0 when c is left of a→b.
fn orient(a: Coord<f64>, b: Coord<f64>, c: Coord<f64>) -> f64 {
    (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x)
}

/// Whether a segment meets the closed cell [x0, x0 + w] × [y0, y0 + h]
/// (Liang–Barsky clipping).
fn segment_meets_cell(line: &Line<f64>, x0: f64, y0: f64, cell: Coord<f64>) -> bool {
    let (dx, dy) = (line.end.x - line.start.x, line.end.y - line.start.y);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [
        (-dx, line.start.x - x0),
        (dx, x0 + cell.x - line.start.x),
        (-dy, line.start.y - y0),
        (dy, y0 + cell.y - line.start.y),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return false;
            }
        } else {
            let r = q / p;
            if p < 0.0 {
                t0 = t0.max(r);
            } else {
                t1 = t1.min(r);
            }
            if t0 > t1 {
                return false;
            }
        }
    }
    true
}
