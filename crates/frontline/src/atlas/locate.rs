//! Point queries on an atlas: who holds a point, whose territory it is, what
//! is near it. Thin calls into [`crate::index`] (grids) and
//! [`crate::nearest`] (edge trees), which the atlas keeps per snapshot.
//!
//! Adds [`Atlas::locate`], [`Atlas::locate_many`], [`View::locate`],
//! [`View::locate_exact`], [`View::nearest_other`], [`View::nearest_route`].

use chrono::NaiveDate;
use geo::Point;
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::geometry::{check_point, covers};
use crate::index::{LocateIndex, LocationRef, RecordError, ZoneGrid};
use crate::nearest::{self, Nearby};

use super::{Atlas, Location, View};

/// Records per parallel task in batch calls.
const BLOCK: usize = 16 * 1024;

impl Atlas {
    /// Who holds `point` (lon, lat) on `date`, whose territory it is, which
    /// rayon and which overlays contain it.
    ///
    /// A point on the boundary between two zones goes to the controller listed
    /// first in the manifest; likewise for de jure borders and rayons (the
    /// smallest containing rayon wins, so a city unit beats its rayon).
    ///
    /// ```
    /// use frontline::{Atlas, parse_date};
    /// use frontline::geo::Point;
    /// let atlas = Atlas::embedded()?;
    /// let goris = Point::new(46.3382, 39.5129);
    /// let here = atlas.locate(goris, parse_date("2000-01-01")?)?;
    /// assert_eq!(here.controller.as_deref(), Some("armenia"));
    /// assert_eq!(here.de_jure.as_deref(), Some("armenia"));
    /// # Ok::<(), frontline::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::BadCoordinate`] for a point outside WGS 84 ranges or not
    /// finite; as [`Atlas::at`] for the date.
    pub fn locate(&self, point: Point<f64>, date: NaiveDate) -> Result<Location> {
        check_point(point)?;
        self.at(date)?.locate(point)
    }

    /// Locates a batch of (lon, lat, date) records in parallel, one answer per
    /// record into `out`, with no allocation per record. Grids are built on
    /// first use and kept.
    ///
    /// ```
    /// use frontline::{Atlas, parse_date, index::RecordError};
    /// let atlas = Atlas::embedded()?;
    /// let records = [
    ///     (46.7499, 39.7601, parse_date("2000-01-01")?), // Shusha
    ///     (46.7499, 39.7601, parse_date("2021-06-01")?),
    ///     (46.7499, 39.7601, parse_date("1990-01-01")?),
    ///     (46.7499, 99.0, parse_date("2021-06-01")?),
    /// ];
    /// let mut out = vec![Err(RecordError::BadCoordinate); records.len()];
    /// atlas.locate_many(&records, &mut out)?;
    /// let mut short = vec![Err(RecordError::BadCoordinate); 2];
    /// assert!(atlas.locate_many(&records, &mut short).is_err());
    /// assert_eq!(out[0].as_ref().unwrap().controller(), Some("nkr"));
    /// assert_eq!(out[1].as_ref().unwrap().controller(), Some("azerbaijan"));
    /// assert_eq!(out[2].as_ref().unwrap_err(), &RecordError::BeforeFirstSnapshot);
    /// assert_eq!(out[3].as_ref().unwrap_err(), &RecordError::BadCoordinate);
    /// # Ok::<(), frontline::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::BatchLength`] when `out` and `records` differ in length
    /// (nothing is written then).
    pub fn locate_many<'a>(
        &'a self,
        records: &[(f64, f64, NaiveDate)],
        out: &mut [Result<LocationRef<'a>, RecordError>],
    ) -> crate::error::Result<()> {
        crate::index::same_length(records.len(), out.len())?;
        out.par_chunks_mut(BLOCK)
            .zip(records.par_chunks(BLOCK))
            .for_each(|(out, records)| self.locate_block(records, out));
        Ok(())
    }

