//! The probe's results: each rule's outcome and severity, what the RFC
//! requires and what the server did; the exit code they give. The table
//! is in `table.rs`.

use serde_json::json;

/// A rule's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Refused, for the reason the rule tests.
    Pass,
    /// The server issued a code or a token the RFCs forbid.
    Fail,
    /// Refused or broken for another reason (client authentication, 5xx,
    /// 404, no redirect, a negative control that did not hold): not judged.
    Inconclusive,
    /// Not run: the row says which flag would run it.
    Skipped,
}

impl Outcome {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Pass => "PASS",
            Self::Fail => "FAIL",
            Self::Inconclusive => "INCONCLUSIVE",
            Self::Skipped => "SKIPPED",
        }
    }
}

/// How much a failure of the rule costs, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Severity {
    /// Worth knowing; never fails the run.
    Info,
    /// A gap without a direct attack (a challenge that can never be redeemed).
    Low,
    /// Weakens PKCE (the verifier exposed or guessable, a code used twice).
    High,
    /// A token for someone without the right verifier.
    Critical,
}

impl Severity {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Low => "low",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }
}

/// `--fail-on`: the lowest severity whose failure fails the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum FailOn {
    Critical,
    High,
    Low,
}

impl FailOn {
    fn severity(self) -> Severity {
        match self {
            Self::Critical => Severity::Critical,
            Self::High => Severity::High,
            Self::Low => Severity::Low,
        }
    }
}

/// A rule: its id (naming the weakness), what it checks, what the RFCs
/// require (the sentence, with its section), where the failure was seen,
/// and the severity of a failure.
pub(crate) struct Rule {
    pub(crate) id: &'static str,
    pub(crate) rule: &'static str,
    pub(crate) requires: &'static str,
    pub(crate) source: &'static str,
    pub(crate) severity: Severity,
}

/// One row of the report.
pub(crate) struct Row {
    pub(crate) rule: &'static Rule,
    pub(crate) outcome: Outcome,
    /// The rule's, unless the finding is milder (`iss`: info when neither
    /// advertised nor sent).
    pub(crate) severity: Severity,
    /// What the server did, concrete and without secrets.
    pub(crate) observed: String,
    /// Remarks on a verdict: another error code than the RFC's, a code
    /// still redeemable after a refusal.
    pub(crate) notes: Vec<String>,
}

impl Row {
    pub(crate) fn new(rule: &'static Rule, outcome: Outcome, observed: impl Into<String>) -> Self {
        Self {
            rule,
            outcome,
            severity: rule.severity,
            observed: observed.into(),
            notes: Vec::new(),
        }
    }

    #[must_use]
    pub(crate) fn with_notes(mut self, notes: impl IntoIterator<Item = String>) -> Self {
        self.notes.extend(notes);
        self
    }

    #[must_use]
    pub(crate) fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }
}

pub(crate) struct Report {
    pub(crate) issuer: String,
    pub(crate) rows: Vec<Row>,
}

/// The exit code when something is inconclusive but nothing failed.
pub(crate) const INCONCLUSIVE: u8 = 3;

/// The exit code of verdicts (outcome and severity): 1 for a failure at or
/// above `fail_on`; 3 for none, but something inconclusive; 0 for neither.
pub(crate) fn exit_code(
    verdicts: impl Iterator<Item = (Outcome, Severity)> + Clone,
    fail_on: FailOn,
) -> u8 {
    let mut all = verdicts;
    if all
        .clone()
        .any(|(o, s)| o == Outcome::Fail && s >= fail_on.severity())
    {
        crate::fail::REFUSED
    } else if all.any(|(o, _)| o == Outcome::Inconclusive) {
        INCONCLUSIVE
    } else {
        0
    }
}

impl Report {
    fn count(&self, outcome: Outcome) -> usize {
        self.rows.iter().filter(|r| r.outcome == outcome).count()
    }

    fn ids(&self, outcome: Outcome) -> Vec<&'static str> {
        self.rows
            .iter()
            .filter(|r| r.outcome == outcome)
            .map(|r| r.rule.id)
            .collect()
    }

    /// 1: a failure at or above `fail_on`; 3: none, but something
    /// inconclusive; 0: neither.
    pub(crate) fn exit_code(&self, fail_on: FailOn) -> u8 {
        exit_code(self.rows.iter().map(|r| (r.outcome, r.severity)), fail_on)
    }

    pub(crate) fn summary(&self) -> String {
        let mut text = format!(
            "{} passed, {} failed, {} inconclusive, {} skipped",
            self.count(Outcome::Pass),
            self.count(Outcome::Fail),
            self.count(Outcome::Inconclusive),
            self.count(Outcome::Skipped)
        );
        let failing = self.ids(Outcome::Fail);
        if !failing.is_empty() {
            text.push_str(&format!(" (not enforced: {})", failing.join(", ")));
        }
        let unclear = self.ids(Outcome::Inconclusive);
        if !unclear.is_empty() {
            text.push_str(&format!(" (inconclusive: {})", unclear.join(", ")));
        }
        text
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
                    "source": r.rule.source,
                    "severity": r.severity.name(),
                    "outcome": r.outcome.name().to_ascii_lowercase(),
                    "observed": r.observed,
                    "notes": r.notes,
                })
            })
            .collect();
        json!({
            "issuer": self.issuer,
            "rules": rules,
            "summary": {
                "passed": self.count(Outcome::Pass),
                "failed": self.count(Outcome::Fail),
                "inconclusive": self.count(Outcome::Inconclusive),
                "skipped": self.count(Outcome::Skipped),
                "not_enforced": self.ids(Outcome::Fail),
                "inconclusive_rules": self.ids(Outcome::Inconclusive),
            },
        })
        .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static CRIT: Rule = Rule {
        id: "c",
        rule: "",
        requires: "",
        source: "",
        severity: Severity::Critical,
    };
    static LOW: Rule = Rule {
        id: "l",
        rule: "",
        requires: "",
        source: "",
        severity: Severity::Low,
    };

    fn report(rows: Vec<Row>) -> Report {
        Report {
            issuer: "https://as.example".into(),
            rows,
        }
    }

    #[test]
    fn exit_codes_follow_fail_on_then_inconclusive() {
        let low_fail = || {
            report(vec![
                Row::new(&LOW, Outcome::Fail, "x"),
                Row::new(&CRIT, Outcome::Pass, "y"),
            ])
        };
        assert_eq!(low_fail().exit_code(FailOn::Low), 1);
        assert_eq!(low_fail().exit_code(FailOn::High), 0);
        let unclear = report(vec![
            Row::new(&LOW, Outcome::Fail, "x"),
            Row::new(&CRIT, Outcome::Inconclusive, "y"),
        ]);
        assert_eq!(unclear.exit_code(FailOn::Critical), INCONCLUSIVE);
        assert_eq!(unclear.exit_code(FailOn::Low), 1);
        let info = report(vec![
            Row::new(&LOW, Outcome::Fail, "x").with_severity(Severity::Info),
        ]);
        assert_eq!(info.exit_code(FailOn::Low), 0);
        assert_eq!(
            report(vec![Row::new(&CRIT, Outcome::Skipped, "s")]).exit_code(FailOn::Low),
            0
        );
    }
}
