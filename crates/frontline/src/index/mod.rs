//! Fast point location: [`CoverIndex`] (`cover.rs`, any polygon layers) and
//! the answers on a date read off it (`locate.rs`).
//!
//! [`CoverIndex`] is a uniform grid over a list of polygon layers. A cell that
//! no layer edge crosses knows at once which layers cover it; a cell crossed
//! by edges keeps only those edges and the layers containing its centre, and a
//! query there counts the edges crossed between the centre and the point.
//! Points exactly on an edge (and the rare query the grid cannot decide with
//! a sign test) fall back to the exact rule, so the answer always equals the
//! exact "covers" test: a point on a boundary is covered by every layer whose
//! boundary it lies on.
//!
//! The hot path reads one byte a cell (the first covering layer), and the
//! grid has an empty ring of cells around the layers, so a point beyond it
//! is clamped in rather than tested. Where no two layers overlap away from
//! their edges (zones, countries) that byte is all a cell holds; otherwise
//! each cell also keeps an index into the grid's distinct covering sets. A
//! crossed cell's edges are found by its rank among the crossed cells (a
//! bitmap with counts), and the cells are filled a run at a time: a row's
//! cells between two crossings of its centre line share one set. Batch calls fetch the cells of a few
//! hundred points before deciding any, so the reads overlap.
//!
//! The atlas builds one grid per snapshot (its zones) and one each for de
//! jure territories, admin-1 units and overlays, on first use, and keeps
//! them. Once batches have located enough records, it also builds one grid of
//! the static layers' answers together (`statics.rs`): a cell that no edge
//! of theirs meets holds de jure country, rayon and overlays at once, so a
//! batch reads one cell a point for them; a cell edges meet is cut into
//! finer cells that do the same, and the layers' own grids answer only
//! where edges meet the finer cell. [`LocateIndex`] is a cheap handle on those
//! grids for one date, and [`crate::Atlas::locate_many`] answers batches of
//! (lon, lat, date) records in parallel with no allocation per point.

mod cover;
mod locate;
mod statics;

pub use cover::CoverIndex;
pub(crate) use locate::{LayerCache, ZoneGrid};
pub use locate::{LocateIndex, LocationRef, RecordError};

/// The set bits of `mask`, lowest first: the layers of a covering set.
#[inline(always)]
pub(crate) fn bits(mut mask: u64) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (mask != 0).then(|| {
            let bit = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            bit
        })
    })
}

/// A batch call's output must be as long as its input.
pub(crate) fn same_length(inputs: usize, slots: usize) -> crate::error::Result<()> {
    if inputs == slots {
        Ok(())
    } else {
        Err(crate::error::Error::BatchLength { inputs, slots })
    }
}