    /// [`Atlas::locate_many`] on the calling thread alone, for callers that
    /// already spread their work over threads.
    ///
    /// ```
    /// use frontline::{Atlas, parse_date, index::RecordError};
    /// let atlas = Atlas::embedded()?;
    /// let records = [(46.7499, 39.7601, parse_date("2000-01-01")?)]; // Shusha
    /// let mut out = vec![Err(RecordError::BadCoordinate); 1];
    /// atlas.locate_each(&records, &mut out)?;
    /// assert_eq!(out[0].as_ref().unwrap().controller(), Some("nkr"));
    /// # Ok::<(), frontline::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::BatchLength`] when `out` and `records` differ in length
    /// (nothing is written then).
    pub fn locate_each<'a>(
        &'a self,
        records: &[(f64, f64, NaiveDate)],
        out: &mut [Result<LocationRef<'a>, RecordError>],
    ) -> crate::error::Result<()> {
        crate::index::same_length(records.len(), out.len())?;
        self.locate_block(records, out);
        Ok(())
    }

    /// The controller of each (lon, lat, date) record on the calling thread
    /// (`None` outside every zone), with no allocation per record: the
    /// question of [`Atlas::locate_each`] without the rest of the answer, for
    /// callers that count by controller over many rows (a query engine's
    /// batches).
    ///
    /// ```
    /// use frontline::{Atlas, parse_date, index::RecordError};
    /// let atlas = Atlas::embedded()?;
    /// let records = [
    ///     (46.7499, 39.7601, parse_date("2000-01-01")?), // Shusha
    ///     (46.7499, 39.7601, parse_date("2021-06-01")?),
    ///     (0.0, 0.0, parse_date("2021-06-01")?),
    ///     (46.7499, 39.7601, parse_date("1990-01-01")?),
    /// ];
    /// let mut out = vec![Err(RecordError::BadCoordinate); records.len()];
    /// atlas.controllers_each(&records, &mut out)?;
    /// let ids: Vec<_> = out.iter().map(|c| c.map(|c| c.map(|c| c.id.as_str()))).collect();
    /// assert_eq!(ids, [Ok(Some("nkr")), Ok(Some("azerbaijan")), Ok(None), Err(RecordError::BeforeFirstSnapshot)]);
    /// # Ok::<(), frontline::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::BatchLength`] when `out` and `records` differ in length
    /// (nothing is written then).
    pub fn controllers_each<'a>(
        &'a self,
        records: &[(f64, f64, NaiveDate)],
        out: &mut [Result<Option<&'a crate::Controller>, RecordError>],
    ) -> crate::error::Result<()> {
        crate::index::same_length(records.len(), out.len())?;
        self.in_force_block(
            records,
            out,
            |index, lon, lat, codes, sets| index.controller_cells_ahead(lon, lat, codes, sets),
            |index, lon, lat| index.controller_entry(lon, lat),
        );
        Ok(())
    }

    /// Whole answers for records a few at a time; see
    /// [`Atlas::in_force_block`].
    fn locate_block<'a>(
        &'a self,
        records: &[(f64, f64, NaiveDate)],
        out: &mut [Result<LocationRef<'a>, RecordError>],
    ) {
        self.layer_cache.count_batch(&self.layers, records.len());
        self.in_force_block(
            records,
            out,
            |index, lon, lat, codes, sets| index.cells_ahead(lon, lat, codes, sets),
            |index, lon, lat| index.locate(lon, lat),
        );
    }

