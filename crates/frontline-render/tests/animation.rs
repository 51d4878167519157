//! Animations decode with the frames, sizes and delays asked for, and show
//! the ground that changed hands.

use frontline::{parse_date, Atlas};
use frontline_render::{
    animate, frame_dates, map_frame, AnimationFormat, AnimationOptions, BBox, RenderError,
};
use geo::Coord;

/// A decoded GIF: screen size, and every frame as the screen shows it
/// (RGBA, after drawing the frame's rectangle over the previous screen)
/// with its delay in 10 ms.
struct Decoded {
    width: usize,
    height: usize,
    screens: Vec<(Vec<u8>, u16)>,
}

fn decode(bytes: &[u8]) -> Decoded {
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::RGBA);
    let mut decoder = options.read_info(bytes).expect("a GIF");
    let (width, height) = (decoder.width() as usize, decoder.height() as usize);
    let mut screen = vec![0u8; width * height * 4];
    let mut screens = Vec::new();
    while let Some(frame) = decoder.read_next_frame().expect("a frame") {
        assert_eq!(frame.dispose, gif::DisposalMethod::Keep);
        let (left, top, w) = (
            frame.left as usize,
            frame.top as usize,
            frame.width as usize,
        );
        for (row, pixels) in frame.buffer.chunks_exact(w * 4).enumerate() {
            let start = ((top + row) * width + left) * 4;
            screen[start..start + w * 4].copy_from_slice(pixels);
        }
        screens.push((screen.clone(), frame.delay));
    }
    Decoded {
        width,
        height,
        screens,
    }
}

fn hex(colour: &str) -> [u8; 3] {
    let v = u32::from_str_radix(colour.trim_start_matches('#'), 16).unwrap();
    [(v >> 16) as u8, (v >> 8) as u8, v as u8]
}

#[test]
fn the_war_weekly_decodes_with_its_frames_sizes_and_delays() {
    let atlas = Atlas::embedded().unwrap();
    let (from, to) = frontline_render::default_span(&atlas);
    let options = AnimationOptions::new(from, to, 7);
    let gif = animate(&atlas, &options).unwrap();
    let decoded = decode(&gif);
    assert_eq!((decoded.width, decoded.height), (900, 760));
    // 09-27, 10-04, ..., 11-08 and the ceasefire on 11-10.
    assert_eq!(decoded.screens.len(), 8);
    let delays: Vec<u16> = decoded.screens.iter().map(|(_, d)| *d).collect();
    assert_eq!(delays, [100, 100, 100, 100, 100, 100, 100, 300]);
    // Every step of the war changed some ground: no two screens are alike.
    for pair in decoded.screens.windows(2) {
        assert_ne!(pair[0].0, pair[1].0);
    }
}

