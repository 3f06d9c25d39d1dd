//! Lossless syntax tree of a redis.conf file.
//!
//! The file is split into physical lines at LF (the only line break Redis knows). Every line keeps
//! its whole byte range, terminator included, so printing the tree gives back the input byte for
//! byte. Directive lines give their tokens with spans when asked ([`Line::tokens`]); a line Redis'
//! tokenizer rejects becomes an [`LineKind::Invalid`] node and parsing goes on with the next line.

mod lexer;
mod parse;
mod tree;
mod value;

pub use lexer::{count_tokens, tokenize};
pub use parse::{parse, parse_shared, parse_with};
pub use tree::{
    LexError, LexErrorKind, Line, LineKind, Quoting, SyntaxTree, Token, TokenKind, is_c_space,
    is_trim_byte,
};
pub use value::{decode, quote};
