//! # frontline-server
//!
//! The atlas over HTTP, and the same viewer as one self-contained page.
//!
//! [`router`] answers over an [`Atlas`] shared by every request:
//!
//! | path | answer (the same bytes as the CLI's JSON for the same question) |
//! | --- | --- |
//! | `/api/snapshots` | `frontline snapshots --format json` |
//! | `/api/stats?at=` | `frontline stats --at D --format json` |
//! | `/api/locate?lat=&lon=&at=` | `frontline locate --lat --lon --at D --format json` |
//! | `/api/diff?from=&to=[&by=rayon][&format=geojson]` | `frontline diff --from --to --format json` (or `geojson`) |
//! | `/api/series?from=&to=` | `frontline series --from --to --format json` |
//! | `/api/routes` | `frontline routes --format json` |
//! | `/api/route/{id}?at=[&exposure_km=]` | `frontline route ID --at D --format json` |
//! | `/api/reach?from=&to=&at=&as=` | `frontline reach --from --to --at --as --format json` |
//! | `/api/export?at=&layer=[&precision=]` | `frontline export --at D --layer L [--precision N]` (GeoJSON) |
//! | `/api/zones?at=&layer=&bbox=&zoom=` | a polygon layer simplified to half a pixel at `zoom`, cut to `bbox` |
//! | `/api/page` | what the page needs besides the zones (controllers, snapshots, events, layers, series) |
//! | `/map.svg?at=`, `/map.png?at=` | `frontline render --at D -o map.svg` (or `.png`) |
//! | `/` | the interactive page |
//!
//! Bad parameters get 400 with `{"error": "<parameter>: <what was expected>"}`,
//! unknown paths 404. Nothing is read from the file system: the page and its
//! scripts are compiled in. Answers carry `Cache-Control` and a strong
//! `ETag` (a hash of the body), and `If-None-Match` gets 304. Limits
//! ([`Limits`]) bound the query length, the box, the zoom, the work running
//! at once and its time.
//!
//! ```no_run
//! use std::sync::Arc;
//! # async fn run() -> std::io::Result<()> {
//! let atlas = Arc::new(frontline::Atlas::embedded().expect("the bundled dataset"));
//! let app = frontline_server::router(atlas, frontline_server::Limits::default());
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! frontline_server::serve(listener, app, frontline_server::shutdown_signal()).await
//! # }
//! ```
#![warn(missing_docs)]

mod answers;
mod lanes;
mod page;
pub mod params;
pub mod zones;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, RawQuery, Request, State};
use axum::http::HeaderMap;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use frontline::export::Layer;
use frontline::Atlas;
use geo::Point;

pub use page::{atlas_html, page_bundle};
pub use params::{ApiError, Params};

/// Bounds on what one request may ask and on the work running at once.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Longest query string accepted, bytes.
    pub max_query_bytes: usize,
    /// Widest and tallest `bbox` accepted, degrees.
    pub max_bbox_degrees: f64,
    /// Largest `zoom` accepted.
    pub max_zoom: u8,
    /// Largest width or height of a server-side map, px.
    pub max_map_px: u32,
    /// Analysis answers (areas, diffs, series, routes, exports, maps)
    /// computed at once, on threads of lower CPU priority; more wait for a
    /// turn.
    pub heavy_at_once: usize,
    /// Map layers (`/api/zones`) computed at once; more wait for a turn.
    pub layers_at_once: usize,
    /// Memory kept for computed answers (bodies and keys), bytes; the
    /// oldest answers are dropped first beyond it.
    pub answer_cache_bytes: usize,
    /// Longest wait for a turn plus the work itself; beyond it, 503.
    pub timeout: Duration,
    /// `max-age` of the `Cache-Control` header, seconds.
    pub max_age_seconds: u32,
}

