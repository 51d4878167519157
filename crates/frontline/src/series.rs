//! Area held by each controller at every change of control in an interval.

use chrono::NaiveDate;

use crate::atlas::Atlas;
use crate::error::{Error, Result};
use rayon::prelude::*;

/// One row of a [`Series`]: the state from `date` on.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct SeriesRow {
    /// First day of the state (the interval's start, or a snapshot date).
    pub date: NaiveDate,
    /// Id of the snapshot in force.
    pub snapshot: String,
    /// Geodesic area per controller, km², in [`Series::controllers`] order.
    pub areas_km2: Vec<f64>,
}

/// Areas per controller over an interval.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Series {
    /// Controller ids, the column order of every row.
    pub controllers: Vec<String>,
    /// The interval's start, then every snapshot date up to its end.
    pub rows: Vec<SeriesRow>,
    /// The start asked for, when it was before the first snapshot: the
    /// series then starts on the first snapshot's date instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clamped_from: Option<NaiveDate>,
}

impl Series {
    /// The area of one controller (its id) on each row, km².
    ///
    /// ```
    /// use frontline::{Atlas, parse_date};
    /// let atlas = Atlas::embedded()?;
    /// let series = atlas.series(parse_date("2020-01-01")?, parse_date("2023-12-31")?)?;
    /// assert_eq!(series.column("nkr")?.last(), Some(&0.0));
    /// assert!(series.column("nope").is_err());
    /// # Ok::<(), frontline::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::UnknownId`] (kind `controller`) when the id is not one of
    /// [`Series::controllers`].
    pub fn column(&self, controller: &str) -> Result<Vec<f64>> {
        let at = self
            .controllers
            .iter()
            .position(|c| c == controller)
            .ok_or_else(|| Error::UnknownId {
                kind: "controller",
                id: controller.to_owned(),
                suggestions: self.controllers.clone(),
            })?;
        Ok(self.rows.iter().map(|row| row.areas_km2[at]).collect())
    }
}

impl Atlas {
    /// Area per controller on `from` and at every snapshot change up to `to`.
    ///
    /// ```
    /// use frontline::{Atlas, parse_date};
    /// let atlas = Atlas::embedded()?;
    /// let series = atlas.series(parse_date("2020-01-01")?, parse_date("2023-12-31")?)?;
    /// assert_eq!(series.rows[0].snapshot, "1994-05-12");
    /// let nkr = series.controllers.iter().position(|c| c == "nkr").unwrap();
    /// assert_eq!(series.rows.last().unwrap().areas_km2[nkr], 0.0);
    /// # Ok::<(), frontline::Error>(())
    /// ```
    ///
    /// An interval that starts before the first snapshot starts on the first
    /// snapshot instead, and says so in [`Series::clamped_from`].
    ///
    /// # Errors
    ///
    /// [`Error::ReversedInterval`] when `from` is after `to`;
    /// [`Error::BeforeFirstSnapshot`] when the whole interval is before the
    /// first snapshot; a snapshot that cannot be read.
    pub fn series(&self, from: NaiveDate, to: NaiveDate) -> Result<Series> {
        if from > to {
            return Err(Error::ReversedInterval { from, to });
        }
        let first = self.snapshots().first().map(|s| s.date);
        let (from, clamped_from) = match first {
            Some(first) if from < first && to >= first => (first, Some(from)),
            _ => (from, None),
        };
        let controllers: Vec<String> = self.controllers().iter().map(|c| c.id.clone()).collect();
        let mut dates = vec![from];
        dates.extend(
            self.snapshots()
                .iter()
                .map(|s| s.date)
                .filter(|&d| d > from && d <= to),
        );
        // Rows in parallel: each reads its snapshot (once) and measures it.
        let rows = dates
            .into_par_iter()
            .map(|date| {
                let view = self.at(date)?;
                let areas_km2 = controllers.iter().map(|c| view.held_km2(c)).collect();
                Ok(SeriesRow {
                    date,
                    snapshot: view.snapshot.id.clone(),
                    areas_km2,
                })
            })
            .collect::<Result<_>>()?;
        Ok(Series {
            controllers,
            rows,
            clamped_from,
        })
    }
}

impl Series {
    /// The series as JSON for readers that look areas up by controller:
    /// `{"controllers": [...], "rows": [{"date", "snapshot", "areas_km2":
    /// {controller: km²}}]}`. The CLI's `series --format json` and the
    /// server's `/api/series` both print this value.
    ///
    /// ```
    /// use frontline::{Atlas, parse_date};
    /// let atlas = Atlas::embedded()?;
    /// let series = atlas.series(parse_date("2020-11-19")?, parse_date("2020-11-21")?)?;
    /// let json = series.to_json();
    /// assert_eq!(json["rows"][0]["date"], "2020-11-19");
    /// assert!(json["rows"][0]["areas_km2"]["nkr"].as_f64().unwrap() > 3000.0);
    /// # Ok::<(), frontline::Error>(())
    /// ```
    pub fn to_json(&self) -> serde_json::Value {
        let rows: Vec<serde_json::Value> = self
            .rows
            .iter()
            .map(|row| {
                let areas: serde_json::Map<String, serde_json::Value> = self
                    .controllers
                    .iter()
                    .cloned()
                    .zip(row.areas_km2.iter().map(|&a| a.into()))
                    .collect();
                serde_json::json!({"date": row.date, "snapshot": row.snapshot, "areas_km2": areas})
            })
            .collect();
        serde_json::json!({"controllers": self.controllers, "rows": rows})
    }
}
