//! Reading a dataset's files (`data/FORMAT.md`) or a dated archive into an
//! [`Atlas`]: the manifest and small layers at once, each snapshot on first
//! use; and [`Atlas::validate`], every problem of every file.

use std::path::Path;

#[cfg(feature = "archive")]
use crate::archive::ArchiveOptions;
use crate::error::{Error, Problem, Result};
use crate::layer::{parse_collection, FeatureFields};
use crate::model::{
    Admin1, Controller, Event, Layers, Overlay, Place, Route, Snapshot, Territory, Zone,
};
use crate::source::DataSource;
use crate::validate::{self, LayerFiles, Report};

use super::{Atlas, Origin, SnapshotSlot};

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
    layers: ManifestLayers,
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
struct ManifestLayers {
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

impl Atlas {
    /// The bundled Nagorno-Karabakh dataset compiled into the library.
    ///
    /// # Errors
    ///
    /// [`Error::NoEmbeddedDataset`] when built without the `embedded`
    /// feature.
    pub fn embedded() -> Result<Atlas> {
        Atlas::load(DataSource::Embedded)
    }

    /// A dataset directory holding `manifest.json` (see `data/FORMAT.md`).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the directory holds no manifest;
    /// [`Error::Dataset`] with the first problem of the dataset.
    pub fn open(dir: impl AsRef<Path>) -> Result<Atlas> {
        Atlas::load(DataSource::Directory(dir.as_ref().to_path_buf()))
    }

    /// Loads the manifest and every layer but the snapshots, which are read
    /// when first asked for. Fails on the first problem found.
    ///
    /// # Errors
    ///
    /// As [`Atlas::open`] and [`Atlas::embedded`].
    pub fn load(source: DataSource) -> Result<Atlas> {
        source.check_present()?;
        let mut problems = Vec::new();
        let atlas = Atlas::read(source, &mut problems);
        match (atlas, problems.is_empty()) {
            (Some(atlas), true) => Ok(atlas),
            _ => Err(Error::Dataset(problems.swap_remove(0))),
        }
    }

    /// Opens a dated archive directory as an atlas (see [`crate::archive`]).
    #[cfg(feature = "archive")]
    ///
    /// ```
    /// use frontline::archive::ArchiveOptions;
    /// let dir = std::env::temp_dir().join(format!("frontline-archive-doc-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir).unwrap();
    /// let cell = r#"{"type":"Polygon","coordinates":[[[0,0],[0.1,0],[0.1,0.1],[0,0.1],[0,0]]]}"#;
    /// std::fs::write(dir.join("held_20220301.geojson"), cell).unwrap();
    /// let atlas = frontline::Atlas::open_archive(&dir, &ArchiveOptions::new("North"))?;
    /// let view = atlas.at(frontline::parse_date("2022-03-05")?)?;
    /// assert!((view.area_km2("north")? - 123.09).abs() < 0.01);
    /// assert!((view.area_km2("North")? - 123.09).abs() < 0.01); // its display name
    /// // No region: nothing is known of the rest, so there is no `other` to measure.
    /// assert!(view.area_km2("other").is_err());
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// # Ok::<(), frontline::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::BadDatePattern`]; [`Error::Io`] when the directory cannot be
    /// listed; [`Error::Dataset`] when no file has a date, a file's date is
    /// bad or taken twice (unless `skip_bad`), or the region cannot be read.
    pub fn open_archive(dir: impl AsRef<Path>, options: &ArchiveOptions) -> Result<Atlas> {
        let dir = dir.as_ref();
        let opened = crate::archive::open(dir, options)?;
        let snapshots = opened
            .files
            .into_iter()
            .map(|f| SnapshotSlot::lazy(f.date.to_string(), f.date, f.name.clone(), f.name))
            .collect();
        let layers = Layers {
            controllers: opened.controllers,
            territories: opened.territories,
            ..Layers::default()
        };
        Ok(Atlas::assemble(
            (opened.name, opened.description, Vec::new()),
            layers,
            snapshots,
            Origin::Archive(DataSource::Directory(dir.to_path_buf()), opened.settings),
        ))
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
        validate::check_controllers("manifest.json", &manifest.controllers, problems);
        let snapshots = read_snapshot_entries(&manifest.snapshots, problems);
        let files = manifest.layers.files();
        let layers = read_layers(&source, &manifest.layers, manifest.controllers, problems);
        validate::check_references(&layers, &files, problems);
        Some(Atlas::assemble(
            (manifest.name, manifest.description, manifest.attribution),
            layers,
            snapshots,
            Origin::Dataset(source),
        ))
    }

