//! The static layers (de jure territories, admin-1 units, overlays) read off
//! one grid. A cell that no edge of any of them meets holds their whole
//! answer there, so a batch reads one cell a point instead of a cell in each
//! layer's grid (four, with the admin-1 units in two grids of 64). A cell
//! edges meet is cut into finer cells, which hold the answer the same way
//! where no edge meets them; the few points in finer cells edges meet are
//! answered by the layers' own grids, exactly.

use std::collections::HashMap;

use geo::{BoundingRect, Coord, MultiPolygon};

use super::cover::{Frame, Ranks};
use super::locate::LayerGrids;
use crate::model::Layers;

/// What the static layers say of a point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct StaticAnswer {
    /// The first territory covering it.
    pub(crate) de_jure: Option<u16>,
    /// The smallest admin-1 unit covering it.
    pub(crate) rayon: Option<u32>,
    /// Bit `i` set when overlay `i` covers it, whatever the date; `None`
    /// when there are more than 64 overlays (they are then read when asked
    /// for).
    pub(crate) overlays: Option<u64>,
}

impl StaticAnswer {
    /// The answer at (lon, lat) from each layer's grid; `areas` are the
    /// admin-1 units' areas.
    pub(crate) fn at(grids: &LayerGrids, areas: &[f64], lon: f64, lat: f64) -> StaticAnswer {
        // The smallest covering unit wins: a city beats its rayon.
        let rayon = grids
            .admin1
            .covering(lon, lat)
            .min_by(|&a, &b| areas[a].total_cmp(&areas[b]))
            .map(|i| i as u32);
        let overlays = (grids.overlays.len() <= 64).then(|| {
            grids
                .overlays
                .covering(lon, lat)
                .fold(0u64, |mask, i| mask | 1 << i)
        });
        StaticAnswer {
            de_jure: grids.de_jure.first(lon, lat).map(|i| i as u16),
            rayon,
            overlays,
        }
    }
}

/// A cell edges meet: its points are answered by the layers' own grids.
const MET: u16 = u16::MAX;

/// About this many cells an edge. Measured on the bundled layers with
/// `classify` of 10 M random rows: 16, 32 and 64 run alike (within the
/// noise); 16 builds in a quarter of the time and memory (1.2 MB), though 4%
/// of its cells meet edges against 2% at 64.
const CELLS_PER_EDGE: f64 = 16.0;

/// A cell edges meet is cut into `SUB` × `SUB` finer cells, and those that
/// no edge meets get their answer too. On the bundled layers 3.6% of random
/// points over the region fall in cells edges meet and 0.5% in finer cells
/// edges meet, which the layers' grids answer at several hundred ns each;
/// `classify` of 10 M random rows takes a tenth less time. The finer cells
/// cost 20–25 ms of the grid's ~30 ms build and 1.7 MB (a cache line a cell).
const SUB: usize = 8;

/// The static layers' answers, a cell at a time.
#[derive(Debug)]
pub(crate) struct StaticGrid {
    frame: Frame,
    /// Per cell: an index into `answers`, or [`MET`]; as bytes, so a batch
    /// can read a cell ahead by its first byte.
    cells: Vec<[u8; 2]>,
    answers: Vec<StaticAnswer>,
    /// The finer cells of the cells coded [`MET`].
    fine: Frame,
    /// The cells coded [`MET`]: a cell's finer codes are its rank.
    met: Ranks,
    /// The finer cells of each [`MET`] cell.
    finer: Vec<FinerCodes>,
}

/// The codes of a cell's finer cells, row by row: an index into `answers`,
/// or [`FINER_MET`] where edges meet the finer cell (or the index does not
/// fit a byte). One cache line a cell.
#[derive(Debug, Clone, Copy)]
#[repr(align(64))]
struct FinerCodes([u8; SUB * SUB]);

/// A finer cell edges meet.
const FINER_MET: u8 = u8::MAX;

