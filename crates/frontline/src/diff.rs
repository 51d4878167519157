//! What changed hands between two dates: per `from → to` transition the
//! ground and its geodesic area, plus the ground that stayed put.

use chrono::NaiveDate;
use geo::{BooleanOps, MultiPolygon};

use crate::atlas::{Atlas, View};
use crate::error::Result;
use crate::geometry::area_km2;
use crate::model::Snapshot;
use rayon::prelude::*;

/// Transitions smaller than this fraction of the region (1e-9: about 100 m²
/// of a 100,000 km² region) are floating-point slivers of the boolean
/// operations along shared borders, not changes of control, and are left out.
pub const SLIVER_FRACTION: f64 = 1e-9;

/// Ground that passed from one controller to another.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Transition {
    /// Controller on the first date.
    pub from: String,
    /// Controller on the second date.
    pub to: String,
    /// Geodesic area, km².
    pub area_km2: f64,
    /// The ground.
    #[serde(skip, default = "no_ground")]
    pub shape: MultiPolygon<f64>,
    /// Area per admin-1 unit, when asked for ([`Diff::with_rayons`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by_rayon: Option<Vec<RayonArea>>,
}

/// Part of a transition inside one admin-1 unit.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct RayonArea {
    /// Admin-1 id.
    pub id: String,
    /// Admin-1 name.
    pub rayon: String,
    /// Geodesic area, km².
    pub area_km2: f64,
}

/// Ground one controller held on both dates.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Unchanged {
    /// Controller id.
    pub controller: String,
    /// The ground.
    pub shape: MultiPolygon<f64>,
    /// Geodesic area, km².
    pub area_km2: f64,
}

/// The change of control between the snapshots in force on two dates.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Diff {
    /// First date.
    pub from: NaiveDate,
    /// Second date.
    pub to: NaiveDate,
    /// Every `from → to` change, `from ≠ to`, in manifest order of controllers.
    pub transitions: Vec<Transition>,
    /// Ground held by the same controller on both dates, km².
    pub unchanged_km2: f64,
    /// Unchanged plus all transitions, km² (the region's area).
    pub total_km2: f64,
    /// Unchanged ground per controller.
    #[serde(skip)]
    pub unchanged: Vec<Unchanged>,
}

impl Atlas {
    /// Compares the snapshots in force on `from` and `to`.
    ///
    /// ```
    /// use frontline::{Atlas, parse_date};
    /// let atlas = Atlas::embedded()?;
    /// let diff = atlas.diff(parse_date("2020-11-19")?, parse_date("2020-11-21")?)?;
    /// // The Aghdam district was handed over on 2020-11-20.
    /// let handover = diff.transitions.iter().find(|t| t.from == "nkr" && t.to == "azerbaijan").unwrap();
    /// assert!(handover.area_km2 > 500.0, "{}", handover.area_km2);
    /// # Ok::<(), frontline::Error>(())
    /// ```
    pub fn diff(&self, from: NaiveDate, to: NaiveDate) -> Result<Diff> {
        Ok(diff_views(&self.at(from)?, &self.at(to)?))
    }
}

/// Compares two views (usually of the same atlas).
pub fn diff_views(a: &View<'_>, b: &View<'_>) -> Diff {
    let controllers: Vec<&str> = a
        .atlas
        .controllers()
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    let rest = a.atlas.rest_controller();
    diff_snapshots(
        &controllers,
        rest,
        (a.date, a.snapshot),
        (b.date, b.snapshot),
    )
}

