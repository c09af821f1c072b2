//! The policies every rule is checked under, shared by the `policy*` test
//! files (each includes this with `#[path = "support/policies.rs"] mod policies;`).
#![allow(dead_code)] // each test file uses a different part

use proofkey::{ChallengeMethod, ClientType, CodeChallenge, MissingMethod, Policy};

use super::vectors::{RFC_CHALLENGE as C, RFC_VERIFIER as V};

pub(crate) const CLIENTS: [ClientType; 2] = [ClientType::Public, ClientType::Confidential];
pub(crate) const MISSING: [MissingMethod; 3] = [
    MissingMethod::Reject,
    MissingMethod::Plain,
    MissingMethod::S256,
];
/// A valid verifier that is not `V`.
pub(crate) const OTHER_V: &str = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

/// A policy and the knobs it was built with, written down independently of
/// the policy's own answers: the presets' table, then each builder's value.
pub(crate) struct Case {
    pub(crate) name: String,
    pub(crate) policy: Policy,
    pub(crate) require_for_confidential: bool,
    pub(crate) allow_plain: bool,
    pub(crate) missing: MissingMethod,
}

/// Every preset, and every preset with the builders applied each way.
pub(crate) fn cases() -> Vec<Case> {
    let presets = [
        (
            "production",
            Policy::production(),
            false,
            false,
            MissingMethod::Reject,
        ),
        (
            "development",
            Policy::development(),
            false,
            true,
            MissingMethod::Plain,
        ),
        (
            "oauth21",
            Policy::oauth21(),
            true,
            false,
            MissingMethod::S256,
        ),
        ("fapi2", Policy::fapi2(), true, false, MissingMethod::Reject),
        (
            "default",
            Policy::default(),
            false,
            false,
            MissingMethod::Reject,
        ),
    ];
    let mut all = Vec::new();
    for (name, p, req0, plain0, missing0) in presets {
        all.push(Case {
            name: name.to_string(),
            policy: p,
            require_for_confidential: req0,
            allow_plain: plain0,
            missing: missing0,
        });
        for req in [false, true] {
            for plain in [false, true] {
                all.push(Case {
                    name: format!("{name}.require_for_confidential({req}).allow_plain({plain})"),
                    policy: p.require_for_confidential(req).allow_plain(plain),
                    require_for_confidential: req,
                    allow_plain: plain,
                    missing: missing0,
                });
                for missing in MISSING {
                    all.push(Case {
                        name: format!(
                            "{name}.require_for_confidential({req}).allow_plain({plain}).missing_method({missing:?})"
                        ),
                        policy: p
                            .require_for_confidential(req)
                            .allow_plain(plain)
                            .missing_method(missing),
                        require_for_confidential: req,
                        allow_plain: plain,
                        missing,
                    });
                }
            }
        }
    }
    all
}

/// `cases()` as (name, policy).
pub(crate) fn policies() -> Vec<(String, Policy)> {
    cases().into_iter().map(|c| (c.name, c.policy)).collect()
}

pub(crate) fn s256() -> CodeChallenge {
    CodeChallenge::parse(C, ChallengeMethod::S256).unwrap()
}

pub(crate) fn plain() -> CodeChallenge {
    CodeChallenge::parse(V, ChallengeMethod::Plain).unwrap()
}

impl Case {
    /// What a challenge without a method is bound as, `None` for rejected:
    /// [`MissingMethod`]'s documented meaning, plain only where plain is allowed.
    pub(crate) fn method_when_missing(&self) -> Option<ChallengeMethod> {
        match self.missing {
            MissingMethod::Reject => None,
            MissingMethod::Plain => self.allow_plain.then_some(ChallengeMethod::Plain),
            MissingMethod::S256 => Some(ChallengeMethod::S256),
        }
    }
}