impl StaticGrid {
    /// The grid of `layers`, whose grids are `grids` and admin-1 areas
    /// `areas`.
    pub(crate) fn new(layers: &Layers, grids: &LayerGrids, areas: &[f64]) -> StaticGrid {
        let shapes = (layers.territories.iter().map(|t| &t.shape))
            .chain(layers.admin1.iter().map(|u| &u.shape))
            .chain(layers.overlays.iter().map(|o| &o.shape));
        let edges: Vec<(Coord<f64>, Coord<f64>)> = shapes.flat_map(edges_of).collect();
        let corners = edges.iter().flat_map(|&(a, b)| [a, b]).collect();
        let frame = match geo::LineString(corners).bounding_rect() {
            Some(bounds) => Frame::over(bounds, Frame::span_for(edges.len(), CELLS_PER_EDGE)),
            None => Frame::single(),
        };
        let mut met = vec![false; frame.cells()];
        for &(a, b) in &edges {
            frame.cells_met(a, b, |at| met[at] = true);
        }
        let mut answers = Vec::new();
        let mut known: HashMap<StaticAnswer, u16> = HashMap::new();
        let mut code_of = |answer: StaticAnswer| {
            *known.entry(answer).or_insert_with(|| {
                // More distinct answers than codes: the rest are read from
                // the layers' grids.
                let code = u16::try_from(answers.len()).unwrap_or(MET);
                if code != MET {
                    answers.push(answer);
                }
                code
            })
        };
        let mut cells: Vec<[u8; 2]> = Vec::with_capacity(frame.cells());
        // Two cells side by side that no edge meets have the same answer, so
        // a row is filled a run at a time, the run's answer taken from the
        // cell above it where that one is free of edges too.
        let width = frame.width();
        for (row, met) in met.chunks(width).enumerate() {
            let mut gx = 0;
            while gx < width {
                if met[gx] {
                    cells.push(MET.to_le_bytes());
                    gx += 1;
                    continue;
                }
                let end = met[gx..].iter().position(|&m| m).map_or(width, |n| gx + n);
                let at = row * width + gx;
                let above = at.checked_sub(width).map(|up| cells[up]);
                let code = match above {
                    Some(code) if code != MET.to_le_bytes() => code,
                    _ => {
                        let centre = frame.centre(at);
                        code_of(StaticAnswer::at(grids, areas, centre.x, centre.y)).to_le_bytes()
                    }
                };
                cells.extend(std::iter::repeat_n(code, end - gx));
                gx = end;
            }
        }
        // The cells coded MET, ranked.
        let mut met_bits = vec![0u64; cells.len().div_ceil(64)];
        for (at, &code) in cells.iter().enumerate() {
            if code == MET.to_le_bytes() {
                met_bits[at / 64] |= 1 << (at % 64);
            }
        }
        let met = Ranks::new(met_bits);
        let ranked = met.len();
        // Which finer cells edges meet. A finer cell's padded box lies in its
        // cell's, so every one met is in a cell coded MET.
        let fine = frame.refined(SUB);
        let mut finer_met = vec![0u64; ranked];
        // An edge's finer cells are mostly in one cell: its rank kept.
        let mut last = (usize::MAX, None);
        for &(a, b) in &edges {
            fine.cells_met_at(a, b, |fx, fy| {
                let at = (fy / SUB) * width + fx / SUB;
                if last.0 != at {
                    last = (at, met.rank(at));
                }
                if let Some(r) = last.1 {
                    finer_met[r] |= 1 << ((fy % SUB) * SUB + fx % SUB);
                }
            });
        }
        // Finer cells side by side that no edge meets have the same answer:
        // one look-up for each group of them joined side by side.
        let mut finer: Vec<FinerCodes> = Vec::with_capacity(ranked);
        let rows = cells.len() / width;
        for (at, _) in cells
            .iter()
            .enumerate()
            .filter(|(_, &c)| c == MET.to_le_bytes())
        {
            let mut codes = [FINER_MET; SUB * SUB];
            let mut free = !finer_met[finer.len()];
            let (gx, gy) = frame.column_row(at);
            while free != 0 {
                let group = joined(free, free & free.wrapping_neg());
                free &= !group;
                // A group on the cell's side next to a cell no edge meets
                // has that cell's answer (the two boxes touch and no edge
                // meets either), or next to a finer cell no edge meets, in a
                // cell done before (below or on the left), that one's;
                // otherwise its first finer cell is looked up.
                let beside = [
                    (gy > 0, BOTTOM_ROW, at.wrapping_sub(width)),
                    (gy + 1 < rows, TOP_ROW, at + width),
                    (gx > 0, FIRST_COLUMN, at.wrapping_sub(1)),
                    (gx + 1 < width, LAST_COLUMN, at + 1),
                ];
                let free_beside = beside.iter().find_map(|&(inside, side, next)| {
                    let code = inside.then(|| u16::from_le_bytes(cells[next]))?;
                    (group & side != 0 && code != MET)
                        .then(|| u8::try_from(code).unwrap_or(FINER_MET))
                });
                // The finer cells touching the group across the bottom side
                // (the row above them in the cell below) and the left one.
                let finer_beside = || {
                    let below = (gy > 0 && group & BOTTOM_ROW != 0)
                        .then(|| met.rank(at - width))
                        .flatten()
                        .map(|r| {
                            let touching = (group & BOTTOM_ROW).trailing_zeros() as usize;
                            finer[r].0[SUB * (SUB - 1) + touching]
                        });
                    let left = (gx > 0 && group & FIRST_COLUMN != 0)
                        .then(|| met.rank(at - 1))
                        .flatten()
                        .map(|r| {
                            finer[r].0[(group & FIRST_COLUMN).trailing_zeros() as usize + SUB - 1]
                        });
                    below
                        .into_iter()
                        .chain(left)
                        .find(|&code| code != FINER_MET)
                };
                let code = free_beside.or_else(finer_beside).unwrap_or_else(|| {
                    let first = group.trailing_zeros() as usize;
                    let centre = fine
                        .centre((gy * SUB + first / SUB) * fine.width() + gx * SUB + first % SUB);
                    u8::try_from(code_of(StaticAnswer::at(grids, areas, centre.x, centre.y)))
                        .unwrap_or(FINER_MET)
                });
                for bit in super::bits(group) {
                    codes[bit] = code;
                }
            }
            finer.push(FinerCodes(codes));
        }
        StaticGrid {
            frame,
            cells,
            answers,
            fine,
            met,
            finer,
        }
    }

