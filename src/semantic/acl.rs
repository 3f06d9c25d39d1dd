//! A model of redis-server's ACL rule parser (`ACLSetUser`), enough to tell which `user` lines
//! redis-server rejects while reading the config and which rules fail when the users are loaded
//! at startup.
//!
//! Behaviour per version:
//! * 6.0: flags, passwords, key patterns, commands and categories; adding `+cmd|sub` while `cmd`
//!   is fully allowed is an error (EBUSY).
//! * 6.2: adds channels (`&`), `allchannels`/`resetchannels`, `(skip-)sanitize-payload`.
//! * 7.0+: selectors `( ... )` that may span several tokens, `%R~`/`%W~` key patterns,
//!   `clearselectors`, real subcommands (`+config|get`). The `%~pattern` form (no R/W flag) is
//!   a syntax error in 7.2+ and in Debian's 7.0.15 (which carries the CVE-2024-31227 fix).

use crate::catalog::Catalog;
use crate::version::Version;

/// Why a rule failed, named after the errno redis-server sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AclError {
    /// ENOENT: unknown command or category. Tolerated while parsing, fatal at ACL load.
    NoEnt,
    /// EINVAL
    Syntax,
    /// EEXIST: key pattern after `~*`/`allkeys`.
    KeysAfterAll,
    /// EISDIR: channel pattern after `&*`/`allchannels`.
    ChannelsAfterAll,
    /// ENODEV: removing a password that is not there.
    NoSuchPassword,
    /// EBADMSG: `#`/`!` hash that is not 64 lowercase hex characters.
    BadHash,
    /// EBUSY (6.0 only): `+cmd|sub` while `cmd` is fully allowed.
    SubcommandOfAllowed,
    /// ECHILD (7.0+): `+cmd|sub|arg`.
    FirstArgOfSubcommand,
    /// EALREADY (7.0+): second `user` line with the same name.
    DuplicateUser,
}

impl AclError {
    /// `ACLSetUserStringError()`.
    pub fn message(self) -> &'static str {
        match self {
            AclError::NoEnt => "Unknown command or category name in ACL",
            AclError::Syntax => "Syntax error",
            AclError::KeysAfterAll => {
                "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and \
                 does not have any effect. Try 'resetkeys' to start with an empty list of patterns"
            }
            AclError::ChannelsAfterAll => {
                "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid \
                 and does not have any effect. Try 'resetchannels' to start with an empty list \
                 of channels"
            }
            AclError::NoSuchPassword => {
                "The password you are trying to remove from the user does not exist"
            }
            AclError::BadHash => {
                "The password hash must be exactly 64 characters and contain only lowercase \
                 hexadecimal characters"
            }
            AclError::SubcommandOfAllowed => {
                "Adding a subcommand of a command already fully added is not allowed. Remove \
                 the command to start. Example: -DEBUG +DEBUG|DIGEST"
            }
            AclError::FirstArgOfSubcommand => "Allowing first-arg of a subcommand is not supported",
            AclError::DuplicateUser => {
                "Duplicate user found. A user can only be defined once in config files"
            }
        }
    }
}

/// What the ACL code of one version knows: commands (by original name), categories, subcommands.
pub struct AclModel<'a> {
    pub version: Version,
    pub commands: &'a [&'static str],
    pub categories: &'a [&'static str],
    /// Container command → subcommands (7.0+, from the catalog).
    pub subcommands: crate::catalog::Table,
    /// `acl-pubsub-default allchannels`: new users and selectors start with all channels.
    pub pubsub_allchannels: bool,
}

impl<'a> AclModel<'a> {
    pub fn new(catalog: &'a Catalog, pubsub_allchannels: bool) -> Self {
        AclModel {
            version: catalog.version,
            commands: catalog.commands,
            categories: catalog.acl_categories,
            subcommands: catalog.subcommands,
            pubsub_allchannels,
        }
    }

    fn v7(&self) -> bool {
        self.version.at_least(7, 0)
    }

    fn has_command(&self, name: &[u8]) -> bool {
        let name = c_str(name);
        self.commands
            .iter()
            .any(|c| c.as_bytes().eq_ignore_ascii_case(name))
    }

    fn has_category(&self, name: &[u8]) -> bool {
        let name = c_str(name);
        self.categories
            .iter()
            .any(|c| c.as_bytes().eq_ignore_ascii_case(name))
    }

