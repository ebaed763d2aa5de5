//! `serve --tls-cert/--tls-key` or `--acme-domain`: HTTPS in the binary (`krousar_web::tls`).
//! With either, cookies are marked Secure and browsers are told to keep to HTTPS (HSTS).

use crate::config::FileConfig;
use anyhow::{bail, Context, Result};
use clap::Args;
use krousar_web::tls::{Acme, Certificates, TlsListener, LETS_ENCRYPT};
use std::path::{Path, PathBuf};

#[derive(Args, Clone, Default)]
pub struct TlsArgs {
    /// Serve HTTPS with this certificate chain (PEM); read again when it changes.
    #[arg(long, env = "KROUSAR_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The certificate's private key (PEM).
    #[arg(long, env = "KROUSAR_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Serve HTTPS with certificates from an ACME authority (Let's Encrypt) for this public
    /// name, which must reach this server on port 443 (repeat for more names).
    #[arg(long = "acme-domain", env = "KROUSAR_ACME_DOMAINS", value_delimiter = ',', conflicts_with = "tls_cert")]
    pub acme_domains: Vec<String>,
    /// An e-mail address the authority may write to about the certificates.
    #[arg(long, env = "KROUSAR_ACME_CONTACT")]
    pub acme_contact: Option<String>,
    /// Where the ACME account and certificates are kept (default: `acme` beside the key file).
    #[arg(long, env = "KROUSAR_ACME_CACHE")]
    pub acme_cache: Option<PathBuf>,
    /// The authority's directory URL (default: Let's Encrypt's).
    #[arg(long, env = "KROUSAR_ACME_DIRECTORY")]
    pub acme_directory: Option<String>,
    /// A CA certificate (PEM) to trust for the authority's own HTTPS (a private ACME server).
    #[arg(long, env = "KROUSAR_ACME_CA")]
    pub acme_ca: Option<PathBuf>,
}

impl TlsArgs {
    /// Where certificates come from (flags win over the config file); `None`: plain HTTP.
    pub fn certificates(&self, file: &FileConfig, key_file: &Path) -> Result<Option<Certificates>> {
        let cert = self.tls_cert.clone().or(file.tls_cert.clone());
        let key = self.tls_key.clone().or(file.tls_key.clone());
        let domains = if self.acme_domains.is_empty() { file.acme_domains.clone().unwrap_or_default() } else { self.acme_domains.clone() };
        match (cert, key, domains.is_empty()) {
            (Some(_), Some(_), false) => bail!("give either certificate files or ACME domains, not both"),
            (Some(cert), Some(key), true) => Ok(Some(Certificates::Files { cert, key })),
            (Some(_), None, _) | (None, Some(_), _) => {
                bail!("a TLS certificate needs its key, and a key its certificate (tls_cert and tls_key)")
            }
            (None, None, true) => Ok(None),
            (None, None, false) => {
                let cache = self
                    .acme_cache
                    .clone()
                    .or(file.acme_cache.clone())
                    .unwrap_or_else(|| key_file.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new(".")).join("acme"));
                let contacts = self.acme_contact.clone().or(file.acme_contact.clone()).into_iter().collect();
                let directory = self.acme_directory.clone().or(file.acme_directory.clone()).unwrap_or_else(|| LETS_ENCRYPT.into());
                let ca = self.acme_ca.clone().or(file.acme_ca.clone());
                Ok(Some(Certificates::Acme(Acme { domains, contacts, cache, directory, ca })))
            }
        }
    }
}

/// Listen on `listen` and serve, over HTTPS when `certs` say so.
pub async fn serve(store: krousar_store::Store, mut config: krousar_web::Config, listen: &str, certs: Option<Certificates>) -> Result<()> {
    let tcp = tokio::net::TcpListener::bind(listen).await.with_context(|| format!("cannot listen on {listen}"))?;
    match certs {
        None => {
            tracing::info!("Krousar listening on http://{listen}");
            krousar_web::serve(store, config, tcp).await
        }
        Some(certs) => {
            let tls = TlsListener::new(tcp, certs).await?;
            // Served over HTTPS: Secure cookies, and HSTS with them.
            config.secure_cookies = true;
            tracing::info!("Krousar listening on https://{listen}");
            krousar_web::serve(store, config, tls).await
        }
    }
}
