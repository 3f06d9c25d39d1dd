//! Redis' value parsers, reproduced bit for bit, and the per-type check of one config value.
//!
//! Many Redis parsers read their argument as a C string: a NUL decoded from `\x00` ends it. The
//! helpers below take that into account where Redis does.

use crate::catalog::{DirectiveSpec, ValueType};
use crate::version::{Family, Version};

/// The value as a C string sees it: up to the first NUL.
pub fn c_str(value: &[u8]) -> &[u8] {
    match value.iter().position(|&b| b == 0) {
        Some(n) => &value[..n],
        None => value,
    }
}

/// `string2ll`: strict decimal, optional `-`, no `+`, no leading zeros, under 21 bytes.
pub fn string2ll(s: &[u8]) -> Option<i64> {
    if s.is_empty() || s.len() >= 21 {
        return None;
    }
    if s == b"0" {
        return Some(0);
    }
    let (negative, digits) = match s.strip_prefix(b"-") {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    if digits.is_empty() || !(b'1'..=b'9').contains(&digits[0]) {
        return None;
    }
    let mut v: u64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add((d - b'0') as u64)?;
    }
    if negative {
        if v > (i64::MAX as u64) + 1 {
            return None;
        }
        Some((v as i64).wrapping_neg())
    } else {
        i64::try_from(v).ok()
    }
}

fn unit_multiplier(unit: &[u8]) -> Option<u64> {
    Some(match unit.to_ascii_lowercase().as_slice() {
        b"" | b"b" => 1,
        b"k" => 1000,
        b"kb" => 1024,
        b"m" => 1_000_000,
        b"mb" => 1024 * 1024,
        b"g" => 1_000_000_000,
        b"gb" => 1024 * 1024 * 1024,
        _ => return None,
    })
}

/// `memtoull` (7.0+): digits then an optional unit; a `-` anywhere first is an error. Overflow
/// saturates in `strtoull` and the multiplication wraps, as in C.
pub fn memtoull(value: &[u8]) -> Option<u64> {
    let s = c_str(value);
    if s.first() == Some(&b'-') {
        return None;
    }
    let digits = s.iter().take_while(|b| b.is_ascii_digit()).count();
    let mul = unit_multiplier(&s[digits..])?;
    if digits >= 128 {
        return None;
    }
    let n = std::str::from_utf8(&s[..digits]).ok().map_or(0, |d| {
        d.parse::<u64>()
            .unwrap_or(if d.is_empty() { 0 } else { u64::MAX })
    });
    Some(n.wrapping_mul(mul))
}

/// `memtoll` with its error flag (6.x): like `memtoull` but signed and `-` allowed before digits.
pub fn memtoll(value: &[u8]) -> Option<i64> {
    let s = c_str(value);
    let sign = usize::from(s.first() == Some(&b'-'));
    let digits = sign + s[sign..].iter().take_while(|b| b.is_ascii_digit()).count();
    let mul = unit_multiplier(&s[digits..])?;
    if digits >= 128 {
        return None;
    }
    let text = std::str::from_utf8(&s[..digits]).ok()?;
    let n: i64 = match text {
        "" => 0,
        "-" => return None,
        t => t
            .parse::<i64>()
            .unwrap_or(if sign == 1 { i64::MIN } else { i64::MAX }),
    };
    Some(n.wrapping_mul(mul as i64))
}

/// `memtoll(p, NULL)` (≤5.0): errors are ignored. From 3.0 a bad unit gives 0; 2.8 and older
/// ignore the unit and keep the digits (`2 gb` → 2, `1.5gb` → 1).
pub fn memtoll_lenient(value: &[u8], version: Version) -> i64 {
    if version.redis_equivalent() >= (3, 0) {
        return memtoll(value).unwrap_or(0);
    }
    let s = c_str(value);
    let sign = usize::from(s.first() == Some(&b'-'));
    let digits = sign + s[sign..].iter().take_while(|b| b.is_ascii_digit()).count();
    if digits >= 128 {
        return i64::MAX;
    }
    let mul = unit_multiplier(&s[digits..]).unwrap_or(1);
    strtoll(&s[..digits]).0.wrapping_mul(mul as i64)
}

/// What glibc's `strtoll(s, &end, radix)` computes on the C string: leading white space, a
/// sign, digits. The value saturates on overflow (`overflow` is then set, as `errno = ERANGE`);
/// `end` is the offset after the digits, 0 when there are none.
struct Strtoll {
    value: i64,
    end: usize,
    overflow: bool,
}

