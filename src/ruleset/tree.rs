//! The built-in rule files, parsed at build time: `build.rs` turns each `rules/*.toml` into a
//! static tree of values with their byte spans, and this deserializer reads the rule tables
//! from it as `toml` would (spans included), without lexing TOML on every run.

use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde_spanned::de::{SpannedDeserializer, is_spanned};
use std::fmt;

/// A value of a rule file and where it is written.
#[derive(Debug)]
pub struct Node {
    pub start: u32,
    pub end: u32,
    pub value: Value,
}

#[derive(Debug)]
pub enum Value {
    Str(&'static str),
    Int(i64),
    Bool(bool),
    Array(&'static [Node]),
    Table(&'static [(&'static str, Node)]),
}

#[derive(Debug)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

/// Deserializes one node.
#[derive(Clone, Copy)]
pub struct NodeDe(pub &'static Node);

impl<'de> IntoDeserializer<'de, Error> for NodeDe {
    type Deserializer = NodeDe;
    fn into_deserializer(self) -> NodeDe {
        self
    }
}

impl<'de> de::Deserializer<'de> for NodeDe {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match &self.0.value {
            Value::Str(s) => visitor.visit_str(s),
            Value::Int(i) => visitor.visit_i64(*i),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Array(items) => visitor.visit_seq(Items(items.iter())),
            Value::Table(entries) => visitor.visit_map(Entries {
                entries: entries.iter(),
                value: None,
            }),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        if is_spanned(name) {
            let span = self.0.start as usize..self.0.end as usize;
            return visitor.visit_map(SpannedDeserializer::<NodeDe, Error>::new(self, span));
        }
        self.deserialize_any(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match &self.0.value {
            Value::Str(s) => visitor.visit_enum(s.into_deserializer()),
            Value::Table([(variant, value)]) => visitor.visit_enum(Variant { variant, value }),
            _ => Err(de::Error::custom(
                "expected a string or a table with one key",
            )),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map identifier ignored_any
    }
}

struct Items(std::slice::Iter<'static, Node>);

impl<'de> SeqAccess<'de> for Items {
    type Error = Error;
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        self.0
            .next()
            .map(|n| seed.deserialize(NodeDe(n)))
            .transpose()
    }
}

struct Entries {
    entries: std::slice::Iter<'static, (&'static str, Node)>,
    value: Option<&'static Node>,
}

impl<'de> MapAccess<'de> for Entries {
    type Error = Error;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        match self.entries.next() {
            Some((key, value)) => {
                self.value = Some(value);
                seed.deserialize(key.into_deserializer()).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let value = self
            .value
            .take()
            .ok_or_else(|| de::Error::custom("a value without a key"))?;
        seed.deserialize(NodeDe(value))
    }
}

/// `{ variant = value }`: an externally tagged enum, as TOML writes one.
struct Variant {
    variant: &'static str,
    value: &'static Node,
}

impl<'de> de::EnumAccess<'de> for Variant {
    type Error = Error;
    type Variant = NodeDe;
    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, NodeDe), Error> {
        let variant = seed.deserialize(self.variant.into_deserializer())?;
        Ok((variant, NodeDe(self.value)))
    }
}

impl<'de> de::VariantAccess<'de> for NodeDe {
    type Error = Error;
    fn unit_variant(self) -> Result<(), Error> {
        Ok(())
    }
    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        seed.deserialize(self)
    }
    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_any(self, visitor)
    }
    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_any(self, visitor)
    }
}
