//! The MCP profile's report: each check with its strict verdict (the spec
//! text) and its lenient one (what the official SDKs accept), as a table
//! or JSON, and the exit code of the chosen verdicts.

use serde_json::json;

use super::checks::Check;
use crate::probe::report::{self, FailOn, Outcome, Row, Severity};
use crate::probe::table::{Columns, observed, width, wrap};

/// One check, judged twice.
pub(crate) struct McpRow {
    pub(crate) check: &'static Check,
    pub(crate) strict: Outcome,
    pub(crate) lenient: Outcome,
    pub(crate) severity: Severity,
    /// What the server did, without secrets.
    pub(crate) observed: String,
    pub(crate) notes: Vec<String>,
    /// Why the lenient verdict passes what the strict one does not.
    pub(crate) warning: Option<String>,
}

impl McpRow {
    /// Both verdicts `outcome`.
    pub(crate) fn new(
        check: &'static Check,
        outcome: Outcome,
        observed: impl Into<String>,
    ) -> Self {
        Self {
            check,
            strict: outcome,
            lenient: outcome,
            severity: check.severity,
            observed: observed.into(),
            notes: Vec::new(),
            warning: None,
        }
    }

    /// The general probe's row of the same rule: both verdicts its outcome.
    pub(crate) fn from_row(check: &'static Check, row: Row) -> Self {
        Self {
            severity: row.severity,
            notes: row.notes,
            ..Self::new(check, row.outcome, row.observed)
        }
    }

    #[must_use]
    pub(crate) fn with_note(mut self, note: String) -> Self {
        self.notes.push(note);
        self
    }

    /// Lenient PASS where strict is not, with the reason.
    #[must_use]
    pub(crate) fn lenient_pass(mut self, warning: impl Into<String>) -> Self {
        self.lenient = Outcome::Pass;
        self.warning = Some(warning.into());
        self
    }
}

pub(crate) struct McpReport {
    pub(crate) resource: String,
    pub(crate) issuer: Option<String>,
    pub(crate) rows: Vec<McpRow>,
}

impl McpReport {
    /// The exit code of the strict verdicts, or of the lenient ones.
    pub(crate) fn exit_code(&self, fail_on: FailOn, lenient: bool) -> u8 {
        report::exit_code(
            self.rows.iter().map(|r| {
                let outcome = if lenient { r.lenient } else { r.strict };
                (outcome, r.severity)
            }),
            fail_on,
        )
    }

    fn summary_of(&self, verdict: impl Fn(&McpRow) -> Outcome) -> String {
        let n = |o: Outcome| self.rows.iter().filter(|r| verdict(r) == o).count();
        format!(
            "{} passed, {} failed, {} inconclusive, {} skipped",
            n(Outcome::Pass),
            n(Outcome::Fail),
            n(Outcome::Inconclusive),
            n(Outcome::Skipped)
        )
    }

    /// The table (`COLUMNS` wide, at least 80) or one JSON object.
    pub(crate) fn text(&self, json: bool, lenient: bool) -> String {
        if json {
            return self.json(lenient);
        }
        let columns = std::env::var("COLUMNS").ok();
        self.table(width(columns.as_deref()), lenient)
    }

