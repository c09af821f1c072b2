//! No code path of the library allocates: a counting global allocator
//! around generate, parse, challenge, verify and every policy call.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use std::collections::HashMap;
use std::fmt::{self, Write as _};

use proofkey::{
    AuthorizeError, ChallengeMethod, ClientType, CodeChallenge, CodeVerifier, IssParameter,
    MissingMethod, Policy, TokenError,
};
use rand::{rand_core::SeedableRng, rngs::ChaCha20Rng};

struct Counting;

thread_local! {
    // Per thread: the test harness's own thread allocates while a test runs,
    // and only the calling thread's allocations are the library's.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count() {
    // `try_with`: never panic inside the allocator (thread teardown).
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

fn allocated() -> usize {
    ALLOCATIONS.with(Cell::get)
}

// SAFETY: forwards to the system allocator; only counts.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made by `f` on this thread.
fn allocations<T>(f: impl FnOnce() -> T) -> (usize, T) {
    let before = allocated();
    let out = std::hint::black_box(f());
    (allocated() - before, out)
}

#[track_caller]
fn assert_no_alloc<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let (n, out) = allocations(f);
    assert_eq!(n, 0, "{what} allocated {n} times");
    out
}

#[path = "support/vectors.rs"]
mod vectors;
use vectors::{RFC_CHALLENGE as C, RFC_VERIFIER as V};

#[test]
fn no_library_path_allocates() {
    // The harness itself must be able to fail.
    let (n, _) = allocations(|| vec![1u8; 16]);
    assert!(n >= 1, "the counting allocator sees allocations");

    let mut rng = ChaCha20Rng::from_seed([3; 32]);
    let long = "A".repeat(128);
    let bad = "x".repeat(300);

    let v = assert_no_alloc("from_rng", || CodeVerifier::from_rng(&mut rng)).unwrap();
    assert_no_alloc("from_rng, again", || CodeVerifier::from_rng(&mut rng)).unwrap();
    assert_no_alloc("from_rng_with_len", || {
        CodeVerifier::from_rng_with_len(&mut rng, 128)
    })
    .unwrap();
    assert_no_alloc("from_rng_with_len error", || {
        CodeVerifier::from_rng_with_len(&mut rng, 5)
    })
    .unwrap_err();
    assert_no_alloc("from_random_bytes", || {
        CodeVerifier::from_random_bytes(&[7; 32])
    });
    #[cfg(feature = "getrandom")]
    assert_no_alloc("random", CodeVerifier::random).unwrap();
    assert_no_alloc("parse", || CodeVerifier::parse(V)).unwrap();
    assert_no_alloc("parse error", || CodeVerifier::parse(&bad)).unwrap_err();
    let s = assert_no_alloc("challenge", || v.challenge());
    let p = assert_no_alloc("challenge_with", || {
        v.challenge_with(ChallengeMethod::Plain)
    });
    assert_no_alloc("secret", || v.secret().len());
    assert_no_alloc("challenge parse", || {
        CodeChallenge::parse(C, ChallengeMethod::S256)
    })
    .unwrap();
    assert_no_alloc("plain parse", || {
        CodeChallenge::parse(&long, ChallengeMethod::Plain)
    })
    .unwrap();
    assert_no_alloc("challenge parse error", || {
        CodeChallenge::parse(&bad, ChallengeMethod::S256)
    })
    .unwrap_err();
    assert_no_alloc("verify S256", || s.verify(v.secret())).unwrap();
    assert_no_alloc("verify plain", || p.verify(v.secret())).unwrap();
    assert_no_alloc("verify mismatch", || s.verify(&long)).unwrap_err();
    assert_no_alloc("verify malformed", || s.verify(&bad)).unwrap_err();
    assert_no_alloc("method parse", || ChallengeMethod::parse("S256")).unwrap();

    for policy in [
        Policy::production(),
        Policy::development(),
        Policy::oauth21(),
        assert_no_alloc("missing_method", || {
            Policy::production().missing_method(MissingMethod::S256)
        }),
    ] {
        for client in [ClientType::Public, ClientType::Confidential] {
            assert_no_alloc("methods_supported", || policy.methods_supported());
            let _ = assert_no_alloc("authorize", || {
                policy.authorize(client, Some(s.as_str()), Some("S256"))
            });
            let _ = assert_no_alloc("authorize none", || policy.authorize(client, None, None));
            let _ = assert_no_alloc("authorize plain", || {
                policy.authorize(client, Some(V), None)
            });
            let _ = assert_no_alloc("authorize bad", || {
                policy.authorize(client, Some(&bad), Some("S256"))
            });
            let query = [
                ("code_challenge", C),
                ("code_challenge_method", "S256"),
                ("code_challenge", C),
            ];
            let _ = assert_no_alloc("authorize_params", || {
                policy.authorize_params(client, query)
            });
            let _ = assert_no_alloc("token", || policy.token(client, Some(&s), Some(v.secret())));
            let _ = assert_no_alloc("token plain", || {
                policy.token(client, Some(&p), Some(v.secret()))
            });
            let _ = assert_no_alloc("token none", || policy.token(client, None, None));
            let _ = assert_no_alloc("token downgrade", || policy.token(client, None, Some(V)));
            let form = [("code_verifier", V), ("code_verifier", V)];
            let _ = assert_no_alloc("token_params", || {
                policy.token_params(client, Some(&s), form)
            });
            policy_params_do_not_allocate(policy, client, &s);
            let _ = assert_no_alloc("error description", || {
                policy
                    .token(client, Some(&s), Some(&bad))
                    .map_err(|e| e.description())
            });
        }
    }
    drop(v);
}

