//! Container images: which server an image runs, its version from the tag, and what the image
//! itself sets before the config is read.
//!
//! Checked against each family's build files and entrypoint:
//! - `redis`, `valkey/valkey`: the Dockerfile patches the compiled default of `protected-mode`
//!   to `no` (`createBoolConfig("protected-mode", …)` in `config.c`); the entrypoint puts the
//!   server in front of arguments that start with `-` or end in `.conf`. No config file is
//!   shipped; `CMD` is the server with no arguments.
//! - `redis/redis-stack`, `redis/redis-stack-server`: the entrypoint starts the server with
//!   `--protected-mode no` after the config file and before `REDIS_ARGS`.
//! - `bitnami/redis`: the setup writes `bind 0.0.0.0 ::` and `appendonly yes` (`save ""` is built
//!   in), `requirepass` from `REDIS_PASSWORD`, and `protected-mode no` when
//!   `ALLOW_EMPTY_PASSWORD=yes`; with no password and no `ALLOW_EMPTY_PASSWORD=yes` it refuses to
//!   start.

use crate::version::{Product, Version};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// The official `redis` image (Docker Hub library).
    Official,
    /// `valkey/valkey`.
    Valkey,
    /// `bitnami/redis`, `bitnami/redis-sentinel`, `bitnami/valkey`.
    Bitnami,
    /// `redis/redis-stack`, `redis/redis-stack-server`.
    Stack,
}

/// An image reference that runs a Redis or Valkey server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    pub family: Family,
    pub product: Product,
    /// The repository as written without registry and tag (`redis`, `bitnami/redis`).
    pub name: String,
    pub tag: Option<String>,
    /// Sentinel images (`bitnami/redis-sentinel`).
    pub sentinel: bool,
}

impl Image {
    /// Read `redis:7.2-alpine`, `docker.io/bitnami/redis:7.4.1`, `valkey/valkey:8.0@sha256:…`.
    pub fn parse(reference: &str) -> Option<Image> {
        let reference = reference.trim();
        let no_digest = reference.split('@').next().unwrap_or(reference);
        // A registry is a first part with a dot, a colon or `localhost`.
        let mut parts: Vec<&str> = no_digest.split('/').collect();
        if parts.len() > 1
            && (parts[0].contains('.') || parts[0].contains(':') || parts[0] == "localhost")
        {
            parts.remove(0);
        }
        let last = parts.pop()?;
        let (repo, tag) = match last.split_once(':') {
            Some((r, t)) => (r, Some(t.to_string())),
            None => (last, None),
        };
        parts.push(repo);
        let name = parts.join("/").to_ascii_lowercase();
        let name = name.strip_prefix("library/").unwrap_or(&name).to_string();
        let (family, product, sentinel) = match name.as_str() {
            "redis" => (Family::Official, Product::Redis, false),
            "valkey/valkey" | "valkey" => (Family::Valkey, Product::Valkey, false),
            "bitnami/redis" => (Family::Bitnami, Product::Redis, false),
            "bitnami/redis-sentinel" => (Family::Bitnami, Product::Redis, true),
            "bitnami/valkey" => (Family::Bitnami, Product::Valkey, false),
            "bitnami/valkey-sentinel" => (Family::Bitnami, Product::Valkey, true),
            "redis/redis-stack" | "redis/redis-stack-server" | "redislabs/redis-stack" => {
                (Family::Stack, Product::Redis, false)
            }
            _ => return None,
        };
        Some(Image {
            family,
            product,
            name,
            tag,
            sentinel,
        })
    }