impl Default for Limits {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Limits {
            max_query_bytes: 1024,
            max_bbox_degrees: 20.0,
            max_zoom: zones::MAX_ZOOM,
            max_map_px: 4000,
            heavy_at_once: cores.max(2),
            layers_at_once: cores.max(2),
            answer_cache_bytes: 256 << 20,
            timeout: Duration::from_secs(30),
            max_age_seconds: 3600,
        }
    }
}

/// What every handler shares.
struct App {
    atlas: Arc<Atlas>,
    limits: Limits,
    analysis: lanes::Lane,
    layers: lanes::Lane,
    answers: answers::AnswerCache,
    zones: zones::ZoneCache,
}

/// Which lane computes an answer (see the `lanes` module).
#[derive(Debug, Clone, Copy)]
enum Work {
    /// Map layers: quick once simplified, asked for in bursts.
    Layers,
    /// Areas, overlays, routes, maps: slower, at lower priority.
    Analysis,
}

type Shared = Arc<App>;

/// A 200 answer before the cache headers are added.
pub struct Answer {
    content_type: &'static str,
    body: Vec<u8>,
}

impl Answer {
    /// Pretty JSON and a newline: what the CLI prints for `--format json`.
    pub fn json<T: serde::Serialize>(value: &T) -> Answer {
        let text = serde_json::to_string_pretty(value).expect("results serialise to JSON");
        Answer::text("application/json", format!("{text}\n"))
    }

    fn geojson(text: String) -> Answer {
        Answer::text("application/geo+json", text)
    }

    fn text(content_type: &'static str, text: String) -> Answer {
        Answer {
            content_type,
            body: text.into_bytes(),
        }
    }

    fn ready(self) -> answers::Ready {
        answers::Ready::new(self.content_type, self.body)
    }
}

impl App {
    /// Runs quick work (no areas, no geometry built) on the request's task.
    fn quick(
        &self,
        request: &HeaderMap,
        work: impl FnOnce(&Atlas) -> Result<Answer, ApiError>,
    ) -> Response {
        match work(&self.atlas) {
            Ok(answer) => answer.ready().respond(request, self.limits.max_age_seconds),
            Err(error) => error.into_response(),
        }
    }

    /// The answer kept under `key`, or `work` run on its lane within
    /// [`Limits::timeout`] and kept when it succeeds.
    async fn computed(
        self: Arc<Self>,
        lane: Work,
        key: String,
        request: HeaderMap,
        work: impl FnOnce(&App) -> Result<Answer, ApiError> + Send + 'static,
    ) -> Response {
        let max_age = self.limits.max_age_seconds;
        if let Some(kept) = self.answers.get(&key) {
            return kept.respond(&request, max_age);
        }
        let app = Arc::clone(&self);
        let job = move || work(&app).map(|answer| Arc::new(answer.ready()));
        let run = match lane {
            Work::Layers => self.layers.run(job),
            Work::Analysis => self.analysis.run(job),
        };
        match tokio::time::timeout(self.limits.timeout, run).await {
            Ok(Some(Ok(ready))) => {
                self.answers.keep(key, Arc::clone(&ready));
                ready.respond(&request, max_age)
            }
            Ok(Some(Err(error))) => error.into_response(),
            Ok(None) => ApiError::internal("the answer could not be computed").into_response(),
            Err(_) => ApiError::unavailable(format!(
                "no answer within {} s: the server is busy, try again",
                self.limits.timeout.as_secs()
            ))
            .into_response(),
        }
    }

    fn view(&self, at: chrono::NaiveDate) -> Result<frontline::View<'_>, ApiError> {
        self.atlas
            .at(at)
            .map_err(|e| ApiError::from_library("at", e))
    }

    fn map_options(&self, params: &Params) -> Result<frontline_render::MapOptions, ApiError> {
        let px = 200.0..=f64::from(self.limits.max_map_px);
        let size = |name: &str, default: u32| -> Result<u32, ApiError> {
            let value = params.number(name, px.clone())?;
            match value {
                None => Ok(default),
                Some(v) if v.fract() == 0.0 => Ok(v as u32),
                Some(_) => Err(ApiError::parameter(name, "expected a whole number of px")),
            }
        };
        Ok(frontline_render::MapOptions::new().size(size("width", 1200)?, size("height", 900)?))
    }
}