    pub(crate) fn read_snapshot(&self, slot: &SnapshotSlot) -> Result<Snapshot, Problem> {
        match &self.origin {
            Origin::Archive(source, archive) => archive.read_snapshot(
                source.directory().unwrap_or(Path::new(".")),
                &slot.file,
                slot.date,
            ),
            Origin::Dataset(source) => {
                let (snapshot, problems) = self.read_snapshot_all(source, slot);
                match problems.into_iter().next() {
                    Some(problem) => Err(problem),
                    None => Ok(snapshot),
                }
            }
            // Every slot of an atlas built in memory is filled when built.
            Origin::Memory => Err(Problem::file(
                format!("snapshot {}", slot.id),
                "no zones were given for this snapshot",
            )),
        }
    }

    /// A dataset snapshot with every problem found in it; the zones that
    /// could be read are there whatever the problems.
    fn read_snapshot_all(
        &self,
        source: &DataSource,
        slot: &SnapshotSlot,
    ) -> (Snapshot, Vec<Problem>) {
        let mut problems = Vec::new();
        let zones = read_layer(source, Some(&slot.file), &mut problems, |f| Zone {
            controller: f.string("controller"),
            shape: f.areal(),
            source: f.string("source"),
            accuracy: f.string("accuracy"),
        });
        let snapshot = Snapshot {
            id: slot.id.clone(),
            date: slot.date,
            label: slot.label.clone(),
            zones,
            repairs: Vec::new(),
        };
        validate::check_zones(&slot.file, &snapshot, self.controllers(), &mut problems);
        (snapshot, problems)
    }

    /// Reads every layer and every snapshot and lists every problem: malformed
    /// files, unknown ids, invalid polygons, and zones that do not partition
    /// the region.
    ///
    /// # Errors
    ///
    /// None today: every problem is in the report.
    pub fn validate(source: DataSource) -> Result<Report> {
        let mut problems = Vec::new();
        let Some(atlas) = Atlas::read_all(source, &mut problems) else {
            return Ok(Report {
                problems,
                partitions: Vec::new(),
                counts: Vec::new(),
            });
        };
        validate::check_layer_shapes(&atlas.layers, &mut problems);
        let region = validate::region(atlas.territories());
        let mut partitions = Vec::new();
        for info in atlas.snapshots() {
            let Ok(snapshot) = atlas.snapshot(&info.id) else {
                continue;
            };
            partitions.push(validate::check_snapshot(snapshot, &region, &mut problems));
        }
        Ok(Report {
            problems,
            partitions,
            counts: atlas.counts(),
        })
    }

    /// Counts of what the atlas holds: `(layer, features)`.
    pub(crate) fn counts(&self) -> Vec<(String, usize)> {
        vec![
            ("snapshots".to_owned(), self.snapshots.len()),
            ("de_jure".to_owned(), self.territories().len()),
            ("admin1".to_owned(), self.admin1().len()),
            ("overlays".to_owned(), self.overlays().len()),
            ("routes".to_owned(), self.routes().len()),
            ("places".to_owned(), self.places().len()),
            ("events".to_owned(), self.events().len()),
        ]
    }

