//! Version requirements in rule files: `">=6.0, <7.0"`, compared with the Redis release a target
//! behaves like (Valkey counts as Redis 7.2).

use crate::version::Version;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionReq {
    clauses: Vec<(Op, (u16, u16))>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
}

impl VersionReq {
    pub fn any() -> Self {
        VersionReq {
            clauses: Vec::new(),
        }
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let mut clauses = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            if part == "*" {
                continue;
            }
            let (op, rest) = [
                (">=", Op::Ge),
                ("<=", Op::Le),
                (">", Op::Gt),
                ("<", Op::Lt),
                ("=", Op::Eq),
            ]
            .iter()
            .find_map(|(p, op)| part.strip_prefix(p).map(|r| (*op, r.trim())))
            .ok_or_else(|| format!("`{part}` must start with >=, <=, >, < or ="))?;
            let mut nums = rest.split('.');
            let major = nums.next().and_then(|n| n.parse().ok());
            let minor = nums.next().map_or(Some(0), |n| n.parse().ok());
            match (major, minor, nums.next()) {
                (Some(ma), Some(mi), None) => clauses.push((op, (ma, mi))),
                _ => return Err(format!("`{rest}` is not a version like 7.0")),
            }
        }
        Ok(VersionReq { clauses })
    }

    pub fn matches(&self, version: Version) -> bool {
        let v = version.redis_equivalent();
        self.clauses.iter().all(|(op, w)| match op {
            Op::Lt => v < *w,
            Op::Le => v <= *w,
            Op::Gt => v > *w,
            Op::Ge => v >= *w,
            Op::Eq => v == *w,
        })
    }

    /// Human form for tables: `6.0–6.2`, `≥7.0`, `all`.
    pub fn describe(&self) -> String {
        if self.clauses.is_empty() {
            return "all".into();
        }
        self.clauses
            .iter()
            .map(|(op, (a, b))| {
                let op = match op {
                    Op::Lt => "<",
                    Op::Le => "<=",
                    Op::Gt => ">",
                    Op::Ge => ">=",
                    Op::Eq => "=",
                };
                format!("{op}{a}.{b}")
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        let r = VersionReq::parse(">=3.2, <7.0").unwrap();
        assert!(r.matches(Version::redis(6, 2)));
        assert!(!r.matches(Version::redis(7, 0)));
        assert!(!r.matches(Version::redis(3, 0)));
        assert!(VersionReq::parse("7").is_err());
        assert!(VersionReq::parse("~7.0").is_err());
        assert!(
            VersionReq::parse("*")
                .unwrap()
                .matches(Version::redis(2, 8))
        );
    }
}
