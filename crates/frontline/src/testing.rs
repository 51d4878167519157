//! Helpers shared by the crate's unit tests.

/// A seeded xorshift64 generator: the same numbers on every run and
/// machine, so a failing case can be found again from its seed.
pub(crate) struct Xorshift(u64);

impl Xorshift {
    /// A generator starting from `seed` (not zero).
    pub(crate) fn new(seed: u64) -> Xorshift {
        Xorshift(seed)
    }

    /// The next 64 bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number uniform in [0, 1), from the next 53 bits.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}