    /// The server program the image runs.
    pub fn program(&self) -> &'static str {
        match self.product {
            Product::Redis => "redis-server",
            Product::Valkey => "valkey-server",
        }
    }

    /// The catalog version the tag names, and a note when it is not exactly a catalog's.
    pub fn version(&self) -> (Option<Version>, Option<String>) {
        let available: Vec<Version> = crate::catalog::available()
            .into_iter()
            .filter(|v| v.product == self.product)
            .collect();
        let newest = available.iter().copied().max_by_key(|v| (v.major, v.minor));
        let numbers: Option<(u16, Option<u16>)> = self.tag.as_deref().and_then(|tag| {
            let mut it = tag
                .split(|c: char| !c.is_ascii_digit())
                .take_while(|s| !s.is_empty());
            let major = it.next()?.parse().ok()?;
            let minor = it.next().and_then(|m| m.parse().ok());
            tag.starts_with(|c: char| c.is_ascii_digit())
                .then_some((major, minor))
        });
        let shown = format!("{}:{}", self.name, self.tag.as_deref().unwrap_or("latest"));
        let Some((major, minor)) = numbers else {
            return (
                newest,
                newest.map(|v| format!("image {shown}: checked as {v}, the newest in the catalog")),
            );
        };
        let exact = available
            .iter()
            .copied()
            .find(|v| Some(v.minor) == minor && v.major == major);
        if let Some(v) = exact {
            return (Some(v), None);
        }
        // The newest catalog at or below the tag.
        let below = available
            .iter()
            .copied()
            .filter(|v| (v.major, v.minor) <= (major, minor.unwrap_or(u16::MAX)))
            .max_by_key(|v| (v.major, v.minor));
        let chosen = below.or(newest);
        let why = match minor {
            None => format!("the newest {major}.x in the catalog"),
            Some(_) => "the nearest catalog at or below that version".to_string(),
        };
        (
            chosen,
            chosen.map(|v| format!("image {shown}: checked as {v}, {why}")),
        )
    }

    /// Config lines the image sets before the config file is read (the compiled defaults it
    /// changes), with why.
    pub fn defaults_before(&self) -> Option<(&'static str, String)> {
        match self.family {
            Family::Official | Family::Valkey => Some((
                "protected-mode no",
                format!(
                    "the `{}` image builds the server with protected mode off: without a password, any client that reaches a published port gets in",
                    self.name
                ),
            )),
            _ => None,
        }
    }

    /// Arguments the image's entrypoint adds after the config file.
    pub fn args_after_file(&self) -> Option<(&'static [&'static str], String)> {
        match self.family {
            Family::Stack => Some((
                &["--protected-mode", "no"],
                format!(
                    "the `{}` image's entrypoint starts the server with `--protected-mode no`",
                    self.name
                ),
            )),
            _ => None,
        }
    }
}

/// Whether a program name runs a server this tool checks.
pub fn is_server_program(word: &[u8]) -> bool {
    let name = word.rsplit(|&b| b == b'/').next().unwrap_or(word);
    matches!(
        name,
        b"redis-server" | b"valkey-server" | b"redis-sentinel" | b"valkey-sentinel"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_and_versions() {
        let i = Image::parse("redis:7.2-alpine").unwrap();
        assert_eq!(
            (i.family, i.version().0),
            (Family::Official, Some(Version::redis(7, 2)))
        );
        let i = Image::parse("docker.io/bitnami/redis:7.4.1").unwrap();
        assert_eq!(i.version(), (Some(Version::redis(7, 4)), None));
        let i = Image::parse("valkey/valkey:8.0@sha256:abc").unwrap();
        assert_eq!(
            i.version().0.map(|v| v.to_string()),
            Some("valkey-8.0".into())
        );
        let (v, note) = Image::parse("redis").unwrap().version();
        assert_eq!(v, crate::catalog::newest_redis());
        assert!(note.unwrap().contains("newest"));
        let (v, note) = Image::parse("redis:7-bookworm").unwrap().version();
        assert_eq!(v, Some(Version::redis(7, 4)));
        assert!(note.unwrap().contains("newest 7.x"));
        assert!(Image::parse("postgres:16").is_none());
        assert!(Image::parse("ghcr.io/acme/redis-proxy:1").is_none());
        assert!(is_server_program(b"/usr/local/bin/redis-server"));
    }
}
