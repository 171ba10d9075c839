//! The HTTP API the page uses and scripts may call: read, check, preview, convert.
//! Every failure is `{"error": "…one line…"}` with a 4xx status for what was sent (the
//! same one-line messages as the command line), never a 500 for a bad file.

use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequest, Multipart, Query, Request, State};
use axum::http::StatusCode;
use axum::http::header::{CONNECTION, CONTENT_DISPOSITION, CONTENT_TYPE, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::Shared;
use super::upload::{Upload, receive};
use super::views::{finding_views, form_view, grid_view};
use crate::batch::{self, BatchOptions, Status, workbook_key};
use crate::check::{Counts, check as check_document};
use crate::convert::{self, Format, Loaded, Output, ReadOptions, WriteOptions};
use crate::error::Error;
use crate::grid::Workbook;
use crate::rollforward::roll_forward;
use crate::template::Template;
use crate::write::csv::CsvEncoding;

/// A refused request: its status and one line saying why.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
        }
    }

    /// 400: the request itself is wrong (a parameter, a form field).
    pub(crate) fn bad(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    pub(crate) fn into_response_json(self) -> Response {
        let body = Json(json!({ "error": self.message }));
        let mut response = (self.status, body).into_response();
        if matches!(
            self.status,
            StatusCode::FORBIDDEN | StatusCode::PAYLOAD_TOO_LARGE
        ) {
            // The body may be unread: the connection cannot carry another request.
            response
                .headers_mut()
                .insert(CONNECTION, HeaderValue::from_static("close"));
        }
        response
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.into_response_json()
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> ApiError {
        let status = match &e {
            Error::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Error::Io { .. } | Error::Write { .. } => StatusCode::INTERNAL_SERVER_ERROR,
            Error::Template { .. } | Error::UnknownLayout { .. } => StatusCode::BAD_REQUEST,
            // A file that cannot be read, or not in the layout asked for.
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        };
        ApiError::new(status, e.to_string())
    }
}

impl From<MultipartRejection> for ApiError {
    fn from(e: MultipartRejection) -> ApiError {
        ApiError::bad(format!(
            "send the files as multipart/form-data: {}",
            e.body_text()
        ))
    }
}

impl From<QueryRejection> for ApiError {
    fn from(e: QueryRejection) -> ApiError {
        ApiError::bad(e.body_text())
    }
}

type Answer<T> = Result<T, ApiError>;

pub(crate) async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "no such page or API")
}

/// `GET /api/layouts`: the built-in layouts a file can be converted to.
pub(crate) async fn layouts() -> Json<Value> {
    let layouts: Vec<Value> = Template::builtins()
        .iter()
        .map(|t| {
            json!({
                "id": t.id,
                "name": t.name,
                "region": t.region,
                "kind": t.kind.as_str(),
            })
        })
        .collect();
    Json(json!({ "layouts": layouts }))
}

/// `POST /api/read`: the document, the grid as read, the findings.
pub(crate) async fn read(
    State(shared): State<Arc<Shared>>,
    request: Request,
) -> Answer<Json<Value>> {
    with_upload(&shared, request, |upload| {
        let (book, loaded) = read_one(&upload)?;
        let findings = check_document(&loaded.document);
        let mut answer = summary(&loaded, upload.template.as_ref());
        answer["warnings"] = json!(
            loaded
                .warnings
                .iter()
                .map(|w| w.to_string())
                .collect::<Vec<_>>()
        );
        answer["counts"] = json!(Counts::of(&findings));
        answer["findings"] = json!(finding_views(&findings));
        answer["grid"] = match &book {
            Some(book) => json!(grid_view(book)),
            None => json!({ "sheets": [] }),
        };
        answer["document"] = json!(loaded.document);
        Ok(Json(answer))
    })
    .await
}

/// `POST /api/check`: the findings only.
pub(crate) async fn check(
    State(shared): State<Arc<Shared>>,
    request: Request,
) -> Answer<Json<Value>> {
    with_upload(&shared, request, |upload| {
        let (_, loaded) = read_one(&upload)?;
        let findings = check_document(&loaded.document);
        Ok(Json(json!({
            "file": loaded.document.source.file,
            "counts": Counts::of(&findings),
            "findings": finding_views(&findings),
        })))
    })
    .await
}

