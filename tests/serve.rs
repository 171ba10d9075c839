//! `jixiao serve`'s HTTP API, over real HTTP: every endpoint with good files of every
//! format, and the requests it must refuse — each with its status and message, and the
//! server still answering afterwards.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};

use jixiao::convert::{self, Format, ReadOptions, WriteOptions};
use jixiao::serve::{Running, ServeOptions};
use reqwest::StatusCode;
use reqwest::blocking::multipart::{Form, Part};
use reqwest::blocking::{Client, Response};
use serde_json::Value;

use common::{assert_same, comparable, fixture, load};

struct Server {
    running: Running,
    client: Client,
}

impl Server {
    fn start() -> Server {
        Server::with(ServeOptions {
            port: 0,
            ..ServeOptions::default()
        })
    }

    fn with(options: ServeOptions) -> Server {
        Server {
            running: Running::start(options).expect("the server starts"),
            client: Client::builder()
                .timeout(std::time::Duration::from_secs(120))
                .build()
                .unwrap(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.running.addr)
    }

    /// A POST with the token in its header and these files as `file` fields.
    fn post(&self, path: &str, files: &[&Path]) -> Response {
        let mut form = Form::new();
        for f in files {
            form = form.part("file", file_part(f));
        }
        self.post_form(path, form)
    }

    fn post_form(&self, path: &str, form: Form) -> Response {
        self.client
            .post(self.url(path))
            .header("X-Jixiao-Token", &self.running.token)
            .multipart(form)
            .send()
            .expect("the server answers")
    }

    /// The server still answers a good request.
    fn assert_alive(&self) {
        let r = self
            .client
            .get(self.url(&format!("/api/layouts?t={}", self.running.token)))
            .send()
            .expect("the server still answers");
        assert_eq!(r.status(), StatusCode::OK);
    }
}

fn file_part(path: &Path) -> Part {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    Part::bytes(std::fs::read(path).unwrap()).file_name(name)
}

fn json(r: Response) -> Value {
    r.json().expect("a JSON answer")
}

/// The status and the one-line error of a refused request.
fn refused(r: Response) -> (StatusCode, String) {
    let status = r.status();
    let body = json(r);
    let message = body["error"]
        .as_str()
        .unwrap_or_else(|| panic!("no error message in {body}"))
        .to_string();
    assert!(!message.contains('\n'), "one line: {message}");
    (status, message)
}

fn legacy(name: &str) -> PathBuf {
    fixture(&format!("legacy/{name}"))
}

#[test]
fn the_page_and_every_request_need_the_token() {
    let server = Server::start();
    let token = &server.running.token;
    let page = server
        .client
        .get(server.url(&format!("/?t={token}")))
        .send()
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert!(page.headers().get("access-control-allow-origin").is_none());
    let html = page.text().unwrap();
    assert!(
        html.contains(&format!("/app.js?t={token}")),
        "the page links its script with the token"
    );
    for path in ["/app.js", "/app.css"] {
        let r = server
            .client
            .get(server.url(&format!("{path}?t={token}")))
            .send()
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
    }

    for (path, what) in [
        ("/".to_string(), "no token"),
        ("/?t=0123".to_string(), "a wrong token"),
        (format!("/?t={token}x"), "a longer token"),
        ("/api/layouts".to_string(), "no token"),
        ("/app.js".to_string(), "no token"),
    ] {
        let r = server.client.get(server.url(&path)).send().unwrap();
        let (status, message) = refused(r);
        assert_eq!(status, StatusCode::FORBIDDEN, "{what}: {path}");
        assert!(message.contains("token"), "{message}");
    }
    let r = server
        .client
        .post(server.url("/api/read"))
        .header("X-Jixiao-Token", "wrong")
        .multipart(Form::new().part("file", file_part(&fixture("luan_2023.xlsx"))))
        .send()
        .unwrap();
    assert_eq!(refused(r).0, StatusCode::FORBIDDEN);
    server.assert_alive();
}

#[test]
fn a_foreign_host_is_refused_even_with_the_token() {
    let server = Server::start();
    let token = &server.running.token;
    // A page of another site whose name resolves to 127.0.0.1 (DNS rebinding) sends its
    // own name as Host.
    for host in [
        "evil.example",
        "evil.example:8421",
        "127.0.0.1.evil.example",
    ] {
        let r = server
            .client
            .get(server.url(&format!("/api/layouts?t={token}")))
            .header("Host", host)
            .send()
            .unwrap();
        let (status, message) = refused(r);
        assert_eq!(status, StatusCode::FORBIDDEN, "{host}");
        assert!(message.contains("Host"), "{message}");
    }
    let r = server
        .client
        .get(server.url(&format!("/api/layouts?t={token}")))
        .header("Host", format!("localhost:{}", server.running.addr.port()))
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[test]
fn layouts_lists_the_built_ins() {
    let server = Server::start();
    let body = json(
        server
            .client
            .get(server.url("/api/layouts"))
            .header("X-Jixiao-Token", &server.running.token)
            .send()
            .unwrap(),
    );
    let ids: Vec<&str> = body["layouts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, jixiao::template::builtin_ids());
}

/// What `POST /api/read` answers is what the library reads from the same file.
fn reads_as_the_library_does(server: &Server, files: &[PathBuf], layout: &str) -> Value {
    let refs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let r = server.post("/api/read", &refs);
    assert_eq!(r.status(), StatusCode::OK, "{files:?}");
    let body = json(r);
    assert_eq!(body["layout"], layout, "{files:?}");
    let got: jixiao::Document = serde_json::from_value(body["document"].clone()).unwrap();
    let expected = convert::load_many(files, &ReadOptions::default())
        .unwrap()
        .document;
    assert_same(
        &comparable(&got),
        &comparable(&expected),
        &format!("{files:?}"),
    );
    assert_eq!(body["projects"], expected.projects.len());
    assert_eq!(body["indicators"], expected.indicator_count());
    body
}

#[test]
fn read_answers_every_format() {
    let server = Server::start();
    for (files, layout) in [
        (vec![fixture("luan_2023.xlsx")], "luan"),
        (vec![fixture("yancheng_2022.csv")], "yancheng"),
        (vec![fixture("yancheng_2022.gbk.csv")], "yancheng"),
        (vec![fixture("guangzhou.xlsx")], "guangzhou"),
        (vec![legacy("luan_2023.xls")], "luan"),
        (vec![legacy("linyi_2023.ods")], "linyi"),
        (vec![legacy("guangzhou.htm")], "guangzhou"),
        (vec![fixture("regions/ningde_2019.xlsx")], "ningde"),
        (
            vec![
                fixture("luan_2023__公积金中心市本级及管理部管理费.csv"),
                fixture("luan_2023__公积金中心运转维护经费.csv"),
            ],
            "luan",
        ),
    ] {
        let body = reads_as_the_library_does(&server, &files, layout);
        let sheets = body["grid"]["sheets"].as_array().unwrap();
        assert!(!sheets.is_empty(), "{files:?}: the grid as read");
        let first = &sheets[0];
        assert!(first["cells"].as_array().unwrap().len() > 10, "{files:?}");
        assert_eq!(first["truncated"], false);
    }
    // The xlsx keeps its merges: the page draws them.
    let body = reads_as_the_library_does(&server, &[fixture("luan_2023.xlsx")], "luan");
    let merges = body["grid"]["sheets"][0]["merges"].as_array().unwrap();
    assert!(merges.len() > 5, "{merges:?}");
    assert_eq!(body["confidence"], 1.0);

    // Canonical JSON: read as it is, no grid.
    let dir = common::scratch("serve-json");
    let doc = load(&fixture("luan_2023.xlsx"));
    let json_file = dir.join("luan.json");
    std::fs::write(&json_file, convert::to_json(&doc)).unwrap();
    let body = reads_as_the_library_does(&server, &[json_file], "luan");
    assert_eq!(body["grid"]["sheets"].as_array().unwrap().len(), 0);
    assert_eq!(body["confidence"], Value::Null);
}

#[test]
fn findings_name_their_cells() {
    let server = Server::start();
    let ezhou = fixture("regions/ezhou_2022.xlsx");
    for path in ["/api/read", "/api/check"] {
        let body = json(server.post(path, &[&ezhou]));
        let expected = jixiao::check::check(&load(&ezhou));
        let findings = body["findings"].as_array().unwrap();
        assert_eq!(findings.len(), expected.len(), "{path}");
        assert_eq!(
            body["counts"]["errors"],
            jixiao::check::Counts::of(&expected).errors
        );
        let j110 = findings
            .iter()
            .find(|f| f["code"] == "J110")
            .expect("J110 at D9");
        assert_eq!(j110["severity"], "error");
        let at = &j110["at"];
        assert_eq!(
            j110["cell"].as_str().unwrap(),
            format!("{}!D9", at["sheet"].as_str().unwrap())
        );
        assert_eq!((at["row"].as_u64(), at["col"].as_u64()), (Some(8), Some(3)));
    }
}

#[test]
fn preview_shows_the_target_form_and_its_losses() {
    let server = Server::start();
    let luan = fixture("luan_2023.xlsx");
    let body = json(server.post("/api/preview?to=national", &[&luan]));
    assert_eq!(body["target"], "national");
    let template = jixiao::Template::builtin("national").unwrap();
    let (form, report) = convert::render_form(&load(&luan), &template).unwrap();
    assert_eq!(body["report"], serde_json::to_value(&report).unwrap());
    let sheets = body["form"]["sheets"].as_array().unwrap();
    assert_eq!(sheets.len(), form.sheets.len());
    let cells = sheets[0]["cells"].as_array().unwrap();
    assert_eq!(cells.len(), form.sheets[0].cells.len());
    assert_eq!(cells[0]["style"], "title");
    assert!(
        cells
            .iter()
            .any(|c| c["style"] == "label" && c["text"] == "项目名称")
    );
    assert!(
        cells.iter().any(|c| c["cols"].as_u64() > Some(1)),
        "merged cells keep their spans"
    );
    assert_eq!(
        sheets[0]["widths"].as_array().unwrap().len() as u64,
        sheets[0]["columns"].as_u64().unwrap()
    );

    let r = server.post("/api/preview?to=national&roll_forward=2024", &[&luan]);
    let body = json(r);
    assert!(
        !body["changes"].as_array().unwrap().is_empty(),
        "rolled forward"
    );
    let (status, message) = refused(server.post("/api/preview", &[&luan]));
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(message.contains("?to="), "{message}");
}

/// The file `jixiao convert IN -o OUT --to LAYOUT` writes (embedded copy on), read back.
fn converted_by_the_cli(input: &Path, to: &str, format: Format) -> jixiao::Document {
    let doc = load(input);
    let options = WriteOptions {
        format,
        template: Some(jixiao::Template::builtin(to).unwrap()),
        embed: true,
        csv_encoding: jixiao::write::CsvEncoding::Utf8Bom,
    };
    let rendered = convert::render_outputs(&doc, &options).unwrap();
    let dir = common::scratch(&format!("serve-cli-{}", common::rand_suffix()));
    let out = dir.join(format!(
        "out.{}",
        if format == Format::Xlsx {
            "xlsx"
        } else {
            "csv"
        }
    ));
    let paths = convert::save(&out, &rendered.outputs).unwrap();
    convert::load_many(&paths, &ReadOptions::default())
        .unwrap()
        .document
}

fn read_download(bytes: &[u8], name: &str) -> jixiao::Document {
    convert::load_bytes(name, bytes, &ReadOptions::default())
        .unwrap()
        .document
}

#[test]
fn convert_gives_the_file_jixiao_convert_writes() {
    let server = Server::start();
    let luan = fixture("luan_2023.xlsx");
    let r = server.post("/api/convert?to=national&format=xlsx", &[&luan]);
    assert_eq!(r.status(), StatusCode::OK);
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        disposition.contains("filename*=UTF-8''luan_2023.xlsx"),
        "{disposition}"
    );
    let bytes = r.bytes().unwrap();
    let expected = converted_by_the_cli(&luan, "national", Format::Xlsx);
    assert_same(
        &comparable(&read_download(&bytes, "out.xlsx")),
        &comparable(&expected),
        "xlsx",
    );

    // JSON needs no layout.
    let r = server.post("/api/convert?format=json", &[&luan]);
    assert_eq!(r.status(), StatusCode::OK);
    let got = read_download(&r.bytes().unwrap(), "out.json");
    assert_same(&comparable(&got), &comparable(&load(&luan)), "json");

    // GBK CSV of a one-sheet form.
    let yancheng = fixture("yancheng_2022.xlsx");
    let r = server.post(
        "/api/convert?to=yancheng&format=csv&encoding=gbk",
        &[&yancheng],
    );
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().unwrap();
    assert!(std::str::from_utf8(&bytes).is_err(), "GBK, not UTF-8");
    let got = read_download(&bytes, "out.csv");
    let expected = converted_by_the_cli(&yancheng, "yancheng", Format::Csv);
    assert_same(&comparable(&got), &comparable(&expected), "gbk csv");

    // A CSV output of several sheets comes as a zip of them, named as the CLI names them.
    let r = server.post("/api/convert?to=luan&format=csv", &[&luan]);
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/zip");
    let names = zip_names(&r.bytes().unwrap());
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(
        names[0] == "luan_2023.csv" && names[1].starts_with("luan_2023__"),
        "{names:?}"
    );
}

fn zip_names(bytes: &[u8]) -> Vec<String> {
    let zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    zip.file_names()
        .map(|n| n.expect("an entry name").to_string())
        .collect::<Vec<_>>()
}

fn zip_entry(bytes: &[u8], name: &str) -> Vec<u8> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut entry = zip
        .by_name(name)
        .unwrap_or_else(|_| panic!("{name} in the zip"));
    let mut out = Vec::new();
    entry.read_to_end(&mut out).unwrap();
    out
}

#[test]
fn several_files_come_back_as_a_zip_with_the_batch_report() {
    let server = Server::start();
    let before = leftover_temporaries();
    let luan = fixture("luan_2023.xlsx");
    let yancheng = fixture("yancheng_2022.csv");
    let broken = fixture("../bad_input/random-bytes.xlsx");
    let r = server.post("/api/convert?to=national", &[&luan, &yancheng, &broken]);
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("jixiao-national.zip")
    );
    let zip = r.bytes().unwrap();
    let mut names = zip_names(&zip);
    names.sort();
    assert_eq!(
        names,
        [
            "luan_2023.xlsx",
            "report.csv",
            "report.json",
            "yancheng_2022.xlsx"
        ]
    );
    for (input, entry) in [(&luan, "luan_2023.xlsx"), (&yancheng, "yancheng_2022.xlsx")] {
        let got = read_download(&zip_entry(&zip, entry), entry);
        let expected = converted_by_the_cli(input, "national", Format::Xlsx);
        assert_same(&comparable(&got), &comparable(&expected), entry);
    }
    let report: Value = serde_json::from_slice(&zip_entry(&zip, "report.json")).unwrap();
    assert_eq!(report["summary"]["converted"], 2);
    assert_eq!(report["summary"]["failed"], 1);
    let failed = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["status"] == "failed")
        .unwrap();
    assert_eq!(failed["input"], "random-bytes.xlsx");
    assert!(
        failed["reason"]
            .as_str()
            .unwrap()
            .contains("random-bytes.xlsx"),
        "{failed}"
    );
    let converted = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["input"] == "luan_2023.xlsx")
        .unwrap();
    assert_eq!(
        converted["output"], "luan_2023.xlsx",
        "named as in the zip, not by a temporary folder"
    );
    // The per-sheet CSVs of one workbook are one input.
    let r = server.post(
        "/api/convert?to=national",
        &[
            &fixture("luan_2023__公积金中心市本级及管理部管理费.csv"),
            &fixture("luan_2023__公积金中心运转维护经费.csv"),
            &yancheng,
        ],
    );
    assert_eq!(r.status(), StatusCode::OK);
    let mut names = zip_names(&r.bytes().unwrap());
    names.sort();
    assert_eq!(
        names,
        [
            "luan_2023.xlsx",
            "report.csv",
            "report.json",
            "yancheng_2022.xlsx"
        ]
    );
    // Nothing is left on disk.
    assert_eq!(leftover_temporaries(), before);

    // None readable: refused, with the first reason.
    let (status, message) = refused(server.post(
        "/api/convert?to=national",
        &[&broken, &fixture("../bad_input/really-a-pdf.xls")],
    ));
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        message.starts_with("none of the 2 files could be converted"),
        "{message}"
    );
    assert_eq!(leftover_temporaries(), before);
    server.assert_alive();
}