    /// The byte a batch reads ahead for (lon, lat): the first of its cell.
    #[inline(always)]
    pub(crate) fn cell_ahead(&self, lon: f64, lat: f64) -> &u8 {
        &self.cells[self.frame.cell_of(lon, lat)][0]
    }

    /// The answer at (lon, lat), or `None` where edges meet its finer cell.
    #[inline(always)]
    pub(crate) fn answer(&self, lon: f64, lat: f64) -> Option<&StaticAnswer> {
        let at = self.frame.cell_of(lon, lat);
        let code = u16::from_le_bytes(self.cells[at]);
        if code != MET {
            return self.answers.get(usize::from(code));
        }
        self.finer_answer(at, lon, lat)
    }

    /// The answer at (lon, lat) in cell `at`, coded [`MET`], off its finer
    /// cells.
    #[inline(never)]
    fn finer_answer(&self, at: usize, lon: f64, lat: f64) -> Option<&StaticAnswer> {
        let rank = self.met.before(at);
        // The finer cell the point rounds to, kept within its cell: a point
        // a rounding off the cell's side is within the finer cell's padding.
        let (gx, gy) = self.frame.column_row_of(lon, lat);
        let (fx, fy) = self.fine.column_row_of(lon, lat);
        let sx = fx.saturating_sub(gx * SUB).min(SUB - 1);
        let sy = fy.saturating_sub(gy * SUB).min(SUB - 1);
        match self.finer[rank].0[sy * SUB + sx] {
            FINER_MET => None,
            code => self.answers.get(usize::from(code)),
        }
    }
}

/// The finer cells of a cell's sides, numbered row by row.
const BOTTOM_ROW: u64 = 0xff;
const TOP_ROW: u64 = 0xff << (SUB * (SUB - 1));
const FIRST_COLUMN: u64 = 0x0101_0101_0101_0101;
const LAST_COLUMN: u64 = 0x8080_8080_8080_8080;

/// The bits of `free` joined to `seed` through neighbours side by side, in
/// [`SUB`] × [`SUB`] cells numbered row by row.
fn joined(free: u64, seed: u64) -> u64 {
    let mut group = seed;
    loop {
        let grown = (group
            | (group << 1 & !FIRST_COLUMN)
            | (group >> 1 & !LAST_COLUMN)
            | group << SUB
            | group >> SUB)
            & free;
        if grown == group {
            return group;
        }
        group = grown;
    }
}

/// The edges of a shape's rings (none of length zero).
fn edges_of(shape: &MultiPolygon<f64>) -> impl Iterator<Item = (Coord<f64>, Coord<f64>)> + '_ {
    shape
        .0
        .iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .flat_map(|ring| ring.lines())
        .filter(|e| e.start != e.end)
        .map(|e| (e.start, e.end))
}

#[cfg(test)]
mod built_tests {
    use super::*;
    use crate::model::{Admin1, Controller, Overlay, Territory, Validity};
    use crate::{parse_date, AtlasBuilder};
    use geo::Rect;

