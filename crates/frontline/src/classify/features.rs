//! GeoJSON point features classified without building them into values.
//! Each feature's members are read as raw JSON text; only what the answer
//! needs (the geometry, the date property) is parsed, the features of a
//! slice are located as one batch ([`Atlas::locate_each`]), and each is
//! written back with its members as they were, insignificant whitespace
//! left out, and the answer's properties added.
//!
//! Members keep their text: numbers as written (`1.50` stays `1.50`, an
//! integer beyond 64 bits stays whole), strings with their escapes. A key
//! given twice comes out once, at its first place with its last value, as a
//! JSON map keeps it.

use std::borrow::Cow;

use chrono::NaiveDate;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::{DateCache, DateSource, RowResult, Summary, Tally, GEOJSON_INPUT, OUTPUT_COLUMNS};
use crate::atlas::Atlas;
use crate::error::{Error, Problem, Result};
use crate::index::RecordError;

/// Features `first..` of the collection, classified and written as they
/// come in the output (each after a separator but the very first).
pub(super) fn format_features(
    atlas: &Atlas,
    first: usize,
    features: &[Box<RawValue>],
    date: &DateSource,
) -> Result<(Vec<u8>, Summary)> {
    let mut dates = DateCache::default();
    let mut records: Vec<(f64, f64, NaiveDate)> = Vec::with_capacity(features.len());
    let read: Vec<Feature> = (features.iter().enumerate())
        .map(|(i, raw)| Feature::read(raw.get(), first + i, date, &mut dates, &mut records))
        .collect::<Result<_>>()?;
    let mut located = vec![Err(RecordError::BadCoordinate); records.len()];
    atlas
        .locate_each(&records, &mut located)
        .expect("one answer slot a record");
    let mut bytes = Vec::with_capacity(features.iter().map(|f| f.get().len() + 160).sum());
    let mut tally = Tally::default();
    for (i, feature) in read.iter().enumerate() {
        let index = first + i;
        let result: RowResult = match &feature.row {
            Row::Record(r) => match located[*r] {
                Ok(here) => Ok(here),
                // The whole message (which coordinate, which first date).
                Err(_) => {
                    let (lon, lat, day) = records[*r];
                    super::locate(atlas, lon, lat, day).map_err(|e| at(index, &e))
                }
            },
            Row::Failed(message) => Err(message.clone()),
        };
        let error = tally.count(&result);
        bytes.extend_from_slice(if index == 0 { b"\n" } else { b",\n" });
        feature.write(&mut bytes, &result, error);
    }
    Ok((bytes, tally.into_summary()))
}

/// A feature's error message: `feature N: ...`.
fn at(index: usize, message: &str) -> String {
    format!("feature {index}: {message}")
}

/// A feature as read: its text, its members (`None` when it is not an
/// object), its properties' members (`None` when they are not an object)
/// and its row.
struct Feature<'t> {
    text: &'t str,
    members: Option<Members<'t>>,
    properties: Option<Members<'t>>,
    row: Row,
}

/// Where a feature's answer comes from.
enum Row {
    /// Record `r` of the slice's batch.
    Record(usize),
    /// Nothing to locate: why.
    Failed(String),
}

impl<'t> Feature<'t> {
    /// Reads feature `index` from `text`; a point with a date becomes a
    /// record of `records`. Errors (the run stops) for a feature that
    /// already has a property classify writes, or a coordinate beyond f64.
    fn read(
        text: &'t str,
        index: usize,
        date: &DateSource,
        dates: &mut DateCache,
        records: &mut Vec<(f64, f64, NaiveDate)>,
    ) -> Result<Feature<'t>> {
        let members = Members::parse(text);
        let properties = (members.as_ref())
            .and_then(|m| m.get("properties"))
            .and_then(|p| Members::parse(p.get()));
        if let Some(taken) =
            (properties.as_ref()).and_then(|p| OUTPUT_COLUMNS.iter().find(|c| p.get(c).is_some()))
        {
            return Err(Error::BadInput(Problem::feature(
                GEOJSON_INPUT,
                index,
                None,
                super::already_there("property", taken),
            )));
        }
        let row = match &members {
            None => Row::Failed(at(
                index,
                &format!("expected a Feature object, found {}", minified(text)),
            )),
            Some(members) => match point(members, index)? {
                Err(message) => Row::Failed(at(index, &message)),
                Ok((lon, lat)) => match day_of(properties.as_ref(), date, dates) {
                    Ok(day) => {
                        records.push((lon, lat, day));
                        Row::Record(records.len() - 1)
                    }
                    Err(message) => Row::Failed(at(index, &message)),
                },
            },
        };
        Ok(Feature {
            text,
            members,
            properties,
            row,
        })
    }

    /// Writes the feature with the answer's properties added (`properties`
    /// is made when missing or null; properties that are not an object are
    /// left as they are, with nothing added).
    fn write(&self, out: &mut Vec<u8>, result: &RowResult, error: Option<&str>) {
        let Some(members) = &self.members else {
            minify(out, self.text);
            return;
        };
        out.push(b'{');
        let mut any = false;
        let mut has_properties = false;
        members.each_once(|key, value| {
            if any {
                out.push(b',');
            }
            any = true;
            write_key(out, key);
            if key != "properties" {
                return minify(out, value.get());
            }
            has_properties = true;
            match &self.properties {
                Some(properties) => with_answer(out, Some(properties), result, error),
                None if value.get() == "null" => with_answer(out, None, result, error),
                None => minify(out, value.get()),
            }
        });
        if !has_properties {
            if any {
                out.push(b',');
            }
            write_key(out, "properties");
            with_answer(out, None, result, error);
        }
        out.push(b'}');
    }
}

