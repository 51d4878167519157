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
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

use arrow::array::builder::make_view;
use arrow::array::{
    Array, ArrayRef, AsArray, Float64Array, Float64Builder, ListBuilder, StringBuilder,
    StringViewArray,
};
use arrow::buffer::{BooleanBuffer, Buffer, NullBuffer, ScalarBuffer};
use arrow::datatypes::{DataType, Date32Type, Field, Float64Type};
use datafusion::common::{exec_err, plan_err, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use frontline::index::{LocateIndex, RecordError};
use frontline::{Atlas, Controller};

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
            // Views: a controller id is a copied 16-byte view, and short ids
            // (most) are grouped and compared as one integer.
            Answer::Controller => DataType::Utf8View,
            Answer::DeJure | Answer::Rayon => DataType::Utf8,
            Answer::Overlays => {
                DataType::List(Arc::new(Field::new_list_field(DataType::Utf8, true)))
            }
            Answer::NearestOtherKm => DataType::Float64,
        }
    }
}

/// A snapshot's grid that no thread has begun to build.
const UNCLAIMED: u8 = 0;
/// A snapshot's grid one thread is building.
const BUILDING: u8 = 1;
/// A snapshot's grid that is built (or whose snapshot cannot be read).
const BUILT: u8 = 2;

/// One of the scalar functions, bound to an atlas.
#[derive(Debug)]
pub(crate) struct LocateUdf {
    answer: Answer,
    atlas: Arc<Atlas>,
    snapshots: Snapshots,
    ids: IdViews,
    /// Per snapshot: whether a thread has taken on building its grid
    /// ([`UNCLAIMED`], [`BUILDING`], [`BUILT`]), so that engine threads
    /// build different grids instead of waiting on the same one.
    grids: Arc<[AtomicU8]>,
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
    let ids = IdViews::of(atlas.controllers());
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
            ids: ids.clone(),
            grids: (0..snapshots.len())
                .map(|_| AtomicU8::new(UNCLAIMED))
                .collect(),
            signature: Signature::user_defined(Volatility::Immutable),
        })
    })
    .collect()
}

/// The atlas's controller ids as Arrow string views, made once: a view per
/// controller (an id of up to 12 bytes lives inside its view) and one buffer
/// holding the longer ids.
#[derive(Debug, Clone)]
struct IdViews {
    views: Vec<u128>,
    longer: Buffer,
}

impl IdViews {
    fn of(controllers: &[Controller]) -> IdViews {
        let mut longer = Vec::new();
        let views = controllers
            .iter()
            .map(|c| {
                let id = c.id.as_bytes();
                let offset = longer.len() as u32;
                if id.len() > 12 {
                    longer.extend_from_slice(id);
                }
                make_view(id, 0, offset)
            })
            .collect();
        IdViews {
            views,
            longer: Buffer::from_vec(longer),
        }
    }

    /// The view of `controller`, an entry of `controllers` (the slice the
    /// views were made from): found by its place in the slice, or by id.
    #[inline]
    fn view(&self, controllers: &[Controller], controller: &Controller) -> u128 {
        let at = (controller as *const Controller as usize)
            .wrapping_sub(controllers.as_ptr() as usize)
            / std::mem::size_of::<Controller>().max(1);
        match controllers.get(at) {
            Some(c) if std::ptr::eq(c, controller) => self.views[at],
            _ => controllers
                .iter()
                .position(|c| c.id == controller.id)
                .map_or(0, |at| self.views[at]),
        }
    }

