//! Pairs of segments that may meet, found through a hashed uniform grid:
//! each segment goes into the cells its bounding box covers, and only
//! segments sharing a cell are compared. Cells are about twice a typical
//! segment's extent, so a cell holds a handful of segments even where a
//! ring winds through it many times; on the rings of real control maps
//! (many short edges) that is linear in the number of segments.

use std::cell::RefCell;

use geo::Line;

/// A segment whose box covers more cells than this is compared with every
/// other segment directly instead of going into the grid.
const MAX_CELLS_A_SEGMENT: u64 = 256;

/// More such long segments than this and the grid gives up (`None`).
const MAX_LONG_SEGMENTS: usize = 32;

/// Buffers kept per thread between calls: a control map's rings are
/// checked one after another, and fresh buffers of this size would be
/// fresh pages from the kernel each time.
#[derive(Default)]
struct Scratch {
    boxes: Vec<[f64; 4]>,
    ranges: Vec<[u32; 4]>,
    long: Vec<u32>,
    table: Table,
}

/// The grid: one (cell, segment) entry for each cell a segment covers.
#[derive(Default)]
struct Table {
    entries: Vec<u64>,
    spare: Vec<u64>,
}

impl Scratch {
    /// Lets go of buffers grown by one exceptionally large input.
    fn trim(&mut self) {
        const KEEP: usize = 1 << 20;
        if self.table.entries.capacity() > 4 * KEEP || self.boxes.capacity() > KEEP {
            *self = Scratch::default();
        }
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Calls `pair(i, j)` (i < j) once for every two segments whose bounding
/// boxes overlap (touching counts), until it returns `false`. Returns `None`
/// when the grid does not suit the segments (many long segments crossing
/// many cells, or coordinates that are not finite), for the caller to use
/// another method; otherwise whether every call returned `true`.
pub(crate) fn candidate_pairs(
    segments: &[Line<f64>],
    mut pair: impl FnMut(usize, usize) -> bool,
) -> Option<bool> {
    // A nested call (from inside `pair`) gets buffers of its own.
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut scratch) => {
            let found = pairs_with(segments, &mut pair, &mut scratch);
            scratch.trim();
            found
        }
        Err(_) => pairs_with(segments, &mut pair, &mut Scratch::default()),
    })
}

fn pairs_with(
    segments: &[Line<f64>],
    pair: &mut impl FnMut(usize, usize) -> bool,
    scratch: &mut Scratch,
) -> Option<bool> {
    let n = segments.len();
    if n >= 1 << 31 {
        return None;
    }
    let boxes = &mut scratch.boxes;
    boxes.clear();
    boxes.extend(segments.iter().map(|l| {
        [
            l.start.x.min(l.end.x),
            l.start.y.min(l.end.y),
            l.start.x.max(l.end.x),
            l.start.y.max(l.end.y),
        ]
    }));
    let boxes = &scratch.boxes;
    let overlap = |i: usize, j: usize| {
        let (a, b) = (&boxes[i], &boxes[j]);
        a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3]
    };
    // Few segments, or all of them one point: every pair directly.
    let every_pair = |pair: &mut dyn FnMut(usize, usize) -> bool| {
        for i in 0..n {
            for j in i + 1..n {
                if overlap(i, j) && !pair(i, j) {
                    return Some(false);
                }
            }
        }
        Some(true)
    };
    if n < 32 {
        return every_pair(pair);
    }
    let mut bounds = boxes[0];
    let mut extents = 0.0;
    for b in boxes {
        bounds[0] = bounds[0].min(b[0]);
        bounds[1] = bounds[1].min(b[1]);
        bounds[2] = bounds[2].max(b[2]);
        bounds[3] = bounds[3].max(b[3]);
        extents += (b[2] - b[0]).max(b[3] - b[1]);
    }
    let (width, height) = (bounds[2] - bounds[0], bounds[3] - bounds[1]);
    if !(width.is_finite() && height.is_finite() && extents.is_finite()) {
        return None;
    }
    let span = width.max(height);
    if span <= 0.0 {
        return every_pair(pair);
    }
    // Twice the mean extent, but no finer than 2^20 cells a side, and no
    // coarser than the plain grid of about one cell a segment; coarser
    // still while long segments would fill too many cells.
    let coarsest = span / (n as f64).sqrt();
    let mut size = (2.0 * extents / n as f64).clamp(span / f64::from(1u32 << 20), coarsest);
    let (mut ranges, mut long, mut columns, mut cell_bits);
    loop {
        let scale = 1.0 / size;
        let cell = |v: f64, min: f64| (((v - min) * scale) as u64).min((1 << 21) - 1) as u32;
        ranges = std::mem::take(&mut scratch.ranges);
        long = std::mem::take(&mut scratch.long);
        ranges.clear();
        long.clear();
        let mut entries = 0u64;
        columns = u64::from(cell(bounds[2], bounds[0])) + 1;
        let rows = u64::from(cell(bounds[3], bounds[1])) + 1;
        cell_bits = u64::BITS - (columns * rows).leading_zeros();
        let segment_bits = usize::BITS - n.leading_zeros();
        for (i, b) in boxes.iter().enumerate() {
            let range = [
                cell(b[0], bounds[0]),
                cell(b[1], bounds[1]),
                cell(b[2], bounds[0]),
                cell(b[3], bounds[1]),
            ];
            let cells = u64::from(range[2] - range[0] + 1) * u64::from(range[3] - range[1] + 1);
            if cells > MAX_CELLS_A_SEGMENT {
                long.push(i as u32);
            } else {
                entries += cells;
            }
            ranges.push(range);
        }
        let crowded = long.len() > MAX_LONG_SEGMENTS
            || entries > 8 * n as u64
            || cell_bits + segment_bits > u64::BITS;
        if !crowded || size >= coarsest {
            break;
        }
        scratch.ranges = ranges;
        scratch.long = long;
        size = (size * 4.0).min(coarsest);
    }
    let found = if long.len() > MAX_LONG_SEGMENTS
        || cell_bits + (usize::BITS - n.leading_zeros()) > u64::BITS
    {
        None
    } else {
        Some(grid_pairs(
            n,
            &ranges,
            &long,
            columns,
            cell_bits,
            &overlap,
            pair,
            &mut scratch.table,
        ))
    };
    scratch.ranges = ranges;
    scratch.long = long;
    found
}

