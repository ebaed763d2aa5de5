//! HTTPS in the binary (rustls with ring). Certificates come either from two PEM files, read
//! again when they change (a renewal by certbot or an organisation's own CA needs no restart),
//! or from an ACME certificate authority such as Let's Encrypt (tls-alpn-01 on the same port,
//! renewed by `rustls-acme` before they expire, kept in a private cache directory).
//!
//! Handshakes run on their own tasks, each within a time limit, a bounded number at once and per
//! address, so a client that opens connections and says nothing holds up no one (beyond the
//! bounds a connection is closed, never waited for); open connections are bounded too, and
//! finished ones are handed to axum's server through `axum::serve::Listener`.

use anyhow::{bail, Context, Result};
use futures_util::StreamExt;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls::ServerConfig;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, Semaphore};
use tokio_rustls::server::TlsStream;
use tokio_rustls::LazyConfigAcceptor;

/// How often the certificate files are looked at.
const RELOAD_EVERY: Duration = Duration::from_secs(5);
/// A client has this long to finish its handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(5);
/// Handshakes in progress at once; a connection beyond is closed at once (never waited for:
/// waiting would stop the accepting of everyone's connections).
const HANDSHAKES_AT_ONCE: usize = 1024;
/// Handshakes in progress from one address: one machine cannot take every place.
const HANDSHAKES_PER_ADDRESS: usize = 16;
/// Connections open at once (each holds memory and a file descriptor until it is closed).
const CONNECTIONS_AT_ONCE: usize = 8192;
/// Connections open at once from one address (an office behind one NAT address has many
/// browsers, each with a few connections; one machine cannot hold every place).
const CONNECTIONS_PER_ADDRESS: usize = 512;

/// Where certificates come from.
#[derive(Debug, Clone)]
pub enum Certificates {
    /// A certificate chain and its private key, PEM files.
    Files { cert: PathBuf, key: PathBuf },
    /// From an ACME certificate authority, for public names that reach this server on port 443.
    Acme(Acme),
}

#[derive(Debug, Clone)]
pub struct Acme {
    pub domains: Vec<String>,
    /// E-mail addresses the authority may write to about the certificates.
    pub contacts: Vec<String>,
    /// Where the account key and certificates are kept between starts (created 0700).
    pub cache: PathBuf,
    /// The authority's directory URL (default: Let's Encrypt).
    pub directory: String,
    /// A CA certificate (PEM) to trust for the authority's own HTTPS, besides the public ones
    /// (an organisation's private ACME server).
    pub ca: Option<PathBuf>,
}

pub const LETS_ENCRYPT: &str = "https://acme-v02.api.letsencrypt.org/directory";

/// ring, as everywhere else in Krousar (reqwest, lettre): rustls 0.23.48 marks it deprecated
/// because it lacks the post-quantum key exchange aws-lc-rs has, which needs a C toolchain and
/// CMake to build (docs/decisions.md).
#[allow(deprecated)]
fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A certificate chain and key read from PEM files, refused unless the key is the chain's.
pub fn load_pair(cert: &Path, key: &Path) -> Result<CertifiedKey> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .with_context(|| format!("cannot read {}", cert.display()))?
        .collect::<Result<_, _>>()
        .with_context(|| format!("{} is not a PEM certificate chain", cert.display()))?;
    if chain.is_empty() {
        bail!("{} holds no certificate", cert.display());
    }
    let key = PrivateKeyDer::from_pem_file(key).with_context(|| format!("cannot read a PEM private key from {}", key.display()))?;
    let certified = CertifiedKey::from_der(chain, key, &provider()).context("the private key does not go with the certificate")?;
    certified.keys_match().context("the private key does not go with the certificate")?;
    Ok(certified)
}

/// The certificate of two files, swapped for the new one when the files change.
#[derive(Debug)]
struct FileCertificate {
    current: RwLock<Arc<CertifiedKey>>,
}

impl ResolvesServerCert for FileCertificate {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.current.read().unwrap_or_else(|e| e.into_inner()).clone())
    }
}

