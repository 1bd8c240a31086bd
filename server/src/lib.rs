//! Lanyard's dev backend: cookie-session auth (rotating refresh tokens with reuse detection,
//! a signed CSRF double submit), a notes API, test hooks, and static serving of the SPA.
//! The HTTP contract is docs/API.md.

pub mod admin;
pub mod auth;
pub mod config;
pub mod csrf;
pub mod db;
pub mod error;
pub mod hooks;
pub mod housekeeping;
pub mod notes;
pub mod password;
pub mod secure_cookies;
pub mod security;
pub mod serve;
pub mod session;
pub mod static_files;
pub mod text;
pub mod throttle;
pub mod tls;

use std::net::SocketAddr;
use std::ops::Deref;
use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post, MethodRouter};
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tower_http::cors::{AllowOrigin, CorsLayer};

pub use config::Config;
use error::ApiError;

/// Largest request body accepted (413 above).
pub const BODY_LIMIT: usize = 64 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("database: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Setup(String),
}

impl From<ApiError> for StartError {
    fn from(err: ApiError) -> Self {
        Self::Setup(format!("{err:?}"))
    }
}

pub struct Inner {
    pub db: db::Db,
    pub ttls: db::Ttls,
    pub secure_cookies: bool,
    pub test_hooks: bool,
    pub hooks: hooks::Hooks,
    pub cors_origins: Vec<HeaderValue>,
    pub dist: Option<PathBuf>,
    pub csp: HeaderValue,
    /// Verified against for unknown usernames, so they take as long as wrong passwords.
    pub dummy_hash: String,
    /// At most one password check per core at once.
    pub password_checks: password::Checks,
    /// How long a request body may take to arrive.
    pub body_timeout: std::time::Duration,
    /// Failed logins per account and per address.
    pub login_throttle: throttle::LoginThrottle,
    /// Signs each login's CSRF token.
    pub csrf_key: csrf::Key,
}

