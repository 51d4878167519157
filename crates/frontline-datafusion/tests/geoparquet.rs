//! GeoParquet written and read back: the layer, its `geo` metadata, the
//! time-enabled export, and Parquet classification against the library.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::PathBuf;
use std::sync::Arc;

use arrow::array::{Array, AsArray, BinaryArray, Float64Array, RecordBatch};
use arrow::datatypes::{DataType, Date32Type, Field, Float64Type, Schema};
use frontline::classify::DateSource;
use frontline::export::Layer;
use frontline::index::RecordError;
use frontline::{parse_date, Atlas};
use frontline_datafusion::classify::{classify_parquet, ParquetOptions, Points};
use frontline_datafusion::dates::{date32_to_naive, naive_to_date32};
use frontline_datafusion::{geoparquet, sample, wkb};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

/// A file's path in a directory of its own, removed when the test is done.
struct Scratch {
    dir: PathBuf,
    path: PathBuf,
}

impl std::ops::Deref for Scratch {
    type Target = PathBuf;
    fn deref(&self) -> &PathBuf {
        &self.path
    }
}

impl AsRef<std::path::Path> for Scratch {
    fn as_ref(&self) -> &std::path::Path {
        &self.path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn temp(name: &str) -> Scratch {
    // Tests run in parallel, and two may name the same file.
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("frontline-geoparquet-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    Scratch {
        path: dir.join(name),
        dir,
    }
}

/// Every batch of a Parquet file, and its `geo` metadata.
fn read(path: &PathBuf) -> (Vec<RecordBatch>, Option<serde_json::Value>) {
    let builder = ParquetRecordBatchReaderBuilder::try_new(File::open(path).unwrap()).unwrap();
    let geo = builder
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .and_then(|kv| kv.iter().find(|kv| kv.key == "geo").cloned())
        .and_then(|kv| kv.value)
        .map(|v| serde_json::from_str(&v).unwrap());
    let batches = builder.build().unwrap().map(Result::unwrap).collect();
    (batches, geo)
}

#[test]
fn zones_as_geoparquet_1_1() {
    let atlas = Atlas::embedded().unwrap();
    let view = atlas.at(parse_date("2020-12-01").unwrap()).unwrap();
    let zones = view.export(Layer::Zones);
    let path = temp("zones.parquet");
    geoparquet::write(&zones, File::create(&path).unwrap()).unwrap();
    let (batches, geo) = read(&path);
    let geo = geo.expect("a geo key");
    assert_eq!(geo["version"], "1.1.0");
    assert_eq!(geo["primary_column"], "geometry");
    let column = &geo["columns"]["geometry"];
    assert_eq!(column["encoding"], "WKB");
    assert_eq!(
        column["geometry_types"],
        serde_json::json!(["MultiPolygon"])
    );
    assert_eq!(column["crs"]["id"]["code"], "CRS84");
    assert_eq!(
        column["covering"]["bbox"]["xmin"],
        serde_json::json!(["bbox", "xmin"])
    );
    let batch = &batches[0];
    assert_eq!(batch.num_rows(), zones.features.len());
    let schema = batch.schema();
    let controllers = batch
        .column(schema.index_of("controller").unwrap())
        .as_string::<i32>();
    let areas = batch
        .column(schema.index_of("area_km2").unwrap())
        .as_primitive::<Float64Type>();
    let geometry = batch
        .column(schema.index_of("geometry").unwrap())
        .as_binary::<i32>();
    let bbox = batch.column(schema.index_of("bbox").unwrap()).as_struct();
    let stats = view.stats();
    for i in 0..batch.num_rows() {
        let id = controllers.value(i);
        let zone = view.snapshot.zone(id).unwrap();
        assert_eq!(
            areas.value(i),
            stats
                .controllers
                .iter()
                .find(|c| c.id == id)
                .unwrap()
                .area_km2
        );
        // The WKB holds every vertex of the zone.
        let vertices: usize = zone
            .shape
            .0
            .iter()
            .map(|p| p.exterior().0.len() + p.interiors().iter().map(|r| r.0.len()).sum::<usize>())
            .sum();
        let rings: usize = zone.shape.0.iter().map(|p| 1 + p.interiors().len()).sum();
        assert_eq!(
            geometry.value(i).len(),
            9 + zone.shape.0.len() * 9 + rings * 4 + vertices * 16,
            "{id}"
        );
        let rect = wkb::bbox(&zone.shape).unwrap();
        let xmin = bbox
            .column_by_name("xmin")
            .unwrap()
            .as_primitive::<Float64Type>()
            .value(i);
        let ymax = bbox
            .column_by_name("ymax")
            .unwrap()
            .as_primitive::<Float64Type>()
            .value(i);
        assert_eq!((xmin, ymax), (rect[0], rect[3]));
    }
    let extent = column["bbox"].as_array().unwrap();
    assert!(
        extent[0].as_f64().unwrap() < 46.0 && extent[3].as_f64().unwrap() > 40.0,
        "{extent:?}"
    );
}

#[test]
fn timeline_holds_every_snapshot_with_its_validity() {
    let atlas = Atlas::embedded().unwrap();
    let timeline = atlas.zones_timeline().unwrap();
    let path = temp("timeline.parquet");
    geoparquet::write(&timeline, File::create(&path).unwrap()).unwrap();
    let (batches, _) = read(&path);
    let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
    let snapshots = atlas.snapshots();
    let expected: usize = snapshots
        .iter()
        .map(|s| atlas.at(s.date).unwrap().snapshot.zones.len())
        .sum();
    assert_eq!(rows, expected);
    let batch = arrow::compute::concat_batches(&batches[0].schema(), &batches).unwrap();
    let schema = batch.schema();
    assert_eq!(
        schema.field_with_name("valid_from").unwrap().data_type(),
        &DataType::Date32
    );
    assert_eq!(
        schema.field_with_name("valid_to").unwrap().data_type(),
        &DataType::Date32
    );
    let from = batch
        .column(schema.index_of("valid_from").unwrap())
        .as_primitive::<Date32Type>();
    let to = batch
        .column(schema.index_of("valid_to").unwrap())
        .as_primitive::<Date32Type>();
    let controller = batch
        .column(schema.index_of("controller").unwrap())
        .as_string::<i32>();
    // On any date, the rows in force are exactly that date's zones.
    for day in ["1994-05-12", "2020-11-10", "2021-06-01", "2024-06-01"] {
        let date = parse_date(day).unwrap();
        let d = naive_to_date32(date);
        let mut in_force: Vec<&str> = (0..batch.num_rows())
            .filter(|&i| from.value(i) <= d && (to.is_null(i) || d < to.value(i)))
            .map(|i| controller.value(i))
            .collect();
        in_force.sort();
        let mut expected: Vec<&str> = atlas
            .at(date)
            .unwrap()
            .snapshot
            .zones
            .iter()
            .map(|z| z.controller.as_str())
            .collect();
        expected.sort();
        assert_eq!(in_force, expected, "{day}");
    }
    // The last snapshot is open-ended.
    assert!((0..batch.num_rows()).any(|i| to.is_null(i)));
}

/// The answers of a direct `locate_many` pass, per row.
fn direct(
    atlas: &Atlas,
    records: &[(f64, f64, chrono::NaiveDate)],
) -> Vec<Option<(Option<String>, Option<String>)>> {
    let mut out = vec![Err(RecordError::BadCoordinate); records.len()];
    atlas.locate_many(records, &mut out).unwrap();
    out.iter()
        .map(|l| {
            l.as_ref().ok().map(|l| {
                (
                    l.controller().map(str::to_owned),
                    l.rayon().map(str::to_owned),
                )
            })
        })
        .collect()
}

#[test]
fn classify_parquet_lon_lat_columns_matches_locate_many() {
    let atlas = Atlas::embedded().unwrap();
    let input = temp("points.parquet");
    sample::write_parquet(150_000, 11, File::create(&input).unwrap()).unwrap();
    let output = temp("classified.parquet");
    let options = ParquetOptions::new(DateSource::Column("date".into()));
    let mut seen = Vec::new();
    let summary = classify_parquet(
        &atlas,
        File::open(&input).unwrap(),
        File::create(&output).unwrap(),
        &options,
        |rows| seen.push(rows),
    )
    .unwrap();
    assert_eq!(summary.rows, 150_000);
    // Streamed: several batches, progress after each.
    assert!(seen.len() >= 3, "{seen:?}");
    let (inputs, _) = read(&input);
    let (outputs, _) = read(&output);
    let input = arrow::compute::concat_batches(&inputs[0].schema(), &inputs).unwrap();
    let output = arrow::compute::concat_batches(&outputs[0].schema(), &outputs).unwrap();
    assert_eq!(output.num_rows(), input.num_rows());
    // The input's columns come out untouched.
    for c in 0..3 {
        assert_eq!(output.column(c).as_ref(), input.column(c).as_ref());
    }
    let lon = input.column(0).as_primitive::<Float64Type>();
    let lat = input.column(1).as_primitive::<Float64Type>();
    let date = input.column(2).as_primitive::<Date32Type>();
    let records: Vec<_> = (0..input.num_rows())
        .map(|i| {
            (
                lon.value(i),
                lat.value(i),
                date32_to_naive(date.value(i)).unwrap(),
            )
        })
        .collect();
    let expected = direct(&atlas, &records);
    let schema = output.schema();
    let controller = output
        .column(schema.index_of("controller").unwrap())
        .as_string::<i32>();
    let rayon = output
        .column(schema.index_of("rayon").unwrap())
        .as_string::<i32>();
    let error = output
        .column(schema.index_of("error").unwrap())
        .as_string::<i32>();
    let mut per_controller = BTreeMap::new();
    for (i, expected) in expected.iter().enumerate() {
        match expected {
            Some((c, r)) => {
                assert!(error.is_null(i));
                assert_eq!(
                    controller
                        .is_valid(i)
                        .then(|| controller.value(i).to_owned()),
                    *c,
                    "row {i}"
                );
                assert_eq!(
                    rayon.is_valid(i).then(|| rayon.value(i).to_owned()),
                    *r,
                    "row {i}"
                );
                *per_controller
                    .entry(c.clone().unwrap_or("(outside the region)".into()))
                    .or_insert(0u64) += 1;
            }
            // Dates before the first snapshot.
            None => assert_eq!(error.value(i), "date is before the first snapshot"),
        }
    }
    assert_eq!(summary.per_controller, per_controller);
    assert_eq!(
        summary.errors as usize,
        expected.iter().filter(|e| e.is_none()).count()
    );
    assert!(summary.errors > 0);
}

#[test]
fn classify_geoparquet_points_keeps_geo_metadata_and_flags_bad_rows() {
    let atlas = Atlas::embedded().unwrap();
    // Stepanakert, Goris, an empty geometry, a null, a polygon.
    let points: Vec<Option<Vec<u8>>> = vec![
        Some(wkb::point(46.7528, 39.8177).to_vec()),
        Some(wkb::point(46.3382, 39.5129).to_vec()),
        Some(wkb::point(f64::NAN, f64::NAN).to_vec()),
        None,
        Some(wkb::multi_polygon(&geo::MultiPolygon(vec![]))),
    ];
    let schema = Arc::new(Schema::new(vec![
        Field::new("name", DataType::Utf8, false),
        wkb::geometry_field("geom"),
        Field::new("day", DataType::Utf8, true),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(arrow::array::StringArray::from(vec![
                "a", "b", "c", "d", "e",
            ])),
            Arc::new(BinaryArray::from_iter(points.iter().map(|p| p.as_deref()))),
            Arc::new(arrow::array::StringArray::from(vec![
                Some("2021-06-01"),
                Some("2021-06-01"),
                Some("2021-06-01"),
                Some("2021-06-01"),
                Some("2021-06-01"),
            ])),
        ],
    )
    .unwrap();
    let input = temp("geo-points.parquet");
    let mut writer =
        parquet::arrow::ArrowWriter::try_new(File::create(&input).unwrap(), schema, None).unwrap();
    writer.write(&batch).unwrap();
    let geo = r#"{"version":"1.1.0","primary_column":"geom","columns":{"geom":{"encoding":"WKB","geometry_types":["Point"]}}}"#;
    writer.append_key_value_metadata(parquet::file::metadata::KeyValue::new(
        "geo".into(),
        geo.to_owned(),
    ));
    writer.close().unwrap();

    let output = temp("geo-classified.parquet");
    let mut options = ParquetOptions::new(DateSource::Column("day".into()));
    // No lon/lat columns: the GeoParquet primary column is used.
    for points in [
        options.points.clone(),
        Points::Geometry(None),
        Points::Geometry(Some("geom".into())),
    ] {
        options.points = points;
        let summary = classify_parquet(
            &atlas,
            File::open(&input).unwrap(),
            File::create(&output).unwrap(),
            &options,
            |_| {},
        )
        .unwrap();
        assert_eq!((summary.rows, summary.errors), (5, 3));
        let (batches, geo_out) = read(&output);
        assert_eq!(geo_out.unwrap()["primary_column"], "geom");
        let b = &batches[0];
        let controller = b.column_by_name("controller").unwrap().as_string::<i32>();
        let error = b.column_by_name("error").unwrap().as_string::<i32>();
        assert_eq!(controller.value(0), "nkr");
        assert_eq!(controller.value(1), "armenia");
        assert_eq!(error.value(2), "column `geom`: not a WKB point");
        assert_eq!(error.value(3), "column `geom`: missing");
        assert_eq!(error.value(4), "column `geom`: not a WKB point");
        // The geometry column keeps its GeoArrow type.
        assert_eq!(
            b.schema().field_with_name("geom").unwrap().metadata()["ARROW:extension:name"],
            "geoarrow.wkb"
        );
    }
    // A column that is not there is named, with the columns that are.
    options.points = Points::LonLat {
        lon: "x".into(),
        lat: "y".into(),
    };
    options.date = DateSource::Fixed(parse_date("2021-06-01").unwrap());
    let e = classify_parquet(
        &atlas,
        File::open(&input).unwrap(),
        File::create(&output).unwrap(),
        &options,
        |_| {},
    );
    // With a GeoParquet primary column the geometry is used instead.
    assert!(e.is_ok());
    options.date = DateSource::Column("when".into());
    let e = classify_parquet(
        &atlas,
        File::open(&input).unwrap(),
        File::create(&output).unwrap(),
        &options,
        |_| {},
    )
    .unwrap_err()
    .to_string();
    assert_eq!(
        e,
        "no date column `when` in the input (its columns: name, geom, day)"
    );
}

#[test]
fn classify_refuses_to_overwrite_a_column() {
    let atlas = Atlas::embedded().unwrap();
    let schema = Arc::new(Schema::new(vec![
        Field::new("lon", DataType::Float64, false),
        Field::new("lat", DataType::Float64, false),
        Field::new("controller", DataType::Utf8, false),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(Float64Array::from(vec![46.75])),
            Arc::new(Float64Array::from(vec![39.81])),
            Arc::new(arrow::array::StringArray::from(vec!["x"])),
        ],
    )
    .unwrap();
    let input = temp("has-controller.parquet");
    let mut writer =
        parquet::arrow::ArrowWriter::try_new(File::create(&input).unwrap(), schema, None).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    let options = ParquetOptions::new(DateSource::Fixed(parse_date("2021-06-01").unwrap()));
    let e = classify_parquet(
        &atlas,
        File::open(&input).unwrap(),
        Vec::new(),
        &options,
        |_| {},
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("already has a column `controller`"), "{e}");
}

/// The engine answers `fl_controller` as string views; the file holds plain
/// strings, which every Parquet reader opens, with the same values.
#[test]
fn sql_parquet_output_holds_plain_strings() {
    let sql = frontline_datafusion::sql::Sql::new(Arc::new(Atlas::embedded().unwrap())).unwrap();
    // Stepanakert, Goris, far away, the Lachin corridor.
    let query = "SELECT fl_controller(lon, lat, DATE '2021-06-01') AS c, lon \
                 FROM (VALUES (46.7528, 39.8177), (46.3382, 39.5129), (0.0, 0.0), \
                 (46.5389, 39.6202)) AS t(lon, lat) ORDER BY lon";
    let engine = sql.collect(query).unwrap();
    assert_eq!(engine[0].schema().field(0).data_type(), &DataType::Utf8View);

    // The query's result through a Parquet file, and the rows written.
    let through_a_file = |query: &str, name: &str| {
        let path = temp(name);
        let parquet = frontline_datafusion::sql::OutputFormat::Parquet;
        let rows = sql
            .write(query, parquet, File::create(&path).unwrap())
            .unwrap();
        (read(&path).0, rows)
    };
    let (batches, rows) = through_a_file(query, "sql.parquet");
    assert_eq!(rows, 4);
    let schema = batches[0].schema();
    assert_eq!(schema.field(0).data_type(), &DataType::Utf8);
    assert_eq!(schema.field(1).data_type(), &DataType::Float64);
    let table = arrow::util::pretty::pretty_format_batches(&batches)
        .unwrap()
        .to_string();
    let engine = arrow::util::pretty::pretty_format_batches(&engine)
        .unwrap()
        .to_string();
    assert_eq!(table, engine);
    for id in ["armenia", "nkr", "russian_peacekeepers"] {
        assert!(table.contains(id), "{table}");
    }

    // In lists and structs too.
    let nested = format!(
        "SELECT array_agg(c ORDER BY c) AS ids, named_struct('first', min(c)) AS s \
         FROM ({}) AS t",
        query.replace(" ORDER BY lon", "")
    );
    let (batches, _) = through_a_file(&nested, "nested.parquet");
    let schema = batches[0].schema();
    let DataType::List(item) = schema.field(0).data_type() else {
        panic!("{schema:?}");
    };
    assert_eq!(item.data_type(), &DataType::Utf8);
    let DataType::Struct(fields) = schema.field(1).data_type() else {
        panic!("{schema:?}");
    };
    assert_eq!(fields[0].data_type(), &DataType::Utf8);
    let ids = batches[0].column(0).as_list::<i32>().value(0);
    let ids: Vec<_> = ids.as_string::<i32>().iter().collect();
    assert_eq!(
        ids,
        [
            Some("armenia"),
            Some("nkr"),
            Some("russian_peacekeepers"),
            None
        ]
    );
}