    /// `answer` for each record on the grids in force on its date, records
    /// a few at a time: first the grid cells they will read (`ahead`) are
    /// gathered and read in one tight loop, then the records are answered.
    /// Random points miss the cache in each of the grids a whole answer
    /// reads (zones, de jure, rayons, overlays); read together, the misses
    /// overlap.
    ///
    /// A record whose grid another thread is building waits to the end
    /// (see [`Atlas::claim_grid`]).
    #[inline(always)]
    fn in_force_block<'a, T>(
        &'a self,
        records: &[(f64, f64, NaiveDate)],
        out: &mut [Result<T, RecordError>],
        ahead: impl Fn(&LocateIndex<'a>, f64, f64, &mut Vec<&'a u8>, &mut Vec<&'a u32>),
        answer: impl Fn(&LocateIndex<'a>, f64, f64) -> T,
    ) {
        let mut later = Vec::new();
        self.in_force_pass(records, out, &ahead, &answer, Some(&mut later));
        if !later.is_empty() {
            self.in_force_later(records, out, &later, &ahead, &answer);
        }
    }

    /// [`Atlas::in_force_block`] for the records at `later`, waiting for
    /// their grids.
    #[cold]
    #[inline(never)]
    fn in_force_later<'a, T>(
        &'a self,
        records: &[(f64, f64, NaiveDate)],
        out: &mut [Result<T, RecordError>],
        later: &[usize],
        ahead: &impl Fn(&LocateIndex<'a>, f64, f64, &mut Vec<&'a u8>, &mut Vec<&'a u32>),
        answer: &impl Fn(&LocateIndex<'a>, f64, f64) -> T,
    ) {
        let waited: Vec<_> = later.iter().map(|&i| records[i]).collect();
        let mut answers: Vec<Result<T, RecordError>> = (0..waited.len())
            .map(|_| Err(RecordError::BadCoordinate))
            .collect();
        self.in_force_pass(&waited, &mut answers, ahead, answer, None);
        for (&i, answer) in later.iter().zip(answers) {
            out[i] = answer;
        }
    }

    /// One pass of [`Atlas::in_force_block`]: with `later`, a record whose
    /// grid another thread is building is left out (`out` untouched) and
    /// its place pushed there; without, it waits for the grid.
    #[inline(always)]
    fn in_force_pass<'a, T>(
        &'a self,
        records: &[(f64, f64, NaiveDate)],
        out: &mut [Result<T, RecordError>],
        ahead: &impl Fn(&LocateIndex<'a>, f64, f64, &mut Vec<&'a u8>, &mut Vec<&'a u32>),
        answer: &impl Fn(&LocateIndex<'a>, f64, f64) -> T,
        mut later: Option<&mut Vec<usize>>,
    ) {
        const AHEAD: usize = 32;
        let mut indexes: [Option<LocateIndex<'a>>; AHEAD] = [None; AHEAD];
        let mut codes: Vec<&'a u8> = Vec::with_capacity(4 * AHEAD);
        let mut sets: Vec<&'a u32> = Vec::with_capacity(4 * AHEAD);
        // The snapshot in force on a date, found in a compact list of
        // their first days; its zone grid looked up once a call.
        let starts: Vec<NaiveDate> = self.snapshots.iter().map(|slot| slot.date).collect();
        let mut grids: Vec<Option<Result<&'a ZoneGrid, RecordError>>> = vec![None; starts.len()];
        for (chunk, (out, records)) in out.chunks_mut(AHEAD).zip(records.chunks(AHEAD)).enumerate()
        {
            codes.clear();
            sets.clear();
            for (k, &(lon, lat, date)) in records.iter().enumerate() {
                indexes[k] = None;
                if check_point(Point::new(lon, lat)).is_err() {
                    out[k] = Err(RecordError::BadCoordinate);
                    continue;
                }
                let after = starts.partition_point(|&start| start <= date);
                if let Some(later) = later.as_deref_mut() {
                    if after > 0 && grids[after - 1].is_none() && !self.claim_grid(after - 1) {
                        later.push(chunk * AHEAD + k);
                        continue;
                    }
                }
                let index = match after {
                    0 => Err(RecordError::BeforeFirstSnapshot),
                    after => (*grids[after - 1].get_or_insert_with(|| {
                        self.usable_snapshot(after - 1)
                            .map(|(slot, snapshot)| self.zone_grid(slot, snapshot))
                            .map_err(|_| RecordError::UnreadableSnapshot)
                    }))
                    .map(|grid| LocateIndex::on(&self.layers, &self.layer_cache, date, grid)),
                };
                match index {
                    Ok(index) => {
                        ahead(&index, lon, lat, &mut codes, &mut sets);
                        indexes[k] = Some(index);
                    }
                    Err(e) => out[k] = Err(e),
                }
            }
            let mut seen = 0u32;
            for &code in &codes {
                seen ^= u32::from(*code);
            }
            for &set in &sets {
                seen ^= *set;
            }
            std::hint::black_box(seen);
            for (k, &(lon, lat, _)) in records.iter().enumerate() {
                if let Some(index) = indexes[k] {
                    out[k] = Ok(answer(&index, lon, lat));
                }
            }
        }
    }

    /// One record of [`Atlas::locate_many`].
    pub fn locate_record(
        &self,
        lon: f64,
        lat: f64,
        date: NaiveDate,
    ) -> Result<LocationRef<'_>, RecordError> {
        if check_point(Point::new(lon, lat)).is_err() {
            return Err(RecordError::BadCoordinate);
        }
        let view = self.view_at(date)?;
        Ok(view.locate(lon, lat))
    }

    /// The handle for `date` without building a [`View`] (no allocation).
    fn view_at(&self, date: NaiveDate) -> Result<LocateIndex<'_>, RecordError> {
        let (slot, snapshot) = self.snapshot_in_force(date).map_err(|e| match e {
            Error::BeforeFirstSnapshot { .. } => RecordError::BeforeFirstSnapshot,
            _ => RecordError::UnreadableSnapshot,
        })?;
        Ok(LocateIndex::on(
            &self.layers,
            &self.layer_cache,
            date,
            self.zone_grid(slot, snapshot),
        ))
    }
}

impl<'a> View<'a> {
    /// Who holds `point` on this view's date; see [`Atlas::locate`]. Answered
    /// from the atlas's point-location grids (built on first use, then kept).
    ///
    /// # Errors
    ///
    /// [`Error::BadCoordinate`] for a point outside WGS 84 ranges or not
    /// finite.
    pub fn locate(&self, point: Point<f64>) -> Result<Location> {
        check_point(point)?;
        let here = LocateIndex::new(self).locate(point.x(), point.y());
        Ok(Location {
            date: self.date,
            lat: point.y(),
            lon: point.x(),
            controller: here.controller().map(str::to_owned),
            de_jure: here.de_jure().map(str::to_owned),
            rayon: here.rayon().map(str::to_owned),
            overlays: here.overlays().map(str::to_owned).collect(),
            nearest_other: self.nearest_other_unchecked(point, here.controller()),
            nearest_route: self.nearest_route_unchecked(point),
        })
    }

    /// The controller holding `point` by the plain scan: the first controller
    /// in manifest order whose zone covers it.
    ///
    /// ```
    /// use frontline::{Atlas, parse_date};
    /// let atlas = Atlas::embedded()?;
    /// let view = atlas.at(parse_date("2021-06-01")?)?;
    /// assert_eq!(view.controller_exact(frontline::geo::Point::new(46.7528, 39.8177))?, Some("nkr"));
    /// # Ok::<(), frontline::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::BadCoordinate`] for a point outside WGS 84 ranges or not
    /// finite.
    pub fn controller_exact(&self, point: Point<f64>) -> Result<Option<&'a str>> {
        check_point(point)?;
        Ok(self.holder_exact(point))
    }

    /// [`View::controller_exact`] of a point known to be valid.
    pub(crate) fn holder_exact(&self, point: Point<f64>) -> Option<&'a str> {
        self.atlas
            .layers
            .controllers
            .iter()
            .find(|c| {
                self.snapshot
                    .zone(&c.id)
                    .is_some_and(|zone| covers(&zone.shape, point))
            })
            .map(|c| c.id.as_str())
    }

