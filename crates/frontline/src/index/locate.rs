//! Point location on a date: the grids of a snapshot's zones and of the
//! static layers, and the answers read off them. Built from the model's
//! values (controllers, zones, territories, units, overlays), not from an
//! atlas: the atlas keeps these grids and hands out [`LocateIndex`]es.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::OnceLock;

use chrono::NaiveDate;
use geo::MultiPolygon;
use rayon::prelude::*;

use super::statics::{StaticAnswer, StaticGrid};
use super::CoverIndex;
use crate::model::{Controller, Layers, Snapshot};

/// Points per parallel task in batch calls.
const BLOCK: usize = 16 * 1024;

/// Records located in batches before the grid of the static layers' answers
/// is built: it takes about 30 ms and saves about 80 ns a record.
pub(super) const STATICS_AFTER: usize = 500_000;

/// The grids of the static layers: de jure territories, admin-1 units and
/// overlays.
#[derive(Debug)]
pub(crate) struct LayerGrids {
    pub(crate) de_jure: CoverIndex,
    pub(crate) admin1: CoverIndex,
    pub(crate) overlays: CoverIndex,
}

impl LayerGrids {
    pub(crate) fn new(layers: &Layers) -> LayerGrids {
        LayerGrids {
            de_jure: CoverIndex::new(layers.territories.iter().map(|t| &t.shape)),
            admin1: CoverIndex::new(layers.admin1.iter().map(|u| &u.shape)),
            overlays: CoverIndex::new(layers.overlays.iter().map(|o| &o.shape)),
        }
    }
}

/// What point location keeps about the static layers, each built on first
/// use: their grids and the area of each admin-1 unit; and once batches have
/// located enough records, the grid of their answers together.
#[derive(Debug, Default)]
pub(crate) struct LayerCache {
    grids: OnceLock<LayerGrids>,
    admin1_areas: OnceLock<Vec<f64>>,
    statics: OnceLock<StaticGrid>,
    /// Records located in batches so far (counted until `statics` is built).
    batched: AtomicUsize,
    /// Whether a thread has begun to build `statics`.
    statics_claimed: AtomicBool,
}

impl LayerCache {
    /// The grids of `layers` (the layers this cache was made for).
    pub(crate) fn grids(&self, layers: &Layers) -> &LayerGrids {
        self.grids.get_or_init(|| LayerGrids::new(layers))
    }

    /// Geodesic area of each admin-1 unit of `layers`, km².
    pub(crate) fn admin1_areas(&self, layers: &Layers) -> &[f64] {
        self.admin1_areas.get_or_init(|| {
            layers
                .admin1
                .iter()
                .map(|u| crate::geometry::area_km2(&u.shape))
                .collect()
        })
    }

    /// Counts a batch of `records` about to be located; once batches have
    /// brought [`STATICS_AFTER`] records, builds the grid of the answers of
    /// `layers` together (a single query, or a few, would not repay it).
    pub(crate) fn count_batch(&self, layers: &Layers, records: usize) {
        if self.statics.get().is_some() {
            return;
        }
        // One thread builds it; the others go on without it meanwhile, as
        // they did before the count was reached (waiting would idle them).
        if self.batched.fetch_add(records, Ordering::Relaxed) + records >= STATICS_AFTER
            && !self.statics_claimed.swap(true, Ordering::AcqRel)
        {
            self.statics.get_or_init(|| {
                StaticGrid::new(layers, self.grids(layers), self.admin1_areas(layers))
            });
        }
    }

    /// The grid of the static layers' answers, if built.
    pub(crate) fn statics(&self) -> Option<&StaticGrid> {
        self.statics.get()
    }
}

/// The grid over one snapshot's zones, in the order of the controllers.
#[derive(Debug)]
pub(crate) struct ZoneGrid {
    pub(crate) cover: CoverIndex,
    /// Index into the controllers of each layer.
    pub(crate) controllers: Vec<u16>,
}

impl ZoneGrid {
    pub(crate) fn new(controllers: &[Controller], snapshot: &Snapshot) -> ZoneGrid {
        let held: Vec<(u16, &MultiPolygon<f64>)> = controllers
            .iter()
            .enumerate()
            .filter_map(|(i, c)| Some((i as u16, &snapshot.zone(&c.id)?.shape)))
            .collect();
        ZoneGrid {
            cover: CoverIndex::new(held.iter().map(|(_, shape)| *shape)),
            controllers: held.iter().map(|(i, _)| *i).collect(),
        }
    }
}