/// When and how big each file was: a change of either means read them again.
fn stamp(paths: &[&Path]) -> Vec<Option<(SystemTime, u64)>> {
    paths.iter().map(|p| std::fs::metadata(p).ok().and_then(|m| Some((m.modified().ok()?, m.len())))).collect()
}

fn watch(resolver: Arc<FileCertificate>, cert: PathBuf, key: PathBuf) {
    tokio::spawn(async move {
        let mut seen = stamp(&[&cert, &key]);
        loop {
            tokio::time::sleep(RELOAD_EVERY).await;
            let now = stamp(&[&cert, &key]);
            if now == seen {
                continue;
            }
            seen = now;
            // A renewal writes the two files one after the other: a pair that does not match
            // yet is tried again at the next change, and the certificate in use stays.
            match load_pair(&cert, &key) {
                Ok(k) => {
                    *resolver.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(k);
                    tracing::info!(cert = %cert.display(), "TLS certificate reloaded");
                }
                Err(e) => {
                    tracing::warn!(error = format!("{e:#}"), "TLS certificate files changed but cannot be used yet; the old one stays")
                }
            }
        }
    });
}

fn server_config(resolver: Arc<dyn ResolvesServerCert>) -> Result<Arc<ServerConfig>> {
    let mut c = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .context("TLS versions")?
        .with_no_client_auth()
        .with_cert_resolver(resolver);
    c.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(c))
}

/// The configurations handshakes use: the site's, and the ACME challenge's when there is one.
struct Configs {
    site: Arc<ServerConfig>,
    challenge: Option<Arc<ServerConfig>>,
}

async fn configs(certs: Certificates) -> Result<Configs> {
    match certs {
        Certificates::Files { cert, key } => {
            let first = load_pair(&cert, &key)?;
            let resolver = Arc::new(FileCertificate { current: RwLock::new(Arc::new(first)) });
            watch(resolver.clone(), cert, key);
            Ok(Configs { site: server_config(resolver)?, challenge: None })
        }
        Certificates::Acme(a) => acme(a),
    }
}

fn acme(a: Acme) -> Result<Configs> {
    if a.domains.is_empty() {
        bail!("ACME needs at least one domain name");
    }
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(&a.cache).with_context(|| format!("cannot create {}", a.cache.display()))?;
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(ca) = &a.ca {
        for c in CertificateDer::pem_file_iter(ca).with_context(|| format!("cannot read {}", ca.display()))? {
            roots.add(c.with_context(|| format!("{} is not a PEM certificate", ca.display()))?)?;
        }
    }
    let client = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .context("TLS versions")?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let mut state = rustls_acme::AcmeConfig::new_with_client_config(a.domains.clone(), Arc::new(client))
        .contact(a.contacts.iter().map(|e| format!("mailto:{e}")))
        .cache(rustls_acme::caches::DirCache::new(a.cache.clone()))
        .directory(&a.directory)
        .state();
    let site = server_config(state.resolver())?;
    let challenge = state.challenge_rustls_config_with_provider(provider());
    tokio::spawn(async move {
        while let Some(event) = state.next().await {
            match event {
                Ok(ok) => tracing::info!(event = ?ok, "ACME"),
                Err(e) => tracing::warn!(error = %e, "ACME"),
            }
        }
    });
    tracing::info!(domains = ?a.domains, directory = %a.directory, "certificates from ACME (tls-alpn-01)");
    Ok(Configs { site, challenge: Some(challenge) })
}

/// Connections that finished their TLS handshake, for `axum::serve`.
pub struct TlsListener {
    ready: mpsc::Receiver<(Held, SocketAddr)>,
    addr: SocketAddr,
}

/// Counts by address (handshakes in progress, connections open).
type PerAddress = Arc<std::sync::Mutex<HashMap<IpAddr, usize>>>;

/// One of an address's handshakes or connections, counted until it ends.
struct Counted {
    map: PerAddress,
    ip: IpAddr,
}

