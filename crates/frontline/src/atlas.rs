//! The dataset as a whole: loading, and "as of" look-ups by date.

use std::collections::HashSet;
use std::path::Path;
use std::sync::OnceLock;

use chrono::NaiveDate;
use geo::{BoundingRect, Intersects, Point, Rect};

use crate::error::{Error, Problem, Result};
use crate::layer::{parse_collection, FeatureFields};
use crate::model::{Admin1, Controller, Event, Overlay, Place, Route, Snapshot, Territory, Zone};
use crate::source::DataSource;

/// The format tag a manifest must carry.
pub const FORMAT: &str = "frontline-dataset/1";

#[derive(serde::Deserialize)]
struct Manifest {
    format: String,
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    attribution: Vec<String>,
    controllers: Vec<Controller>,
    snapshots: Vec<SnapshotEntry>,
    layers: Layers,
}

#[derive(serde::Deserialize)]
struct SnapshotEntry {
    id: String,
    date: String,
    #[serde(default)]
    label: String,
    file: String,
}

#[derive(serde::Deserialize)]
struct Layers {
    de_jure: String,
    admin1: Option<String>,
    overlays: Option<String>,
    routes: Option<String>,
    places: Option<String>,
    events: Option<String>,
}

/// The event kinds of the format (`data/FORMAT.md`).
pub const EVENT_KINDS: [&str; 8] = [
    "blockade",
    "checkpoint",
    "closure",
    "reopening",
    "handover",
    "offensive",
    "ceasefire",
    "other",
];

/// A snapshot known from the manifest; its zones are read on first use.
#[derive(Debug)]
pub(crate) struct SnapshotSlot {
    pub(crate) id: String,
    pub(crate) date: NaiveDate,
    pub(crate) label: String,
    pub(crate) file: String,
    pub(crate) loaded: OnceLock<Result<Snapshot, Problem>>,
    /// Its point-location grid, built on first use.
    pub(crate) grid: OnceLock<crate::index::ZoneGrid>,
    /// Its zone edges for nearest queries, built on first use.
    pub(crate) edges: OnceLock<crate::nearest::EdgeTree>,
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
    pub(crate) controllers: Vec<Controller>,
    pub(crate) snapshots: Vec<SnapshotSlot>,
    pub(crate) territories: Vec<Territory>,
    pub(crate) admin1: Vec<Admin1>,
    pub(crate) overlays: Vec<Overlay>,
    pub(crate) routes: Vec<Route>,
    pub(crate) places: Vec<Place>,
    pub(crate) events: Vec<Event>,
    pub(crate) source: DataSource,
    /// Set when the snapshots are files of a dated archive.
    pub(crate) archive: Option<crate::archive::ArchiveSettings>,
    /// Geodesic area of each admin-1 unit, computed on first use.
    pub(crate) admin1_areas: OnceLock<Vec<f64>>,
    /// Point-location grids of the static layers, built on first use.
    pub(crate) layer_grids: OnceLock<crate::index::LayerGrids>,
    /// Route edges for nearest queries, built on first use.
    pub(crate) route_edges: OnceLock<crate::nearest::EdgeTree>,
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
    /// The bundled Nagorno-Karabakh dataset compiled into the library.
    pub fn embedded() -> Result<Atlas> {
        Atlas::load(DataSource::Embedded)
    }

    /// A dataset directory holding `manifest.json` (see `data/FORMAT.md`).
    pub fn open(dir: impl AsRef<Path>) -> Result<Atlas> {
        Atlas::load(DataSource::Directory(dir.as_ref().to_path_buf()))
    }

    /// Loads the manifest and every layer but the snapshots, which are read
    /// when first asked for. Fails on the first problem found.
    pub fn load(source: DataSource) -> Result<Atlas> {
        source.check_present()?;
        let mut problems = Vec::new();
        let atlas = Atlas::read(source, &mut problems);
        match (atlas, problems.is_empty()) {
            (Some(atlas), true) => Ok(atlas),
            _ => Err(Error::Dataset(problems.swap_remove(0))),
        }
    }