    /// The kind of command `ACLLookupCommand` finds for `name`, or None.
    fn lookup(&self, name: &[u8]) -> Option<Found> {
        let name = c_str(name);
        if !self.v7() {
            // 6.x: a plain dictionary lookup of the whole name.
            return self.has_command(name).then_some(Found::TopLevel);
        }
        let parts: Vec<&[u8]> = if name.is_empty() {
            Vec::new()
        } else {
            name.split(|&b| b == b'|').collect()
        };
        match parts.as_slice() {
            [top] => self.has_command(top).then_some(Found::TopLevel),
            [top, sub] => {
                if !self.has_command(top) {
                    return None;
                }
                let top = String::from_utf8_lossy(top).to_ascii_lowercase();
                let subs = self.subcommands.get(&top)?;
                subs.iter()
                    .any(|s| s.as_bytes().eq_ignore_ascii_case(sub))
                    .then_some(Found::Subcommand)
            }
            _ => None,
        }
    }

    fn has_subcommands(&self, top: &[u8]) -> bool {
        self.v7()
            && self
                .subcommands
                .contains_key(&String::from_utf8_lossy(c_str(top)).to_lowercase())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Found {
    TopLevel,
    Subcommand,
}

pub use crate::semantic::values::c_str;

fn ci_eq(op: &[u8], word: &str) -> bool {
    c_str(op).eq_ignore_ascii_case(word.as_bytes())
}

/// `ACLStringHasSpaces`: any C whitespace or NUL.
fn has_spaces(s: &[u8]) -> bool {
    s.iter()
        .any(|&b| matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | 0))
}

/// Whether a command's bit is set, as far as we can tell (6.0's EBUSY check needs it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bit {
    On,
    Off,
    Unknown,
}

#[derive(Debug, Clone)]
struct Selector {
    allkeys: bool,
    allchannels: bool,
    /// A channel rule was written since the last reset (else the channels are the default's).
    channels_written: bool,
    default_bit: Bit,
    bits: Vec<(Vec<u8>, bool)>,
    /// The command rules in effect, in order (`+@all`, `-config`, `+@read` ...), lowercase:
    /// what a client may run is decided from them with the catalog's categories.
    command_rules: Vec<String>,
}

impl Selector {
    fn new(pubsub_allchannels: bool) -> Self {
        Selector {
            allkeys: false,
            allchannels: pubsub_allchannels,
            channels_written: false,
            default_bit: Bit::Off,
            bits: Vec::new(),
            command_rules: Vec::new(),
        }
    }

    fn record(&mut self, op: &[u8]) {
        self.command_rules
            .push(String::from_utf8_lossy(c_str(op)).to_ascii_lowercase());
    }

    fn bit(&self, cmd: &[u8]) -> Bit {
        match self.bits.iter().find(|(c, _)| c.eq_ignore_ascii_case(cmd)) {
            Some((_, true)) => Bit::On,
            Some((_, false)) => Bit::Off,
            None => self.default_bit,
        }
    }

    fn set_bit(&mut self, cmd: &[u8], on: bool) {
        self.bits.retain(|(c, _)| !c.eq_ignore_ascii_case(cmd));
        self.bits.push((cmd.to_ascii_lowercase(), on));
    }

    fn set_all(&mut self, on: bool) {
        self.bits.clear();
        self.default_bit = if on { Bit::On } else { Bit::Off };
        self.command_rules.clear();
        self.command_rules
            .push(if on { "+@all" } else { "-@all" }.to_string());
    }

    /// `+@cat` / `-@cat`: we do not know which commands are in the category.
    fn set_category(&mut self, on: bool) {
        self.bits.retain(|(_, b)| *b == on);
        let keep = if on { Bit::On } else { Bit::Off };
        if self.default_bit != keep {
            self.default_bit = Bit::Unknown;
        }
    }
}

/// The scratch user rules are applied to.
#[derive(Debug, Clone)]
pub struct ScratchUser {
    /// SHA-256 hex of each password, in order.
    passwords: Vec<String>,
    /// Passwords written in clear (`>pw`) that are still set.
    plaintext: Vec<Vec<u8>>,
    on: bool,
    nopass: bool,
    root: Selector,
}

impl ScratchUser {
    pub fn new(model: &AclModel) -> Self {
        ScratchUser {
            passwords: Vec::new(),
            plaintext: Vec::new(),
            on: false,
            nopass: false,
            root: Selector::new(model.pubsub_allchannels),
        }
    }

    /// The user is enabled (`on`).
    pub fn is_on(&self) -> bool {
        self.on
    }
    /// `nopass`: any password is accepted.
    pub fn is_nopass(&self) -> bool {
        self.nopass
    }
    pub fn password_count(&self) -> usize {
        self.passwords.len()
    }
    /// Passwords written in clear on the line and still set.
    pub fn plaintext_passwords(&self) -> &[Vec<u8>] {
        &self.plaintext
    }
    /// The root selector's command rules, in order, lowercase.
    pub fn command_rules(&self) -> &[String] {
        &self.root.command_rules
    }
    /// Access to every Pub/Sub channel.
    pub fn all_channels(&self) -> bool {
        self.root.allchannels
    }
    /// Access to every channel only because of `acl-pubsub-default`: no channel rule written.
    pub fn all_channels_by_default(&self) -> bool {
        self.root.allchannels && !self.root.channels_written
    }

