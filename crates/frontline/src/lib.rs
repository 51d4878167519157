//! frontline: territorial control maps.
pub mod geometry;
