//! The dataset as a whole, and "as of" look-ups by date.
//!
//! An [`Atlas`] holds the same things whatever they come from: the static
//! layers (controllers, territories, units, overlays, routes, places, events)
//! and one slot per snapshot. A dataset's or an archive's snapshot is read
//! into its slot when first asked for (`load.rs`); an atlas built in memory
//! ([`AtlasBuilder`], `build.rs`) has every slot filled from the start. The
//! queries (`locate.rs` here, and the `stats`, `diff`, `series`, `export`,
//! `route` and `reach` modules) see no difference.

mod build;
mod load;
mod locate;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

use chrono::NaiveDate;

use crate::archive::ArchiveSettings;
use crate::error::{Error, Problem, Result};
use crate::index::{LayerCache, ZoneGrid};
use crate::model::{Admin1, Controller, Event, Layers, Overlay, Place, Route, Snapshot, Territory};
use crate::nearest::EdgeTree;
use crate::source::DataSource;

pub use build::AtlasBuilder;
pub use load::{EVENT_KINDS, FORMAT};

/// A snapshot slot: known from the start, its zones read on first use (or
/// given at once, in memory).
#[derive(Debug)]
pub(crate) struct SnapshotSlot {
    pub(crate) id: String,
    pub(crate) date: NaiveDate,
    pub(crate) label: String,
    /// The file holding it, relative to the dataset root; empty in memory.
    pub(crate) file: String,
    pub(crate) loaded: OnceLock<Result<Snapshot, Problem>>,
    /// Its point-location grid, built on first use.
    pub(crate) grid: OnceLock<ZoneGrid>,
    /// Whether a thread has begun to read the snapshot for `grid` or to
    /// build it (see [`Atlas::claim_grid`]).
    pub(crate) grid_claimed: AtomicBool,
    /// Its zone edges for nearest queries, built on first use.
    pub(crate) edges: OnceLock<EdgeTree>,
}

impl SnapshotSlot {
    /// A slot whose snapshot is read from `file` when first asked for.
    pub(crate) fn lazy(id: String, date: NaiveDate, label: String, file: String) -> Self {
        SnapshotSlot {
            id,
            date,
            label,
            file,
            loaded: OnceLock::new(),
            grid: OnceLock::new(),
            grid_claimed: AtomicBool::new(false),
            edges: OnceLock::new(),
        }
    }

    /// A slot holding `snapshot` already.
    pub(crate) fn filled(snapshot: Snapshot) -> Self {
        SnapshotSlot {
            id: snapshot.id.clone(),
            date: snapshot.date,
            label: snapshot.label.clone(),
            file: String::new(),
            loaded: OnceLock::from(Ok(snapshot)),
            grid: OnceLock::new(),
            grid_claimed: AtomicBool::new(false),
            edges: OnceLock::new(),
        }
    }
}

/// Where an atlas's snapshots come from.
#[derive(Debug)]
pub(crate) enum Origin {
    /// A dataset's files (`data/FORMAT.md`).
    Dataset(DataSource),
    /// A dated archive's files, one a date.
    #[cfg_attr(not(feature = "archive"), allow(dead_code))]
    Archive(DataSource, ArchiveSettings),
    /// Values given to [`AtlasBuilder`]: nothing to read.
    Memory,
}

/// A dated snapshot as listed by the manifest, without its geometry.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct SnapshotInfo {
    /// Snapshot id.
    pub id: String,
    /// First day in force.
    pub date: NaiveDate,
    /// Day the next snapshot takes over, if any.
    pub until: Option<NaiveDate>,
    /// What happened on that date.
    pub label: String,
}

/// A territorial control dataset: controllers, dated snapshots, de jure
/// borders, overlays, routes, places and events.
///
/// Read from files ([`Atlas::embedded`], [`Atlas::open`],
/// [`Atlas::open_archive`]) or built from values ([`AtlasBuilder`]); every
/// query works the same on both.
///
/// ```
/// let atlas = frontline::Atlas::embedded()?;
/// let view = atlas.at(frontline::parse_date("2021-06-01")?)?;
/// assert_eq!(view.snapshot.id, "2021-05-12");
/// # Ok::<(), frontline::Error>(())
/// ```
#[derive(Debug)]
pub struct Atlas {
    /// Dataset name.
    pub name: String,
    /// One-line description.
    pub description: String,
    /// Attribution lines the sources require.
    pub attribution: Vec<String>,
    pub(crate) layers: Layers,
    pub(crate) snapshots: Vec<SnapshotSlot>,
    pub(crate) origin: Origin,
    /// Grids and admin-1 areas of the static layers, built on first use.
    pub(crate) layer_cache: LayerCache,
    /// Route edges for nearest queries, built on first use.
    pub(crate) route_edges: OnceLock<EdgeTree>,
}

