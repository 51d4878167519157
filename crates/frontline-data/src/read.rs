//! Reading the source files: GeoJSON layers and CSV tables, every error
//! naming the file, the feature or row, and the field.

use std::collections::BTreeMap;
use std::path::Path;

use geo::{Coord, Geometry, LineString, MultiPolygon};
use geojson::{Feature, FeatureCollection, JsonValue};

use crate::{Error, Shape};

/// A GeoJSON source file, read whole.
pub(crate) struct Layer {
    pub features: Vec<Feature>,
    pub file: String,
}

pub(crate) fn layer(sources: &Path, file: &str) -> Result<Layer, Error> {
    let text = std::fs::read_to_string(sources.join(file)).map_err(|e| format!("{file}: {e}"))?;
    let collection: FeatureCollection = text.parse().map_err(|e| format!("{file}: {e}"))?;
    Ok(Layer {
        features: collection.features,
        file: file.to_owned(),
    })
}

impl Layer {
    pub fn text(&self, index: usize, key: &str) -> Result<String, Error> {
        self.features[index]
            .property(key)
            .and_then(JsonValue::as_str)
            .map(str::to_owned)
            .ok_or_else(|| format!("{}: feature {index}: expected a string `{key}`", self.file))
    }

    pub fn find(&self, key: &str, value: &str) -> Result<usize, Error> {
        (0..self.features.len())
            .find(|&i| self.features[i].property(key).and_then(JsonValue::as_str) == Some(value))
            .ok_or_else(|| format!("{}: no feature with {key} = {value:?}", self.file))
    }

    pub fn geometry(&self, index: usize) -> Result<Geometry<f64>, Error> {
        let value = &self.features[index]
            .geometry
            .as_ref()
            .ok_or_else(|| format!("{}: feature {index}: no geometry", self.file))?
            .value;
        Geometry::try_from(value).map_err(|e| format!("{}: feature {index}: {e}", self.file))
    }

    pub fn shape(&self, index: usize) -> Result<Shape, Error> {
        match self.geometry(index)? {
            Geometry::Polygon(p) => Ok(MultiPolygon(vec![p])),
            Geometry::MultiPolygon(m) => Ok(m),
            other => Err(format!(
                "{}: feature {index}: expected a polygon, found {other:?}",
                self.file
            )),
        }
    }

    pub fn line(&self, index: usize) -> Result<LineString<f64>, Error> {
        match self.geometry(index)? {
            Geometry::LineString(l) => Ok(l),
            _ => Err(format!(
                "{}: feature {index}: expected a LineString",
                self.file
            )),
        }
    }

    /// A property holding an array of `[lon, lat]` pairs.
    pub fn coords(&self, index: usize, key: &str) -> Result<Vec<Coord<f64>>, Error> {
        let bad = || {
            format!(
                "{}: feature {index}: expected `{key}` as an array of [lon, lat] pairs",
                self.file
            )
        };
        let array = self.features[index]
            .property(key)
            .and_then(JsonValue::as_array)
            .ok_or_else(bad)?;
        array
            .iter()
            .map(|pair| {
                let pair = pair.as_array().filter(|p| p.len() == 2).ok_or_else(bad)?;
                let x = pair[0].as_f64().ok_or_else(bad)?;
                let y = pair[1].as_f64().ok_or_else(bad)?;
                Ok(Coord { x, y })
            })
            .collect()
    }
}

/// A CSV source table: one map of column → value per row.
pub(crate) struct Table {
    pub rows: Vec<BTreeMap<String, String>>,
    pub file: String,
}

pub(crate) fn table(sources: &Path, file: &str) -> Result<Table, Error> {
    let mut reader =
        csv::Reader::from_path(sources.join(file)).map_err(|e| format!("{file}: {e}"))?;
    let headers = reader
        .headers()
        .map_err(|e| format!("{file}: {e}"))?
        .clone();
    let mut rows = Vec::new();
    for (row, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("{file}: row {}: {e}", row + 1))?;
        rows.push(
            headers
                .iter()
                .zip(record.iter())
                .map(|(k, v)| (k.to_owned(), v.trim().to_owned()))
                .collect(),
        );
    }
    Ok(Table {
        rows,
        file: file.to_owned(),
    })
}

impl Table {
    pub fn get(&self, row: usize, column: &str) -> Result<&str, Error> {
        self.rows[row]
            .get(column)
            .map(String::as_str)
            .ok_or_else(|| format!("{}: row {}: no column `{column}`", self.file, row + 1))
    }

    pub fn required(&self, row: usize, column: &str) -> Result<&str, Error> {
        match self.get(row, column)? {
            "" => Err(format!(
                "{}: row {}: `{column}` is empty",
                self.file,
                row + 1
            )),
            value => Ok(value),
        }
    }

    pub fn number(&self, row: usize, column: &str) -> Result<f64, Error> {
        let text = self.required(row, column)?;
        text.parse::<f64>()
            .map_err(|e| format!("{}: row {}: `{column}` = {text:?}: {e}", self.file, row + 1))
    }
}
