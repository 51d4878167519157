//! Pairs of segments that may meet, found through a uniform grid: each
//! segment goes into the cells its bounding box covers, and only segments
//! sharing a cell are compared. On the rings of real control maps (many
//! short edges) that is linear in the number of segments.

use geo::{Coord, Line};

/// Segments whose bounding boxes cover more cells than this go to the
/// caller's fallback instead (see [`candidate_pairs`]).
const MAX_CELLS_A_SEGMENT: usize = 64;

/// Calls `pair(i, j)` (i < j) once for every two segments whose bounding
/// boxes overlap (touching counts), until it returns `false`. Returns `None`
/// when the grid does not suit the segments (a few long segments crossing
/// many cells), for the caller to use another method; otherwise whether
/// every call returned `true`.
pub(crate) fn candidate_pairs(
    segments: &[Line<f64>],
    mut pair: impl FnMut(usize, usize) -> bool,
) -> Option<bool> {
    let n = segments.len();
    let boxes: Vec<(Coord<f64>, Coord<f64>)> = segments
        .iter()
        .map(|l| {
            (
                Coord {
                    x: l.start.x.min(l.end.x),
                    y: l.start.y.min(l.end.y),
                },
                Coord {
                    x: l.start.x.max(l.end.x),
                    y: l.start.y.max(l.end.y),
                },
            )
        })
        .collect();
    let overlap = |i: usize, j: usize| {
        let (a, b) = (&boxes[i], &boxes[j]);
        a.0.x <= b.1.x && b.0.x <= a.1.x && a.0.y <= b.1.y && b.0.y <= a.1.y
    };
    if n < 32 {
        for i in 0..n {
            for j in i + 1..n {
                if overlap(i, j) && !pair(i, j) {
                    return Some(false);
                }
            }
        }
        return Some(true);
    }
    let (mut min, mut max) = (boxes[0].0, boxes[0].1);
    for (lo, hi) in &boxes {
        min.x = min.x.min(lo.x);
        min.y = min.y.min(lo.y);
        max.x = max.x.max(hi.x);
        max.y = max.y.max(hi.y);
    }
    let (width, height) = (max.x - min.x, max.y - min.y);
    if !(width.is_finite() && height.is_finite()) {
        return None;
    }
    // About one cell a segment, square in the coordinates.
    let aspect = if height > 0.0 && width > 0.0 {
        width / height
    } else {
        1.0
    };
    let columns = ((n as f64 * aspect).sqrt().ceil() as usize).clamp(1, n);
    let rows = n.div_ceil(columns).max(1);
    let cell_x = if width > 0.0 {
        columns as f64 / width
    } else {
        0.0
    };
    let cell_y = if height > 0.0 {
        rows as f64 / height
    } else {
        0.0
    };
    let column = |x: f64| (((x - min.x) * cell_x) as usize).min(columns - 1);
    let row = |y: f64| (((y - min.y) * cell_y) as usize).min(rows - 1);
    // Each segment's cell range, then the cells' members by counting sort.
    let mut ranges = Vec::with_capacity(n);
    let mut counts = vec![0u32; columns * rows + 1];
    for (lo, hi) in &boxes {
        let range = (column(lo.x), row(lo.y), column(hi.x), row(hi.y));
        let cells = (range.2 - range.0 + 1) * (range.3 - range.1 + 1);
        if cells > MAX_CELLS_A_SEGMENT {
            return None;
        }
        for r in range.1..=range.3 {
            for c in range.0..=range.2 {
                counts[r * columns + c + 1] += 1;
            }
        }
        ranges.push(range);
    }
    for cell in 1..counts.len() {
        counts[cell] += counts[cell - 1];
    }
    let mut members = vec![0u32; counts[columns * rows] as usize];
    let mut next = counts.clone();
    for (i, range) in ranges.iter().enumerate() {
        for r in range.1..=range.3 {
            for c in range.0..=range.2 {
                let slot = &mut next[r * columns + c];
                members[*slot as usize] = i as u32;
                *slot += 1;
            }
        }
    }
    for r in 0..rows {
        for c in 0..columns {
            let cell = r * columns + c;
            let inside = &members[counts[cell] as usize..counts[cell + 1] as usize];
            for (k, &a) in inside.iter().enumerate() {
                for &b in &inside[k + 1..] {
                    let (i, j) = (a.min(b) as usize, a.max(b) as usize);
                    // Once a pair: in the first cell the two share.
                    let (ri, rj) = (ranges[i], ranges[j]);
                    if (c, r) != (ri.0.max(rj.0), ri.1.max(rj.1)) {
                        continue;
                    }
                    if overlap(i, j) && !pair(i, j) {
                        return Some(false);
                    }
                }
            }
        }
    }
    Some(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every overlapping pair, once, as brute force finds them.
    #[test]
    fn finds_the_pairs_brute_force_finds() {
        let mut state = 0x1234_5678_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut segments = Vec::new();
        let mut at = Coord { x: 0.0, y: 0.0 };
        for _ in 0..500 {
            let to = Coord {
                x: (at.x + next() - 0.5).clamp(-3.0, 3.0),
                y: (at.y + next() - 0.5).clamp(-3.0, 3.0),
            };
            segments.push(Line::new(at, to));
            at = to;
        }
        let mut grid = Vec::new();
        assert_eq!(
            candidate_pairs(&segments, |i, j| {
                grid.push((i, j));
                true
            }),
            Some(true)
        );
        grid.sort_unstable();
        let mut brute = Vec::new();
        for i in 0..segments.len() {
            for j in i + 1..segments.len() {
                let (a, b) = (segments[i], segments[j]);
                let apart = a.start.x.max(a.end.x) < b.start.x.min(b.end.x)
                    || b.start.x.max(b.end.x) < a.start.x.min(a.end.x)
                    || a.start.y.max(a.end.y) < b.start.y.min(b.end.y)
                    || b.start.y.max(b.end.y) < a.start.y.min(a.end.y);
                if !apart {
                    brute.push((i, j));
                }
            }
        }
        assert_eq!(grid, brute);
    }
}
