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
///
/// As JSON (serde), each row keys its areas by controller id, the form the
/// `frontline series --format json` command prints:
///
/// ```
/// use frontline::{Atlas, parse_date};
/// let atlas = Atlas::embedded()?;
/// let series = atlas.series(parse_date("2023-01-01")?, parse_date("2023-12-31")?)?;
/// let json: serde_json::Value = serde_json::to_value(&series)?;
/// assert_eq!(json["controllers"][0], "armenia");
/// assert_eq!(json["rows"][0]["snapshot"], "2022-09-13");
/// assert!(json["rows"][0]["areas_km2"]["nkr"].as_f64().unwrap() > 2900.0);
/// let back: frontline::Series = serde_json::from_value(json)?;
/// assert_eq!(back, series);
/// // Every row keys an area to every controller.
/// let short = r#"{"controllers":["a"],"rows":[{"date":"2020-01-01","snapshot":"s","areas_km2":{}}]}"#;
/// assert!(serde_json::from_str::<frontline::Series>(short).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(into = "SeriesJson", try_from = "SeriesJson")]
#[non_exhaustive]
pub struct Series {
    /// Controller ids, the column order of every row.
    pub controllers: Vec<String>,
    /// The interval's start, then every snapshot date up to its end.
    pub rows: Vec<SeriesRow>,
    /// The start asked for, when it was before the first snapshot: the
    /// series then starts on the first snapshot's date instead.
    pub clamped_from: Option<NaiveDate>,
}

/// [`Series`] as JSON: areas keyed by controller id.
#[derive(serde::Serialize, serde::Deserialize)]
struct SeriesJson {
    controllers: Vec<String>,
    rows: Vec<SeriesRowJson>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    clamped_from: Option<NaiveDate>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct SeriesRowJson {
    date: NaiveDate,
    snapshot: String,
    // In the order of `controllers` (serde_json keeps the order).
    areas_km2: serde_json::Map<String, serde_json::Value>,
}

impl From<Series> for SeriesJson {
    fn from(series: Series) -> Self {
        let rows = series
            .rows
            .into_iter()
            .map(|row| SeriesRowJson {
                date: row.date,
                snapshot: row.snapshot,
                areas_km2: series
                    .controllers
                    .iter()
                    .cloned()
                    .zip(row.areas_km2.into_iter().map(serde_json::Value::from))
                    .collect(),
            })
            .collect();
        SeriesJson {
            controllers: series.controllers,
            rows,
            clamped_from: series.clamped_from,
        }
    }
}

impl TryFrom<SeriesJson> for Series {
    type Error = String;

    fn try_from(json: SeriesJson) -> std::result::Result<Self, String> {
        let rows = json
            .rows
            .into_iter()
            .map(|row| {
                if row.areas_km2.len() != json.controllers.len() {
                    return Err(format!(
                        "series row {}: {} areas for {} controllers",
                        row.date,
                        row.areas_km2.len(),
                        json.controllers.len()
                    ));
                }
                let areas_km2 = json
                    .controllers
                    .iter()
                    .map(|id| match row.areas_km2.get(id) {
                        Some(serde_json::Value::Number(km2)) => {
                            Ok(km2.as_f64().unwrap_or(f64::NAN))
                        }
                        // Non-finite areas are written as null.
                        Some(serde_json::Value::Null) => Ok(f64::NAN),
                        _ => Err(format!(
                            "series row {}: expected a number of km² for controller {id:?}",
                            row.date
                        )),
                    })
                    .collect::<std::result::Result<_, _>>()?;
                Ok(SeriesRow {
                    date: row.date,
                    snapshot: row.snapshot,
                    areas_km2,
                })
            })
            .collect::<std::result::Result<_, String>>()?;
        Ok(Series {
            controllers: json.controllers,
            rows,
            clamped_from: json.clamped_from,
        })
    }
}

impl Series {
    /// The series as CSV: a header `date,snapshot,<controller id>...`, then
    /// one row per date with the areas in km² to three decimals (the form
    /// `frontline series` prints).
    ///
    /// ```
    /// use frontline::{Atlas, parse_date};
    /// let atlas = Atlas::embedded()?;
    /// let csv = atlas.series(parse_date("2023-01-01")?, parse_date("2023-12-31")?)?.to_csv();
    /// let header = csv.lines().next().unwrap();
    /// assert!(header.starts_with("date,snapshot,armenia,"), "{header}");
    /// assert!(csv.lines().nth(1).unwrap().starts_with("2023-01-01,2022-09-13,"));
    /// # Ok::<(), frontline::Error>(())
    /// ```
    pub fn to_csv(&self) -> String {
        let header = ["date", "snapshot"]
            .into_iter()
            .map(str::to_owned)
            .chain(self.controllers.iter().cloned());
        let rows = self.rows.iter().map(|row| {
            [row.date.to_string(), row.snapshot.clone()]
                .into_iter()
                .chain(row.areas_km2.iter().map(|a| format!("{a:.3}")))
                .collect::<Vec<_>>()
        });
        crate::text::csv_records(std::iter::once(header.collect()).chain(rows))
    }
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
