//! Reading a GeoJSON FeatureCollection of any size a chunk of features at a
//! time, with every other member of the collection kept, wherever it stands.
//!
//! The whole document is parsed (so a member named `features` nested inside
//! another member is never mistaken for the collection's array), but only one
//! member or one chunk of features is held at a time. Features come as raw
//! JSON text, checked but not yet built into values, so that callers can
//! build them on many threads.
//!
//! The collection's own brackets, keys and commas are read here; each value
//! (a member, a feature) is found by counting its brackets outside strings,
//! then parsed from memory by serde_json, which checks it and is far faster
//! than parsing from a reader a byte at a time. Errors say what and where
//! as serde_json would for the whole input.

use std::io::{BufRead, Read};

use serde::de::Visitor;
use serde_json::value::RawValue;
use serde_json::Value;

use crate::error::{Error, Problem, Result};

/// What [`read_feature_collection`] meets, in document order.
#[derive(Debug)]
pub enum Piece {
    /// A member of the collection other than `type` and `features` (`name`,
    /// `crs`, `bbox`, foreign members), with its value.
    Member(String, Value),
    /// The `features` array opens.
    FeaturesBegin,
    /// Up to `chunk` features, in order, as their JSON text (valid JSON;
    /// whether each is a Feature is the caller's to check).
    Features(Vec<Box<RawValue>>),
    /// The `features` array is closed.
    FeaturesEnd,
}

/// Reads the FeatureCollection in `input` and hands its pieces to `take`,
/// features in chunks of at most `chunk` (at least one). `take` may stop
/// the reading by returning an error, which is then returned as it is.
///
/// The input must be one JSON object whose `type`, if present, is
/// `FeatureCollection`, with exactly one `features` array. Errors name
/// `source`, the feature being read, and the line and column.
///
/// (The module is private, so this example is not compiled; the unit
/// tests below hold the same cases.)
///
/// ```ignore
/// use frontline::feature_stream::{read_feature_collection, Piece};
/// let input = r#"{"name": "sightings", "type": "FeatureCollection",
///   "metadata": {"features": ["not these"]},
///   "features": [{"type": "Feature"}, {"type": "Feature"}, {"type": "Feature"}],
///   "licence": "CC0"}"#;
/// let mut pieces = Vec::new();
/// read_feature_collection(input.as_bytes(), "sightings.geojson", 2, |piece| {
///     pieces.push(match piece {
///         Piece::Member(name, _) => name,
///         Piece::FeaturesBegin => "[".into(),
///         Piece::Features(chunk) => chunk.len().to_string(),
///         Piece::FeaturesEnd => "]".into(),
///     });
///     Ok(())
/// })?;
/// assert_eq!(pieces, ["name", "metadata", "[", "2", "1", "]", "licence"]);
///
/// let error = read_feature_collection(r#"{"type": "Feature"}"#.as_bytes(), "one.geojson", 2, |_| Ok(()))
///     .unwrap_err();
/// assert!(error.to_string().contains("expected a FeatureCollection"), "{error}");
/// # Ok::<(), frontline::Error>(())
/// ```
pub fn read_feature_collection<R: Read>(
    input: R,
    source: &str,
    chunk: usize,
    mut take: impl FnMut(Piece) -> Result<()>,
) -> Result<()> {
    let mut input = std::io::BufReader::with_capacity(1 << 16, input);
    skip_bom(&mut input).map_err(|e| Error::Io {
        path: source.into(),
        source: e,
    })?;
    let mut reader = Reader {
        text: Scanner {
            input,
            line: 1,
            column: 0,
        },
        source,
        chunk: chunk.max(1),
        read: None,
        value: Vec::new(),
    };
    reader.collection(&mut take)
}

/// Skips a UTF-8 byte order mark at the start of `input`, as some editors
/// write one.
pub(crate) fn skip_bom(input: &mut impl std::io::BufRead) -> std::io::Result<()> {
    for (seen, &expected) in crate::ingest::UTF8_BOM.iter().enumerate() {
        match input.fill_buf()?.first() {
            Some(&byte) if byte == expected => input.consume(1),
            _ if seen == 0 => return Ok(()),
            // Part of a mark: no text starts so.
            _ => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "expected text, found an incomplete byte order mark",
                ))
            }
        }
    }
    Ok(())
}