/// Shared state; cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// Opens the database, seeds the demo users and reads the dist dir. Blocking (argon2, I/O).
    pub fn new(config: &Config) -> Result<Self, StartError> {
        config.validate().map_err(StartError::Setup)?;
        let db = if config.in_memory {
            db::Db::open(None)?
        } else {
            std::fs::create_dir_all(&config.data_dir).map_err(|e| {
                StartError::Setup(format!("cannot create {}: {e}", config.data_dir.display()))
            })?;
            db::Db::open(Some(&config.data_dir))?
        };
        for (username, password, display_name, roles) in db::DEMO_USERS {
            if !db.with(|c| Ok(db::user_exists(c, username)?))? {
                let phc = password::hash(password)?;
                db.with(|c| Ok(db::insert_user(c, username, display_name, &phc, roles)?))?;
            }
        }
        let csrf_key = csrf::Key::new(&db.with(|c| Ok(db::server_key(c, "csrf")?))?)
            .map_err(StartError::Setup)?;
        let script_hashes = match &config.dist {
            Some(dir) => {
                let index = dir.join("index.html");
                let html = std::fs::read_to_string(&index).map_err(|e| {
                    StartError::Setup(format!("--dist: cannot read {}: {e}", index.display()))
                })?;
                static_files::inline_script_hashes(&html)
            }
            None => Vec::new(),
        };
        let csp = HeaderValue::from_str(&static_files::content_security_policy(&script_hashes))
            .map_err(|e| StartError::Setup(format!("CSP header: {e}")))?;
        let cors_origins = config
            .cors_origins
            .iter()
            .map(|o| {
                HeaderValue::from_str(o.trim_end_matches('/')).map_err(|_| {
                    StartError::Setup(format!("--cors-origin {o:?} is not a valid origin"))
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self(Arc::new(Inner {
            db,
            ttls: db::Ttls {
                access_ms: i64::from(config.access_ttl_secs) * 1000,
                refresh_ms: i64::from(config.refresh_ttl_secs) * 1000,
            },
            secure_cookies: config.secure_cookies(),
            test_hooks: config.test_hooks,
            hooks: hooks::Hooks::new(config.test_hooks, config.latency_ms),
            cors_origins,
            dist: config.dist.clone(),
            csp,
            dummy_hash: password::hash("not a real password")?,
            password_checks: password::Checks::per_core(),
            body_timeout: std::time::Duration::from_secs(u64::from(config.body_timeout_secs)),
            login_throttle: throttle::LoginThrottle::new(throttle::Policy {
                per_account: config.login_free_failures,
                per_address: config.login_free_failures_per_address,
            }),
            csrf_key,
        })))
    }
}

/// axum answers a wrong method with an empty 405; give it the JSON error body (keeps `Allow`).
async fn json_method_not_allowed(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    if response.status() != StatusCode::METHOD_NOT_ALLOWED
        || response.headers().contains_key(header::CONTENT_TYPE)
    {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    let (json_parts, body) = ApiError::MethodNotAllowed.into_response().into_parts();
    parts.headers.extend(json_parts.headers);
    Response::from_parts(parts, body)
}

/// CSRF check before any extractor runs, against the session `session` names. A method-level route
/// layer, so a wrong method is still a 405 rather than a 403.
fn csrf_checked(
    state: &AppState,
    session: csrf::SessionCookie,
    route: MethodRouter<AppState>,
) -> MethodRouter<AppState> {
    let check = csrf::Check {
        state: state.clone(),
        session,
    };
    route.route_layer(middleware::from_fn_with_state(check, csrf::require))
}

fn api_router(state: &AppState) -> Router<AppState> {
    use csrf::SessionCookie::{Access, Refresh, RefreshOrAccess};
    let checked = |session, route| csrf_checked(state, session, route);
    let mut api = Router::new()
        // Login is exempt from CSRF (there is no session, hence no token, before it); so are the test hooks.
        .route("/auth/login", post(auth::login))
        .route("/auth/refresh", checked(Refresh, post(auth::refresh)))
        .route("/auth/logout", checked(RefreshOrAccess, post(auth::logout)))
        .route("/me", checked(Access, get(auth::me)))
        .route("/sessions", checked(Access, get(auth::sessions)))
        .route(
            "/notes",
            checked(Access, get(notes::list).post(notes::create)),
        )
        .route(
            "/notes/{id}",
            checked(
                Access,
                get(notes::get).put(notes::update).delete(notes::delete),
            ),
        )
        .route("/admin/users", checked(Access, get(admin::users)));
    if state.test_hooks {
        api = api.merge(hooks::router());
    }
    api.fallback(error::not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            hooks::latency,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), hooks::count))
        .layer(middleware::from_fn(json_method_not_allowed))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(security::no_store())
}

/// The whole application: `/api`, the SPA's files when `--dist` is given, headers, CORS.
pub fn app(state: AppState) -> Router {
    let mut router = Router::new()
        .nest("/api", api_router(&state))
        // `nest` covers "/api" and "/api/…" but not "/api/" itself: an API 404, not the SPA.
        .route("/api/", any(error::not_found).layer(security::no_store()));
    router = match &state.dist {
        Some(dir) => router.fallback_service(static_files::router(dir)),
        None => router.fallback(error::not_found),
    };
    let mut router = security::with_security_headers(router, state.csp.clone());
    if state.test_hooks && !state.cors_origins.is_empty() {
        router = router.layer(
            CorsLayer::new()
                .allow_origin(AllowOrigin::list(state.cors_origins.clone()))
                .allow_credentials(true)
                .allow_methods([
                    Method::GET,
                    Method::POST,
                    Method::PUT,
                    Method::PATCH,
                    Method::DELETE,
                ])
                .allow_headers([
                    header::CONTENT_TYPE,
                    HeaderName::from_static(csrf::CSRF_HEADER),
                ])
                // Not a CORS-safelisted response header: without this a cross-origin page cannot read it,
                // and the client could not honour a 429's or 503's wait.
                .expose_headers([header::RETRY_AFTER]),
        );
    }
    router.with_state(state)
}

/// A server running on a background task.
pub struct RunningServer {
    pub addr: SocketAddr,
    pub state: AppState,
    /// Whether it serves HTTPS.
    pub tls: bool,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
    /// The periodic sweep of dead sessions; stopped with the server.
    housekeeping: Option<JoinHandle<()>>,
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Some(task) = &self.housekeeping {
            task.abort();
        }
    }
}

impl RunningServer {
    /// `http://<addr>`, or `https://<addr>` when serving TLS.
    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// Stops taking connections, answers what is under way (see [`serve`]), and waits until it is done.
    pub async fn shutdown(mut self) {
        if let Some(task) = self.housekeeping.take() {
            task.abort();
        }
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }
}

/// Builds the state, binds `config.bind` and starts serving in the background.
pub async fn start(config: &Config) -> Result<RunningServer, StartError> {
    let owned = config.clone();
    let (state, tls) = tokio::task::spawn_blocking(move || {
        Ok::<_, StartError>((AppState::new(&owned)?, tls::Tls::from_config(&owned)?))
    })
    .await
    .map_err(|e| StartError::Setup(format!("startup task: {e}")))??;
    let listener = TcpListener::bind(config.bind)
        .await
        .map_err(|e| StartError::Setup(format!("cannot listen on {}: {e}", config.bind)))?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let router = app(state.clone());
    let serves_tls = tls.is_some();
    let task = tokio::spawn(serve::serve(listener, tls, router, state.clone(), async {
        let _ = stopped.await;
    }));
    let housekeeping = (config.housekeeping_secs > 0).then(|| {
        let every = std::time::Duration::from_secs(config.housekeeping_secs);
        tokio::spawn(housekeeping::run(state.clone(), every))
    });
    Ok(RunningServer {
        addr,
        state,
        tls: serves_tls,
        stop: Some(stop),
        task,
        housekeeping,
    })
}
