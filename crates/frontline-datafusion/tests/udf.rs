//! The SQL functions against the library: the same answers as direct
//! calls, on real places and on generated points.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{Date32Type, Float64Type};
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;
use frontline::index::RecordError;
use frontline::{parse_date, Atlas};
use frontline_datafusion::dates::date32_to_naive;
use frontline_datafusion::sample;

fn atlas() -> Arc<Atlas> {
    Arc::new(Atlas::embedded().unwrap())
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Runtime::new().unwrap()
}

fn context(atlas: &Arc<Atlas>) -> SessionContext {
    let ctx = SessionContext::new();
    frontline_datafusion::register(&ctx, Arc::clone(atlas));
    ctx
}

fn query(ctx: &SessionContext, sql: &str) -> Vec<RecordBatch> {
    runtime()
        .block_on(async { ctx.sql(sql).await?.collect().await })
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

fn query_err(ctx: &SessionContext, sql: &str) -> String {
    runtime()
        .block_on(async { ctx.sql(sql).await?.collect().await })
        .expect_err(sql)
        .to_string()
}

/// The text of the first column of the first row ("NULL" for null).
fn text(batches: &[RecordBatch]) -> String {
    let column = batches[0].column(0);
    let column = arrow::compute::cast(column, &arrow::datatypes::DataType::Utf8).unwrap();
    let column = column.as_string::<i32>();
    if column.is_null(0) {
        "NULL".into()
    } else {
        column.value(0).to_owned()
    }
}

const STEPANAKERT: (f64, f64) = (46.7528, 39.8177);

#[test]
fn controller_of_real_places() {
    let atlas = atlas();
    let ctx = context(&atlas);
    let (lon, lat) = STEPANAKERT;
    for (date, expected) in [
        ("2000-01-01", "nkr"),
        ("2021-06-01", "nkr"),
        ("2024-01-01", "azerbaijan"),
    ] {
        let sql = format!("SELECT fl_controller({lon}, {lat}, DATE '{date}')");
        assert_eq!(text(&query(&ctx, &sql)), expected, "{sql}");
        // The same from an ISO string.
        let sql = format!("SELECT fl_controller({lon}, {lat}, '{date}')");
        assert_eq!(text(&query(&ctx, &sql)), expected, "{sql}");
        let library = atlas
            .locate(geo::Point::new(lon, lat), parse_date(date).unwrap())
            .unwrap();
        assert_eq!(library.controller.as_deref(), Some(expected));
    }
    // Goris, Armenia; Shusha changed hands in 2020.
    assert_eq!(
        text(&query(
            &ctx,
            "SELECT fl_controller(46.3382, 39.5129, '2021-06-01')"
        )),
        "armenia"
    );
    assert_eq!(
        text(&query(
            &ctx,
            "SELECT fl_controller(46.7499, 39.7601, '2000-01-01')"
        )),
        "nkr"
    );
    assert_eq!(
        text(&query(
            &ctx,
            "SELECT fl_controller(46.7499, 39.7601, '2021-06-01')"
        )),
        "azerbaijan"
    );
}

#[test]
fn de_jure_rayon_overlays_and_distance_match_the_library() {
    let atlas = atlas();
    let ctx = context(&atlas);
    let (lon, lat) = STEPANAKERT;
    let date = parse_date("2021-06-01").unwrap();
    let location = atlas.locate(geo::Point::new(lon, lat), date).unwrap();
    assert_eq!(
        text(&query(&ctx, &format!("SELECT fl_de_jure({lon}, {lat})"))),
        "azerbaijan"
    );
    assert_eq!(
        text(&query(&ctx, &format!("SELECT fl_rayon({lon}, {lat})"))),
        location.rayon.clone().unwrap()
    );
    let overlays = query(
        &ctx,
        &format!("SELECT fl_overlays({lon}, {lat}, '2021-06-01')"),
    );
    let list = overlays[0].column(0).as_list::<i32>();
    let ids: Vec<String> = list
        .value(0)
        .as_string::<i32>()
        .iter()
        .map(|s| s.unwrap().to_owned())
        .collect();
    assert!(ids.iter().any(|id| id == "peacekeeping-2020"), "{ids:?}");
    assert_eq!(ids, location.overlays);
    // Before the 2020 war there was no peacekeeping zone: only the outline
    // of the former autonomous oblast (an overlay with no end date).
    let before = query(
        &ctx,
        &format!("SELECT fl_overlays({lon}, {lat}, '2019-01-01')"),
    );
    let before: Vec<String> = before[0]
        .column(0)
        .as_list::<i32>()
        .value(0)
        .as_string::<i32>()
        .iter()
        .map(|s| s.unwrap().to_owned())
        .collect();
    let library = atlas
        .locate(geo::Point::new(lon, lat), parse_date("2019-01-01").unwrap())
        .unwrap();
    assert_eq!(before, library.overlays);
    assert_eq!(before, ["nkao"]);

    // Martuni: the line of contact a few km east.
    let km = query(
        &ctx,
        "SELECT fl_nearest_other_km(47.1099, 39.7955, '2021-06-01')",
    );
    let km = km[0].column(0).as_primitive::<Float64Type>().value(0);
    let view = atlas.at(date).unwrap();
    let library = view
        .nearest_other(geo::Point::new(47.1099, 39.7955), Some("nkr"))
        .unwrap()
        .unwrap();
    assert_eq!(km, library.km);
    assert!(km > 1.0 && km < 10.0, "{km}");
}

#[test]
fn bad_rows_give_null_not_errors() {
    let atlas = atlas();
    let ctx = context(&atlas);
    let (lon, lat) = STEPANAKERT;
    for sql in [
        format!("SELECT fl_controller(NULL, {lat}, '2021-06-01')"),
        format!("SELECT fl_controller({lon}, 'NaN'::double, '2021-06-01')"),
        format!("SELECT fl_controller({lon}, 'Infinity'::double, '2021-06-01')"),
        format!("SELECT fl_controller({lon}, 91.0, '2021-06-01')"),
        format!("SELECT fl_controller({lon}, {lat}, 'not a date')"),
        format!("SELECT fl_controller({lon}, {lat}, NULL)"),
        format!("SELECT fl_controller({lon}, {lat}, '1900-01-01')"),
        format!("SELECT fl_de_jure({lon}, 'NaN'::double)"),
        format!("SELECT fl_rayon(NULL, {lat})"),
        format!("SELECT fl_nearest_other_km({lon}, {lat}, '1900-01-01')"),
        format!("SELECT fl_overlays({lon}, NULL, '2021-06-01')"),
        // Outside the region: no controller.
        "SELECT fl_controller(0.0, 0.0, '2021-06-01')".to_owned(),
    ] {
        assert_eq!(text(&query(&ctx, &sql)), "NULL", "{sql}");
    }
}

/// Row by row, in batches that mix good rows with bad ones (so not the
/// all-valid fast path), `fl_controller` answers as `Atlas::locate_many`.
#[test]
fn controller_row_by_row_with_bad_rows_mixed_in() {
    use arrow::array::{ArrayRef, Date32Array, Float64Array};
    let atlas = atlas();
    let ctx = context(&atlas);
    let sample = sample::batch(30_000, &mut sample::Rng::new(11));
    let lon = sample.column(0).as_primitive::<Float64Type>();
    let lat = sample.column(1).as_primitive::<Float64Type>();
    let date = sample.column(2).as_primitive::<Date32Type>();
    let rows = sample.num_rows();
    let lon: Float64Array = (0..rows)
        .map(|i| match i % 97 {
            0 => None,
            1 => Some(200.0),
            _ => Some(lon.value(i)),
        })
        .collect();
    let lat: Float64Array = (0..rows)
        .map(|i| (i % 89 != 0).then(|| lat.value(i)).or(Some(f64::NAN)))
        .collect();
    let date: Date32Array = (0..rows)
        .map(|i| (i % 83 != 0).then(|| date.value(i)))
        .collect();
    let columns: Vec<ArrayRef> = vec![Arc::new(lon), Arc::new(lat), Arc::new(date)];
    let batch = RecordBatch::try_new(sample::schema(), columns).unwrap();
    let table = MemTable::try_new(sample::schema(), vec![vec![batch]]).unwrap();
    ctx.register_table("pts", Arc::new(table)).unwrap();
    // Each output row carries its own arguments: the engine may reorder rows.
    let out = query(
        &ctx,
        "SELECT lon, lat, date, fl_controller(lon, lat, date) AS c FROM pts",
    );
    assert_eq!(
        out[0].schema().field(3).data_type(),
        &arrow::datatypes::DataType::Utf8View
    );
    let (mut got, mut expected) = (Vec::new(), Vec::new());
    for batch in &out {
        let lon = batch.column(0).as_primitive::<Float64Type>();
        let lat = batch.column(1).as_primitive::<Float64Type>();
        let date = batch.column(2).as_primitive::<Date32Type>();
        let c = batch.column(3).as_string_view();
        for i in 0..batch.num_rows() {
            got.push(c.is_valid(i).then(|| c.value(i).to_owned()));
            expected.push(if lon.is_null(i) || date.is_null(i) {
                None
            } else {
                let record = [(
                    lon.value(i),
                    lat.value(i),
                    date32_to_naive(date.value(i)).unwrap(),
                )];
                let mut located = [Err(RecordError::BadCoordinate)];
                atlas.locate_many(&record, &mut located).unwrap();
                located[0]
                    .as_ref()
                    .ok()
                    .and_then(|l| l.controller())
                    .map(str::to_owned)
            });
        }
    }
    assert_eq!(got.len(), rows);
    let differ: Vec<usize> = (0..rows).filter(|&i| got[i] != expected[i]).collect();
    assert!(
        differ.is_empty(),
        "{} rows differ, first {:?}",
        differ.len(),
        &differ[..differ.len().min(5)]
    );
    // Every kind of answer is there: nulls, ids inside a view, and the one
    // longer than 12 bytes, which lives in the view's buffer.
    assert!(got.iter().any(Option::is_none));
    assert!(got.iter().any(|c| c.as_deref() == Some("nkr")));
    assert!(got
        .iter()
        .any(|c| c.as_deref() == Some("russian_peacekeepers")));
}

#[test]
fn wrong_types_are_plan_errors_naming_the_argument() {
    let ctx = context(&atlas());
    let e = query_err(&ctx, "SELECT fl_controller('x', 39.8, '2021-06-01')");
    assert!(
        e.contains("fl_controller") && e.contains("lon must be a number"),
        "{e}"
    );
    let e = query_err(&ctx, "SELECT fl_controller(46.7, 39.8, 3.5)");
    assert!(e.contains("date must be a DATE"), "{e}");
    let e = query_err(&ctx, "SELECT fl_de_jure(46.7)");
    assert!(e.contains("fl_de_jure takes 2 arguments"), "{e}");
}

/// The (lon, lat, date) records of a sample batch, each on its own date or
/// on `date` when given; a null coordinate becomes NaN (a bad coordinate to
/// the library).
fn records(
    batch: &RecordBatch,
    date: Option<chrono::NaiveDate>,
) -> Vec<(f64, f64, chrono::NaiveDate)> {
    let lon = batch.column(0).as_primitive::<Float64Type>();
    let lat = batch.column(1).as_primitive::<Float64Type>();
    let day = batch.column(2).as_primitive::<Date32Type>();
    let coordinate = |a: &arrow::array::Float64Array, i: usize| {
        if a.is_null(i) {
            f64::NAN
        } else {
            a.value(i)
        }
    };
    (0..batch.num_rows())
        .map(|i| {
            let date = date.unwrap_or_else(|| date32_to_naive(day.value(i)).unwrap());
            (coordinate(lon, i), coordinate(lat, i), date)
        })
        .collect()
}

/// Counts per answer from a direct `locate_many` pass: controller, de jure,
/// and the number of overlay memberships.
fn direct_counts(
    atlas: &Atlas,
    batch: &RecordBatch,
    counts: &mut [BTreeMap<Option<String>, i64>; 2],
    overlays: &mut i64,
) {
    let records = records(batch, None);
    let mut out = vec![Err(RecordError::BadCoordinate); records.len()];
    atlas.locate_many(&records, &mut out).unwrap();
    for located in &out {
        let located = located.as_ref().ok();
        let controller = located.and_then(|l| l.controller()).map(str::to_owned);
        *counts[0].entry(controller).or_insert(0) += 1;
        *overlays += located.map_or(0, |l| l.overlays().count() as i64);
    }
    // De jure borders do not change: asked on the first snapshot's date.
    let first = atlas.snapshots()[0].date;
    let undated: Vec<_> = records
        .iter()
        .map(|&(lon, lat, _)| (lon, lat, first))
        .collect();
    atlas.locate_many(&undated, &mut out).unwrap();
    for located in &out {
        let de_jure = located
            .as_ref()
            .ok()
            .and_then(|l| l.de_jure())
            .map(str::to_owned);
        *counts[1].entry(de_jure).or_insert(0) += 1;
    }
}

fn pairs(batches: &[RecordBatch]) -> BTreeMap<Option<String>, i64> {
    frontline_datafusion::sql::count_pairs(batches)
        .unwrap()
        .into_iter()
        .collect()
}

#[test]
fn counts_equal_a_direct_locate_many_pass() {
    let atlas = atlas();
    let ctx = context(&atlas);
    let mut rng = sample::Rng::new(7);
    let batches: Vec<RecordBatch> = (0..5).map(|_| sample::batch(20_000, &mut rng)).collect();
    let mut expected: [BTreeMap<Option<String>, i64>; 2] = Default::default();
    let mut overlays = 0;
    for batch in &batches {
        direct_counts(&atlas, batch, &mut expected, &mut overlays);
    }
    // The sample reaches every side, outside the region and before the
    // first snapshot.
    assert!(expected[0].len() >= 4, "{:?}", expected[0]);
    assert!(expected[0].contains_key(&None));
    assert!(overlays > 0);
    let table = MemTable::try_new(sample::schema(), vec![batches.clone()]).unwrap();
    ctx.register_table("pts", Arc::new(table)).unwrap();
    let got = query(
        &ctx,
        "SELECT fl_controller(lon, lat, date) AS c, count(*) FROM pts GROUP BY c",
    );
    assert_eq!(pairs(&got), expected[0]);
    // Dates as strings give the same.
    let got = query(
        &ctx,
        "SELECT fl_controller(lon, lat, CAST(date AS VARCHAR)) AS c, count(*) FROM pts GROUP BY c",
    );
    assert_eq!(pairs(&got), expected[0]);
    let got = query(
        &ctx,
        "SELECT fl_de_jure(lon, lat) AS c, count(*) FROM pts GROUP BY c",
    );
    assert_eq!(pairs(&got), expected[1]);
    let got = query(
        &ctx,
        "SELECT sum(array_length(fl_overlays(lon, lat, date))) FROM pts",
    );
    let got = arrow::compute::cast(got[0].column(0), &arrow::datatypes::DataType::Int64).unwrap();
    assert_eq!(
        got.as_primitive::<arrow::datatypes::Int64Type>().value(0),
        overlays
    );
}

/// Counts by controller of each row of `batches` on its date, or on
/// `date` when given, from [`Atlas::controllers_each`]; a null or NaN
/// coordinate counts as no controller.
fn library_counts(
    atlas: &Atlas,
    batches: &[RecordBatch],
    date: Option<chrono::NaiveDate>,
) -> BTreeMap<Option<String>, i64> {
    let mut counts = BTreeMap::new();
    for batch in batches {
        let records = records(batch, date);
        let mut out = vec![Err(RecordError::BadCoordinate); records.len()];
        atlas.controllers_each(&records, &mut out).unwrap();
        for held in out {
            let id = held.ok().flatten().map(|c| c.id.clone());
            *counts.entry(id).or_insert(0) += 1;
        }
    }
    counts
}

#[test]
fn one_date_sorted_dates_and_bad_rows_agree_with_the_library() {
    let atlas = atlas();
    let ctx = context(&atlas);
    let mut rng = sample::Rng::new(11);
    let clean: Vec<RecordBatch> = (0..3).map(|_| sample::batch(20_000, &mut rng)).collect();
    // The same points with a NaN longitude or a null latitude here and there.
    let spoilt: Vec<RecordBatch> = clean
        .iter()
        .map(|batch| {
            let lon = batch.column(0).as_primitive::<Float64Type>();
            let lat = batch.column(1).as_primitive::<Float64Type>();
            let lon: arrow::array::Float64Array = (0..batch.num_rows())
                .map(|i| Some(if i % 97 == 5 { f64::NAN } else { lon.value(i) }))
                .collect();
            let lat: arrow::array::Float64Array = (0..batch.num_rows())
                .map(|i| (i % 89 != 3).then(|| lat.value(i)))
                .collect();
            RecordBatch::try_new(
                sample::schema(),
                vec![Arc::new(lon), Arc::new(lat), batch.column(2).clone()],
            )
            .unwrap()
        })
        .collect();
    for (name, batches) in [("clean", &clean), ("spoilt", &spoilt)] {
        let table = MemTable::try_new(sample::schema(), vec![batches.clone()]).unwrap();
        ctx.register_table(name, Arc::new(table)).unwrap();
    }
    // One date for every row: whole batches in one snapshot, with and
    // without rows that cannot be located.
    for date in ["1994-05-12", "2020-11-20", "2023-10-01"] {
        let day = parse_date(date).unwrap();
        for (name, batches) in [("clean", &clean), ("spoilt", &spoilt)] {
            let expected = library_counts(&atlas, batches, Some(day));
            assert!(expected.len() >= 3, "{expected:?}");
            let got = query(
                &ctx,
                &format!(
                    "SELECT fl_controller(lon, lat, DATE '{date}') AS c, count(*) FROM {name} GROUP BY c"
                ),
            );
            assert_eq!(pairs(&got), expected, "{name} on {date}");
        }
    }
    // Rows sorted by date: most batches in one snapshot, some across two.
    let expected = library_counts(&atlas, &clean, None);
    assert!(
        expected.contains_key(&None),
        "rows before the first snapshot"
    );
    let got = query(
        &ctx,
        "SELECT fl_controller(lon, lat, date) AS c, count(*) FROM \
         (SELECT * FROM clean ORDER BY date) GROUP BY c",
    );
    assert_eq!(pairs(&got), expected);
}

#[test]
fn zones_table_matches_stats() {
    let atlas = atlas();
    let ctx = context(&atlas);
    let date = parse_date("2020-12-01").unwrap();
    let view = atlas.at(date).unwrap();
    let stats = view.stats();
    let batches = query(
        &ctx,
        "SELECT controller, area_km2, geometry FROM fl_zones('2020-12-01') ORDER BY controller",
    );
    let batch = &batches[0];
    let ids = batch.column(0).as_string::<i32>();
    let areas = batch.column(1).as_primitive::<Float64Type>();
    let geometry = batch.column(2).as_binary::<i32>();
    let held = view.snapshot.zones.len();
    assert_eq!(batch.num_rows(), held);
    for i in 0..batch.num_rows() {
        let c = stats
            .controllers
            .iter()
            .find(|c| c.id == ids.value(i))
            .unwrap();
        assert_eq!(areas.value(i), c.area_km2);
        // Little-endian WKB MultiPolygon.
        assert_eq!(&geometry.value(i)[..5], &[1, 6, 0, 0, 0]);
    }
    let field = batch.schema().field(2).clone();
    assert_eq!(field.metadata()["ARROW:extension:name"], "geoarrow.wkb");
    // A date literal works too, and a bad date says which parameter.
    assert_eq!(
        query(&ctx, "SELECT * FROM fl_zones(DATE '2020-12-01')")[0].num_rows(),
        held
    );
    let e = query_err(&ctx, "SELECT * FROM fl_zones('01/12/2020')");
    assert!(e.contains("fl_zones: date must be a date literal"), "{e}");
    let e = query_err(&ctx, "SELECT * FROM fl_zones('1900-01-01')");
    assert!(e.contains("1900-01-01"), "{e}");
}

#[test]
fn series_diff_and_snapshots_match_the_library() {
    let atlas = atlas();
    let ctx = context(&atlas);
    let (from, to) = (
        parse_date("2020-01-01").unwrap(),
        parse_date("2023-12-31").unwrap(),
    );
    let series = atlas.series(from, to).unwrap();
    let batches = query(
        &ctx,
        "SELECT area_km2 FROM fl_series('2020-01-01', '2023-12-31') WHERE controller = 'nkr' ORDER BY date",
    );
    let nkr = series.controllers.iter().position(|c| c == "nkr").unwrap();
    let got: Vec<f64> = batches
        .iter()
        .flat_map(|b| b.column(0).as_primitive::<Float64Type>().values().to_vec())
        .collect();
    let expected: Vec<f64> = series.rows.iter().map(|r| r.areas_km2[nkr]).collect();
    assert_eq!(got, expected);

    let diff = atlas
        .diff(
            parse_date("2020-11-19").unwrap(),
            parse_date("2020-11-21").unwrap(),
        )
        .unwrap();
    let handover = diff
        .transitions
        .iter()
        .find(|t| t.from == "nkr" && t.to == "azerbaijan")
        .unwrap();
    let batches = query(
        &ctx,
        "SELECT area_km2 FROM fl_diff('2020-11-19', '2020-11-21') WHERE from_controller = 'nkr' AND to_controller = 'azerbaijan'",
    );
    assert_eq!(
        batches[0].column(0).as_primitive::<Float64Type>().value(0),
        handover.area_km2
    );
    let count = query(
        &ctx,
        "SELECT count(*) FROM fl_diff('2020-11-19', '2020-11-21')",
    );
    assert_eq!(text(&count), diff.transitions.len().to_string());

    let snapshots = query(&ctx, "SELECT count(*), min(date) FROM fl_snapshots()");
    assert_eq!(text(&snapshots), atlas.snapshots().len().to_string());
    let first = query(&ctx, "SELECT id FROM fl_snapshots() ORDER BY date LIMIT 1");
    assert_eq!(text(&first), atlas.snapshots()[0].id);
}
