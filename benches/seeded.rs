//! Seeded inputs shared by benchmarks and tests, so every machine measures
//! and checks the same data.

/// xorshift64*: a tiny seeded generator of numbers in [0, 1).
pub struct Rng(pub u64);

impl Rng {
    /// The next number in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `n` uniformly random (lon, lat) points over the bundled region's
/// bounding box (43.4–50.0 E, 38.3–41.95 N).
#[allow(dead_code)] // not every includer needs both items
pub fn region_points(n: usize, seed: u64) -> Vec<(f64, f64)> {
    let mut rng = Rng(seed);
    (0..n)
        .map(|_| {
            (
                43.4 + rng.next_f64() * (50.0 - 43.4),
                38.3 + rng.next_f64() * (41.95 - 38.3),
            )
        })
        .collect()
}