/// The point's (lon, lat); `Err` with why the feature has none; an error
/// that stops the run for a coordinate beyond f64.
fn point(members: &Members, index: usize) -> Result<std::result::Result<(f64, f64), String>> {
    let geometry = members.get("geometry");
    let found = || {
        let full = geometry.map_or(Cow::Borrowed("null"), |g| Cow::Owned(minified(g.get())));
        let mut found: String = full.chars().take(80).collect();
        if found.len() < full.len() {
            found.push('…');
        }
        format!("expected a Point geometry, found {found}")
    };
    let parts = geometry.and_then(|g| Members::parse(g.get()));
    let is_point = (parts.as_ref())
        .and_then(|g| g.get("type"))
        .and_then(|t| serde_json::from_str::<Key>(t.get()).ok())
        .is_some_and(|Key(kind)| kind == "Point");
    let coordinates = (parts.as_ref())
        .filter(|_| is_point)
        .and_then(|g| g.get("coordinates"))
        .and_then(|c| serde_json::from_str::<Vec<&RawValue>>(c.get()).ok())
        .filter(|c| c.len() >= 2);
    let Some(coordinates) = coordinates else {
        return Ok(Err(found()));
    };
    let number = |raw: &RawValue, name: &str| -> Result<std::result::Result<f64, String>> {
        let text = raw.get();
        match serde_json::from_str::<f64>(text) {
            Ok(value) if value.is_finite() => Ok(Ok(value)),
            // A number JSON can write but f64 cannot hold.
            Err(e) if text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) => {
                let mut message = e.to_string();
                message.truncate(message.rfind(" at line ").unwrap_or(message.len()));
                Err(Error::BadInput(Problem::feature(
                    GEOJSON_INPUT,
                    index,
                    None,
                    message,
                )))
            }
            _ => Ok(Err(format!(
                "{name}: expected a number, found {}",
                minified(text)
            ))),
        }
    };
    let lon = match number(coordinates[0], "longitude")? {
        Ok(lon) => lon,
        Err(message) => return Ok(Err(message)),
    };
    Ok(number(coordinates[1], "latitude")?.map(|lat| (lon, lat)))
}

/// The feature's date: fixed, or its property's.
fn day_of(
    properties: Option<&Members>,
    date: &DateSource,
    dates: &mut DateCache,
) -> std::result::Result<NaiveDate, String> {
    let name = match date {
        DateSource::Fixed(day) => return Ok(*day),
        DateSource::Column(name) => name,
    };
    let text = properties
        .and_then(|p| p.get(name))
        .and_then(|value| serde_json::from_str::<Key>(value.get()).ok());
    let Some(Key(text)) = text else {
        return Err(format!("property `{name}`: missing (expected YYYY-MM-DD)"));
    };
    if let Some(day) = dates.get(text.as_bytes()) {
        return Ok(day);
    }
    let day = crate::parse_date(&text).map_err(|e| format!("property `{name}`: {e}"))?;
    dates.put(text.as_bytes(), day);
    Ok(day)
}

/// Appends a properties object: `properties`' members (none when `None`),
/// then the answer's.
fn with_answer(
    out: &mut Vec<u8>,
    properties: Option<&Members>,
    result: &RowResult,
    error: Option<&str>,
) {
    out.push(b'{');
    let mut first = true;
    if let Some(properties) = properties {
        properties.each_once(|key, value| {
            if !first {
                out.push(b',');
            }
            first = false;
            write_key(out, key);
            minify(out, value.get());
        });
    }
    write_answer(out, !first, result, error);
    out.push(b'}');
}