/// What a point is, answered without allocating: ids are borrowed from the
/// atlas. See [`crate::Location`] for the owned, complete answer.
#[derive(Debug, Clone, Copy)]
pub struct LocationRef<'a> {
    layers: &'a Layers,
    cache: &'a LayerCache,
    date: NaiveDate,
    lon: f64,
    lat: f64,
    controller: Option<u16>,
    de_jure: Option<u16>,
    rayon: Option<u32>,
    /// Bit `i` for overlay `i` covering the point (any date); `None` when
    /// there are more than 64 overlays: they are looked up when asked for.
    overlays: Option<u64>,
}

impl<'a> LocationRef<'a> {
    /// De facto controller id; `None` outside the region.
    pub fn controller(&self) -> Option<&'a str> {
        self.controller
            .map(|i| self.layers.controllers[i as usize].id.as_str())
    }

    /// De jure country id; `None` outside every territory.
    pub fn de_jure(&self) -> Option<&'a str> {
        self.de_jure
            .map(|i| self.layers.territories[i as usize].country.as_str())
    }

    /// Name of the smallest admin-1 unit covering the point.
    pub fn rayon(&self) -> Option<&'a str> {
        self.rayon
            .map(|i| self.layers.admin1[i as usize].name.as_str())
    }

    /// Indexes into the layers' lists of the controller, the territory and
    /// the admin-1 unit: what the ids above are read from.
    #[inline]
    pub(crate) fn indexes(&self) -> (Option<u16>, Option<u16>, Option<u32>) {
        (self.controller, self.de_jure, self.rayon)
    }

    /// Bit `i` set for overlay `i` when it covers the point and is in force
    /// on the date; `None` when there are more than 64 overlays.
    #[inline]
    pub(crate) fn overlays_in_force(&self) -> Option<u64> {
        let covering = self.overlays?;
        Some(
            super::bits(covering)
                .filter(|&i| self.layers.overlays[i].validity.contains(self.date))
                .fold(0, |in_force, i| in_force | 1 << i),
        )
    }

    /// Ids of the overlays in force on the date that cover the point.
    pub fn overlays(&self) -> impl Iterator<Item = &'a str> + 'a {
        let (layers, date) = (self.layers, self.date);
        // The covering set where the answer holds it, else the overlays' grid.
        let mut known = self.overlays.map(super::bits);
        let mut looked_up = known.is_none().then(|| {
            self.cache
                .grids(layers)
                .overlays
                .covering(self.lon, self.lat)
        });
        std::iter::from_fn(move || match (&mut known, &mut looked_up) {
            (Some(bits), _) => bits.next(),
            (None, Some(covering)) => covering.next(),
            (None, None) => None,
        })
        .map(move |i| &layers.overlays[i])
        .filter(move |o| o.validity.contains(date))
        .map(|o| o.id.as_str())
    }
}

/// Why one record of a batch has no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RecordError {
    /// Latitude outside [-90, 90] or longitude outside [-180, 180], or not finite.
    #[error("coordinate outside WGS 84 ranges (lat -90..90, lon -180..180)")]
    BadCoordinate,
    /// The date is before the first snapshot.
    #[error("date is before the first snapshot")]
    BeforeFirstSnapshot,
    /// The snapshot in force could not be read (see `frontline validate`).
    #[error("the snapshot in force on that date could not be read")]
    UnreadableSnapshot,
}

/// A point-location handle for one date: the atlas's cached grids for the
/// snapshot and overlays in force then.
///
/// ```
/// use frontline::{Atlas, parse_date, index::LocateIndex};
/// let atlas = Atlas::embedded()?;
/// let view = atlas.at(parse_date("2021-06-01")?)?;
/// let index = LocateIndex::new(&view);
/// assert_eq!(index.controller(46.7528, 39.8177), Some("nkr"));   // Stepanakert
/// assert_eq!(index.controller(46.3382, 39.5129), Some("armenia")); // Goris
/// assert_eq!(index.controller(0.0, 0.0), None);
/// let here = index.locate(46.7528, 39.8177);
/// assert_eq!(here.de_jure(), Some("azerbaijan"));
/// assert!(here.overlays().any(|id| id == "peacekeeping-2020"));
/// # Ok::<(), frontline::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct LocateIndex<'a> {
    layers: &'a Layers,
    cache: &'a LayerCache,
    date: NaiveDate,
    zones: &'a ZoneGrid,
    /// The grid of the static layers' answers, once the cache has one.
    statics: Option<&'a StaticGrid>,
}

