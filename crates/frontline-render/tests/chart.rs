//! The area chart is readable: a panel per side on its own scale, ticks on
//! years, months or days by the span, and no text that overlaps another or
//! leaves the canvas, whatever the span and the size. The boxes are the
//! layout's own, the ones the drawing uses.

use chrono::Datelike;
use frontline::{parse_date, Atlas};
use frontline_render::{chart_layout, render_chart, svg_to_png, ChartLayout, ChartOptions};

fn layout(atlas: &Atlas, from: &str, to: &str, width: u32, height: u32) -> ChartLayout {
    let (from, to) = (parse_date(from).unwrap(), parse_date(to).unwrap());
    let options = ChartOptions::new().size(width, height);
    chart_layout(&atlas.series(from, to).unwrap(), atlas, to, &options).unwrap()
}

fn assert_readable(layout: &ChartLayout, what: &str) {
    let texts = layout.texts();
    for text in &texts {
        assert!(
            text.inside(layout.width, layout.height),
            "{what}: {text:?} leaves the {}×{} canvas",
            layout.width,
            layout.height
        );
        assert!(!text.text.is_empty(), "{what}: an empty text");
    }
    for (i, a) in texts.iter().enumerate() {
        for b in &texts[i + 1..] {
            assert!(!a.intersects(b), "{what}: {a:?} overlaps {b:?}");
        }
    }
    // Plots lie between the markers and the axis labels, one under another.
    for pair in layout.panels.windows(2) {
        assert!(pair[0].plot.3 < pair[1].title.y0, "{what}: panels overlap");
    }
    let first_plot = layout.panels[0].plot;
    for marker in &layout.markers {
        assert!(marker.label.y1 < layout.panels[0].title.y0);
        assert!(marker.label.x0 >= 0.0 && marker.label.x1 <= layout.width as f64);
    }
    let last_plot = layout.panels.last().unwrap().plot;
    for (_, tick) in &layout.x_ticks {
        assert!(tick.y0 > last_plot.3);
    }
    assert!(first_plot.0 < first_plot.2);
}

#[test]
fn every_text_fits_and_none_overlaps() {
    let atlas = Atlas::embedded().unwrap();
    for (from, to) in [
        ("1994-05-12", "2024-06-30"),
        ("2020-09-27", "2020-11-10"),
        ("2019-01-01", "2023-12-31"),
        ("2022-12-01", "2023-10-15"),
        ("2020-11-01", "2020-11-12"),
    ] {
        for (width, height) in [
            (1200, 800),
            (1200, 900),
            (800, 600),
            (1600, 1200),
            (600, 900),
        ] {
            let l = layout(&atlas, from, to, width, height);
            assert_readable(&l, &format!("{from}..{to} at {width}×{height}"));
        }
    }
}

#[test]
fn each_side_has_its_own_scale() {
    let atlas = Atlas::embedded().unwrap();
    let l = layout(&atlas, "1994-05-12", "2024-06-30", 1200, 900);
    let sides: Vec<&str> = l.panels.iter().map(|p| p.controller.as_str()).collect();
    assert_eq!(
        sides,
        ["armenia", "azerbaijan", "nkr", "russian_peacekeepers"]
    );
    let range = |id: &str| {
        l.panels
            .iter()
            .find(|p| p.controller == id)
            .unwrap()
            .y_range
    };
    // The Republic's 11,487 km² of 1994 fill most of its panel, where one
    // axis up to Azerbaijan's 84,000 km² squashed them at the bottom.
    let (lo, hi) = range("nkr");
    assert_eq!(lo, 0.0);
    assert!(hi > 11_487.0 && hi < 14_000.0, "{hi}");
    // Azerbaijan's grows from about 72,800 to 84,400 km²: its panel spans
    // those, not 0 to 90,000.
    let (lo, hi) = range("azerbaijan");
    assert!(lo > 60_000.0 && lo < 72_800.0, "{lo}");
    assert!(hi > 84_400.0 && hi < 90_000.0, "{hi}");
    // Armenia loses a few dozen km² of 28,366: visible on its own scale.
    let (lo, hi) = range("armenia");
    assert!(hi - lo < 1_000.0, "{lo}..{hi}");
    // Every event of the span is numbered and listed once, in date order.
    let events = atlas
        .events()
        .iter()
        .filter(|e| e.date >= l.from && e.date < l.to)
        .count();
    assert_eq!(l.list.len(), events);
    assert!(l.list[0].text.starts_with("1 "));
    assert!(l.list[0].text.contains("1994-05-12"));
    let marked: usize = l.markers.iter().map(|m| m.dates.len()).sum();
    assert_eq!(marked, events);
}

