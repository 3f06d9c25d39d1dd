//! Target versions: which Redis or Valkey release a config is checked against.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Product {
    Redis,
    Valkey,
}

/// A release line, `major.minor`, of one product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Version {
    pub product: Product,
    pub major: u16,
    pub minor: u16,
}

/// How a version's config loader is built, which decides arity and value checking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Family {
    /// Redis ≤ 5.0: one if/else chain, lenient `atoi`/`memtoll` parsing.
    Chain,
    /// Redis 6.0 and 6.2: the standardConfig table, then the remaining chain.
    Table6,
    /// Redis 7.0+ and Valkey: table with MULTI_ARG, strict parsing, module configs.
    Table7,
}

impl Version {
    pub const fn redis(major: u16, minor: u16) -> Self {
        Version {
            product: Product::Redis,
            major,
            minor,
        }
    }

    /// The Redis release whose config loader this version's matches (Valkey forked from 7.2).
    pub fn redis_equivalent(self) -> (u16, u16) {
        match self.product {
            Product::Redis => (self.major, self.minor),
            Product::Valkey => (7, 2),
        }
    }

    /// Whether this version behaves at least like Redis `major.minor`.
    pub fn at_least(self, major: u16, minor: u16) -> bool {
        self.redis_equivalent() >= (major, minor)
    }

    /// What follows a closing quote: Valkey 9.0 joins quoted and bare parts into one argument
    /// (as a shell does), every other version wants a space.
    pub fn quoting(self) -> crate::syntax::Quoting {
        match self.product {
            Product::Valkey if self.major >= 9 => crate::syntax::Quoting::Joining,
            _ => crate::syntax::Quoting::Strict,
        }
    }

    pub fn family(self) -> Family {
        match self.redis_equivalent() {
            (m, _) if m < 6 => Family::Chain,
            (6, _) => Family::Table6,
            _ => Family::Table7,
        }
    }

    /// For people: `Redis 7.0`, `Valkey 8.0`.
    pub fn pretty(self) -> String {
        let p = match self.product {
            Product::Redis => "Redis",
            Product::Valkey => "Valkey",
        };
        format!("{p} {}.{}", self.major, self.minor)
    }

    /// Catalog key, as in `rules/catalog/<key>.toml`.
    pub fn key(self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = match self.product {
            Product::Redis => "redis",
            Product::Valkey => "valkey",
        };
        write!(f, "{p}-{}.{}", self.major, self.minor)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a version: write it like `7.0`, `redis-7.4` or `valkey-8.0`")]
pub struct VersionParseError(pub String);

impl FromStr for Version {
    type Err = VersionParseError;

    /// Accepts `7.0`, `7.0.15`, `redis-7.0`, `valkey-8.0` (the patch level is ignored).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || VersionParseError(s.to_string());
        let lower = s.trim().to_ascii_lowercase();
        let (product, rest) = if let Some(r) = lower.strip_prefix("valkey-") {
            (Product::Valkey, r)
        } else if let Some(r) = lower.strip_prefix("redis-") {
            (Product::Redis, r)
        } else {
            (Product::Redis, lower.as_str())
        };
        let mut parts = rest.split(['.', '-']);
        let major = parts.next().and_then(|p| p.parse().ok()).ok_or_else(err)?;
        let minor = parts.next().and_then(|p| p.parse().ok()).ok_or_else(err)?;
        Ok(Version {
            product,
            major,
            minor,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_spellings() {
        assert_eq!("7.0".parse::<Version>().unwrap(), Version::redis(7, 0));
        assert_eq!(
            "redis-7.4.1".parse::<Version>().unwrap(),
            Version::redis(7, 4)
        );
        let v: Version = "valkey-8.0".parse().unwrap();
        assert_eq!(v.product, Product::Valkey);
        assert_eq!(v.to_string(), "valkey-8.0");
        assert!("seven".parse::<Version>().is_err());
        assert_eq!(Version::redis(5, 0).family(), Family::Chain);
        assert!(v.at_least(7, 0));
    }
}