/// Compares two snapshots whose zones partition the same region;
/// `controllers` fixes the order of the transitions.
///
/// `rest` names the controller that holds whatever no zone covers, when the
/// zones do not cover a known region (a dated archive without `--region`):
/// ground a controller loses to no zone goes to `rest`, ground it gains from
/// no zone comes from `rest`.
///
/// ```
/// use frontline::{diff::diff_snapshots, parse_date, Snapshot, Zone};
/// use frontline::geo::{MultiPolygon, Rect};
/// let strip = |x0: f64, x1: f64| MultiPolygon(vec![Rect::new((x0, 0.0), (x1, 1.0)).to_polygon()]);
/// let zone = |c: &str, shape| Zone { controller: c.into(), shape, source: String::new(), accuracy: String::new() };
/// let date = parse_date("2000-01-01")?;
/// let a = Snapshot { id: "a".into(), date, label: String::new(), zones: vec![zone("w", strip(0.0, 1.0)), zone("e", strip(1.0, 2.0))], repairs: vec![] };
/// let b = Snapshot { id: "b".into(), date, label: String::new(), zones: vec![zone("w", strip(0.0, 1.5)), zone("e", strip(1.5, 2.0))], repairs: vec![] };
/// let diff = diff_snapshots(&["w", "e"], None, (date, &a), (date, &b));
/// assert_eq!(diff.transitions.len(), 1);
/// assert_eq!((diff.transitions[0].from.as_str(), diff.transitions[0].to.as_str()), ("e", "w"));
/// # Ok::<(), frontline::Error>(())
/// ```
pub fn diff_snapshots(
    controllers: &[&str],
    rest: Option<&str>,
    (from_date, a): (NaiveDate, &Snapshot),
    (to_date, b): (NaiveDate, &Snapshot),
) -> Diff {
    // Every (from, to) pair to intersect. Identical ground needs no boolean
    // operation: it all stayed, and (the zones of `b` being a partition) none
    // of it went elsewhere.
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    for &from in controllers {
        let Some(zone_a) = a.zone(from) else { continue };
        if b.zone(from)
            .is_some_and(|zone_b| zone_b.shape == zone_a.shape)
        {
            pairs.push((from, from));
            continue;
        }
        pairs.extend(
            controllers
                .iter()
                .filter(|to| b.zone(to).is_some())
                .map(|&to| (from, to)),
        );
    }
    // The intersections and their areas, in parallel.
    let pieces: Vec<(&str, &str, MultiPolygon<f64>, f64)> = pairs
        .par_iter()
        .filter_map(|&(from, to)| {
            let (zone_a, zone_b) = (a.zone(from)?, b.zone(to)?);
            let shape = if zone_a.shape == zone_b.shape {
                zone_a.shape.clone()
            } else {
                overlap(&zone_a.shape, &zone_b.shape)
            };
            let area = area_km2(&shape);
            Some((from, to, shape, area))
        })
        .collect();
    let sliver_km2 = SLIVER_FRACTION * pieces.iter().map(|p| p.3).sum::<f64>();
    let mut transitions = Vec::new();
    let mut unchanged = Vec::new();
    for (from, to, shape, area) in pieces {
        if from == to {
            unchanged.push(Unchanged {
                controller: from.to_owned(),
                shape,
                area_km2: area,
            });
        } else if area >= sliver_km2 {
            transitions.push(Transition {
                from: from.to_owned(),
                to: to.to_owned(),
                area_km2: area,
                shape,
                by_rayon: None,
            });
        }
    }
    if let Some(rest) = rest {
        transitions.extend(uncovered(controllers, rest, a, b, true, sliver_km2));
        transitions.extend(uncovered(controllers, rest, b, a, false, sliver_km2));
    }
    let unchanged_km2 = unchanged.iter().map(|u| u.area_km2).sum::<f64>() + 0.0;
    let total_km2 = unchanged_km2 + transitions.iter().map(|t| t.area_km2).sum::<f64>();
    Diff {
        from: from_date,
        to: to_date,
        transitions,
        unchanged_km2,
        total_km2,
        unchanged,
    }
}