fn leftover_temporaries() -> usize {
    std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("jixiao-serve-"))
        .count()
}

#[test]
fn bad_files_get_a_4xx_and_one_line_naming_them() {
    let server = Server::start();
    let bad = |name: &str| fixture(&format!("../bad_input/{name}"));
    for (file, status, says) in [
        (
            bad("random-bytes.xlsx"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "random-bytes.xlsx",
        ),
        (
            bad("password-protected.xlsx"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "password-protected or encrypted",
        ),
        (
            bad("really-a-pdf.xls"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "PDF",
        ),
        (
            bad("empty.xls"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "empty.xls",
        ),
        (
            bad("zip-bomb-200mb.xlsx"),
            StatusCode::PAYLOAD_TOO_LARGE,
            "too large",
        ),
    ] {
        for path in [
            "/api/read",
            "/api/check",
            "/api/preview?to=national",
            "/api/convert?to=national",
        ] {
            let (got, message) = refused(server.post(path, &[&file]));
            assert_eq!(got, status, "{path} {file:?}: {message}");
            assert!(message.contains(says), "{path}: {message}");
        }
        server.assert_alive();
    }
    // A zip archive of workbooks is not a workbook.
    let dir = common::scratch("serve-zip-upload");
    let archive = dir.join("tables.zip");
    {
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&archive).unwrap());
        for f in ["luan_2023.xlsx", "guangzhou.xlsx"] {
            zip.start_file(f, zip::write::SimpleFileOptions::default())
                .unwrap();
            std::io::Write::write_all(&mut zip, &std::fs::read(fixture(f)).unwrap()).unwrap();
        }
        zip.finish().unwrap();
    }
    let (status, message) = refused(server.post("/api/read", &[&archive]));
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        message.starts_with("tables.zip: not a readable spreadsheet"),
        "{message}"
    );
    // A table in no known layout.
    let shopping = dir.join("shopping.csv");
    std::fs::write(&shopping, "品名,数量\n苹果,3\n梨,4\n").unwrap();
    let (status, message) = refused(server.post("/api/read", &[&shopping]));
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{message}");
    assert!(
        message.starts_with("shopping.csv: no performance target table found"),
        "{message}"
    );
    server.assert_alive();
}

#[test]
fn an_oversized_upload_is_refused_and_the_server_goes_on() {
    let server = Server::with(ServeOptions {
        port: 0,
        max_request_bytes: 64 * 1024,
        ..ServeOptions::default()
    });
    let big =
        |size: usize| Form::new().part("file", Part::bytes(vec![b'a'; size]).file_name("big.csv"));
    let (status, message) = refused(server.post_form("/api/read", big(200 * 1024)));
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(message.contains("larger than"), "{message}");
    server.assert_alive();
    // Far past the bound the body is not read to its end: the answer is a 413 or, when
    // the client is still sending, a closed connection; the server goes on either way.
    let far = server
        .client
        .post(server.url("/api/read"))
        .header("X-Jixiao-Token", &server.running.token)
        .multipart(big(8 * 1024 * 1024))
        .send();
    if let Ok(r) = far {
        assert_eq!(refused(r).0, StatusCode::PAYLOAD_TOO_LARGE);
    }
    server.assert_alive();
    // Under the bound, the same server reads.
    assert_eq!(
        server
            .post("/api/read", &[&fixture("luan_2023.xlsx")])
            .status(),
        StatusCode::OK
    );
}

#[test]
fn requests_cannot_name_paths_or_send_nonsense() {
    let server = Server::start();
    let luan = fixture("luan_2023.xlsx");
    for (path, says) in [
        ("/api/convert?to=/etc/passwd", "unknown layout"),
        (
            "/api/convert?to=..%2Ftemplates%2Fluan.toml",
            "unknown layout",
        ),
        ("/api/convert?to=national&format=pdf", "format=pdf"),
        (
            "/api/convert?to=national&encoding=latin1",
            "encoding=latin1",
        ),
        (
            "/api/convert?to=national&roll_forward=soon",
            "roll_forward=soon",
        ),
        ("/api/convert?format=xlsx", "?to=LAYOUT"),
    ] {
        let (status, message) = refused(server.post(path, &[&luan]));
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {message}");
        assert!(message.contains(says), "{path}: {message}");
    }
    // A user template may extend a built-in, never name a file.
    let template = "id = \"mine\"\nextends = \"/etc/passwd\"\n";
    let form = Form::new()
        .part("file", file_part(&luan))
        .part("template", Part::text(template).file_name("mine.toml"));
    let (status, message) = refused(server.post_form("/api/read", form));
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(message.contains("only built-in layouts"), "{message}");
    // No file, an unknown field, several workbooks where one is read, not multipart.
    let (status, message) = refused(server.post_form("/api/read", Form::new().text("x", "1")));
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(message.contains("unexpected form field"), "{message}");
    let (status, _) = refused(server.post_form("/api/read", Form::new()));
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, message) = refused(server.post("/api/read", &[&luan, &fixture("guangzhou.xlsx")]));
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(message.contains("one table per request"), "{message}");
    let r = server
        .client
        .post(server.url("/api/read"))
        .header("X-Jixiao-Token", &server.running.token)
        .body("not multipart")
        .send()
        .unwrap();
    assert_eq!(refused(r).0, StatusCode::BAD_REQUEST);
    let r = server
        .client
        .get(server.url(&format!("/nowhere?t={}", server.running.token)))
        .send()
        .unwrap();
    assert_eq!(refused(r).0, StatusCode::NOT_FOUND);
    server.assert_alive();
}

