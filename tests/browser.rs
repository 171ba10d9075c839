//! The page of `jixiao serve` in a real browser: headless Chromium driven through
//! chromedriver (fantoccini, plain HTTP). Upload a file, see its findings circled on the
//! sheet as read, preview the target form, download, and check that the downloaded file
//! reads back to the same document `jixiao convert` gives; then two files at once (zip).
//!
//! Skipped with a note when chromium or chromedriver is missing, unless
//! JIXIAO_REQUIRE_CHROMIUM=1 (CI), which makes that a failure. Screenshots go to
//! `target/serve-screens/`.

mod common;

use std::io::Read as _;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use jixiao::Document;
use jixiao::grid::Cell;
use jixiao::serve::{Running, ServeOptions};
use serde_json::{Value, json};

use common::{assert_same, copy_xlsx, fixture, scratch, without_source};

/// How long any one thing on the page may take to appear.
const WAIT: Duration = Duration::from_secs(30);
/// How long a whole test may take before it is called hung.
const WHOLE_TEST: Duration = Duration::from_secs(240);

/// chromium and chromedriver, or `None` (with a note printed) when the test is skipped.
fn browser_tools() -> Option<(PathBuf, PathBuf)> {
    let find = |names: &[&str]| -> Option<PathBuf> {
        let path = std::env::var_os("PATH").unwrap_or_default();
        names.iter().find_map(|name| {
            std::env::split_paths(&path)
                .map(|dir| dir.join(name))
                .find(|p| p.is_file())
        })
    };
    let chromium = find(&["chromium", "chromium-browser", "google-chrome"]);
    let driver = find(&["chromedriver"]);
    match (chromium, driver) {
        (Some(c), Some(d)) => Some((c, d)),
        _ => {
            let required = std::env::var("JIXIAO_REQUIRE_CHROMIUM").is_ok_and(|v| v == "1");
            assert!(
                !required,
                "JIXIAO_REQUIRE_CHROMIUM=1 but chromium or chromedriver is missing \
                 (Debian: apt-get install chromium chromium-driver)"
            );
            eprintln!(
                "browser test skipped: chromium or chromedriver not found \
                 (Debian: apt-get install chromium chromium-driver)"
            );
            None
        }
    }
}

/// A chromedriver child process, killed when dropped.
struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    fn start(binary: &Path) -> Driver {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(binary)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let driver = Driver { child, port };
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed() < WAIT,
                "chromedriver did not listen on port {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        driver
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Where screenshots go: `target/serve-screens/`.
fn screens_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let dir = target.join("serve-screens");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `steps` against the page in a fresh headless Chromium whose downloads go to
/// `downloads`; the browser is closed and chromedriver stopped whatever happens.
fn with_page<F, Fut>(downloads: &Path, steps: F)
where
    F: FnOnce(Client, String) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let Some((chromium, chromedriver)) = browser_tools() else {
        return;
    };
    let server = Running::start(ServeOptions {
        port: 0,
        ..ServeOptions::default()
    })
    .expect("the server starts");
    let driver = Driver::start(&chromedriver);
    let caps = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium,
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--window-size=1280,900",
                "--lang=zh-CN",
            ],
            "prefs": {
                "download.default_directory": downloads,
                "download.prompt_for_download": false,
                "download.directory_upgrade": true,
            },
        },
    });
    let Value::Object(caps) = caps else {
        unreachable!()
    };
    let url = server.url();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let outcome = runtime.block_on(async move {
        let client = fantoccini::ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&driver.url())
            .await
            .expect("a chromedriver session");
        let run = tokio::spawn(tokio::time::timeout(WHOLE_TEST, steps(client.clone(), url)));
        let outcome = run.await;
        let _ = client.close().await;
        drop(driver);
        outcome
    });
    drop(server);
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(_)) => panic!("the browser test did not finish in {WHOLE_TEST:?}"),
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

