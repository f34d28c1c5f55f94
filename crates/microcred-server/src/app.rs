//! The HTTP routes: the W3C VC-API endpoints, `/healthz` and the verification page.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Extension, FromRequest as _, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use microcred_core::credential::Credential;
use microcred_core::issuance::{self, Fill};
use microcred_core::proof::{ProofOptions, ProofPurpose};
use microcred_core::{Value, datetime, json};
use microcred_verifier::profile::Profile;
use microcred_verifier::{Outcome, Report, html};
use serde_json::{Map, json};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::budget::{JsonBudget, Share};
use crate::state::{AppState, Issuer};

/// The verification page: one self-contained HTML document (inline CSS and
/// script, no external resources), with the transcript styles of
/// [`microcred_verifier::html`].
fn page() -> String {
    include_str!("page.html").replace("/*TRANSCRIPT_CSS*/", html::STYLE)
}

/// The page's policy: nothing but what the page itself carries, and its own origin.
const PAGE_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; img-src data:; form-action 'none'; frame-ancestors 'none'";

/// The HTML transcript's policy: its inline styles and nothing else (no script).
const TRANSCRIPT_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; frame-ancestors 'none'";

/// The application: every route, with the body limit, the timeout and request logs.
pub fn router(state: Arc<AppState>) -> Router {
    let limit = state.limits.max_body_bytes;
    let timeout = Duration::from_secs(state.limits.timeout_seconds);
    let page = Arc::new(page());
    let admission = Arc::new(Admission {
        running: tokio::sync::Semaphore::new(state.limits.max_concurrent_requests),
        admitted: AtomicUsize::new(0),
        capacity: state
            .limits
            .max_concurrent_requests
            .saturating_add(state.limits.max_queued_requests),
    });
    let budget = Arc::new(JsonBudget::new(
        state.limits.max_json_values,
        state.limits.max_json_values_in_flight,
    ));
    Router::new()
        .route(
            "/",
            get(move || {
                let page = Arc::clone(&page);
                async move {
                    (
                        [
                            (header::CONTENT_SECURITY_POLICY, PAGE_CSP),
                            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
                        ],
                        Html(page.as_str().to_owned()),
                    )
                }
            }),
        )
        .route("/healthz", get(healthz))
        .route("/credentials/issue", post(issue))
        .route("/credentials/verify", post(verify_credential))
        .route("/presentations/verify", post(verify_presentation))
        .route("/credentials/status", post(update_status))
        // The status lists are served at the paths of their URLs ([status] base_url),
        // which the configuration chooses: looked up before answering 404.
        .fallback(fallback)
        .layer(Extension(budget))
        .layer(DefaultBodyLimit::max(limit))
        // The 413 of this layer (by Content-Length) is made JSON by `json_errors`.
        .layer(RequestBodyLimitLayer::new(limit))
        // Inside the timeout: a request waiting for its turn is answered 408 like a slow one.
        .layer(axum::middleware::from_fn_with_state(admission, admit))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(axum::middleware::map_response(json_errors))
        // Method, path, status and latency only: never headers (the token), bodies or
        // the query string (a client may put a token there).
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &axum::extract::Request| {
                    tracing::info_span!(
                        "request",
                        method = %request.method(),
                        path = request.uri().path(),
                    )
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(state)
}

/// Load shedding: at most `running`'s permits of requests are handled at once, and
/// at most `capacity` (handled and waiting) are admitted; beyond that, `503`.
struct Admission {
    running: tokio::sync::Semaphore,
    /// Requests handled or waiting now.
    admitted: AtomicUsize,
    capacity: usize,
}

/// Decrements [`Admission::admitted`] when a request is done (or dropped).
struct Admitted<'a>(&'a AtomicUsize);

impl Drop for Admitted<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Seconds a client is told to wait after a `503` for load.
const RETRY_AFTER_SECONDS: &str = "1";

async fn admit(
    State(admission): State<Arc<Admission>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    // The health check answers even under load: it is what tells a monitor the
    // process is alive.
    if request.uri().path() == "/healthz" {
        return next.run(request).await;
    }
    let before = admission.admitted.fetch_add(1, Ordering::AcqRel);
    let _admitted = Admitted(&admission.admitted);
    let busy = || {
        let mut response = ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            message: "the server is busy: try again shortly".into(),
        }
        .into_response();
        response.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from_static(RETRY_AFTER_SECONDS),
        );
        response
    };
    if before >= admission.capacity {
        return busy();
    }
    let Ok(_turn) = admission.running.acquire().await else {
        return busy(); // never closed
    };
    next.run(request).await
}