    /// The same answer as [`View::locate`] by the plain scan: every zone,
    /// territory, unit and overlay tested in turn. The reference the grids are
    /// checked against, and cheaper for a handful of points than building them.
    ///
    /// # Errors
    ///
    /// [`Error::BadCoordinate`] for a point outside WGS 84 ranges or not
    /// finite.
    pub fn locate_exact(&self, point: Point<f64>) -> Result<Location> {
        check_point(point)?;
        let controller = self.holder_exact(point).map(str::to_owned);
        let areas = self.atlas.admin1_areas();
        let rayon = self
            .atlas
            .layers
            .admin1
            .iter()
            .enumerate()
            .filter(|(_, unit)| covers(&unit.shape, point))
            .min_by(|(a, _), (b, _)| areas[*a].total_cmp(&areas[*b]))
            .map(|(_, unit)| unit.name.clone());
        Ok(Location {
            date: self.date,
            lat: point.y(),
            lon: point.x(),
            nearest_other: self.nearest_other_unchecked(point, controller.as_deref()),
            nearest_route: self.nearest_route_unchecked(point),
            controller,
            de_jure: self.de_jure_exact(point).map(str::to_owned),
            rayon,
            overlays: self.overlays_exact(point).map(str::to_owned).collect(),
        })
    }

