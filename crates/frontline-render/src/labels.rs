//! Place labels that do not collide: each label tries positions around its
//! point (right, left, above, below) and takes the first that overlaps no
//! label or point already placed; when none is free it is left out.

/// An axis-aligned pixel box.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Boxed {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

impl Boxed {
    fn overlaps(&self, other: &Boxed) -> bool {
        self.x0 < other.x1 && other.x0 < self.x1 && self.y0 < other.y1 && other.y0 < self.y1
    }
}

/// Greedy placement. `points` are the markers (px), `sizes` the label sizes
/// (px); returns for each label the top-left corner it is drawn at, if any.
/// `bounds` is the area labels must stay in.
pub(crate) fn place(
    points: &[(f64, f64)],
    sizes: &[(f64, f64)],
    bounds: Boxed,
    reserved: &[Boxed],
) -> Vec<Option<(f64, f64)>> {
    let gap = 4.0;
    let mut taken: Vec<Boxed> = reserved.to_vec();
    taken.extend(points.iter().map(|&(x, y)| Boxed {
        x0: x - 3.0,
        y0: y - 3.0,
        x1: x + 3.0,
        y1: y + 3.0,
    }));
    let mut placed = Vec::with_capacity(points.len());
    for (&(x, y), &(w, h)) in points.iter().zip(sizes) {
        let candidates = [
            (x + gap, y - h / 2.0),
            (x - gap - w, y - h / 2.0),
            (x - w / 2.0, y - gap - h),
            (x - w / 2.0, y + gap),
            (x + gap, y - h),
            (x - gap - w, y),
        ];
        let spot = candidates.into_iter().find(|&(cx, cy)| {
            let b = Boxed {
                x0: cx,
                y0: cy,
                x1: cx + w,
                y1: cy + h,
            };
            let inside =
                b.x0 >= bounds.x0 && b.y0 >= bounds.y0 && b.x1 <= bounds.x1 && b.y1 <= bounds.y1;
            inside && !taken.iter().any(|t| t.overlaps(&b))
        });
        if let Some((cx, cy)) = spot {
            taken.push(Boxed {
                x0: cx,
                y0: cy,
                x1: cx + w,
                y1: cy + h,
            });
        }
        placed.push(spot);
    }
    placed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_never_overlap_and_crowded_ones_are_dropped() {
        let bounds = Boxed {
            x0: 0.0,
            y0: 0.0,
            x1: 200.0,
            y1: 200.0,
        };
        let points: Vec<(f64, f64)> = (0..40)
            .map(|i| (100.0 + (i % 5) as f64, 100.0 + (i / 5) as f64))
            .collect();
        let sizes = vec![(40.0, 10.0); points.len()];
        let placed = place(&points, &sizes, bounds, &[]);
        let boxes: Vec<Boxed> = placed
            .iter()
            .zip(&sizes)
            .filter_map(|(p, s)| {
                p.map(|(x, y)| Boxed {
                    x0: x,
                    y0: y,
                    x1: x + s.0,
                    y1: y + s.1,
                })
            })
            .collect();
        assert!(!boxes.is_empty() && boxes.len() < points.len());
        for (i, a) in boxes.iter().enumerate() {
            for b in &boxes[i + 1..] {
                assert!(!a.overlaps(b));
            }
            assert!(a.x0 >= 0.0 && a.x1 <= 200.0);
        }
    }
}