    fn boxed(west: f64, south: f64, east: f64, north: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![Rect::new((west, south), (east, north)).to_polygon()])
    }

    fn side(id: &str) -> Controller {
        Controller {
            id: id.into(),
            name: id.into(),
            colour: "#123456".into(),
            allies: Vec::new(),
        }
    }

    fn territory(country: &str, shape: MultiPolygon<f64>) -> Territory {
        Territory {
            country: country.into(),
            name: country.into(),
            shape,
            source: "test".into(),
            accuracy: "exact".into(),
        }
    }

    /// Two squares, with an admin-1 unit or not; `overlays` strips over
    /// them, each a little to the right of the last, so that many overlap.
    fn atlas(with_admin1: bool, overlays: usize) -> crate::Atlas {
        let mut builder = AtlasBuilder::new("Strips", [side("west"), side("east")])
            .territory(territory("west", boxed(0.0, 0.0, 1.0, 1.0)))
            .territory(territory("east", boxed(1.0, 0.0, 2.0, 1.0)))
            .snapshot(
                parse_date("2000-01-01").unwrap(),
                "Start",
                [
                    ("west", boxed(0.0, 0.0, 1.0, 1.0)),
                    ("east", boxed(1.0, 0.0, 2.0, 1.0)),
                ],
            );
        if with_admin1 {
            builder = builder.admin1(Admin1 {
                id: "w1".into(),
                name: "W1".into(),
                name_alt: None,
                country: "west".into(),
                shape: boxed(0.0, 0.0, 0.5, 1.0),
                corrections: None,
                source: "test".into(),
                accuracy: "exact".into(),
            });
        }
        for i in 0..overlays {
            let west = i as f64 * 0.02;
            builder = builder.overlay(Overlay {
                id: format!("strip-{i}"),
                name: format!("Strip {i}"),
                kind: "test".into(),
                validity: Validity::ALWAYS,
                shape: boxed(west, 0.25, west + 0.5, 0.75),
                source: "test".into(),
                accuracy: "exact".into(),
            });
        }
        builder.build().unwrap()
    }

    #[test]
    fn more_than_64_overlays_or_none_answer_as_the_layers_grids() {
        for (with_admin1, overlays) in [(true, 70), (true, 64), (false, 0), (true, 0)] {
            let atlas = atlas(with_admin1, overlays);
            let (layers, cache) = (&atlas.layers, &atlas.layer_cache);
            cache.count_batch(layers, super::super::locate::STATICS_AFTER);
            let statics = cache.statics().expect("built");
            let (grids, areas) = (cache.grids(layers), cache.admin1_areas(layers));
            let view = atlas.at(parse_date("2001-01-01").unwrap()).unwrap();
            let index = crate::index::LocateIndex::new(&view);
            let mut covered = 0;
            for i in 0..2_000 {
                let (lon, lat) = (
                    -0.5 + f64::from(i % 50) * 0.061,
                    -0.2 + f64::from(i / 50) * 0.036,
                );
                let exact = StaticAnswer::at(grids, areas, lon, lat);
                if let Some(answer) = statics.answer(lon, lat) {
                    assert_eq!(*answer, exact, "({lon}, {lat})");
                }
                // Past 64 overlays the masks give way to the overlays' grid.
                assert_eq!(exact.overlays.is_none(), overlays > 64);
                let listed: Vec<&str> = index.locate(lon, lat).overlays().collect();
                let expected: Vec<&str> = layers
                    .overlays
                    .iter()
                    .filter(|o| crate::geometry::covers(&o.shape, geo::Point::new(lon, lat)))
                    .map(|o| o.id.as_str())
                    .collect();
                assert_eq!(listed, expected, "({lon}, {lat})");
                covered += usize::from(listed.len() > 1);
            }
            assert_eq!(
                covered > 100,
                overlays > 0,
                "{covered} points under overlays"
            );
        }
    }
}

// On the bundled layers: the dataset of the `embedded` feature.
#[cfg(all(test, feature = "embedded"))]
mod tests {
    use super::*;
    use crate::index::{LocationRef, RecordError};
    use crate::Atlas;

    /// Seeded uniform points over the bundled region and a margin around it.
    fn random_points(count: usize) -> Vec<(f64, f64)> {
        let mut rng = crate::testing::Xorshift::new(0x9e37_79b9_7f4a_7c15);
        let mut unit = move || rng.unit();
        (0..count)
            .map(|_| (43.0 + unit() * 7.5, 38.0 + unit() * 4.3))
            .collect()
    }