impl Counted {
    /// `None` when the address already has `limit`.
    fn begin(map: &PerAddress, ip: IpAddr, limit: usize) -> Option<Counted> {
        let mut m = map.lock().unwrap_or_else(|e| e.into_inner());
        let n = m.entry(ip).or_default();
        if *n >= limit {
            return None;
        }
        *n += 1;
        Some(Counted { map: map.clone(), ip })
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        let mut m = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = m.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                m.remove(&self.ip);
            }
        }
    }
}

/// A TLS connection holding its place among the connections open at once until it is closed.
pub struct Held {
    inner: TlsStream<TcpStream>,
    _connection: tokio::sync::OwnedSemaphorePermit,
    _from: Counted,
}

impl tokio::io::AsyncRead for Held {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl tokio::io::AsyncWrite for Held {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

impl TlsListener {
    /// Serve TLS on `tcp` with `certs` (a certificate that cannot be read is an error now,
    /// not at the first connection).
    pub async fn new(tcp: TcpListener, certs: Certificates) -> Result<TlsListener> {
        let addr = tcp.local_addr()?;
        let Configs { site, challenge } = configs(certs).await?;
        let (tx, ready) = mpsc::channel(64);
        let places = Arc::new(Semaphore::new(HANDSHAKES_AT_ONCE));
        let open = Arc::new(Semaphore::new(CONNECTIONS_AT_ONCE));
        let (handshaking, connected): (PerAddress, PerAddress) = Default::default();
        tokio::spawn(async move {
            loop {
                let (stream, peer) = match tcp.accept().await {
                    Ok(s) => s,
                    Err(e) => {
                        // Out of file descriptors and the like: wait a little, as axum does.
                        tracing::debug!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                // Full: this connection is closed, the next ones are still accepted.
                let (Ok(place), Ok(connection)) = (places.clone().try_acquire_owned(), open.clone().try_acquire_owned()) else {
                    tracing::debug!(%peer, "too many connections: closed");
                    continue;
                };
                let Some(from) = Counted::begin(&handshaking, peer.ip(), HANDSHAKES_PER_ADDRESS) else {
                    tracing::debug!(%peer, "too many handshakes from one address: closed");
                    continue;
                };
                let Some(open_from) = Counted::begin(&connected, peer.ip(), CONNECTIONS_PER_ADDRESS) else {
                    tracing::debug!(%peer, "too many connections from one address: closed");
                    continue;
                };
                let (tx, site, challenge) = (tx.clone(), site.clone(), challenge.clone());
                tokio::spawn(async move {
                    let (_place, _from) = (place, from);
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, handshake(stream, site, challenge)).await {
                        Ok(Ok(Some(tls))) => {
                            let _ = tx.send((Held { inner: tls, _connection: connection, _from: open_from }, peer)).await;
                        }
                        Ok(Ok(None)) => {}
                        Ok(Err(e)) => tracing::debug!(error = %e, "TLS handshake failed"),
                        Err(_) => tracing::debug!("TLS handshake timed out"),
                    }
                });
            }
        });
        Ok(TlsListener { ready, addr })
    }
}

/// One handshake: an ACME validation is answered and closed (`None`); any other is the site's.
async fn handshake(
    stream: TcpStream,
    site: Arc<ServerConfig>,
    challenge: Option<Arc<ServerConfig>>,
) -> std::io::Result<Option<TlsStream<TcpStream>>> {
    let start = LazyConfigAcceptor::new(rustls::server::Acceptor::default(), stream).await?;
    if let Some(challenge) = challenge.filter(|_| rustls_acme::is_tls_alpn_challenge(&start.client_hello())) {
        let mut tls = start.into_stream(challenge).await?;
        tokio::io::AsyncWriteExt::shutdown(&mut tls).await?;
        return Ok(None);
    }
    Ok(Some(start.into_stream(site).await?))
}

impl axum::serve::Listener for TlsListener {
    type Io = Held;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(c) => c,
            // The accepting task is gone (it never ends on its own): accept nothing more.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        Ok(self.addr)
    }
}
