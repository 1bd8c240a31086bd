//! One rustls crypto provider for the whole process. fantoccini (through hyper-rustls) compiles
//! aws-lc-rs; reqwest here is built without a provider of its own. When a build unifies features
//! across the workspace (the server's tests bring ring), rustls has two providers and no default, and
//! the first client to build a TLS config panics — so every client in this crate calls this first.

use std::sync::Once;

/// Makes aws-lc-rs the process-wide default provider (once; a no-op afterwards).
pub fn install_crypto_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // An error means another default is installed already, which serves as well.
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    });
}
