//! Reading a GeoJSON FeatureCollection of any size a chunk of features at a
//! time, with every other member of the collection kept, wherever it stands.
//!
//! The whole document is parsed (so a member named `features` nested inside
//! another member is never mistaken for the collection's array), but only one
//! member or one chunk of features is held at a time. Features come as raw
//! JSON text, checked but not yet built into values, so that callers can
//! build them on many threads.

use std::io::Read;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
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
    let mut reader = Reader {
        take: &mut take,
        chunk: chunk.max(1),
        read: None,
        stopped: None,
    };
    let mut input = std::io::BufReader::new(input);
    skip_bom(&mut input).map_err(|e| Error::Io {
        path: source.into(),
        source: e,
    })?;
    let mut json = serde_json::Deserializer::from_reader(input);
    let parsed =
        de::Deserializer::deserialize_map(&mut json, &mut reader).and_then(|()| json.end());
    if let Some(error) = reader.stopped {
        return Err(error);
    }
    parsed.map_err(|e| {
        // serde_json's message ends with the line and column.
        let problem = match reader.read {
            Some(index) => Problem::feature(source, index, None, e.to_string()),
            None => Problem::file(source, e.to_string()),
        };
        Error::BadInput(problem)
    })
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

/// The visitor of the collection object and of its `features` array.
struct Reader<'t, F> {
    take: &'t mut F,
    chunk: usize,
    /// Index of the feature being read, once the array is open.
    read: Option<usize>,
    /// The error `take` stopped with.
    stopped: Option<Error>,
}

impl<F: FnMut(Piece) -> Result<()>> Reader<'_, F> {
    fn give<E: de::Error>(&mut self, piece: Piece) -> std::result::Result<(), E> {
        (self.take)(piece).map_err(|error| {
            self.stopped = Some(error);
            E::custom("stopped")
        })
    }
}

impl<'de, F: FnMut(Piece) -> Result<()>> Visitor<'de> for &mut Reader<'_, F> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a GeoJSON FeatureCollection object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        let mut features_seen = false;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "features" if features_seen => {
                    return Err(de::Error::custom("`features` appears twice"));
                }
                "features" => {
                    features_seen = true;
                    self.give(Piece::FeaturesBegin)?;
                    map.next_value_seed(FeatureArray(&mut *self))?;
                    self.read = None;
                    self.give(Piece::FeaturesEnd)?;
                }
                "type" => {
                    let kind: Value = map.next_value()?;
                    if kind != "FeatureCollection" {
                        return Err(de::Error::custom(format!(
                            "expected a FeatureCollection, found \"type\": {kind}; \
                             wrap features in {{\"type\": \"FeatureCollection\", \"features\": [...]}}"
                        )));
                    }
                }
                _ => {
                    let value: Value = map.next_value()?;
                    self.give(Piece::Member(key, value))?;
                }
            }
        }
        if features_seen {
            Ok(())
        } else {
            Err(de::Error::custom(
                "expected a FeatureCollection with a `features` array, found no `features` member",
            ))
        }
    }
}

/// The `features` array, read a chunk at a time.
struct FeatureArray<'r, 't, F>(&'r mut Reader<'t, F>);

impl<'de, F: FnMut(Piece) -> Result<()>> DeserializeSeed<'de> for FeatureArray<'_, '_, F> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, F: FnMut(Piece) -> Result<()>> Visitor<'de> for FeatureArray<'_, '_, F> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an array of features")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        let reader = self.0;
        let mut index = 0;
        let mut chunk = Vec::with_capacity(reader.chunk);
        loop {
            reader.read = Some(index);
            let Some(feature) = seq.next_element::<Box<RawValue>>()? else {
                break;
            };
            chunk.push(feature);
            index += 1;
            if chunk.len() == reader.chunk {
                let full = std::mem::replace(&mut chunk, Vec::with_capacity(reader.chunk));
                reader.give(Piece::Features(full))?;
            }
        }
        if !chunk.is_empty() {
            reader.give(Piece::Features(chunk))?;
        }
        Ok(())
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