/// The `_params` forms over each kind of pairs. The pairs are built before
/// the measured call; dropping owned ones frees, which is not counted.
fn policy_params_do_not_allocate(policy: Policy, client: ClientType, s: &CodeChallenge) {
    let query = format!("response_type=code&code_challenge={C}&code_challenge_method=S256");
    let body = format!("grant_type=authorization_code&code=abc&code_verifier={V}");
    let _ = assert_no_alloc("authorize_params form_urlencoded", || {
        policy.authorize_params(client, form_urlencoded::parse(query.as_bytes()))
    });
    let _ = assert_no_alloc("token_params form_urlencoded", || {
        policy.token_params(client, Some(s), form_urlencoded::parse(body.as_bytes()))
    });
    let _ = assert_no_alloc("authorize_query", || policy.authorize_query(client, &query));
    let _ = assert_no_alloc("token_form", || policy.token_form(client, Some(s), &body));
    let encoded = body.replace("code_verifier=", "code%5Fverifier=%") + "+";
    let _ = assert_no_alloc("token_form, encoded", || {
        policy.token_form(client, Some(s), &encoded)
    });
    let owned: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let _ = assert_no_alloc("authorize_params &Vec<(String, String)>", || {
        policy.authorize_params(client, &owned)
    });
    let _ = assert_no_alloc("authorize_params Vec<(String, String)>", || {
        policy.authorize_params(client, owned)
    });
    let form: Vec<(String, String)> = form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    let map: HashMap<String, String> = form.iter().cloned().collect();
    let _ = assert_no_alloc("token_params &Vec<(String, String)>", || {
        policy.token_params(client, Some(s), &form)
    });
    let _ = assert_no_alloc("token_params &HashMap", || {
        policy.token_params(client, Some(s), &map)
    });
    let _ = assert_no_alloc("token_params Vec<(String, String)>", || {
        policy.token_params(client, Some(s), form)
    });
}

/// A fixed buffer, to write `Display` output without allocating.
struct StackBuf {
    bytes: [u8; 256],
    len: usize,
}