/// Errors answered by axum and the tower layers themselves (405 with an empty body,
/// 413 by `Content-Length` in plain text, 408 empty) become `{"error": …}` like
/// every other refusal; their headers (e.g. `Allow`) are kept.
async fn json_errors(response: Response) -> Response {
    let status = response.status();
    let typed = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/json") || t.starts_with("text/html"));
    if !(status.is_client_error() || status.is_server_error()) || typed {
        return response;
    }
    let message = match status {
        StatusCode::METHOD_NOT_ALLOWED => "this endpoint does not take this method".to_owned(),
        StatusCode::PAYLOAD_TOO_LARGE => {
            "the request body is larger than this server's limit".to_owned()
        }
        StatusCode::REQUEST_TIMEOUT => {
            "the request took longer than this server's limit".to_owned()
        }
        other => other
            .canonical_reason()
            .unwrap_or("the request failed")
            .to_owned(),
    };
    let (mut parts, _) = response.into_parts();
    let json = ApiError { status, message }.into_response();
    parts.headers.remove(header::CONTENT_LENGTH);
    for (name, value) in json.headers() {
        parts.headers.insert(name, value.clone());
    }
    Response::from_parts(parts, json.into_body())
}

/// The JSON endpoints take `application/json` bodies only (or a `+json` type): a
/// foreign page cannot send those without a CORS preflight, which this server
/// never grants. Anything else is `415`.
fn require_json(headers: &HeaderMap) -> Result<(), ApiError> {
    let media = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
    match media.as_deref() {
        Some(t)
            if t == "application/json"
                || (t.starts_with("application/") && t.ends_with("+json")) =>
        {
            Ok(())
        }
        _ => Err(ApiError {
            status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
            message: "the request body must be sent with Content-Type: application/json".into(),
        }),
    }
}

/// An error answered as `{"error": "..."}` with a status.
#[derive(Debug)]
struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    fn bad(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response =
            (self.status, axum::Json(json!({"error": self.message}))).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<BytesRejection> for ApiError {
    fn from(r: BytesRejection) -> Self {
        let status = r.status();
        let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
            "the request body is larger than this server's limit".to_owned()
        } else {
            format!("cannot read the request body: {}", r.body_text())
        };
        Self { status, message }
    }
}

/// `GET /healthz`: the server answers; `logLinesDropped` counts the log lines lost
/// because the log could not be written (a full disk, a closed pipe).
async fn healthz() -> impl IntoResponse {
    axum::Json(json!({"status": "ok", "logLinesDropped": crate::log::dropped_lines()}))
}

/// Paths no route has: a status list of `[status]`, or `404`.
async fn fallback(
    State(state): State<Arc<AppState>>,
    method: axum::http::Method,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    let served = state.status.as_ref().and_then(|s| s.purpose_at(uri.path()));
    let Some(purpose) = served else {
        return not_found().await.into_response();
    };
    if method != axum::http::Method::GET && method != axum::http::Method::HEAD {
        let mut response = ApiError {
            status: StatusCode::METHOD_NOT_ALLOWED,
            message: "a status list is read with GET".into(),
        }
        .into_response();
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    status_list(state, purpose, &headers)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

/// The media type of a served status list: VC Data Model 2.0's `application/vc`
/// (registered with IANA), or `application/json` for a client that asks for JSON
/// and not for it.
fn list_media_type(headers: &HeaderMap) -> &'static str {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if accept.contains("application/json") && !accept.contains("application/vc") {
        "application/json"
    } else {
        "application/vc"
    }
}

/// `GET <base path>/revocation` and `/suspension`: the signed
/// `BitstringStatusListCredential` of the ledger as it is now (Bitstring Status List
/// v1.0 §2.2, `BitstringStatusListCredential`), built and signed again only when a status changed; `ETag` and
/// `Cache-Control: no-cache` let a client keep it and ask again cheaply (`304`).
async fn status_list(
    state: Arc<AppState>,
    purpose: microcred_core::status_list::StatusPurpose,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let media = list_media_type(headers);
    let joined = tokio::task::spawn_blocking(move || {
        let (Some(status), Some(issuer)) = (&state.status, &state.issuer) else {
            return Err(anyhow::anyhow!("no [status]"));
        };
        status.list(purpose, &issuer.key, issuer.suite)
    })
    .await;
    let (body, etag) = match joined {
        Ok(Ok(list)) => list,
        Ok(Err(e)) => return Err(ledger_failed(&e)),
        Err(_) => return Err(ledger_failed(&anyhow::anyhow!("the list task failed"))),
    };
    let validators = [
        (header::ETAG, etag.clone()),
        // Kept by a client or a proxy, but asked again each time (a 304 when nothing
        // changed): a revocation is never hidden behind a cache.
        (header::CACHE_CONTROL, "no-cache".to_owned()),
    ];
    let unchanged = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    if unchanged {
        return Ok((StatusCode::NOT_MODIFIED, validators).into_response());
    }
    Ok((
        StatusCode::OK,
        validators,
        [(header::CONTENT_TYPE, media)],
        body,
    )
        .into_response())
}

/// A ledger that cannot be read or written: the reason (which names files) is
/// logged, the client gets `503`.
fn ledger_failed(e: &anyhow::Error) -> ApiError {
    tracing::error!("the ledger cannot be used: {e:#}");
    ApiError {
        status: StatusCode::SERVICE_UNAVAILABLE,
        message: "this server's ledger cannot be used (see the server's log); nothing was issued or changed"
            .into(),
    }
}

