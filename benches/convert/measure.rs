//! Running a measured child process: wall time, peak RSS (`wait4`'s rusage of that one
//! child), its `key=value` output, and a time limit.

use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What one child run gave.
#[derive(Debug, Clone, Default)]
pub struct Run {
    /// Wall time from spawn to exit.
    pub wall: f64,
    /// Peak resident set size in bytes.
    pub max_rss: u64,
    /// `key=value` lines of its stdout.
    pub values: HashMap<String, String>,
    pub ok: bool,
    pub timed_out: bool,
    pub stderr: String,
}

impl Run {
    /// The child's own measurement when it printed one, else the wall time.
    pub fn secs(&self) -> f64 {
        self.values
            .get("secs")
            .and_then(|s| s.parse().ok())
            .unwrap_or(self.wall)
    }

    /// The peak RSS the child reported itself (VmHWM), else `wait4`'s. A child's
    /// `ru_maxrss` is never below its parent's RSS at the fork, so the parent must stay
    /// small for external programs.
    pub fn rss(&self) -> u64 {
        self.get("rss").map_or(self.max_rss, |r| r as u64)
    }

    pub fn get(&self, key: &str) -> Option<f64> {
        self.values.get(key).and_then(|s| s.parse().ok())
    }
}

/// Runs a command to its end (or its time limit), capturing stdout and stderr in files.
pub fn run(cmd: &mut Command, limit: Option<Duration>) -> Run {
    let dir = std::env::temp_dir();
    let tag = format!("jixiao-bench-{}-{}", std::process::id(), unique());
    let out_path = dir.join(format!("{tag}.out"));
    let err_path = dir.join(format!("{tag}.err"));
    let out = std::fs::File::create(&out_path).expect("temp file");
    let err = std::fs::File::create(&err_path).expect("temp file");
    let start = Instant::now();
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::from(out))
        .stderr(Stdio::from(err))
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            return Run {
                stderr: format!("could not start {cmd:?}: {e}"),
                ..Run::default()
            };
        }
    };
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero rusage is a valid value of that plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let mut timed_out = false;
    loop {
        // SAFETY: `pid` is our own child, not yet reaped; the pointers are valid.
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if r == pid {
            break;
        }
        if r < 0 {
            break;
        }
        if limit.is_some_and(|l| start.elapsed() > l) && !timed_out {
            timed_out = true;
            // Ends only the child this function started.
            let _ = child.kill();
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let wall = start.elapsed().as_secs_f64();
    let stdout = std::fs::read_to_string(&out_path).unwrap_or_default();
    let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
    let _ = std::fs::remove_file(&out_path);
    let _ = std::fs::remove_file(&err_path);
    let values = stdout
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let exited_ok = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    Run {
        wall,
        // Linux reports ru_maxrss in KiB.
        max_rss: (usage.ru_maxrss.max(0) as u64) * 1024,
        values,
        ok: exited_ok && !timed_out,
        timed_out,
        stderr,
    }
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

/// The median of some values (the lower middle for an even count).
pub fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    Some(v[(v.len() - 1) / 2])
}
