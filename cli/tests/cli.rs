//! The `pkce` binary, run as a process: outputs and exit codes
//! (0 success, 1 no match, 2 bad input).

use std::path::Path;

use assert_cmd::Command;
use proofkey::{ChallengeMethod, CodeChallenge, CodeVerifier, Diagnosis, Error};
use rand_chacha::rand_core::SeedableRng;

const B_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const B_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// The `pkce` binary of this package, which cargo builds before its tests.
fn pkce_bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_pkce"))
}

fn pkce(args: &[&str]) -> Command {
    let mut cmd = Command::new(pkce_bin());
    cmd.args(args);
    cmd
}

struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Output {
    let out = pkce(args).output().unwrap();
    let output = Output {
        code: out.status.code().expect("exited, not killed by a signal"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    };
    // Never a panic or a backtrace, whatever the input.
    assert!(
        !output.stderr.contains("panicked"),
        "{args:?}: {}",
        output.stderr
    );
    assert!(
        !output.stderr.contains("RUST_BACKTRACE"),
        "{args:?}: {}",
        output.stderr
    );
    output
}

/// Bad input: exit 2, stdout empty, stderr starts with `error: ` and its
/// first line contains `needle`.
fn assert_bad_input(args: &[&str], needle: &str) -> String {
    let out = run(args);
    assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
    assert_eq!(out.stdout, "", "{args:?}");
    assert!(
        out.stderr.starts_with("error: "),
        "{args:?}: {}",
        out.stderr
    );
    let first = out.stderr.lines().next().unwrap();
    assert!(
        first.contains(needle),
        "{args:?}: {first:?} lacks {needle:?}"
    );
    out.stderr
}

/// The `key: value` line of `generate`'s text output.
fn field<'a>(stdout: &'a str, key: &str) -> &'a str {
    let prefix = format!("{key}: ");
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no {key} in {stdout}"))
}

#[test]
fn generate_prints_a_verifier_and_its_s256_challenge() {
    let mut seen = Vec::new();
    for _ in 0..3 {
        let out = run(&["generate"]);
        assert_eq!((out.code, out.stderr.as_str()), (0, ""));
        assert_eq!(out.stdout.lines().count(), 3, "{}", out.stdout);
        let verifier = CodeVerifier::parse(field(&out.stdout, "code_verifier")).unwrap();
        assert_eq!(verifier.secret().len(), 43);
        assert_eq!(
            field(&out.stdout, "code_challenge"),
            verifier.challenge().as_str()
        );
        assert_eq!(field(&out.stdout, "code_challenge_method"), "S256");
        seen.push(verifier.secret().to_owned());
    }
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen.len(), 3, "three runs gave the same verifier");
}

#[test]
fn generate_len_gives_that_length() {
    for len in [43, 44, 64, 127, 128] {
        let n = len.to_string();
        let out = run(&["generate", "--len", &n]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        let verifier = CodeVerifier::parse(field(&out.stdout, "code_verifier")).unwrap();
        assert_eq!(verifier.secret().len(), len);
        assert_eq!(
            field(&out.stdout, "code_challenge"),
            verifier.challenge().as_str()
        );
    }
}

#[test]
fn generate_json_is_one_parseable_object() {
    for args in [
        &["generate", "--json"][..],
        &["generate", "--len", "100", "--json"],
    ] {
        let out = run(args);
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert_eq!(out.stdout.lines().count(), 1);
        let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        let obj = json.as_object().unwrap();
        let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            ["code_challenge", "code_challenge_method", "code_verifier"]
        );
        let verifier = CodeVerifier::parse(json["code_verifier"].as_str().unwrap()).unwrap();
        let expected_len = if args.contains(&"--len") { 100 } else { 43 };
        assert_eq!(verifier.secret().len(), expected_len);
        assert_eq!(json["code_challenge"], verifier.challenge().as_str());
        assert_eq!(json["code_challenge_method"], "S256");
        // and the challenge is one a server accepts
        let c = CodeChallenge::parse(
            json["code_challenge"].as_str().unwrap(),
            ChallengeMethod::S256,
        )
        .unwrap();
        assert_eq!(c.verify(verifier.secret()), Ok(()));
    }
}

