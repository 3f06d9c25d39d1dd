//! Audit targets as users write them: `redis://[user[:password]@]host:port[/db]`, `rediss://…`
//! (TLS) and `unix:///path/redis.sock`.

use std::fmt;
use std::path::PathBuf;

/// Where a server listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    Tcp { host: String, port: u16 },
    Unix(PathBuf),
}

/// One server to audit.
#[derive(Clone, PartialEq, Eq)]
pub struct Target {
    pub address: Address,
    pub tls: bool,
    pub user: Option<String>,
    /// A password given in the URL (it works, with a warning, as redis-cli warns).
    pub password: Option<String>,
    pub db: Option<u32>,
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the password.
        write!(f, "Target({self})")
    }
}

/// How the target is named in every output: the URL without user or password.
impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.address {
            Address::Unix(path) => write!(f, "unix://{}", path.display()),
            Address::Tcp { host, port } => {
                let scheme = if self.tls { "rediss" } else { "redis" };
                if host.contains(':') {
                    write!(f, "{scheme}://[{host}]:{port}")
                } else {
                    write!(f, "{scheme}://{host}:{port}")
                }
            }
        }
    }
}

fn percent_decode(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| "a `%` not followed by two hex digits".to_string())?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "not UTF-8 once decoded".to_string())
}

impl std::str::FromStr for Target {
    type Err = String;

    fn from_str(text: &str) -> Result<Target, String> {
        let bad = |why: &str| format!("`{}`: {why}", redacted(text));
        let (scheme, rest) = text.split_once("://").ok_or_else(|| {
            bad("not a URL (redis://host:port, rediss://host:port or unix:///path)")
        })?;
        let tls = match scheme.to_ascii_lowercase().as_str() {
            "redis" => false,
            "rediss" => true,
            "unix" | "redis+unix" => {
                if rest.is_empty() {
                    return Err(bad("no socket path"));
                }
                return Ok(Target {
                    address: Address::Unix(PathBuf::from(rest)),
                    tls: false,
                    user: None,
                    password: None,
                    db: None,
                });
            }
            _ => return Err(bad("the scheme is not redis, rediss or unix")),
        };
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        let (user, password) = match userinfo {
            None => (None, None),
            Some(u) => {
                let (user, password) = match u.split_once(':') {
                    Some((user, password)) => (user, Some(password)),
                    None => (u, None),
                };
                let user = (!user.is_empty())
                    .then(|| percent_decode(user))
                    .transpose()
                    .map_err(|e| bad(&e))?;
                let password = password
                    .filter(|p| !p.is_empty())
                    .map(percent_decode)
                    .transpose()
                    .map_err(|e| bad(&e))?;
                (user, password)
            }
        };
        let (host, port) = if let Some(inner) = hostport.strip_prefix('[') {
            let (host, after) = inner
                .split_once(']')
                .ok_or_else(|| bad("an IPv6 address without `]`"))?;
            (host, after.strip_prefix(':'))
        } else {
            match hostport.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (hostport, None),
            }
        };
        if host.is_empty() {
            return Err(bad("no host"));
        }
        let port = match port {
            None | Some("") => 6379,
            Some(p) => p
                .parse()
                .map_err(|_| bad("the port is not a number up to 65535"))?,
        };
        let db = match path.trim_end_matches('/') {
            "" => None,
            d => Some(
                d.parse()
                    .map_err(|_| bad("the path is not a database number"))?,
            ),
        };
        Ok(Target {
            address: Address::Tcp {
                host: host.to_string(),
                port,
            },
            tls,
            user,
            password,
            db,
        })
    }
}

/// A target as the user wrote it, with a password in it replaced, for error messages.
pub fn redacted(text: &str) -> String {
    let Some((scheme, rest)) = text.split_once("://") else {
        return text.to_string();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rsplit_once('@') {
        Some((userinfo, _)) if userinfo.contains(':') => {
            let user = userinfo.split_once(':').map_or("", |(u, _)| u);
            let host = &rest[userinfo.len() + 1..];
            format!("{scheme}://{user}:********@{host}")
        }
        _ => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_read_as_urls() {
        let t: Target = "redis://127.0.0.1:6380/2".parse().unwrap();
        assert_eq!(t.to_string(), "redis://127.0.0.1:6380");
        assert_eq!(t.db, Some(2));
        let t: Target = "rediss://ops:p%40ss@[::1]:7000".parse().unwrap();
        assert_eq!(
            (t.user.as_deref(), t.password.as_deref(), t.tls),
            (Some("ops"), Some("p@ss"), true)
        );
        assert_eq!(t.to_string(), "rediss://[::1]:7000");
        assert!(!format!("{t:?}").contains("p@ss"));
        let t: Target = "redis://:secret@localhost".parse().unwrap();
        assert_eq!((t.user, t.password.as_deref()), (None, Some("secret")));
        let t: Target = "unix:///run/redis.sock".parse().unwrap();
        assert_eq!(t.to_string(), "unix:///run/redis.sock");
        for bad in [
            "localhost:6379",
            "http://x",
            "redis://:1",
            "redis://h:99999",
            "redis://h/x",
        ] {
            assert!(bad.parse::<Target>().is_err(), "{bad}");
        }
        let err = "redis://u:hunter2@h:nope".parse::<Target>().unwrap_err();
        assert!(!err.contains("hunter2"), "{err}");
    }
}
