//! The scalar functions: `fl_controller`, `fl_de_jure`, `fl_rayon`,
//! `fl_overlays` and `fl_nearest_other_km`.
//!
//! Each call gets a whole Arrow batch. Rows are grouped by the snapshot in
//! force on their date and each group is located in one pass through the
//! atlas's grids ([`frontline::index`]); the answers go straight into Arrow
//! builders. A row with a null or non-finite coordinate, a coordinate out of
//! WGS 84 ranges, a null or unreadable date, or a date before the first
//! snapshot gets null: one bad row never ends a query.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, AsArray, Float64Array, Float64Builder, ListBuilder, StringBuilder,
};
use arrow::datatypes::{DataType, Date32Type, Field, Float64Type};
use datafusion::common::{exec_err, plan_err, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use frontline::index::{LocateIndex, RecordError};
use frontline::Atlas;

use crate::dates::{date32_to_naive, Snapshots};

/// What a function answers for a point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Answer {
    Controller,
    DeJure,
    Rayon,
    Overlays,
    NearestOtherKm,
}

impl Answer {
    fn name(self) -> &'static str {
        match self {
            Answer::Controller => "fl_controller",
            Answer::DeJure => "fl_de_jure",
            Answer::Rayon => "fl_rayon",
            Answer::Overlays => "fl_overlays",
            Answer::NearestOtherKm => "fl_nearest_other_km",
        }
    }

    /// Whether the answer depends on a date (a third argument).
    fn dated(self) -> bool {
        !matches!(self, Answer::DeJure | Answer::Rayon)
    }

    fn return_type(self) -> DataType {
        match self {
            Answer::Controller | Answer::DeJure | Answer::Rayon => DataType::Utf8,
            Answer::Overlays => {
                DataType::List(Arc::new(Field::new_list_field(DataType::Utf8, true)))
            }
            Answer::NearestOtherKm => DataType::Float64,
        }
    }
}

/// One of the scalar functions, bound to an atlas.
#[derive(Debug)]
pub(crate) struct LocateUdf {
    answer: Answer,
    atlas: Arc<Atlas>,
    snapshots: Snapshots,
    signature: Signature,
}

// DataFusion compares and hashes functions to deduplicate expressions: two
// are the same when they answer the same question of the same atlas.
impl PartialEq for LocateUdf {
    fn eq(&self, other: &Self) -> bool {
        self.answer == other.answer && Arc::ptr_eq(&self.atlas, &other.atlas)
    }
}

impl Eq for LocateUdf {}

impl Hash for LocateUdf {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.answer.hash(state);
        Arc::as_ptr(&self.atlas).hash(state);
    }
}

/// Every scalar function of the crate for `atlas`.
pub(crate) fn all(atlas: &Arc<Atlas>) -> Vec<ScalarUDF> {
    let snapshots = Snapshots::of(atlas);
    [
        Answer::Controller,
        Answer::DeJure,
        Answer::Rayon,
        Answer::Overlays,
        Answer::NearestOtherKm,
    ]
    .into_iter()
    .map(|answer| {
        ScalarUDF::new_from_impl(LocateUdf {
            answer,
            atlas: Arc::clone(atlas),
            snapshots: snapshots.clone(),
            signature: Signature::user_defined(Volatility::Immutable),
        })
    })
    .collect()
}

/// Whether a column of this type can be read as a date.
fn date_like(data_type: &DataType) -> bool {
    matches!(
        data_type,
        DataType::Date32
            | DataType::Date64
            | DataType::Timestamp(..)
            | DataType::Utf8
            | DataType::LargeUtf8
            | DataType::Utf8View
            | DataType::Null
    )
}

