//! The installation's outgoing mail server, and e-mail addresses, as they are checked before
//! they are kept.

use crate::validation::Invalid;
use serde::{Deserialize, Serialize};

/// How the connection to the mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Security {
    /// TLS from the first byte (port 465).
    Tls,
    /// Plain, then upgraded with STARTTLS, refusing a server that cannot (port 587).
    Starttls,
    /// No encryption: only for a relay on the same machine or a test.
    None,
}

impl Security {
    pub const ALL: [Security; 3] = [Security::Starttls, Security::Tls, Security::None];

    pub fn code(self) -> &'static str {
        match self {
            Security::Tls => "tls",
            Security::Starttls => "starttls",
            Security::None => "none",
        }
    }

    pub fn parse(s: &str) -> Option<Security> {
        Security::ALL.into_iter().find(|x| x.code() == s)
    }
}

/// The mail settings as a form or the API sends them. An empty password keeps the one kept.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct MailInput {
    pub host: String,
    pub port: String,
    pub security: String,
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub password: String,
    pub from_address: String,
    /// The address people open Krousar at ("https://krousar.example.org"), for the links in
    /// messages.
    pub site: String,
}

/// Checked mail settings. Coming in, `password` is `None` to keep the one already kept; as the
/// store hands them to the sender, it is the password opened (`None`: the server needs none).
#[derive(Clone, PartialEq, Eq)]
pub struct MailSettings {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: Option<String>,
    pub password: Option<String>,
    pub from_address: String,
    pub site: String,
}

/// Never the password, in a log or an error.
impl std::fmt::Debug for MailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .finish_non_exhaustive()
    }
}

/// A host name or address: letters, digits, dots, hyphens (and the colons of IPv6).
fn valid_host(s: &str) -> bool {
    !s.is_empty() && s.len() <= 253 && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'))
}

/// A plain e-mail address (`name@domain.tld`), without display names or anything that could
/// add a header line.
pub fn valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else { return false };
    s.len() <= 254
        && !local.is_empty()
        && local.len() <= 64
        && local.chars().all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c))
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && valid_host(domain)
        && !domain.contains(':')
}

/// An address people open Krousar at: http(s), a host, no path parts that would break a link.
fn valid_site(s: &str) -> bool {
    let rest = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://"));
    rest.is_some_and(|r| {
        let host = r.split(['/', ':']).next().unwrap_or("");
        valid_host(host) && r.len() <= 200 && r.chars().all(|c| c.is_ascii_graphic() && !matches!(c, '"' | '<' | '>' | '\\' | '?' | '#'))
    })
}

impl MailInput {
    pub fn validate(&self) -> Result<MailSettings, Invalid> {
        let mut bad = Invalid::default();
        let host = self.host.trim().to_ascii_lowercase();
        if !valid_host(&host) {
            bad.push("host", "err-mail-host");
        }
        let port = self.port.trim().parse::<u16>().ok().filter(|p| *p > 0);
        if port.is_none() {
            bad.push("port", "err-mail-port");
        }
        let security = Security::parse(self.security.trim());
        if security.is_none() {
            bad.push("security", "err-invalid-choice");
        }
        let username = Some(self.username.trim().to_string()).filter(|u| !u.is_empty());
        if username.as_ref().is_some_and(|u| u.len() > 200 || u.chars().any(char::is_control)) {
            bad.push("username", "err-too-long");
        }
        let password = Some(self.password.clone()).filter(|p| !p.is_empty());
        if password.as_ref().is_some_and(|p| p.len() > 500 || p.chars().any(char::is_control)) {
            bad.push("password", "err-too-long");
        }
        let from_address = self.from_address.trim().to_string();
        if !valid_email(&from_address) {
            bad.push("from_address", "err-email");
        }
        let site = self.site.trim().trim_end_matches('/').to_string();
        if !valid_site(&site) {
            bad.push("site", "err-mail-site");
        }
        // A password goes in clear only to a relay on this machine.
        let loopback = matches!(host.as_str(), "127.0.0.1" | "::1" | "localhost");
        if security == Some(Security::None) && (username.is_some() || password.is_some()) && !loopback {
            bad.push("security", "err-mail-plain-password");
        }
        match (port, security) {
            (Some(port), Some(security)) if bad.errors.is_empty() => {
                Ok(MailSettings { host, port, security, username, password, from_address, site })
            }
            _ => Err(bad),
        }
    }
}

/// A person's own e-mail address as typed: empty for none, else a valid address.
pub fn email_input(s: &str) -> Result<Option<String>, &'static str> {
    let s = s.trim();
    if s.is_empty() {
        Ok(None)
    } else if valid_email(s) {
        Ok(Some(s.to_string()))
    } else {
        Err("err-email")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> MailInput {
        MailInput {
            host: "smtp.example.org".into(),
            port: "587".into(),
            security: "starttls".into(),
            username: "krousar".into(),
            password: "secret".into(),
            from_address: "krousar@example.org".into(),
            site: "https://krousar.example.org/".into(),
        }
    }

    #[test]
    fn good_settings() {
        let s = input().validate().unwrap();
        assert_eq!((s.port, s.security, s.site.as_str()), (587, Security::Starttls, "https://krousar.example.org"));
        let keep = MailInput { password: String::new(), username: String::new(), ..input() }.validate().unwrap();
        assert_eq!((keep.password, keep.username), (None, None));
    }

    #[test]
    fn every_problem_at_once() {
        let bad = MailInput {
            host: "smtp example".into(),
            port: "70000".into(),
            security: "ssl".into(),
            from_address: "no at sign".into(),
            site: "javascript:alert(1)".into(),
            ..input()
        };
        let e = bad.validate().unwrap_err();
        for f in ["host", "port", "security", "from_address", "site"] {
            assert!(e.has(f), "{f}");
        }
    }

    #[test]
    fn no_password_in_clear_to_another_machine() {
        let plain = MailInput { security: "none".into(), ..input() };
        assert!(plain.validate().unwrap_err().has("security"));
        let local = MailInput { security: "none".into(), host: "127.0.0.1".into(), ..input() };
        assert!(local.validate().is_ok());
        let anonymous = MailInput { security: "none".into(), username: String::new(), password: String::new(), ..input() };
        assert!(anonymous.validate().is_ok());
    }

    #[test]
    fn addresses_cannot_carry_headers() {
        assert!(valid_email("sokha.chan@ngo.org.kh"));
        assert!(!valid_email("a@b.org\r\nBcc: x@y.org"));
        assert!(!valid_email("Sokha <a@b.org>"));
        assert!(!valid_email("a@localhost"));
        assert!(!valid_email("@b.org"));
        assert_eq!(email_input("  "), Ok(None));
        assert_eq!(email_input("x@y"), Err("err-email"));
        assert!(!valid_site("https://a.org/\"><script>"));
        assert!(valid_site("http://127.0.0.1:8080"));
    }
}
