//! HTTPS: the rustls configuration (`--tls`, `--tls-cert`/`--tls-key`) and the handshake of each
//! connection. ALPN offers `h2` first, then `http/1.1`, so browsers speak HTTP/2 here as they do to a
//! production backend behind TLS; clients without ALPN get HTTP/1.1 or HTTP/2 by their first bytes.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::TcpStream;
use tokio_rustls::rustls::{self, ServerConfig};
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

use crate::{Config, StartError};

/// Names the generated certificate is valid for: how a developer reaches a loopback server.
pub const SELF_SIGNED_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// A peer that has not finished its handshake by then is let go (hyper's header timeout only starts
/// after it).
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Which protocol the handshake agreed on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Alpn {
    H2,
    Http1,
    /// The client offered no ALPN: hyper tells the protocols apart by the first bytes.
    None,
}

/// The TLS side of the server, when it serves HTTPS.
#[derive(Clone)]
pub struct Tls {
    acceptor: TlsAcceptor,
}

impl Tls {
    /// `None` for plain HTTP; the files when `--tls-cert`/`--tls-key` are given, else (with `--tls`)
    /// a self-signed certificate made now.
    pub fn from_config(config: &Config) -> Result<Option<Tls>, StartError> {
        let (certs, key) = match (&config.tls_cert, &config.tls_key) {
            (Some(cert), Some(key)) => (read_certs(cert)?, read_key(key)?),
            (None, None) if config.tls => self_signed()?,
            (None, None) => return Ok(None),
            _ => {
                return Err(StartError::Setup(
                    "--tls-cert and --tls-key go together".into(),
                ))
            }
        };
        // The provider is named, not taken from the process default: builds that unify rustls's
        // features across the workspace compile two providers, and then there is no default.
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut server = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| StartError::Setup(format!("TLS: {e}")))?
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .map_err(|e| {
                StartError::Setup(format!("TLS: the certificate and key do not fit: {e}"))
            })?;
        server.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(Some(Tls {
            acceptor: TlsAcceptor::from(Arc::new(server)),
        }))
    }

    /// The handshake, bounded in time.
    pub async fn accept(&self, stream: TcpStream) -> Result<(TlsStream<TcpStream>, Alpn), String> {
        let tls = tokio::time::timeout(HANDSHAKE_TIMEOUT, self.acceptor.accept(stream))
            .await
            .map_err(|_| format!("TLS handshake did not finish within {HANDSHAKE_TIMEOUT:?}"))?
            .map_err(|e| format!("TLS handshake failed: {e}"))?;
        let alpn = match tls.get_ref().1.alpn_protocol() {
            Some(b"h2") => Alpn::H2,
            Some(_) => Alpn::Http1,
            None => Alpn::None,
        };
        Ok((tls, alpn))
    }
}

fn read_pem(path: &Path, flag: &str) -> Result<Vec<u8>, StartError> {
    std::fs::read(path)
        .map_err(|e| StartError::Setup(format!("{flag}: cannot read {}: {e}", path.display())))
}

fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, StartError> {
    let pem = read_pem(path, "--tls-cert")?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| {
            StartError::Setup(format!("--tls-cert: {} is not PEM: {e}", path.display()))
        })?;
    if certs.is_empty() {
        return Err(StartError::Setup(format!(
            "--tls-cert: {} holds no CERTIFICATE block",
            path.display()
        )));
    }
    Ok(certs)
}

fn read_key(path: &Path) -> Result<PrivateKeyDer<'static>, StartError> {
    let pem = read_pem(path, "--tls-key")?;
    PrivateKeyDer::from_pem_slice(&pem).map_err(|e| {
        StartError::Setup(format!(
            "--tls-key: {} holds no usable private key (PKCS#8, PKCS#1 or SEC1 PEM): {e}",
            path.display()
        ))
    })
}

fn self_signed() -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), StartError> {
    let names: Vec<String> = SELF_SIGNED_NAMES.iter().map(|n| n.to_string()).collect();
    let generated = rcgen::generate_simple_self_signed(names)
        .map_err(|e| StartError::Setup(format!("--tls: cannot make a certificate: {e}")))?;
    let key = PrivatePkcs8KeyDer::from(generated.signing_key.serialize_der());
    Ok((vec![generated.cert.der().clone()], key.into()))
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn plain_http_unless_asked() {
        let config = Config::try_parse_from(["x"]).expect("defaults parse");
        assert!(Tls::from_config(&config).expect("no TLS").is_none());
        let config = Config::try_parse_from(["x", "--tls"]).expect("--tls parses");
        assert!(Tls::from_config(&config).expect("self-signed").is_some());
    }

    #[test]
    fn a_missing_file_is_named() {
        let config = Config::try_parse_from([
            "x",
            "--tls-cert",
            "/nonexistent/cert.pem",
            "--tls-key",
            "/nonexistent/key.pem",
        ])
        .expect("flags parse");
        let err = Tls::from_config(&config).err().map(|e| e.to_string());
        assert!(
            err.as_deref()
                .is_some_and(|e| e.contains("--tls-cert") && e.contains("/nonexistent/cert.pem")),
            "{err:?}"
        );
    }
}
