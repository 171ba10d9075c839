//! `jixiao serve`: the page in the user's own browser, served by this binary on 127.0.0.1.

use jixiao::error::{Error, Result};
use jixiao::serve::{Bound, DEFAULT_PORT, ServeOptions};

/// Serve a page for converting and checking tables in the browser, on this computer only.
///
/// Listens on 127.0.0.1 (never another interface) and prints the address with a random
/// token that every request must carry; budget data never leaves the machine. The page
/// and its API (POST /api/read, /api/check, /api/preview, /api/convert; see README) read
/// uploads in memory and write nothing to disk but temporaries they remove. Ctrl-C stops it.
///
/// Examples:
///   jixiao serve --open            open the page in the default browser
///   jixiao serve --port 0          any free port
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The port on 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = DEFAULT_PORT)]
    port: u16,
    /// Open the page in the default browser.
    #[arg(long)]
    open: bool,
    /// The most one request may upload, in MiB (all its files together).
    #[arg(long, value_name = "MIB", default_value_t = 256)]
    max_upload: usize,
    /// How many requests may read and write tables at once; the rest wait.
    #[arg(long, short = 'j', default_value_t = 2)]
    jobs: usize,
}

pub fn run(args: Args) -> Result<i32> {
    let options = ServeOptions {
        port: args.port,
        max_request_bytes: args.max_upload.saturating_mul(1024 * 1024),
        max_conversions: args.jobs.max(1),
        token: None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| unsupported(format!("cannot start the server: {e}")))?;
    runtime.block_on(async {
        let bound = Bound::bind(&options).await.map_err(|e| {
            let hint = if e.kind() == std::io::ErrorKind::AddrInUse {
                " (another program uses it: try --port 0 for any free port)"
            } else {
                ""
            };
            unsupported(format!("127.0.0.1:{}: cannot listen: {e}{hint}", options.port))
        })?;
        let url = bound.url();
        println!("jixiao serve: {url}");
        eprintln!("Open this address in your browser (only this computer can reach it). Ctrl-C stops the server.");
        if args.open
            && let Err(e) = webbrowser::open(&url)
        {
            eprintln!("warning: could not open a browser ({e}); open the address yourself");
        }
        bound
            .serve(stopped())
            .await
            .map_err(|e| unsupported(format!("the server stopped: {e}")))?;
        eprintln!("jixiao serve: stopped");
        Ok(0)
    })
}

/// Ctrl-C, or SIGTERM where there is one.
async fn stopped() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    {
        let terminate = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate => {}
        }
    }
    #[cfg(not(unix))]
    interrupt.await;
}

fn unsupported(message: String) -> Error {
    Error::Unsupported { message }
}