/// The control state in force on one date.
#[derive(Debug, Clone)]
pub struct View<'a> {
    /// The date asked for.
    pub date: NaiveDate,
    /// The snapshot in force on that date.
    pub snapshot: &'a Snapshot,
    /// Overlays in force on that date.
    pub overlays: Vec<&'a Overlay>,
    /// The dataset.
    pub atlas: &'a Atlas,
    /// Index of the snapshot in the atlas.
    pub(crate) slot: usize,
}

/// Who holds a point on a date and whose territory it is.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Location {
    /// The date asked for.
    pub date: NaiveDate,
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lon: f64,
    /// De facto controller id; `None` outside the region.
    pub controller: Option<String>,
    /// De jure country id; `None` outside the region.
    pub de_jure: Option<String>,
    /// Name of the admin-1 unit (rayon, marz); `None` outside all of them.
    pub rayon: Option<String>,
    /// Ids of the overlays in force that contain the point.
    pub overlays: Vec<String>,
    /// The nearest ground held by another controller, and how far (the
    /// contact line as seen from the point).
    pub nearest_other: Option<crate::nearest::Nearby>,
    /// The nearest route in force on the date, and how far.
    pub nearest_route: Option<crate::nearest::Nearby>,
}

impl Atlas {
    /// An atlas of `layers` and `snapshots` from `origin`, caches empty.
    pub(crate) fn assemble(
        (name, description, attribution): (String, String, Vec<String>),
        layers: Layers,
        snapshots: Vec<SnapshotSlot>,
        origin: Origin,
    ) -> Atlas {
        Atlas {
            name,
            description,
            attribution,
            layers,
            snapshots,
            origin,
            layer_cache: LayerCache::default(),
            route_edges: OnceLock::new(),
        }
    }

    /// The controllers, in manifest order.
    pub fn controllers(&self) -> &[Controller] {
        &self.layers.controllers
    }

    /// The controller holding whatever no zone covers, for datasets whose
    /// zones do not cover a known region: a dated archive opened without a
    /// region, where it is [`crate::archive::OTHER`]. It is not one of
    /// [`Atlas::controllers`] (nothing is known of its ground, so it has no
    /// area); it appears only in diffs, as where the side's ground came from
    /// or went to.
    pub fn rest_controller(&self) -> Option<&str> {
        match &self.origin {
            Origin::Archive(_, settings) => settings.rest(),
            _ => None,
        }
    }

    /// The controller with this id, or else with this display name (ignoring
    /// case).
    ///
    /// # Errors
    ///
    /// [`Error::UnknownId`] (kind `controller`) listing the ids there are.
    ///
    /// ```
    /// let atlas = frontline::Atlas::embedded()?;
    /// assert_eq!(atlas.controller("nkr")?.id, "nkr");
    /// assert!(atlas.controller("nope").is_err());
    /// # Ok::<(), frontline::Error>(())
    /// ```
    pub fn controller(&self, id: &str) -> Result<&Controller> {
        let controllers = &self.layers.controllers;
        controllers
            .iter()
            .find(|c| c.id == id)
            .or_else(|| {
                let name = id.trim().to_lowercase();
                controllers.iter().find(|c| c.name.to_lowercase() == name)
            })
            .ok_or_else(|| Error::UnknownId {
                kind: "controller",
                id: id.to_owned(),
                suggestions: controllers.iter().map(|c| c.id.clone()).collect(),
            })
    }

    /// The snapshots, by date, without reading their geometry.
    pub fn snapshots(&self) -> Vec<SnapshotInfo> {
        self.snapshots
            .iter()
            .enumerate()
            .map(|(i, slot)| SnapshotInfo {
                id: slot.id.clone(),
                date: slot.date,
                until: self.snapshots.get(i + 1).map(|next| next.date),
                label: slot.label.clone(),
            })
            .collect()
    }

    /// De jure territories.
    pub fn territories(&self) -> &[Territory] {
        &self.layers.territories
    }

    /// Admin-1 units (rayons, marzes).
    pub fn admin1(&self) -> &[Admin1] {
        &self.layers.admin1
    }

    /// All overlays, whatever their validity.
    pub fn overlays(&self) -> &[Overlay] {
        &self.layers.overlays
    }

    /// All routes, whatever their validity.
    pub fn routes(&self) -> &[Route] {
        &self.layers.routes
    }