/// `POST /api/preview?to=LAYOUT[&roll_forward=YEAR]`: the target form as the xlsx writer
/// would lay it out, and what the conversion drops, infers and leaves blank.
pub(crate) async fn preview(
    State(shared): State<Arc<Shared>>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
    request: Request,
) -> Answer<Json<Value>> {
    // Checked once the body is read: a refusal before it would reset the connection
    // under a client still sending.
    let params = query
        .map_err(ApiError::from)
        .and_then(|q| Params::from(&q.0));
    with_upload(&shared, request, move |upload| {
        let params = params?;
        let target = params
            .target(&upload)?
            .ok_or_else(|| ApiError::bad("say which layout: ?to=LAYOUT"))?;
        let (_, loaded) = read_one(&upload)?;
        let mut doc = loaded.document;
        let changes = params
            .roll_forward
            .map(|year| roll_forward(&mut doc, year))
            .unwrap_or_default();
        let (form, report) = convert::render_form(&doc, &target)?;
        Ok(Json(json!({
            "target": target.id,
            "report": report,
            "changes": changes,
            "form": form_view(&form)?,
        })))
    })
    .await
}

/// `POST /api/convert?to=LAYOUT&format=xlsx|csv|json[&encoding=gbk][&roll_forward=YEAR]`:
/// the converted file; for several documents, a zip of them with the batch report.
pub(crate) async fn convert(
    State(shared): State<Arc<Shared>>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
    request: Request,
) -> Answer<Response> {
    let params = query
        .map_err(ApiError::from)
        .and_then(|q| Params::from(&q.0));
    with_upload(&shared, request, move |upload| {
        let params = params?;
        let target = params.target(&upload)?;
        if params.format != Format::Json && target.is_none() {
            return Err(ApiError::bad(
                "say which layout: ?to=LAYOUT (not needed for format=json)",
            ));
        }
        if documents(&upload.files).len() == 1 {
            convert_one(&upload, &params, target)
        } else {
            convert_several(&upload, &params, target)
        }
    })
    .await
}

/// Waits for a free conversion slot, receives the upload, and does the work on a
/// blocking thread; a panic becomes a 500 naming the files, never a dropped connection.
async fn with_upload<T: Send + 'static>(
    shared: &Shared,
    request: Request,
    work: impl FnOnce(Upload) -> Answer<T> + Send + 'static,
) -> Answer<T> {
    // The slot is taken before the body is read, so at most `max_conversions` uploads
    // are held in memory at once.
    let _slot =
        shared.conversions.acquire().await.map_err(|_| {
            ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "the server is stopping")
        })?;
    let upload = receive(multipart_of(request).await?, shared.max_request_bytes).await?;
    let names = upload
        .files
        .iter()
        .map(|(n, _)| n.as_str())
        .collect::<Vec<_>>()
        .join(" + ");
    let outcome = tokio::task::spawn_blocking(move || {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(upload)))
    })
    .await;
    match outcome {
        Ok(Ok(answer)) => answer,
        _ => Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("{names}: internal error; please report this file"),
        )),
    }
}

/// The request's multipart body; any other body is read (within a bound) and refused,
/// so that the client gets the 400 rather than a connection reset under it.
async fn multipart_of(request: Request) -> Answer<Multipart> {
    let multipart = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    if !multipart {
        let _ = axum::body::to_bytes(request.into_body(), super::REFUSED_BODY_BYTES).await;
        return Err(ApiError::bad(
            "send the files as multipart/form-data (a `file` field for each)",
        ));
    }
    Ok(Multipart::from_request(request, &()).await?)
}

/// The files of an upload grouped into documents: the per-sheet CSVs of one workbook
/// (`<base>__<sheet>.csv`) together, as `jixiao batch` groups them.
fn documents(files: &[(String, Vec<u8>)]) -> BTreeSet<String> {
    files
        .iter()
        .map(|(name, _)| workbook_key(Path::new(name)))
        .collect()
}

/// Reads an upload that holds one document; the grid too, unless it is canonical JSON.
fn read_one(upload: &Upload) -> Answer<(Option<Workbook>, Loaded)> {
    if documents(&upload.files).len() != 1 {
        return Err(ApiError::bad(
            "send one table per request (or the per-sheet CSVs <name>__<sheet>.csv of one workbook)",
        ));
    }
    let read = ReadOptions {
        extra_templates: upload.template.iter().cloned().collect(),
        ..ReadOptions::default()
    };
    Ok(convert::load_parts(&upload.files, &read)?)
}

