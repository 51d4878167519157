//! Geodesic area held by each controller on a date.

use chrono::NaiveDate;

use geo::BooleanOps;

use crate::atlas::View;
use crate::error::{Error, Result};
use crate::geometry::area_km2;

/// Area per controller and per overlay in force on a date.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Stats {
    /// The date asked for.
    pub date: NaiveDate,
    /// Id of the snapshot in force.
    pub snapshot: String,
    /// Every controller of the dataset, in manifest order (0 where it holds nothing).
    pub controllers: Vec<ControllerArea>,
    /// Every overlay in force on the date.
    pub overlays: Vec<OverlayArea>,
}

/// Ground held by one controller.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct ControllerArea {
    /// Controller id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Geodesic area, km².
    pub area_km2: f64,
}

/// Area of one overlay.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct OverlayArea {
    /// Overlay id.
    pub id: String,
    /// Geodesic area, km².
    pub area_km2: f64,
}

/// Ground one controller holds inside one de jure territory.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct DeJureArea {
    /// Controller id.
    pub controller: String,
    /// De jure country (the `country` of the territory).
    pub country: String,
    /// Geodesic area, km².
    pub area_km2: f64,
}

impl Stats {
    /// The areas as CSV: `kind,id,name,area_km2`, a `controller` row per
    /// controller, then an `overlay` row per overlay (no name), km² to three
    /// decimals.
    ///
    /// ```
    /// use frontline::{Atlas, parse_date};
    /// let atlas = Atlas::embedded()?;
    /// let csv = atlas.at(parse_date("2021-06-01")?)?.stats().to_csv();
    /// assert!(csv.starts_with("kind,id,name,area_km2\ncontroller,armenia,Armenia,"));
    /// assert!(csv.contains("\noverlay,"));
    /// # Ok::<(), frontline::Error>(())
    /// ```
    pub fn to_csv(&self) -> String {
        let header = ["kind", "id", "name", "area_km2"]
            .map(str::to_owned)
            .to_vec();
        let controllers = self.controllers.iter().map(|c| {
            vec![
                "controller".to_owned(),
                c.id.clone(),
                c.name.clone(),
                format!("{:.3}", c.area_km2),
            ]
        });
        let overlays = self.overlays.iter().map(|o| {
            vec![
                "overlay".to_owned(),
                o.id.clone(),
                String::new(),
                format!("{:.3}", o.area_km2),
            ]
        });
        crate::text::csv_records(std::iter::once(header).chain(controllers).chain(overlays))
    }
}

impl View<'_> {
    /// Each controller's ground broken down by de jure territory: who holds
    /// how much of whose land. Pairs with no ground are left out; rows come
    /// in manifest order of controllers, then of territories.
    ///
    /// ```
    /// use frontline::{Atlas, parse_date};
    /// let atlas = Atlas::embedded()?;
    /// let rows = atlas.at(parse_date("2022-10-01")?)?.area_by_de_jure();
    /// // Azerbaijani forces hold ground of Armenia (Artsvashen since 1992, and
    /// // the pockets taken in 2021 and 2022).
    /// let held = rows.iter().find(|r| r.controller == "azerbaijan" && r.country == "armenia").unwrap();
    /// assert!(held.area_km2 > 100.0, "{}", held.area_km2);
    /// # Ok::<(), frontline::Error>(())
    /// ```
    pub fn area_by_de_jure(&self) -> Vec<DeJureArea> {
        let mut rows = Vec::new();
        for controller in self.atlas.controllers() {
            let Some(zone) = self.snapshot.zone(&controller.id) else {
                continue;
            };
            for territory in self.atlas.territories() {
                let km2 = area_km2(&zone.shape.intersection(&territory.shape));
                if km2 > 0.0 {
                    rows.push(DeJureArea {
                        controller: controller.id.clone(),
                        country: territory.country.clone(),
                        area_km2: km2,
                    });
                }
            }
        }
        rows
    }

    /// Geodesic area per controller and overlay.
    ///
    /// ```
    /// use frontline::{Atlas, parse_date};
    /// let atlas = Atlas::embedded()?;
    /// let stats = atlas.at(parse_date("2023-09-21")?)?.stats();
    /// let nkr = stats.controllers.iter().find(|c| c.id == "nkr").unwrap();
    /// assert_eq!(nkr.area_km2, 0.0);
    /// # Ok::<(), frontline::Error>(())
    /// ```
    pub fn stats(&self) -> Stats {
        let controllers = self
            .atlas
            .controllers()
            .iter()
            .map(|c| ControllerArea {
                id: c.id.clone(),
                name: c.name.clone(),
                area_km2: self
                    .snapshot
                    .zone(&c.id)
                    .map_or(0.0, |zone| area_km2(&zone.shape)),
            })
            .collect();
        let overlays = self
            .overlays
            .iter()
            .map(|o| OverlayArea {
                id: o.id.clone(),
                area_km2: area_km2(&o.shape),
            })
            .collect();
        Stats {
            date: self.date,
            snapshot: self.snapshot.id.clone(),
            controllers,
            overlays,
        }
    }

    /// Geodesic area held by one controller (its id or display name), km²;
    /// 0 when it holds nothing on this date.
    ///
    /// ```
    /// use frontline::{Atlas, parse_date};
    /// let atlas = Atlas::embedded()?;
    /// let view = atlas.at(parse_date("2023-09-21")?)?;
    /// assert_eq!(view.area_km2("nkr")?, 0.0);
    /// assert!(view.area_km2("Azerbaijan")? > 80_000.0);
    /// assert!(view.area_km2("nope").is_err());
    /// # Ok::<(), frontline::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::UnknownId`] (kind `controller`) when no controller has this
    /// id or name.
    pub fn area_km2(&self, controller: &str) -> Result<f64> {
        let id = &self.atlas.controller(controller)?.id;
        Ok(self.held_km2(id))
    }

    /// Geodesic area held by the controller with this id, km².
    pub(crate) fn held_km2(&self, id: &str) -> f64 {
        self.snapshot
            .zone(id)
            .map_or(0.0, |zone| area_km2(&zone.shape))
    }
}

impl Stats {
    /// The area of one controller (its id or display name), km².
    ///
    /// ```
    /// use frontline::{Atlas, parse_date};
    /// let stats = Atlas::embedded()?.at(parse_date("2023-09-21")?)?.stats();
    /// assert_eq!(stats.area_km2("nkr")?, 0.0);
    /// assert!(stats.area_km2("nope").is_err());
    /// # Ok::<(), frontline::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::UnknownId`] (kind `controller`) when none of
    /// [`Stats::controllers`] has this id or name.
    pub fn area_km2(&self, controller: &str) -> Result<f64> {
        let name = controller.trim().to_lowercase();
        self.controllers
            .iter()
            .find(|c| c.id == controller)
            .or_else(|| {
                self.controllers
                    .iter()
                    .find(|c| c.name.to_lowercase() == name)
            })
            .map(|c| c.area_km2)
            .ok_or_else(|| Error::UnknownId {
                kind: "controller",
                id: controller.to_owned(),
                suggestions: self.controllers.iter().map(|c| c.id.clone()).collect(),
            })
    }
}