#[test]
fn generate_rejects_lengths_outside_43_to_128() {
    for (len, shown) in [("42", 42), ("129", 129), ("0", 0)] {
        let stderr = assert_bad_input(
            &["generate", "--len", len],
            &Error::RequestedLength { len: shown }.to_string(),
        );
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
    for bad in ["abc", "", "43.0", "99999999999999999999999"] {
        assert_bad_input(
            &["generate", "--len", bad],
            &format!("invalid value '{bad}' for '--len <N>'"),
        );
    }
    assert_bad_input(&["generate", "--len", "-1"], "unexpected argument '-1'");
}

#[test]
fn challenge_appendix_b() {
    let out = run(&["challenge", B_VERIFIER]);
    assert_eq!(
        (out.code, out.stdout.as_str(), out.stderr.as_str()),
        (0, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM\n", "")
    );
    assert_eq!(
        run(&["challenge", B_VERIFIER, "--method", "S256"]).stdout,
        format!("{B_CHALLENGE}\n")
    );
    assert_eq!(
        run(&["challenge", "--method", "S256", B_VERIFIER]).stdout,
        format!("{B_CHALLENGE}\n")
    );
    assert_eq!(
        run(&["challenge", B_VERIFIER, "--method", "plain"]).stdout,
        format!("{B_VERIFIER}\n")
    );
}

#[test]
fn challenge_matches_the_library_for_generated_verifiers() {
    let mut rng = rand_chacha::ChaCha20Rng::from_seed([3; 32]);
    for len in [43, 57, 128] {
        let v = CodeVerifier::from_rng_with_len(&mut rng, len).unwrap();
        let out = run(&["challenge", v.secret()]);
        assert_eq!(out.stdout.trim_end(), v.challenge().as_str());
    }
}

#[test]
fn values_starting_with_a_hyphen_are_values_not_options() {
    let verifier = format!("-{}", &B_VERIFIER[1..]);
    let challenge = CodeVerifier::parse(&verifier).unwrap().challenge();
    let out = run(&["challenge", &verifier]);
    assert_eq!(
        (out.code, out.stdout.trim_end()),
        (0, challenge.as_str()),
        "{}",
        out.stderr
    );
    let out = run(&["verify", challenge.as_str(), &verifier]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
}

#[test]
fn challenge_rejects_a_malformed_verifier() {
    let short = &B_VERIFIER[..42];
    let stderr = assert_bad_input(
        &["challenge", short],
        &Error::VerifierLength { len: 42 }.to_string(),
    );
    assert_eq!(stderr.lines().count(), 1);
    assert!(!stderr.contains(short), "the input is not echoed: {stderr}");
    let bad = format!("{}+", &B_VERIFIER[..42]);
    assert_bad_input(
        &["challenge", &bad],
        &Error::VerifierCharset { position: 42 }.to_string(),
    );
    assert_bad_input(
        &["challenge", &"a".repeat(129)],
        &Error::VerifierLength { len: 129 }.to_string(),
    );
}

#[test]
fn unknown_methods_are_rejected() {
    for bad in ["s256", "PLAIN", "sha256", ""] {
        let msg = Error::UnsupportedMethod.to_string();
        assert_bad_input(&["challenge", B_VERIFIER, "--method", bad], &msg);
        assert_bad_input(&["verify", "--method", bad, B_CHALLENGE, B_VERIFIER], &msg);
    }
}

#[test]
fn verify_accepts_a_match() {
    for args in [
        &["verify", B_CHALLENGE, B_VERIFIER][..],
        &["verify", "--method", "S256", B_CHALLENGE, B_VERIFIER],
        &["verify", "--method", "plain", B_VERIFIER, B_VERIFIER],
    ] {
        let out = run(args);
        assert_eq!((out.code, out.stderr.as_str()), (0, ""), "{args:?}");
        assert!(out.stdout.starts_with("match"), "{}", out.stdout);
    }
}

/// `verify` with no match: exit 1 and the rule that failed, by the library's message.
fn assert_no_match(args: &[&str], rule: &str, err: Error) {
    let out = run(args);
    assert_eq!(out.code, 1, "{args:?}: {}{}", out.stdout, out.stderr);
    assert_eq!(
        out.stdout,
        format!("no match ({rule}): {err}\n"),
        "{args:?}"
    );
}

#[test]
fn verify_reports_which_rule_failed() {
    let other = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXK";
    assert_no_match(&["verify", B_CHALLENGE, other], "mismatch", Error::Mismatch);
    // the S256 challenge used as plain, and the verifier sent as an S256 challenge
    assert_no_match(
        &["verify", "--method", "plain", B_CHALLENGE, B_VERIFIER],
        "mismatch",
        Error::Mismatch,
    );
    assert_no_match(
        &["verify", B_VERIFIER, B_VERIFIER],
        "mismatch",
        Error::Mismatch,
    );

    assert_no_match(
        &["verify", B_CHALLENGE, "short"],
        "malformed verifier",
        Error::VerifierLength { len: 5 },
    );
    let bad = format!("{}/", &B_VERIFIER[..42]);
    assert_no_match(
        &["verify", B_CHALLENGE, &bad],
        "malformed verifier",
        Error::VerifierCharset { position: 42 },
    );

    let padded = format!("{B_CHALLENGE}=");
    let err = Error::ChallengeLength {
        method: ChallengeMethod::S256,
        len: 44,
    };
    assert_no_match(&["verify", &padded, B_VERIFIER], "malformed challenge", err);
    let non_canonical = B_CHALLENGE.replace("-cM", "-cN");
    assert_no_match(
        &["verify", &non_canonical, B_VERIFIER],
        "malformed challenge",
        Error::ChallengeNonCanonical,
    );
    let err = Error::ChallengeLength {
        method: ChallengeMethod::Plain,
        len: 5,
    };
    assert_no_match(
        &["verify", "--method", "plain", "short", B_VERIFIER],
        "malformed challenge",
        err,
    );
}

/// `verify` with no match: exit 1, the rule on stdout, and on stderr one
/// `hint:` line, the library's text for the client mistake; neither value.
fn assert_hint(args: &[&str], rule: &str, diagnosis: Diagnosis) {
    let out = run(args);
    assert_eq!(out.code, 1, "{args:?}: {}{}", out.stdout, out.stderr);
    let prefix = format!("no match ({rule}): ");
    assert!(out.stdout.starts_with(&prefix), "{args:?}: {}", out.stdout);
    assert_eq!(out.stderr, format!("hint: {diagnosis}\n"), "{args:?}");
    // The last two arguments are the challenge and the verifier.
    for value in &args[args.len() - 2..] {
        assert!(!out.stderr.contains(value), "{args:?}: {}", out.stderr);
    }
}

#[test]
fn verify_hints_at_the_client_mistake() {
    // RFC 7636 Appendix B's SHA-256, as `sha256sum` prints it.
    let hex = "13d31e961a1ad8ec2f16b10c4c982e0876a878ad6df144566ee1894acb70f9c3";
    assert_hint(
        &["verify", hex, B_VERIFIER],
        "malformed challenge",
        Diagnosis::HexDigest,
    );
    // Without code_challenge_method the server binds plain, and a 64-digit
    // hex string is a valid plain challenge.
    assert_hint(
        &["verify", "--method", "plain", hex, B_VERIFIER],
        "mismatch",
        Diagnosis::HexDigest,
    );
    let upper = hex.to_uppercase();
    assert_hint(
        &["verify", &upper, B_VERIFIER],
        "malformed challenge",
        Diagnosis::HexDigest,
    );

    let mut rng = rand_chacha::ChaCha20Rng::from_seed([5; 32]);
    for v in [
        CodeVerifier::parse(B_VERIFIER).unwrap(),
        CodeVerifier::from_rng(&mut rng).unwrap(),
        CodeVerifier::from_rng_with_len(&mut rng, 128).unwrap(),
    ] {
        let padded = format!("{}=", v.challenge().as_str());
        assert_hint(
            &["verify", &padded, v.secret()],
            "malformed challenge",
            Diagnosis::Padded,
        );
    }

    let other = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXK";
    assert_hint(
        &["verify", B_CHALLENGE, other],
        "mismatch",
        Diagnosis::WrongVerifier,
    );
}

#[test]
fn usage_errors_exit_2_with_an_error_line() {
    assert_bad_input(&["frobnicate"], "unrecognized subcommand 'frobnicate'");
    assert_bad_input(&[], "requires a subcommand");
    assert_bad_input(&["challenge"], "required");
    assert_bad_input(&["verify", B_CHALLENGE], "required");
    assert_bad_input(
        &["verify", B_CHALLENGE, B_VERIFIER, "extra"],
        "unexpected argument",
    );
    assert_bad_input(&["generate", "--lenn", "50"], "unexpected argument");
    assert_bad_input(&["generate", "--len"], "--len");
}

#[test]
fn help_and_version_exit_0() {
    let out = run(&["--help"]);
    assert_eq!(out.code, 0);
    for sub in ["generate", "challenge", "verify"] {
        assert!(out.stdout.contains(sub), "{}", out.stdout);
    }
    let out = run(&["verify", "--help"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("--method"), "{}", out.stdout);
    let out = run(&["--version"]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, concat!("pkce ", env!("CARGO_PKG_VERSION"), "\n"))
    );
}

#[test]
fn a_closed_stdout_is_not_a_panic() {
    use std::process::Stdio;
    let mut child = std::process::Command::new(pkce_bin())
        .args(["generate", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader goes away before the write
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    // The write either happened before the close (0) or failed cleanly (2).
    assert!(
        matches!(out.status.code(), Some(0 | 2)),
        "{:?} {stderr}",
        out.status
    );
}
