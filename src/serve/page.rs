//! The page: one HTML file, its script and its style, embedded in the binary (no build
//! step, nothing fetched from elsewhere).

use std::sync::Arc;

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};

use super::Shared;

const INDEX: &str = include_str!("page/index.html");
const SCRIPT: &str = include_str!("page/app.js");
const STYLE: &str = include_str!("page/app.css");

/// The page, with the token its script and links need.
pub(crate) async fn index(State(shared): State<Arc<Shared>>) -> Response {
    let html = INDEX.replace("__TOKEN__", &shared.token);
    ([(CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}

pub(crate) async fn script() -> Response {
    ([(CONTENT_TYPE, "text/javascript; charset=utf-8")], SCRIPT).into_response()
}

pub(crate) async fn style() -> Response {
    ([(CONTENT_TYPE, "text/css; charset=utf-8")], STYLE).into_response()
}