fn strtoll_radix(value: &[u8], radix: u32) -> Strtoll {
    let s = c_str(value);
    let mut i = s
        .iter()
        .take_while(|&&b| crate::syntax::is_c_space(b))
        .count();
    let negative = match s.get(i) {
        Some(&sign @ (b'-' | b'+')) => {
            i += 1;
            sign == b'-'
        }
        _ => false,
    };
    let digits_start = i;
    let limit = i128::from(i64::MAX) + 1;
    let mut magnitude: i128 = 0;
    while let Some(d) = s.get(i).and_then(|&b| (b as char).to_digit(radix)) {
        magnitude = (magnitude * i128::from(radix) + i128::from(d)).min(limit);
        i += 1;
    }
    if i == digits_start {
        return Strtoll {
            value: 0,
            end: 0,
            overflow: false,
        };
    }
    let signed = if negative { -magnitude } else { magnitude };
    let value = signed.clamp(i128::from(i64::MIN), i128::from(i64::MAX));
    Strtoll {
        value: value as i64,
        end: i,
        overflow: value != signed,
    }
}

/// glibc `strtoll(s, &end, 10)`: the saturated value and the end offset (0 when no digits).
pub fn strtoll(value: &[u8]) -> (i64, usize) {
    let r = strtoll_radix(value, 10);
    (r.value, r.end)
}

/// glibc `atoi`: `(int) strtol(s, NULL, 10)`, so an overflowing `long` saturates and the cast
/// then keeps the low 32 bits.
pub fn atoi(value: &[u8]) -> i32 {
    strtoll(value).0 as i32
}

/// `strtoll(v, &end, 8)` with the checks of 7.0+: no overflow, and the whole string read (an
/// empty string converts nothing and is accepted as 0).
pub fn strtoll_octal_strict(value: &[u8]) -> Option<i64> {
    let s = c_str(value);
    let r = strtoll_radix(value, 8);
    let whole = if r.end == 0 {
        s.is_empty()
    } else {
        r.end == s.len()
    };
    (whole && !r.overflow).then_some(r.value)
}

/// `strtol(v, NULL, 8)` as ≤6.2 use it: stops at the first non-octal digit.
pub fn strtol_octal_lenient(value: &[u8]) -> i64 {
    strtoll_radix(value, 8).value
}

pub fn yes_no(value: &[u8]) -> Option<bool> {
    let s = c_str(value);
    if s.eq_ignore_ascii_case(b"yes") {
        Some(true)
    } else if s.eq_ignore_ascii_case(b"no") {
        Some(false)
    } else {
        None
    }
}

/// The outcome of checking one value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueCheck {
    Ok,
    /// redis-server rejects it, with this message.
    Rejected(String),
    /// Accepted, but read as something other than what was written (old lenient parsers).
    Coerced(String),
}

fn unsigned(spec: &DirectiveSpec) -> bool {
    spec.max_value().is_some_and(|m| m > i64::MAX as i128)
}

fn bounds_error(spec: &DirectiveSpec, v: i128, octal: bool) -> Option<String> {
    let (min, max) = (spec.min_value(), spec.max_value());
    if min.is_some_and(|m| v < m) || max.is_some_and(|m| v > m) {
        let show = |b: Option<i128>| match (b, octal) {
            (Some(b), true) => format!("{b:o}"),
            (Some(b), false) => b.to_string(),
            (None, _) => "-".into(),
        };
        Some(match (min, max) {
            (Some(_), Some(_)) => format!(
                "argument must be between {} and {} inclusive",
                show(min),
                show(max)
            ),
            (Some(_), None) => format!("argument must be {} or greater", show(min)),
            _ => format!("argument must be {} or less", show(max)),
        })
    } else {
        None
    }
}

/// Bounds the way `numericBoundaryCheck` does them: unsigned types compare the bits as unsigned.
fn check_bounds(spec: &DirectiveSpec, raw: i64, octal: bool) -> ValueCheck {
    let v = if unsigned(spec) {
        raw as u64 as i128
    } else {
        raw as i128
    };
    match bounds_error(spec, v, octal) {
        Some(e) => ValueCheck::Rejected(e),
        None => ValueCheck::Ok,
    }
}

