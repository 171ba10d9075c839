//! The files of a request: read from its multipart body into memory, bounded, with names
//! reduced to a bare file name (no request names a path on this machine).

use axum::extract::Multipart;
use axum::extract::multipart::MultipartError;
use axum::http::StatusCode;

use super::api::ApiError;
use crate::template::Template;

/// More files than this in one request is not a submission but a mistake.
const MAX_FILES: usize = 2_000;

/// What a request sent.
pub(crate) struct Upload {
    /// (file name, bytes) of every `file` field, in the order sent.
    pub(crate) files: Vec<(String, Vec<u8>)>,
    /// The user's own layout, from the `template` field.
    pub(crate) template: Option<Template>,
}

/// Reads the body's `file` fields and the optional `template`, at most `limit` bytes of
/// them. Past the limit the rest of the body is read and thrown away, so that the client
/// gets the 413 instead of a connection closed under it (the router's hard bound, a
/// few times larger, cuts off what is not worth reading at all).
pub(crate) async fn receive(mut multipart: Multipart, limit: usize) -> Result<Upload, ApiError> {
    let mut files = Vec::new();
    let mut template = None;
    let mut total = 0usize;
    // The first thing wrong; the rest of the body is still read, then it is answered.
    let mut wrong: Option<ApiError> = None;
    while let Some(mut field) = multipart.next_field().await.map_err(body_error)? {
        let name = field.name().unwrap_or("").to_string();
        let file_name = field.file_name().map(bare_name);
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(body_error)? {
            total = total.saturating_add(chunk.len());
            if total <= limit && wrong.is_none() {
                bytes.extend_from_slice(&chunk);
            }
        }
        if total > limit || wrong.is_some() {
            continue;
        }
        match name.as_str() {
            "file" if files.len() == MAX_FILES => {
                wrong = Some(ApiError::bad(format!(
                    "more than {MAX_FILES} files in one request"
                )));
            }
            "file" => {
                let file_name = file_name.unwrap_or_else(|| format!("file{}", files.len() + 1));
                files.push((file_name, bytes));
            }
            "template" => {
                let file_name = file_name.unwrap_or_else(|| "template.toml".into());
                match String::from_utf8(bytes) {
                    Ok(text) => match Template::from_toml(&file_name, &text) {
                        Ok(t) => template = Some(t),
                        Err(e) => wrong = Some(e.into()),
                    },
                    Err(_) => {
                        wrong = Some(ApiError::bad(format!(
                            "template {file_name}: not UTF-8 text"
                        )))
                    }
                }
            }
            other => {
                wrong = Some(ApiError::bad(format!(
                    "unexpected form field {other:?}: send `file` (one or more) and optionally `template`"
                )));
            }
        }
    }
    if total > limit {
        return Err(too_large());
    }
    if let Some(wrong) = wrong {
        return Err(wrong);
    }
    if files.is_empty() {
        return Err(ApiError::bad("no file: send the table in a `file` field"));
    }
    Ok(Upload { files, template })
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "the upload is larger than this server accepts in one request (see `jixiao serve --max-upload`)",
    )
}

/// The last component of what a browser or script calls the file, without control
/// characters; a name is only ever used in messages and output names.
pub(crate) fn bare_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = last
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| if "<>:\"|?*".contains(c) { '_' } else { c })
        .collect();
    let clean = clean.trim().trim_start_matches('.').to_string();
    if clean.is_empty() {
        "upload".into()
    } else {
        clean
    }
}

fn body_error(e: MultipartError) -> ApiError {
    let status = e.status();
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            status,
            "the upload is larger than this server accepts in one request",
        )
    } else {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("not a well-formed upload: {}", e.body_text()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::bare_name;

    #[test]
    fn names_lose_their_folders() {
        assert_eq!(bare_name("../../etc/passwd"), "passwd");
        assert_eq!(bare_name("C:\\Users\\a\\表.xlsx"), "表.xlsx");
        assert_eq!(bare_name(".."), "upload");
        assert_eq!(bare_name(".hidden.csv"), "hidden.csv");
        assert_eq!(bare_name("a\u{0}b?.csv"), "ab_.csv");
    }
}