    /// `ACLSetUser(u, op)`.
    pub fn apply(&mut self, model: &AclModel, op: &[u8]) -> Result<(), AclError> {
        if op.is_empty() {
            return Ok(());
        }
        let v62 = model.version.at_least(6, 2);
        if ci_eq(op, "on") || ci_eq(op, "off") {
            self.on = ci_eq(op, "on");
            return Ok(());
        }
        if v62 && (ci_eq(op, "skip-sanitize-payload") || ci_eq(op, "sanitize-payload")) {
            return Ok(());
        }
        if !model.v7() {
            // 6.x checks the key/channel/command words before the passwords.
            if let Some(r) = self.root.apply_word(model, op) {
                return r;
            }
        }
        if ci_eq(op, "nopass") || ci_eq(op, "resetpass") {
            self.passwords.clear();
            self.plaintext.clear();
            self.nopass = ci_eq(op, "nopass");
            return Ok(());
        }
        match op[0] {
            b'>' | b'#' => {
                let hash = if op[0] == b'>' {
                    sha256_hex(&op[1..])
                } else {
                    check_hash(&op[1..])?
                };
                if !self.passwords.contains(&hash) {
                    self.passwords.push(hash);
                    if op[0] == b'>' {
                        self.plaintext.push(op[1..].to_vec());
                    }
                }
                self.nopass = false;
                return Ok(());
            }
            b'<' | b'!' => {
                let hash = if op[0] == b'<' {
                    sha256_hex(&op[1..])
                } else {
                    check_hash(&op[1..])?
                };
                return match self.passwords.iter().position(|p| *p == hash) {
                    Some(i) => {
                        self.passwords.remove(i);
                        self.plaintext.retain(|p| sha256_hex(p) != hash);
                        Ok(())
                    }
                    None => Err(AclError::NoSuchPassword),
                };
            }
            _ => {}
        }
        if model.v7() {
            if op[0] == b'(' && op[op.len() - 1] == b')' {
                return apply_selector_opset(model, &op[1..op.len() - 1]);
            }
            if ci_eq(op, "clearselectors") {
                return Ok(());
            }
        } else if op[0] == b'~' || (v62 && op[0] == b'&') || op[0] == b'+' || op[0] == b'-' {
            return self.root.apply_pattern_or_command(model, op);
        }
        if ci_eq(op, "reset") {
            self.passwords.clear();
            self.plaintext.clear();
            self.on = false;
            self.nopass = false;
            self.root.allkeys = false;
            self.root.allchannels = model.pubsub_allchannels && v62;
            self.root.channels_written = false;
            self.root.set_all(false);
            return Ok(());
        }
        if model.v7() {
            return self.root.apply(model, op);
        }
        Err(AclError::Syntax)
    }
}

fn check_hash(hash: &[u8]) -> Result<String, AclError> {
    if hash.len() == 64 && hash.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        Ok(String::from_utf8_lossy(hash).into_owned())
    } else {
        Err(AclError::BadHash)
    }
}

/// `aclCreateSelectorFromOpSet`: the inside of `( ... )`, re-split with the config tokenizer (a
/// tokenizer failure gives zero rules, which is accepted).
fn apply_selector_opset(model: &AclModel, inner: &[u8]) -> Result<(), AclError> {
    let mut sel = Selector::new(model.pubsub_allchannels);
    let ops: Vec<Vec<u8>> = match crate::syntax::tokenize(inner, model.version.quoting()) {
        Ok(tokens) => tokens.iter().map(|t| t.value(inner).into_owned()).collect(),
        Err(_) => Vec::new(),
    };
    for op in ops {
        sel.apply(model, &op)?;
    }
    Ok(())
}

impl Selector {
    /// The words shared by users and selectors (`allkeys`, `resetkeys`, ...). None: not one.
    fn apply_word(&mut self, model: &AclModel, op: &[u8]) -> Option<Result<(), AclError>> {
        let v62 = model.version.at_least(6, 2);
        if ci_eq(op, "allkeys") || ci_eq(op, "~*") {
            self.allkeys = true;
        } else if ci_eq(op, "resetkeys") {
            self.allkeys = false;
        } else if v62 && (ci_eq(op, "allchannels") || ci_eq(op, "&*")) {
            self.allchannels = true;
            self.channels_written = true;
        } else if v62 && ci_eq(op, "resetchannels") {
            self.allchannels = false;
            self.channels_written = true;
        } else if ci_eq(op, "allcommands") || ci_eq(op, "+@all") {
            self.set_all(true);
        } else if ci_eq(op, "nocommands") || ci_eq(op, "-@all") {
            self.set_all(false);
        } else {
            return None;
        }
        Some(Ok(()))
    }