    #[test]
    fn the_grid_answers_as_the_layers_grids_do() {
        let atlas = Atlas::embedded().unwrap();
        let (layers, cache) = (&atlas.layers, &atlas.layer_cache);
        let (grids, areas) = (cache.grids(layers), cache.admin1_areas(layers));
        let statics = StaticGrid::new(layers, grids, areas);
        // Random points, and every vertex of the static layers, a hair off
        // it, and the middle of every edge: the points the grid could get
        // wrong if a cell were marked free of edges by mistake.
        let mut points = random_points(200_000);
        let shapes = (layers.territories.iter().map(|t| &t.shape))
            .chain(layers.admin1.iter().map(|u| &u.shape))
            .chain(layers.overlays.iter().map(|o| &o.shape));
        for (a, b) in shapes.flat_map(edges_of) {
            let middle = (a + b) / 2.0;
            points.extend([(a.x, a.y), (a.x + 1e-9, a.y - 1e-9), (middle.x, middle.y)]);
        }
        // The corners of the finer cells of cells edges meet, and a hair
        // either side of them: where a point's finer cell is decided.
        let fine = statics.fine;
        let half = Coord {
            x: (fine.centre(1).x - fine.centre(0).x) / 2.0,
            y: (fine.centre(fine.width()).y - fine.centre(0).y) / 2.0,
        };
        let met_cells =
            (0..statics.cells.len()).filter(|&at| statics.cells[at] == MET.to_le_bytes());
        for at in met_cells.step_by(7) {
            let (gx, gy) = statics.frame.column_row(at);
            for k in 0..=SUB * SUB {
                let corner =
                    fine.centre((gy * SUB + k / SUB) * fine.width() + gx * SUB + k % SUB) - half;
                for hair in [-1e-12, 0.0, 1e-12] {
                    points.push((corner.x + hair, corner.y - hair));
                }
            }
        }
        let (mut from_grid, mut random) = (0, 0);
        for (i, &(lon, lat)) in points.iter().enumerate() {
            let exact = StaticAnswer::at(grids, areas, lon, lat);
            if let Some(answer) = statics.answer(lon, lat) {
                assert_eq!(*answer, exact, "at ({lon}, {lat})");
                from_grid += 1;
                random += usize::from(i < 200_000);
            }
        }
        // Nearly every random point is answered by the grid alone (about 3.6%
        // fall in cells edges meet, and an eighth of those in finer cells
        // edges meet); and so are most points in the finer cells' corners.
        assert!(random > 198_500, "only {random} random points off the grid");
        assert!(
            from_grid - random > (points.len() - 200_000) / 2,
            "{from_grid} off the grid of {}",
            points.len()
        );
        assert!(statics
            .answers
            .iter()
            .any(|a| a.rayon.is_some() && a.de_jure.is_some()));
        assert!(statics
            .answers
            .iter()
            .any(|a| a.overlays.is_some_and(|m| m != 0)));
    }

    /// A whole answer, owned.
    type Answer<'a> = (
        Option<&'a str>,
        Option<&'a str>,
        Option<&'a str>,
        Vec<&'a str>,
    );

    fn owned<'a>(result: &Result<LocationRef<'a>, RecordError>) -> Result<Answer<'a>, RecordError> {
        result.map(|here| {
            (
                here.controller(),
                here.de_jure(),
                here.rayon(),
                here.overlays().collect(),
            )
        })
    }

    #[test]
    fn batches_answer_the_same_before_and_after_the_grid_is_built() {
        let (built, plain) = (Atlas::embedded().unwrap(), Atlas::embedded().unwrap());
        let dates = ["1994-06-01", "2020-11-15", "2021-06-01", "2023-10-01"]
            .map(|d| crate::parse_date(d).unwrap());
        let records: Vec<_> = random_points(super::super::locate::STATICS_AFTER + 1)
            .into_iter()
            .enumerate()
            .map(|(i, (lon, lat))| (lon, lat, dates[i % dates.len()]))
            .collect();
        let mut out = vec![Err(RecordError::BadCoordinate); records.len()];
        built.locate_each(&records, &mut out).unwrap();
        assert!(built.layer_cache.statics().is_some());
        // The first records again, now on the grid, against an atlas that
        // never built it.
        let sample = &records[..20_000];
        built.locate_each(sample, &mut out[..sample.len()]).unwrap();
        let mut expected = vec![Err(RecordError::BadCoordinate); sample.len()];
        plain.locate_each(sample, &mut expected).unwrap();
        assert!(plain.layer_cache.statics().is_none());
        let mut with_overlays = 0;
        for (i, (got, want)) in out.iter().zip(&expected).enumerate() {
            assert_eq!(owned(got), owned(want), "record {i}: {:?}", records[i]);
            with_overlays += owned(got).is_ok_and(|a| !a.3.is_empty()) as usize;
        }
        assert!(
            with_overlays > 100,
            "only {with_overlays} records under an overlay"
        );
    }
}
