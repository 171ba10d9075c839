//! Running work on a pool of threads of its own: `--jobs N` for every command.

/// Runs `work` inside a rayon pool of `jobs` threads (0: one per core), so that every
/// parallel step under it uses that many threads and `jobs = 1` is the serial path.
/// The work runs in the pool, not beside it on the caller's thread: one thread fewer
/// allocating, which keeps the allocator's per-thread arenas (and the peak memory)
/// down. Should no pool start, the work runs on the caller's thread.
pub fn with_jobs<R: Send>(jobs: usize, work: impl FnOnce() -> R + Send) -> R {
    let threads = match jobs {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(pool) => pool.install(work),
        Err(_) => work(),
    }
}