impl From<crate::status::Refusal> for ApiError {
    fn from(r: crate::status::Refusal) -> Self {
        use crate::status::Refusal;
        match r {
            Refusal::Unknown(message) => Self {
                status: StatusCode::NOT_FOUND,
                message,
            },
            Refusal::Bad(message) => Self::bad(message),
            Refusal::Ledger(e) => ledger_failed(&anyhow::Error::new(e)),
        }
    }
}

/// The `credentialStatus` types `POST /credentials/status` takes: the VC-API's
/// example names the list's type; clients also send the entry's or the list
/// credential's.
const STATUS_TYPES: &[&str] = &[
    "BitstringStatusList",
    "BitstringStatusListEntry",
    "BitstringStatusListCredential",
];

/// Reads the body of `POST /credentials/status` (VC-API `UpdateCredentialStatusRequest`:
/// `credentialId`, `credentialStatus` with `type` and `statusPurpose`, `status`; no other
/// member).
fn parse_update(body: &[u8]) -> Result<crate::status::Update, ApiError> {
    let value = json::parse(body)
        .map_err(|e| ApiError::bad(format!("the request body is not valid JSON: {e}")))?;
    let Value::Object(map) = value else {
        return Err(ApiError::bad(
            "the request body must be a JSON object with credentialId, credentialStatus and status",
        ));
    };
    // `indexAllocator` is the VC-API's too; this server allocates its own indexes.
    if let Some(extra) = map.keys().find(|k| {
        ![
            "credentialId",
            "credentialStatus",
            "status",
            "indexAllocator",
        ]
        .contains(&k.as_str())
    }) {
        return Err(ApiError::bad(format!(
            "unknown member {extra:?} in the request body (expected credentialId, credentialStatus, status)"
        )));
    }
    let credential_id = match map.get("credentialId") {
        Some(Value::String(id)) if !id.is_empty() => id.clone(),
        Some(_) => return Err(ApiError::bad("credentialId must be a non-empty string")),
        None => return Err(ApiError::bad("credentialId is missing")),
    };
    let status = match map.get("status") {
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(ApiError::bad("status must be true or false")),
        None => {
            return Err(ApiError::bad(
                "status is missing (true sets the status, false clears it)",
            ));
        }
    };
    let entry = match map.get("credentialStatus") {
        Some(Value::Object(e)) => e,
        Some(_) => return Err(ApiError::bad("credentialStatus must be a JSON object")),
        None => return Err(ApiError::bad("credentialStatus is missing")),
    };
    let known = [
        "id",
        "type",
        "statusPurpose",
        "statusListIndex",
        "statusListCredential",
    ];
    if let Some(extra) = entry.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(ApiError::bad(format!(
            "unknown member credentialStatus.{extra} (known: {})",
            known.join(", ")
        )));
    }
    let text = |name: &str| -> Result<Option<String>, ApiError> {
        match entry.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(ApiError::bad(format!(
                "credentialStatus.{name} must be a string"
            ))),
        }
    };
    match text("type")? {
        Some(t) if STATUS_TYPES.contains(&t.as_str()) => {}
        Some(t) => {
            return Err(ApiError::bad(format!(
                "credentialStatus.type {t:?} is not supported: this server keeps Bitstring Status Lists ({})",
                STATUS_TYPES.join(", ")
            )));
        }
        None => return Err(ApiError::bad("credentialStatus.type is missing")),
    }
    let purpose = match text("statusPurpose")? {
        Some(p) => microcred_core::status_list::StatusPurpose::parse(&p).ok_or_else(|| {
            ApiError::bad(format!(
                "credentialStatus.statusPurpose {p:?} is not one this server keeps (\"revocation\", \"suspension\")"
            ))
        })?,
        None => return Err(ApiError::bad("credentialStatus.statusPurpose is missing")),
    };
    Ok(crate::status::Update {
        credential_id,
        purpose,
        status,
        index: text("statusListIndex")?,
        list: text("statusListCredential")?,
        entry_id: text("id")?,
    })
}

/// `POST /credentials/status` (VC-API, "Update Status"): revokes, suspends or lifts a
/// suspension of a credential this server's ledger recorded; `200` with the entry and
/// the state, `404` for a credential the ledger does not have. Authenticated with the
/// issuer's bearer token, checked before the body is read (as for issuing).
async fn update_status(
    State(state): State<Arc<AppState>>,
    request: axum::extract::Request,
) -> Result<Response, ApiError> {
    let (Some(issuer), Some(_)) = (&state.issuer, &state.status) else {
        return Err(ApiError {
            status: StatusCode::NOT_FOUND,
            message: "this server keeps no ledger: its configuration has no [status]".into(),
        });
    };
    let (body, _share) = authorized_body(issuer, request).await?;
    let update = parse_update(&body)?;
    let state = Arc::clone(&state);
    let joined = tokio::task::spawn_blocking(move || {
        let result = match &state.status {
            Some(status) => status
                .update(&update)
                .map(|r| (status.entry(&r.0, update.purpose), r)),
            None => Err(crate::status::Refusal::Bad(
                "this server keeps no ledger".into(),
            )),
        };
        (update, result)
    })
    .await;
    let (update, result) =
        joined.map_err(|_| ledger_failed(&anyhow::anyhow!("the update task failed")))?;
    let (entry, (record, changed)) = result?;
    if changed {
        tracing::info!(
            id = record.credential_id,
            purpose = update.purpose.as_str(),
            state = record.state.as_str(),
            "changed a credential's status"
        );
    }
    Ok((
        StatusCode::OK,
        axum::Json(json!({
            "credentialId": record.credential_id,
            "credentialStatus": entry,
            "status": update.status,
            "state": record.state.as_str(),
            "changed": changed,
        })),
    )
        .into_response())
}