    fn table(&self, width: usize, lenient: bool) -> String {
        const FIRST: usize = 12;
        let rest = width - 2 * FIRST - 3 * 2;
        let check_w = rest * 55 / 100;
        let did_w = rest - check_w;
        let table = Columns([FIRST, FIRST, check_w]);
        let mut out = format!("MCP profile probe of {}", self.resource);
        if let Some(issuer) = &self.issuer {
            out.push_str(&format!(" (authorization server {issuer})"));
        }
        out.push_str("\n\n");
        out.push_str(&table.line(["STRICT", "LENIENT", "CHECK [MCP SPEC]", "SERVER DID"]));
        for row in &self.rows {
            let mut check = wrap(row.check.id, check_w);
            check.extend(wrap(row.check.check, check_w));
            check.extend(wrap(&format!("[{}]", row.check.spec), check_w));
            if let Some(id) = row.check.reuses {
                check.extend(wrap(&format!("(probe rule {id})"), check_w));
            }
            let mut did = observed(&row.observed, &row.notes, did_w);
            if let Some(warning) = &row.warning {
                did.extend(wrap(&format!("lenient warning: {warning}"), did_w));
            }
            let lenient_cell = if row.warning.is_some() {
                format!("{}+WARN", row.lenient.name())
            } else {
                row.lenient.name().to_owned()
            };
            out.push_str(&table.block(&[
                vec![row.strict.name().to_owned(), row.severity.name().to_owned()],
                vec![lenient_cell],
                check,
                did,
            ]));
        }
        out.push_str(&format!(
            "\nstrict: {}; lenient: {}; the exit code follows the {} verdicts\n",
            self.summary_of(|r| r.strict),
            self.summary_of(|r| r.lenient),
            if lenient { "lenient" } else { "strict" }
        ));
        out
    }

    fn json(&self, lenient: bool) -> String {
        let checks: Vec<_> = self
            .rows
            .iter()
            .map(|r| {
                json!({
                    "id": r.check.id,
                    "check": r.check.check,
                    "spec": r.check.spec,
                    "reuses": r.check.reuses,
                    "severity": r.severity.name(),
                    "strict": r.strict.name().to_ascii_lowercase(),
                    "lenient": r.lenient.name().to_ascii_lowercase(),
                    "lenient_warning": r.warning,
                    "observed": r.observed,
                    "notes": r.notes,
                })
            })
            .collect();
        json!({
            "profile": "mcp",
            "resource": self.resource,
            "issuer": self.issuer,
            "judged_on": if lenient { "lenient" } else { "strict" },
            "checks": checks,
            "summary": {
                "strict": self.summary_of(|r| r.strict),
                "lenient": self.summary_of(|r| r.lenient),
            },
        })
        .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::mcp::checks::{ALL, METHODS_METADATA, PLAIN};

    fn report(rows: Vec<McpRow>) -> McpReport {
        McpReport {
            resource: "https://rs.example/mcp".into(),
            issuer: Some("https://as.example".into()),
            rows,
        }
    }

    #[test]
    fn the_exit_code_follows_the_chosen_verdicts() {
        let lenient_only = || {
            report(vec![
                McpRow::new(&METHODS_METADATA, Outcome::Fail, "absent").lenient_pass("sdk"),
                McpRow::new(&PLAIN, Outcome::Pass, "refused"),
            ])
        };
        assert_eq!(lenient_only().exit_code(FailOn::Low, false), 1);
        assert_eq!(lenient_only().exit_code(FailOn::Low, true), 0);
        let both = report(vec![McpRow::new(&PLAIN, Outcome::Fail, "issued")]);
        assert_eq!(both.exit_code(FailOn::Low, true), 1);
        let unclear = report(vec![McpRow::new(&PLAIN, Outcome::Inconclusive, "500")]);
        assert_eq!(unclear.exit_code(FailOn::Low, true), report::INCONCLUSIVE);
    }

    #[test]
    fn the_table_fits_the_width_and_shows_both_verdicts() {
        let rows = ALL
            .iter()
            .map(|c| McpRow::new(c, Outcome::Fail, "x ".repeat(80)).lenient_pass("y ".repeat(40)))
            .collect();
        let report = report(rows);
        for w in [80, 120, 200] {
            let table = report.table(w, false);
            for line in table.lines().skip(1).filter(|l| !l.starts_with("strict:")) {
                assert!(line.chars().count() <= w, "{w}: {line:?}");
            }
            assert!(
                table.contains("\nFAIL          PASS+WARN     resource-metadata"),
                "{table}"
            );
        }
        let json: serde_json::Value = serde_json::from_str(&report.json(true)).unwrap();
        assert_eq!(json["judged_on"], "lenient");
        assert_eq!(json["checks"][0]["strict"], "fail");
        assert_eq!(json["checks"][0]["lenient"], "pass");
        assert_eq!(json["checks"].as_array().unwrap().len(), ALL.len());
    }
}
