//! The memory of parsed request bodies, bounded whatever clients send.
//!
//! A request body is small on the wire but its JSON tree is not: a 1 MiB body of
//! `[0,0,0,…]` is half a million values, tens of megabytes once parsed (each
//! `serde_json::Value` is tens of bytes, and verification works on the tree).
//! Memory follows the number of values, so values are what is bounded: a body
//! with more than `[limits] max_json_values` is refused before it is parsed, and
//! the trees alive at once (being parsed, verified or signed, answered) hold at
//! most `max_json_values_in_flight` values together; a request whose body does
//! not fit waits for earlier ones to finish (within `timeout_seconds`).

use std::sync::Arc;

use axum::http::StatusCode;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The values of the trees alive at once, as semaphore permits: one per value.
#[derive(Debug)]
pub(crate) struct JsonBudget {
    permits: Arc<Semaphore>,
    /// Most values in one body.
    per_body: usize,
}

/// A body's share of the budget, held while its tree lives; returned on drop.
#[derive(Debug)]
pub(crate) struct Share {
    _permit: OwnedSemaphorePermit,
}

/// Why a body cannot be parsed: its status and its reason.
pub(crate) type Refusal = (StatusCode, String);

impl JsonBudget {
    /// A budget of `in_flight` values at once and `per_body` in one body (the
    /// configuration checks that `per_body <= in_flight <= u32::MAX`).
    pub(crate) fn new(per_body: usize, in_flight: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(in_flight)),
            per_body,
        }
    }

    /// Counts the values of `body` and waits until they fit in the budget.
    ///
    /// # Errors
    /// `413` naming the limit when the body has more than `max_json_values`.
    pub(crate) async fn reserve(&self, body: &[u8]) -> Result<Share, Refusal> {
        let values = count_values(body);
        if values > self.per_body {
            return Err((
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "the request body has {values} JSON values, more than this server's limit of {} ([limits] max_json_values)",
                    self.per_body
                ),
            ));
        }
        // `values <= per_body <= u32::MAX`, checked with the configuration.
        let n = u32::try_from(values.max(1)).unwrap_or(u32::MAX);
        let permit = Arc::clone(&self.permits)
            .acquire_many_owned(n)
            .await
            .map_err(|_| {
                // Not reached: the semaphore is never closed.
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the server is shutting down".to_owned(),
                )
            })?;
        Ok(Share { _permit: permit })
    }
}

/// The number of JSON values (scalars, arrays and objects, the document itself
/// included; member names are not counted) in `bytes`, exact for valid JSON, without
/// parsing it: one per comma outside strings, one per non-empty array or object,
/// and the document. For invalid JSON the count is meaningless but finite, and the
/// parser refuses the body afterwards.
pub(crate) fn count_values(bytes: &[u8]) -> usize {
    let mut count = 1;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'"' => {
                // Skip the string, escapes included.
                i += 1;
                while let Some(&c) = bytes.get(i) {
                    match c {
                        b'\\' => i += 2,
                        b'"' => break,
                        _ => i += 1,
                    }
                }
            }
            b',' => count += 1,
            b'[' | b'{' => {
                let next = bytes
                    .get(i + 1..)
                    .unwrap_or_default()
                    .iter()
                    .find(|c| !matches!(c, b' ' | b'\t' | b'\n' | b'\r'));
                if !matches!(next, Some(b']' | b'}') | None) {
                    count += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    count
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// The value count of a tree, as the scan should find it.
    fn tree_count(v: &serde_json::Value) -> usize {
        match v {
            serde_json::Value::Array(a) => 1 + a.iter().map(tree_count).sum::<usize>(),
            serde_json::Value::Object(o) => 1 + o.values().map(tree_count).sum::<usize>(),
            _ => 1,
        }
    }

    #[test]
    fn counts_values_exactly() {
        for text in [
            "0",
            "\"a,b[c{\"",
            "[]",
            "{}",
            "[ ]",
            "[0]",
            "[0,1,2]",
            "[{},{},[]]",
            "{\"a\":1,\"b\":[1,2,{\"c\":\"x\\\"],\"}]}",
            "[\"\\\\\",\"\\\\\\\"\"]",
            " { \"a\" : [ \n ] , \"b\" : { } } ",
            include_str!("../../../keys-example/micro-credential.unsigned.json"),
        ] {
            let tree: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!(count_values(text.as_bytes()), tree_count(&tree), "{text}");
        }
    }

    #[test]
    fn hostile_and_broken_bodies_are_counted_without_panic() {
        let hostile = format!("[{}0]", "{},".repeat(1000));
        assert_eq!(count_values(hostile.as_bytes()), 1002);
        for broken in ["", "[", "{", "\"", "\"\\", "[,,,", "\\\"", "[{"] {
            assert!(
                count_values(broken.as_bytes()) <= broken.len() + 1,
                "{broken}"
            );
        }
    }

    #[tokio::test]
    async fn a_body_over_the_limit_is_refused_naming_it() {
        let budget = JsonBudget::new(3, 10);
        assert!(budget.reserve(b"[1,2]").await.is_ok());
        let (status, message) = budget.reserve(b"[1,2,3]").await.unwrap_err();
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(
            message.contains("4 JSON values") && message.contains("max_json_values"),
            "{message}"
        );
    }

    #[tokio::test]
    async fn shares_are_returned_when_dropped() {
        let budget = JsonBudget::new(3, 3);
        let first = budget.reserve(b"[1,2]").await.unwrap();
        assert_eq!(budget.permits.available_permits(), 0);
        drop(first);
        assert_eq!(budget.permits.available_permits(), 3);
    }
}
