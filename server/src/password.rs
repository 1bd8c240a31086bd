//! Argon2id password hashing, always off the async runtime, and never more checks at once than the machine
//! has cores: each check holds ~19 MiB for tens of milliseconds, so a login flood would otherwise grow the
//! process by gigabytes (and gain nothing: the cores are the bottleneck).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::RngCore;
use tokio::sync::Semaphore;

use crate::error::ApiError;

/// How long a login may wait for a free check before it is told to come back (503 + `Retry-After`).
const MAX_WAIT: Duration = Duration::from_secs(2);

/// Bounds concurrent password checks.
pub struct Checks {
    permits: Arc<Semaphore>,
    running: Arc<AtomicUsize>,
    /// The most checks ever seen running at once (for tests and the load example).
    peak: Arc<AtomicUsize>,
}

impl Checks {
    /// At most `limit` checks at once (at least one).
    pub fn new(limit: usize) -> Self {
        Checks {
            permits: Arc::new(Semaphore::new(limit.max(1))),
            running: Arc::new(AtomicUsize::new(0)),
            peak: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// One check per core.
    pub fn per_core() -> Self {
        Self::new(std::thread::available_parallelism().map_or(2, usize::from))
    }

    /// The most checks that ran at once so far.
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::Relaxed)
    }

    /// Runs [`verify`] on the blocking pool once a place is free; [`ApiError::Busy`] if none frees up within
    /// [`MAX_WAIT`]. The place is held by the blocking task itself, so a client that hangs up mid-check does not
    /// free it before the CPU and memory are.
    pub async fn verify(&self, password: String, phc: String) -> Result<bool, ApiError> {
        let permit = tokio::time::timeout(MAX_WAIT, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| ApiError::Busy {
                retry_after_secs: 1,
            })?
            .map_err(|_| ApiError::Internal("password checks closed".into()))?;
        let (running, peak) = (self.running.clone(), self.peak.clone());
        Ok(tokio::task::spawn_blocking(move || {
            let now = running.fetch_add(1, Ordering::Relaxed) + 1;
            peak.fetch_max(now, Ordering::Relaxed);
            let ok = verify(&password, &phc);
            running.fetch_sub(1, Ordering::Relaxed);
            drop(permit);
            ok
        })
        .await?)
    }
}

/// Hashes with argon2's default (OWASP-recommended) parameters.
pub fn hash(password: &str) -> Result<String, ApiError> {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let salt = SaltString::encode_b64(&bytes)
        .map_err(|e| ApiError::Internal(format!("argon2 salt: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ApiError::Internal(format!("argon2 hash: {e}")))
}

/// Verifies `password` against a PHC string; a malformed hash counts as a mismatch.
pub fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn checks_beyond_the_limit_wait_their_turn() {
        let checks = Arc::new(Checks::new(1));
        let phc = hash("s3cret").unwrap_or_default();
        let runs = (0..4).map(|_| {
            let (checks, phc) = (checks.clone(), phc.clone());
            tokio::spawn(async move { checks.verify("wrong".into(), phc).await })
        });
        let mut tasks = Vec::new();
        for run in runs {
            tasks.push(run);
        }
        for task in tasks {
            assert!(matches!(task.await, Ok(Ok(false))));
        }
        assert_eq!(checks.peak(), 1);
    }

    #[test]
    fn round_trip() {
        let phc = super::hash("s3cret").unwrap_or_default();
        assert!(super::verify("s3cret", &phc));
        assert!(!super::verify("wrong", &phc));
        assert!(!super::verify("s3cret", "not a phc string"));
    }
}