impl<'a> LocateIndex<'a> {
    /// The handle on a date's zone grid and the static layers (with their
    /// cache); [`LocateIndex::new`] takes them from a view.
    pub(crate) fn on(
        layers: &'a Layers,
        cache: &'a LayerCache,
        date: NaiveDate,
        zones: &'a ZoneGrid,
    ) -> Self {
        LocateIndex {
            layers,
            cache,
            date,
            zones,
            statics: cache.statics(),
        }
    }

    /// The controller holding (lon, lat), or `None` outside every zone.
    #[inline]
    pub fn controller(&self, lon: f64, lat: f64) -> Option<&'a str> {
        let layer = self.zones.cover.first(lon, lat)?;
        let c = self.zones.controllers[layer] as usize;
        Some(self.layers.controllers[c].id.as_str())
    }

    /// [`LocateIndex::controllers_into`] on the calling thread alone, for
    /// callers that already spread their work over threads (a query engine's
    /// partitions).
    ///
    /// ```
    /// use frontline::{Atlas, parse_date, index::LocateIndex};
    /// let atlas = Atlas::embedded()?;
    /// let view = atlas.at(parse_date("2021-06-01")?)?;
    /// let index = LocateIndex::new(&view);
    /// // Stepanakert, Goris, then beyond every zone.
    /// let points = [(46.7528, 39.8177), (46.3382, 39.5129), (0.0, 0.0)];
    /// let (mut here, mut pooled) = ([None; 3], [None; 3]);
    /// index.controllers_each(&points, &mut here)?;
    /// index.controllers_into(&points, &mut pooled)?;
    /// assert_eq!(here.map(|c| c.map(|c| c.id.as_str())), [Some("nkr"), Some("armenia"), None]);
    /// assert_eq!(here.map(|c| c.map(|c| &c.id)), pooled.map(|c| c.map(|c| &c.id)));
    /// # Ok::<(), frontline::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::BatchLength`] when `out` and `points` differ in length
    /// (nothing is written then).
    pub fn controllers_each(
        &self,
        points: &[(f64, f64)],
        out: &mut [Option<&'a Controller>],
    ) -> crate::error::Result<()> {
        super::same_length(points.len(), out.len())?;
        self.for_each_controller(points, |i, c| out[i] = c);
        Ok(())
    }

    /// Calls `found(i, controller)` for each point `i` in order, on this
    /// thread (`None` outside every zone): [`LocateIndex::controllers_each`]
    /// for callers that put the answers somewhere of their own, such as a
    /// query engine's column, without a slice of answers in between.
    ///
    /// ```
    /// use frontline::{Atlas, parse_date, index::LocateIndex};
    /// let atlas = Atlas::embedded()?;
    /// let view = atlas.at(parse_date("2021-06-01")?)?;
    /// let mut ids = Vec::new();
    /// LocateIndex::new(&view).for_each_controller(&[(46.7528, 39.8177), (0.0, 0.0)], |i, c| {
    ///     ids.push((i, c.map(|c| c.id.as_str())));
    /// });
    /// assert_eq!(ids, [(0, Some("nkr")), (1, None)]);
    /// # Ok::<(), frontline::Error>(())
    /// ```
    pub fn for_each_controller(
        &self,
        points: &[(f64, f64)],
        mut found: impl FnMut(usize, Option<&'a Controller>),
    ) {
        let by_code = self.controller_by_code();
        self.zones
            .cover
            .codes_each(points, |i, code| found(i, by_code[code]));
    }

    /// The controllers of a block of points, on this thread; `by_code` is
    /// [`LocateIndex::controller_by_code`].
    #[inline(always)]
    fn controllers_block(
        &self,
        by_code: &[Option<&'a Controller>],
        points: &[(f64, f64)],
        out: &mut [Option<&'a Controller>],
    ) {
        self.zones
            .cover
            .codes_each(points, |i, code| out[i] = by_code[code]);
    }

    /// The answer of each cell code (first layer + 1, 0 for none).
    fn controller_by_code(&self) -> Vec<Option<&'a Controller>> {
        let controllers = &self.layers.controllers;
        std::iter::once(None)
            .chain(
                self.zones
                    .controllers
                    .iter()
                    .map(|&c| Some(&controllers[c as usize])),
            )
            .collect()
    }

    /// The controller of each (lon, lat), in parallel on rayon's pool, into
    /// `out` (one slot per point; no allocation per point).
    ///
    /// ```
    /// use frontline::{Atlas, parse_date, index::LocateIndex};
    /// let atlas = Atlas::embedded()?;
    /// let view = atlas.at(parse_date("2021-06-01")?)?;
    /// let points = [(46.7528, 39.8177), (46.3382, 39.5129), (0.0, 0.0)];
    /// let mut out = [None; 3];
    /// LocateIndex::new(&view).controllers_into(&points, &mut out)?;
    /// let ids: Vec<_> = out.iter().map(|c| c.map(|c| c.id.as_str())).collect();
    /// assert_eq!(ids, [Some("nkr"), Some("armenia"), None]);
    /// # Ok::<(), frontline::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::BatchLength`] when `out` and `points` differ in length
    /// (nothing is written then).
    pub fn controllers_into(
        &self,
        points: &[(f64, f64)],
        out: &mut [Option<&'a Controller>],
    ) -> crate::error::Result<()> {
        super::same_length(points.len(), out.len())?;
        let by_code = self.controller_by_code();
        // Blocks of plain loops: rayon's per-item machinery costs more than a
        // grid look-up.
        out.par_chunks_mut(BLOCK)
            .zip(points.par_chunks(BLOCK))
            .for_each(|(out, points)| self.controllers_block(&by_code, points, out));
        Ok(())
    }

    /// The controller of (lon, lat) as the manifest gives it.
    #[inline(always)]
    pub(crate) fn controller_entry(&self, lon: f64, lat: f64) -> Option<&'a Controller> {
        let layer = self.zones.cover.first(lon, lat)?;
        Some(&self.layers.controllers[self.zones.controllers[layer] as usize])
    }

    /// The grid cell [`LocateIndex::controller_entry`] reads first for
    /// (lon, lat) (see [`CoverIndex::cells_ahead`]).
    #[inline(always)]
    pub(crate) fn controller_cells_ahead(
        &self,
        lon: f64,
        lat: f64,
        codes: &mut Vec<&'a u8>,
        sets: &mut Vec<&'a u32>,
    ) {
        self.zones.cover.cells_ahead(lon, lat, false, codes, sets);
    }

    /// The grid cells [`LocateIndex::locate`] reads first for (lon, lat)
    /// (see [`CoverIndex::cells_ahead`]).
    #[inline(always)]
    pub(crate) fn cells_ahead(
        &self,
        lon: f64,
        lat: f64,
        codes: &mut Vec<&'a u8>,
        sets: &mut Vec<&'a u32>,
    ) {
        self.zones.cover.cells_ahead(lon, lat, false, codes, sets);
        match self.statics {
            Some(statics) => codes.push(statics.cell_ahead(lon, lat)),
            None => {
                let layers = self.cache.grids(self.layers);
                layers.de_jure.cells_ahead(lon, lat, false, codes, sets);
                layers.admin1.cells_ahead(lon, lat, true, codes, sets);
                layers.overlays.cells_ahead(lon, lat, true, codes, sets);
            }
        }
    }

    /// Controller, de jure country, rayon and overlays of (lon, lat).
    pub fn locate(&self, lon: f64, lat: f64) -> LocationRef<'a> {
        let controller = self
            .zones
            .cover
            .first(lon, lat)
            .map(|l| self.zones.controllers[l]);
        // Off the grid of the static layers' answers, or, where edges meet
        // the point's cell there (or without that grid), off each layer's.
        let fixed = match self.statics.and_then(|statics| statics.answer(lon, lat)) {
            Some(&answer) => answer,
            None => StaticAnswer::at(
                self.cache.grids(self.layers),
                self.cache.admin1_areas(self.layers),
                lon,
                lat,
            ),
        };
        LocationRef {
            layers: self.layers,
            cache: self.cache,
            date: self.date,
            lon,
            lat,
            controller,
            de_jure: fixed.de_jure,
            rayon: fixed.rayon,
            overlays: fixed.overlays,
        }
    }
}
