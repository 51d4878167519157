//! The grid itself: which of a list of polygon layers cover a point. It knows
//! nothing of atlases: any list of `MultiPolygon`s will do.

use geo::kernels::{Kernel, Orientation, RobustKernel};
use geo::{BoundingRect, Coord, MultiPolygon, Point, Rect};

use crate::geometry::segments::radix_sort;

/// Layers per grid: a cell's set of covering layers is one `u64`.
const LAYERS_PER_GRID: usize = 64;

/// A crossed cell's entry in [`Grid::sets`] (its set is the crossed
/// record's, found by [`Grid::crossed_at`]).
const CROSSED: u32 = u32::MAX;

/// The code of a cell edges cross, where the grid cannot answer alone; other
/// codes are the first covering layer + 1, or 0 for none.
const SLOW: u8 = 0x80;

/// Points read ahead per pass in batch calls: their cells are all fetched
/// before any is decoded, so the reads overlap.
const LOOKAHEAD: usize = 256;

/// A cell crossed by edges: `edges[start..end]` cross it; bit `l` of
/// `inside` is set when layer `l` contains the cell centre.
#[derive(Debug, Clone, Copy)]
struct Crossed {
    start: u32,
    end: u32,
    inside: u64,
}

/// An edge of layer `layer`.
#[derive(Debug, Clone, Copy)]
struct Edge {
    a: Coord<f64>,
    b: Coord<f64>,
    layer: u8,
    /// In a crossed cell's list: the side of a→b its centre lies on (see
    /// [`side`]).
    centre_side: i8,
}

/// Where a uniform grid's cells lie, and which cell a point falls in.
#[derive(Debug, Clone, Copy)]
pub(super) struct Frame {
    /// The lower left corner of the first cell.
    origin: Coord<f64>,
    /// The centre of the first cell.
    first_centre: Coord<f64>,
    cell: Coord<f64>,
    /// 1 / cell size: a multiplication per query instead of a division.
    scale: Coord<f64>,
    /// Cells in a row, and rows.
    nx: usize,
    ny: usize,
    /// The last cell's column and row.
    last_x: f64,
    last_y: f64,
}

impl Frame {
    /// `span` × `span` cells over `bounds`, and one more on every side: no
    /// edge reaches that ring, so a point beyond the grid, clamped into it,
    /// is rightly covered by nothing.
    pub(super) fn over(bounds: Rect<f64>, span: usize) -> Frame {
        let extent = bounds.width().max(bounds.height()).max(1e-9);
        let cell = Coord {
            x: bounds.width().max(extent * 1e-6) / span as f64 * (1.0 + 1e-9),
            y: bounds.height().max(extent * 1e-6) / span as f64 * (1.0 + 1e-9),
        };
        Frame::with(bounds.min() - cell, cell, (span + 2, span + 2))
    }

    /// One cell of 1 × 1 at (1, 1): the frame of a grid with no edges.
    pub(super) fn single() -> Frame {
        let unit = Coord { x: 1.0, y: 1.0 };
        Frame::with(unit, unit, (1, 1))
    }

    fn with(origin: Coord<f64>, cell: Coord<f64>, (nx, ny): (usize, usize)) -> Frame {
        Frame {
            origin,
            first_centre: Coord {
                x: origin.x + cell.x / 2.0,
                y: origin.y + cell.y / 2.0,
            },
            cell,
            scale: Coord {
                x: 1.0 / cell.x,
                y: 1.0 / cell.y,
            },
            nx,
            ny,
            last_x: nx.saturating_sub(1) as f64,
            last_y: ny.saturating_sub(1) as f64,
        }
    }

    /// The span giving about `per_edge` cells an edge, within 16..=2048.
    pub(super) fn span_for(edges: usize, per_edge: f64) -> usize {
        ((edges as f64 * per_edge).sqrt().ceil() as usize).clamp(16, 2048)
    }

    /// Number of cells.
    pub(super) fn cells(&self) -> usize {
        self.nx * self.ny
    }

    /// Cells in a row.
    pub(super) fn width(&self) -> usize {
        self.nx
    }

    /// The column holding `x`, clamped into the grid.
    fn column(&self, x: f64) -> usize {
        (((x - self.origin.x) * self.scale.x).max(0.0) as usize).min(self.nx - 1)
    }

    /// The row holding `y`, clamped into the grid.
    fn row(&self, y: f64) -> usize {
        (((y - self.origin.y) * self.scale.y).max(0.0) as usize).min(self.ny - 1)
    }

    /// Calls `meets(cell)` for every cell the segment a→b meets, row by row,
    /// each cell widened by a hair so a query rounded into a neighbouring
    /// cell still sees every edge near it. In each row only the columns the
    /// segment spans within the row's band are visited (a long edge across
    /// a fine grid meets a thin line of its box's cells), and those columns
    /// are widened by the same hair again: a cell called that the segment
    /// misses by a rounding only costs its edge list one edge.
    pub(super) fn cells_met(&self, a: Coord<f64>, b: Coord<f64>, mut meets: impl FnMut(usize)) {
        self.cells_met_at(a, b, |gx, gy| meets(gy * self.nx + gx));
    }

