//! Routes on a date: where a road runs through whose ground, whether it is
//! open, how much of it keeps to its corridor and how much of it runs within
//! reach of another side's ground.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use geo::line_intersection::{line_intersection, LineIntersection};
use geo::{BoundingRect, Coord, Intersects, Line, LineString, Point, Rect};

use crate::atlas::{Atlas, View};
use crate::error::{Error, Result};
use crate::geometry::{length_km, LocalProjection};
use crate::model::{Event, Route};

/// Whether a route can be used on a date, decided by the dataset's events.
///
/// Its name (`open`, `checkpoint`, ...) is the same in `Display`, `FromStr`
/// and serde, all read from [`RouteStatus::ALL`].
///
/// ```
/// use frontline::route::RouteStatus;
/// assert_eq!(RouteStatus::Blockaded.to_string(), "blockaded");
/// assert_eq!("blockaded".parse::<RouteStatus>()?, RouteStatus::Blockaded);
/// # Ok::<(), frontline::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum RouteStatus {
    /// Usable.
    Open,
    /// Behind a checkpoint of the side holding it.
    Checkpoint,
    /// Blockaded.
    Blockaded,
    /// Closed (or not yet in use).
    Closed,
    /// No longer exists as such (its validity or its corridor has ended).
    Gone,
}

impl RouteStatus {
    /// Every status with its name.
    pub const ALL: [(&'static str, RouteStatus); 5] = [
        ("open", RouteStatus::Open),
        ("checkpoint", RouteStatus::Checkpoint),
        ("blockaded", RouteStatus::Blockaded),
        ("closed", RouteStatus::Closed),
        ("gone", RouteStatus::Gone),
    ];

    /// The status's name, as `Display`, `FromStr` and serde spell it.
    pub fn name(self) -> &'static str {
        crate::names::name_of(&RouteStatus::ALL, self)
    }
}

crate::names::named!(RouteStatus, "route status");

/// A stretch of a route on one controller's ground under the same overlays.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Segment {
    /// Controller of the ground (`None` outside the region).
    pub controller: Option<String>,
    /// De jure country.
    pub de_jure: Option<String>,
    /// Overlays in force containing it.
    pub overlays: Vec<String>,
    /// Geodesic length, km.
    pub length_km: f64,
    /// Distance along the route where it starts, km.
    pub from_km: f64,
    /// The stretch.
    #[serde(skip, default = "no_line")]
    pub line: LineString<f64>,
}

/// A stretch within reach of another side's ground.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Exposure {
    /// Distance along the route where it starts, km.
    pub from_km: f64,
    /// Where it ends, km.
    pub to_km: f64,
}

/// Everything about one route on one date.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct RouteReport {
    /// Route id.
    pub id: String,
    /// The date.
    pub date: NaiveDate,
    /// Geodesic length, km.
    pub length_km: f64,
    /// km on each controller's ground.
    pub by_controller: BTreeMap<String, f64>,
    /// Share of the length inside the route's corridor overlay (`None` for
    /// routes that are no corridor's centre line).
    pub in_corridor_share: Option<f64>,
    /// The largest distance from the road to the corridor strip's centre
    /// line, km: at points every 100 m along the road (away from the strip's
    /// ends), half the difference of the strip's extent to either side.
    pub max_off_centre_km: Option<f64>,
    /// Open, checkpoint, blockaded, closed or gone.
    pub status: RouteStatus,
    /// Ids of the events that decide the status.
    pub status_events: Vec<String>,
    /// The distance the exposure is measured at, km.
    pub exposure_within_km: f64,
    /// km within that distance of ground held by a controller other than the
    /// one whose ground the route is on.
    pub exposure_km: f64,
    /// Where that is.
    pub exposed: Vec<Exposure>,
    /// The route cut at every zone and overlay boundary.
    pub segments: Vec<Segment>,
}

