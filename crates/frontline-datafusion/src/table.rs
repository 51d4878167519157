//! The table functions: `fl_zones(date)`, `fl_series(from, to)`,
//! `fl_diff(from, to)` and `fl_snapshots()`. Each answers from one library
//! call ([`frontline::View`], [`Atlas::series`], [`Atlas::diff`],
//! [`Atlas::snapshots`]) as an in-memory table of one batch.

use std::sync::Arc;

use arrow::array::{ArrayRef, BinaryArray, Date32Array, Float64Array, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use chrono::NaiveDate;
use datafusion::catalog::{TableFunctionArgs, TableFunctionImpl, TableProvider};
use datafusion::common::{plan_err, DataFusionError, Result, ScalarValue};
use datafusion::datasource::MemTable;
use datafusion::logical_expr::Expr;
use frontline::Atlas;

use crate::dates::{date32_to_naive, naive_to_date32};
use crate::wkb;

/// Which table a function returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Table {
    Zones,
    Series,
    Diff,
    Snapshots,
}

impl Table {
    pub(crate) const ALL: [Table; 4] = [Table::Zones, Table::Series, Table::Diff, Table::Snapshots];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Table::Zones => "fl_zones",
            Table::Series => "fl_series",
            Table::Diff => "fl_diff",
            Table::Snapshots => "fl_snapshots",
        }
    }

    fn parameters(self) -> &'static [&'static str] {
        match self {
            Table::Zones => &["date"],
            Table::Series | Table::Diff => &["from", "to"],
            Table::Snapshots => &[],
        }
    }
}

/// A table function bound to an atlas.
#[derive(Debug)]
pub(crate) struct AtlasTable {
    pub(crate) table: Table,
    pub(crate) atlas: Arc<Atlas>,
}

/// A date argument: a `'YYYY-MM-DD'` string or a DATE literal.
fn date_argument(function: &str, parameter: &str, expr: &Expr) -> Result<NaiveDate> {
    let value = match expr {
        Expr::Literal(value, _) => value.clone(),
        Expr::Cast(cast) => match &*cast.expr {
            Expr::Literal(value, _) => value.clone(),
            _ => ScalarValue::Null,
        },
        _ => ScalarValue::Null,
    };
    let date = match &value {
        ScalarValue::Utf8(Some(s))
        | ScalarValue::LargeUtf8(Some(s))
        | ScalarValue::Utf8View(Some(s)) => frontline::parse_date(s).ok(),
        ScalarValue::Date32(Some(days)) => date32_to_naive(*days),
        _ => None,
    };
    match date {
        Some(date) => Ok(date),
        None => plan_err!(
            "{function}: {parameter} must be a date literal like '2020-12-01', got {expr}"
        ),
    }
}

fn library(e: frontline::Error) -> DataFusionError {
    DataFusionError::Execution(e.to_string())
}

fn utf8(name: &str, nullable: bool) -> Field {
    Field::new(name, DataType::Utf8, nullable)
}

impl TableFunctionImpl for AtlasTable {
    fn call_with_args(&self, args: TableFunctionArgs) -> Result<Arc<dyn TableProvider>> {
        let name = self.table.name();
        let parameters = self.table.parameters();
        let exprs = args.exprs();
        if exprs.len() != parameters.len() {
            return plan_err!(
                "{name} takes {} argument(s) ({}), got {}",
                parameters.len(),
                parameters.join(", "),
                exprs.len()
            );
        }
        let dates = exprs
            .iter()
            .zip(parameters)
            .map(|(e, p)| date_argument(name, p, e))
            .collect::<Result<Vec<_>>>()?;
        let batch = match self.table {
            Table::Zones => zones(&self.atlas, dates[0])?,
            Table::Series => series(&self.atlas, dates[0], dates[1])?,
            Table::Diff => diff(&self.atlas, dates[0], dates[1])?,
            Table::Snapshots => snapshots(&self.atlas)?,
        };
        Ok(Arc::new(MemTable::try_new(
            batch.schema(),
            vec![vec![batch]],
        )?))
    }
}

/// The schema of `fl_zones`: one row per controller holding ground.
pub fn zones_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        utf8("controller", false),
        utf8("name", false),
        Field::new("area_km2", DataType::Float64, false),
        wkb::geometry_field("geometry"),
    ]))
}