    fn read_all(source: DataSource, problems: &mut Vec<Problem>) -> Option<Atlas> {
        source
            .check_present()
            .map_err(|e| problems.push(Problem::file("manifest.json", e.to_string())))
            .ok()?;
        let atlas = Atlas::read(source.clone(), problems)?;
        // Every problem of every snapshot; the zones that could be read are
        // kept, so that the partition is checked whatever else is wrong.
        for slot in &atlas.snapshots {
            let (snapshot, found) = atlas.read_snapshot_all(&source, slot);
            // A file that cannot be read at all has no zones to check.
            let unreadable = found.iter().find(|p| p.feature.is_none()).cloned();
            problems.extend(found);
            let _ = slot.loaded.set(match unreadable {
                Some(problem) => Err(problem),
                None => Ok(snapshot),
            });
        }
        check_format(&source, problems);
        Some(atlas)
    }
}

impl ManifestLayers {
    fn files(&self) -> LayerFiles {
        let file = |name: &Option<String>| name.clone().unwrap_or_default();
        LayerFiles {
            de_jure: self.de_jure.clone(),
            admin1: file(&self.admin1),
            overlays: file(&self.overlays),
            routes: file(&self.routes),
            places: file(&self.places),
            events: file(&self.events),
        }
    }
}

/// The layers the manifest lists, read into the model.
fn read_layers(
    source: &DataSource,
    layers: &ManifestLayers,
    controllers: Vec<Controller>,
    problems: &mut Vec<Problem>,
) -> Layers {
    let territories = read_layer(source, Some(&layers.de_jure), problems, |f| Territory {
        country: f.string("country"),
        name: f.string("name"),
        shape: f.areal(),
        source: f.string("source"),
        accuracy: f.string("accuracy"),
    });
    let admin1 = read_layer(source, layers.admin1.as_ref(), problems, |f| Admin1 {
        id: f.string("id"),
        name: f.string("name"),
        name_alt: f.optional_string("name_alt"),
        country: f.string("country"),
        shape: f.areal(),
        corrections: f.optional_string("corrections"),
        source: f.string("source"),
        accuracy: f.string("accuracy"),
    });
    let overlays = read_layer(source, layers.overlays.as_ref(), problems, |f| Overlay {
        id: f.string("id"),
        name: f.string("name"),
        kind: f.string("kind"),
        validity: f.validity(),
        shape: f.areal(),
        source: f.string("source"),
        accuracy: f.string("accuracy"),
    });
    let routes = read_layer(source, layers.routes.as_ref(), problems, |f| Route {
        id: f.string("id"),
        name: f.string("name"),
        validity: f.validity(),
        corridor: f.optional_string("corridor"),
        line: f.line(),
        source: f.string("source"),
        accuracy: f.string("accuracy"),
    });
    let places = read_layer(source, layers.places.as_ref(), problems, |f| Place {
        id: f.string("id"),
        name: f.string("name"),
        aliases: f.strings("aliases"),
        country: f.string("country"),
        admin1: f.optional_string("admin1"),
        point: f.point(),
        source: f.string("source"),
        accuracy: f.string("accuracy"),
    });
    let events = read_layer(source, layers.events.as_ref(), problems, |f| Event {
        id: f.string("id"),
        date: f.date("date"),
        until: f.optional_date("until"),
        title: f.string("title"),
        kind: f.string("kind"),
        routes: f.strings("routes"),
        location: f.optional_point(false),
        source: f.string("source"),
    });
    Layers {
        controllers,
        territories,
        admin1,
        overlays,
        routes,
        places,
        events,
    }
}

/// What the format (`data/FORMAT.md`) requires beyond what loading
/// needs: every event's `accuracy`, event kinds from the format's list,
/// every place's `aliases` and `admin1`.
fn check_format(source: &DataSource, problems: &mut Vec<Problem>) {
    let Ok(manifest) = source
        .read("manifest.json")
        .map_err(|_| ())
        .and_then(|text| serde_json::from_str::<Manifest>(&text).map_err(|_| ()))
    else {
        return;
    };
    let layers = &manifest.layers;
    read_layer(source, layers.events.as_ref(), problems, |f| {
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
    read_layer(source, layers.places.as_ref(), problems, |f| {
        f.required("aliases");
        f.required("admin1");
    });
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
        slots.push(SnapshotSlot::lazy(
            entry.id.clone(),
            date,
            entry.label.clone(),
            entry.file.clone(),
        ));
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
