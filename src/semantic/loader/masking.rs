//! Where the secrets of the files read are, so no output shows them: the spans the lines gave,
//! and the same values written again in comments.

use super::state::Loader;
use crate::semantic::secrets;
use crate::source::Span;
use crate::syntax::LineKind;
use std::ops::Range;

impl Loader {
    /// A secret value written again elsewhere (a comment, an unknown line) is masked there too.
    pub(super) fn mask_repeated_secrets(&mut self) {
        let values: Vec<Vec<u8>> = self
            .secrets
            .iter()
            .filter_map(|s| {
                let bytes = self.sources.get(s.file).bytes();
                Some(secrets::value_of(bytes.get(s.range.clone())?).to_vec())
            })
            .collect();
        if values.is_empty() {
            return;
        }
        let mut values: Vec<Vec<u8>> = values
            .into_iter()
            .collect::<std::collections::HashSet<_>>()
            .into_iter()
            .collect();
        values.sort();
        // Comments are where a secret is written again (and shown as context).
        let mut more = Vec::new();
        for (id, file) in self.sources.iter() {
            let bytes = file.bytes();
            for line in &self.trees[id.index()].lines {
                if line.kind != LineKind::Comment {
                    continue;
                }
                let text = &bytes[line.content()];
                for range in secrets::repeated(text, &values) {
                    let at = line.content().start;
                    more.push(Span::new(id, at + range.start..at + range.end));
                }
            }
        }
        self.secrets.extend(more);
    }

    pub(super) fn add_secrets(&mut self, ranges: Vec<Range<usize>>) {
        for r in ranges {
            let span = self.at(r);
            self.secrets.push(span);
        }
    }
}