    fn read(source: DataSource, problems: &mut Vec<Problem>) -> Option<Atlas> {
        let text = source
            .read("manifest.json")
            .map_err(|p| problems.push(p))
            .ok()?;
        let manifest: Manifest = serde_json::from_str(&text)
            .map_err(|error| {
                problems.push(Problem::file(
                    "manifest.json",
                    format!("expected a frontline dataset manifest: {error}"),
                ))
            })
            .ok()?;
        if manifest.format != FORMAT {
            problems.push(Problem::file(
                "manifest.json",
                format!(
                    "field `format`: expected {FORMAT:?}, found {:?}",
                    manifest.format
                ),
            ));
        }
        let controllers = read_controllers(&manifest.controllers, problems);
        let snapshots = read_snapshot_entries(&manifest.snapshots, problems);
        let known: HashSet<&str> = controllers.iter().map(|c| c.id.as_str()).collect();

        let layers = &manifest.layers;
        let territories = read_layer(&source, Some(&layers.de_jure), problems, |f| Territory {
            country: f.string("country"),
            name: f.string("name"),
            shape: f.areal(),
            source: f.string("source"),
            accuracy: f.string("accuracy"),
        });
        check_ids(
            &layers.de_jure,
            territories.iter().map(|t| ("country", t.country.as_str())),
            &known,
            problems,
        );
        let admin1 = read_layer(&source, layers.admin1.as_ref(), problems, |f| Admin1 {
            id: f.string("id"),
            name: f.string("name"),
            name_alt: f.optional_string("name_alt"),
            country: f.string("country"),
            shape: f.areal(),
            corrections: f.optional_string("corrections"),
            source: f.string("source"),
            accuracy: f.string("accuracy"),
        });
        let overlays = read_layer(&source, layers.overlays.as_ref(), problems, |f| Overlay {
            id: f.string("id"),
            name: f.string("name"),
            kind: f.string("kind"),
            validity: f.validity(),
            shape: f.areal(),
            source: f.string("source"),
            accuracy: f.string("accuracy"),
        });
        let routes = read_layer(&source, layers.routes.as_ref(), problems, |f| Route {
            id: f.string("id"),
            name: f.string("name"),
            validity: f.validity(),
            corridor: f.optional_string("corridor"),
            line: f.line(),
            source: f.string("source"),
            accuracy: f.string("accuracy"),
        });
        let places = read_layer(&source, layers.places.as_ref(), problems, |f| Place {
            id: f.string("id"),
            name: f.string("name"),
            aliases: f.strings("aliases"),
            country: f.string("country"),
            admin1: f.optional_string("admin1"),
            point: f.point(),
            source: f.string("source"),
            accuracy: f.string("accuracy"),
        });
        let events = read_layer(&source, layers.events.as_ref(), problems, |f| Event {
            id: f.string("id"),
            date: f.date("date"),
            until: f.optional_date("until"),
            title: f.string("title"),
            kind: f.string("kind"),
            routes: f.strings("routes"),
            location: f.optional_point(false),
            source: f.string("source"),
        });

        let atlas = Atlas {
            name: manifest.name,
            description: manifest.description,
            attribution: manifest.attribution,
            controllers,
            snapshots,
            territories,
            admin1,
            overlays,
            routes,
            places,
            events,
            source,
            archive: None,
            admin1_areas: OnceLock::new(),
            layer_grids: OnceLock::new(),
            route_edges: OnceLock::new(),
        };
        atlas.check_references(layers, problems);
        Some(atlas)
    }