/// The HTTP API and the page over `atlas`.
pub fn router(atlas: Arc<Atlas>, limits: Limits) -> Router {
    let app: Shared = Arc::new(App {
        atlas,
        analysis: lanes::Lane::new("analysis", limits.heavy_at_once, true),
        layers: lanes::Lane::new("layers", limits.layers_at_once, false),
        answers: answers::AnswerCache::new(limits.answer_cache_bytes),
        zones: zones::ZoneCache::default(),
        limits,
    });
    Router::new()
        .route("/", get(index))
        .route("/assets/{name}", get(asset))
        .route("/api/snapshots", get(snapshots))
        .route("/api/stats", get(stats))
        .route("/api/locate", get(locate))
        .route("/api/diff", get(diff))
        .route("/api/series", get(series))
        .route("/api/routes", get(routes))
        .route("/api/route/{id}", get(route))
        .route("/api/reach", get(reach))
        .route("/api/export", get(export))
        .route("/api/zones", get(zones_layer))
        .route("/api/page", get(page_data))
        .route("/map.svg", get(map_svg))
        .route("/map.png", get(map_png))
        .fallback(|| async { ApiError::not_found("no such path").into_response() })
        .layer(middleware::from_fn_with_state(app.clone(), bound_query))
        .with_state(app)
}

/// Refuses over-long query strings before any handler runs.
async fn bound_query(State(app): State<Shared>, request: Request, next: Next) -> Response {
    let length = request.uri().query().map_or(0, str::len);
    if length > app.limits.max_query_bytes {
        return ApiError::bad_request(format!(
            "query: {length} bytes, longer than the {} allowed",
            app.limits.max_query_bytes
        ))
        .into_response();
    }
    next.run(request).await
}

/// Serves `app` on `listener` until `shutdown` completes, then lets the
/// requests under way finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Completes on Ctrl-C (SIGINT) or, on Unix, SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}

async fn index(State(app): State<Shared>, headers: HeaderMap) -> Response {
    app.quick(&headers, |_| {
        Ok(Answer::text("text/html; charset=utf-8", page::index_html()))
    })
}

async fn asset(
    State(app): State<Shared>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    match page::asset(&name) {
        Some((content_type, text)) => app.quick(&headers, |_| {
            Ok(Answer::text(content_type, text.to_owned()))
        }),
        None => ApiError::not_found("no such path").into_response(),
    }
}

async fn snapshots(
    State(app): State<Shared>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    app.quick(&headers, |atlas| {
        Params::parse(query.as_deref(), &[])?;
        Ok(Answer::json(&atlas.snapshots()))
    })
}

async fn routes(
    State(app): State<Shared>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    app.quick(&headers, |atlas| {
        Params::parse(query.as_deref(), &[])?;
        Ok(Answer::json(&atlas.route_summaries()))
    })
}

async fn locate(
    State(app): State<Shared>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    app.quick(&headers, |atlas| {
        let params = Params::parse(query.as_deref(), &["lat", "lon", "at"])?;
        let lat = params.number("lat", -90.0..=90.0)?;
        let lon = params.number("lon", -180.0..=180.0)?;
        let (lat, lon) = match (lat, lon) {
            (Some(lat), Some(lon)) => (lat, lon),
            (None, _) => return Err(ApiError::parameter("lat", "missing")),
            (_, None) => return Err(ApiError::parameter("lon", "missing")),
        };
        let at = params.date("at")?;
        let location = atlas
            .locate(Point::new(lon, lat), at)
            .map_err(|e| ApiError::from_library("at", e))?;
        Ok(Answer::json(&location))
    })
}