async fn wait_for(c: &Client, css: &str) -> fantoccini::elements::Element {
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("waiting for {css}: {e}"))
}

/// Waits until the status line says `state`; an error shown there fails at once.
async fn wait_status(c: &Client, state: &str) {
    let start = Instant::now();
    loop {
        let status = c.find(Locator::Css("#status")).await.unwrap();
        let now = status.attr("data-state").await.unwrap().unwrap_or_default();
        if now == state {
            return;
        }
        let text = status.text().await.unwrap_or_default();
        assert!(now != "error", "the page reports an error: {text}");
        assert!(
            start.elapsed() < WAIT,
            "status still {now:?} ({text}), waiting for {state:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Picks an option of a `<select>`.
async fn choose(c: &Client, css: &str, value: &str) {
    let select = c.find(Locator::Css(css)).await.unwrap();
    select.select_by_value(value).await.unwrap();
}

/// Clicks an element.
async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

async fn screenshot(c: &Client, name: &str) {
    let png = c.screenshot().await.expect("a screenshot");
    std::fs::write(screens_dir().join(name), png).unwrap();
}

/// Waits for the one finished download in `dir` (no `.crdownload` left).
async fn wait_download(dir: &Path) -> PathBuf {
    let start = Instant::now();
    let mut last: Option<(PathBuf, u64)> = None;
    loop {
        let entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        let partial = entries
            .iter()
            .any(|p| p.extension().is_some_and(|e| e == "crdownload"));
        if let [only] = entries.as_slice()
            && !partial
        {
            let size = std::fs::metadata(only).unwrap().len();
            // The same size twice in a row: the browser is done writing.
            if size > 0 && last.as_ref() == Some(&(only.clone(), size)) {
                return only.clone();
            }
            last = Some((only.clone(), size));
        }
        assert!(
            start.elapsed() < WAIT,
            "no finished download in {}: {entries:?}",
            dir.display()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// What `jixiao convert IN --to LAYOUT -o OUT.xlsx` writes (the binary itself, embedded
/// copy on as by default), read back.
fn converted_by_cli(input: &Path, to: &str) -> Document {
    let dir = scratch(&format!("browser-cli-{}", common::rand_suffix()));
    let out = dir.join("out.xlsx");
    let run = common::jixiao(&[
        "convert",
        input.to_str().unwrap(),
        "--to",
        to,
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(
        run.status.success(),
        "jixiao convert {}: {}",
        input.display(),
        String::from_utf8_lossy(&run.stderr)
    );
    let doc = common::load(&out);
    let _ = std::fs::remove_dir_all(dir);
    doc
}

/// What the luan copy's 实施单位 says: markup that would run if the page inserted cell
/// text as HTML.
const MARKUP: &str = "六安市住房公积金中心<img src=x onerror=\"document.title='pwned'\"><b>粗</b>";

/// [`MARKUP`] (实施单位) shows as text in a preview's cells (`#source-preview`, the file
/// as read; `#target-preview`, the form it becomes), and nowhere on the page became
/// elements (an img, a b in either preview or a file card) or ran.
async fn assert_markup_is_text(c: &Client, preview: &str) {
    let seen = c
        .execute(
            r#"
            const [markup, preview] = arguments;
            const cells = [...document.querySelectorAll(preview + ' td')];
            return {
              elements: document.querySelectorAll('img, #source-preview b, #target-preview b, .file-card b').length,
              shown: cells.some((td) => td.textContent.includes(markup)),
              title: document.title,
            };
            "#,
            vec![json!(MARKUP), json!(preview)],
        )
        .await
        .unwrap();
    assert_eq!(
        seen["elements"],
        json!(0),
        "{preview}: markup in a cell became elements: {seen}"
    );
    assert_eq!(
        seen["shown"],
        json!(true),
        "{preview}: the cell's text is shown as text: {seen}"
    );
    assert_ne!(seen["title"], json!("pwned"), "{preview}: {seen}");
}

/// The luan fixture with one error put in: 年度资金总额 77.03 raised to 80.00, so that
/// it no longer equals 财政拨款 + 其他资金 and `check` circles the cell; and markup as
/// the text of 实施单位 (H4).
fn luan_with_an_error(dir: &Path) -> PathBuf {
    copy_xlsx(
        &fixture("luan_2023.xlsx"),
        &dir.join("luan_2023.xlsx"),
        |_| Vec::new(),
        &[],
        |sheet, row, col, cell| {
            if sheet.name == "公积金中心市本级及管理部管理费" && (row, col) == (5, 7)
            {
                Cell::Number {
                    value: 80.0,
                    decimals: Some(2),
                    percent: false,
                }
            } else if sheet.name == "公积金中心市本级及管理部管理费" && (row, col) == (3, 7)
            {
                // Markup in a cell is text: the page must show it, never run it.
                Cell::Text(MARKUP.to_string())
            } else {
                cell.clone()
            }
        },
    )
}

#[test]
fn one_file_findings_preview_and_download() {
    let work = scratch("browser-one");
    let downloads = tempfile::tempdir().unwrap();
    let input = luan_with_an_error(&work);
    let expected = converted_by_cli(&input, "national");
    let dl = downloads.path().to_path_buf();
    let path = input.clone();
    with_page(downloads.path(), move |c, url| async move {
        c.goto(&url).await.unwrap();
        wait_for(&c, "#target option[value='national']").await;
        let files = c.find(Locator::Css("#files")).await.unwrap();
        files.send_keys(path.to_str().unwrap()).await.unwrap();

        // The card: layout, counts and the finding the raised total makes.
        let card = ".file-card[data-file='luan_2023.xlsx']";
        let finding = wait_for(&c, &format!("{card} .finding.sev-error[data-cell]")).await;
        wait_for(&c, &format!("{card} .layout-line code")).await;
        let card_text = c
            .find(Locator::Css(card))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(card_text.contains("luan"), "{card_text}");
        assert!(card_text.contains("项目 2 个"), "{card_text}");
        assert!(card_text.contains("错误 "), "{card_text}");
        assert!(
            c.find(Locator::Css(&format!("{card}.selected")))
                .await
                .is_ok(),
            "the first file read is selected"
        );
        wait_for(&c, "#source-preview table.grid td.marked-error").await;
        assert_markup_is_text(&c, "#source-preview").await;

        // Clicking the finding: its cell is marked, centred in view, flashing.
        let cell = finding.attr("data-cell").await.unwrap().unwrap();
        finding.click().await.unwrap();
        let seen = c
            .execute(
                r#"
                const want = arguments[0];
                const td = document.querySelector('#source-preview td.flash');
                if (!td) return null;
                const parse = (ref) => {
                  const [sheet, a] = [ref.slice(0, ref.lastIndexOf('!')), ref.slice(ref.lastIndexOf('!') + 1)];
                  const m = /^([A-Z]+)(\d+)/.exec(a);
                  let col = 0;
                  for (const ch of m[1]) col = col * 26 + ch.charCodeAt(0) - 64;
                  return { sheet, row: Number(m[2]) - 1, col: col - 1 };
                };
                const w = parse(want), t = parse(td.dataset.cell);
                const covers = w.sheet === t.sheet
                  && w.row >= t.row && w.row < t.row + td.rowSpan
                  && w.col >= t.col && w.col < t.col + td.colSpan;
                const r = td.getBoundingClientRect();
                const s = td.closest('.scroller').getBoundingClientRect();
                return {
                  cell: td.dataset.cell, classes: td.className, covers,
                  title: td.title,
                  inBox: r.top >= s.top && r.bottom <= s.bottom && r.left >= s.left && r.right <= s.right,
                  inWindow: r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth,
                };
                "#,
                vec![json!(cell)],
            )
            .await
            .unwrap();
        assert!(seen.is_object(), "no flashing cell after clicking {cell}");
        assert_eq!(seen["covers"], json!(true), "{cell}: {seen}");
        let classes = seen["classes"].as_str().unwrap();
        assert!(
            classes.contains("marked") && classes.contains("marked-error"),
            "{seen}"
        );
        assert_eq!(seen["inBox"], json!(true), "not scrolled into view: {seen}");
        assert_eq!(
            seen["inWindow"],
            json!(true),
            "not scrolled into view: {seen}"
        );
        // The flash is over before the picture is taken.
        tokio::time::sleep(Duration::from_millis(2000)).await;
        screenshot(&c, "source.png").await;

        // The target form and its report.
        choose(&c, "#target", "national").await;
        choose(&c, "#format", "xlsx").await;
        click(&c, "#preview-btn").await;
        wait_for(&c, "#target-preview table.form td.s-title").await;
        wait_for(&c, "#loss-report .report-title").await;
        assert_markup_is_text(&c, "#target-preview").await;
        wait_status(&c, "ready").await;
        screenshot(&c, "target.png").await;

        // The download reads back to what `jixiao convert` writes.
        click(&c, "#download-btn").await;
        wait_status(&c, "done").await;
        let saved = wait_download(&dl).await;
        assert_eq!(
            saved.file_name().unwrap(),
            "luan_2023.xlsx",
            "{}",
            saved.display()
        );
        let got = common::load(&saved);
        assert_same(
            &without_source(&got),
            &without_source(&expected),
            "downloaded national xlsx",
        );
    });
    let _ = std::fs::remove_dir_all(work);
}

#[test]
fn two_files_download_as_a_zip() {
    let downloads = tempfile::tempdir().unwrap();
    let inputs = [fixture("luan_2023.xlsx"), fixture("yancheng_2022.xlsx")];
    let expected: Vec<(String, Document)> = inputs
        .iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_str().unwrap().to_string();
            (name, converted_by_cli(p, "national"))
        })
        .collect();
    let dl = downloads.path().to_path_buf();
    let paths = inputs
        .iter()
        .map(|p| p.to_str().unwrap().to_string())
        .collect::<Vec<_>>()
        .join("\n");
    with_page(downloads.path(), move |c, url| async move {
        c.goto(&url).await.unwrap();
        wait_for(&c, "#target option[value='national']").await;
        let files = c.find(Locator::Css("#files")).await.unwrap();
        files.send_keys(&paths).await.unwrap();
        for (name, _) in &expected {
            wait_for(&c, &format!(".file-card[data-file='{name}'] .badges")).await;
        }
        wait_status(&c, "ready").await;
        choose(&c, "#target", "national").await;
        click(&c, "#download-all-btn").await;
        wait_status(&c, "done").await;
        screenshot(&c, "batch.png").await;
        let saved = wait_download(&dl).await;
        assert_eq!(saved.extension().unwrap(), "zip", "{}", saved.display());

        let mut zip = zip::ZipArchive::new(std::fs::File::open(&saved).unwrap()).unwrap();
        let names: Vec<String> = zip
            .file_names()
            .map(|n| n.expect("a readable entry name").into_owned())
            .collect();
        for wanted in ["report.csv", "report.json"] {
            assert!(names.iter().any(|n| n == wanted), "{wanted} in {names:?}");
        }
        let work = tempfile::tempdir().unwrap();
        for (name, doc) in &expected {
            let stem = name.trim_end_matches(".xlsx");
            let entry = names
                .iter()
                .find(|n| n.ends_with(".xlsx") && n.contains(stem))
                .unwrap_or_else(|| panic!("no output for {name} in {names:?}"));
            let mut bytes = Vec::new();
            zip.by_name(entry).unwrap().read_to_end(&mut bytes).unwrap();
            let out = work.path().join(format!("{stem}.xlsx"));
            std::fs::write(&out, bytes).unwrap();
            let got = common::load(&out);
            assert_same(
                &without_source(&got),
                &without_source(doc),
                &format!("{entry} in the zip"),
            );
        }
    });
}