async fn not_found() -> ApiError {
    ApiError {
        status: StatusCode::NOT_FOUND,
        message: "no such endpoint (see GET / and docs/server.md)".into(),
    }
}

/// A request body: a JSON object with the document under `doc_member` and optional `options`.
struct Request {
    doc: Value,
    options: Map<String, Value>,
}

/// Reads a request body: waits for its share of the [`JsonBudget`] (which the
/// caller holds as long as the tree lives), then parses it.
async fn parse_request(
    budget: &JsonBudget,
    body: Result<Bytes, BytesRejection>,
    doc_member: &str,
    allowed_options: &[&str],
) -> Result<(Request, Share), ApiError> {
    let body = body?;
    let share = budget
        .reserve(&body)
        .await
        .map_err(|(status, message)| ApiError { status, message })?;
    Ok((parse_body(&body, doc_member, allowed_options)?, share))
}

fn parse_body(
    body: &[u8],
    doc_member: &str,
    allowed_options: &[&str],
) -> Result<Request, ApiError> {
    let value = json::parse(body)
        .map_err(|e| ApiError::bad(format!("the request body is not valid JSON: {e}")))?;
    let Value::Object(mut map) = value else {
        return Err(ApiError::bad(format!(
            "the request body must be a JSON object with {doc_member:?} (and optionally \"options\")"
        )));
    };
    if let Some(extra) = map.keys().find(|k| *k != doc_member && *k != "options") {
        return Err(ApiError::bad(format!(
            "unknown member {extra:?} in the request body (expected {doc_member:?} and \"options\")"
        )));
    }
    let doc = match map.remove(doc_member) {
        Some(v @ Value::Object(_)) => v,
        Some(_) => return Err(ApiError::bad(format!("{doc_member} must be a JSON object"))),
        None => return Err(ApiError::bad(format!("{doc_member} is missing"))),
    };
    let options = match map.remove("options") {
        None => Map::new(),
        Some(Value::Object(o)) => o,
        Some(_) => return Err(ApiError::bad("options must be a JSON object")),
    };
    if let Some(extra) = options
        .keys()
        .find(|k| !allowed_options.contains(&k.as_str()))
    {
        return Err(ApiError::bad(format!(
            "options.{extra} is not supported here (supported: {})",
            if allowed_options.is_empty() {
                "none".to_owned()
            } else {
                allowed_options.join(", ")
            }
        )));
    }
    Ok(Request { doc, options })
}

fn option_str<'a>(
    options: &'a Map<String, Value>,
    name: &str,
) -> Result<Option<&'a str>, ApiError> {
    match options.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ApiError::bad(format!("options.{name} must be a string"))),
    }
}

/// The names `options.checks` takes, and the report check ids
/// (`docs/verify-report.md`) each one asks for. A check's dependent lines come with
/// it: asking for `proof` asks for every line about a proof (its purpose, that its
/// key is the issuer's or holder's, its dates), as a VC-API client means by it.
const CHECK_NAMES: &[(&str, &[&str])] = &[
    ("structure", &["structure", "context"]),
    ("context", &["context"]),
    (
        "proof",
        &[
            "proof",
            "proof-purpose",
            "issuer-key",
            "holder-key",
            "proof-validity",
        ],
    ),
    ("proof-purpose", &["proof-purpose"]),
    ("issuer-key", &["issuer-key"]),
    ("holder-key", &["holder-key"]),
    ("proof-validity", &["proof-validity"]),
    ("validity", &["validity"]),
    ("trust", &["trust", "accreditation"]),
    ("accreditation", &["accreditation"]),
    ("status", &["status"]),
    // The name of the first VC-API drafts, which clients written against them send.
    ("credentialStatus", &["status"]),
    ("profile", &["profile", "profile-rule"]),
    ("profile-rule", &["profile-rule"]),
    ("challenge", &["challenge"]),
    ("domain", &["domain"]),
    ("holder-binding", &["holder-binding"]),
];

/// Names that only a presentation's report has lines for.
const PRESENTATION_ONLY: &[&str] = &["holder-key", "holder-binding", "challenge", "domain"];

/// The checks a request named in `options.checks`, as report check ids. `structure`
/// is always among them: a document that is not a credential cannot be verified at
/// all, whatever else is asked.
#[derive(Debug)]
struct Selection {
    ids: Vec<&'static str>,
}

impl Selection {
    fn contains(&self, id: &str) -> bool {
        self.ids.contains(&id)
    }

