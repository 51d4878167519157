//! The grids and the plain scan agree, for every bundled snapshot: on the
//! controller of 200 k uniformly random points over the region's bounding box
//! (5 M over the 26 bundled snapshots; 30 k each, 0.8 M, in an unoptimised
//! build, where the plain scan would take minutes), and on the whole answer
//! (de jure country, rayon, overlays too) of 5 k; and batches of records
//! with a date each find the snapshot in force as `Atlas::at` does.
//! Seeded, so every run checks the same points.

use frontline::index::LocateIndex;
use frontline::Atlas;
use geo::Point;
use rayon::prelude::*;

#[path = "../../../benches/seeded.rs"]
mod seeded;

#[test]
fn fast_path_and_naive_scan_agree_on_random_points() {
    let n = if cfg!(debug_assertions) {
        30_000
    } else {
        200_000
    };
    let atlas = Atlas::embedded().unwrap();
    for (k, info) in atlas.snapshots().iter().enumerate() {
        let view = atlas.at(info.date).unwrap();
        let index = LocateIndex::new(&view);
        let pts = seeded::region_points(n, 0x5eed + k as u64);
        let mut fast = vec![None; n];
        index.controllers_into(&pts, &mut fast).unwrap();
        let disagree: Vec<(f64, f64)> = pts
            .par_iter()
            .zip(&fast)
            .filter(|(&(x, y), fast)| {
                let naive = view.controller_exact(Point::new(x, y)).unwrap();
                naive != fast.map(|c| c.id.as_str())
            })
            .map(|(p, _)| *p)
            .collect();
        assert!(
            disagree.is_empty(),
            "{}: {} of {n} points disagree, e.g. {:?}",
            info.id,
            disagree.len(),
            &disagree[..disagree.len().min(5)]
        );
        let held = fast.iter().filter(|c| c.is_some()).count();
        assert!(
            held > n / 4,
            "{}: only {held} points in the region",
            info.id
        );
    }
}

#[test]
fn whole_answers_agree() {
    let n = 5_000;
    let atlas = Atlas::embedded().unwrap();
    for (k, info) in atlas.snapshots().iter().enumerate() {
        let view = atlas.at(info.date).unwrap();
        let pts = seeded::region_points(n, 0xface + k as u64);
        let with_overlays = pts
            .par_iter()
            .map(|&(x, y)| {
                let p = Point::new(x, y);
                let (fast, naive) = (view.locate(p).unwrap(), view.locate_exact(p).unwrap());
                assert_eq!(fast, naive, "{} at {x}, {y}", info.id);
                !fast.overlays.is_empty() as usize
            })
            .sum::<usize>();
        if !view.overlays.is_empty() {
            assert!(with_overlays > 0, "{}: no point in an overlay", info.id);
        }
    }
}

/// `n` seeded random points over the region, each with a day of its own
/// spread over 1993-2025 (before the first snapshot too).
fn mixed_date_records(n: usize, seed: u64) -> Vec<(f64, f64, chrono::NaiveDate)> {
    let base = chrono::NaiveDate::from_ymd_opt(1993, 1, 1).unwrap();
    seeded::region_points(n, seed)
        .iter()
        .enumerate()
        .map(|(i, &(x, y))| (x, y, base + chrono::Days::new((i as u64 * 7919) % 12_000)))
        .collect()
}

/// Batches of records with dates of their own (before the first snapshot
/// too) find the snapshot `Atlas::at` finds: the controller alone
/// (`controllers_each`) and the whole answer (`locate_each`) agree with a
/// look-up on the view of each record's date.
#[test]
fn batches_of_mixed_dates_find_the_snapshot_in_force() {
    use frontline::index::RecordError;
    let atlas = Atlas::embedded().unwrap();
    let first = atlas.snapshots()[0].date;
    let records = mixed_date_records(20_000, 0xda7e);
    let mut held = vec![Err(RecordError::UnreadableSnapshot); records.len()];
    atlas.controllers_each(&records, &mut held).unwrap();
    let mut whole = vec![Err(RecordError::UnreadableSnapshot); records.len()];
    atlas.locate_each(&records, &mut whole).unwrap();
    let mut before = 0;
    for ((&(x, y, date), held), whole) in records.iter().zip(&held).zip(&whole) {
        if date < first {
            before += 1;
            assert_eq!(held, &Err(RecordError::BeforeFirstSnapshot), "{date}");
            assert_eq!(
                whole.as_ref().unwrap_err(),
                &RecordError::BeforeFirstSnapshot
            );
            continue;
        }
        let view = atlas.at(date).unwrap();
        let expected = LocateIndex::new(&view).controller(x, y);
        assert_eq!(
            (*held).unwrap().map(|c| c.id.as_str()),
            expected,
            "{date} at {x}, {y}"
        );
        let here = whole.as_ref().unwrap();
        assert_eq!(here.controller(), expected, "{date} at {x}, {y}");
    }
    assert!(before > 0 && before < records.len());
}

/// Threads that start on batches of the same dates at once (each leaves the
/// records whose grid another is building to the end of its batch) give
/// the answers one thread gives, records before the first snapshot too.
#[test]
fn threads_starting_together_answer_as_one_thread() {
    use frontline::index::RecordError;
    let records = mixed_date_records(8_000, 0x7ead);
    let answers = |atlas: &Atlas| -> Vec<Result<_, RecordError>> {
        let mut out = vec![Err(RecordError::UnreadableSnapshot); records.len()];
        atlas.locate_each(&records, &mut out).unwrap();
        out.iter()
            .map(|r| {
                r.map(|here| {
                    let owned = |id: Option<&str>| id.map(str::to_owned);
                    let overlays: Vec<String> = here.overlays().map(str::to_owned).collect();
                    (
                        owned(here.controller()),
                        owned(here.de_jure()),
                        owned(here.rayon()),
                        overlays,
                    )
                })
            })
            .collect()
    };
    let expected = answers(&Atlas::embedded().unwrap());
    let atlas = Atlas::embedded().unwrap();
    let start = std::sync::Barrier::new(4);
    std::thread::scope(|scope| {
        let threads: Vec<_> = (0..4)
            .map(|_| {
                scope.spawn(|| {
                    start.wait();
                    answers(&atlas)
                })
            })
            .collect();
        for thread in threads {
            assert!(thread.join().unwrap() == expected);
        }
    });
}
