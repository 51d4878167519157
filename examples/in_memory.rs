//! An atlas built from values, with no dataset files: two sides on two
//! dates, then the ground each held and what changed hands.
//!
//! ```text
//! cargo run --example in_memory
//! ```

use frontline::{parse_date, AtlasBuilder, Controller, Territory};
use geo::{MultiPolygon, Rect};

/// A lon/lat box as a multipolygon.
fn boxed(west: f64, south: f64, east: f64, north: f64) -> MultiPolygon<f64> {
    MultiPolygon(vec![Rect::new((west, south), (east, north)).to_polygon()])
}

fn side(id: &str, name: &str, colour: &str) -> Controller {
    Controller {
        id: id.into(),
        name: name.into(),
        colour: colour.into(),
        allies: Vec::new(),
    }
}

fn territory(country: &str, shape: MultiPolygon<f64>) -> Territory {
    Territory {
        country: country.into(),
        name: country.into(),
        shape,
        source: "example".into(),
        accuracy: "exact".into(),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Two 1° squares on the equator; on the second date West holds half of
    // East's square too.
    let atlas = AtlasBuilder::new(
        "Two squares",
        [
            side("west", "West", "#0072b2"),
            side("east", "East", "#e69f00"),
        ],
    )
    .description("Two one-degree squares on the equator")
    .territory(territory("west", boxed(0.0, 0.0, 1.0, 1.0)))
    .territory(territory("east", boxed(1.0, 0.0, 2.0, 1.0)))
    .snapshot(
        parse_date("2000-01-01")?,
        "Start",
        [
            ("west", boxed(0.0, 0.0, 1.0, 1.0)),
            ("east", boxed(1.0, 0.0, 2.0, 1.0)),
        ],
    )
    .snapshot(
        parse_date("2010-01-01")?,
        "West advances",
        [
            ("west", boxed(0.0, 0.0, 1.5, 1.0)),
            ("east", boxed(1.5, 0.0, 2.0, 1.0)),
        ],
    )
    .build()?;

    for date in ["2005-06-01", "2015-06-01"] {
        let stats = atlas.at(parse_date(date)?)?.stats();
        println!("{date} (snapshot {})", stats.snapshot);
        for c in &stats.controllers {
            println!("  {:<6} {:>10.1} km²", c.name, c.area_km2);
        }
    }
    let diff = atlas.diff(parse_date("2005-06-01")?, parse_date("2015-06-01")?)?;
    println!("{} -> {}", diff.from, diff.to);
    for t in &diff.transitions {
        println!("  {} -> {}: {:.1} km²", t.from, t.to, t.area_km2);
    }
    println!(
        "  unchanged: {:.1} km² of {:.1} km²",
        diff.unchanged_km2, diff.total_km2
    );
    Ok(())
}