impl RouteReport {
    /// The segments as an RFC 7946 FeatureCollection: one LineString feature
    /// per segment with `route`, `date`, `controller`, `de_jure`, `overlays`,
    /// `length_km`, `from_km` and `status` (what `frontline route --format
    /// geojson` prints).
    ///
    /// ```
    /// use frontline::{Atlas, parse_date};
    /// let atlas = Atlas::embedded()?;
    /// let report = atlas.route_report("lachin-road-2022", parse_date("2023-01-15")?, 2.0)?;
    /// let collection = report.to_geojson();
    /// assert_eq!(collection.features.len(), report.segments.len());
    /// let first = collection.features[0].properties.as_ref().unwrap();
    /// assert_eq!(first["status"], "blockaded");
    /// assert_eq!(first["route"], "lachin-road-2022");
    /// # Ok::<(), frontline::Error>(())
    /// ```
    pub fn to_geojson(&self) -> geojson::FeatureCollection {
        let status = serde_json::to_value(self.status).unwrap_or_default();
        let features = self
            .segments
            .iter()
            .map(|s| {
                crate::export::feature(
                    geo::Geometry::LineString(s.line.clone()),
                    [
                        ("route", self.id.as_str().into()),
                        ("date", self.date.to_string().into()),
                        ("controller", s.controller.clone().into()),
                        ("de_jure", s.de_jure.clone().into()),
                        ("overlays", s.overlays.clone().into()),
                        ("length_km", s.length_km.into()),
                        ("from_km", s.from_km.into()),
                        ("status", status.clone()),
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
}

/// One route as listed by [`Atlas::route_summaries`]: id, name, validity,
/// corridor and length.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RouteSummary {
    /// Route id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// First day it exists (`None`: always).
    pub valid_from: Option<NaiveDate>,
    /// First day it no longer exists (`None`: still).
    pub valid_to: Option<NaiveDate>,
    /// Id of the corridor overlay it is the centre line of.
    pub corridor: Option<String>,
    /// Geodesic length, km.
    pub length_km: f64,
}

impl crate::text::CsvRow for RouteSummary {
    const HEADER: &'static [&'static str] = &[
        "id",
        "name",
        "valid_from",
        "valid_to",
        "corridor",
        "length_km",
    ];
    fn fields(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.name.clone(),
            crate::text::day(self.valid_from),
            crate::text::day(self.valid_to),
            self.corridor.clone().unwrap_or_default(),
            format!("{:.3}", self.length_km),
        ]
    }
}

impl Atlas {
    /// Every route with its validity and geodesic length, in dataset order
    /// (what `frontline routes` lists).
    ///
    /// ```
    /// let atlas = frontline::Atlas::embedded()?;
    /// let routes = atlas.route_summaries();
    /// let road = routes.iter().find(|r| r.id == "lachin-road-2022").unwrap();
    /// assert!(road.length_km > 10.0, "{}", road.length_km);
    /// assert_eq!(road.valid_from, Some(frontline::parse_date("2022-08-30")?));
    /// # Ok::<(), frontline::Error>(())
    /// ```
    pub fn route_summaries(&self) -> Vec<RouteSummary> {
        self.routes()
            .iter()
            .map(|r| RouteSummary {
                id: r.id.clone(),
                name: r.name.clone(),
                valid_from: r.validity.from,
                valid_to: r.validity.to,
                corridor: r.corridor.clone(),
                length_km: length_km(&r.line),
            })
            .collect()
    }

    /// The route with this id.
    pub fn route(&self, id: &str) -> Result<&Route> {
        self.routes()
            .iter()
            .find(|r| r.id == id)
            .ok_or_else(|| Error::UnknownId {
                kind: "route",
                id: id.to_owned(),
                suggestions: self.routes().iter().map(|r| r.id.clone()).collect(),
            })
    }

    /// A route on a date: segments, km per controller, corridor share,
    /// status and exposure within `exposure_km` of other sides' ground.
    ///
    /// ```
    /// use frontline::{Atlas, parse_date, route::RouteStatus};
    /// let atlas = Atlas::embedded()?;
    /// let report = atlas.route_report("lachin-road-2022", parse_date("2023-01-15")?, 2.0)?;
    /// assert_eq!(report.status, RouteStatus::Blockaded);
    /// assert_eq!(report.status_events, ["blockade-2022"]);
    /// let sum: f64 = report.segments.iter().map(|s| s.length_km).sum();
    /// assert!((sum / report.length_km - 1.0).abs() < 1e-9);
    /// # Ok::<(), frontline::Error>(())
    /// ```
    pub fn route_report(&self, id: &str, date: NaiveDate, exposure_km: f64) -> Result<RouteReport> {
        if !(exposure_km.is_finite() && exposure_km >= 0.0) {
            return Err(Error::BadDistance {
                what: "exposure distance",
                km: exposure_km,
            });
        }
        let route = self.route(id)?;
        let view = self.at(date)?;
        let segments = split_valid(&view, &route.line);
        let mut by_controller = BTreeMap::new();
        for s in &segments {
            *by_controller
                .entry(
                    s.controller
                        .clone()
                        .unwrap_or_else(|| "(outside the region)".into()),
                )
                .or_insert(0.0) += s.length_km;
        }
        let length = length_km(&route.line);
        // Clamped: summing the parts may exceed the whole by a rounding error.
        let in_corridor_share = route.corridor.as_ref().map(|c| {
            (segments
                .iter()
                .filter(|s| s.overlays.contains(c))
                .map(|s| s.length_km)
                .sum::<f64>()
                / length)
                .min(1.0)
        });
        let max_off_centre_km = match route
            .corridor
            .as_ref()
            .and_then(|c| self.overlays().iter().find(|o| &o.id == c))
        {
            Some(strip) => Some(off_centre(&route.line, &strip.shape)?),
            None => None,
        };
        let (status, events) = self.route_status(route, date);
        let exposed = exposure(&view, &segments, exposure_km)?;
        Ok(RouteReport {
            id: route.id.clone(),
            date,
            length_km: length,
            by_controller,
            in_corridor_share,
            max_off_centre_km,
            status,
            status_events: events.iter().map(|e| e.id.clone()).collect(),
            exposure_within_km: exposure_km,
            exposure_km: exposed.iter().map(|e| e.to_km - e.from_km).sum(),
            exposed,
            segments,
        })
    }

    /// Whether a route is usable on a date and the events that decide it.
    /// Closed beats blockaded beats checkpoint; a route whose validity or
    /// whose corridor has ended is gone.
    pub fn route_status(&self, route: &Route, date: NaiveDate) -> (RouteStatus, Vec<&Event>) {
        let ended = |to: Option<NaiveDate>| to.is_some_and(|to| date >= to);
        let corridor_end = route
            .corridor
            .as_ref()
            .and_then(|c| self.overlays().iter().find(|o| &o.id == c))
            .and_then(|o| o.validity.to);
        if ended(route.validity.to) || ended(corridor_end) {
            let end = [route.validity.to, corridor_end]
                .into_iter()
                .flatten()
                .filter(|&t| date >= t)
                .min();
            return (
                RouteStatus::Gone,
                self.events()
                    .iter()
                    .filter(|e| Some(e.date) == end)
                    .collect(),
            );
        }
        if route.validity.from.is_some_and(|from| date < from) {
            return (RouteStatus::Closed, Vec::new());
        }
        let active: Vec<&Event> = self
            .events()
            .iter()
            .filter(|e| {
                e.routes.contains(&route.id) && e.date <= date && e.until.is_none_or(|u| date < u)
            })
            .collect();
        let status = active
            .iter()
            .map(|e| match e.kind.as_str() {
                "closure" => RouteStatus::Closed,
                "blockade" => RouteStatus::Blockaded,
                "checkpoint" => RouteStatus::Checkpoint,
                _ => RouteStatus::Open,
            })
            .max()
            .unwrap_or(RouteStatus::Open);
        let deciding = active
            .into_iter()
            .filter(|e| matches!(e.kind.as_str(), "closure" | "blockade" | "checkpoint"))
            .collect();
        (status, deciding)
    }
}

/// Cuts a line at every boundary of the view's zones and overlays and tells
/// for each stretch whose ground it is on (judged at its midpoint).
///
/// # Errors
///
/// [`Error::BadCoordinate`] when a vertex of the line is outside WGS 84
/// ranges or not finite.
pub fn split(view: &View<'_>, line: &LineString<f64>) -> Result<Vec<Segment>> {
    for &c in &line.0 {
        crate::geometry::check_point(Point(c))?;
    }
    Ok(split_valid(view, line))
}

/// [`split`] of a line whose vertices are known to be valid (a route's).
pub(crate) fn split_valid(view: &View<'_>, line: &LineString<f64>) -> Vec<Segment> {
    let Some(bounds) = line.bounding_rect() else {
        return Vec::new();
    };
    let mut edges: Vec<Line<f64>> = Vec::new();
    let shapes = view
        .snapshot
        .zones
        .iter()
        .map(|z| &z.shape)
        .chain(view.overlays.iter().map(|o| &o.shape))
        .chain(view.atlas.territories().iter().map(|t| &t.shape));
    for shape in shapes {
        for polygon in &shape.0 {
            for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
                edges.extend(
                    ring.lines()
                        .filter(|l| Rect::new(l.start, l.end).intersects(&bounds)),
                );
            }
        }
    }
    let mut pieces: Vec<(Coord<f64>, Coord<f64>)> = Vec::new();
    for segment in line.lines() {
        let mut cuts: Vec<f64> = vec![0.0, 1.0];
        let seg_rect = Rect::new(segment.start, segment.end);
        for edge in edges
            .iter()
            .filter(|e| Rect::new(e.start, e.end).intersects(&seg_rect))
        {
            if let Some(LineIntersection::SinglePoint { intersection, .. }) =
                line_intersection(segment, *edge)
            {
                let d = segment.delta();
                let t = if d.x.abs() > d.y.abs() {
                    (intersection.x - segment.start.x) / d.x
                } else {
                    (intersection.y - segment.start.y) / d.y
                };
                if t > 0.0 && t < 1.0 {
                    cuts.push(t);
                }
            }
        }
        cuts.sort_by(f64::total_cmp);
        cuts.dedup_by(|a, b| (*a - *b).abs() < 1e-12);
        let at = |t: f64| Coord {
            x: segment.start.x + t * segment.dx(),
            y: segment.start.y + t * segment.dy(),
        };
        for w in cuts.windows(2) {
            let (a, b) = (
                if w[0] == 0.0 { segment.start } else { at(w[0]) },
                if w[1] == 1.0 { segment.end } else { at(w[1]) },
            );
            if a != b {
                pieces.push((a, b));
            }
        }
    }
    let mut segments: Vec<Segment> = Vec::new();
    let mut along = 0.0;
    for (a, b) in pieces {
        // Only who holds it, whose it is and its overlays: no rayon, no
        // nearest queries.
        let middle = Point::new((a.x + b.x) / 2.0, (a.y + b.y) / 2.0);
        // Compared borrowed; owned only when a new segment starts.
        let controller = view.holder_exact(middle);
        let de_jure = view.de_jure_exact(middle);
        let overlays: Vec<&str> = view.overlays_exact(middle).collect();
        let piece = LineString(vec![a, b]);
        let km = length_km(&piece);
        match segments.last_mut() {
            Some(last)
                if last.controller.as_deref() == controller
                    && last.de_jure.as_deref() == de_jure
                    && last
                        .overlays
                        .iter()
                        .map(String::as_str)
                        .eq(overlays.iter().copied()) =>
            {
                last.line.0.push(b);
                last.length_km += km;
            }
            _ => segments.push(Segment {
                controller: controller.map(str::to_owned),
                de_jure: de_jure.map(str::to_owned),
                overlays: overlays.into_iter().map(str::to_owned).collect(),
                length_km: km,
                from_km: along,
                line: piece,
            }),
        }
        along += km;
    }
    // Stretches under a metre are boundary noise (a road ending on a
    // border): they join the previous stretch, or the next for the first.
    let mut kept: Vec<Segment> = Vec::new();
    let mut carry = 0.0;
    for mut s in segments {
        if s.length_km < 1e-3 {
            match kept.last_mut() {
                Some(last) => {
                    last.length_km += s.length_km;
                    last.line.0.extend(s.line.0.into_iter().skip(1));
                }
                None => carry += s.length_km,
            }
            continue;
        }
        if carry > 0.0 {
            s.length_km += carry;
            s.from_km = 0.0;
            carry = 0.0;
        }
        match kept.last_mut() {
            Some(last)
                if last.controller == s.controller
                    && last.de_jure == s.de_jure
                    && last.overlays == s.overlays =>
            {
                last.length_km += s.length_km;
                last.line.0.extend(s.line.0.into_iter().skip(1));
            }
            _ => kept.push(s),
        }
    }
    if kept.is_empty() || carry > 0.0 {
        if let Some(last) = kept.last_mut() {
            last.length_km += carry;
        }
    }
    kept
}

/// Stretches within `km` of ground held by a controller other than the one
/// the stretch is on, sampled every 100 m in a local equal-area plane. The
/// zones partition the region, so the distance to another side's ground is
/// the distance to the nearest edge of its zone: an R-tree of those edges
/// answers each sample.
fn exposure(view: &View<'_>, segments: &[Segment], km: f64) -> Result<Vec<Exposure>> {
    use rstar::primitives::GeomWithData;
    let all: Vec<Coord<f64>> = segments
        .iter()
        .flat_map(|s| s.line.0.iter().copied())
        .collect();
    let Some(bounds) = LineString(all).bounding_rect() else {
        return Ok(Vec::new());
    };
    let projection = LocalProjection::new(bounds.center().x, bounds.center().y)?;
    // Zone edges near the route only (within `km` plus a margin), in the plane.
    let pad = km / 80.0 + 0.05;
    let window = Rect::new(
        Coord {
            x: bounds.min().x - pad,
            y: bounds.min().y - pad,
        },
        Coord {
            x: bounds.max().x + pad,
            y: bounds.max().y + pad,
        },
    );
    let mut edges: Vec<GeomWithData<Line<f64>, usize>> = Vec::new();
    for (z, zone) in view.snapshot.zones.iter().enumerate() {
        for polygon in &zone.shape.0 {
            for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
                for line in ring
                    .lines()
                    .filter(|l| Rect::new(l.start, l.end).intersects(&window))
                {
                    edges.push(GeomWithData::new(
                        Line::new(
                            projection.forward(line.start)?,
                            projection.forward(line.end)?,
                        ),
                        z,
                    ));
                }
            }
        }
    }
    let tree = rstar::RTree::bulk_load(edges);
    let reach_m2 = (km * 1000.0) * (km * 1000.0);
    let mut exposed: Vec<Exposure> = Vec::new();
    for segment in segments {
        let Some(controller) = &segment.controller else {
            continue;
        };
        let samples = ((segment.length_km / 0.1).ceil() as usize).max(1);
        let step = segment.length_km / samples as f64;
        for i in 0..samples {
            let t = (i as f64 + 0.5) / samples as f64;
            let p = projection.forward(point_along(&segment.line, t))?;
            let near = tree
                .nearest_neighbor_iter_with_distance_2(&Point(p))
                .take_while(|(_, d2)| *d2 <= reach_m2)
                .any(|(edge, _)| &view.snapshot.zones[edge.data].controller != controller);
            if near {
                let from = segment.from_km + i as f64 * step;
                match exposed.last_mut() {
                    Some(last) if (last.to_km - from).abs() < 1e-9 => last.to_km = from + step,
                    _ => exposed.push(Exposure {
                        from_km: from,
                        to_km: from + step,
                    }),
                }
            }
        }
    }
    Ok(exposed)
}