    /// The array of `views`, where a zero view (no controller) is null.
    fn array(&self, views: Vec<u128>) -> StringViewArray {
        let nulls = NullBuffer::from(BooleanBuffer::collect_bool(views.len(), |i| views[i] != 0));
        let buffers = if self.longer.is_empty() {
            vec![]
        } else {
            vec![self.longer.clone()]
        };
        // `try_new` would check every row's UTF-8 again: a fifth of a
        // one-date query.
        // SAFETY: each view is zero (an empty string, and null) or a copy of
        // one `of` made with `make_view` from an id, a `String`: inline, or at
        // its offset in buffer 0, `longer`.
        unsafe { StringViewArray::new_unchecked(ScalarBuffer::from(views), buffers, Some(nulls)) }
    }
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

/// The rows of a batch in force on one snapshot, and their points.
#[derive(Default)]
struct Bucket {
    rows: Vec<u32>,
    points: Vec<(f64, f64)>,
}

thread_local! {
    /// `fl_controller`'s buckets, one per snapshot, kept from batch to batch
    /// on each engine thread.
    static BUCKETS: std::cell::RefCell<Vec<Bucket>> = std::cell::RefCell::default();
}

/// Whether (lon, lat) lies within WGS 84 ranges (NaN does not).
#[inline]
fn in_range(lon: f64, lat: f64) -> bool {
    (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat)
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
        in_range(lon, lat).then_some((lon, lat))
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
    /// ([`LocateIndex::for_each_controller`]) on this thread (the engine
    /// already runs a batch per core). A batch whose rows are all valid and
    /// all in one snapshot (a query on one date, rows sorted by date) is
    /// located in row order, without the groups.
    fn controllers(&self, batch: &Batch) -> StringViewArray {
        let snapshots = &self.snapshots;
        let controllers = self.atlas.controllers();
        let ids = &self.ids;
        let view_of = |c: Option<&Controller>| c.map_or(0, |c| ids.view(controllers, c));
        // Builds the grid on first use (then marks it built); a snapshot
        // that cannot be read gives `None`, its rows null.
        let index_of = |slot: usize| {
            let index = self
                .atlas
                .at(snapshots.date(slot))
                .ok()
                .map(|view| LocateIndex::new(&view));
            self.grids[slot].store(BUILT, Ordering::Release);
            index
        };
        BUCKETS.with_borrow_mut(|buckets| {
            buckets.resize_with(snapshots.len().max(1), Bucket::default);
            for bucket in buckets.iter_mut() {
                bucket.rows.clear();
                bucket.points.clear();
            }
            let (lon, lat) = (batch.lon.values(), batch.lat.values());
            let days = batch.days.filter(|days| {
                batch.lon.null_count() + batch.lat.null_count() + days.null_count() == 0
            });
            if let Some(slot) = days.and_then(|days| self.one_slot(lon, lat, days.values())) {
                let mut views = Vec::with_capacity(batch.rows);
                // Claimed like the buckets' grids below (built or building
                // elsewhere, this batch waits for it all the same), so that
                // a thread with a bucket of this snapshot does not wait.
                self.claim(slot);
                match index_of(slot) {
                    Some(index) => {
                        let points = &mut buckets[0].points;
                        points.extend(lon.iter().zip(lat).map(|(&lon, &lat)| (lon, lat)));
                        index.for_each_controller(points, |_, c| views.push(view_of(c)));
                    }
                    None => views.resize(batch.rows, 0),
                }
                return self.ids.array(views);
            }
            let mut views = vec![0u128; batch.rows];
            // Each valid row into the bucket of its slot, in one pass.
            let mut put = |i: usize, lon: f64, lat: f64, day: i32| {
                if let Some(slot) = snapshots.slot(day) {
                    let bucket = &mut buckets[slot];
                    bucket.rows.push(i as u32);
                    bucket.points.push((lon, lat));
                }
            };
            match days {
                Some(days) => {
                    for (i, ((&lon, &lat), &day)) in
                        lon.iter().zip(lat).zip(days.values()).enumerate()
                    {
                        if in_range(lon, lat) {
                            put(i, lon, lat, day);
                        }
                    }
                }
                None => {
                    for i in 0..batch.rows {
                        if let (Some((lon, lat)), Some(day)) = (batch.point(i), batch.day(i)) {
                            put(i, lon, lat, day);
                        }
                    }
                }
            }
            let mut answer = |index: Option<LocateIndex<'_>>, bucket: &Bucket| {
                if let Some(index) = index {
                    index.for_each_controller(&bucket.points, |k, c| {
                        if let Some(c) = c {
                            views[bucket.rows[k] as usize] = ids.view(controllers, c);
                        }
                    });
                }
            };
            // A grid another thread is building is left to the end of the
            // batch: this thread builds others (or answers from built ones)
            // meanwhile, so the first batches build the grids in parallel.
            let mut later = Vec::new();
            for (slot, bucket) in buckets.iter().enumerate() {
                if bucket.rows.is_empty() {
                    continue;
                }
                if !self.claim(slot) {
                    later.push(slot);
                    continue;
                }
                answer(index_of(slot), bucket);
            }
            for slot in later {
                answer(index_of(slot), &buckets[slot]);
            }
            self.ids.array(views)
        })
    }

    /// Whether this thread may use the grid of `slot` now: it is built, or
    /// no thread had begun it and this one now has. `false` while another
    /// thread builds it.
    fn claim(&self, slot: usize) -> bool {
        let state = &self.grids[slot];
        state.load(Ordering::Acquire) == BUILT
            || state
                .compare_exchange(UNCLAIMED, BUILDING, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
    }

    /// The one slot every row is in, when every row has a point within
    /// WGS 84 ranges and a day in force on the same snapshot.
    fn one_slot(&self, lon: &[f64], lat: &[f64], days: &[i32]) -> Option<usize> {
        let slot = self.snapshots.slot(*days.first()?)?;
        let mut last_day = days[0];
        let same = lon.iter().zip(lat).zip(days).all(|((&lon, &lat), &day)| {
            let same_slot = day == last_day || self.snapshots.slot(day) == Some(slot);
            last_day = day;
            same_slot && in_range(lon, lat)
        });
        same.then_some(slot)
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
