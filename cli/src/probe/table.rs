//! The report as a table for people: a block of wrapped lines per rule,
//! as wide as the terminal (`COLUMNS`, at least 80; 120 if unset).

use super::report::{Report, Row};

/// The narrowest table: a terminal of 80 columns.
const MIN_WIDTH: usize = 80;
/// Without `COLUMNS` (output to a file or a pipe).
const DEFAULT_WIDTH: usize = 120;
/// OUTCOME (and the severity below it): "INCONCLUSIVE".
const FIRST: usize = 12;
const GAP: &str = "  ";
/// The longest rule id, "concurrent-redemption": never broken.
const LONGEST_ID: usize = 21;

/// The table width for a `COLUMNS` value.
pub(crate) fn width(columns: Option<&str>) -> usize {
    columns
        .and_then(|c| c.trim().parse::<usize>().ok())
        .map_or(DEFAULT_WIDTH, |c| c.max(MIN_WIDTH))
}

/// The table, `width` columns wide at most.
pub(crate) fn render(report: &Report, width: usize) -> String {
    // The three text columns share what OUTCOME and the gaps leave: 28%
    // for the rule (never less than its longest id), 44% of the rest for
    // the RFC, the rest for what the server did.
    let rest = width.max(MIN_WIDTH) - FIRST - 3 * GAP.len();
    let rule_w = (rest * 28 / 100).max(LONGEST_ID);
    let requires_w = (rest - rule_w) * 44 / 100;
    let did_w = rest - rule_w - requires_w;
    let table = Columns([FIRST, rule_w, requires_w]);
    let mut out = format!("PKCE probe of {}\n\n", report.issuer);
    out.push_str(&table.line(["OUTCOME", "RULE", "RFC REQUIRES", "SERVER DID"]));
    for row in &report.rows {
        out.push_str(&table.block(&cells(row, rule_w, requires_w, did_w)));
    }
    out.push('\n');
    out.push_str(&report.summary());
    out.push('\n');
    out
}

/// Four columns, the first three padded to their widths, two spaces
/// apart: the layout both probe tables share.
pub(crate) struct Columns(pub(crate) [usize; 3]);

impl Columns {
    /// One line of the table.
    pub(crate) fn line(&self, cells: [&str; 4]) -> String {
        let [a, b, c] = self.0;
        let text = format!(
            "{:<a$}{GAP}{:<b$}{GAP}{:<c$}{GAP}{}",
            cells[0], cells[1], cells[2], cells[3]
        );
        format!("{}\n", text.trim_end())
    }

    /// One row's block: a blank line, then the columns' lines side by side.
    pub(crate) fn block(&self, columns: &[Vec<String>; 4]) -> String {
        let height = columns.iter().map(Vec::len).max().unwrap_or(1);
        let mut out = String::from("\n");
        for i in 0..height {
            let cell = |c: usize| columns[c].get(i).map_or("", String::as_str);
            out.push_str(&self.line([cell(0), cell(1), cell(2), cell(3)]));
        }
        out
    }
}

/// What the server did, then each note, wrapped to `width`.
pub(crate) fn observed(observed: &str, notes: &[String], width: usize) -> Vec<String> {
    let mut did = wrap(observed, width);
    for note in notes {
        did.extend(wrap(&format!("note: {note}"), width));
    }
    did
}

fn cells(row: &Row, rule_w: usize, requires_w: usize, did_w: usize) -> [Vec<String>; 4] {
    let mut rule = wrap(row.rule.id, rule_w);
    rule.extend(wrap(row.rule.rule, rule_w));
    rule.extend(wrap(&format!("[{}]", row.rule.source), rule_w));
    let did = observed(&row.observed, &row.notes, did_w);
    [
        vec![
            row.outcome.name().to_owned(),
            row.severity.name().to_owned(),
        ],
        rule,
        wrap(row.rule.requires, requires_w),
        did,
    ]
}

/// `text` in lines of at most `width` characters, broken at spaces; a
/// longer word (a URL) is cut into pieces of `width`.
pub(crate) fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let chars: Vec<char> = word.chars().collect();
        for piece in chars.chunks(width) {
            let piece: String = piece.iter().collect();
            if !line.is_empty() && line.chars().count() + 1 + piece.chars().count() > width {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(&piece);
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::report::{Outcome, Rule, Severity};

    #[test]
    fn wrap_breaks_at_spaces_within_width() {
        assert_eq!(wrap("aa bb cc dd", 5), ["aa bb", "cc dd"]);
        assert_eq!(
            wrap("a verylongword b", 4),
            ["a", "very", "long", "word", "b"]
        );
        assert_eq!(wrap("", 4), [""]);
    }

    #[test]
    fn the_table_fits_the_width() {
        static RULE: Rule = Rule {
            id: "missing-verifier",
            rule: "a code bound to a challenge is not redeemed without code_verifier",
            requires: "RFC 7636 §4.5, §4.6; RFC 9700 §2.1.1: the token request MUST carry the matching code_verifier",
            source: "RFC 7636 §4.6; CVE-2023-48228",
            severity: Severity::Critical,
        };
        let report = Report {
            issuer: "http://127.0.0.1:1".into(),
            rows: vec![
                Row::new(&RULE, Outcome::Inconclusive, "token endpoint refused: HTTP 400 invalid_client (https://very.long.example/with/a/path/that/does/not/break/at/all)")
                    .with_notes(["the server sent invalid_request, the RFC says invalid_grant".to_owned()]),
            ],
        };
        for columns in [None, Some("80"), Some("100"), Some("40"), Some("junk")] {
            let w = width(columns);
            assert!(w >= 80);
            let table = render(&report, w);
            for line in table.lines().skip(1) {
                assert!(line.chars().count() <= w, "{columns:?} {w}: {line:?}");
            }
            assert!(table.contains("INCONCLUSIVE  missing-verifier"), "{table}");
            assert!(table.contains("\ncritical"), "{table}");
        }
        assert_eq!(width(Some("200")), 200);
        assert_eq!(width(None), 120);
    }
}
