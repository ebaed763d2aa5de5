//! The optional config file of `krousar serve` (TOML). Unknown keys are an error, so a typo
//! does not silently leave a security setting at its default.

use anyhow::{Context, Result};
use serde::Deserialize;
use std::path::Path;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub database_url: Option<String>,
    pub listen: Option<String>,
    pub secure_cookies: Option<bool>,
    pub idle_minutes: Option<i64>,
    pub absolute_hours: Option<i64>,
    pub max_failures: Option<i64>,
    pub lock_minutes: Option<i64>,
    pub files_dir: Option<std::path::PathBuf>,
    pub key_file: Option<std::path::PathBuf>,
    /// `false`: this server sends no e-mail (a restored copy, a rehearsal).
    pub send_mail: Option<bool>,
    /// Push services to allow besides the browsers' own (URL prefixes).
    pub push_services: Option<Vec<String>>,
    /// The token `/metrics` asks for; without one there is no metrics page.
    pub metrics_token: Option<String>,
    /// HTTPS with certificate files (PEM), read again when they change.
    pub tls_cert: Option<std::path::PathBuf>,
    pub tls_key: Option<std::path::PathBuf>,
    /// HTTPS with certificates from an ACME authority for these public names.
    pub acme_domains: Option<Vec<String>>,
    pub acme_contact: Option<String>,
    pub acme_cache: Option<std::path::PathBuf>,
    pub acme_directory: Option<String>,
    pub acme_ca: Option<std::path::PathBuf>,
}

impl FileConfig {
    pub fn read(path: &Path) -> Result<FileConfig> {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        FileConfig::read_str(&text).with_context(|| format!("invalid config file {}", path.display()))
    }

    fn read_str(text: &str) -> Result<FileConfig> {
        Ok(toml::from_str(text)?)
    }

    /// Web settings: a flag that is set wins over the file.
    pub fn web(&self, secure_cookies_flag: bool, no_mail_flag: bool) -> krousar_web::Config {
        let d = krousar_web::Config::default();
        krousar_web::Config {
            secure_cookies: secure_cookies_flag || self.secure_cookies.unwrap_or(d.secure_cookies),
            idle_minutes: self.idle_minutes.unwrap_or(d.idle_minutes).max(1),
            absolute_hours: self.absolute_hours.unwrap_or(d.absolute_hours).max(1),
            max_failures: self.max_failures.unwrap_or(d.max_failures).max(1),
            lock_minutes: self.lock_minutes.unwrap_or(d.lock_minutes).max(1),
            clock: d.clock,
            demo_users: Vec::new(),
            send_mail: !no_mail_flag && self.send_mail.unwrap_or(d.send_mail),
            push_services: self.push_services.clone().unwrap_or_default(),
            metrics_token: std::env::var("KROUSAR_METRICS_TOKEN").ok().filter(|t| !t.is_empty()).or_else(|| self.metrics_token.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_settings_and_refuses_unknown_keys() {
        let c: FileConfig = toml::from_str("listen = \"0.0.0.0:80\"\nmax_failures = 3\n").unwrap();
        assert_eq!(c.listen.as_deref(), Some("0.0.0.0:80"));
        assert_eq!(c.web(false, false).max_failures, 3);
        assert_eq!(c.web(false, false).lock_minutes, 30);
        assert!(toml::from_str::<FileConfig>("max_failure = 3").is_err());
        assert!(c.web(true, false).secure_cookies);
        assert!(c.web(false, false).send_mail, "mail goes unless turned off");
        assert!(!c.web(false, true).send_mail, "--no-mail");
        let off: FileConfig = toml::from_str("send_mail = false").unwrap();
        assert!(!off.web(false, false).send_mail);
    }

    /// The package's config file names every setting (commented where the default holds), each
    /// one a key this version reads.
    #[test]
    fn the_packaged_file_names_every_setting() {
        let shipped = include_str!("../../../packaging/deb/krousar.toml");
        assert!(FileConfig::read_str(shipped).is_ok());
        let every: String = shipped
            .lines()
            .map(|l| match l.strip_prefix("# ") {
                Some(rest) if rest.split_once(" = ").is_some_and(|(k, _)| k.chars().all(|c| c.is_ascii_lowercase() || c == '_')) => rest,
                _ => l,
            })
            .collect::<Vec<_>>()
            .join("\n");
        let all = FileConfig::read_str(&every).expect("every commented setting is a known key");
        let shown = format!("{all:?}");
        assert!(!shown.contains("None"), "a setting missing from packaging/deb/krousar.toml: {shown}");
    }
}