/// Every overlapping pair once: within the grid, in the first cell (lowest
/// column, then row, of the two ranges' overlap) the two share; a long
/// segment against every other directly.
///
/// The grid is a list of (cell, segment) entries sorted by cell with a radix
/// sort, so that it stays small and is read in order: a hash table or a
/// dense array of fine cells is larger than the caches, and each insert a
/// miss.
#[allow(clippy::too_many_arguments)]
fn grid_pairs(
    n: usize,
    ranges: &[[u32; 4]],
    long: &[u32],
    columns: u64,
    cell_bits: u32,
    overlap: &impl Fn(usize, usize) -> bool,
    pair: &mut impl FnMut(usize, usize) -> bool,
    table: &mut Table,
) -> bool {
    let is_long = |i: usize| long.binary_search(&(i as u32)).is_ok();
    for (k, &a) in long.iter().enumerate() {
        let a = a as usize;
        for b in 0..n {
            // Long against long once, from the first of the two.
            if b == a || (is_long(b) && long[..=k].contains(&(b as u32))) {
                continue;
            }
            let (i, j) = (a.min(b), a.max(b));
            if overlap(i, j) && !pair(i, j) {
                return false;
            }
        }
    }
    let segment_bits = usize::BITS - n.leading_zeros();
    let segment_mask = (1u64 << segment_bits) - 1;
    let Table { entries, spare } = table;
    entries.clear();
    let mut next_long = 0;
    for (i, range) in ranges.iter().enumerate() {
        if long.get(next_long) == Some(&(i as u32)) {
            next_long += 1;
            continue;
        }
        for r in range[1]..=range[3] {
            for c in range[0]..=range[2] {
                let cell = u64::from(r) * columns + u64::from(c);
                entries.push((cell << segment_bits) | i as u64);
            }
        }
    }
    radix_sort(entries, spare, segment_bits, cell_bits);
    let mut start = 0;
    while start < entries.len() {
        let cell = entries[start] >> segment_bits;
        let mut end = start + 1;
        while end < entries.len() && entries[end] >> segment_bits == cell {
            end += 1;
        }
        let (r, c) = ((cell / columns) as u32, (cell % columns) as u32);
        let inside = &entries[start..end];
        for (k, &a) in inside.iter().enumerate() {
            let a = a & segment_mask;
            for &b in &inside[k + 1..] {
                let b = b & segment_mask;
                let (i, j) = (a.min(b) as usize, a.max(b) as usize);
                let (ri, rj) = (&ranges[i], &ranges[j]);
                if (c, r) != (ri[0].max(rj[0]), ri[1].max(rj[1])) {
                    continue;
                }
                if overlap(i, j) && !pair(i, j) {
                    return false;
                }
            }
        }
        start = end;
    }
    true
}