    fn check_references(&self, layers: &Layers, problems: &mut Vec<Problem>) {
        let file = |name: &Option<String>| name.clone().unwrap_or_default();
        let admin1: HashSet<&str> = self.admin1.iter().map(|a| a.id.as_str()).collect();
        let overlays: HashSet<&str> = self.overlays.iter().map(|o| o.id.as_str()).collect();
        let routes: HashSet<&str> = self.routes.iter().map(|r| r.id.as_str()).collect();
        let countries: HashSet<&str> = self
            .territories
            .iter()
            .map(|t| t.country.as_str())
            .collect();
        unique_ids(
            &file(&layers.admin1),
            self.admin1.iter().map(|a| a.id.as_str()),
            problems,
        );
        unique_ids(
            &file(&layers.overlays),
            self.overlays.iter().map(|o| o.id.as_str()),
            problems,
        );
        unique_ids(
            &file(&layers.routes),
            self.routes.iter().map(|r| r.id.as_str()),
            problems,
        );
        unique_ids(
            &file(&layers.places),
            self.places.iter().map(|p| p.id.as_str()),
            problems,
        );
        unique_ids(
            &file(&layers.events),
            self.events.iter().map(|e| e.id.as_str()),
            problems,
        );
        for (i, route) in self.routes.iter().enumerate() {
            if let Some(corridor) = &route.corridor {
                if !overlays.contains(corridor.as_str()) {
                    problems.push(Problem::feature(
                        file(&layers.routes),
                        i,
                        Some("corridor"),
                        format!("expected an overlay id, found {corridor:?}"),
                    ));
                }
            }
        }
        for (i, place) in self.places.iter().enumerate() {
            if !countries.contains(place.country.as_str()) {
                problems.push(Problem::feature(
                    file(&layers.places),
                    i,
                    Some("country"),
                    format!(
                        "expected a country of the de_jure layer, found {:?}",
                        place.country
                    ),
                ));
            }
            if let Some(unit) = &place.admin1 {
                if !admin1.contains(unit.as_str()) {
                    problems.push(Problem::feature(
                        file(&layers.places),
                        i,
                        Some("admin1"),
                        format!("expected an admin1 id, found {unit:?}"),
                    ));
                }
            }
        }
        for (i, event) in self.events.iter().enumerate() {
            for route in &event.routes {
                if !routes.contains(route.as_str()) {
                    problems.push(Problem::feature(
                        file(&layers.events),
                        i,
                        Some("routes"),
                        format!("expected route ids, found unknown {route:?}"),
                    ));
                }
            }
        }
    }

    /// The controllers, in manifest order.
    pub fn controllers(&self) -> &[Controller] {
        &self.controllers
    }

    /// The controller holding whatever no zone covers, for datasets whose
    /// zones do not cover a known region (a dated archive without a region).
    pub fn rest_controller(&self) -> Option<&str> {
        self.archive.as_ref().and_then(|a| a.rest())
    }