/// Reads the collection: its members a value at a time, the features of
/// its `features` array one by one. Each value's text is found by a scan
/// of its brackets and strings, then parsed (checked) by serde_json from
/// memory, which is many times faster than parsing from the reader byte
/// by byte; errors give the line and column in the whole input, as a
/// streaming parse would.
struct Reader<'s, R> {
    text: Scanner<R>,
    source: &'s str,
    chunk: usize,
    /// Index of the feature being read, once the array is open.
    read: Option<usize>,
    /// The text of the value being read.
    value: Vec<u8>,
}

impl<R: BufRead> Reader<'_, R> {
    /// An error at the scanner's place (`message` at line L column C), in
    /// the feature being read if any.
    fn error_here(&self, message: &str) -> Error {
        let (line, column) = (self.text.line, self.text.column);
        self.problem(format!("{message} at line {line} column {column}"))
    }

    /// An error about the byte [`Reader::peek`] gave: placed on it.
    fn error_at_next(&mut self, message: &str) -> Error {
        self.bump();
        self.error_here(message)
    }

    fn problem(&self, message: String) -> Error {
        Error::BadInput(match self.read {
            Some(index) => Problem::feature(self.source, index, None, message),
            None => Problem::file(self.source, message),
        })
    }

    fn io(&self, error: std::io::Error) -> Error {
        Error::Io {
            path: self.source.into(),
            source: error,
        }
    }

    /// The next byte but whitespace, not taken.
    fn peek(&mut self) -> Result<Option<u8>> {
        self.text.peek().map_err(|e| self.io(e))
    }

    /// Takes the byte `peek` gave.
    fn bump(&mut self) {
        self.text.bump();
    }

    /// Reads the next value's text into `self.value` and parses it as `T`;
    /// serde_json's errors are placed in the whole input.
    fn parse<T: serde::de::DeserializeOwned>(&mut self) -> Result<T> {
        self.value.clear();
        self.peek()?;
        let start = (self.text.line, self.text.column);
        // A value cut short by the end of the input fails to parse below,
        // at its end, as the whole input would.
        let read = self.text.value(&mut self.value);
        read.map_err(|e| self.io(e))?;
        serde_json::from_slice::<T>(&self.value).map_err(|mut e| {
            // A value cut short by a delimiter (`"a": ,`, `tru}`): what a
            // parse of the whole input says there, at the delimiter.
            if e.is_eof() {
                if let Ok(Some(&next)) = self.text.input.fill_buf().map(|b| b.first()) {
                    self.value.push(next);
                    if let Err(at_next) = serde_json::from_slice::<T>(&self.value) {
                        e = at_next;
                    }
                }
            }
            let (line, column) = if e.line() <= 1 {
                (start.0, start.1 + e.column())
            } else {
                (start.0 + e.line() - 1, e.column())
            };
            let mut message = e.to_string();
            message.truncate(message.rfind(" at line ").unwrap_or(message.len()));
            self.problem(format!("{message} at line {line} column {column}"))
        })
    }

    fn collection(&mut self, take: &mut impl FnMut(Piece) -> Result<()>) -> Result<()> {
        match self.peek()? {
            Some(b'{') => self.bump(),
            Some(b'[') => {
                return Err(self.error_at_next(
                    "invalid type: sequence, expected a GeoJSON FeatureCollection object",
                ));
            }
            Some(_) => {
                // A scalar: serde_json names it.
                return self.parse::<Collection>().map(drop);
            }
            None => return Err(self.error_here("EOF while parsing a value")),
        }
        let mut features_seen = false;
        let mut first = true;
        loop {
            match self.peek()? {
                Some(b'}') if first => {
                    self.bump();
                    break;
                }
                Some(b'"') => {}
                Some(_) => return Err(self.error_at_next("key must be a string")),
                None if first => return Err(self.error_here("EOF while parsing an object")),
                None => return Err(self.error_here("EOF while parsing a value")),
            }
            first = false;
            let key: String = self.parse()?;
            if key == "features" && features_seen {
                self.peek()?;
                return Err(self.error_at_next("`features` appears twice"));
            }
            match self.peek()? {
                Some(b':') => self.bump(),
                Some(_) => return Err(self.error_at_next("expected `:`")),
                None => return Err(self.error_here("EOF while parsing an object")),
            }
            match key.as_str() {
                "features" => {
                    features_seen = true;
                    take(Piece::FeaturesBegin)?;
                    self.features(take)?;
                    self.read = None;
                    take(Piece::FeaturesEnd)?;
                }
                "type" => {
                    let kind: Value = self.parse()?;
                    if kind != "FeatureCollection" {
                        self.peek()?;
                        return Err(self.error_at_next(&format!(
                            "expected a FeatureCollection, found \"type\": {kind}; \
                             wrap features in {{\"type\": \"FeatureCollection\", \"features\": [...]}}"
                        )));
                    }
                }
                _ => {
                    let value: Value = self.parse()?;
                    take(Piece::Member(key, value))?;
                }
            }
            if !self.separator(b'}', "an object")? {
                break;
            }
        }
        if !features_seen {
            return Err(self.error_here(
                "expected a FeatureCollection with a `features` array, found no `features` member",
            ));
        }
        match self.peek()? {
            None => Ok(()),
            Some(_) => Err(self.error_at_next("trailing characters")),
        }
    }

    /// What follows a member or an element of the object or array that
    /// `close` ends (`what` names it): `true` after a comma (another must
    /// follow), `false` once closed.
    fn separator(&mut self, close: u8, what: &str) -> Result<bool> {
        match self.peek()? {
            Some(b',') => {
                self.bump();
                if self.peek()? == Some(close) {
                    return Err(self.error_at_next("trailing comma"));
                }
                Ok(true)
            }
            Some(b) if b == close => {
                self.bump();
                Ok(false)
            }
            Some(_) => {
                let close = char::from(close);
                Err(self.error_at_next(&format!("expected `,` or `{close}`")))
            }
            None => Err(self.error_here(&format!("EOF while parsing {what}"))),
        }
    }

    /// The `features` array, a chunk of features at a time.
    fn features(&mut self, take: &mut impl FnMut(Piece) -> Result<()>) -> Result<()> {
        match self.peek()? {
            Some(b'[') => self.bump(),
            Some(_) => return self.parse::<FeatureArray>().map(drop),
            None => return Err(self.error_here("EOF while parsing a value")),
        }
        let mut chunk = Vec::with_capacity(self.chunk);
        let mut index = 0;
        self.read = Some(index);
        match self.peek()? {
            Some(b']') => {
                self.bump();
                return Ok(());
            }
            Some(_) => {}
            None => return Err(self.error_here("EOF while parsing a list")),
        }
        loop {
            if self.peek()?.is_none() {
                return Err(self.error_here("EOF while parsing a value"));
            }
            let feature: Box<RawValue> = self.parse()?;
            chunk.push(feature);
            index += 1;
            // What follows (a comma and the next feature) is the next one's.
            self.read = Some(index);
            if chunk.len() == self.chunk {
                let full = std::mem::replace(&mut chunk, Vec::with_capacity(self.chunk));
                take(Piece::Features(full))?;
            }
            if !self.separator(b']', "a list")? {
                break;
            }
        }
        if !chunk.is_empty() {
            take(Piece::Features(chunk))?;
        }
        Ok(())
    }
}