    fn add(&mut self, ids: &[&'static str]) {
        for id in ids {
            if !self.ids.contains(id) {
                self.ids.push(id);
            }
        }
    }
}

/// `options.checks`, when given: an array of the names of [`CHECK_NAMES`]; an unknown
/// name is a `400` naming it (VC-API: options a service does not understand are errors).
fn option_checks(
    options: &Map<String, Value>,
    presentation: bool,
) -> Result<Option<Selection>, ApiError> {
    let not_strings = || ApiError::bad("options.checks must be an array of strings");
    let names = match options.get("checks") {
        None => return Ok(None),
        Some(Value::Array(a)) => a,
        Some(_) => return Err(not_strings()),
    };
    let mut selection = Selection { ids: Vec::new() };
    selection.add(&["structure", "context"]);
    for name in names {
        let name = name.as_str().ok_or_else(not_strings)?;
        let Some((_, ids)) = CHECK_NAMES.iter().find(|(n, _)| *n == name) else {
            let known: Vec<&str> = CHECK_NAMES.iter().map(|(n, _)| *n).collect();
            return Err(ApiError::bad(format!(
                "options.checks: unknown check {name:?} (known: {})",
                known.join(", ")
            )));
        };
        if !presentation && PRESENTATION_ONLY.contains(&name) {
            return Err(ApiError::bad(format!(
                "options.checks: {name:?} is a check of presentations, not of a bare credential (post presentations to /presentations/verify)"
            )));
        }
        selection.add(ids);
    }
    Ok(Some(selection))
}

fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// `POST /credentials/verify`.
async fn verify_credential(
    State(state): State<Arc<AppState>>,
    Extension(budget): Extension<Arc<JsonBudget>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    require_json(&headers)?;
    let (req, share) = parse_request(&budget, body, "verifiableCredential", &["checks"]).await?;
    let selection = option_checks(&req.options, false)?;
    if Credential::new(&req.doc).is_some_and(|c| c.has_type("VerifiablePresentation")) {
        return Err(ApiError::bad(
            "verifiableCredential is a presentation (its type includes VerifiablePresentation): post it to /presentations/verify",
        ));
    }
    verify(
        state,
        (req.doc, share),
        None,
        selection,
        wants_html(&headers),
    )
    .await
}

/// `POST /presentations/verify`.
async fn verify_presentation(
    State(state): State<Arc<AppState>>,
    Extension(budget): Extension<Arc<JsonBudget>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    require_json(&headers)?;
    let (req, share) = parse_request(
        &budget,
        body,
        "verifiablePresentation",
        &["checks", "challenge", "domain", "holderBinding"],
    )
    .await?;
    let view = Credential::new(&req.doc);
    if !view.is_some_and(|c| c.has_type("VerifiablePresentation")) {
        return Err(ApiError::bad(
            "verifiablePresentation's type must include \"VerifiablePresentation\" (post a credential to /credentials/verify)",
        ));
    }
    let challenge = option_str(&req.options, "challenge")?.map(str::to_owned);
    let domain = option_str(&req.options, "domain")?.map(str::to_owned);
    // Holder binding is a check the verifier asks for (VC Data Model 2.0): microcred's
    // option, beside VC-API's challenge and domain.
    let holder_binding = match req.options.get("holderBinding") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(ApiError::bad("options.holderBinding must be true or false")),
    };
    let mut selection = option_checks(&req.options, true)?;
    if let Some(selection) = &mut selection {
        // A challenge or domain is answered by the holder's proof and nothing else.
        if (challenge.is_some() || domain.is_some()) && !selection.contains("proof") {
            return Err(ApiError::bad(
                "options ask for a challenge or domain, which only the holder's proof answers, and options.checks leaves out \"proof\"",
            ));
        }
        // Giving a challenge or domain asks for its check.
        if challenge.is_some() {
            selection.add(&["challenge"]);
        }
        if domain.is_some() {
            selection.add(&["domain"]);
        }
    }
    verify(
        state,
        (req.doc, share),
        Some((challenge, domain, holder_binding)),
        selection,
        wants_html(&headers),
    )
    .await
}