impl fmt::Write for StackBuf {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        self.bytes
            .get_mut(self.len..end)
            .ok_or(fmt::Error)?
            .copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

#[test]
fn http_error_helpers_do_not_allocate() {
    let mut buf = StackBuf {
        bytes: [0; 256],
        len: 0,
    };
    for e in [
        TokenError::Mismatch,
        TokenError::UnexpectedVerifier,
        TokenError::RepeatedVerifier,
    ] {
        buf.len = 0;
        assert_eq!(assert_no_alloc("status_code", || e.status_code()), 400);
        assert_no_alloc("json", || write!(buf, "{}", e.json())).unwrap();
        let written = std::str::from_utf8(&buf.bytes[..buf.len]).unwrap();
        assert!(written.starts_with(r#"{"error":""#), "{written}");
        assert!(
            written.ends_with(&format!("{}\"}}", e.description())),
            "{written}"
        );
    }
    let pairs = assert_no_alloc("query_pairs", || {
        AuthorizeError::MethodRequired.query_pairs()
    });
    assert_eq!(pairs[0], ("error", "invalid_request"));
}

#[test]
fn diagnose_does_not_allocate() {
    use ChallengeMethod::{Plain, S256};
    use proofkey::{Diagnosis as D, diagnose};
    // Built before counting: the mistakes of Appendix B (see tests/diagnose.rs).
    let hex = "13d31e961a1ad8ec2f16b10c4c982e0876a878ad6df144566ee1894acb70f9c3";
    let padded = &format!("{C}=");
    let standard = &C.replace('-', "+");
    let newline = &format!("{V}\n");
    let long = &"A".repeat(128);
    let bad = &"x".repeat(300);
    let cases = [
        (C, S256, V, D::Match),
        (C, S256, newline, D::SurroundingWhitespace),
        (C, S256, bad, D::MalformedVerifier),
        (hex, Plain, V, D::HexDigest),
        (C, Plain, V, D::S256UnderPlain),
        (padded, S256, V, D::Padded),
        (standard, S256, V, D::StandardBase64),
        (V, S256, V, D::VerifierAsChallenge),
        (bad, S256, V, D::MalformedChallenge),
        // Every check runs: `long` is base64url, so it is also decoded.
        (C, S256, long, D::WrongVerifier),
    ];
    for (challenge, method, verifier, want) in cases {
        let got = assert_no_alloc("diagnose", || diagnose(challenge, method, verifier));
        assert_eq!(got, want);
        assert_no_alloc("Display", || {
            // Counts what `Display` writes, into no buffer at all.
            struct Len(usize);
            impl std::fmt::Write for Len {
                fn write_str(&mut self, s: &str) -> std::fmt::Result {
                    self.0 += s.len();
                    Ok(())
                }
            }
            let mut len = Len(0);
            std::fmt::write(&mut len, format_args!("{got}")).map(|()| len.0)
        })
        .map(|len| assert!(len > 0))
        .unwrap();
    }
}

#[test]
fn client_flow_paths_do_not_allocate() {
    use proofkey::{ClientFlow, FlowStore};

    let mut rng = ChaCha20Rng::from_seed([4; 32]);
    let now = 1_700_000_000;
    let flow = assert_no_alloc("ClientFlow::from_rng", || {
        ClientFlow::from_rng(&mut rng, now)
    })
    .unwrap();
    #[cfg(feature = "getrandom")]
    assert_no_alloc("ClientFlow::random", || ClientFlow::random(now)).unwrap();
    assert_no_alloc("authorization_pairs", || flow.authorization_pairs().len());
    assert_no_alloc("state", || flow.state().len());
    assert_no_alloc("challenge", || flow.challenge().as_str().len());
    assert_no_alloc("verifier", || flow.verifier().secret().len());
    assert_no_alloc("issued_at", || flow.issued_at());
    assert_no_alloc("token_pairs", || flow.token_pairs().len());
    let stored = assert_no_alloc("to_stored", || flow.to_stored());
    let text = assert_no_alloc("StoredFlow::secret", || stored.secret());
    let back = assert_no_alloc("resume", || ClientFlow::resume(text, flow.state(), now)).unwrap();
    assert_no_alloc("resume_with_max_age", || {
        ClientFlow::resume_with_max_age(text, flow.state(), now + 5, 5)
    })
    .unwrap();
    assert_no_alloc("resume state mismatch", || {
        ClientFlow::resume(text, "forged", now)
    })
    .unwrap_err();
    assert_no_alloc("resume expired", || {
        ClientFlow::resume(text, flow.state(), now + 601)
    })
    .unwrap_err();
    assert_no_alloc("resume malformed", || {
        ClientFlow::resume(&text[1..], flow.state(), now)
    })
    .unwrap_err();
    assert_no_alloc("check_issuer", || {
        back.check_issuer(
            "https://as.example",
            Some("https://as.example"),
            IssParameter::Advertised,
        )
    })
    .unwrap();
    assert_no_alloc("check_issuer missing", || {
        back.check_issuer("https://as.example", None, IssParameter::Advertised)
    })
    .unwrap_err();

    // A flow bound to its issuer and resource, through the same steps.
    let bound = assert_no_alloc("for_issuer", || {
        ClientFlow::from_rng(&mut rng, now)
            .and_then(|f| f.for_issuer("https://as.example", Some("https://rs.example/mcp")))
    })
    .unwrap();
    let stored = assert_no_alloc("to_stored bound", || bound.to_stored());
    let resumed = assert_no_alloc("resume bound", || {
        ClientFlow::resume(stored.secret(), bound.state(), now)
    })
    .unwrap();
    assert_no_alloc("resource_pair", || resumed.resource_pair()).unwrap();
    assert_no_alloc("check_recorded_issuer", || {
        resumed.check_recorded_issuer(Some("https://as.example"), IssParameter::Advertised)
    })
    .unwrap();
    assert_no_alloc("check_recorded_issuer mismatch", || {
        resumed.check_recorded_issuer(Some("https://b.example"), IssParameter::Advertised)
    })
    .unwrap_err();
    assert_no_alloc("token_endpoint", || {
        resumed.token_endpoint("https://as.example", "https://as.example/token")
    })
    .unwrap();

    let mut store = assert_no_alloc("FlowStore::new", FlowStore::<8>::new);
    let state = flow.state().to_owned();
    assert_no_alloc("FlowStore::insert", || store.insert(flow, now)).unwrap();
    assert_no_alloc("FlowStore::insert duplicate", || store.insert(back, now)).unwrap_err();
    assert_no_alloc("FlowStore::len", || store.len());
    assert_no_alloc("FlowStore::take foreign", || store.take("forged", now)).unwrap_err();
    assert_no_alloc("FlowStore::take", || store.take(&state, now + 1)).unwrap();
    assert_no_alloc("FlowStore::purge_expired", || {
        store.purge_expired(now + 601)
    });

    let listed = ["plain", "S256"];
    assert_no_alloc("negotiate", || ChallengeMethod::negotiate(Some(listed))).unwrap();
    assert_no_alloc("negotiate absent", || {
        ChallengeMethod::negotiate(None::<[&str; 0]>)
    })
    .unwrap_err();
    assert_no_alloc("negotiate_legacy", || {
        ChallengeMethod::negotiate_legacy(None::<[&str; 0]>)
    })
    .unwrap();
}

/// `ReuseGuard` (new, fingerprint, check_and_record both ways, reset,
/// drop) and the `oauth21` and `fapi2` presets.
#[test]
fn reuse_guard_and_spec_presets_do_not_allocate() {
    use proofkey::ReuseGuard;

    let s = CodeChallenge::parse(C, ChallengeMethod::S256).unwrap();
    let p = CodeChallenge::parse(V, ChallengeMethod::Plain).unwrap();
    let long_client = "c".repeat(300);
    let mut guard = assert_no_alloc("ReuseGuard::new", || ReuseGuard::<256>::new([7; 32], 600));
    for client in ["spa", long_client.as_str()] {
        assert_no_alloc("fingerprint", || guard.fingerprint(client, &s));
        assert_no_alloc("check_and_record new", || {
            guard.check_and_record(client, &s, 1_000)
        })
        .unwrap();
        assert_no_alloc("check_and_record reused", || {
            guard.check_and_record(client, &p, 1_001)
        })
        .unwrap_err();
        assert_no_alloc("check_and_record expired", || {
            guard.check_and_record(client, &s, 1_600)
        })
        .unwrap();
    }
    // A full set: every call evicts.
    let challenges: Vec<CodeChallenge> = (0..64u8)
        .map(|i| CodeVerifier::from_random_bytes(&[i; 32]).challenge())
        .collect();
    let mut small = ReuseGuard::<4>::new([7; 32], 600);
    for (t, c) in challenges.iter().enumerate() {
        assert_no_alloc("check_and_record evicting", || {
            small.check_and_record("spa", c, t as u64)
        })
        .unwrap();
    }
    assert_no_alloc("reset", || guard.reset([8; 32], 60));
    assert_no_alloc("ReuseGuard drop", || drop(guard));

    for policy in [Policy::oauth21(), Policy::fapi2()] {
        assert_no_alloc("methods_supported", || policy.methods_supported());
        for client in [ClientType::Public, ClientType::Confidential] {
            let _ = assert_no_alloc("authorize missing method", || {
                policy.authorize(client, Some(C), None)
            });
            let _ = assert_no_alloc("authorize plain", || {
                policy.authorize(client, Some(V), Some("plain"))
            });
            let _ = assert_no_alloc("token", || policy.token(client, Some(&s), Some(V)));
        }
    }
    let error = assert_no_alloc("ChallengeReused", || {
        AuthorizeError::ChallengeReused.query_pairs()
    });
    assert_eq!(error[0], ("error", "invalid_request"));
}