/// What the page shows at the top of a file's card.
fn summary(loaded: &Loaded, user: Option<&Template>) -> Value {
    let doc = &loaded.document;
    let layout = &doc.source.layout;
    let name = match user.filter(|t| &t.id == layout) {
        Some(t) => Some(t.name.clone()),
        None => Template::builtin(layout).ok().map(|t| t.name),
    };
    json!({
        "file": doc.source.file,
        "layout": doc.source.layout_name(),
        "layout_name": name,
        "confidence": loaded.confidence(),
        "kind": doc.kind.as_str(),
        "projects": doc.projects.len(),
        "indicators": doc.indicator_count(),
    })
}

/// The query parameters of preview and convert.
struct Params {
    to: Option<String>,
    format: Format,
    encoding: CsvEncoding,
    roll_forward: Option<i32>,
}

impl Params {
    fn from(query: &HashMap<String, String>) -> Answer<Params> {
        let format = match query.get("format").map(String::as_str) {
            None | Some("xlsx") => Format::Xlsx,
            Some("csv") => Format::Csv,
            Some("json") => Format::Json,
            Some(other) => {
                return Err(ApiError::bad(format!(
                    "format={other}: use xlsx, csv or json"
                )));
            }
        };
        let encoding = match query.get("encoding").map(|e| e.to_ascii_lowercase()) {
            None => CsvEncoding::Utf8Bom,
            Some(e) if e == "utf8" || e == "utf-8" => CsvEncoding::Utf8Bom,
            Some(e) if e == "gbk" => CsvEncoding::Gbk,
            Some(other) => return Err(ApiError::bad(format!("encoding={other}: use utf8 or gbk"))),
        };
        let roll_forward = match query
            .get("roll_forward")
            .map(|y| y.trim())
            .filter(|y| !y.is_empty())
        {
            None => None,
            Some(y) => Some(
                y.parse::<i32>()
                    .ok()
                    .filter(|y| (1900..=2200).contains(y))
                    .ok_or_else(|| {
                        ApiError::bad(format!("roll_forward={y}: give a year such as 2025"))
                    })?,
            ),
        };
        Ok(Params {
            to: query.get("to").filter(|t| !t.is_empty()).cloned(),
            format,
            encoding,
            roll_forward,
        })
    }

    /// The target layout: a built-in id, or the id of the template sent with the
    /// request. Never a path: a request cannot make the server read a file.
    fn target(&self, upload: &Upload) -> Answer<Option<Template>> {
        let Some(to) = &self.to else { return Ok(None) };
        if let Some(user) = upload.template.as_ref().filter(|t| &t.id == to) {
            return Ok(Some(user.clone()));
        }
        Ok(Some(Template::builtin(to)?))
    }

    fn write_options(&self, target: Option<Template>) -> WriteOptions {
        WriteOptions {
            format: self.format,
            template: target,
            // As `jixiao convert` does by default: the file reads back losing nothing.
            embed: true,
            csv_encoding: self.encoding,
        }
    }
}

/// One document: the file itself (a zip when a CSV output has several sheets).
fn convert_one(upload: &Upload, params: &Params, target: Option<Template>) -> Answer<Response> {
    let (_, loaded) = read_one(upload)?;
    let mut doc = loaded.document;
    if let Some(year) = params.roll_forward {
        roll_forward(&mut doc, year);
    }
    let rendered = convert::render_outputs_owned(doc, &params.write_options(target))?;
    let key = workbook_key(Path::new(&upload.files[0].0));
    let stem = key.split('\u{0}').next().unwrap_or("out");
    let name = format!("{stem}.{}", params.format.extension());
    if let [only] = rendered.outputs.as_slice() {
        return Ok(attachment(
            &name,
            content_type(params.format),
            only.bytes.clone(),
        ));
    }
    let entries = named_outputs(&name, &rendered.outputs);
    let zip = zip_entries(&entries)?;
    Ok(attachment(&format!("{stem}.zip"), "application/zip", zip))
}

