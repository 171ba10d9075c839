//! What every request passes before it reaches a handler: the Host must be this machine
//! (a page of another site cannot reach us through DNS rebinding) and the request must
//! carry the per-run token (another local program or page cannot use the API). Every
//! answer gets headers that keep the page to itself.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::{self, HeaderValue};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use super::Shared;
use super::api::ApiError;

/// The header scripts may send the token in instead of `?t=`.
pub const TOKEN_HEADER: &str = "x-jixiao-token";

pub(crate) async fn guard(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = match refusal(&shared, &request) {
        Some(message) => {
            // A small body is read (and dropped) first, so that the client, still
            // sending it, reads the 403 rather than a connection reset under it.
            let _ = axum::body::to_bytes(request.into_body(), super::REFUSED_BODY_BYTES).await;
            ApiError::new(StatusCode::FORBIDDEN, message).into_response_json()
        }
        None => next.run(request).await,
    };
    protect(response.headers_mut());
    response
}

/// Why a request is refused, if it is.
fn refusal(shared: &Shared, request: &Request) -> Option<&'static str> {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok());
    if !host.is_some_and(is_local_host) {
        return Some("forbidden: the Host must be 127.0.0.1 or localhost");
    }
    let from_header = request
        .headers()
        .get(TOKEN_HEADER)
        .and_then(|h| h.to_str().ok());
    let from_query = request.uri().query().and_then(query_token);
    let given = from_header.or(from_query);
    if !given.is_some_and(|t| same(t.as_bytes(), shared.token.as_bytes())) {
        return Some(
            "forbidden: a missing or wrong token (open the address `jixiao serve` printed)",
        );
    }
    None
}

/// "127.0.0.1:8421", "localhost", "[::1]:8421" … with any port.
fn is_local_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map_or(host, |(name, _)| name)
    };
    matches!(
        name.to_ascii_lowercase().as_str(),
        "127.0.0.1" | "localhost" | "::1"
    )
}

/// The `t` parameter of a query string (tokens are hex: no decoding needed).
fn query_token(query: &str) -> Option<&str> {
    query.split('&').find_map(|pair| pair.strip_prefix("t="))
}

/// Compares without stopping at the first difference, so timing tells nothing.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// No caching of budget data, no framing, no sniffing, no referrer (the token is in the
/// address), and nothing loaded from anywhere but this server.
fn protect(headers: &mut HeaderMap) {
    let set = |headers: &mut HeaderMap, name: header::HeaderName, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(headers, header::CACHE_CONTROL, "no-store");
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    set(headers, header::REFERRER_POLICY, "no-referrer");
    set(
        headers,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_this_machine_is_a_local_host() {
        for ok in [
            "127.0.0.1",
            "127.0.0.1:8421",
            "localhost:80",
            "LOCALHOST",
            "[::1]:8421",
        ] {
            assert!(is_local_host(ok), "{ok}");
        }
        for bad in [
            "evil.example:8421",
            "127.0.0.1.evil.example",
            "localhost.evil",
            "10.0.0.1",
            "",
            "[::2]:1",
        ] {
            assert!(!is_local_host(bad), "{bad}");
        }
    }

    #[test]
    fn the_token_is_the_t_parameter() {
        assert_eq!(query_token("a=1&t=abc&b=2"), Some("abc"));
        assert_eq!(query_token("at=abc"), None);
        assert!(same(b"abc", b"abc") && !same(b"abc", b"abd") && !same(b"abc", b"ab"));
    }
}