/// The zones in force on `date`: controller id and name, geodesic area in
/// km² and the ground as WKB.
///
/// # Errors
///
/// A date before the first snapshot, or a snapshot that cannot be read.
pub fn zones(atlas: &Atlas, date: NaiveDate) -> Result<RecordBatch> {
    let view = atlas.at(date).map_err(library)?;
    let stats = view.stats();
    let zones: Vec<_> = view.snapshot.zones.iter().collect();
    let area = |id: &str| {
        stats
            .controllers
            .iter()
            .find(|c| c.id == id)
            .map_or(0.0, |c| c.area_km2)
    };
    let name = |id: &str| {
        atlas
            .controller(id)
            .map_or(id, |c| c.name.as_str())
            .to_owned()
    };
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(
            zones.iter().map(|z| &z.controller),
        )),
        Arc::new(StringArray::from_iter_values(
            zones.iter().map(|z| name(&z.controller)),
        )),
        Arc::new(Float64Array::from_iter_values(
            zones.iter().map(|z| area(&z.controller)),
        )),
        Arc::new(BinaryArray::from_iter_values(
            zones.iter().map(|z| wkb::multi_polygon(&z.shape)),
        )),
    ];
    Ok(RecordBatch::try_new(zones_schema(), columns)?)
}

/// `fl_series`: one row per state and controller (long form): the state's
/// first day, the snapshot in force, the controller and its area in km².
///
/// # Errors
///
/// As [`Atlas::series`].
pub fn series(atlas: &Atlas, from: NaiveDate, to: NaiveDate) -> Result<RecordBatch> {
    let series = atlas.series(from, to).map_err(library)?;
    let (mut dates, mut snapshot, mut controller, mut area) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for row in &series.rows {
        for (id, km2) in series.controllers.iter().zip(&row.areas_km2) {
            dates.push(naive_to_date32(row.date));
            snapshot.push(row.snapshot.as_str());
            controller.push(id.as_str());
            area.push(*km2);
        }
    }
    let schema = Arc::new(Schema::new(vec![
        Field::new("date", DataType::Date32, false),
        utf8("snapshot", false),
        utf8("controller", false),
        Field::new("area_km2", DataType::Float64, false),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Date32Array::from(dates)),
        Arc::new(StringArray::from(snapshot)),
        Arc::new(StringArray::from(controller)),
        Arc::new(Float64Array::from(area)),
    ];
    Ok(RecordBatch::try_new(schema, columns)?)
}

/// `fl_diff`: one row per transition between the snapshots in force on
/// `from` and `to`: the controllers before and after, the area in km² and
/// the ground as WKB.
///
/// # Errors
///
/// As [`Atlas::diff`].
pub fn diff(atlas: &Atlas, from: NaiveDate, to: NaiveDate) -> Result<RecordBatch> {
    let diff = atlas.diff(from, to).map_err(library)?;
    let t = &diff.transitions;
    let schema = Arc::new(Schema::new(vec![
        utf8("from_controller", false),
        utf8("to_controller", false),
        Field::new("area_km2", DataType::Float64, false),
        wkb::geometry_field("geometry"),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(t.iter().map(|t| &t.from))),
        Arc::new(StringArray::from_iter_values(t.iter().map(|t| &t.to))),
        Arc::new(Float64Array::from_iter_values(t.iter().map(|t| t.area_km2))),
        Arc::new(BinaryArray::from_iter_values(
            t.iter().map(|t| wkb::multi_polygon(&t.shape)),
        )),
    ];
    Ok(RecordBatch::try_new(schema, columns)?)
}

/// `fl_snapshots`: id, first day in force, the day the next one takes over
/// (null for the last) and label.
///
/// # Errors
///
/// None in practice; the signature leaves room for Arrow's checks.
pub fn snapshots(atlas: &Atlas) -> Result<RecordBatch> {
    let infos = atlas.snapshots();
    let schema = Arc::new(Schema::new(vec![
        utf8("id", false),
        Field::new("date", DataType::Date32, false),
        Field::new("until", DataType::Date32, true),
        utf8("label", false),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(infos.iter().map(|s| &s.id))),
        Arc::new(Date32Array::from_iter_values(
            infos.iter().map(|s| naive_to_date32(s.date)),
        )),
        Arc::new(Date32Array::from_iter(
            infos.iter().map(|s| s.until.map(naive_to_date32)),
        )),
        Arc::new(StringArray::from_iter_values(
            infos.iter().map(|s| &s.label),
        )),
    ];
    Ok(RecordBatch::try_new(schema, columns)?)
}