    /// [`Frame::cells_met`] by column and row.
    pub(super) fn cells_met_at(
        &self,
        a: Coord<f64>,
        b: Coord<f64>,
        mut meets: impl FnMut(usize, usize),
    ) {
        let pad = Coord {
            x: self.cell.x * 1e-7,
            y: self.cell.y * 1e-7,
        };
        let (x0, x1) = (a.x.min(b.x) - pad.x, a.x.max(b.x) + pad.x);
        let (y0, y1) = (a.y.min(b.y) - pad.y, a.y.max(b.y) + pad.y);
        let (first_row, last_row) = (self.row(y0), self.row(y1));
        let d = b - a;
        for gy in first_row..=last_row {
            let (mut from, mut to) = (x0, x1);
            if first_row != last_row && d.y != 0.0 {
                // Where the segment is within the row's widened band.
                let low = self.origin.y + gy as f64 * self.cell.y - pad.y;
                let high = low + self.cell.y + 2.0 * pad.y;
                let (t_low, t_high) = ((low - a.y) / d.y, (high - a.y) / d.y);
                let t0 = t_low.min(t_high).clamp(0.0, 1.0);
                let t1 = t_low.max(t_high).clamp(0.0, 1.0);
                let (xa, xb) = (a.x + t0 * d.x, a.x + t1 * d.x);
                from = (xa.min(xb) - 2.0 * pad.x).max(x0);
                to = (xa.max(xb) + 2.0 * pad.x).min(x1);
            }
            for gx in self.column(from)..=self.column(to) {
                meets(gx, gy);
            }
        }
    }

    /// The same cells each cut into `by` × `by`: what `cells_met` and
    /// `column_row` of the result say is about the finer cells.
    pub(super) fn refined(&self, by: usize) -> Frame {
        let cell = Coord {
            x: self.cell.x / by as f64,
            y: self.cell.y / by as f64,
        };
        Frame::with(self.origin, cell, (self.nx * by, self.ny * by))
    }

    /// Column and row of the cell [`Frame::cell_of`] gives.
    #[inline(always)]
    pub(super) fn column_row(&self, at: usize) -> (usize, usize) {
        (at % self.nx, at / self.nx)
    }

    /// The cell of (lon, lat), row by row; a point beyond the grid (or NaN)
    /// is clamped into its empty outer ring. Branch-free, so batches of
    /// look-ups overlap.
    ///
    /// The cell is the one whose centre is nearest, found by rounding: adding
    /// 1.5 × 2⁵² leaves the rounded value in the low bits of the float, which
    /// is cheaper than a checked conversion. A point on the border of two cells
    /// may round to either; both see every edge near it (cells are padded by a
    /// hair), so the answer is the same.
    #[inline(always)]
    pub(super) fn cell_of(&self, lon: f64, lat: f64) -> usize {
        let (gx, gy) = self.column_row_of(lon, lat);
        gy * self.nx + gx
    }

    /// Column and row of [`Frame::cell_of`] (lon, lat).
    #[inline(always)]
    pub(super) fn column_row_of(&self, lon: f64, lat: f64) -> (usize, usize) {
        const ROUND: f64 = 6_755_399_441_055_744.0;
        let fx = ((lon - self.first_centre.x) * self.scale.x)
            .max(0.0)
            .min(self.last_x);
        let fy = ((lat - self.first_centre.y) * self.scale.y)
            .max(0.0)
            .min(self.last_y);
        let gx = (fx + ROUND).to_bits() as u32 as usize;
        let gy = (fy + ROUND).to_bits() as u32 as usize;
        (gx, gy)
    }

    /// The centre of cell `at`.
    #[inline(always)]
    pub(super) fn centre(&self, at: usize) -> Coord<f64> {
        let (gx, gy) = (at % self.nx, at / self.nx);
        Coord {
            x: self.first_centre.x + gx as f64 * self.cell.x,
            y: self.first_centre.y + gy as f64 * self.cell.y,
        }
    }
}

/// Which cells of a grid are marked (crossed by edges, say), and each marked
/// cell's rank among them in cell order: records kept for the marked cells
/// alone are found by rank, with no index stored per cell.
#[derive(Debug, Clone, Default)]
pub(super) struct Ranks {
    /// Bit `i % 64` of word `i / 64` set when cell `i` is marked.
    bits: Vec<u64>,
    /// Marked cells before each word of `bits`.
    before: Vec<u32>,
    /// Marked cells in all.
    len: usize,
}

impl Ranks {
    /// The ranks of the cells marked in `bits` (cell `i` at bit `i % 64` of
    /// word `i / 64`).
    pub(super) fn new(bits: Vec<u64>) -> Ranks {
        let mut marked = 0u32;
        let before = bits
            .iter()
            .map(|word| {
                let here = marked;
                marked += word.count_ones();
                here
            })
            .collect();
        Ranks {
            bits,
            before,
            len: marked as usize,
        }
    }

    /// Number of marked cells.
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// Whether cell `at` is marked.
    #[inline(always)]
    pub(super) fn is_marked(&self, at: usize) -> bool {
        self.bits[at / 64] >> (at % 64) & 1 == 1
    }

    /// The marked cells before cell `at`: its rank, when it is marked.
    #[inline(always)]
    pub(super) fn before(&self, at: usize) -> usize {
        let (word, bit) = (at / 64, at % 64);
        (self.before[word] + (self.bits[word] & ((1u64 << bit) - 1)).count_ones()) as usize
    }

    /// The rank of cell `at`, or `None` when it is not marked.
    #[inline(always)]
    pub(super) fn rank(&self, at: usize) -> Option<usize> {
        self.is_marked(at).then(|| self.before(at))
    }
}

/// One grid over up to 64 layers.
#[derive(Debug, Clone)]
struct Grid {
    frame: Frame,
    /// Per cell, row by row: its code (see [`SLOW`]). One byte a cell keeps
    /// the hot path in cache.
    codes: Vec<u8>,
    /// Per cell: an index into `whole`, or [`CROSSED`]. Empty when no set
    /// of `whole` holds more than one layer (layers that partition, such as
    /// zones): the code is the set then, and the grid a quarter the size.
    sets: Vec<u32>,
    /// The crossed cells: a cell's record in `crossed` is its rank.
    crossed_cells: Ranks,
    /// The distinct covering sets of cells no edge crosses.
    whole: Vec<u64>,
    crossed: Vec<Crossed>,
    edges: Vec<Edge>,
    /// The layers themselves, for the exact fallback.
    layers: Vec<MultiPolygon<f64>>,
}