#[test]
fn ticks_follow_the_span() {
    let atlas = Atlas::embedded().unwrap();
    // Thirty years: ticks on 1 January, labelled with the year.
    let l = layout(&atlas, "1994-05-12", "2024-06-30", 1200, 800);
    assert!(l.x_ticks.len() >= 4);
    for (date, label) in &l.x_ticks {
        assert_eq!((date.month(), date.day()), (1, 1));
        assert_eq!(label.text, date.year().to_string());
    }
    // Ten months: ticks on the first of a month.
    let l = layout(&atlas, "2022-12-01", "2023-10-15", 1200, 800);
    assert!(l.x_ticks.len() >= 4);
    for (date, label) in &l.x_ticks {
        assert_eq!(date.day(), 1);
        assert_eq!(label.text, date.format("%b %Y").to_string());
    }
    // Six weeks: ticks on days.
    let l = layout(&atlas, "2020-09-27", "2020-11-10", 1200, 800);
    assert!(l.x_ticks.len() >= 4);
    assert!(l.x_ticks.iter().any(|(d, _)| d.day() != 1));
    assert_eq!(l.x_ticks[0].1.text, "27 Sep");
}

#[test]
fn a_short_list_never_needs_cutting_and_a_long_one_says_what_it_left_out() {
    let atlas = Atlas::embedded().unwrap();
    let l = layout(&atlas, "2020-09-27", "2020-11-10", 1200, 800);
    assert!(
        l.list.iter().all(|e| !e.text.ends_with('…')),
        "{:?}",
        l.list
    );
    // A small canvas cannot list 32 events: the last line counts the rest.
    let l = layout(&atlas, "1994-05-12", "2024-06-30", 600, 500);
    let last = &l.list.last().unwrap().text;
    assert!(
        last.starts_with("and ") && last.ends_with(" more events"),
        "{last}"
    );
    assert_readable(&l, "600×500");
}

#[test]
fn too_small_a_canvas_is_an_error_not_a_mess() {
    let atlas = Atlas::embedded().unwrap();
    let (from, to) = (
        parse_date("1994-05-12").unwrap(),
        parse_date("2024-06-30").unwrap(),
    );
    let options = ChartOptions::new().size(1200, 200);
    let error = chart_layout(&atlas.series(from, to).unwrap(), &atlas, to, &options).unwrap_err();
    assert!(error.to_string().contains("make it taller"), "{error}");
}

#[test]
fn the_chart_draws_its_layout() {
    let atlas = Atlas::embedded().unwrap();
    let (from, to) = (
        parse_date("1994-05-12").unwrap(),
        parse_date("2024-06-30").unwrap(),
    );
    let series = atlas.series(from, to).unwrap();
    let options = ChartOptions::default();
    let l = chart_layout(&series, &atlas, to, &options).unwrap();
    let svg = render_chart(&series, &atlas, to, &options).unwrap();
    for text in l.texts() {
        let escaped = text
            .text
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\'', "&apos;");
        assert!(svg.contains(&escaped), "the SVG lacks {escaped:?}");
    }
    assert_eq!(render_chart(&series, &atlas, to, &options).unwrap(), svg);
    assert_eq!(&svg_to_png(&svg).unwrap()[1..4], b"PNG");
}