    /// All places.
    pub fn places(&self) -> &[Place] {
        &self.layers.places
    }

    /// All events, by date as listed.
    pub fn events(&self) -> &[Event] {
        &self.layers.events
    }

    /// Where the files come from; `None` for an atlas built in memory.
    pub fn source(&self) -> Option<&DataSource> {
        match &self.origin {
            Origin::Dataset(source) | Origin::Archive(source, _) => Some(source),
            Origin::Memory => None,
        }
    }

    /// The snapshot in force on `date` with the overlays in force then.
    ///
    /// A date before the first snapshot is an error, not an empty map.
    ///
    /// ```
    /// use frontline::{Atlas, parse_date};
    /// let atlas = Atlas::embedded()?;
    /// assert!(atlas.at(parse_date("1990-01-01")?).is_err());
    /// let view = atlas.at(parse_date("2021-06-01")?)?;
    /// assert!(view.overlays.iter().any(|o| o.kind == "peacekeeping"));
    /// # Ok::<(), frontline::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::BeforeFirstSnapshot`]; [`Error::Dataset`] when the snapshot
    /// in force cannot be read.
    pub fn at(&self, date: NaiveDate) -> Result<View<'_>> {
        let (slot, snapshot) = self.snapshot_in_force(date)?;
        let overlays = self
            .layers
            .overlays
            .iter()
            .filter(|o| o.validity.contains(date))
            .collect();
        Ok(View {
            date,
            snapshot,
            overlays,
            atlas: self,
            slot,
        })
    }

    /// The index and snapshot in force on `date`, without the overlays.
    pub(crate) fn snapshot_in_force(&self, date: NaiveDate) -> Result<(usize, &Snapshot)> {
        let index = self.snapshots.partition_point(|slot| slot.date <= date);
        if index == 0 {
            let first = self
                .snapshots
                .first()
                .map_or(NaiveDate::MAX, |slot| slot.date);
            return Err(Error::BeforeFirstSnapshot { date, first });
        }
        self.usable_snapshot(index - 1)
    }

    /// Reads every snapshot and builds every index point queries use (zone
    /// grids, zone edges, route edges, the static layers' grids), in
    /// parallel, so that no later query pays for a first use. A server
    /// calls this before it takes requests; a one-off query need not.
    ///
    /// ```
    /// use frontline::{Atlas, parse_date};
    /// use frontline::geo::Point;
    /// let atlas = Atlas::embedded()?;
    /// atlas.prepare()?;
    /// let shusha = Point::new(46.7499, 39.7601);
    /// assert_eq!(atlas.locate(shusha, parse_date("2000-01-01")?)?.controller.as_deref(), Some("nkr"));
    /// # Ok::<(), frontline::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Dataset`] for the first snapshot that cannot be read (the
    /// rest are still prepared); an archive opened with `skip_bad` skips
    /// those as its queries do.
    pub fn prepare(&self) -> Result<()> {
        use rayon::prelude::*;
        let skip_bad = matches!(&self.origin, Origin::Archive(_, a) if a.skip_bad);
        self.layer_cache.grids(&self.layers);
        self.admin1_areas();
        self.route_edges();
        let results: Vec<Result<()>> = (0..self.snapshots.len())
            .into_par_iter()
            .map(|index| {
                let snapshot = self.snapshot_at_index(index)?;
                self.zone_grid(index, snapshot);
                self.zone_edges(index, snapshot);
                Ok(())
            })
            .filter(|result| !(skip_bad && result.is_err()))
            .collect();
        results.into_iter().collect()
    }

    /// The point-location grid of the snapshot at `slot`.
    pub(crate) fn zone_grid(&self, slot: usize, snapshot: &Snapshot) -> &ZoneGrid {
        let slot = &self.snapshots[slot];
        slot.grid.get_or_init(|| {
            slot.grid_claimed.store(true, Ordering::Release);
            ZoneGrid::new(&self.layers.controllers, snapshot)
        })
    }

    /// Whether this thread may use the grid of the snapshot at `slot` now:
    /// it is built, or no thread had begun it (reading the snapshot or
    /// building the grid) and this one now has. `false` while another thread
    /// has it in hand, so that a batch can answer its other records first
    /// instead of waiting: threads starting on the same records then build
    /// different grids.
    pub(crate) fn claim_grid(&self, slot: usize) -> bool {
        let slot = &self.snapshots[slot];
        slot.grid.get().is_some() || !slot.grid_claimed.swap(true, Ordering::AcqRel)
    }

    /// Geodesic area of each admin-1 unit, in km².
    pub(crate) fn admin1_areas(&self) -> &[f64] {
        self.layer_cache.admin1_areas(&self.layers)
    }

    /// The zone edges of the snapshot at `slot`, for nearest queries.
    pub(crate) fn zone_edges(&self, slot: usize, snapshot: &Snapshot) -> &EdgeTree {
        self.snapshots[slot]
            .edges
            .get_or_init(|| EdgeTree::of_zones(snapshot))
    }

    /// Every route's edges, for nearest queries.
    pub(crate) fn route_edges(&self) -> &EdgeTree {
        self.route_edges
            .get_or_init(|| EdgeTree::of_routes(&self.layers.routes))
    }

    /// The snapshot with this id, reading it if needed.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownId`] (kind `snapshot`); [`Error::Dataset`] when it
    /// cannot be read.
    pub fn snapshot(&self, id: &str) -> Result<&Snapshot> {
        let index = self
            .snapshots
            .iter()
            .position(|slot| slot.id == id)
            .ok_or_else(|| Error::UnknownId {
                kind: "snapshot",
                id: id.to_owned(),
                suggestions: self.snapshots.iter().map(|s| s.id.clone()).collect(),
            })?;
        self.snapshot_at_index(index)
    }

    /// The snapshot at `index`, or with `skip_bad` (archives) the latest
    /// readable one before it.
    pub(crate) fn usable_snapshot(&self, mut index: usize) -> Result<(usize, &Snapshot)> {
        let skip_bad = matches!(&self.origin, Origin::Archive(_, a) if a.skip_bad);
        loop {
            match self.snapshot_at_index(index) {
                Err(_) if skip_bad && index > 0 => index -= 1,
                result => return result.map(|snapshot| (index, snapshot)),
            }
        }
    }

    /// Repairs made in the snapshots read so far (dated archives: see
    /// [`crate::ingest`]), in date order.
    pub fn repairs(&self) -> Vec<Problem> {
        self.snapshots
            .iter()
            .filter_map(|slot| slot.loaded.get()?.as_ref().ok())
            .flat_map(|snapshot| snapshot.repairs.iter().cloned())
            .collect()
    }

    /// What a dated archive left out or found odd: files skipped when it was
    /// opened (no date, an impossible date, a date taken twice: under
    /// `skip_bad`), then, for the files read so far, files with no features
    /// and ground outside the region, in date order. Empty for a dataset.
    pub fn warnings(&self) -> Vec<Problem> {
        match &self.origin {
            Origin::Archive(_, archive) => {
                let mut keyed = archive
                    .warnings
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .clone();
                // Stable: a file's own warnings keep their order.
                keyed.sort_by_key(|(date, _)| *date);
                keyed.into_iter().map(|(_, w)| w).collect()
            }
            _ => Vec::new(),
        }
    }

    /// Snapshots read so far that could not be read (skipped under
    /// `skip_bad`), with why.
    pub fn unreadable(&self) -> Vec<Problem> {
        self.snapshots
            .iter()
            .filter_map(|slot| slot.loaded.get()?.as_ref().err().cloned())
            .collect()
    }

    fn snapshot_at_index(&self, index: usize) -> Result<&Snapshot> {
        let slot = &self.snapshots[index];
        slot.loaded
            .get_or_init(|| self.read_snapshot(slot))
            .as_ref()
            .map_err(|problem| Error::Dataset(problem.clone()))
    }

    /// Finds a place by id, name or alias, ignoring case.
    ///
    /// ```
    /// let atlas = frontline::Atlas::embedded()?;
    /// assert_eq!(atlas.place("Khankendi")?.id, "stepanakert");
    /// assert!(atlas.place("Atlantis").is_err());
    /// # Ok::<(), frontline::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::UnknownPlace`] with similar names.
    pub fn place(&self, name: &str) -> Result<&Place> {
        self.layers
            .places
            .iter()
            .find(|place| place.is_called(name))
            .ok_or_else(|| Error::UnknownPlace {
                name: name.to_owned(),
                suggestions: self.similar_place_names(name),
            })
    }

    fn similar_place_names(&self, name: &str) -> Vec<String> {
        let wanted = name.to_lowercase();
        let prefix: String = wanted.chars().take(3).collect();
        self.layers
            .places
            .iter()
            .flat_map(|place| std::iter::once(&place.name).chain(&place.aliases))
            .filter(|candidate| !prefix.is_empty() && candidate.to_lowercase().starts_with(&prefix))
            .take(5)
            .cloned()
            .collect()
    }
}
