//! `Policy`'s presets and builders: each answers as documented, they compose
//! in any order, and two policies are equal exactly when they decide alike.

use std::collections::HashSet;
use std::hash::{BuildHasher, RandomState};

use proofkey::{ChallengeMethod, ClientType, MissingMethod, Policy};

#[path = "support/policies.rs"]
mod policies;
#[path = "support/vectors.rs"]
mod vectors;
use policies::{Case, MISSING, cases};

#[test]
fn presets_are_as_documented() {
    let p = Policy::production();
    assert_eq!(Policy::default(), p);
    assert!(p.requires_pkce(ClientType::Public) && !p.requires_pkce(ClientType::Confidential));
    assert!(p.allows(ChallengeMethod::S256) && !p.allows(ChallengeMethod::Plain));
    assert_eq!(p.methods_supported(), ["S256"]);

    let d = Policy::development();
    assert!(d.requires_pkce(ClientType::Public) && !d.requires_pkce(ClientType::Confidential));
    assert!(d.allows(ChallengeMethod::S256) && d.allows(ChallengeMethod::Plain));
    assert_eq!(d.methods_supported(), ["S256", "plain"]);

    let o = Policy::oauth21();
    assert!(o.requires_pkce(ClientType::Public) && o.requires_pkce(ClientType::Confidential));
    assert!(!o.allows(ChallengeMethod::Plain));
    assert_eq!(o.methods_supported(), ["S256"]);

    let f = Policy::fapi2();
    assert!(f.requires_pkce(ClientType::Public) && f.requires_pkce(ClientType::Confidential));
    assert!(f.allows(ChallengeMethod::S256) && !f.allows(ChallengeMethod::Plain));
    assert_eq!(f.methods_supported(), ["S256"]);

    // fapi2 is production for every client; oauth21 is fapi2 with a
    // missing method read as S256.
    assert_eq!(p.require_for_confidential(true), f);
    assert_eq!(f.missing_method(MissingMethod::S256), o);
    assert_eq!(o.missing_method(MissingMethod::Reject), f);
    assert_ne!(o, f);
    assert_eq!(
        p.require_for_confidential(true)
            .missing_method(MissingMethod::S256),
        o
    );
    assert_eq!(p.missing_method(MissingMethod::Reject), p);
    assert_eq!(o.missing_method(MissingMethod::S256), o);
    assert_eq!(f.missing_method(MissingMethod::Reject), f);
    // Plain cannot be the meaning where plain is not allowed.
    assert_eq!(o.missing_method(MissingMethod::Plain), f);
    assert_eq!(d.missing_method(MissingMethod::Plain), d);
    // allow_plain no longer makes a missing method mean plain: development
    // is both knobs.
    assert_ne!(p.allow_plain(true), d);
    assert_eq!(p.allow_plain(true).missing_method(MissingMethod::Plain), d);
    assert_eq!(d.allow_plain(false), p);
    assert_eq!(
        d.missing_method(MissingMethod::Reject).allow_plain(false),
        p
    );
    assert_eq!(f.require_for_confidential(false), p);
    assert_eq!(
        o.require_for_confidential(false),
        p.missing_method(MissingMethod::S256)
    );
    // Built in const context.
    const P: Policy = Policy::production()
        .require_for_confidential(true)
        .allow_plain(true)
        .missing_method(MissingMethod::S256);
    assert!(P.requires_pkce(ClientType::Confidential) && P.allows(ChallengeMethod::Plain));
}

// Each knob is read back as it was set, whatever the others.
#[test]
fn every_combination_answers_as_built() {
    let all = cases();
    assert_eq!(all.len(), 5 * (1 + 2 * 2 * (1 + MISSING.len())));
    for case in all {
        let (name, p) = (&case.name, case.policy);
        assert!(p.requires_pkce(ClientType::Public), "{name}");
        assert_eq!(
            p.requires_pkce(ClientType::Confidential),
            case.require_for_confidential,
            "{name}"
        );
        assert!(p.allows(ChallengeMethod::S256), "{name}");
        assert_eq!(p.allows(ChallengeMethod::Plain), case.allow_plain, "{name}");
        // The metadata lists the methods a client may name; what a missing
        // one means cannot be published, so it does not change the list.
        let supported: &[&str] = if case.allow_plain {
            &["S256", "plain"]
        } else {
            &["S256"]
        };
        assert_eq!(p.methods_supported(), supported, "{name}");
    }
}

#[test]
fn builders_compose_in_any_order() {
    for base in [
        Policy::production(),
        Policy::development(),
        Policy::oauth21(),
        Policy::fapi2(),
    ] {
        for req in [false, true] {
            for plain in [false, true] {
                for missing in MISSING {
                    let a = base
                        .require_for_confidential(req)
                        .allow_plain(plain)
                        .missing_method(missing);
                    let b = base
                        .missing_method(missing)
                        .allow_plain(plain)
                        .require_for_confidential(req);
                    let c = base
                        .allow_plain(!plain)
                        .missing_method(missing)
                        .require_for_confidential(req)
                        .allow_plain(plain);
                    assert_eq!(a, b);
                    assert_eq!(a, c);
                }
            }
        }
    }
}

/// What a case's decisions depend on, from its knobs alone.
fn decisions(c: &Case) -> (bool, bool, Option<ChallengeMethod>) {
    (
        c.require_for_confidential,
        c.allow_plain,
        c.method_when_missing(),
    )
}

// `Eq` and `Hash` are by decisions: `Plain` where plain is not allowed
// rejects, as `Reject` does, so those two policies are equal.
#[test]
fn equality_and_hash_are_by_decisions() {
    let all = cases();
    let hasher = RandomState::new();
    for a in &all {
        for b in &all {
            let same = decisions(a) == decisions(b);
            assert_eq!(a.policy == b.policy, same, "{} vs {}", a.name, b.name);
            if same {
                assert_eq!(
                    hasher.hash_one(a.policy),
                    hasher.hash_one(b.policy),
                    "{} vs {}",
                    a.name,
                    b.name
                );
            }
        }
    }
    // 2 (confidential) x (2 without plain: reject, S256; 3 with plain: reject, plain, S256)
    let distinct: HashSet<Policy> = all.iter().map(|c| c.policy).collect();
    assert_eq!(distinct.len(), 2 * (2 + 3));
    // ...and the hash tells them apart (a collision among ten 64-bit
    // hashes is not a realistic failure).
    let hashes: HashSet<u64> = distinct.iter().map(|p| hasher.hash_one(p)).collect();
    assert_eq!(hashes.len(), distinct.len());
    assert_eq!(
        Policy::production().missing_method(MissingMethod::Plain),
        Policy::production()
    );
    assert_ne!(
        Policy::production().missing_method(MissingMethod::S256),
        Policy::production()
    );
}

// Public, exported from the root, `Copy + Eq + Debug`, and exhaustive: a
// match without a wildcard compiles outside the crate.
#[test]
fn missing_method_is_an_exhaustive_copy_enum() {
    fn meaning(m: MissingMethod) -> Option<&'static str> {
        match m {
            MissingMethod::Reject => None,
            MissingMethod::Plain => Some("plain"),
            MissingMethod::S256 => Some("S256"),
        }
    }
    let m = MissingMethod::S256;
    let copy = m;
    assert_eq!(m, copy);
    assert_ne!(MissingMethod::Plain, MissingMethod::Reject);
    assert_eq!(format!("{m:?}"), "S256");
    assert_eq!(MISSING.map(meaning), [None, Some("plain"), Some("S256")]);
}
