//! Seeded sample points over the bundled region, for tests and benchmarks:
//! `lon`, `lat` (doubles) and `date` (DATE) columns, reproducible from a
//! seed, written as Parquet a batch at a time.

use std::io::Write;
use std::sync::Arc;

use arrow::array::{ArrayRef, Date32Array, Float64Array, RecordBatch};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;

use crate::dates::naive_to_date32;
use crate::geoparquet::Error;

/// The box the points fall in: Nagorno-Karabakh and around it (lon, lat).
pub const REGION: [f64; 4] = [45.0, 38.8, 47.9, 40.8];

/// The schema of the sample: `lon`, `lat`, `date`.
pub fn schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("lon", DataType::Float64, true),
        Field::new("lat", DataType::Float64, true),
        Field::new("date", DataType::Date32, true),
    ]))
}

/// SplitMix64: tiny, seedable, good enough to scatter points.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A uniform double in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `rows` points as one batch: uniform in [`REGION`], dates uniform from
/// 1994-01-01 to 2024-12-31 (a few before the first snapshot).
pub fn batch(rows: usize, rng: &mut Rng) -> RecordBatch {
    let first = naive_to_date32(chrono::NaiveDate::from_ymd_opt(1994, 1, 1).expect("a date"));
    let last = naive_to_date32(chrono::NaiveDate::from_ymd_opt(2024, 12, 31).expect("a date"));
    let span = (last - first + 1) as f64;
    let mut lon = Vec::with_capacity(rows);
    let mut lat = Vec::with_capacity(rows);
    let mut date = Vec::with_capacity(rows);
    for _ in 0..rows {
        lon.push(REGION[0] + rng.unit() * (REGION[2] - REGION[0]));
        lat.push(REGION[1] + rng.unit() * (REGION[3] - REGION[1]));
        date.push(first + (rng.unit() * span) as i32);
    }
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Float64Array::from(lon)),
        Arc::new(Float64Array::from(lat)),
        Arc::new(Date32Array::from(date)),
    ];
    RecordBatch::try_new(schema(), columns).expect("columns match the schema")
}

/// Writes `rows` sample points from `seed` as Parquet (row groups of about a
/// million rows), a batch of 64 Ki rows at a time.
///
/// # Errors
///
/// The writer's.
pub fn write_parquet(rows: usize, seed: u64, out: impl Write + Send) -> Result<(), Error> {
    let mut rng = Rng::new(seed);
    let properties = parquet::file::properties::WriterProperties::builder()
        .set_compression(parquet::basic::Compression::SNAPPY)
        .set_max_row_group_row_count(Some(1 << 20))
        .build();
    let mut writer = ArrowWriter::try_new(out, schema(), Some(properties))?;
    let mut left = rows;
    while left > 0 {
        let n = left.min(1 << 16);
        writer.write(&batch(n, &mut rng))?;
        left -= n;
    }
    writer.close()?;
    Ok(())
}