impl ScalarUDFImpl for LocateUdf {
    fn name(&self) -> &str {
        self.answer.name()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let name = self.name();
        let (arity, args) = if self.answer.dated() {
            (3, "lon, lat, date")
        } else {
            (2, "lon, lat")
        };
        if arg_types.len() != arity {
            return plan_err!(
                "{name} takes {arity} arguments ({args}), got {}",
                arg_types.len()
            );
        }
        let mut coerced = Vec::with_capacity(arity);
        for (i, t) in arg_types[..2].iter().enumerate() {
            if !(t.is_numeric() || t.is_null()) {
                let which = ["lon", "lat"][i];
                return plan_err!("{name}: {which} must be a number (degrees, WGS 84), got {t}");
            }
            coerced.push(DataType::Float64);
        }
        if let Some(t) = arg_types.get(2) {
            if !date_like(t) {
                return plan_err!(
                    "{name}: date must be a DATE, a timestamp or a 'YYYY-MM-DD' string, got {t}"
                );
            }
            coerced.push(match t {
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => t.clone(),
                _ => DataType::Date32,
            });
        }
        Ok(coerced)
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(self.answer.return_type())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let rows = args.number_rows;
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let float = |i: usize| -> Result<&Float64Array> {
            match arrays[i].as_primitive_opt::<Float64Type>() {
                Some(a) => Ok(a),
                None => exec_err!(
                    "{}: argument {} is {}, expected Float64",
                    self.name(),
                    i + 1,
                    arrays[i].data_type()
                ),
            }
        };
        let (lon, lat) = (float(0)?, float(1)?);
        let days = match arrays.get(2) {
            Some(date) => Some(crate::dates::to_date32(date)?),
            None => None,
        };
        let days = days.as_ref().map(|d| d.as_primitive::<Date32Type>());
        let batch = Batch {
            lon,
            lat,
            days,
            rows,
        };
        let out: ArrayRef = match self.answer {
            Answer::Controller => Arc::new(self.controllers(&batch)),
            Answer::DeJure | Answer::Rayon | Answer::Overlays => self.located(&batch),
            Answer::NearestOtherKm => Arc::new(self.nearest_other_km(&batch)),
        };
        Ok(ColumnarValue::Array(out))
    }
}

/// The arguments of one call, as arrays of `rows` values.
struct Batch<'a> {
    lon: &'a Float64Array,
    lat: &'a Float64Array,
    days: Option<&'a arrow::array::Date32Array>,
    rows: usize,
}

impl Batch<'_> {
    /// The point of row `i`, when both coordinates are present and within
    /// WGS 84 ranges.
    #[inline]
    fn point(&self, i: usize) -> Option<(f64, f64)> {
        if self.lon.is_null(i) || self.lat.is_null(i) {
            return None;
        }
        let (lon, lat) = (self.lon.value(i), self.lat.value(i));
        ((-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat)).then_some((lon, lat))
    }

    /// The day of row `i` (days since 1970-01-01), when present.
    #[inline]
    fn day(&self, i: usize) -> Option<i32> {
        let days = self.days?;
        days.is_valid(i).then(|| days.value(i))
    }
}

impl LocateUdf {
    /// `fl_controller`: the valid rows grouped by the snapshot in force on
    /// their day, each group located in one pass over its grid
    /// ([`LocateIndex::controllers_each`]) on this thread (the engine already
    /// runs a batch per core).
    fn controllers(&self, batch: &Batch) -> arrow::array::StringArray {
        const NO_SLOT: u32 = u32::MAX;
        let snapshots = &self.snapshots;
        // Each valid row's slot; rows of a batch mostly share a few, so the
        // last slot's days are tried before a search.
        let mut slot_of = vec![NO_SLOT; batch.rows];
        let mut counts = vec![0u32; snapshots.len()];
        let mut last: (std::ops::Range<i32>, u32) = (0..0, NO_SLOT);
        for (i, slot) in slot_of.iter_mut().enumerate() {
            let (Some(_), Some(day)) = (batch.point(i), batch.day(i)) else {
                continue;
            };
            if !last.0.contains(&day) {
                let Some(found) = snapshots.slot(day) else {
                    continue;
                };
                last = (snapshots.days(found), found as u32);
            }
            *slot = last.1;
            counts[last.1 as usize] += 1;
        }
        // Rows in slot order (a counting sort), with their points.
        let starts: Vec<usize> = counts
            .iter()
            .scan(0, |sum, &n| {
                let start = *sum;
                *sum += n as usize;
                Some(start)
            })
            .collect();
        let mut next = starts.clone();
        let located = counts.iter().map(|&n| n as usize).sum();
        let mut rows = vec![0u32; located];
        let mut points = vec![(0.0, 0.0); located];
        for (i, &slot) in slot_of.iter().enumerate() {
            if slot != NO_SLOT {
                let at = &mut next[slot as usize];
                rows[*at] = i as u32;
                points[*at] = (batch.lon.value(i), batch.lat.value(i));
                *at += 1;
            }
        }
        let mut found = vec![None; located];
        // Engine threads start at different slots, so that a grid on first
        // use is built by one while the other builds the next, rather than
        // both waiting on the same.
        let turn = {
            use std::hash::{DefaultHasher, Hash, Hasher};
            let mut hasher = DefaultHasher::new();
            std::thread::current().id().hash(&mut hasher);
            hasher.finish() as usize
        };
        let len = counts.len().max(1);
        for k in 0..counts.len() {
            let slot = (k + turn) % len;
            let n = counts[slot];
            let range = starts[slot]..starts[slot] + n as usize;
            if n == 0 {
                continue;
            }
            // A snapshot that cannot be read leaves its rows null.
            if let Ok(view) = self.atlas.at(snapshots.date(slot)) {
                LocateIndex::new(&view)
                    .controllers_each(&points[range.clone()], &mut found[range])
                    .expect("one answer slot per point");
            }
        }
        let mut answers: Vec<Option<&str>> = vec![None; batch.rows];
        for (&row, controller) in rows.iter().zip(&found) {
            answers[row as usize] = controller.map(|c| c.id.as_str());
        }
        answers.into_iter().collect()
    }