/// Appends the answer's members (after a comma when `after` others).
fn write_answer(out: &mut Vec<u8>, after: bool, result: &RowResult, error: Option<&str>) {
    let (controller, de_jure, rayon) = match result {
        Ok(here) => (here.controller(), here.de_jure(), here.rayon()),
        Err(_) => (None, None, None),
    };
    if after {
        out.push(b',');
    }
    for (key, value) in [
        ("controller", controller),
        ("de_jure", de_jure),
        ("rayon", rayon),
    ] {
        write_key(out, key);
        write_text(out, value);
        out.push(b',');
    }
    write_key(out, "overlays");
    out.push(b'[');
    if let Ok(here) = result {
        for (n, id) in here.overlays().enumerate() {
            if n > 0 {
                out.push(b',');
            }
            write_text(out, Some(id));
        }
    }
    out.extend_from_slice(b"],");
    write_key(out, "error");
    write_text(out, error);
}

/// `"key":`, escaped as JSON escapes it.
fn write_key(out: &mut Vec<u8>, key: &str) {
    write_text(out, Some(key));
    out.push(b':');
}

/// A JSON string, or `null`.
fn write_text(out: &mut Vec<u8>, text: Option<&str>) {
    match text {
        // What serde_json escapes: quotes, backslashes, control characters.
        Some(text) if text.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') => {
            out.push(b'"');
            out.extend_from_slice(text.as_bytes());
            out.push(b'"');
        }
        Some(text) => serde_json::to_writer(&mut *out, text).expect("writing to memory"),
        None => out.extend_from_slice(b"null"),
    }
}

/// Valid JSON text without the whitespace between its tokens.
fn minified(text: &str) -> String {
    let mut out = Vec::with_capacity(text.len());
    minify(&mut out, text);
    String::from_utf8(out).expect("whitespace taken out of UTF-8 leaves UTF-8")
}

/// Appends valid JSON text without the whitespace between its tokens
/// (strings copied as they are).
fn minify(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    if !bytes
        .iter()
        .any(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
    {
        return out.extend_from_slice(bytes);
    }
    let (mut in_string, mut escaped) = (false, false);
    for &b in bytes {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
        } else if matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
            continue;
        } else if b == b'"' {
            in_string = true;
        }
        out.push(b);
    }
}

/// A JSON object's members in document order, their values as raw text.
struct Members<'t>(Vec<(Cow<'t, str>, &'t RawValue)>);

impl<'t> Members<'t> {
    /// The members of `text`, or `None` when it is not an object.
    fn parse(text: &'t str) -> Option<Members<'t>> {
        serde_json::from_str(text).ok()
    }

    /// The value of `key` (its last, when given twice).
    fn get(&self, key: &str) -> Option<&'t RawValue> {
        self.0.iter().rev().find(|(k, _)| k == key).map(|(_, v)| *v)
    }

    /// Calls `each(key, value)` for each key once, in the order keys first
    /// appear, with its last value.
    fn each_once(&self, mut each: impl FnMut(&str, &'t RawValue)) {
        if self.0.len() > 16 {
            // Objects with many members (the tags of an OSM export): a map
            // instead of scanning the members around each one.
            let mut last = std::collections::HashMap::with_capacity(self.0.len());
            for (i, (key, _)) in self.0.iter().enumerate() {
                last.insert(key.as_ref(), i);
            }
            // A key's first place takes its last value; its other places
            // find it gone.
            for (key, _) in &self.0 {
                if let Some(at) = last.remove(key.as_ref()) {
                    each(key, self.0[at].1);
                }
            }
            return;
        }
        for (i, (key, value)) in self.0.iter().enumerate() {
            let later = &self.0[i + 1..];
            if self.0[..i].iter().any(|(k, _)| k == key) {
                continue;
            }
            let last = later
                .iter()
                .rev()
                .find(|(k, _)| k == key)
                .map_or(*value, |(_, v)| *v);
            each(key, last);
        }
    }
}

impl<'de: 't, 't> Deserialize<'de> for Members<'t> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct Object;
        impl<'de> Visitor<'de> for Object {
            type Value = Members<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Self::Value, A::Error> {
                let mut members = Vec::with_capacity(map.size_hint().unwrap_or(4));
                while let Some(Key(key)) = map.next_key::<Key>()? {
                    members.push((key, map.next_value::<&RawValue>()?));
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(Object)
    }
}

/// A JSON string, borrowed from the text where it has no escapes.
struct Key<'t>(Cow<'t, str>);

impl<'de: 't, 't> Deserialize<'de> for Key<'t> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct Text;
        impl<'de> Visitor<'de> for Text {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, text: &'de str) -> std::result::Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(text)))
            }
            fn visit_str<E>(self, text: &str) -> std::result::Result<Self::Value, E> {
                Ok(Key(Cow::Owned(text.to_owned())))
            }
        }
        deserializer.deserialize_str(Text)
    }
}