/// Names what a collection must be, for serde_json's message on a scalar.
struct Collection;

impl<'de> serde::Deserialize<'de> for Collection {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Expect;
        impl<'de> Visitor<'de> for Expect {
            type Value = Collection;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a GeoJSON FeatureCollection object")
            }
        }
        d.deserialize_map(Expect)
    }
}

/// Names what `features` must be, for serde_json's message on anything else.
struct FeatureArray;

impl<'de> serde::Deserialize<'de> for FeatureArray {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Expect;
        impl<'de> Visitor<'de> for Expect {
            type Value = FeatureArray;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an array of features")
            }
        }
        d.deserialize_seq(Expect)
    }
}

/// A JSON text on a buffered input, read a value at a time, with the line
/// and column of the last byte taken (as serde_json counts them: lines from
/// 1, columns the bytes taken on the line).
struct Scanner<R> {
    input: R,
    line: usize,
    column: usize,
}

/// Whether a byte is JSON whitespace.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

impl<R: BufRead> Scanner<R> {
    /// Counts `taken` bytes into the line and column.
    fn count(line: &mut usize, column: &mut usize, taken: &[u8]) {
        match memchr::memrchr(b'\n', taken) {
            Some(last) => {
                *line += memchr::memchr_iter(b'\n', taken).count();
                *column = taken.len() - last - 1;
            }
            None => *column += taken.len(),
        }
    }

    /// The next byte but whitespace (the whitespace is taken), not taken
    /// itself; `None` at the end.
    fn peek(&mut self) -> std::io::Result<Option<u8>> {
        loop {
            let buffer = self.input.fill_buf()?;
            if buffer.is_empty() {
                return Ok(None);
            }
            let spaces = buffer.iter().take_while(|&&b| is_space(b)).count();
            let next = buffer.get(spaces).copied();
            Self::count(&mut self.line, &mut self.column, &buffer[..spaces]);
            self.input.consume(spaces);
            if next.is_some() {
                return Ok(next);
            }
        }
    }