/// Sorts `keys` by their bits `low..low + bits` (least significant digit
/// first, 11 bits a pass). Stable: keys equal in those bits keep the order
/// they came in, whatever their bits below `low` (the zone grids rely on it,
/// see `index::cover::sort_by_key`).
pub(crate) fn radix_sort(keys: &mut Vec<u64>, spare: &mut Vec<u64>, low: u32, bits: u32) {
    const DIGIT: u32 = 11;
    let mut shift = low;
    while shift < low + bits {
        let mask = (1u64 << DIGIT) - 1;
        let mut counts = [0usize; 1 << DIGIT];
        for &key in keys.iter() {
            counts[((key >> shift) & mask) as usize] += 1;
        }
        let mut total = 0;
        for count in counts.iter_mut() {
            let here = *count;
            *count = total;
            total += here;
        }
        spare.clear();
        spare.resize(keys.len(), 0);
        for &key in keys.iter() {
            let digit = ((key >> shift) & mask) as usize;
            spare[counts[digit]] = key;
            counts[digit] += 1;
        }
        std::mem::swap(keys, spare);
        shift += DIGIT;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Coord;

    fn random_walk(seed: u64, steps: usize, step: f64) -> Vec<Line<f64>> {
        let mut rng = crate::testing::Xorshift::new(seed);
        let mut next = move || rng.unit();
        let mut segments = Vec::new();
        let mut at = Coord { x: 0.0, y: 0.0 };
        for _ in 0..steps {
            let to = Coord {
                x: (at.x + (next() - 0.5) * step).clamp(-3.0, 3.0),
                y: (at.y + (next() - 0.5) * step).clamp(-3.0, 3.0),
            };
            segments.push(Line::new(at, to));
            at = to;
        }
        segments
    }

    fn grid(segments: &[Line<f64>]) -> Option<Vec<(usize, usize)>> {
        let mut found = Vec::new();
        let all = candidate_pairs(segments, |i, j| {
            assert!(i < j);
            found.push((i, j));
            true
        })?;
        assert!(all);
        found.sort_unstable();
        Some(found)
    }

    fn brute(segments: &[Line<f64>]) -> Vec<(usize, usize)> {
        let mut pairs = Vec::new();
        for i in 0..segments.len() {
            for j in i + 1..segments.len() {
                let (a, b) = (segments[i], segments[j]);
                let apart = a.start.x.max(a.end.x) < b.start.x.min(b.end.x)
                    || b.start.x.max(b.end.x) < a.start.x.min(a.end.x)
                    || a.start.y.max(a.end.y) < b.start.y.min(b.end.y)
                    || b.start.y.max(b.end.y) < a.start.y.min(a.end.y);
                if !apart {
                    pairs.push((i, j));
                }
            }
        }
        pairs
    }

    /// Every overlapping pair, once, as brute force finds them.
    #[test]
    fn finds_the_pairs_brute_force_finds() {
        let walk = random_walk(0x1234_5678, 500, 1.0);
        assert_eq!(grid(&walk), Some(brute(&walk)));
        // Short steps winding over the same ground many times: fine cells.
        let dense = random_walk(0x9abc_def0, 3000, 0.02);
        assert_eq!(grid(&dense), Some(brute(&dense)));
    }

    /// A few segments spanning the whole box are compared directly, once.
    #[test]
    fn long_segments_are_paired_once() {
        let mut segments = random_walk(0x0bad_cafe, 2000, 0.05);
        for k in 0..8 {
            let y = -3.0 + 0.7 * k as f64;
            segments.insert(
                100 * k,
                Line::new(Coord { x: -3.0, y }, Coord { x: 3.0, y: -y }),
            );
        }
        assert_eq!(grid(&segments), Some(brute(&segments)));
    }

    /// Many long segments: the grid does not suit them and says so.
    #[test]
    fn many_long_segments_are_left_to_the_caller() {
        let mut segments = random_walk(0x0dd_ba11, 2000, 0.05);
        for k in 0..200 {
            let y = -3.0 + 0.03 * k as f64;
            segments.push(Line::new(Coord { x: -3.0, y }, Coord { x: 3.0, y: -y }));
        }
        assert_eq!(grid(&segments), None);
    }

    /// No width, or no extent at all: still every pair.
    #[test]
    fn degenerate_boxes() {
        let column: Vec<Line<f64>> = (0..50)
            .map(|k| {
                let y = k as f64 * 0.1;
                Line::new(
                    Coord { x: 1.0, y },
                    Coord {
                        x: 1.0,
                        y: y + 0.15,
                    },
                )
            })
            .collect();
        assert_eq!(grid(&column), Some(brute(&column)));
        let point = Coord { x: 2.0, y: 2.0 };
        let points = vec![Line::new(point, point); 40];
        assert_eq!(grid(&points), Some(brute(&points)));
        let endless = vec![
            Line::new(
                Coord {
                    x: f64::INFINITY,
                    y: 0.0
                },
                point
            );
            40
        ];
        assert_eq!(grid(&endless), None);
    }
}