/// See [`RouteReport::max_off_centre_km`]. Samples within a half-width of
/// either end of the road are skipped (the strip's rounded ends are no
/// measure of its centre line).
fn off_centre(line: &LineString<f64>, strip: &geo::MultiPolygon<f64>) -> Result<f64> {
    let Some(bounds) = line.bounding_rect() else {
        return Ok(0.0);
    };
    let projection = LocalProjection::new(bounds.center().x, bounds.center().y)?;
    let road = projection.forward_geometry(line)?;
    let plane = projection.forward_geometry(strip)?;
    let edges: Vec<Line<f64>> = plane
        .0
        .iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .flat_map(|r| r.lines())
        .collect();
    let length: f64 = road.lines().map(|l| l.dx().hypot(l.dy())).sum();
    // Distance from `p` along direction `d` to the nearest strip edge.
    let cast = |p: Coord<f64>, d: Coord<f64>| {
        edges
            .iter()
            .filter_map(|e| {
                let (ex, ey) = (e.dx(), e.dy());
                let denom = d.x * ey - d.y * ex;
                if denom.abs() < 1e-12 {
                    return None;
                }
                let (wx, wy) = (e.start.x - p.x, e.start.y - p.y);
                let t = (wx * ey - wy * ex) / denom;
                let u = (wx * d.y - wy * d.x) / denom;
                (t > 0.0 && (0.0..=1.0).contains(&u)).then_some(t)
            })
            .fold(f64::INFINITY, f64::min)
    };
    let mut worst: f64 = 0.0;
    let mut along = 0.0;
    for l in road.lines() {
        let len = l.dx().hypot(l.dy());
        if len == 0.0 {
            continue;
        }
        let (ux, uy) = (l.dx() / len, l.dy() / len);
        let samples = (len / 100.0).ceil() as usize;
        for i in 0..samples {
            let s = (i as f64 + 0.5) / samples as f64 * len;
            let p = Coord {
                x: l.start.x + ux * s,
                y: l.start.y + uy * s,
            };
            let (left, right) = (
                cast(p, Coord { x: -uy, y: ux }),
                cast(p, Coord { x: uy, y: -ux }),
            );
            let half = (left + right) / 2.0;
            let (from_start, from_end) = (along + s, length - along - s);
            if left.is_finite() && right.is_finite() && from_start > half && from_end > half {
                worst = worst.max((left - right).abs() / 2.0);
            }
        }
        along += len;
    }
    Ok(worst / 1000.0)
}

/// The point a fraction `t` of the way along a line (by lon/lat length).
fn point_along(line: &LineString<f64>, t: f64) -> Coord<f64> {
    let total: f64 = line.lines().map(|l| l.dx().hypot(l.dy())).sum();
    let mut left = t * total;
    for l in line.lines() {
        let len = l.dx().hypot(l.dy());
        if left <= len && len > 0.0 {
            let f = left / len;
            return Coord {
                x: l.start.x + f * l.dx(),
                y: l.start.y + f * l.dy(),
            };
        }
        left -= len;
    }
    *line.0.last().unwrap_or(&Coord { x: 0.0, y: 0.0 })
}

/// The line of a segment read back from serde, which leaves it out.
fn no_line() -> LineString<f64> {
    LineString::new(Vec::new())
}
