//! argon2id password hashing with OWASP's parameters, run on the blocking pool and limited
//! to one hash per core so a burst of sign-ins cannot starve other requests.

use argon2::{
    Algorithm, Argon2, Params, PasswordHash, PasswordHasher as _, PasswordVerifier, Version,
    password_hash::SaltString,
};
use std::sync::{
    Arc, LazyLock,
    atomic::{AtomicU64, Ordering},
};
use tokio::sync::Semaphore;

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

#[derive(Clone, Debug)]
pub struct Hasher {
    permits: Arc<Semaphore>,
    /// Hashes and verifications started: lets tests prove a refusal came before the cost.
    started: Arc<AtomicU64>,
}

impl Default for Hasher {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        Self { permits: Arc::new(Semaphore::new(cores)), started: Arc::default() }
    }
}

impl Hasher {
    /// How many hashes and verifications this server has started.
    pub fn started(&self) -> u64 {
        self.started.load(Ordering::Relaxed)
    }

    pub async fn hash(&self, password: String) -> String {
        self.started.fetch_add(1, Ordering::Relaxed);
        let _permit = self.permits.acquire().await.expect("semaphore is never closed");
        tokio::task::spawn_blocking(move || {
            let salt = SaltString::generate(&mut rand::rngs::OsRng);
            argon2().hash_password(password.as_bytes(), &salt).expect("hashing works").to_string()
        })
        .await
        .expect("hashing task does not panic")
    }

    /// Checks a password against a stored PHC string; with `None`, runs against a dummy
    /// hash and returns false, taking the same time.
    pub async fn verify(&self, password: String, stored: Option<String>) -> bool {
        self.started.fetch_add(1, Ordering::Relaxed);
        let _permit = self.permits.acquire().await.expect("semaphore is never closed");
        tokio::task::spawn_blocking(move || {
            let real = stored.is_some();
            let phc = stored.unwrap_or_else(|| DUMMY_HASH.clone());
            let Ok(parsed) = PasswordHash::new(&phc) else { return false };
            argon2().verify_password(password.as_bytes(), &parsed).is_ok() && real
        })
        .await
        .expect("verify task does not panic")
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
