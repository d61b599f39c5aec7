//! A small deterministic random source for the unit tests that generate a store (a linear
//! congruential generator): the same seed, the same store.

pub struct Dice(pub u64);

impl Dice {
    /// A number in `0..n` (`n` > 0).
    pub fn roll(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}