    /// The de jure country of `point` by the plain scan.
    pub(crate) fn de_jure_exact(&self, point: Point<f64>) -> Option<&'a str> {
        self.atlas
            .layers
            .territories
            .iter()
            .find(|t| covers(&t.shape, point))
            .map(|t| t.country.as_str())
    }

    /// Ids of the overlays in force covering `point`, by the plain scan.
    pub(crate) fn overlays_exact(&self, point: Point<f64>) -> impl Iterator<Item = &'a str> + '_ {
        self.overlays
            .iter()
            .filter(move |o| covers(&o.shape, point))
            .map(|o| o.id.as_str())
    }

    /// The nearest ground held by a controller other than `holder` (the
    /// point's own, or `None` for a point outside every zone): who holds it
    /// and how far it is; `None` when no other controller holds any. Zones
    /// partition the region, so that is the distance to the nearest edge of
    /// another controller's zone.
    ///
    /// ```
    /// use frontline::{Atlas, parse_date};
    /// use frontline::geo::Point;
    /// let atlas = Atlas::embedded()?;
    /// let view = atlas.at(parse_date("2021-06-01")?)?;
    /// let martuni = Point::new(47.1099, 39.7955);
    /// let near = view.nearest_other(martuni, Some("nkr"))?.unwrap();
    /// // The line of contact runs a few km east of the town.
    /// assert_eq!(near.id, "azerbaijan");
    /// assert!(near.km > 1.0 && near.km < 10.0, "{}", near.km);
    /// # Ok::<(), frontline::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::BadCoordinate`] for a point outside WGS 84 ranges or not
    /// finite.
    pub fn nearest_other(&self, point: Point<f64>, holder: Option<&str>) -> Result<Option<Nearby>> {
        check_point(point)?;
        Ok(self.nearest_other_unchecked(point, holder))
    }

    fn nearest_other_unchecked(&self, point: Point<f64>, holder: Option<&str>) -> Option<Nearby> {
        let tree = self.atlas.zone_edges(self.slot, self.snapshot);
        nearest::nearest_other(tree, self.snapshot, point, holder)
    }

    /// The nearest route in force on this view's date, and how far it is;
    /// `None` when no route is in force.
    ///
    /// ```
    /// use frontline::{Atlas, parse_date};
    /// use frontline::geo::Point;
    /// let atlas = Atlas::embedded()?;
    /// let lachin = Point::new(46.5466, 39.6380);
    /// let near = atlas.at(parse_date("2021-06-01")?)?.nearest_route(lachin)?.unwrap();
    /// assert_eq!(near.id, "lachin-road-2020");
    /// assert!(near.km < 2.0, "{}", near.km);
    /// # Ok::<(), frontline::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::BadCoordinate`] for a point outside WGS 84 ranges or not
    /// finite.
    pub fn nearest_route(&self, point: Point<f64>) -> Result<Option<Nearby>> {
        check_point(point)?;
        Ok(self.nearest_route_unchecked(point))
    }

    fn nearest_route_unchecked(&self, point: Point<f64>) -> Option<Nearby> {
        nearest::nearest_route(
            self.atlas.route_edges(),
            self.atlas.routes(),
            self.date,
            point,
        )
    }
}