/// Check the single value of a table directive (or a chain branch) of the given type.
pub fn check_value(spec: &DirectiveSpec, version: Version, value: &[u8]) -> ValueCheck {
    let family = version.family();
    let lenient = family == Family::Chain || spec.unvalidated;
    match spec.value_type {
        ValueType::Bool => {
            if spec.unvalidated || yes_no(value).is_some() {
                ValueCheck::Ok
            } else {
                ValueCheck::Rejected("argument must be 'yes' or 'no'".into())
            }
        }
        ValueType::Int if lenient => {
            let v = i64::from(atoi(value));
            // Chain branches check their bounds even where they coerce bad input silently.
            if let Some(e) = bounds_error(spec, v as i128, false) {
                return ValueCheck::Rejected(e);
            }
            if string2ll(c_str(value)) != Some(v) {
                ValueCheck::Coerced(format!("read as {v}"))
            } else {
                ValueCheck::Ok
            }
        }
        ValueType::Int => match string2ll(value) {
            Some(v) => check_bounds(spec, v, false),
            None => ValueCheck::Rejected("argument couldn't be parsed into an integer".into()),
        },
        ValueType::Memory if lenient => {
            let v = memtoll_lenient(value, version);
            if let Some(e) = bounds_error(spec, v as i128, false) {
                return ValueCheck::Rejected(e);
            }
            if memtoll(value).is_none() {
                ValueCheck::Coerced(format!("not a memory value: read as {v}"))
            } else {
                ValueCheck::Ok
            }
        }
        ValueType::Memory if family == Family::Table6 => match memtoll(value) {
            Some(v) if v >= 0 => check_bounds(spec, v, false),
            _ => ValueCheck::Rejected("argument must be a memory value".into()),
        },
        ValueType::Memory => match memtoull(value) {
            Some(v) => check_bounds(spec, v as i64, false),
            None => ValueCheck::Rejected("argument must be a memory value".into()),
        },
        ValueType::MemoryOrPercent => {
            if let Some(v) = memtoull(value) {
                return check_bounds(spec, v as i64, false);
            }
            let s = value;
            if s.len() > 1
                && s.last() == Some(&b'%')
                && let Some(p) = string2ll(&s[..s.len() - 1])
                && p >= 0
            {
                return if p > 100 {
                    ValueCheck::Rejected("percentage argument must be less or equal to 100".into())
                } else {
                    ValueCheck::Ok
                };
            }
            ValueCheck::Rejected("argument must be a memory or percent value".into())
        }
        ValueType::Octal if family == Family::Table7 => match strtoll_octal_strict(value) {
            Some(v) => check_bounds(spec, v, true),
            None => ValueCheck::Rejected("argument couldn't be parsed as an octal number".into()),
        },
        ValueType::Octal => {
            let v = strtol_octal_lenient(value);
            // Stored in a mode_t: negative values become huge.
            if !(0..=0o777).contains(&v) {
                ValueCheck::Rejected("Invalid socket file permissions".into())
            } else {
                ValueCheck::Ok
            }
        }
        ValueType::Enum => {
            let s = c_str(value);
            if spec.unvalidated
                || spec
                    .enum_values
                    .iter()
                    .any(|e| e.as_bytes().eq_ignore_ascii_case(s))
            {
                ValueCheck::Ok
            } else {
                ValueCheck::Rejected(format!(
                    "argument(s) must be one of the following: {}",
                    spec.enum_values.join(", ")
                ))
            }
        }
        ValueType::String | ValueType::Special | ValueType::Ignored => ValueCheck::Ok,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string2ll_is_strict() {
        assert_eq!(string2ll(b"0"), Some(0));
        assert_eq!(string2ll(b"-5"), Some(-5));
        for bad in [
            &b""[..],
            b"-0",
            b"+1",
            b"01",
            b"1.5",
            b" 1",
            b"-",
            b"99999999999999999999",
        ] {
            assert_eq!(string2ll(bad), None, "{bad:?}");
        }
        assert_eq!(string2ll(b"-9223372036854775808"), Some(i64::MIN));
    }

    #[test]
    fn memory_units() {
        assert_eq!(memtoull(b"1k"), Some(1000));
        assert_eq!(memtoull(b"1KB"), Some(1024));
        assert_eq!(memtoull(b"gb"), Some(0));
        assert_eq!(memtoull(b""), Some(0));
        assert_eq!(memtoull(b"-1"), None);
        assert_eq!(memtoull(b"1.5gb"), None);
        assert_eq!(memtoull(b"2 gb"), None);
        assert_eq!(memtoull(b"1tb"), None);
        assert_eq!(memtoull(b"18446744073709551616"), Some(u64::MAX));
        assert_eq!(memtoll(b"-1"), Some(-1));
        assert_eq!(memtoll_lenient(b"2GiB", Version::redis(5, 0)), 0);
        // mm-quoted-2gb and mm-float, observed on 2.8.
        assert_eq!(memtoll_lenient(b"2 gb", Version::redis(2, 8)), 2);
        assert_eq!(memtoll_lenient(b"1.5gb", Version::redis(2, 8)), 1);
    }

    #[test]
    fn lenient_parsers() {
        assert_eq!(atoi(b"0300"), 300);
        assert_eq!(atoi(b"1.5"), 1);
        assert_eq!(atoi(b"abc"), 0);
        assert_eq!(strtol_octal_lenient(b"0778"), 0o77);
        assert_eq!(strtoll_octal_strict(b"0778"), None);
        assert_eq!(strtoll_octal_strict(b"700"), Some(0o700));
        assert_eq!(yes_no(b"YES\0x"), Some(true));
    }
}