impl Diff {
    /// The transitions as CSV: `from,to,rayon,area_km2`, one row per
    /// transition (empty `rayon`), followed by its parts per admin-1 unit
    /// when [`Diff::with_rayons`] filled them; then one row per controller
    /// for its unchanged ground (`from` = `to`). km² to three decimals.
    ///
    /// ```
    /// use frontline::{Atlas, parse_date};
    /// let atlas = Atlas::embedded()?;
    /// let diff = atlas.diff(parse_date("2020-09-26")?, parse_date("2020-12-01")?)?;
    /// let csv = diff.to_csv();
    /// assert!(csv.starts_with("from,to,rayon,area_km2\n"));
    /// assert!(csv.contains("\nnkr,azerbaijan,,"));
    /// assert!(csv.contains("\nnkr,nkr,,"));
    /// # Ok::<(), frontline::Error>(())
    /// ```
    pub fn to_csv(&self) -> String {
        let header = ["from", "to", "rayon", "area_km2"]
            .map(str::to_owned)
            .to_vec();
        let mut records = vec![header];
        for t in &self.transitions {
            let row = |rayon: &str, km2: f64| {
                vec![
                    t.from.clone(),
                    t.to.clone(),
                    rayon.to_owned(),
                    format!("{km2:.3}"),
                ]
            };
            records.push(row("", t.area_km2));
            for part in t.by_rayon.iter().flatten() {
                records.push(row(&part.rayon, part.area_km2));
            }
        }
        for u in &self.unchanged {
            records.push(vec![
                u.controller.clone(),
                u.controller.clone(),
                String::new(),
                format!("{:.3}", u.area_km2),
            ]);
        }
        crate::text::csv_records(records)
    }

    /// Fills each transition's `by_rayon` with its area per admin-1 unit
    /// (units it does not touch are left out).
    pub fn with_rayons(mut self, atlas: &Atlas) -> Diff {
        let sliver_km2 = SLIVER_FRACTION * self.total_km2;
        for transition in &mut self.transitions {
            let parts = atlas
                .admin1()
                .iter()
                .filter_map(|unit| {
                    let area = area_km2(&overlap(&transition.shape, &unit.shape));
                    (area >= sliver_km2).then(|| RayonArea {
                        id: unit.id.clone(),
                        rayon: unit.name.clone(),
                        area_km2: area,
                    })
                })
                .collect();
            transition.by_rayon = Some(parts);
        }
        self
    }

    /// The transitions as RFC 7946 GeoJSON, one feature each with `from`,
    /// `to` and `area_km2` properties (and `by_rayon` when filled).
    pub fn to_geojson(&self) -> geojson::FeatureCollection {
        let features = self
            .transitions
            .iter()
            .map(|t| {
                let by_rayon = t
                    .by_rayon
                    .as_ref()
                    .map_or(geojson::JsonValue::Null, |parts| {
                        serde_json::to_value(parts).unwrap_or_default()
                    });
                crate::export::areal(
                    &t.shape,
                    [
                        ("from", t.from.as_str().into()),
                        ("to", t.to.as_str().into()),
                        ("area_km2", t.area_km2.into()),
                        ("from_date", self.from.to_string().into()),
                        ("to_date", self.to.to_string().into()),
                        ("by_rayon", by_rayon),
                    ],
                )
            })
            .collect();
        geojson::FeatureCollection {
            bbox: None,
            features,
            foreign_members: None,
        }
    }

    /// Area that passed from `from` to `to`, km² (0 if none).
    pub fn transferred_km2(&self, from: &str, to: &str) -> f64 {
        self.transitions
            .iter()
            .filter(|t| t.from == from && t.to == to)
            .map(|t| t.area_km2)
            .sum::<f64>()
            + 0.0
    }
}

/// Ground of `held`'s zones that no zone of `other` covers, as transitions
/// to `rest` (`losing`) or from it.
fn uncovered(
    controllers: &[&str],
    rest: &str,
    held: &Snapshot,
    other: &Snapshot,
    losing: bool,
    sliver_km2: f64,
) -> Vec<Transition> {
    let covered = crate::validate::union_all(other.zones.iter().map(|z| &z.shape));
    controllers
        .iter()
        .filter(|&&c| c != rest)
        .filter_map(|&c| {
            let shape = held.zone(c)?.shape.difference(&covered);
            let area_km2 = area_km2(&shape);
            let (from, to) = if losing { (c, rest) } else { (rest, c) };
            (area_km2 >= sliver_km2).then(|| Transition {
                from: from.to_owned(),
                to: to.to_owned(),
                area_km2,
                shape,
                by_rayon: None,
            })
        })
        .collect()
}

/// Intersection: nothing when the bounding boxes are apart, else an overlay
/// of only what lies near the box the two share.
fn overlap(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    crate::geometry::clip::intersection(a, b)
}

/// The ground of a transition read back from serde, which leaves it out.
fn no_ground() -> MultiPolygon<f64> {
    MultiPolygon::new(Vec::new())
}