/// Which of a list of polygon layers cover a point, answered from a grid.
///
/// Layers may overlap (overlays) or partition a region (zones, rayons); any
/// number of them is fine (grids hold 64 layers each).
///
/// ```
/// use frontline::index::CoverIndex;
/// use frontline::geo::{polygon, MultiPolygon};
/// let west: MultiPolygon<f64> = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)].into();
/// let east: MultiPolygon<f64> = polygon![(x: 1.0, y: 0.0), (x: 2.0, y: 0.0), (x: 2.0, y: 1.0), (x: 1.0, y: 1.0)].into();
/// let index = CoverIndex::new([&west, &east]);
/// assert_eq!(index.first(0.5, 0.5), Some(0));
/// assert_eq!(index.first(1.5, 0.5), Some(1));
/// // On the shared edge both cover it; the first listed comes first.
/// assert_eq!(index.covering(1.0, 0.5).collect::<Vec<_>>(), [0, 1]);
/// assert_eq!(index.first(3.0, 0.5), None);
/// ```
#[derive(Debug, Clone)]
pub struct CoverIndex {
    grids: Vec<Grid>,
    len: usize,
}

impl CoverIndex {
    /// Builds the grids (a few ms for the bundled layers).
    pub fn new<'s>(layers: impl IntoIterator<Item = &'s MultiPolygon<f64>>) -> CoverIndex {
        let layers: Vec<&MultiPolygon<f64>> = layers.into_iter().collect();
        CoverIndex {
            len: layers.len(),
            grids: layers.chunks(LAYERS_PER_GRID).map(Grid::new).collect(),
        }
    }

    /// Number of layers.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no layers.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The first layer (in the order given) covering (lon, lat).
    #[inline]
    pub fn first(&self, lon: f64, lat: f64) -> Option<usize> {
        if let [grid] = self.grids.as_slice() {
            return grid.first(lon, lat);
        }
        self.grids.iter().enumerate().find_map(|(g, grid)| {
            let mask = grid.mask(lon, lat);
            (mask != 0).then(|| g * LAYERS_PER_GRID + mask.trailing_zeros() as usize)
        })
    }

    /// [`CoverIndex::first`] of each point, in order, on the calling thread
    /// (see [`super::LocateIndex::controllers_into`] for the parallel call).
    ///
    /// ```
    /// use frontline::index::CoverIndex;
    /// use frontline::geo::{polygon, MultiPolygon};
    /// let square: MultiPolygon<f64> = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)].into();
    /// let index = CoverIndex::new([&square]);
    /// let mut out = [None; 3];
    /// index.first_into(&[(0.5, 0.5), (2.0, 0.5), (1.0, 1.0)], &mut out)?;
    /// assert_eq!(out, [Some(0), None, Some(0)]);
    /// assert!(index.first_into(&[(0.5, 0.5)], &mut out).is_err());
    /// # Ok::<(), frontline::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::BatchLength`] when `out` and `points` differ in length
    /// (nothing is written then).
    pub fn first_into(
        &self,
        points: &[(f64, f64)],
        out: &mut [Option<usize>],
    ) -> crate::error::Result<()> {
        super::same_length(points.len(), out.len())?;
        self.codes_each(points, |i, code| out[i] = code.checked_sub(1));
        Ok(())
    }

    /// Calls `emit(i, code)` for each point, where `code` is its first
    /// covering layer + 1, or 0 for none. For one grid a pass reads the codes
    /// of [`LOOKAHEAD`] points, then a second resolves the few that need
    /// edges, so the cell reads overlap instead of waiting on each other.
    #[inline(always)]
    pub(crate) fn codes_each(&self, points: &[(f64, f64)], mut emit: impl FnMut(usize, usize)) {
        let [grid] = self.grids.as_slice() else {
            for (i, &(lon, lat)) in points.iter().enumerate() {
                emit(i, self.first(lon, lat).map_or(0, |l| l + 1));
            }
            return;
        };
        let mut codes = [0u8; LOOKAHEAD];
        for (c, chunk) in points.chunks(LOOKAHEAD).enumerate() {
            for (code, &(lon, lat)) in codes.iter_mut().zip(chunk) {
                *code = grid.codes[grid.cell_of(lon, lat)];
            }
            for (j, (&code, &(lon, lat))) in codes.iter().zip(chunk).enumerate() {
                emit(c * LOOKAHEAD + j, grid.resolve(code, lon, lat) as usize);
            }
        }
    }

    /// The cells a query of (lon, lat) reads first, one in every grid: its
    /// code into `codes`, or with `whole_sets` its set into `sets`. A batch
    /// gathers them for a few points and reads them all in one tight loop
    /// before answering, so that their cache misses overlap instead of
    /// queueing one behind the other.
    #[inline(always)]
    pub(crate) fn cells_ahead<'s>(
        &'s self,
        lon: f64,
        lat: f64,
        whole_sets: bool,
        codes: &mut Vec<&'s u8>,
        sets: &mut Vec<&'s u32>,
    ) {
        for grid in &self.grids {
            let at = grid.cell_of(lon, lat);
            if whole_sets && !grid.sets.is_empty() {
                sets.push(&grid.sets[at]);
            } else {
                codes.push(&grid.codes[at]);
            }
        }
    }

    /// Every layer covering (lon, lat), in the order given.
    pub fn covering(&self, lon: f64, lat: f64) -> impl Iterator<Item = usize> + '_ {
        self.grids.iter().enumerate().flat_map(move |(g, grid)| {
            super::bits(grid.mask(lon, lat)).map(move |bit| g * LAYERS_PER_GRID + bit)
        })
    }
}

