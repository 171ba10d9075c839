//! `jixiao serve`: a page and a small HTTP API on 127.0.0.1, for people who do not use a
//! terminal. The same binary serves it on the user's own machine, so budget data never
//! leaves the computer.
//!
//! Every request must carry the per-run token (`?t=` or `X-Jixiao-Token`) and a Host of
//! 127.0.0.1 or localhost; uploads are held in memory within a per-request bound; at most
//! [`ServeOptions::max_conversions`] requests read or write at once; the only files
//! written are the temporaries of a several-file conversion, removed when it ends.

mod api;
mod guard;
mod page;
mod upload;
mod views;

use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use tokio::sync::Semaphore;

/// The most of a refused request's body that is read (and dropped) before the refusal
/// goes out, so that a client still sending reads the 4xx, not a reset connection.
pub(crate) const REFUSED_BODY_BYTES: usize = 1024 * 1024;

/// The port `jixiao serve` listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 8421;

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// The most one request may upload, all files together.
    pub max_request_bytes: usize,
    /// How many requests may read and write files at once; others wait their turn.
    pub max_conversions: usize,
    /// The token requests must carry; a random one when `None`.
    pub token: Option<String>,
}

impl Default for ServeOptions {
    fn default() -> ServeOptions {
        ServeOptions {
            port: DEFAULT_PORT,
            // The readers' own limit for one file (crate::read::MAX_FILE_BYTES).
            max_request_bytes: 256 * 1024 * 1024,
            max_conversions: 2,
            token: None,
        }
    }
}

/// What every request handler shares.
pub(crate) struct Shared {
    pub(crate) token: String,
    pub(crate) conversions: Semaphore,
    pub(crate) max_request_bytes: usize,
}

/// A fresh random token: 128 bits as hex.
pub fn new_token() -> std::io::Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The page and the API, behind the token and Host checks.
fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/", get(page::index))
        .route("/app.js", get(page::script))
        .route("/app.css", get(page::style))
        .route("/api/layouts", get(api::layouts))
        .route("/api/read", post(api::read))
        .route("/api/check", post(api::check))
        .route("/api/preview", post(api::preview))
        .route("/api/convert", post(api::convert))
        .fallback(api::not_found)
        // The upload bound is kept while reading (see upload::receive); this hard bound,
        // four times larger, stops a body not worth reading to its end.
        .layer(DefaultBodyLimit::max(
            shared.max_request_bytes.saturating_mul(4),
        ))
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            guard::guard,
        ))
        .with_state(shared)
}

/// A server bound to its port, not yet answering.
pub struct Bound {
    listener: tokio::net::TcpListener,
    shared: Arc<Shared>,
    /// The address it listens on.
    pub addr: SocketAddr,
}

impl Bound {
    /// Binds 127.0.0.1 (never another interface) with a new token.
    pub async fn bind(options: &ServeOptions) -> std::io::Result<Bound> {
        let token = match &options.token {
            Some(t) => t.clone(),
            None => new_token()?,
        };
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, options.port)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            token,
            conversions: Semaphore::new(options.max_conversions.max(1)),
            max_request_bytes: options.max_request_bytes,
        });
        Ok(Bound {
            listener,
            shared,
            addr,
        })
    }

    /// The token requests must carry.
    pub fn token(&self) -> &str {
        &self.shared.token
    }

    /// The page's address, token included.
    pub fn url(&self) -> String {
        page_url(self.addr, &self.shared.token)
    }

    /// Answers requests until `shutdown` completes; requests under way finish first.
    pub async fn serve(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        axum::serve(self.listener, router(self.shared))
            .with_graceful_shutdown(shutdown)
            .await
    }
}

fn page_url(addr: SocketAddr, token: &str) -> String {
    format!("http://{addr}/?t={token}")
}

/// A server answering on a thread of its own until dropped: for tests and for programs
/// that embed the page.
pub struct Running {
    /// The address it listens on.
    pub addr: SocketAddr,
    /// The token requests must carry.
    pub token: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Running {
    /// Binds and starts answering; returns once the port is open.
    pub fn start(options: ServeOptions) -> std::io::Result<Running> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let bound = runtime.block_on(Bound::bind(&options))?;
        let (addr, token) = (bound.addr, bound.token().to_string());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let _ = runtime.block_on(bound.serve(async {
                let _ = stopped.await;
            }));
        });
        Ok(Running {
            addr,
            token,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// The page's address, token included.
    pub fn url(&self) -> String {
        page_url(self.addr, &self.token)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