#[test]
fn shusha_changes_colour_between_frames() {
    let atlas = Atlas::embedded().unwrap();
    // Close up (about 50 m a pixel), unlabelled: the town's ground, not
    // the names of its neighbours, around its dot.
    let options = AnimationOptions {
        width: 600,
        height: 600,
        bbox: Some(BBox::new(46.68, 39.70, 46.82, 39.82).unwrap()),
        labels: false,
        ..AnimationOptions::new(
            parse_date("2020-10-20").unwrap(),
            parse_date("2020-11-10").unwrap(),
            7,
        )
    };
    let decoded = decode(&animate(&atlas, &options).unwrap());
    assert_eq!(decoded.screens.len(), 4);
    let frame = map_frame(&atlas, &options).unwrap();
    let shusha = atlas.places().iter().find(|p| p.name == "Shusha").unwrap();
    let centre = frame.pixel(Coord {
        x: shusha.point.x(),
        y: shusha.point.y(),
    });
    // Pixels on a ring of 10 px (500 m) around the town's dot.
    let ring: Vec<(usize, usize)> = (0..24)
        .map(|k| k as f64 * std::f64::consts::TAU / 24.0)
        .map(|a| {
            (
                (centre.x + 10.0 * a.cos()).round() as usize,
                (centre.y + 10.0 * a.sin()).round() as usize,
            )
        })
        .collect();
    let count = |screen: &[u8], colour: [u8; 3]| {
        ring.iter()
            .filter(|&&(x, y)| {
                let i = (y * decoded.width + x) * 4;
                screen[i..i + 3] == colour
            })
            .count()
    };
    let nkr = hex(&atlas.controller("nkr").unwrap().colour);
    let azerbaijan = hex(&atlas.controller("azerbaijan").unwrap().colour);
    let (first, last) = (&decoded.screens[0].0, &decoded.screens[3].0);
    let half = ring.len() / 2;
    assert!(
        count(first, nkr) > half,
        "2020-10-20: {} of {} pixels around Shusha in the Republic's colour",
        count(first, nkr),
        ring.len()
    );
    assert_eq!(count(first, azerbaijan), 0);
    assert!(
        count(last, azerbaijan) > half,
        "2020-11-10: {} of {} pixels around Shusha in Azerbaijan's colour",
        count(last, azerbaijan),
        ring.len()
    );
    assert_eq!(count(last, nkr), 0);
}

#[test]
fn apng_has_its_frames_and_delays() {
    let atlas = Atlas::embedded().unwrap();
    let options = AnimationOptions {
        width: 400,
        height: 360,
        labels: false,
        format: AnimationFormat::Apng,
        delay_ms: 500,
        ..AnimationOptions::new(
            parse_date("2020-11-01").unwrap(),
            parse_date("2020-11-10").unwrap(),
            3,
        )
    };
    let bytes = animate(&atlas, &options).unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().unwrap();
    let info = reader.info();
    assert_eq!((info.width, info.height), (400, 360));
    let control = info.animation_control().expect("an APNG");
    // 11-01, 11-04, 11-07, 11-10.
    assert_eq!(control.num_frames, 4);
    let mut delays = Vec::new();
    let mut buffer = vec![0; reader.output_buffer_size().unwrap()];
    while let Ok(output) = reader.next_frame(&mut buffer) {
        let fc = reader.info().frame_control().unwrap();
        assert_eq!((output.width, output.height), (400, 360));
        delays.push((fc.delay_num, fc.delay_den));
    }
    assert_eq!(
        delays,
        [(500, 1000), (500, 1000), (500, 1000), (1500, 1000)]
    );
}

#[test]
fn bad_requests_are_errors() {
    let atlas = Atlas::embedded().unwrap();
    let (a, b) = (
        parse_date("2020-11-10").unwrap(),
        parse_date("2020-09-27").unwrap(),
    );
    let reversed = animate(&atlas, &AnimationOptions::new(a, b, 7)).unwrap_err();
    assert!(
        matches!(
            reversed,
            RenderError::Frontline(frontline::Error::ReversedInterval { .. })
        ),
        "{reversed}"
    );
    let zero = animate(&atlas, &AnimationOptions::new(b, a, 0)).unwrap_err();
    assert!(zero.to_string().contains("step of 0 days"), "{zero}");
    let early = parse_date("1990-01-01").unwrap();
    let before = animate(&atlas, &AnimationOptions::new(early, b, 3650)).unwrap_err();
    assert!(before.to_string().contains("no control data"), "{before}");
    let many = frame_dates(parse_date("1994-05-12").unwrap(), b, 1).unwrap_err();
    assert!(many.to_string().contains("at most 1000"), "{many}");
    let tiny = AnimationOptions {
        height: 100,
        ..AnimationOptions::new(b, a, 7)
    };
    assert!(animate(&atlas, &tiny).is_err());
    let unknown = AnimationFormat::from_path(std::path::Path::new("war.mp4")).unwrap_err();
    assert!(unknown.to_string().contains(".gif"), "{unknown}");
}
