//! The probe's results: a table for people, one JSON object with `--json`.

use serde_json::json;

/// A rule's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    Pass,
    Fail,
    Skip,
}

impl Verdict {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Pass => "PASS",
            Self::Fail => "FAIL",
            Self::Skip => "SKIP",
        }
    }
}

/// A rule: its id (naming the weakness), what it checks, and what the
/// RFCs require, with the section.
pub(crate) struct Rule {
    pub(crate) id: &'static str,
    pub(crate) rule: &'static str,
    pub(crate) requires: &'static str,
}

/// One row of the report.
pub(crate) struct Row {
    pub(crate) rule: &'static Rule,
    /// What the server did, concrete and without secrets.
    pub(crate) observed: String,
    pub(crate) verdict: Verdict,
}

pub(crate) struct Report {
    pub(crate) issuer: String,
    pub(crate) rows: Vec<Row>,
}

impl Report {
    fn count(&self, verdict: Verdict) -> usize {
        self.rows.iter().filter(|r| r.verdict == verdict).count()
    }

    pub(crate) fn failed(&self) -> bool {
        self.count(Verdict::Fail) > 0
    }

    fn summary(&self) -> String {
        let failing: Vec<&str> = self
            .rows
            .iter()
            .filter(|r| r.verdict == Verdict::Fail)
            .map(|r| r.rule.id)
            .collect();
        let mut text = format!(
            "{} passed, {} failed, {} skipped",
            self.count(Verdict::Pass),
            self.count(Verdict::Fail),
            self.count(Verdict::Skip)
        );
        if !failing.is_empty() {
            text.push_str(&format!(" (not enforced: {})", failing.join(", ")));
        }
        text
    }

    /// The table: a block of wrapped lines per rule, the rule's id on the
    /// first line of its block; 120 columns wide.
    pub(crate) fn table(&self) -> String {
        const RULE: usize = 30;
        const REQUIRES: usize = 36;
        const DID: usize = 42;
        let mut out = format!("PKCE probe of {}\n\n", self.issuer);
        let line = |a: &str, b: &str, c: &str, d: &str| {
            let text = format!("{a:<6}  {b:<RULE$}  {c:<REQUIRES$}  {d}");
            format!("{}\n", text.trim_end())
        };
        out.push_str(&line("RESULT", "RULE", "RFC REQUIRES", "SERVER DID"));
        for row in &self.rows {
            let mut rule = vec![row.rule.id.to_owned()];
            rule.extend(wrap(row.rule.rule, RULE));
            let columns = [
                vec![row.verdict.name().to_owned()],
                rule,
                wrap(row.rule.requires, REQUIRES),
                wrap(&row.observed, DID),
            ];
            let height = columns.iter().map(Vec::len).max().unwrap_or(1);
            out.push('\n');
            for i in 0..height {
                let cell = |c: usize| columns[c].get(i).map_or("", String::as_str);
                out.push_str(&line(cell(0), cell(1), cell(2), cell(3)));
            }
        }
        out.push('\n');
        out.push_str(&self.summary());
        out.push('\n');
        out
    }

    /// One JSON object: the issuer, each rule, and a summary.
    pub(crate) fn json(&self) -> String {
        let rules: Vec<_> = self
            .rows
            .iter()
            .map(|r| {
                json!({
                    "id": r.rule.id,
                    "rule": r.rule.rule,
                    "requires": r.rule.requires,
                    "observed": r.observed,
                    "result": r.verdict.name().to_ascii_lowercase(),
                })
            })
            .collect();
        let failed: Vec<&str> = self
            .rows
            .iter()
            .filter(|r| r.verdict == Verdict::Fail)
            .map(|r| r.rule.id)
            .collect();
        json!({
            "issuer": self.issuer,
            "rules": rules,
            "summary": {
                "passed": self.count(Verdict::Pass),
                "failed": self.count(Verdict::Fail),
                "skipped": self.count(Verdict::Skip),
                "not_enforced": failed,
            },
        })
        .to_string()
    }
}

/// `text` in lines of at most `width` characters, broken at spaces (a
/// longer word gets a line of its own).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_breaks_at_spaces_within_width() {
        assert_eq!(wrap("aa bb cc dd", 5), ["aa bb", "cc dd"]);
        assert_eq!(wrap("a verylongword b", 4), ["a", "verylongword", "b"]);
        assert_eq!(wrap("", 4), [""]);
    }
}