/// Verifies a credential, or a presentation (`presentation`: its challenge, domain and
/// whether holder binding is asked for), and answers with the VC-API result or the HTML
/// transcript. The document's [`Share`] of the budget goes with it, to the blocking
/// thread and back: it is returned when the tree is dropped, even when the request timed
/// out meanwhile.
async fn verify(
    state: Arc<AppState>,
    (doc, share): (Value, Share),
    presentation: Option<(Option<String>, Option<String>, bool)>,
    selection: Option<Selection>,
    html_out: bool,
) -> Result<Response, ApiError> {
    // Verification is CPU work (signatures, RDF canonicalization), and a changed status
    // list is read and verified first: off the async threads.
    let is_presentation = presentation.is_some();
    let joined = tokio::task::spawn_blocking(move || {
        let verifier = match state.lists.verifier() {
            Ok(v) => v,
            Err(e) => return (doc, share, Err(e)),
        };
        let report = match presentation {
            Some((challenge, domain, binding)) => verifier
                .with_challenge(challenge, domain)
                .with_holder_binding(binding)
                .verify(&doc),
            None => verifier.verify(&doc),
        };
        (doc, share, Ok(report))
    })
    .await;
    let (doc, _share, report) = joined.map_err(|_| ApiError {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        message: "verification failed unexpectedly".into(),
    })?;
    let report = report.map_err(|e| {
        // The reason names files of this server: for its log, not for clients.
        tracing::error!("a status list cannot be used: {e:#}");
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            message: "a status list of this server cannot be read or used (see the server's log); nothing was verified".into(),
        }
    })?;
    let mut report = report.map_err(|e| ApiError::bad(e.to_string()))?;
    if let Some(selection) = &selection {
        select(&mut report, selection);
    }
    // The VC-API's codes (w3c-ccg/vc-api verifier.yml): /credentials/verify defines
    // 200 "successfully verified" and 400 for anything else, which its verifier test
    // suite expects for a credential that fails; /presentations/verify answers 200
    // "regardless of whether the presentation and/or credentials were determined to be
    // valid". The verdict is in the body (`verified`) and, for every answer,
    // in the `Microcred-Verified` header (which the employers' page reads).
    let status = if report.valid || is_presentation {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let verdict = [
        (
            VERIFIED_HEADER,
            HeaderValue::from_static(if report.valid { "true" } else { "false" }),
        ),
        (
            VERDICT_HEADER,
            HeaderValue::from_static(report.verdict.as_str()),
        ),
    ];
    if html_out {
        let headers = [
            (header::CONTENT_SECURITY_POLICY, TRANSCRIPT_CSP),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ];
        return Ok((
            status,
            verdict,
            headers,
            Html(html::transcript(&doc, &report)),
        )
            .into_response());
    }
    Ok((
        status,
        verdict,
        axum::Json(vc_api_result(&report, selection.as_ref())),
    )
        .into_response())
}

/// The verdict of a verify answer, `true` or `false`, whatever its status code.
const VERIFIED_HEADER: &str = "microcred-verified";

/// The verdict a person reads: `valid`, `unconfirmed` (genuine, but the issuer's
/// trust or the status was not checked) or `invalid`.
const VERDICT_HEADER: &str = "microcred-verdict";

/// Keeps the verdict to the checks the client asked for: the lines of the others
/// (the document's own, not those of a presentation's credentials, which are always
/// verified in full) become "not checked" and say what was found, so that the full
/// report still shows it; `valid` is then the verdict of the asked-for checks.
fn select(report: &mut Report, selection: &Selection) {
    for check in &mut report.checks {
        if selection.contains(&check.id) || check.outcome == Outcome::Skipped {
            continue;
        }
        let found = match check.outcome {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Warn => "warn",
            Outcome::Skipped => "skipped",
            Outcome::Unsupported => "unsupported",
        };
        check.message = format!(
            "not requested (options.checks); found: {found}: {}",
            check.message
        );
        check.outcome = Outcome::Skipped;
    }
    report.revalidate();
}

/// The VC-API verification result: `verified`; `checks`, the checks performed
/// (passed, failed or warned: the VC-API's "checks performed"); `warnings` and
/// `errors` in words, with a line for each check the client named in
/// `options.checks` that could not be performed (e.g. no status list for it); and
/// the full report (`docs/verify-report.md`).
fn vc_api_result(report: &Report, selection: Option<&Selection>) -> Value {
    let mut checks = Vec::new();
    let mut warnings = Vec::new();
    let mut errors = Vec::new();
    let mut collect = |prefix: &str, r: &Report| {
        for c in &r.checks {
            let line = json!({"check": c.id, "message": format!("{prefix}{}", c.message)});
            let performed = !matches!(c.outcome, Outcome::Skipped | Outcome::Unsupported);
            if performed && !checks.contains(&c.id) {
                checks.push(c.id.clone());
            }
            match c.outcome {
                Outcome::Fail => errors.push(line),
                // Could not be checked: a warning; the verdict says whether it mattered.
                Outcome::Warn | Outcome::Unsupported => warnings.push(line),
                Outcome::Skipped if selection.is_some_and(|s| s.contains(&c.id)) => {
                    warnings.push(line);
                }
                Outcome::Pass | Outcome::Skipped => {}
            }
        }
    };
    collect("", report);
    for (i, r) in report.credentials.iter().enumerate() {
        collect(&format!("credential {}: ", i + 1), r);
    }
    json!({
        "verified": report.valid,
        "checks": checks,
        "warnings": warnings,
        "errors": errors,
        "report": report,
    })
}

