//! Dates between Arrow and the atlas: Arrow's `Date32` (days since
//! 1970-01-01) and the snapshot in force on a day.

use arrow::array::{Array, ArrayRef};
use arrow::compute::{cast_with_options, CastOptions};
use arrow::datatypes::DataType;
use chrono::NaiveDate;
use frontline::Atlas;

/// Days from 0001-01-01 (chrono's day 1) to 1970-01-01.
const UNIX_EPOCH_DAYS_FROM_CE: i32 = 719_163;

/// A `Date32` value as a date; `None` out of chrono's range.
pub fn date32_to_naive(days: i32) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(days.checked_add(UNIX_EPOCH_DAYS_FROM_CE)?)
}

/// A date as a `Date32` value.
pub fn naive_to_date32(date: NaiveDate) -> i32 {
    use chrono::Datelike;
    date.num_days_from_ce() - UNIX_EPOCH_DAYS_FROM_CE
}

/// Any date-like column as `Date32`: strings that are no date become null
/// (never an error: one bad row must not end a query).
pub fn to_date32(array: &ArrayRef) -> Result<ArrayRef, arrow::error::ArrowError> {
    if array.data_type() == &DataType::Date32 {
        return Ok(array.clone());
    }
    let safe = CastOptions {
        safe: true,
        ..Default::default()
    };
    cast_with_options(array, &DataType::Date32, &safe)
}

/// The atlas's snapshot start days, to find the snapshot in force on a day
/// without building a view per row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshots {
    starts: Vec<i32>,
}

impl Snapshots {
    /// The snapshots of `atlas`, in date order.
    pub fn of(atlas: &Atlas) -> Snapshots {
        let mut starts: Vec<i32> = atlas
            .snapshots()
            .iter()
            .map(|s| naive_to_date32(s.date))
            .collect();
        starts.sort_unstable();
        Snapshots { starts }
    }

    /// How many snapshots there are.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// Whether the atlas has no snapshot at all.
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// The slot of the snapshot in force on `day`; `None` before the first.
    #[inline]
    pub fn slot(&self, day: i32) -> Option<usize> {
        self.starts.partition_point(|&s| s <= day).checked_sub(1)
    }

    /// The days the snapshot at `slot` is in force: from its first day up to,
    /// not including, the next snapshot's.
    ///
    /// # Panics
    ///
    /// When `slot` is not below [`Snapshots::len`].
    #[inline]
    pub fn days(&self, slot: usize) -> std::ops::Range<i32> {
        self.starts[slot]..self.starts.get(slot + 1).copied().unwrap_or(i32::MAX)
    }

    /// First day of the snapshot at `slot`.
    ///
    /// # Panics
    ///
    /// When `slot` is not below [`Snapshots::len`].
    pub fn date(&self, slot: usize) -> NaiveDate {
        self.date_opt(slot).expect("a slot of this atlas")
    }

    /// First day of the snapshot at `slot`, if there is one.
    pub fn date_opt(&self, slot: usize) -> Option<NaiveDate> {
        self.starts.get(slot).copied().and_then(date32_to_naive)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date32_round_trips() {
        let date = frontline::parse_date("2020-12-01").unwrap();
        assert_eq!(naive_to_date32(date), 18_597);
        assert_eq!(date32_to_naive(18_597), Some(date));
        assert_eq!(date32_to_naive(0).unwrap().to_string(), "1970-01-01");
        assert_eq!(date32_to_naive(i32::MAX), None);
    }
}
