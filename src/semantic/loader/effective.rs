//! The effect of each valid line: the last line of each directive is its effective value, the
//! `save` lines build the save points (when a line clears the list differs before 6.2, in 6.2
//! and from 7.0), `acl-pubsub-default` changes how later `user` lines read, and some lines
//! redis-server accepts are surely mistakes (`#` after a value).

use super::state::Loader;
use crate::catalog::Catalog;
use crate::checks::Check;
use crate::semantic::model::SavePoint;
use crate::source::Span;
impl Loader {
    /// Record the effect of a valid line.
    pub(super) fn apply(&mut self, idx: usize, key: &str) {
        self.last.insert(key.to_string(), idx);
        if key == "save" {
            self.apply_save(idx);
        }
        if key == "acl-pubsub-default" {
            let all = self.entries[idx]
                .args
                .first()
                .is_some_and(|a| a.eq_ignore_ascii_case(b"allchannels"));
            self.special.set_acl_pubsub_default(all);
        }
    }

    fn apply_save(&mut self, idx: usize) {
        let args = &self.entries[idx].args;
        let unit = self.unit();
        let v = self.catalog.version;
        let clear = if v.redis_equivalent() >= (7, 0) {
            !self.save.touched || self.save.after_include
        } else if v.redis_equivalent() >= (6, 2) {
            !self.save.cleared_units.contains(&unit)
        } else {
            false
        };
        if clear {
            self.save.points.clear();
            self.save.cleared_units.push(unit);
        }
        self.save.touched = true;
        if args.len() == 1 && args[0].is_empty() {
            self.save.points.clear();
        } else if v.redis_equivalent() >= (7, 0) {
            let pairs = args.iter().step_by(2).zip(args.iter().skip(1).step_by(2));
            self.save
                .points
                .extend(pairs.map(|(a, b)| SavePoint::read(a, b)));
        } else if let [a, b] = args.views()[..] {
            self.save.points.push(SavePoint::read(a, b));
        }
    }

    /// Warnings about lines redis-server accepts but that are surely mistakes.
    pub(super) fn quirks(&mut self, idx: usize) {
        let entry = &self.entries[idx];
        // `user` rules may start with `#` (a hashed password): those are not comments.
        if entry.key() == "user" {
            return;
        }
        let sources = &self.sources;
        let starts_comment =
            |s: &Span| sources.get(s.file).bytes().get(s.range.start) == Some(&b'#');
        if let Some(first) = entry.arg_spans().find(starts_comment) {
            let end = entry
                .arg_spans()
                .next_back()
                .filter(|l| l.file == first.file)
                .map_or(first.range.end, |l| l.range.end);
            let span = Span::new(first.file, first.range.start..end);
            let name = entry.key().to_string();
            let mut d = Check::InlineComment.at(Some(span), format!("`#` after a value is not a comment: redis-server reads it as more values of `{name}`"));
            d.label = Some("read as values".into());
            d.help = Some("move the comment to its own line".into());
            self.diagnostics.push(d);
        }
    }

    /// The first value of the last line of `name`, and where that line is.
    pub(super) fn effective(&self, name: &str) -> Option<(&[u8], Option<Span>)> {
        let e = &self.entries[*self.last.get(name)?];
        Some((e.args.first()?, e.span().cloned()))
    }
}

pub(super) fn default_save_points(catalog: &Catalog) -> Vec<SavePoint> {
    let text = catalog
        .lookup("save")
        .and_then(|(_, s)| s.default_value())
        .unwrap_or_else(|| "3600 1 300 100 60 10000".to_string());
    let parts: Vec<&str> = text.split_ascii_whitespace().collect();
    parts
        .chunks(2)
        .filter_map(|c| match c {
            [a, b] => Some(SavePoint::read(a.as_bytes(), b.as_bytes())),
            _ => None,
        })
        .collect()
}