async fn stats(
    State(app): State<Shared>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let key = format!("stats?{}", query.as_deref().unwrap_or(""));
    app.computed(Work::Analysis, key, headers, move |app| {
        let params = Params::parse(query.as_deref(), &["at"])?;
        Ok(Answer::json(&app.view(params.date("at")?)?.stats()))
    })
    .await
}

async fn diff(
    State(app): State<Shared>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let key = format!("diff?{}", query.as_deref().unwrap_or(""));
    app.computed(Work::Analysis, key, headers, move |app| {
        let params = Params::parse(query.as_deref(), &["from", "to", "by", "format"])?;
        let (from, to) = (params.date("from")?, params.date("to")?);
        let by_rayon = match params.optional("by") {
            None => false,
            Some(_) => params.choice("by", &["rayon"]).map(|_| true)?,
        };
        let format = params.choice("format", &["json", "geojson"])?;
        let mut diff = app
            .atlas
            .diff(from, to)
            .map_err(|e| ApiError::from_library("from/to", e))?;
        if by_rayon {
            diff = diff.with_rayons(&app.atlas);
        }
        Ok(match format {
            "geojson" => Answer::geojson(format!("{}\n", diff.to_geojson())),
            _ => Answer::json(&diff),
        })
    })
    .await
}

async fn series(
    State(app): State<Shared>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let key = format!("series?{}", query.as_deref().unwrap_or(""));
    app.computed(Work::Analysis, key, headers, move |app| {
        let params = Params::parse(query.as_deref(), &["from", "to"])?;
        let (from, to) = (params.date("from")?, params.date("to")?);
        let series = app
            .atlas
            .series(from, to)
            .map_err(|e| ApiError::from_library("from/to", e))?;
        Ok(Answer::json(&series))
    })
    .await
}

async fn route(
    State(app): State<Shared>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    if app.atlas.route(&id).is_err() {
        return ApiError::not_found(format!("no route {id:?}: /api/routes lists them"))
            .into_response();
    }
    let key = format!("route/{id}?{}", query.as_deref().unwrap_or(""));
    app.computed(Work::Analysis, key, headers, move |app| {
        let params = Params::parse(query.as_deref(), &["at", "exposure_km"])?;
        let at = params.date("at")?;
        let exposure_km = params.number("exposure_km", 0.0..=100.0)?.unwrap_or(2.0);
        let report = app
            .atlas
            .route_report(&id, at, exposure_km)
            .map_err(|e| ApiError::from_library("at", e))?;
        Ok(Answer::json(&report))
    })
    .await
}

async fn reach(
    State(app): State<Shared>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let key = format!("reach?{}", query.as_deref().unwrap_or(""));
    app.computed(Work::Analysis, key, headers, move |app| {
        let params = Params::parse(query.as_deref(), &["from", "to", "at", "as"])?;
        let (from, to, side) = (
            params.required("from")?,
            params.required("to")?,
            params.required("as")?,
        );
        let at = params.date("at")?;
        // Name the parameter at fault: the places and the side are looked
        // up first, so the library's message is about one of them.
        for (name, place) in [("from", from), ("to", to)] {
            app.atlas
                .place(place)
                .map_err(|e| ApiError::from_library(name, e))?;
        }
        app.atlas
            .controller(side)
            .map_err(|e| ApiError::from_library("as", e))?;
        let reach = app
            .atlas
            .reach(from, to, at, side)
            .map_err(|e| ApiError::from_library("at", e))?;
        Ok(Answer::json(&reach))
    })
    .await
}

