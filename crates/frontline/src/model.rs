//! The things a dataset is made of: controllers, zones, territories, overlays,
//! routes, places and events.

use chrono::NaiveDate;
use geo::{LineString, MultiPolygon, Point};

/// A de facto authority that holds ground, e.g. `nkr`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Controller {
    /// Stable id, `[a-z0-9_]+`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Map colour, `#rrggbb`.
    pub colour: String,
    /// Controllers whose ground this one's people may cross (reachability).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allies: Vec<String>,
}

/// A half-open interval of dates `[from, to)`; `None` is open-ended.
///
/// ```
/// use frontline::{Validity, parse_date};
/// let v = Validity::new(Some(parse_date("2020-12-01")?), Some(parse_date("2022-08-26")?));
/// assert!(v.contains(parse_date("2020-12-01")?));
/// assert!(!v.contains(parse_date("2022-08-26")?));
/// assert!(Validity::ALWAYS.contains(parse_date("1900-01-01")?));
/// # Ok::<(), frontline::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Validity {
    /// First day in force.
    pub from: Option<NaiveDate>,
    /// First day no longer in force.
    pub to: Option<NaiveDate>,
}

impl Validity {
    /// Valid at every date.
    pub const ALWAYS: Validity = Validity {
        from: None,
        to: None,
    };

    /// The interval `[from, to)`.
    pub fn new(from: Option<NaiveDate>, to: Option<NaiveDate>) -> Self {
        Validity { from, to }
    }

    /// Whether `date` falls inside the interval.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.from.is_none_or(|from| from <= date) && self.to.is_none_or(|to| date < to)
    }
}

/// Ground held by one controller in one snapshot.
#[derive(Debug, Clone)]
pub struct Zone {
    /// Controller id.
    pub controller: String,
    /// The ground, in WGS 84 lon/lat.
    pub shape: MultiPolygon<f64>,
    /// Where the geometry comes from.
    pub source: String,
    /// How precise it is.
    pub accuracy: String,
}

/// The complete control state in force from `date` until the next snapshot.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// Unique id (usually the date).
    pub id: String,
    /// First day in force.
    pub date: NaiveDate,
    /// What happened on that date.
    pub label: String,
    /// The zones; they partition the region.
    pub zones: Vec<Zone>,
    /// Repairs made while reading it (see [`crate::ingest`]).
    pub repairs: Vec<crate::Problem>,
}

impl Snapshot {
    /// The zone held by `controller`, if it holds anything.
    pub fn zone(&self, controller: &str) -> Option<&Zone> {
        self.zones.iter().find(|zone| zone.controller == controller)
    }
}

/// Territory of a country by international recognition.
#[derive(Debug, Clone)]
pub struct Territory {
    /// Controller id of the country, e.g. `azerbaijan`.
    pub country: String,
    /// Display name.
    pub name: String,
    /// The territory.
    pub shape: MultiPolygon<f64>,
    /// Where the geometry comes from.
    pub source: String,
    /// How precise it is.
    pub accuracy: String,
}

/// A first-level administrative unit (rayon, marz, ...).
#[derive(Debug, Clone)]
pub struct Admin1 {
    /// Unique id, e.g. `AZE-1735`.
    pub id: String,
    /// Name.
    pub name: String,
    /// Other name, if any.
    pub name_alt: Option<String>,
    /// De jure country (controller id).
    pub country: String,
    /// The unit's ground.
    pub shape: MultiPolygon<f64>,
    /// Corrections made to the source geometry.
    pub corrections: Option<String>,
    /// Where the geometry comes from.
    pub source: String,
    /// How precise it is.
    pub accuracy: String,
}

/// A dated area outside the partition: peacekeeping area, corridor, outline.
#[derive(Debug, Clone)]
pub struct Overlay {
    /// Unique id, e.g. `lachin-corridor-2020`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// `peacekeeping`, `corridor`, `outline`, ...
    pub kind: String,
    /// When it is in force.
    pub validity: Validity,
    /// The area.
    pub shape: MultiPolygon<f64>,
    /// Where the geometry comes from.
    pub source: String,
    /// How precise it is.
    pub accuracy: String,
}

/// A named road or link.
#[derive(Debug, Clone)]
pub struct Route {
    /// Unique id, e.g. `lachin-road-2020`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// When it exists (or serves as a corridor).
    pub validity: Validity,
    /// Id of the corridor overlay this route is the centre line of.
    pub corridor: Option<String>,
    /// The centre line.
    pub line: LineString<f64>,
    /// Where the geometry comes from.
    pub source: String,
    /// How precise it is.
    pub accuracy: String,
}

/// A named point: town, checkpoint, ...
#[derive(Debug, Clone)]
pub struct Place {
    /// Unique id, e.g. `stepanakert`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Other names, e.g. `Khankendi`.
    pub aliases: Vec<String>,
    /// De jure country (controller id).
    pub country: String,
    /// Id of the admin-1 unit it lies in.
    pub admin1: Option<String>,
    /// Location.
    pub point: Point<f64>,
    /// Where the coordinates come from.
    pub source: String,
    /// How precise they are.
    pub accuracy: String,
}

impl Place {
    /// Whether `name` is this place's id, name or one of its aliases
    /// (ignoring case).
    pub fn is_called(&self, name: &str) -> bool {
        let name = name.trim();
        self.id.eq_ignore_ascii_case(name)
            || self.name.to_lowercase() == name.to_lowercase()
            || self
                .aliases
                .iter()
                .any(|alias| alias.to_lowercase() == name.to_lowercase())
    }
}

/// A dated event, optionally located, optionally affecting routes.
#[derive(Debug, Clone)]
pub struct Event {
    /// Unique id, e.g. `blockade-2022`.
    pub id: String,
    /// Day it happened (or began).
    pub date: NaiveDate,
    /// Day it stopped having effect, if it did.
    pub until: Option<NaiveDate>,
    /// One-line description.
    pub title: String,
    /// `blockade`, `checkpoint`, `closure`, `handover`, ...
    pub kind: String,
    /// Ids of the routes it affects.
    pub routes: Vec<String>,
    /// Where it happened, if known.
    pub location: Option<Point<f64>>,
    /// Where the fact comes from.
    pub source: String,
}

/// Everything a dataset holds besides its snapshots, in manifest order: what
/// the checks and the indexes work on, whatever the data came from.
#[derive(Debug, Clone, Default)]
pub(crate) struct Layers {
    pub(crate) controllers: Vec<Controller>,
    pub(crate) territories: Vec<Territory>,
    pub(crate) admin1: Vec<Admin1>,
    pub(crate) overlays: Vec<Overlay>,
    pub(crate) routes: Vec<Route>,
    pub(crate) places: Vec<Place>,
    pub(crate) events: Vec<Event>,
}