impl<'a> LocateIndex<'a> {
    /// The handle for the view's date; builds the snapshot's grid on first use
    /// (a few ms for the bundled snapshots), then reuses it.
    pub fn new(view: &View<'a>) -> Self {
        let atlas = view.atlas;
        LocateIndex::on(
            &atlas.layers,
            &atlas.layer_cache,
            view.date,
            atlas.zone_grid(view.slot, view.snapshot),
        )
    }
}

#[cfg(all(test, feature = "embedded"))]
mod tests {
    use super::*;
    use crate::parse_date;

    /// A batch leaves the records whose grid another thread has in hand to
    /// the end, and answers them then as it would have at once.
    #[test]
    fn records_whose_grid_is_being_built_elsewhere_wait_to_the_end() {
        let atlas = Atlas::embedded().unwrap();
        let (war, peace) = (
            parse_date("2021-06-01").unwrap(),
            parse_date("2000-01-01").unwrap(),
        );
        let (slot, _) = atlas.snapshot_in_force(war).unwrap();
        // As another thread would when it begins the grid.
        assert!(atlas.claim_grid(slot));
        assert!(!atlas.claim_grid(slot), "claimed twice");
        let shusha = (46.7499, 39.7601);
        let records = [
            (shusha.0, shusha.1, peace),
            (shusha.0, shusha.1, war),
            (0.0, 0.0, war),
            (46.3382, 39.5129, war), // Goris
            (shusha.0, shusha.1, parse_date("1990-01-01").unwrap()),
        ];
        let mut out = vec![Err(RecordError::UnreadableSnapshot); records.len()];
        let mut later = Vec::new();
        atlas.in_force_pass(
            &records,
            &mut out,
            &|index, lon, lat, codes, sets| index.cells_ahead(lon, lat, codes, sets),
            &|index, lon, lat| index.locate(lon, lat),
            Some(&mut later),
        );
        assert_eq!(later, [1, 2, 3]);
        assert!(atlas.snapshots[slot].grid.get().is_none(), "built anyway");
        assert_eq!(
            out[1].err(),
            Some(RecordError::UnreadableSnapshot),
            "answered"
        );
        assert_eq!(out[0].unwrap().controller(), Some("nkr"));
        assert_eq!(out[4].err(), Some(RecordError::BeforeFirstSnapshot));

        // The whole batch: the waiting records answered last (here the grid
        // is built then, as no thread is building it).
        let mut out = vec![Err(RecordError::UnreadableSnapshot); records.len()];
        atlas.locate_each(&records, &mut out).unwrap();
        let controllers: Vec<_> = out
            .iter()
            .map(|r| r.map(|here| here.controller()))
            .collect();
        assert_eq!(
            controllers,
            [
                Ok(Some("nkr")),
                Ok(Some("azerbaijan")),
                Ok(None),
                Ok(Some("armenia")),
                Err(RecordError::BeforeFirstSnapshot)
            ]
        );
        assert!(atlas.snapshots[slot].grid.get().is_some());
        assert!(atlas.claim_grid(slot), "built: free to use");
    }
}