impl Grid {
    fn new(layers: &[&MultiPolygon<f64>]) -> Grid {
        let mut edges: Vec<Edge> = Vec::new();
        for (l, layer) in layers.iter().enumerate() {
            for polygon in &layer.0 {
                for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
                    edges.extend(ring.lines().filter(|e| e.start != e.end).map(|e| Edge {
                        a: e.start,
                        b: e.end,
                        layer: l as u8,
                        centre_side: 0,
                    }));
                }
            }
        }
        let owned = layers.iter().map(|&l| l.clone()).collect();
        let corners: Vec<Coord<f64>> = edges.iter().flat_map(|e| [e.a, e.b]).collect();
        let Some(bounds) = geo::LineString(corners).bounding_rect() else {
            // No edges: one empty cell answers everything.
            return Grid::assemble(
                Frame::single(),
                (vec![0], vec![]),
                vec![0],
                vec![],
                vec![],
                owned,
            );
        };
        // About 32 cells per edge: most cells hold no edge, and those that do
        // hold one or two. Measured on the bundled snapshots: twice the
        // batch throughput of four edges a cell; 64 answers no faster
        // (`classify` and the dated SQL count alike, within the spread) but
        // takes a fifth more time to build and more memory, which rows of
        // many dates pay for every snapshot; 256 costs classify 45% more.
        let frame = Frame::over(bounds, Frame::span_for(edges.len(), 32.0));
        let Frame {
            origin,
            cell,
            scale,
            nx,
            ny,
            ..
        } = frame;
        // (cell, edge) for every cell an edge meets, in cell order: the
        // cells are visited row by row below. A list per cell would be
        // millions of empty vectors on a fine grid.
        let mut in_cells: Vec<u64> = Vec::new();
        for (i, e) in edges.iter().enumerate() {
            frame.cells_met(e.a, e.b, |at| in_cells.push((at as u64) << 32 | i as u64));
        }
        sort_by_key(&mut in_cells, frame.cells());
        // The rows whose centre line each edge may cross (one more either
        // side for rounding; the exact test is made on the row's own sum).
        let row_y = |gy: usize| (origin.y + cell.y / 2.0) + gy as f64 * cell.y;
        let mut in_rows: Vec<u64> = Vec::new();
        for (i, e) in edges.iter().enumerate() {
            let first = frame.row(e.a.y.min(e.b.y)).saturating_sub(1);
            let last = (frame.row(e.a.y.max(e.b.y)) + 1).min(ny - 1);
            for gy in first..=last {
                let y = row_y(gy);
                if (e.a.y > y) != (e.b.y > y) {
                    in_rows.push((gy as u64) << 32 | i as u64);
                }
            }
        }
        sort_by_key(&mut in_rows, ny);