/// Several documents: converted as `jixiao batch` converts a folder (the same grouping,
/// roll-forward history and report), in a temporary folder removed when done.
fn convert_several(upload: &Upload, params: &Params, target: Option<Template>) -> Answer<Response> {
    let temp = tempfile::Builder::new()
        .prefix("jixiao-serve-")
        .tempdir()
        .map_err(|e| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("cannot make a temporary folder: {e}"),
            )
        })?;
    let (in_dir, out_dir) = (temp.path().join("in"), temp.path().join("out"));
    let io = |e: std::io::Error| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("temporary folder: {e}"),
        )
    };
    std::fs::create_dir_all(&in_dir).map_err(io)?;
    let mut used = BTreeSet::new();
    for (name, bytes) in &upload.files {
        let name = unique_name(name, &mut used);
        std::fs::write(in_dir.join(&name), bytes).map_err(io)?;
    }
    let (jobs, mut rows) = batch::plan(&in_dir, &out_dir, params.format)?;
    let options = BatchOptions {
        to: target.clone(),
        format: params.format,
        jobs: 0,
        force: true,
        roll_forward: params.roll_forward,
        embed: true,
        csv_encoding: params.encoding,
        extra_templates: upload.template.iter().cloned().collect(),
    };
    rows.extend(batch::run(
        &jobs,
        &options,
        &AtomicBool::new(false),
        &|_| {},
    ));
    rows.sort_by(|a, b| a.input.cmp(&b.input));
    if !rows.iter().any(|r| r.status == Status::Converted) {
        let first = rows
            .iter()
            .find_map(|r| r.reason.clone())
            .unwrap_or_default();
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "none of the {} files could be converted: {first}",
                rows.len()
            ),
        ));
    }
    // The report names outputs as the zip does, not by the temporary folder.
    let prefix = format!("{}{}", out_dir.display(), std::path::MAIN_SEPARATOR);
    for row in &mut rows {
        if let Some(output) = &mut row.output {
            *output = output.replace(&prefix, "");
        }
    }
    let mut outputs = Vec::new();
    if out_dir.exists() {
        batch::walk(&out_dir, None, &mut outputs)?;
    }
    let mut entries = Vec::new();
    for path in outputs {
        let name = path
            .strip_prefix(&out_dir)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        entries.push((name, std::fs::read(&path).map_err(io)?));
    }
    entries.push(("report.csv".into(), batch::report_csv(&rows)));
    entries.push(("report.json".into(), batch::report_json(&rows)));
    let zip = zip_entries(&entries)?;
    let layout = target.map_or_else(|| "json".to_string(), |t| t.id);
    Ok(attachment(
        &format!("jixiao-{layout}.zip"),
        "application/zip",
        zip,
    ))
}

/// A name not yet used in the temporary folder: "a.xlsx", then "a (2).xlsx" …
fn unique_name(name: &str, used: &mut BTreeSet<String>) -> String {
    let path = Path::new(name);
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("upload");
    let ext = path
        .extension()
        .and_then(|s| s.to_str())
        .map(|e| format!(".{e}"))
        .unwrap_or_default();
    let mut candidate = name.to_string();
    let mut n = 1;
    while used.contains(&candidate.to_lowercase()) {
        n += 1;
        candidate = format!("{stem} ({n}){ext}");
    }
    used.insert(candidate.to_lowercase());
    candidate
}

/// The outputs of one document by the names `jixiao convert` gives them.
fn named_outputs(name: &str, outputs: &[Output]) -> Vec<(String, Vec<u8>)> {
    convert::output_paths(Path::new(name), outputs)
        .iter()
        .zip(outputs)
        .map(|(path, o)| (path.to_string_lossy().into_owned(), o.bytes.clone()))
        .collect()
}

/// A zip of named files, with fixed times so the same files give the same bytes.
fn zip_entries(entries: &[(String, Vec<u8>)]) -> Answer<Vec<u8>> {
    let failed = |e: &dyn std::fmt::Display| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("cannot build the zip: {e}"),
        )
    };
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for (name, bytes) in entries {
        zip.start_file(name.as_str(), options)
            .map_err(|e| failed(&e))?;
        zip.write_all(bytes).map_err(|e| failed(&e))?;
    }
    Ok(zip.finish().map_err(|e| failed(&e))?.into_inner())
}

fn content_type(format: Format) -> &'static str {
    match format {
        Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Format::Csv => "text/csv",
        Format::Json => "application/json",
    }
}

/// A download named `name` (UTF-8 names as RFC 6266 `filename*`, with an ASCII fallback).
fn attachment(name: &str, content_type: &'static str, bytes: Vec<u8>) -> Response {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(CONTENT_DISPOSITION, value);
    }
    response
}
