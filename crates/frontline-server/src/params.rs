//! Query parameters read strictly (every parameter known, none twice, each
//! parsed with a message naming it) and the error answers.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;

/// An answer other than 200: a status and a JSON body `{"error": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// What went wrong, naming the parameter when one is at fault.
    pub message: String,
}

impl ApiError {
    /// 400: the request asked something the API cannot answer.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }

    /// 400 about one parameter: `"<name>: <message>"`.
    pub fn parameter(name: &str, message: impl std::fmt::Display) -> ApiError {
        ApiError::bad_request(format!("{name}: {message}"))
    }

    /// 404: nothing lives at this path.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::NOT_FOUND,
            message: message.into(),
        }
    }

    /// 503: the server is busy or the work took too long.
    pub fn unavailable(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            message: message.into(),
        }
    }

    /// 500: reading the dataset or drawing failed.
    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: message.into(),
        }
    }

    /// A library error about the question asked (a date before the data,
    /// an unknown id, a reversed interval) is the request's fault (400,
    /// prefixed with the parameter); an I/O error or a broken dataset is
    /// the server's (500).
    pub fn from_library(name: &str, error: frontline::Error) -> ApiError {
        use frontline::Error as E;
        match error {
            E::Io { .. } | E::Dataset(_) => ApiError::internal(error.to_string()),
            other => ApiError::parameter(name, other),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = format!("{}\n", serde_json::json!({ "error": self.message }));
        (
            self.status,
            [
                (header::CONTENT_TYPE, "application/json"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            body,
        )
            .into_response()
    }
}

/// The query string of one request, decoded.
#[derive(Debug)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    /// Decodes `query` and checks that every parameter is one of `known`
    /// and none is given twice.
    pub fn parse(query: Option<&str>, known: &[&str]) -> Result<Params, ApiError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.unwrap_or(""))
            .map_err(|e| ApiError::bad_request(format!("query: cannot be decoded: {e}")))?;
        for (i, (name, _)) in pairs.iter().enumerate() {
            if !known.contains(&name.as_str()) {
                let expected = if known.is_empty() {
                    "this path takes no parameters".to_owned()
                } else {
                    format!("expected one of {}", known.join(", "))
                };
                return Err(ApiError::parameter(
                    name,
                    format!("unknown parameter: {expected}"),
                ));
            }
            if pairs[..i].iter().any(|(other, _)| other == name) {
                return Err(ApiError::parameter(name, "given more than once"));
            }
        }
        Ok(Params { pairs })
    }

    /// The raw value of `name`, if given.
    pub fn optional(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The raw value of `name`; missing is a 400.
    pub fn required(&self, name: &str) -> Result<&str, ApiError> {
        self.optional(name)
            .ok_or_else(|| ApiError::parameter(name, "missing"))
    }

    /// A `YYYY-MM-DD` date.
    pub fn date(&self, name: &str) -> Result<NaiveDate, ApiError> {
        let text = self.required(name)?;
        frontline::parse_date(text).map_err(|e| ApiError::parameter(name, e))
    }

    /// A finite number in `range`.
    pub fn number(
        &self,
        name: &str,
        range: std::ops::RangeInclusive<f64>,
    ) -> Result<Option<f64>, ApiError> {
        let Some(text) = self.optional(name) else {
            return Ok(None);
        };
        match text.trim().parse::<f64>() {
            Ok(value) if value.is_finite() && range.contains(&value) => Ok(Some(value)),
            _ => Err(ApiError::parameter(
                name,
                format!(
                    "expected a number from {} to {}, found {text:?}",
                    range.start(),
                    range.end()
                ),
            )),
        }
    }

    /// A whole number in `range` (given as a number, so `3.0` is 3).
    pub fn whole_number(
        &self,
        name: &str,
        range: std::ops::RangeInclusive<u8>,
    ) -> Result<Option<u8>, ApiError> {
        let range = f64::from(*range.start())..=f64::from(*range.end());
        match self.number(name, range)? {
            None => Ok(None),
            Some(value) if value.fract() == 0.0 => Ok(Some(value as u8)),
            Some(_) => Err(ApiError::parameter(name, "expected a whole number")),
        }
    }

    /// One of `choices` (the first when absent).
    pub fn choice<'c>(&self, name: &str, choices: &[&'c str]) -> Result<&'c str, ApiError> {
        match self.optional(name) {
            None => Ok(choices[0]),
            Some(text) => choices
                .iter()
                .find(|c| **c == text)
                .copied()
                .ok_or_else(|| {
                    ApiError::parameter(
                        name,
                        format!("expected one of {}, found {text:?}", choices.join(", ")),
                    )
                }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_and_repeated_parameters_are_named() {
        let error = Params::parse(Some("at=2020-01-01&zoom=3"), &["at"]).unwrap_err();
        assert_eq!(error.status, StatusCode::BAD_REQUEST);
        assert!(
            error.message.starts_with("zoom: unknown parameter"),
            "{}",
            error.message
        );
        let error = Params::parse(Some("at=1&at=2"), &["at"]).unwrap_err();
        assert_eq!(error.message, "at: given more than once");
    }

    #[test]
    fn values_are_checked_against_their_kind() {
        let params = Params::parse(
            Some("at=2020-02-30&lat=91&format=csv"),
            &["at", "lat", "format"],
        )
        .unwrap();
        assert!(params
            .date("at")
            .unwrap_err()
            .message
            .starts_with("at: invalid date"));
        assert!(params
            .number("lat", -90.0..=90.0)
            .unwrap_err()
            .message
            .starts_with("lat: expected a number"));
        assert!(params
            .choice("format", &["json", "geojson"])
            .unwrap_err()
            .message
            .starts_with("format: expected one of json, geojson"));
        assert_eq!(params.required("lon").unwrap_err().message, "lon: missing");
    }
}