        // Which layers contain each cell centre: one scanline per row. Cells
        // no edge crosses come in runs that share a set between two events
        // (a crossing of the centre line, a crossed cell), filled at once.
        let mut codes = Vec::with_capacity(nx * ny);
        // Filled only once a set of more than one layer turns up.
        let mut cells: Vec<u32> = Vec::new();
        let mut overlapping = false;
        let mut whole: Vec<u64> = Vec::new();
        let mut crossed: Vec<Crossed> = Vec::new();
        let mut flat: Vec<Edge> = Vec::new();
        let (mut next_cell, mut next_row) = (0, 0);
        let mut crossings: Vec<(f64, u8)> = Vec::new();
        let mut list: Vec<u32> = Vec::new();
        let (mut last_set, mut last_at): (Option<u64>, u32) = (None, 0);
        let centre_x = |gx: usize| (origin.x + cell.x / 2.0) + gx as f64 * cell.x;
        // The first column whose centre lies right of `x`: the column where
        // the scanline has passed a crossing at `x`.
        let first_right_of = |x: f64| {
            let mut gx = ((x - (origin.x + cell.x / 2.0)) * scale.x).floor().max(0.0) as usize;
            gx = gx.min(nx);
            while gx > 0 && x < centre_x(gx - 1) {
                gx -= 1;
            }
            while gx < nx && x >= centre_x(gx) {
                gx += 1;
            }
            gx
        };
        for gy in 0..ny {
            // The very sums `mask_crossed` uses for the centre.
            let y = row_y(gy);
            crossings.clear();
            while next_row < in_rows.len() && (in_rows[next_row] >> 32) as usize == gy {
                let e = &edges[in_rows[next_row] as u32 as usize];
                crossings.push((
                    e.a.x + (y - e.a.y) / (e.b.y - e.a.y) * (e.b.x - e.a.x),
                    e.layer,
                ));
                next_row += 1;
            }
            crossings.sort_by(|a, b| a.0.total_cmp(&b.0));
            let row_start = gy * nx;
            let mut inside: u64 = 0;
            let mut next = 0;
            let mut gx = 0;
            while gx < nx {
                let x = centre_x(gx);
                while next < crossings.len() && crossings[next].0 < x {
                    inside ^= 1 << crossings[next].1;
                    next += 1;
                }
                let here = (row_start + gx) as u32;
                list.clear();
                while next_cell < in_cells.len() && (in_cells[next_cell] >> 32) as u32 == here {
                    list.push(in_cells[next_cell] as u32);
                    next_cell += 1;
                }
                if list.is_empty() {
                    // The run up to the next crossed cell or crossing.
                    let next_crossed = match in_cells.get(next_cell).map(|&e| (e >> 32) as usize) {
                        Some(at) if at < row_start + nx => at - row_start,
                        _ => nx,
                    };
                    let next_crossing = crossings.get(next).map_or(nx, |c| first_right_of(c.0));
                    let end = next_crossed.min(next_crossing).clamp(gx + 1, nx);
                    // Runs of cells share a set: look it up when it changes.
                    if last_set != Some(inside) {
                        last_at = match whole.iter().position(|&m| m == inside) {
                            Some(at) => at,
                            None => {
                                whole.push(inside);
                                if inside.count_ones() > 1 && !overlapping {
                                    overlapping = true;
                                    cells = sets_of_codes(&codes, &whole, nx * ny);
                                }
                                whole.len() - 1
                            }
                        } as u32;
                        last_set = Some(inside);
                    }
                    if overlapping {
                        cells.extend(std::iter::repeat_n(last_at, end - gx));
                    }
                    codes.extend(std::iter::repeat_n(first_code(inside), end - gx));
                    gx = end;
                } else {
                    let centre = Coord { x, y };
                    let start = flat.len() as u32;
                    flat.extend(list.iter().map(|&i| Edge {
                        centre_side: side(edges[i as usize].a, edges[i as usize].b, centre),
                        ..edges[i as usize]
                    }));
                    // The scanline's crossings are rounded: an edge a hair from
                    // the centre could be put on the wrong side of it, so then
                    // the centre's layers come from the exact rule.
                    let tolerance = 1e-9 * (x.abs() + y.abs() + cell.x + cell.y);
                    // Squared on both sides: `hypot` is dear, and the margin
                    // needs no such care.
                    let near = list.iter().any(|&i| {
                        let e = &edges[i as usize];
                        let (o, d) = (orient(e.a, e.b, centre), e.b - e.a);
                        o * o <= tolerance * tolerance * (d.x * d.x + d.y * d.y)
                    });
                    let inside = if near {
                        covering_set(layers, centre)
                    } else {
                        inside
                    };
                    if overlapping {
                        cells.push(CROSSED);
                    }
                    codes.push(SLOW);
                    crossed.push(Crossed {
                        start,
                        end: flat.len() as u32,
                        inside,
                    });
                    gx += 1;
                }
            }
        }
        Grid::assemble(frame, (codes, cells), whole, crossed, flat, owned)
    }

    /// A grid from its parts: adds the derived sizes.
    #[allow(clippy::too_many_arguments)] // one private constructor
    fn assemble(
        frame: Frame,
        (codes, cells): (Vec<u8>, Vec<u32>),
        whole: Vec<u64>,
        crossed: Vec<Crossed>,
        edges: Vec<Edge>,
        layers: Vec<MultiPolygon<f64>>,
    ) -> Grid {
        let mut crossed_bits = Vec::with_capacity(codes.len().div_ceil(64));
        for word in codes.chunks(64) {
            // Eight cells at a time: only `SLOW` has the high bit set, and one
            // multiplication gathers the eight high bits into a byte.
            let mut bits = 0u64;
            for (k, eight) in word.chunks(8).enumerate() {
                let mut bytes = [0u8; 8];
                bytes[..eight.len()].copy_from_slice(eight);
                let high = (u64::from_le_bytes(bytes) & 0x8080_8080_8080_8080) >> 7;
                bits |= (high.wrapping_mul(0x0102_0408_1020_4080) >> 56) << (8 * k);
            }
            crossed_bits.push(bits);
        }
        let crossed_cells = Ranks::new(crossed_bits);
        debug_assert_eq!(crossed_cells.len(), crossed.len());
        Grid {
            frame,
            codes,
            sets: cells,
            crossed_cells,
            whole,
            crossed,
            edges,
            layers,
        }
    }

    #[inline(always)]
    fn cell_of(&self, lon: f64, lat: f64) -> usize {
        self.frame.cell_of(lon, lat)
    }

    /// The first covering layer, read off the cell where no edge crosses it.
    #[inline(always)]
    fn first(&self, lon: f64, lat: f64) -> Option<usize> {
        (self.code(lon, lat) as usize).checked_sub(1)
    }

    /// The first covering layer + 1 (0 for none) of (lon, lat).
    #[inline(always)]
    fn code(&self, lon: f64, lat: f64) -> u8 {
        self.resolve(self.codes[self.cell_of(lon, lat)], lon, lat)
    }

    /// A cell's code, with [`SLOW`] resolved for (lon, lat).
    #[inline(always)]
    fn resolve(&self, code: u8, lon: f64, lat: f64) -> u8 {
        if code != SLOW {
            return code;
        }
        first_code(self.mask_crossed(self.cell_of(lon, lat), lon, lat))
    }

    /// Bit `l` set when layer `l` covers (lon, lat).
    #[inline]
    fn mask(&self, lon: f64, lat: f64) -> u64 {
        let at = self.cell_of(lon, lat);
        // One read of the cell: its set index where the grid keeps them
        // (what a batch reads ahead), else its code.
        match self.sets.get(at) {
            Some(&CROSSED) => self.mask_crossed(at, lon, lat),
            Some(&set) => self.whole[set as usize],
            None => match self.codes[at] {
                SLOW => self.mask_crossed(at, lon, lat),
                code => set_of_code(code),
            },
        }
    }

    /// The record of crossed cell `at`: the crossed cells before it.
    #[inline(always)]
    fn crossed_at(&self, at: usize) -> Crossed {
        self.crossed[self.crossed_cells.before(at)]
    }

    /// The covering set of (lon, lat) in cell `at`, which edges cross: the
    /// centre's set, flipped by each edge crossed on the way from the centre
    /// to the point.
    #[inline(never)]
    fn mask_crossed(&self, at: usize, lon: f64, lat: f64) -> u64 {
        let Crossed { start, end, inside } = self.crossed_at(at);
        let centre = self.frame.centre(at);
        let q = Coord { x: lon, y: lat };
        let mut state = inside;
        let mut touches = false;
        // Exact signs (robust predicates, as the exact rule uses): a point a
        // hair off an edge gets the side it is on. No branch on the signs:
        // they are as good as random, so branches would mispredict.
        for e in &self.edges[start as usize..end as usize] {
            let (o1, o2) = (e.centre_side, side(e.a, e.b, q));
            let (o3, o4) = (side(centre, q, e.a), side(centre, q, e.b));
            touches |= (o1 == 0) | (o2 == 0) | (o3 == 0) | (o4 == 0);
            state ^= (((o1 != o2) & (o3 != o4)) as u64) << e.layer;
        }
        if touches {
            return self.exact(lon, lat);
        }
        state
    }

    /// The exact rule: every layer whose closed area holds the point.
    #[cold]
    fn exact(&self, lon: f64, lat: f64) -> u64 {
        covering_set(&self.layers, Coord { x: lon, y: lat })
    }
}

