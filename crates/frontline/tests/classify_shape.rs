//! classify's CSV output is rectangular and its documented syntax holds:
//! values byte for byte, quotes only where needed, LF line ends, blank lines
//! left out; rows of the wrong width are flagged; columns and properties
//! classify writes are never overwritten.

use frontline::classify::{classify_csv, classify_geojson, ClassifyOptions, DateSource};
use frontline::{parse_date, Atlas, Error};

fn tiny() -> Atlas {
    Atlas::open(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/tiny"))
        .unwrap()
}

fn options() -> ClassifyOptions {
    ClassifyOptions::new(DateSource::Fixed(parse_date("2012-01-01").unwrap()))
}

fn run(input: &str) -> String {
    let mut output = Vec::new();
    classify_csv(&tiny(), input.as_bytes(), &mut output, &options(), |_| {}).unwrap();
    String::from_utf8(output).unwrap()
}

#[test]
fn quotes_line_ends_and_blank_lines_are_as_documented() {
    let input = "id,lat,lon,note\r\n\
                 \"1\",0.5,0.5,\"a \"\"q\"\" b\"\r\n\
                 \r\n\
                 \n\
                 2,0.5,1.75,\"multi\r\nline\"\r\n\
                 3,0.5,1.75,\"plain\"\r\n";
    assert_eq!(
        run(input),
        "id,lat,lon,note,controller,de_jure,rayon,overlays,error\n\
         1,0.5,0.5,\"a \"\"q\"\" b\",west,west,West One,,\n\
         2,0.5,1.75,\"multi\r\nline\",east,east,East One,,\n\
         3,0.5,1.75,plain,east,east,East One,,\n"
    );
}

#[test]
fn rows_of_the_wrong_width_come_out_as_wide_as_the_header_and_say_why() {
    let input = "id,lat,lon,note\n\
                 1,0.5,0.5,x,extra,\"more, still\"\n\
                 2,0.5,1.5\n\
                 3,0.5,1.75,ok\n";
    let output = run(input);
    let mut reader = csv::Reader::from_reader(output.as_bytes());
    let width = reader.headers().unwrap().len();
    assert_eq!(width, 9);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert!(rows.iter().all(|r| r.len() == width), "{output}");
    let fields = |r: &csv::StringRecord| r.iter().map(str::to_owned).collect::<Vec<_>>();
    assert_eq!(
        fields(&rows[0]),
        [
            "1",
            "0.5",
            "0.5",
            "x",
            "",
            "",
            "",
            "",
            "row has 6 fields, the header 4: not classified; the fields past the header, \
             left out here: \"extra\",\"more, still\""
        ]
    );
    assert_eq!(
        fields(&rows[1]),
        [
            "2",
            "0.5",
            "1.5",
            "",
            "",
            "",
            "",
            "",
            "row has 3 fields, the header 4: padded with empty fields, not classified"
        ]
    );
    assert_eq!(
        fields(&rows[2]),
        ["3", "0.5", "1.75", "ok", "east", "east", "East One", "", ""]
    );
}

#[test]
fn a_csv_with_a_column_classify_writes_is_refused() {
    for column in ["controller", "error", "overlays"] {
        let input = format!("id,lat,lon,{column}\n1,0.5,0.5,mine\n");
        let error =
            classify_csv(&tiny(), input.as_bytes(), Vec::new(), &options(), |_| {}).unwrap_err();
        assert!(matches!(error, Error::BadInput(_)));
        assert_eq!(
            error.to_string(),
            format!(
                "invalid input: CSV: already has a column `{column}`, which classify writes \
                 (controller, de_jure, rayon, overlays, error): rename it first, nothing is overwritten"
            )
        );
    }
}

#[test]
fn a_feature_with_a_property_classify_writes_is_refused() {
    let input = r#"{"type": "FeatureCollection", "features": [
      {"type": "Feature", "properties": {"id": 1}, "geometry": {"type": "Point", "coordinates": [0.5, 0.5]}},
      {"type": "Feature", "properties": {"error": "mine"}, "geometry": {"type": "Point", "coordinates": [0.5, 0.5]}}
    ]}"#;
    let error = classify_geojson(
        &tiny(),
        input.as_bytes(),
        Vec::new(),
        &options().date,
        |_| {},
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid input: GeoJSON input: feature 1: already has a property `error`, which classify \
         writes (controller, de_jure, rayon, overlays, error): rename it first, nothing is overwritten"
    );
}