    /// The controller with this id.
    pub fn controller(&self, id: &str) -> Result<&Controller> {
        self.controllers
            .iter()
            .find(|c| c.id == id)
            .ok_or_else(|| Error::UnknownId {
                kind: "controller",
                id: id.to_owned(),
                suggestions: self.controllers.iter().map(|c| c.id.clone()).collect(),
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
        &self.territories
    }

    /// Admin-1 units (rayons, marzes).
    pub fn admin1(&self) -> &[Admin1] {
        &self.admin1
    }

    /// All overlays, whatever their validity.
    pub fn overlays(&self) -> &[Overlay] {
        &self.overlays
    }

    /// All routes, whatever their validity.
    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// All places.
    pub fn places(&self) -> &[Place] {
        &self.places
    }

    /// All events, by date as listed.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Where the files come from.
    pub fn source(&self) -> &DataSource {
        &self.source
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
    pub fn at(&self, date: NaiveDate) -> Result<View<'_>> {
        let (slot, snapshot) = self.snapshot_in_force(date)?;
        let overlays = self
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

    /// The point-location grid of the snapshot at `slot`.
    pub(crate) fn zone_grid(&self, slot: usize, snapshot: &Snapshot) -> &crate::index::ZoneGrid {
        self.snapshots[slot]
            .grid
            .get_or_init(|| crate::index::ZoneGrid::new(self, snapshot))
    }

    /// Geodesic area of each admin-1 unit, in km².
    pub(crate) fn admin1_areas(&self) -> &[f64] {
        self.admin1_areas.get_or_init(|| {
            self.admin1
                .iter()
                .map(|u| crate::geometry::area_km2(&u.shape))
                .collect()
        })
    }

    /// The zone edges of the snapshot at `slot`, for nearest queries.
    pub(crate) fn zone_edges(&self, slot: usize, snapshot: &Snapshot) -> &crate::nearest::EdgeTree {
        self.snapshots[slot]
            .edges
            .get_or_init(|| crate::nearest::EdgeTree::of_zones(snapshot))
    }

    /// Every route's edges, for nearest queries.
    pub(crate) fn route_edges(&self) -> &crate::nearest::EdgeTree {
        self.route_edges
            .get_or_init(|| crate::nearest::EdgeTree::of_routes(self))
    }

    /// The point-location grids of de jure territories, admin-1 units and overlays.
    pub(crate) fn layer_grids(&self) -> &crate::index::LayerGrids {
        self.layer_grids
            .get_or_init(|| crate::index::LayerGrids::new(self))
    }

    /// The snapshot with this id, reading it if needed.
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
    fn usable_snapshot(&self, mut index: usize) -> Result<(usize, &Snapshot)> {
        let skip_bad = self.archive.as_ref().is_some_and(|a| a.skip_bad);
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
    /// and ground outside the region. Empty for a dataset.
    pub fn warnings(&self) -> Vec<Problem> {
        self.archive.as_ref().map_or_else(Vec::new, |archive| {
            archive
                .warnings
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone()
        })
    }

    /// Snapshots read so far that could not be read (skipped under
    /// `--skip-bad`), with why.
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

    pub(crate) fn read_snapshot(&self, slot: &SnapshotSlot) -> Result<Snapshot, Problem> {
        if let Some(archive) = &self.archive {
            return archive.read_snapshot(&self.source, slot);
        }
        let (snapshot, problems) = self.read_snapshot_all(slot);
        match problems.into_iter().next() {
            Some(problem) => Err(problem),
            None => Ok(snapshot),
        }
    }

    /// A dataset snapshot with every problem found in it; the zones that
    /// could be read are there whatever the problems.
    fn read_snapshot_all(&self, slot: &SnapshotSlot) -> (Snapshot, Vec<Problem>) {
        let mut problems = Vec::new();
        let zones = read_layer(&self.source, Some(&slot.file), &mut problems, |f| Zone {
            controller: f.string("controller"),
            shape: f.areal(),
            source: f.string("source"),
            accuracy: f.string("accuracy"),
        });
        let known: HashSet<&str> = self.controllers.iter().map(|c| c.id.as_str()).collect();
        check_ids(
            &slot.file,
            zones.iter().map(|z| ("controller", z.controller.as_str())),
            &known,
            &mut problems,
        );
        unique_ids(
            &slot.file,
            zones.iter().map(|z| z.controller.as_str()),
            &mut problems,
        );
        let snapshot = Snapshot {
            id: slot.id.clone(),
            date: slot.date,
            label: slot.label.clone(),
            zones,
            repairs: Vec::new(),
        };
        (snapshot, problems)
    }

    /// Finds a place by id, name or alias, ignoring case.
    ///
    /// ```
    /// let atlas = frontline::Atlas::embedded()?;
    /// assert_eq!(atlas.place("Khankendi")?.id, "stepanakert");
    /// assert!(atlas.place("Atlantis").is_err());
    /// # Ok::<(), frontline::Error>(())
    /// ```
    pub fn place(&self, name: &str) -> Result<&Place> {
        self.places
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
        self.places
            .iter()
            .flat_map(|place| std::iter::once(&place.name).chain(&place.aliases))
            .filter(|candidate| !prefix.is_empty() && candidate.to_lowercase().starts_with(&prefix))
            .take(5)
            .cloned()
            .collect()
    }

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
    pub fn locate(&self, point: Point<f64>, date: NaiveDate) -> Result<Location> {
        check_point(point)?;
        let view = self.at(date)?;
        Ok(view.locate(point))
    }

    /// Reads every layer and every snapshot and lists every problem: malformed
    /// files, unknown ids, invalid polygons, and zones that do not partition
    /// the region.
    pub fn validate(source: DataSource) -> Result<crate::validate::Report> {
        crate::validate::validate(source)
    }

    pub(crate) fn read_all(source: DataSource, problems: &mut Vec<Problem>) -> Option<Atlas> {
        source
            .check_present()
            .map_err(|e| problems.push(Problem::file("manifest.json", e.to_string())))
            .ok()?;
        let atlas = Atlas::read(source, problems)?;
        // Every problem of every snapshot; the zones that could be read are
        // kept, so that the partition is checked whatever else is wrong.
        for slot in &atlas.snapshots {
            let (snapshot, found) = atlas.read_snapshot_all(slot);
            // A file that cannot be read at all has no zones to check.
            let unreadable = found.iter().find(|p| p.feature.is_none()).cloned();
            problems.extend(found);
            let _ = slot.loaded.set(match unreadable {
                Some(problem) => Err(problem),
                None => Ok(snapshot),
            });
        }
        atlas.check_format(problems);
        Some(atlas)
    }

    /// What the format (`data/FORMAT.md`) requires beyond what loading
    /// needs: every event's `accuracy`, event kinds from the format's list,
    /// every place's `aliases` and `admin1`.
    fn check_format(&self, problems: &mut Vec<Problem>) {
        let Ok(manifest) = self
            .source
            .read("manifest.json")
            .map_err(|_| ())
            .and_then(|text| serde_json::from_str::<Manifest>(&text).map_err(|_| ()))
        else {
            return;
        };
        let layers = &manifest.layers;
        read_layer(&self.source, layers.events.as_ref(), problems, |f| {
            f.string("accuracy");
            // Not a string at all: loading has said so already.
            let kind = f.raw("kind").and_then(|k| k.as_str()).unwrap_or_default();
            if !kind.trim().is_empty() && !EVENT_KINDS.contains(&kind) {
                f.problem(
                    "kind",
                    format!("expected one of {}, found {kind:?}", EVENT_KINDS.join(", ")),
                );
            }
        });
        read_layer(&self.source, layers.places.as_ref(), problems, |f| {
            f.required("aliases");
            f.required("admin1");
        });
    }
}

impl<'a> View<'a> {
    /// Who holds `point` on this view's date; see [`Atlas::locate`]. Answered
    /// from the atlas's point-location grids (built on first use, then kept).
    pub fn locate(&self, point: Point<f64>) -> Location {
        let here = crate::index::LocateIndex::new(self).locate(point.x(), point.y());
        Location {
            date: self.date,
            lat: point.y(),
            lon: point.x(),
            controller: here.controller().map(str::to_owned),
            de_jure: here.de_jure().map(str::to_owned),
            rayon: here.rayon().map(str::to_owned),
            overlays: here.overlays().map(str::to_owned).collect(),
            nearest_other: self.nearest_other(point, here.controller()),
            nearest_route: self.nearest_route(point),
        }
    }

    /// The controller holding `point` by the plain scan: the first controller
    /// in manifest order whose zone covers it.
    ///
    /// ```
    /// use frontline::{Atlas, parse_date};
    /// let atlas = Atlas::embedded()?;
    /// let view = atlas.at(parse_date("2021-06-01")?)?;
    /// assert_eq!(view.controller_exact(frontline::geo::Point::new(46.7528, 39.8177)), Some("nkr"));
    /// # Ok::<(), frontline::Error>(())
    /// ```
    pub fn controller_exact(&self, point: Point<f64>) -> Option<&'a str> {
        self.atlas
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
    pub fn locate_exact(&self, point: Point<f64>) -> Location {
        let controller = self.controller_exact(point).map(str::to_owned);
        let areas = self.atlas.admin1_areas();
        let rayon = self
            .atlas
            .admin1
            .iter()
            .enumerate()
            .filter(|(_, unit)| covers(&unit.shape, point))
            .min_by(|(a, _), (b, _)| areas[*a].total_cmp(&areas[*b]))
            .map(|(_, unit)| unit.name.clone());
        Location {
            date: self.date,
            lat: point.y(),
            lon: point.x(),
            nearest_other: self.nearest_other(point, controller.as_deref()),
            nearest_route: self.nearest_route(point),
            controller,
            de_jure: self.de_jure_exact(point).map(str::to_owned),
            rayon,
            overlays: self.overlays_exact(point).map(str::to_owned).collect(),
        }
    }

    /// The de jure country of `point` by the plain scan.
    pub(crate) fn de_jure_exact(&self, point: Point<f64>) -> Option<&'a str> {
        self.atlas
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
}

/// Checks a (lon, lat) point is finite and within WGS 84 ranges.
pub(crate) fn check_point(point: Point<f64>) -> Result<()> {
    let (lon, lat) = (point.x(), point.y());
    if !(lat.is_finite() && (-90.0..=90.0).contains(&lat)) {
        return Err(Error::BadCoordinate(format!(
            "latitude {lat} is outside [-90, 90]"
        )));
    }
    if !(lon.is_finite() && (-180.0..=180.0).contains(&lon)) {
        return Err(Error::BadCoordinate(format!(
            "longitude {lon} is outside [-180, 180]"
        )));
    }
    Ok(())
}

/// Whether the closed area of `shape` holds `point`.
pub(crate) fn covers(shape: &geo::MultiPolygon<f64>, point: Point<f64>) -> bool {
    let inside_box = |rect: Rect<f64>| {
        let (min, max) = (rect.min(), rect.max());
        point.x() >= min.x && point.x() <= max.x && point.y() >= min.y && point.y() <= max.y
    };
    shape.bounding_rect().is_some_and(inside_box) && shape.intersects(&point)
}

fn read_controllers(entries: &[Controller], problems: &mut Vec<Problem>) -> Vec<Controller> {
    let mut seen = HashSet::new();
    for (i, c) in entries.iter().enumerate() {
        let at = |field: &str, message: String| {
            Problem::file(
                "manifest.json",
                format!("controllers[{i}].{field}: {message}"),
            )
        };
        if c.id.is_empty()
            || !c
                .id
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_')
        {
            problems.push(at("id", format!("expected [a-z0-9_]+, found {:?}", c.id)));
        }
        if !seen.insert(c.id.as_str()) {
            problems.push(at("id", format!("duplicate controller id {:?}", c.id)));
        }
        for ally in &c.allies {
            if !entries.iter().any(|other| &other.id == ally) {
                let mut known: Vec<&str> = entries.iter().map(|c| c.id.as_str()).collect();
                known.sort_unstable();
                problems.push(at(
                    "allies",
                    format!(
                        "expected controller ids ({}), found unknown {ally:?}",
                        known.join(", ")
                    ),
                ));
            }
        }
        let hex = c
            .colour
            .strip_prefix('#')
            .is_some_and(|h| h.len() == 6 && h.chars().all(|ch| ch.is_ascii_hexdigit()));
        if !hex {
            problems.push(at(
                "colour",
                format!("expected #rrggbb, found {:?}", c.colour),
            ));
        }
    }
    entries.to_vec()
}

fn read_snapshot_entries(
    entries: &[SnapshotEntry],
    problems: &mut Vec<Problem>,
) -> Vec<SnapshotSlot> {
    let mut slots: Vec<SnapshotSlot> = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        let Ok(date) = crate::parse_date(&entry.date) else {
            problems.push(Problem::file(
                "manifest.json",
                format!(
                    "snapshots[{i}].date: expected YYYY-MM-DD, found {:?}",
                    entry.date
                ),
            ));
            continue;
        };
        if let Some(previous) = slots.last() {
            if previous.date >= date {
                problems.push(Problem::file("manifest.json", format!("snapshots[{i}].date: expected a date after {}, found {date}; list snapshots by date, one per date", previous.date)));
            }
        }
        if slots.iter().any(|s| s.id == entry.id) {
            problems.push(Problem::file(
                "manifest.json",
                format!("snapshots[{i}].id: duplicate id {:?}", entry.id),
            ));
        }
        slots.push(SnapshotSlot {
            id: entry.id.clone(),
            date,
            label: entry.label.clone(),
            file: entry.file.clone(),
            loaded: OnceLock::new(),
            grid: OnceLock::new(),
            edges: OnceLock::new(),
        });
    }
    if slots.is_empty() && problems.is_empty() {
        problems.push(Problem::file(
            "manifest.json",
            "snapshots: expected at least one snapshot",
        ));
    }
    slots
}

fn read_layer<T>(
    source: &DataSource,
    file: Option<&String>,
    problems: &mut Vec<Problem>,
    mut item: impl FnMut(&mut FeatureFields) -> T,
) -> Vec<T> {
    let Some(file) = file else { return Vec::new() };
    let collection = match source
        .read(file)
        .and_then(|text| parse_collection(file, &text))
    {
        Ok(collection) => collection,
        Err(problem) => {
            problems.push(problem);
            return Vec::new();
        }
    };
    let mut items = Vec::with_capacity(collection.features.len());
    for (index, feature) in collection.features.iter().enumerate() {
        let mut fields = FeatureFields::new(file, index, feature);
        let value = item(&mut fields);
        problems.append(&mut fields.problems);
        items.push(value);
    }
    items
}

fn check_ids<'a>(
    file: &str,
    ids: impl Iterator<Item = (&'a str, &'a str)>,
    known: &HashSet<&str>,
    problems: &mut Vec<Problem>,
) {
    for (index, (field, id)) in ids.enumerate() {
        if !id.is_empty() && !known.contains(id) {
            let mut list: Vec<&str> = known.iter().copied().collect();
            list.sort_unstable();
            problems.push(Problem::feature(
                file,
                index,
                Some(field),
                format!(
                    "expected a controller id ({}), found {id:?}",
                    list.join(", ")
                ),
            ));
        }
    }
}

fn unique_ids<'a>(file: &str, ids: impl Iterator<Item = &'a str>, problems: &mut Vec<Problem>) {
    let mut seen = HashSet::new();
    for (index, id) in ids.enumerate() {
        if !id.is_empty() && !seen.insert(id) {
            problems.push(Problem::feature(
                file,
                index,
                None,
                format!("duplicate id {id:?}; ids must be unique in a layer"),
            ));
        }
    }
}