    /// `fl_de_jure`, `fl_rayon`, `fl_overlays`: [`Atlas::locate_each`] over
    /// the valid rows, on this thread (undated functions ask on the first
    /// snapshot's date: de jure borders and rayons do not change with it).
    fn located(&self, batch: &Batch) -> ArrayRef {
        let atlas = &*self.atlas;
        let first = self.snapshots.date_opt(0);
        let mut rows = Vec::with_capacity(batch.rows);
        let mut records = Vec::with_capacity(batch.rows);
        for i in 0..batch.rows {
            let Some((lon, lat)) = batch.point(i) else {
                continue;
            };
            let date = match batch.days {
                Some(_) => batch.day(i).and_then(date32_to_naive),
                None => first,
            };
            if let Some(date) = date {
                rows.push(i);
                records.push((lon, lat, date));
            }
        }
        let mut out = vec![Err(RecordError::BadCoordinate); records.len()];
        atlas
            .locate_each(&records, &mut out)
            .expect("one answer slot per record");
        let mut by_row = vec![None; batch.rows];
        for (&row, located) in rows.iter().zip(out) {
            by_row[row] = located.ok();
        }
        match self.answer {
            Answer::DeJure => Arc::new(
                by_row
                    .iter()
                    .map(|l| l.and_then(|l| l.de_jure()))
                    .collect::<arrow::array::StringArray>(),
            ),
            Answer::Rayon => Arc::new(
                by_row
                    .iter()
                    .map(|l| l.and_then(|l| l.rayon()))
                    .collect::<arrow::array::StringArray>(),
            ),
            _ => {
                let mut list = ListBuilder::new(StringBuilder::new());
                for located in &by_row {
                    match located {
                        Some(l) => {
                            for id in l.overlays() {
                                list.values().append_value(id);
                            }
                            list.append(true);
                        }
                        None => list.append(false),
                    }
                }
                Arc::new(list.finish())
            }
        }
    }

    /// `fl_nearest_other_km`: per row, the view of its snapshot (one per
    /// snapshot and call) answers from its edge tree.
    fn nearest_other_km(&self, batch: &Batch) -> Float64Array {
        let atlas = &*self.atlas;
        let mut views: Vec<Option<Option<frontline::View>>> = vec![None; self.snapshots.len()];
        let mut out = Float64Builder::with_capacity(batch.rows);
        for i in 0..batch.rows {
            let view = match (
                batch.point(i),
                batch.day(i).and_then(|d| self.snapshots.slot(d)),
            ) {
                (Some(point), Some(slot)) => views[slot]
                    .get_or_insert_with(|| atlas.at(self.snapshots.date(slot)).ok())
                    .as_ref()
                    .map(|view| (point, view)),
                _ => None,
            };
            let km = view.and_then(|((lon, lat), view)| {
                let index = LocateIndex::new(view);
                let holder = index.controller(lon, lat);
                // A point the library refuses gives NULL, like any bad row.
                view.nearest_other(geo::Point::new(lon, lat), holder)
                    .ok()
                    .flatten()
                    .map(|near| near.km)
            });
            out.append_option(km);
        }
        out.finish()
    }
}
