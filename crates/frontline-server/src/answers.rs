//! Answers kept for reuse. Every answer of the API depends only on the
//! dataset (fixed for the server's life) and the request's path and query,
//! so a computed body can be served again as it is, up to a memory budget.

use std::collections::{HashMap, VecDeque};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

/// A finished 200 answer: its body, type and entity tag.
#[derive(Debug)]
pub(crate) struct Ready {
    content_type: &'static str,
    body: Bytes,
    etag: String,
}

impl Ready {
    pub(crate) fn new(content_type: &'static str, body: Vec<u8>) -> Ready {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        body.hash(&mut hasher);
        let first = hasher.finish();
        content_type.hash(&mut hasher);
        let etag = format!("\"{first:016x}{:016x}\"", hasher.finish());
        Ready {
            content_type,
            body: Bytes::from(body),
            etag,
        }
    }

    /// The answer with `Cache-Control` and `ETag`, or 304 when the client's
    /// `If-None-Match` names the same body.
    pub(crate) fn respond(&self, request: &HeaderMap, max_age_seconds: u32) -> Response {
        let matches = request
            .get_all(header::IF_NONE_MATCH)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|tag| tag.trim() == self.etag || tag.trim() == "*");
        let headers = [
            (header::ETAG, self.etag.clone()),
            (
                header::CACHE_CONTROL,
                format!("public, max-age={max_age_seconds}"),
            ),
            (header::CONTENT_TYPE, self.content_type.to_owned()),
        ];
        if matches {
            (StatusCode::NOT_MODIFIED, headers).into_response()
        } else {
            (headers, self.body.clone()).into_response()
        }
    }

    fn cost(&self) -> usize {
        self.body.len() + self.etag.len() + 64
    }
}

/// Answers by request (path and query), the oldest dropped first once
/// their bodies pass the budget.
#[derive(Debug)]
pub(crate) struct AnswerCache {
    budget_bytes: usize,
    kept: Mutex<Kept>,
}

#[derive(Debug, Default)]
struct Kept {
    answers: HashMap<String, Arc<Ready>>,
    order: VecDeque<String>,
    bytes: usize,
}

impl AnswerCache {
    pub(crate) fn new(budget_bytes: usize) -> AnswerCache {
        AnswerCache {
            budget_bytes,
            kept: Mutex::default(),
        }
    }

    pub(crate) fn get(&self, key: &str) -> Option<Arc<Ready>> {
        self.kept.lock().ok()?.answers.get(key).cloned()
    }

    /// Keeps `answer` under `key` unless it alone is over the budget.
    pub(crate) fn keep(&self, key: String, answer: Arc<Ready>) {
        let cost = answer.cost() + key.len();
        if cost > self.budget_bytes {
            return;
        }
        let Ok(mut kept) = self.kept.lock() else {
            return;
        };
        if kept.answers.contains_key(&key) {
            return;
        }
        while kept.bytes + cost > self.budget_bytes {
            let Some(oldest) = kept.order.pop_front() else {
                break;
            };
            if let Some(gone) = kept.answers.remove(&oldest) {
                kept.bytes -= gone.cost() + oldest.len();
            }
        }
        kept.bytes += cost;
        kept.order.push_back(key.clone());
        kept.answers.insert(key, answer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_answers_go_first_and_the_budget_holds() {
        let answer = |n: usize| Arc::new(Ready::new("text/plain", vec![b'x'; n]));
        let one = answer(100).cost() + 1;
        let cache = AnswerCache::new(one * 3);
        for key in ["a", "b", "c", "d"] {
            cache.keep(key.to_owned(), answer(100));
        }
        assert!(cache.get("a").is_none());
        for key in ["b", "c", "d"] {
            assert_eq!(cache.get(key).unwrap().body.len(), 100);
        }
        cache.keep("huge".to_owned(), answer(one * 4));
        assert!(cache.get("huge").is_none());
        assert!(cache.get("d").is_some());
        assert!(cache.kept.lock().unwrap().bytes <= one * 3);
    }

    #[test]
    fn etags_follow_the_body_and_the_type() {
        let a = Ready::new("application/json", b"{}".to_vec());
        let b = Ready::new("application/geo+json", b"{}".to_vec());
        let c = Ready::new("application/json", b"{}".to_vec());
        assert_ne!(a.etag, b.etag);
        assert_eq!(a.etag, c.etag);
    }
}
