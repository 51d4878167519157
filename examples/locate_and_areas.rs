//! A library user's first steps: who held a point on a date, and how much
//! ground each side held.
//!
//! ```text
//! cargo run --example locate_and_areas -- 39.7601 46.7499 2021-06-01
//! ```

use frontline::{parse_date, Atlas};
use geo::Point;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (lat, lon, date) = match args.as_slice() {
        [lat, lon, date] => (lat.parse::<f64>()?, lon.parse::<f64>()?, parse_date(date)?),
        _ => (39.8177, 46.7528, parse_date("2021-06-01")?), // Stepanakert
    };

    let atlas = Atlas::embedded()?;
    let here = atlas.locate(Point::new(lon, lat), date)?;
    println!(
        "{lat}, {lon} on {date}: held by {}, de jure {}, rayon {}, overlays [{}]",
        here.controller.as_deref().unwrap_or("-"),
        here.de_jure.as_deref().unwrap_or("-"),
        here.rayon.as_deref().unwrap_or("-"),
        here.overlays.join(", ")
    );

    let view = atlas.at(date)?;
    println!("snapshot {} ({})", view.snapshot.id, view.snapshot.label);
    for area in view.stats().controllers {
        println!("  {:<24} {:>10.1} km²", area.name, area.area_km2);
    }
    Ok(())
}
