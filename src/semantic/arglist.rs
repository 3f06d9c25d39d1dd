//! A directive's values, packed: one buffer of bytes and where each value ends. A line of a
//! million `bind` addresses then costs its bytes and four bytes a value, not a heap block (and
//! its header) a value.

use crate::source::offset32;
use crate::syntax::Token;
use std::fmt;
use std::ops::Index;

#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct ArgList {
    bytes: Box<[u8]>,
    /// End of each value in `bytes`; value `i` starts where value `i - 1` ends.
    ends: Box<[u32]>,
}

impl ArgList {
    pub fn new() -> ArgList {
        ArgList::default()
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn get(&self, i: usize) -> Option<&[u8]> {
        let end = *self.ends.get(i)? as usize;
        let start = match i {
            0 => 0,
            _ => self.ends[i - 1] as usize,
        };
        Some(&self.bytes[start..end])
    }

    pub fn first(&self) -> Option<&[u8]> {
        self.get(0)
    }

    pub fn last(&self) -> Option<&[u8]> {
        self.len().checked_sub(1).and_then(|i| self.get(i))
    }

    pub fn iter(&self) -> Iter<'_> {
        Iter {
            list: self,
            front: 0,
            back: self.len(),
        }
    }

    /// The values of tokens of `source`, decoded as Redis reads them.
    pub fn decode(source: &[u8], tokens: &[Token]) -> ArgList {
        let mut bytes = Vec::with_capacity(tokens.iter().map(|t| t.span().len()).sum());
        let mut ends = Vec::with_capacity(tokens.len());
        for t in tokens {
            bytes.extend_from_slice(&t.value(source));
            ends.push(offset32(bytes.len()));
        }
        ArgList {
            bytes: bytes.into_boxed_slice(),
            ends: ends.into_boxed_slice(),
        }
    }

    /// The values as a vector of slices, for slice patterns (`[from, to]`).
    pub fn views(&self) -> Vec<&[u8]> {
        self.iter().collect()
    }

    /// The values in groups of `n` (the last group may be shorter), like `slice::chunks`.
    pub fn chunks(&self, n: usize) -> impl Iterator<Item = Vec<&[u8]>> + '_ {
        assert!(n > 0, "chunks of no values");
        let mut values = self.iter();
        std::iter::from_fn(move || {
            let group: Vec<&[u8]> = values.by_ref().take(n).collect();
            (!group.is_empty()).then_some(group)
        })
    }

    /// The values joined by `separator`, as redis-server joins a MULTI_ARG config's words.
    pub fn joined(&self, separator: u8) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.bytes.len() + self.len());
        for (i, value) in self.iter().enumerate() {
            if i > 0 {
                out.push(separator);
            }
            out.extend_from_slice(value);
        }
        out
    }

    /// The values from `from` on, as a list of their own.
    pub fn skip(&self, from: usize) -> ArgList {
        self.iter().skip(from).collect()
    }

    /// The values as separate vectors (for code that edits them).
    pub fn to_vecs(&self) -> Vec<Vec<u8>> {
        self.iter().map(<[u8]>::to_vec).collect()
    }
}

impl Index<usize> for ArgList {
    type Output = [u8];

    fn index(&self, i: usize) -> &[u8] {
        match self.get(i) {
            Some(value) => value,
            None => panic!("value {i} of a list of {}", self.len()),
        }
    }
}

impl<T: AsRef<[u8]>> FromIterator<T> for ArgList {
    fn from_iter<I: IntoIterator<Item = T>>(values: I) -> ArgList {
        let mut bytes = Vec::new();
        let mut ends = Vec::new();
        for value in values {
            bytes.extend_from_slice(value.as_ref());
            ends.push(offset32(bytes.len()));
        }
        ArgList {
            bytes: bytes.into_boxed_slice(),
            ends: ends.into_boxed_slice(),
        }
    }
}

impl From<Vec<Vec<u8>>> for ArgList {
    fn from(values: Vec<Vec<u8>>) -> ArgList {
        values.into_iter().collect()
    }
}

impl<'a> IntoIterator for &'a ArgList {
    type Item = &'a [u8];
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl fmt::Debug for ArgList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.iter().map(String::from_utf8_lossy))
            .finish()
    }
}

impl<T: AsRef<[u8]>> PartialEq<[T]> for ArgList {
    fn eq(&self, other: &[T]) -> bool {
        self.len() == other.len() && self.iter().zip(other).all(|(a, b)| a == b.as_ref())
    }
}

impl<T: AsRef<[u8]>> PartialEq<Vec<T>> for ArgList {
    fn eq(&self, other: &Vec<T>) -> bool {
        *self == other[..]
    }
}

#[derive(Clone)]
pub struct Iter<'a> {
    list: &'a ArgList,
    front: usize,
    back: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        if self.front == self.back {
            return None;
        }
        self.front += 1;
        self.list.get(self.front - 1)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.back - self.front;
        (n, Some(n))
    }

    fn nth(&mut self, n: usize) -> Option<&'a [u8]> {
        self.front = self.front.saturating_add(n).min(self.back);
        self.next()
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.front == self.back {
            return None;
        }
        self.back -= 1;
        self.list.get(self.back)
    }
}

impl ExactSizeIterator for Iter<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_values_read_back_as_written() {
        let words: Vec<&[u8]> = vec![b"a", b"", b"bc", b"", b"\x00d"];
        let list: ArgList = words.iter().collect();
        assert_eq!(list.len(), 5);
        assert_eq!(list.iter().collect::<Vec<_>>(), words);
        let mut reversed = words.clone();
        reversed.reverse();
        assert_eq!(list.iter().rev().collect::<Vec<_>>(), reversed);
        assert_eq!(list.get(1), Some(&b""[..]));
        assert_eq!(&list[2], b"bc");
        assert_eq!(list.get(5), None);
        assert_eq!(list.first(), Some(&b"a"[..]));
        assert_eq!(list.last(), Some(&b"\x00d"[..]));
        assert_eq!(list.skip(3), vec![&b""[..], b"\x00d"]);
        assert_eq!(
            list.chunks(2).collect::<Vec<_>>(),
            words.chunks(2).collect::<Vec<_>>()
        );
        assert_eq!(list.views(), words);
        assert_eq!(list.joined(b' '), b"a  bc  \x00d");
        assert_eq!(list.iter().nth(2), Some(&b"bc"[..]));
        assert_eq!(list.iter().nth(9), None);
        assert_eq!(
            list.to_vecs(),
            words.iter().map(|w| w.to_vec()).collect::<Vec<_>>()
        );
        let empty = ArgList::new();
        assert!(empty.is_empty() && empty.first().is_none() && empty.last().is_none());
        assert_eq!(format!("{:?}", list.skip(2)), r#"["bc", "", "\0d"]"#);
    }
}