#[cfg(all(test, feature = "embedded"))]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn day(text: &str) -> NaiveDate {
        crate::parse_date(text).unwrap()
    }

    /// The features written, one string each.
    fn written(atlas: &Atlas, texts: &[&str]) -> Result<Vec<String>> {
        let raw: Vec<Box<RawValue>> = texts
            .iter()
            .map(|t| serde_json::from_str(t).unwrap())
            .collect();
        let date = DateSource::Column("seen".into());
        let (bytes, _) = format_features(atlas, 0, &raw, &date)?;
        let text = String::from_utf8(bytes).unwrap();
        Ok(text
            .split(",\n")
            .map(|f| f.trim_start().to_owned())
            .collect())
    }

    /// What the feature becomes when built into a value and given the
    /// answer's properties: the reference the raw writing must equal.
    fn by_value(text: &str, added: Value) -> Value {
        let mut feature: Value = serde_json::from_str(text).unwrap();
        if let Some(object) = feature.as_object_mut() {
            let properties = object.entry("properties").or_insert_with(|| json!({}));
            if properties.is_null() {
                *properties = json!({});
            }
            if let (Some(properties), Value::Object(added)) = (properties.as_object_mut(), added) {
                properties.extend(added);
            }
        }
        feature
    }

    fn answer(atlas: &Atlas, lon: f64, lat: f64, on: &str) -> Value {
        let here = atlas.locate(geo::Point::new(lon, lat), day(on)).unwrap();
        json!({
            "controller": here.controller, "de_jure": here.de_jure, "rayon": here.rayon,
            "overlays": here.overlays, "error": null,
        })
    }

    fn failed(message: &str) -> Value {
        json!({
            "controller": null, "de_jure": null, "rayon": null, "overlays": [], "error": message,
        })
    }

    #[test]
    fn features_come_out_as_their_values_would_with_the_answer_added() {
        let atlas = Atlas::embedded().unwrap();
        let stepanakert = answer(&atlas, 46.7528, 39.8177, "2021-06-01");
        let mut cases: Vec<(&str, Value)> = vec![
            (
                r#"{"type": "Feature", "id": 7, "properties": {"seen": "2021-06-01", "name": "a  b\" c"},
                    "geometry": {"type": "Point", "coordinates": [46.7528, 39.8177]}}"#,
                stepanakert.clone(),
            ),
            // A key given twice: its first place, its last value (the point
            // of the second geometry is located).
            (
                r#"{"type": "Feature", "properties": {"a": 1, "seen": "2021-06-01", "a": 2},
                    "geometry": {"type": "Point", "coordinates": [0, 0]},
                    "geometry": {"type": "Point", "coordinates": [46.7528, 39.8177]}}"#,
                stepanakert.clone(),
            ),
            // Escaped keys are read as their text.
            (
                r#"{"type": "Feature", "properties": {"s\u0065en": "2021-06-01", "x\ty": 1},
                    "geometry": {"type": "Point", "coordinates": [46.7528, 39.8177, 350]}}"#,
                stepanakert,
            ),
            (
                r#"{"type": "Feature", "properties": null, "geometry": {"type": "Point", "coordinates": [46.7528, 39.8177]}}"#,
                failed("feature 3: property `seen`: missing (expected YYYY-MM-DD)"),
            ),
            (
                r#"{"type": "Feature", "geometry": {"type": "Point", "coordinates": [46.7528, 39.8177]}}"#,
                failed("feature 4: property `seen`: missing (expected YYYY-MM-DD)"),
            ),
            (
                r#"{"type": "Feature", "properties": "none", "geometry": null}"#,
                failed("feature 5: expected a Point geometry, found null"),
            ),
            (r#"[1, 2]"#, failed("feature 6: expected a Feature object, found [1,2]")),
            (
                r#"{"type": "Feature", "properties": {"seen": "2021-06-01"},
                    "geometry": {"type": "LineString", "coordinates": [[46.0, 39.0], [47.0, 40.0]]}}"#,
                failed(r#"feature 7: expected a Point geometry, found {"type":"LineString","coordinates":[[46.0,39.0],[47.0,40.0]]}"#),
            ),
            (
                r#"{"type": "Feature", "properties": {"seen": "2021-06-01"}, "geometry": {"type": "Point", "coordinates": ["46", 39]}}"#,
                failed(r#"feature 8: longitude: expected a number, found "46""#),
            ),
            (
                r#"{"type": "Feature", "properties": {"seen": "19/11/2020"}, "geometry": {"type": "Point", "coordinates": [46.7, 39.8]}}"#,
                failed("feature 9: property `seen`: invalid date \"19/11/2020\": expected YYYY-MM-DD, e.g. 2020-12-01"),
            ),
            (
                r#"{"type": "Feature", "properties": {"seen": "1990-01-01"}, "geometry": {"type": "Point", "coordinates": [46.7, 91]}}"#,
                failed("feature 10: invalid coordinate: latitude 91 is outside [-90, 90]"),
            ),
            (
                r#"{"type": "Feature", "properties": {"seen": "1990-01-01"}, "geometry": {"type": "Point", "coordinates": [46.7, 39.8]}}"#,
                failed(&format!("feature 11: {}", atlas.locate(geo::Point::new(46.7, 39.8), day("1990-01-01")).unwrap_err())),
            ),
        ];
        // Many members (the map path), one of them given twice.
        let keys: Vec<String> = (0..20).map(|k| format!(r#""k{k}": {k}"#)).collect();
        let many = format!(
            r#"{{"type": "Feature", "properties": {{{}, "seen": "2021-06-01", "k3": "again"}},
                "geometry": {{"type": "Point", "coordinates": [46.7528, 39.8177]}}}}"#,
            keys.join(", ")
        );
        cases.push((&many, answer(&atlas, 46.7528, 39.8177, "2021-06-01")));
        let texts: Vec<&str> = cases.iter().map(|(text, _)| *text).collect();
        let out = written(&atlas, &texts).unwrap();
        assert_eq!(out.len(), cases.len());
        for ((text, added), out) in cases.iter().zip(&out) {
            let got: Value = serde_json::from_str(out).unwrap_or_else(|e| panic!("{out}: {e}"));
            let expected = by_value(text, added.clone());
            if got != expected {
                // The messages are the library's: show both whole.
                panic!("{text}\n got {got}\nwant {expected}");
            }
            assert_eq!(&minified(out), out, "no whitespace between tokens");
        }
        // Kept as written, not as f64 would print them.
        let kept = written(
            &atlas,
            &[r#"{"properties": {"seen": "2021-06-01", "n": 1.50, "big": 123456789012345678901234567890, "e": "\u00e9"},
                 "geometry": {"type": "Point", "coordinates": [46.7528, 39.8177]}}"#],
        )
        .unwrap();
        assert!(
            kept[0].starts_with(r#"{"properties":{"seen":"2021-06-01","n":1.50,"big":123456789012345678901234567890,"e":"\u00e9","controller":"nkr","#),
            "{}",
            kept[0]
        );
    }

    #[test]
    fn a_coordinate_beyond_f64_or_a_taken_property_stops_the_run() {
        let atlas = Atlas::embedded().unwrap();
        let beyond = written(
            &atlas,
            &[r#"{"properties": {"seen": "2021-06-01"}, "geometry": {"type": "Point", "coordinates": [1e400, 0]}}"#],
        )
        .unwrap_err();
        assert_eq!(
            beyond.to_string(),
            "invalid input: GeoJSON input: feature 0: number out of range"
        );
        let taken = written(
            &atlas,
            &[r#"{"properties": {"seen": "2021-06-01", "rayon": "x"}, "geometry": null}"#],
        )
        .unwrap_err();
        assert!(
            taken
                .to_string()
                .contains("feature 0: already has a property `rayon`"),
            "{taken}"
        );
    }

    #[test]
    fn strings_are_written_as_serde_json_writes_them() {
        for text in [
            "plain",
            "é ü",
            "a\"b",
            "back\\slash",
            "tab\there",
            "\u{1}",
            "\u{7f}",
            "",
        ] {
            let mut out = Vec::new();
            write_text(&mut out, Some(text));
            assert_eq!(
                String::from_utf8(out).unwrap(),
                serde_json::to_string(text).unwrap()
            );
        }
    }

    #[test]
    fn minify_leaves_strings_whole() {
        assert_eq!(
            minified("{ \"a b\" : [1 ,\n 2],\t\"c\\\" d\": \" \\\\\" }"),
            "{\"a b\":[1,2],\"c\\\" d\":\" \\\\\"}"
        );
        assert_eq!(minified("[]"), "[]");
    }
}