#[test]
fn a_user_template_is_read_with_and_written_to() {
    let server = Server::start();
    let template_path = fixture("templates/national_split.toml");
    let template = std::fs::read_to_string(&template_path).unwrap();
    let id = jixiao::Template::from_file(&template_path).unwrap().id;
    let national = fixture("luan_2023.xlsx");
    let form = Form::new().part("file", file_part(&national)).part(
        "template",
        Part::text(template.clone()).file_name("national_split.toml"),
    );
    let r = server.post_form(&format!("/api/convert?to={id}"), form);
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().unwrap();
    let written = common::scratch("serve-user-template").join("out.xlsx");
    std::fs::write(&written, &bytes).unwrap();
    let back = common::load_with(&written, &template_path);
    assert_eq!(back.projects.len(), load(&national).projects.len());
}

#[test]
fn conversions_at_once_all_finish() {
    let server = std::sync::Arc::new(Server::start());
    let handles: Vec<_> = (0..6)
        .map(|i| {
            let server = server.clone();
            std::thread::spawn(move || {
                let file = if i % 2 == 0 {
                    fixture("luan_2023.xlsx")
                } else {
                    fixture("yancheng_2022.xlsx")
                };
                server.post("/api/convert?to=national", &[&file]).status()
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), StatusCode::OK);
    }
}

#[test]
fn the_command_prints_its_address_and_stops_on_ctrl_c() {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .args(["serve", "--port", "0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("jixiao serve: ")
        .expect(&line)
        .to_string();
    assert!(
        url.starts_with("http://127.0.0.1:") && url.contains("/?t="),
        "{url}"
    );
    let token = url.rsplit("t=").next().unwrap();
    assert_eq!(token.len(), 32, "128 random bits");
    let page = reqwest::blocking::get(&url).unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().unwrap().contains("绩效"));
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(err.contains("stopped"), "{err}");
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = common::jixiao(&["serve", "--port", &port]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("127.0.0.1:{port}: cannot listen")) && err.contains("--port 0"),
        "{err}"
    );
}