/// Checks the bearer token (401 without one or with a wrong one).
/// The body of a request to an authenticated endpoint (issue, update status), with its
/// share of the JSON budget. The token, then the content type, are checked before the
/// body is read: an unauthenticated client learns nothing about the body, and can
/// neither make the server buffer one nor hold a connection by sending one slowly.
async fn authorized_body(
    issuer: &Issuer,
    request: axum::extract::Request,
) -> Result<(Bytes, Share), ApiError> {
    authorize(issuer, request.headers())?;
    require_json(request.headers())?;
    let budget = request
        .extensions()
        .get::<Arc<JsonBudget>>()
        .map(Arc::clone)
        .ok_or_else(|| ApiError {
            // Not reached: the router adds it to every request.
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: "the server is misconfigured".into(),
        })?;
    let body = Bytes::from_request(request, &()).await?;
    let share = budget
        .reserve(&body)
        .await
        .map_err(|(status, message)| ApiError { status, message })?;
    Ok((body, share))
}

fn authorize(issuer: &Issuer, headers: &HeaderMap) -> Result<(), ApiError> {
    let unauthorized = |message: &str| ApiError {
        status: StatusCode::UNAUTHORIZED,
        message: message.into(),
    };
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(unauthorized(
            "this endpoint needs an Authorization: Bearer <token> header",
        ));
    };
    // "Bearer" then the token; HTTP trims trailing spaces, so an empty token arrives
    // as a bare "Bearer" and is treated as a wrong token.
    // The scheme is case-insensitive (RFC 9110, section 11.1).
    let value = value.as_bytes();
    let rest = value
        .get(..6)
        .filter(|scheme| scheme.eq_ignore_ascii_case(b"Bearer"))
        .map(|_| &value[6..]);
    let token = match rest {
        Some([]) => &[][..],
        Some([b' ', rest @ ..]) => rest,
        _ => {
            return Err(unauthorized(
                "the Authorization header must be of the form: Bearer <token>",
            ));
        }
    };
    if !issuer.token_matches(token) {
        return Err(unauthorized("the bearer token is not valid"));
    }
    Ok(())
}

/// `POST /credentials/issue`.
///
/// Takes the request unread: the token is checked before the body is, so an
/// unauthenticated client can neither make the server buffer a body nor hold a
/// connection open by sending one slowly.
async fn issue(
    State(state): State<Arc<AppState>>,
    request: axum::extract::Request,
) -> Result<Response, ApiError> {
    let Some(issuer) = &state.issuer else {
        return Err(ApiError {
            status: StatusCode::NOT_FOUND,
            message: "this server does not issue: its configuration has no [issuer]".into(),
        });
    };
    let (body, share) = authorized_body(issuer, request).await?;
    let req = parse_body(&body, "credential", &["credentialId", "proofFormat"])?;
    let state = Arc::clone(&state);
    let credential_id = option_str(&req.options, "credentialId")?.map(str::to_owned);
    let jwt = option_proof_format(&req.options)?;
    // The share travels with the tree and comes back with the signed one (see `verify`).
    let joined = tokio::task::spawn_blocking(move || {
        let signed = sign(&state, req.doc, credential_id, jwt);
        (signed, share)
    })
    .await;
    let (signed, _share) = joined.map_err(|_| ApiError {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        message: "signing failed unexpectedly".into(),
    })?;
    let (signed, id, warnings) = signed?;
    tracing::info!(id, "issued a credential");
    let mut body = json!({"verifiableCredential": signed});
    // What the CLI prints as warnings, the service returns beside the credential (a
    // member the VC-API response leaves open); absent when there is none.
    if !warnings.is_empty() {
        body["warnings"] = json!(warnings);
    }
    Ok((StatusCode::CREATED, axum::Json(body)).into_response())
}

/// `options.proofFormat`: whether the credential is to be a VC-JWT (`"jwt"`) rather
/// than signed with a Data Integrity proof (`"di"`, or `"lds"` as the first VC HTTP
/// API and Veramo name it; the default). VC-API defines no member for the format:
/// `proofFormat` is the name its first version, Veramo and TrustBloc's service use
/// (docs/server.md).
fn option_proof_format(options: &Map<String, Value>) -> Result<bool, ApiError> {
    match option_str(options, "proofFormat")? {
        None | Some("di" | "lds") => Ok(false),
        Some("jwt") => Ok(true),
        Some(other) => Err(ApiError::bad(format!(
            "options.proofFormat {other:?} is not one this server signs (jwt: a VC-JWT; di or lds: a Data Integrity proof, the default)"
        ))),
    }
}

/// A VC-JWT as VC Data Model 2.0 carries a secured credential in JSON: an
/// `EnvelopedVerifiableCredential` whose `id` is a `data:` URL of the token.
fn enveloped(token: &str) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/credentials/v2",
        "id": format!("data:application/vc+jwt,{token}"),
        "type": "EnvelopedVerifiableCredential",
    })
}

