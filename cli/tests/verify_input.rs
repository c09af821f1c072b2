//! `pkce challenge -` and `pkce verify CHALLENGE -` read the verifier from
//! standard input; `pkce verify` given the verifier first says the
//! arguments are swapped.

use std::path::Path;

use assert_cmd::Command;

const B_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const B_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// Exit code, stdout and stderr of `pkce ARGS` with `stdin` as its input.
fn run(args: &[&str], stdin: &str) -> (i32, String, String) {
    let out = Command::new(Path::new(env!("CARGO_BIN_EXE_pkce")))
        .args(args)
        .write_stdin(stdin)
        .output()
        .unwrap();
    let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
    let code = out.status.code().expect("exited, not killed by a signal");
    (code, text(out.stdout), text(out.stderr))
}

#[test]
fn challenge_reads_the_verifier_from_stdin() {
    // `echo "$VERIFIER" | pkce challenge -`: the newline echo adds is not
    // part of the verifier; neither is a CRLF.
    for input in [
        format!("{B_VERIFIER}\n"),
        format!("{B_VERIFIER}\r\n"),
        B_VERIFIER.into(),
    ] {
        let out = run(&["challenge", "-"], &input);
        assert_eq!(
            out,
            (0, format!("{B_CHALLENGE}\n"), String::new()),
            "{input:?}"
        );
    }
    let out = run(
        &["challenge", "-", "--method", "plain"],
        &format!("{B_VERIFIER}\n"),
    );
    assert_eq!(out, (0, format!("{B_VERIFIER}\n"), String::new()));
    // Only the first line is read.
    let out = run(&["challenge", "-"], &format!("{B_VERIFIER}\nsecond line\n"));
    assert_eq!(out.0, 0, "{}", out.2);
}

#[test]
fn stdin_keeps_every_other_byte_for_the_syntax_check() {
    // A trailing space is part of the line: a malformed verifier (RFC 7636
    // §4.1), reported as such and without the value.
    let (code, stdout, stderr) = run(&["challenge", "-"], &format!("{B_VERIFIER} \n"));
    assert_eq!((code, stdout.as_str()), (2, ""), "{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(!stderr.contains(&B_VERIFIER[..8]), "{stderr}");
}

#[test]
fn empty_stdin_is_bad_input() {
    let (code, stdout, stderr) = run(&["challenge", "-"], "");
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert!(
        stderr.starts_with("error: ") && stderr.contains("standard input"),
        "{stderr}"
    );
    let (code, _, stderr) = run(&["verify", B_CHALLENGE, "-"], "");
    assert_eq!(code, 2, "{stderr}");
}

#[test]
fn verify_reads_the_verifier_from_stdin() {
    let (code, stdout, stderr) = run(&["verify", B_CHALLENGE, "-"], &format!("{B_VERIFIER}\n"));
    assert_eq!((code, stderr.as_str()), (0, ""));
    assert!(stdout.starts_with("match"), "{stdout}");
    // A wrong verifier from stdin is a plain mismatch (exit 1), with a hint.
    let other = format!("{}K\n", &B_VERIFIER[..42]);
    let (code, stdout, stderr) = run(&["verify", B_CHALLENGE, "-"], &other);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.starts_with("no match (mismatch)"), "{stdout}");
    assert!(stderr.starts_with("hint: "), "{stderr}");
}

#[test]
fn verify_says_when_the_arguments_are_swapped() {
    for args in [
        &["verify", B_VERIFIER, B_CHALLENGE][..],
        &["verify", "--method", "S256", B_VERIFIER, B_CHALLENGE],
    ] {
        let (code, stdout, stderr) = run(args, "");
        assert_eq!((code, stdout.as_str()), (2, ""), "{args:?}: {stderr}");
        assert!(
            stderr.starts_with("error: the arguments are swapped"),
            "{stderr}"
        );
        assert!(stderr.contains("CHALLENGE first"), "{stderr}");
        // Neither value is echoed.
        assert!(!stderr.contains(&B_VERIFIER[..8]) && !stderr.contains(&B_CHALLENGE[..8]));
    }
    // Two unrelated values are an ordinary mismatch, not a swap.
    let other = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXK";
    let (code, stdout, _) = run(&["verify", other, B_CHALLENGE], "");
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.starts_with("no match"), "{stdout}");
}
