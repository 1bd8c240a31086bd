//! Argon2id password hashing, always off the async runtime.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::RngCore;

use crate::error::ApiError;

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

/// Runs [`verify`] on the blocking pool: a verification takes tens of milliseconds of CPU.
pub async fn verify_blocking(password: String, phc: String) -> Result<bool, ApiError> {
    Ok(tokio::task::spawn_blocking(move || verify(&password, &phc)).await?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trip() {
        let phc = super::hash("s3cret").unwrap_or_default();
        assert!(super::verify("s3cret", &phc));
        assert!(!super::verify("wrong", &phc));
        assert!(!super::verify("s3cret", "not a phc string"));
    }
}