async fn export(
    State(app): State<Shared>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let key = format!("export?{}", query.as_deref().unwrap_or(""));
    app.computed(Work::Analysis, key, headers, move |app| {
        let params = Params::parse(query.as_deref(), &["at", "layer", "precision"])?;
        let at = params.date("at")?;
        let names: Vec<&str> = Layer::ALL.iter().map(|(n, _)| *n).collect();
        let name = params.choice("layer", &names)?;
        let layer: Layer = name.parse().map_err(|e| ApiError::parameter("layer", e))?;
        let precision = params
            .whole_number("precision", 0..=15)?
            .unwrap_or(frontline::export::DEFAULT_PRECISION);
        let mut collection = app.view(at)?.export(layer);
        frontline::export::round_coordinates(&mut collection, precision);
        let bytes =
            frontline::export::encode(&collection, frontline::export::Format::GeoJson, name)
                .map_err(|e| ApiError::internal(e.to_string()))?;
        Ok(Answer::geojson(
            String::from_utf8_lossy(&bytes).into_owned(),
        ))
    })
    .await
}

async fn zones_layer(
    State(app): State<Shared>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let key = format!("zones?{}", query.as_deref().unwrap_or(""));
    app.computed(Work::Layers, key, headers, move |app| {
        let params = Params::parse(query.as_deref(), &["at", "layer", "bbox", "zoom"])?;
        let at = params.date("at")?;
        let name = params.choice("layer", &zones::AREAL_LAYERS)?;
        let layer: Layer = name.parse().map_err(|e| ApiError::parameter("layer", e))?;
        let zoom = params
            .whole_number("zoom", 0..=app.limits.max_zoom)?
            .ok_or_else(|| ApiError::parameter("zoom", "missing"))?;
        let bbox = match params.optional("bbox") {
            None => None,
            Some(text) => {
                let b = frontline_render::BBox::parse(text)
                    .map_err(|e| ApiError::parameter("bbox", e))?;
                let widest = app.limits.max_bbox_degrees;
                if b.lon_max - b.lon_min > widest || b.lat_max - b.lat_min > widest {
                    return Err(ApiError::parameter(
                        "bbox",
                        format!("wider or taller than the {widest}° allowed"),
                    ));
                }
                Some(geo::Rect::new(
                    (b.lon_min, b.lat_min),
                    (b.lon_max, b.lat_max),
                ))
            }
        };
        let view = app.view(at)?;
        let simplified = app.zones.get(&view, layer, name, zoom);
        Ok(Answer::geojson(format!(
            "{}\n",
            simplified.to_geojson(bbox)
        )))
    })
    .await
}

async fn page_data(
    State(app): State<Shared>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let key = format!("page?{}", query.as_deref().unwrap_or(""));
    app.computed(Work::Analysis, key, headers, move |app| {
        Params::parse(query.as_deref(), &[])?;
        let bundle = page::page_bundle(&app.atlas, None, None, false)
            .map_err(|e| ApiError::internal(e.to_string()))?;
        // Compact: coordinates one per line would triple it.
        Ok(Answer::text("application/json", format!("{bundle}\n")))
    })
    .await
}

async fn map_svg(
    State(app): State<Shared>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let key = format!("map.svg?{}", query.as_deref().unwrap_or(""));
    app.computed(Work::Analysis, key, headers, move |app| {
        let svg = map(app, query.as_deref())?;
        Ok(Answer::text("image/svg+xml", svg))
    })
    .await
}

async fn map_png(
    State(app): State<Shared>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let key = format!("map.png?{}", query.as_deref().unwrap_or(""));
    app.computed(Work::Analysis, key, headers, move |app| {
        let svg = map(app, query.as_deref())?;
        let png =
            frontline_render::svg_to_png(&svg).map_err(|e| ApiError::internal(e.to_string()))?;
        Ok(Answer {
            content_type: "image/png",
            body: png,
        })
    })
    .await
}

fn map(app: &App, query: Option<&str>) -> Result<String, ApiError> {
    let params = Params::parse(query, &["at", "width", "height"])?;
    let at = params.date("at")?;
    let options = app.map_options(&params)?;
    let view = app.view(at)?;
    frontline_render::render_map(&view, &options).map_err(|e| match e {
        frontline_render::RenderError::Frontline(e) => ApiError::from_library("at", e),
        other => ApiError::internal(other.to_string()),
    })
}