    /// Takes the byte [`Scanner::peek`] gave (never a line end).
    fn bump(&mut self) {
        self.column += 1;
        self.input.consume(1);
    }

    /// Appends the text of the next value (whitespace before it taken) to
    /// `out`: an object or array up to its closing bracket, a string to its
    /// closing quote, a number or a word (`true`, `false`, `null`) as far
    /// as its bytes go. Brackets are
    /// only counted, not matched: the parse that follows checks the text.
    /// When the input ends inside the value, `out` holds what there was.
    fn value(&mut self, out: &mut Vec<u8>) -> std::io::Result<()> {
        let (scalar, number) = match self.peek()? {
            Some(b'{' | b'[' | b'"') => (false, false),
            Some(b'-' | b'0'..=b'9') => (true, true),
            // `true`, `false`, `null`, or a stray letter.
            Some(b) if b.is_ascii_alphabetic() => (true, false),
            // The end, or not a value: nothing to take, the parse says so.
            _ => return Ok(()),
        };
        let mut depth = 0usize;
        let (mut in_string, mut escaped) = (false, false);
        loop {
            let buffer = self.input.fill_buf()?;
            if buffer.is_empty() {
                return Ok(());
            }
            let mut end = None;
            let mut at = 0;
            while at < buffer.len() {
                let b = buffer[at];
                if in_string {
                    if escaped {
                        escaped = false;
                    } else if b == b'\\' {
                        escaped = true;
                    } else if b == b'"' {
                        in_string = false;
                        if depth == 0 {
                            end = Some(at + 1);
                            break;
                        }
                    } else {
                        // Straight to the next quote or backslash.
                        match memchr::memchr2(b'"', b'\\', &buffer[at..]) {
                            Some(n) => {
                                at += n;
                                continue;
                            }
                            None => {
                                at = buffer.len();
                                continue;
                            }
                        }
                    }
                } else if scalar {
                    // A number's or a word's bytes, as far as a streaming
                    // parse would read them.
                    let more = if number {
                        matches!(b, b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-')
                    } else {
                        b.is_ascii_alphabetic()
                    };
                    if !more {
                        end = Some(at);
                        break;
                    }
                } else {
                    match b {
                        b'"' => in_string = true,
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth = depth.saturating_sub(1);
                            if depth == 0 {
                                end = Some(at + 1);
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                at += 1;
            }
            let taken = end.unwrap_or(buffer.len());
            out.extend_from_slice(&buffer[..taken]);
            Self::count(&mut self.line, &mut self.column, &buffer[..taken]);
            self.input.consume(taken);
            if end.is_some() {
                return Ok(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(input: &str, chunk: usize) -> Result<Vec<Piece>> {
        let mut all = Vec::new();
        read_feature_collection(input.as_bytes(), "in.geojson", chunk, |p| {
            all.push(p);
            Ok(())
        })?;
        Ok(all)
    }

    #[test]
    fn features_come_in_chunks_and_members_in_place() {
        let got = pieces(
            r#"{"features": [1, 2, 3, 4, 5], "type": "FeatureCollection", "crs": null}"#,
            2,
        )
        .unwrap();
        let counts: Vec<String> = got
            .iter()
            .map(|p| match p {
                Piece::Member(k, v) => format!("{k}={v}"),
                Piece::FeaturesBegin => "[".into(),
                Piece::Features(c) => c.iter().map(|f| f.get()).collect::<Vec<_>>().join(" "),
                Piece::FeaturesEnd => "]".into(),
            })
            .collect();
        assert_eq!(counts, ["[", "1 2", "3 4", "5", "]", "crs=null"]);
        let empty = pieces(r#"{"type": "FeatureCollection", "features": []}"#, 3).unwrap();
        assert!(matches!(
            empty.as_slice(),
            [Piece::FeaturesBegin, Piece::FeaturesEnd]
        ));
    }

    #[test]
    fn bad_collections_are_refused_with_the_place() {
        let error = |input: &str| pieces(input, 2).unwrap_err().to_string();
        assert!(error(r#"{"type": "FeatureCollection"}"#).contains("no `features` member"));
        assert!(error(r#"[1, 2]"#).contains("expected a GeoJSON FeatureCollection object"));
        assert!(error(r#"{"features": [], "features": []}"#).contains("appears twice"));
        assert!(error(r#"{"features": {}}"#).contains("expected an array of features"));
        let cut = error("{\"features\": [{}, {},\n {\"a\": ");
        assert!(cut.contains("in.geojson: feature 2: "), "{cut}");
        assert!(cut.contains("line 2"), "{cut}");
        let trailing = error(r#"{"features": []} x"#);
        assert!(trailing.contains("trailing characters"), "{trailing}");
    }

    #[test]
    fn errors_are_placed_in_the_whole_input_as_a_streaming_parse_places_them() {
        let error = |input: &str| pieces(input, 2).unwrap_err().to_string();
        // Messages and places as serde_json gives them parsing the whole
        // input from a reader.
        assert_eq!(
            error("{\"type\": \"FeatureCollection\",\n \"features\": [{},\n   {\"a\": tru}\n]}"),
            "invalid input: in.geojson: feature 1: expected ident at line 3 column 13"
        );
        assert_eq!(
            error("{\"features\": [{},\n   {\"a\":\n  [1, 2}\n]}"),
            "invalid input: in.geojson: feature 1: expected `,` or `]` at line 3 column 8"
        );
        assert_eq!(
            error("{\"name\": {\"x\":\n [1,\n 2,]},\n \"features\": []}"),
            "invalid input: in.geojson: trailing comma at line 3 column 4"
        );
        assert_eq!(
            error(r#"{"features": [], "features": []}"#),
            "invalid input: in.geojson: `features` appears twice at line 1 column 28"
        );
        assert_eq!(
            error(r#"{"features": [{} {}]}"#),
            "invalid input: in.geojson: feature 1: expected `,` or `]` at line 1 column 18"
        );
        assert_eq!(
            error("{\"features\": ["),
            "invalid input: in.geojson: feature 0: EOF while parsing a list at line 1 column 14"
        );
        // Values cut short or run into what follows them.
        for (input, expected) in [
            (
                r#"{"name": , "features": []}"#,
                "expected value at line 1 column 10",
            ),
            (
                r#"{"features": [tru}]}"#,
                "feature 0: expected ident at line 1 column 18",
            ),
            (
                r#"{"features": [], "crs": nu ll}"#,
                "expected ident at line 1 column 27",
            ),
            (
                r#"{"features": [{},8{}]}"#,
                "feature 2: expected `,` or `]` at line 1 column 19",
            ),
            (
                r#"{"type": 3FeatureCollection", "features": []}"#,
                "expected a FeatureCollection, found \"type\": 3; wrap features in \
                 {\"type\": \"FeatureCollection\", \"features\": [...]} at line 1 column 11",
            ),
        ] {
            assert_eq!(
                error(input),
                format!("invalid input: in.geojson: {expected}"),
                "{input}"
            );
        }
    }

    #[test]
    fn strings_with_brackets_and_quotes_longer_than_the_buffer_are_read_whole() {
        // Past the reader's 64 KiB buffer, with escaped quotes, backslashes
        // and brackets inside, and a key written with an escape.
        let long = format!("{0}\\\"]}}[{{\\\\{0}", "x".repeat(70_000));
        let input = format!(
            "{{\"fe\\u0061tures\": [{{\"s\": \"{long}\"}},\n {{\"t\": [\"]\"]}}], \"name\": \"{long}\"}}\n\n  x"
        );
        let error = pieces(&input, 2).unwrap_err().to_string();
        assert!(
            error.ends_with("trailing characters at line 4 column 3"),
            "{error}"
        );
        let input = &input[..input.len() - 5];
        let got = pieces(input, 2).unwrap();
        let [Piece::FeaturesBegin, Piece::Features(features), Piece::FeaturesEnd, Piece::Member(name, value)] =
            got.as_slice()
        else {
            panic!("{got:?}");
        };
        let first: Value = serde_json::from_str(features[0].get()).unwrap();
        let text = format!("{0}\"]}}[{{\\{0}", "x".repeat(70_000));
        assert_eq!(first["s"].as_str(), Some(text.as_str()));
        assert_eq!(features[1].get(), r#"{"t": ["]"]}"#);
        assert_eq!((name.as_str(), value), ("name", &first["s"]));
    }

    #[test]
    fn the_taker_can_stop_the_reading() {
        let mut seen = 0;
        let error = read_feature_collection(
            r#"{"features": [1, 2, 3, 4, 5]}"#.as_bytes(),
            "in.geojson",
            1,
            |p| {
                if let Piece::Features(_) = p {
                    seen += 1;
                    if seen == 2 {
                        return Err(Error::BadInput(Problem::file("out", "disk full")));
                    }
                }
                Ok(())
            },
        )
        .unwrap_err();
        assert_eq!(seen, 2);
        assert_eq!(error.to_string(), "invalid input: out: disk full");
    }
}
