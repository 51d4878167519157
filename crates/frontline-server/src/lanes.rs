//! Where computed answers run, so that cheap questions stay cheap under
//! load. Point queries and answers already computed are served on the
//! runtime's own threads. Map layers (`/api/zones`) run on the *layers*
//! lane; everything that computes areas, overlays or routes runs on the
//! *analysis* lane, whose threads run at a lower CPU priority (Linux: nice
//! +10), so a queue of diffs never delays a point query or a layer.

use tokio::sync::oneshot;

/// A fixed set of worker threads taking jobs in arrival order.
pub(crate) struct Lane {
    pool: rayon::ThreadPool,
}

impl Lane {
    /// `threads` workers named `frontline-{name}-N`; `lower_priority` lowers
    /// their scheduling priority where the platform allows it per thread.
    pub(crate) fn new(name: &'static str, threads: usize, lower_priority: bool) -> Lane {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads.max(1))
            .thread_name(move |i| format!("frontline-{name}-{i}"))
            // A panicking answer drops its sender: the asker gets a 500 and
            // the worker lives on.
            .panic_handler(|_| {})
            .start_handler(move |_| {
                if lower_priority {
                    lower_this_thread_priority();
                }
            })
            .build()
            .expect("worker threads start");
        Lane { pool }
    }

    /// Runs `work` on this lane; `None` if it was dropped unrun (the pool is
    /// gone). Work whose asker has gone (a timeout, a closed connection)
    /// before its turn is skipped.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Option<T> {
        let (answer, receiver) = oneshot::channel();
        self.pool.spawn(move || {
            if !answer.is_closed() {
                let _ = answer.send(work());
            }
        });
        receiver.await.ok()
    }
}

#[cfg(target_os = "linux")]
fn lower_this_thread_priority() {
    // On Linux the nice value belongs to the thread: `who = 0` is the
    // calling thread, not the whole process. Failure leaves the default.
    // SAFETY: setpriority takes plain integers and touches no memory.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 10);
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_this_thread_priority() {}