/// Bit `l` set when layer `l` covers `point` (the exact rule).
fn covering_set<L: std::borrow::Borrow<MultiPolygon<f64>>>(layers: &[L], point: Coord<f64>) -> u64 {
    layers
        .iter()
        .enumerate()
        .filter(|(_, layer)| crate::geometry::covers(layer.borrow(), Point(point)))
        .fold(0, |mask, (l, _)| mask | 1 << l)
}

/// The set of a code where no set holds more than one layer: the inverse
/// of [`first_code`].
#[inline(always)]
fn set_of_code(code: u8) -> u64 {
    match code {
        0 => 0,
        c => 1u64 << (c - 1),
    }
}

/// Sorts `key << 32 | edge` entries by key, keys below `keys`, keeping the
/// order of equal keys: entries pushed edge by edge come out as a full sort
/// would leave them (a radix sort, at a fraction of its cost).
fn sort_by_key(entries: &mut Vec<u64>, keys: usize) {
    let key_bits = usize::BITS - keys.saturating_sub(1).leading_zeros();
    radix_sort(entries, &mut Vec::new(), 32, key_bits);
}

/// Each cell's index into `whole` for the cells coded so far, where every
/// set of `whole` but the last holds at most one layer (so each code stands
/// for one set); crossed cells get [`CROSSED`]. Room is made for `cells`.
fn sets_of_codes(codes: &[u8], whole: &[u64], cells: usize) -> Vec<u32> {
    let mut by_code = [CROSSED; 256];
    for (at, &set) in whole.iter().enumerate() {
        if set.count_ones() <= 1 {
            by_code[usize::from(first_code(set))] = at as u32;
        }
    }
    let mut sets = Vec::with_capacity(cells);
    sets.extend(codes.iter().map(|&code| by_code[usize::from(code)]));
    sets
}

/// The code of a covering set: its first layer + 1, or 0 for none.
#[inline(always)]
fn first_code(set: u64) -> u8 {
    if set == 0 {
        0
    } else {
        set.trailing_zeros() as u8 + 1
    }
}

/// Which side of a→b `c` lies on, exactly: 1 left, -1 right, 0 on the line.
/// The rounded determinant decides when it is further from zero than its
/// error bound (Shewchuk's first filter, as in `robust::orient2d`); the
/// robust predicate decides the rest.
#[inline(always)]
fn side(a: Coord<f64>, b: Coord<f64>, c: Coord<f64>) -> i8 {
    const HALF_EPSILON: f64 = f64::EPSILON / 2.0;
    const ERROR_BOUND: f64 = (3.0 + 16.0 * HALF_EPSILON) * HALF_EPSILON;
    let left = (a.x - c.x) * (b.y - c.y);
    let right = (a.y - c.y) * (b.x - c.x);
    let det = left - right;
    let bound = ERROR_BOUND * (left.abs() + right.abs());
    let sign = (det > bound) as i8 - (det < -bound) as i8;
    if sign != 0 {
        return sign;
    }
    match RobustKernel::orient2d(a, b, c) {
        Orientation::CounterClockwise => 1,
        Orientation::Clockwise => -1,
        Orientation::Collinear => 0,
    }
}

