//! argon2id password hashing with OWASP's parameters, run on a few threads of its own (one
//! per core) so a burst of sign-ins cannot starve other requests.
//!
//! Why not tokio's blocking pool: it grows to hundreds of threads, and the allocator keeps a
//! freed 19 MiB argon2 buffer per thread arena: a sign-in flood took the server from 125 MiB
//! to 566 MiB. On a fixed set of threads the buffers are reused and memory stays flat.

use argon2::{
    Algorithm, Argon2, Params, PasswordHash, PasswordHasher as _, PasswordVerifier, Version,
    password_hash::SaltString,
};
use std::sync::{
    Arc, LazyLock, Mutex,
    atomic::{AtomicU64, Ordering},
    mpsc,
};
use tokio::sync::oneshot;

fn argon2() -> Argon2<'static> {
    // m = 19 MiB, t = 2, p = 1: OWASP's recommended minimum for argon2id.
    let params = Params::new(19_456, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Verified against when the e-mail is unknown, so both cases cost the same time.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    argon2().hash_password(b"not a real password", &salt).expect("hashing works").to_string()
});

type Job = Box<dyn FnOnce() + Send>;

/// One hashing thread per core, taking jobs in arrival order; the threads end when the last
/// `Hasher` clone is dropped (the channel closes).
fn start_workers(threads: usize) -> mpsc::Sender<Job> {
    let (tx, rx) = mpsc::channel::<Job>();
    let rx = Arc::new(Mutex::new(rx));
    for i in 0..threads {
        let rx = Arc::clone(&rx);
        std::thread::Builder::new()
            .name(format!("argon2-{i}"))
            .spawn(move || {
                loop {
                    // The lock is held only while taking a job, never while hashing.
                    let job = rx.lock().map(|r| r.recv());
                    match job {
                        Ok(Ok(job)) => job(),
                        _ => break,
                    }
                }
            })
            .expect("the hashing threads start");
    }
    tx
}

#[derive(Clone, Debug)]
pub struct Hasher {
    jobs: mpsc::Sender<Job>,
    /// Hashes and verifications started: lets tests prove a refusal came before the cost.
    started: Arc<AtomicU64>,
}

impl Default for Hasher {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        Self { jobs: start_workers(cores), started: Arc::default() }
    }
}

impl Hasher {
    /// How many hashes and verifications this server has started.
    pub fn started(&self) -> u64 {
        self.started.load(Ordering::Relaxed)
    }

    /// Runs `work` on a hashing thread and waits for its result without blocking the runtime.
    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> T {
        self.started.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = tx.send(work());
        });
        self.jobs.send(job).expect("the hashing threads are running");
        rx.await.expect("a hashing job does not panic")
    }

    pub async fn hash(&self, password: String) -> String {
        self.run(move || {
            let salt = SaltString::generate(&mut rand::rngs::OsRng);
            argon2().hash_password(password.as_bytes(), &salt).expect("hashing works").to_string()
        })
        .await
    }

    /// Checks a password against a stored PHC string; with `None`, runs against a dummy
    /// hash and returns false, taking the same time.
    pub async fn verify(&self, password: String, stored: Option<String>) -> bool {
        self.run(move || {
            let real = stored.is_some();
            let phc = stored.unwrap_or_else(|| DUMMY_HASH.clone());
            let Ok(parsed) = PasswordHash::new(&phc) else { return false };
            argon2().verify_password(password.as_bytes(), &parsed).is_ok() && real
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_then_verify() {
        let h = Hasher::default();
        let stored = h.hash("correct horse".into()).await;
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(h.verify("correct horse".into(), Some(stored.clone())).await);
        assert!(!h.verify("wrong horse".into(), Some(stored)).await);
        assert!(!h.verify("not a real password".into(), None).await);
    }
}