    /// `ACLSetSelector` (7.0+).
    fn apply(&mut self, model: &AclModel, op: &[u8]) -> Result<(), AclError> {
        if op.is_empty() {
            return Err(AclError::Syntax);
        }
        if let Some(r) = self.apply_word(model, op) {
            return r;
        }
        if matches!(op[0], b'~' | b'%' | b'&' | b'+' | b'-') {
            return self.apply_pattern_or_command(model, op);
        }
        Err(AclError::Syntax)
    }

    fn apply_pattern_or_command(&mut self, model: &AclModel, op: &[u8]) -> Result<(), AclError> {
        let second = op.get(1).copied().unwrap_or(0);
        match op[0] {
            b'~' | b'%' => {
                if self.allkeys {
                    return Err(AclError::KeysAfterAll);
                }
                let mut offset = 1;
                if op[0] == b'%' {
                    let (mut read, mut write) = (false, false);
                    while offset < op.len() {
                        let c = op[offset].to_ascii_uppercase();
                        if c == b'R' && !read {
                            read = true;
                        } else if c == b'W' && !write {
                            write = true;
                        } else if op[offset] == b'~' && (read || write) {
                            offset += 1;
                            break;
                        } else {
                            return Err(AclError::Syntax);
                        }
                        offset += 1;
                    }
                }
                if has_spaces(&op[offset..]) {
                    return Err(AclError::Syntax);
                }
                self.allkeys = false;
                Ok(())
            }
            b'&' => {
                if self.allchannels {
                    return Err(AclError::ChannelsAfterAll);
                }
                if has_spaces(&op[1..]) {
                    return Err(AclError::Syntax);
                }
                self.channels_written = true;
                Ok(())
            }
            b'+' | b'-' if second == b'@' => {
                if !model.has_category(&op[2..]) {
                    return Err(AclError::NoEnt);
                }
                self.set_category(op[0] == b'+');
                self.record(op);
                Ok(())
            }
            b'+' => {
                self.allow_command(model, &op[1..])?;
                self.record(op);
                Ok(())
            }
            b'-' => {
                let name = &op[1..];
                if model.lookup(name).is_none() {
                    return Err(AclError::NoEnt);
                }
                self.set_bit(c_str(name), false);
                self.record(op);
                Ok(())
            }
            _ => Err(AclError::Syntax),
        }
    }

    fn allow_command(&mut self, model: &AclModel, name: &[u8]) -> Result<(), AclError> {
        let name = c_str(name);
        // 7.0+ splits at the last '|', 6.x at the first.
        let split = if model.v7() {
            name.iter().rposition(|&b| b == b'|')
        } else {
            name.iter().position(|&b| b == b'|')
        };
        let Some(bar) = split else {
            if model.lookup(name).is_none() {
                return Err(AclError::NoEnt);
            }
            self.set_bit(name, true);
            return Ok(());
        };
        let (cmd, sub) = (&name[..bar], &name[bar + 1..]);
        let found = model.lookup(cmd).ok_or(AclError::NoEnt)?;
        if found == Found::Subcommand {
            return Err(AclError::FirstArgOfSubcommand);
        }
        if sub.is_empty() {
            return Err(AclError::Syntax);
        }
        if model.v7() {
            if model.has_subcommands(cmd) && model.lookup(name).is_none() {
                return Err(AclError::NoEnt);
            }
        } else if !model.version.at_least(6, 2) && self.bit(cmd) == Bit::On {
            return Err(AclError::SubcommandOfAllowed);
        }
        Ok(())
    }
}

/// `ACLMergeSelectorArguments`: join `(` ... `)` spread over several tokens. Err carries the
/// index (into `rules`) of the token that opened the unclosed selector.
pub fn merge_selectors<T: AsRef<[u8]>>(
    version: Version,
    rules: &[T],
) -> Result<Vec<Vec<u8>>, usize> {
    let restart_inside = !version.at_least(7, 2);
    let mut merged = Vec::new();
    let mut open: Option<(usize, Vec<u8>)> = None;
    for (j, op) in rules.iter().enumerate() {
        let op = op.as_ref();
        let opens = op.first() == Some(&b'(') && op.last() != Some(&b')');
        if opens && (open.is_none() || restart_inside) {
            open = Some((j, op.to_vec()));
            continue;
        }
        if let Some((_, sel)) = open.as_mut() {
            sel.push(b' ');
            sel.extend_from_slice(c_str(op));
            if op.last() == Some(&b')') {
                merged.push(open.take().unwrap().1);
            }
            continue;
        }
        merged.push(op.to_vec());
    }
    match open {
        Some((start, _)) => Err(start),
        None => Ok(merged),
    }
}

/// SHA-256 of `data` as 64 lowercase hex digits (what `ACLHashPassword` stores).
pub fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