/// Fills, checks and signs (as a VC-JWT when `jwt`); returns what the response
/// carries as `verifiableCredential` (the signed credential, or the token enveloped),
/// the credential's id and the warnings of [`issuance::prepare`] (those
/// `microcred-sign issue` prints).
fn sign(
    state: &AppState,
    mut doc: Value,
    credential_id: Option<String>,
    jwt: bool,
) -> Result<(Value, String, Vec<String>), ApiError> {
    let Some(issuer) = &state.issuer else {
        return Err(ApiError::bad("this server does not issue"));
    };
    let controller = issuer.key.controller();
    if let Some(id) = credential_id {
        match doc.get("id").and_then(Value::as_str) {
            Some(existing) if existing != id => {
                return Err(ApiError::bad(format!(
                    "options.credentialId {id} differs from credential.id {existing}"
                )));
            }
            _ => {
                if let Value::Object(map) = &mut doc {
                    map.insert("id".into(), id.into());
                }
            }
        }
    }
    // What the client sent is never silently rewritten: its issuer name is checked (VC
    // Data Model 2.0 §4.6) and, when this server issues under a configured name, must be
    // that name (or be left out, and the server fills it).
    if let Some(sent) = doc.get("issuer").and_then(|i| i.get("name")) {
        issuance::check_text("issuer.name", sent)
            .map_err(|e| ApiError::bad(format!("cannot issue: {e}")))?;
        if let Some(configured) = issuer.name.as_deref() {
            if sent.as_str() != Some(configured) {
                return Err(ApiError::bad(format!(
                    "cannot issue: credential.issuer.name {sent} is not the name this server issues under ({configured:?}, its [issuer] name): leave it out, or send that name"
                )));
            }
        }
    }
    let now = datetime::now();
    let created = datetime::format(now);
    let fill = Fill {
        controller: &controller,
        issuer_name: issuer.name.as_deref(),
        set_issuer: false,
        valid_from: &created,
    };
    // The checks and the filling of `microcred-sign issue`, then the one rule the CLI
    // leaves to its user (it warns and offers --set-issuer): a service signs only in
    // its own name.
    let mut warnings = Vec::new();
    // An expired credential is refused too, where the CLI has --allow-expired: a
    // service has no one to ask whether a lapsed credential was meant.
    issuance::prepare(&mut doc, &fill, &mut warnings)
        .and_then(|()| issuance::require_own_issuer(&doc, &controller))
        .and_then(|()| issuance::check_not_expired(doc.get("validUntil"), now))
        .map_err(|e| ApiError::bad(format!("cannot issue: {e}")))?;
    check_profiles(&issuer.profiles, &doc, now)?;
    // With a ledger: recorded as pending (id, status index) before signing, marked
    // issued once signed, as `microcred-sign issue --ledger` does; a credential whose
    // row cannot be marked is not handed out (its row stays pending, revocable).
    let reserved = match &state.status {
        Some(status) => Some(status.reserve(&mut doc, &created)?),
        None => None,
    };
    let id = doc
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    // What the ledger records the SHA-256 of: what `microcred-sign issue` writes.
    let (vc, written) = if jwt {
        let token = microcred_core::vc_jwt::sign(
            &doc,
            &issuer.key.secret,
            &issuer.key.verification_method(),
            now,
        )
        .map_err(|e| ApiError::bad(format!("cannot issue: {e}")))?;
        let written = format!("{token}\n").into_bytes();
        (enveloped(&token), written)
    } else {
        let mut options = ProofOptions::new(
            issuer.key.verification_method(),
            ProofPurpose::AssertionMethod,
        );
        options.created = Some(created);
        let signed = microcred_core::suite::sign(&doc, &issuer.key.secret, &options, issuer.suite)
            .map_err(|e| ApiError::bad(e.to_string()))?;
        warnings.extend(signed.warning);
        let mut written = serde_json::to_vec_pretty(&signed.document)
            .map_err(|e| ApiError::bad(e.to_string()))?;
        written.push(b'\n');
        (signed.document, written)
    };
    if let (Some(status), Some(index)) = (&state.status, reserved) {
        status
            .mark_issued(index, &written)
            .map_err(|e| ledger_failed(&e))?;
    }
    Ok((vc, id, warnings))
}

fn check_profiles(
    profiles: &[Profile],
    doc: &Value,
    at: time::OffsetDateTime,
) -> Result<(), ApiError> {
    // The same words `microcred-sign issue` and `batch` refuse in.
    let failures = microcred_verifier::profile::violations(profiles, doc, at);
    if failures.is_empty() {
        Ok(())
    } else {
        Err(ApiError::bad(format!(
            "the credential does not comply with the server's profiles; nothing was signed: {}",
            failures.join("; ")
        )))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// Every check id of the report schema can be named in `options.checks` (a check
    /// added to the verifier and its documentation, but not here, would be one a
    /// client cannot ask for, and that `options.checks` silently drops).
    #[test]
    fn every_documented_check_id_can_be_named() {
        let doc = include_str!("../../../docs/verify-report.md");
        let section = doc.split("## Check ids").nth(1).unwrap();
        let section = section.split("\n## ").next().unwrap();
        let ids: Vec<&str> = section
            .lines()
            .filter_map(|l| l.strip_prefix("| `"))
            .filter_map(|l| l.split('`').next())
            .collect();
        assert!(ids.len() > 10, "{ids:?}");
        for id in ids {
            assert!(
                CHECK_NAMES.iter().any(|(name, _)| *name == id),
                "{id} is documented but cannot be named in options.checks"
            );
            assert!(CHECK_NAMES.iter().any(|(_, ids)| ids.contains(&id)), "{id}");
        }
    }
}