/// Twice the signed area of (a, b, c): > 0 when c is left of a→b (rounded).
#[inline]
fn orient(a: Coord<f64>, b: Coord<f64>, c: Coord<f64>) -> f64 {
    (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{polygon, Line};

    /// Whether a segment meets the closed box [corner, corner + size]
    /// (Liang–Barsky clipping): every box a cell is tested against.
    fn segment_meets_box(line: &Line<f64>, corner: Coord<f64>, size: Coord<f64>) -> bool {
        let (dx, dy) = (line.end.x - line.start.x, line.end.y - line.start.y);
        let (mut t0, mut t1) = (0.0f64, 1.0f64);
        for (p, q) in [
            (-dx, line.start.x - corner.x),
            (dx, corner.x + size.x - line.start.x),
            (-dy, line.start.y - corner.y),
            (dy, corner.y + size.y - line.start.y),
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

    #[test]
    fn cells_met_holds_every_widened_cell_a_segment_meets_and_few_more() {
        let frame = Frame::over(Rect::new((0.0, 0.0), (3.0, 2.0)), 40);
        let mut rng = crate::testing::Xorshift::new(0x2545_f491_4f6c_dd1d);
        let mut unit = move || rng.unit();
        let on_lines = |v: f64, step: f64| (v / step).round() * step;
        let (mut called, mut meeting) = (0, 0);
        for k in 0..4_000 {
            let mut a = Coord {
                x: unit() * 3.0,
                y: unit() * 2.0,
            };
            let mut b = a + Coord {
                x: (unit() - 0.5) * [0.05, 0.4, 3.0][k % 3],
                y: (unit() - 0.5) * [0.05, 0.4, 2.0][k % 3],
            };
            // Within the bounds the frame was made for, as a grid's edges are.
            b = Coord {
                x: b.x.clamp(0.0, 3.0),
                y: b.y.clamp(0.0, 2.0),
            };
            // Segments along and ending on the cells' sides, and of no length.
            match k % 7 {
                0 => (a.y, b.y) = (on_lines(a.y, 0.05), on_lines(a.y, 0.05)),
                1 => (a.x, b.x) = (on_lines(a.x, 0.075), on_lines(a.x, 0.075)),
                2 => {
                    (a, b) = (
                        Coord {
                            x: on_lines(a.x, 0.075),
                            y: on_lines(a.y, 0.05),
                        },
                        Coord {
                            x: on_lines(b.x, 0.075),
                            y: on_lines(b.y, 0.05),
                        },
                    )
                }
                3 => b = a,
                _ => {}
            }
            let mut cells = Vec::new();
            frame.cells_met(a, b, |at| cells.push(at));
            let sorted = cells.windows(2).all(|w| w[0] < w[1]);
            assert!(
                sorted,
                "cells of {a:?}-{b:?} in order, once each: {cells:?}"
            );
            let pad = Coord {
                x: frame.cell.x * 1e-7,
                y: frame.cell.y * 1e-7,
            };
            let size = Coord {
                x: frame.cell.x + 2.0 * pad.x,
                y: frame.cell.y + 2.0 * pad.y,
            };
            for at in 0..frame.cells() {
                let (gx, gy) = frame.column_row(at);
                let corner = Coord {
                    x: frame.origin.x + gx as f64 * frame.cell.x - pad.x,
                    y: frame.origin.y + gy as f64 * frame.cell.y - pad.y,
                };
                let meets = segment_meets_box(&Line::new(a, b), corner, size);
                assert!(
                    !meets || cells.contains(&at),
                    "{a:?}-{b:?} meets cell {at} but it was not called"
                );
                meeting += usize::from(meets);
            }
            called += cells.len();
        }
        // Cells called that the segment misses are the rounding's few.
        assert!(
            called - meeting < meeting / 1000,
            "{called} called, {meeting} met"
        );
    }

    #[test]
    fn overlapping_layers_and_holes() {
        let big: MultiPolygon<f64> = polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 4.0, y: 0.0), (x: 4.0, y: 4.0), (x: 0.0, y: 4.0)],
            interiors: [[(x: 1.0, y: 1.0), (x: 2.0, y: 1.0), (x: 2.0, y: 2.0), (x: 1.0, y: 2.0)]],
        )
        .into();
        let small: MultiPolygon<f64> =
            polygon![(x: 1.5, y: 1.5), (x: 3.0, y: 1.5), (x: 3.0, y: 3.0), (x: 1.5, y: 3.0)].into();
        let index = CoverIndex::new([&big, &small]);
        let at = |x, y| index.covering(x, y).collect::<Vec<_>>();
        assert_eq!(at(0.5, 0.5), [0]);
        assert_eq!(at(1.2, 1.2), Vec::<usize>::new()); // in the hole
        assert_eq!(at(1.7, 1.7), [1]); // hole, but the small square
        assert_eq!(at(2.5, 2.5), [0, 1]);
        assert_eq!(at(1.0, 1.5), [0]); // on the hole's edge: covered
        assert_eq!(at(4.0, 4.0), [0]); // on the outer corner
        assert_eq!(at(4.0 + 1e-9, 2.0), Vec::<usize>::new());
        assert_eq!(at(f64::NAN, 2.0), Vec::<usize>::new());
    }

    #[test]
    fn radix_sort_leaves_pairs_as_a_full_sort() {
        let mut rng = crate::testing::Xorshift::new(0x2545_f491_4f6c_dd1d);
        let mut random = move |below: u32| (rng.next_u64() % u64::from(below.max(1))) as u32;
        for keys in [
            0usize,
            1,
            2,
            1_000,
            2_048,
            2_049,
            1_300_000,
            4_200_000,
            1 << 31,
        ] {
            for len in [0usize, 1, 7, 5_000] {
                // Pushed as `Grid::new` pushes (cell, edge) and (row, edge):
                // by edge, each edge's cells in order, no pair twice.
                let mut pairs: Vec<(u32, u32)> = (0..len)
                    .map(|i| (random(keys.min(u32::MAX as usize) as u32), (i / 3) as u32))
                    .collect();
                let mut expected = pairs.clone();
                expected.sort_unstable();
                expected.dedup();
                pairs.sort_unstable_by_key(|&(key, value)| (value, key));
                pairs.dedup();
                let mut entries: Vec<u64> = pairs
                    .iter()
                    .map(|&(key, edge)| u64::from(key) << 32 | u64::from(edge))
                    .collect();
                sort_by_key(&mut entries, keys);
                let pairs: Vec<(u32, u32)> = entries
                    .iter()
                    .map(|&e| ((e >> 32) as u32, e as u32))
                    .collect();
                assert_eq!(pairs, expected, "keys {keys}, len {len}");
            }
        }
    }

    #[test]
    fn crossed_cells_are_found_by_rank() {
        // A diagonal edge crosses cells in every row; ranks must count them
        // across 64-cell words and 8-cell bytes alike.
        let triangle: MultiPolygon<f64> =
            polygon![(x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 7.0)].into();
        let index = CoverIndex::new([&triangle]);
        let grid = &index.grids[0];
        let slow = grid.codes.iter().filter(|&&c| c == SLOW).count();
        assert_eq!(slow, grid.crossed.len());
        let ranked = grid.crossed_cells.len();
        assert_eq!(ranked, slow);
        for (at, &code) in grid.codes.iter().enumerate() {
            let bit = grid.crossed_cells.is_marked(at);
            assert_eq!(bit, code == SLOW, "cell {at}");
        }
        for i in 1..100 {
            let x = f64::from(i) / 10.0;
            let y = x * 0.7;
            assert_eq!(index.covering(x - 0.01, y - 0.011).count(), 1, "{x}");
            assert_eq!(index.covering(x - 0.01, y + 0.011).count(), 0, "{x}");
        }
    }

    #[test]
    fn more_than_64_layers() {
        let squares: Vec<MultiPolygon<f64>> = (0..100)
            .map(|i| {
                let x = i as f64;
                polygon![(x: x, y: 0.0), (x: x + 1.0, y: 0.0), (x: x + 1.0, y: 1.0), (x: x, y: 1.0)]
                    .into()
            })
            .collect();
        let index = CoverIndex::new(&squares);
        assert_eq!(index.len(), 100);
        for i in 0..100 {
            assert_eq!(index.first(i as f64 + 0.5, 0.5), Some(i));
        }
        assert_eq!(index.covering(70.0, 0.5).collect::<Vec<_>>(), [69, 70]);
    }

    #[test]
    fn cell_borders_and_points_beyond_the_grid_follow_the_exact_rule() {
        let triangle: MultiPolygon<f64> =
            polygon![(x: 0.1, y: 0.2), (x: 3.7, y: 0.9), (x: 1.3, y: 2.9)].into();
        let holed: MultiPolygon<f64> = polygon!(
            exterior: [(x: 1.0, y: 1.0), (x: 3.0, y: 1.0), (x: 3.0, y: 3.0), (x: 1.0, y: 3.0)],
            interiors: [[(x: 1.5, y: 1.5), (x: 2.5, y: 1.7), (x: 2.0, y: 2.5)]],
        )
        .into();
        let index = CoverIndex::new([&triangle, &holed]);
        let grid = &index.grids[0];
        let (cell, centre, nx) = (grid.frame.cell, grid.frame.first_centre, grid.frame.nx);
        let mut checked = 0;
        // Every cell corner and border midpoint, three cells past the grid.
        for i in -3..nx as i32 + 3 {
            for j in -3..nx as i32 + 3 {
                let x = centre.x + (i as f64 - 0.5) * cell.x;
                let y = centre.y + (j as f64 - 0.5) * cell.y;
                for (x, y) in [(x, y), (x + cell.x / 2.0, y), (x, y + cell.y / 2.0)] {
                    assert_eq!(grid.mask(x, y), grid.exact(x, y), "at ({x}, {y})");
                    checked += (grid.exact(x, y) != 0) as usize;
                }
            }
        }
        assert!(checked > 100, "only {checked} covered points checked");
        // On and a hair off every edge, and on every vertex.
        for layer in [&triangle, &holed] {
            for ring in layer
                .0
                .iter()
                .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            {
                for line in ring.lines() {
                    for t in [0.0, 0.25, 1.0 / 3.0, 0.5, 0.9, 1.0] {
                        let on = line.start + (line.end - line.start) * t;
                        for (dx, dy) in [(0.0, 0.0), (1e-15, 0.0), (0.0, -1e-15), (1e-9, 1e-9)] {
                            let (x, y) = (on.x + dx, on.y + dy);
                            assert_eq!(grid.mask(x, y), grid.exact(x, y), "at ({x}, {y})");
                        }
                    }
                }
            }
        }
        for (x, y) in [
            (f64::NAN, 1.0),
            (1.0, f64::NAN),
            (f64::INFINITY, 1.0),
            (f64::NEG_INFINITY, 1.0),
            (1.0, 1e300),
            (-1e300, -1e300),
        ] {
            assert_eq!(index.first(x, y), None, "at ({x}, {y})");
        }
    }

    #[test]
    fn batches_match_single_queries() {
        // One grid, and several (more than 64 layers), over more points than
        // one look-ahead pass.
        for count in [3, 100] {
            let squares: Vec<MultiPolygon<f64>> = (0..count)
                .map(|i| {
                    let x = i as f64;
                    polygon![(x: x, y: 0.0), (x: x + 1.0, y: 0.0), (x: x + 0.5, y: 1.0)].into()
                })
                .collect();
            let index = CoverIndex::new(&squares);
            let points: Vec<(f64, f64)> = (0..3 * LOOKAHEAD + 7)
                .map(|i| {
                    let t = i as f64 / (3 * LOOKAHEAD) as f64;
                    (
                        t * (count as f64 + 1.0) - 0.5,
                        (t * 97.0).fract() * 1.2 - 0.1,
                    )
                })
                .collect();
            let mut out = vec![None; points.len()];
            index.first_into(&points, &mut out).unwrap();
            let single: Vec<_> = points.iter().map(|&(x, y)| index.first(x, y)).collect();
            assert_eq!(out, single);
            assert!(out.iter().any(|f| f.is_none()) && out.iter().any(|f| f.is_some()));
        }
    }
}
