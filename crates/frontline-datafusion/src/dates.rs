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
    /// The slot in force on each day from the first start to the last, so
    /// that a row's slot is one read; empty when that span is too long to
    /// keep.
    by_day: Vec<u16>,
}

/// The longest span of days [`Snapshots`] keeps a slot table for (about 180
/// years, 128 KiB).
const MAX_TABLE_DAYS: i64 = 1 << 16;

impl Snapshots {
    /// The snapshots of `atlas`, in date order.
    pub fn of(atlas: &Atlas) -> Snapshots {
        let mut starts: Vec<i32> = atlas
            .snapshots()
            .iter()
            .map(|s| naive_to_date32(s.date))
            .collect();
        starts.sort_unstable();
        Snapshots::from_sorted(starts)
    }

    /// The snapshots starting on `starts` (sorted days).
    fn from_sorted(starts: Vec<i32>) -> Snapshots {
        let by_day = match (starts.first(), starts.last()) {
            (Some(&first), Some(&last))
                if i64::from(last) - i64::from(first) < MAX_TABLE_DAYS
                    && starts.len() < usize::from(u16::MAX) =>
            {
                (first..=last)
                    .map(|day| (starts.partition_point(|&s| s <= day) - 1) as u16)
                    .collect()
            }
            _ => Vec::new(),
        };
        Snapshots { starts, by_day }
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
        let first = *self.starts.first()?;
        if !self.by_day.is_empty() {
            // Days past the table are in the last snapshot.
            let offset = i64::from(day) - i64::from(first);
            return match usize::try_from(offset) {
                Ok(at) => Some(
                    self.by_day
                        .get(at)
                        .map_or(self.starts.len() - 1, |&s| s as usize),
                ),
                Err(_) => None,
            };
        }
        self.starts.partition_point(|&s| s <= day).checked_sub(1)
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

    #[test]
    fn slot_table_agrees_with_a_search() {
        // Daily, sparse, one alone, and a span too long for a table.
        let cases = [
            (8_897..8_967).collect::<Vec<i32>>(),
            vec![8_897, 18_532, 18_533, 18_597, 19_620],
            vec![18_597],
            vec![-40_000, 0, 50_000],
        ];
        for (case, starts) in cases.into_iter().enumerate() {
            let snapshots = Snapshots::from_sorted(starts.clone());
            assert_eq!(snapshots.by_day.is_empty(), case == 3);
            let (first, last) = (starts[0], *starts.last().unwrap());
            let days = [i32::MIN, first - 400, first - 1, last + 1, i32::MAX]
                .into_iter()
                .chain(first - 3..(last + 3).min(first + 20_000));
            for day in days {
                let searched = starts.partition_point(|&s| s <= day).checked_sub(1);
                assert_eq!(snapshots.slot(day), searched, "case {case}, day {day}");
            }
        }
    }
}
