#!/usr/bin/env python3
"""Writes the seed corpora in this directory. Run from anywhere:
python3 fuzz/corpus-seeds/generate.py  (the output is committed).

verifier_parse, challenge_parse: raw strings. verify and diagnose: a control
byte, the challenge, 0xFF, the verifier (see fuzz_targets/verify.rs and
diagnose.rs). policy and reuse_guard: the `arbitrary` 1.x encoding of the target's `Input`; check one with `RUSTC_BOOTSTRAP=1 cargo fuzz fmt policy fuzz/corpus-seeds/policy/FILE`.
token_endpoint: the encodings of the library's own `Arbitrary` impls
(feature `arbitrary`), in the order fuzz_targets/token_endpoint.rs draws.
"""
import base64
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))

RFC_VERIFIER = b"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
RFC_CHALLENGE = b"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
RFC_KEY = bytes([116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186,
                 22, 212, 37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121])
UNRESERVED = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"


def sized(n):
    return (UNRESERVED * 3)[:n]


STRINGS = {
    "rfc7636_verifier": RFC_VERIFIER,
    "rfc7636_challenge": RFC_CHALLENGE,
    "len42": sized(42),
    "len43": sized(43),
    "len128": sized(128),
    "len129": sized(129),
    "len43_base64url": b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopQ",
    "padded": RFC_CHALLENGE + b"=",
    "padded_42": RFC_CHALLENGE[:42] + b"=",
    "plus_slash": RFC_CHALLENGE.replace(b"-", b"+")[:20] + b"/" + RFC_CHALLENGE[21:],
    "noncanonical_last": RFC_CHALLENGE[:42] + b"N",
    "hex_digest": b"13d31e961a1ad8ec2f16b10c4c982e0876a878ad6df144566ee1894acb70f9c3",
    "trailing_newline": RFC_VERIFIER + b"\n",
    "leading_space": b" " + RFC_VERIFIER,
    "utf8_last": RFC_VERIFIER[:42] + "é".encode(),
    "utf8_43_bytes": RFC_VERIFIER[:41] + "é".encode(),
    "percent_encoded": RFC_VERIFIER[:40] + b"%7E",
    "nul": RFC_VERIFIER[:42] + b"\x00",
    "invalid_utf8": RFC_VERIFIER[:42] + b"\xff",
    "empty": b"",
}


def write(target, name, data):
    d = os.path.join(HERE, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# --- verify: control byte | challenge | 0xFF | verifier
S256, PLAIN = 0, 1
GIVEN, DERIVED, TWEAKED = 0, 2, 4


def verify_seed(control, challenge, verifier):
    return bytes([control]) + challenge + b"\xff" + verifier


VERIFY = {
    "rfc7636_s256": verify_seed(S256 | GIVEN, RFC_CHALLENGE, RFC_VERIFIER),
    "rfc7636_s256_mismatch": verify_seed(S256 | GIVEN, RFC_CHALLENGE, RFC_VERIFIER[:42] + b"K"),
    "rfc7636_plain": verify_seed(PLAIN | GIVEN, RFC_VERIFIER, RFC_VERIFIER),
    "plain_mismatch": verify_seed(PLAIN | GIVEN, RFC_VERIFIER, RFC_VERIFIER[::-1]),
    "derived_s256": verify_seed(S256 | DERIVED, b"", RFC_VERIFIER),
    "derived_plain_128": verify_seed(PLAIN | DERIVED, b"", sized(128)),
    "derived_s256_len42": verify_seed(S256 | DERIVED, b"", sized(42)),
    "derived_s256_len129": verify_seed(S256 | DERIVED, b"", sized(129)),
    "derived_s256_newline": verify_seed(S256 | DERIVED, b"", RFC_VERIFIER + b"\n"),
    "tweaked_s256": verify_seed(S256 | TWEAKED, b"Q\x05", RFC_VERIFIER),
    "tweaked_s256_last": verify_seed(S256 | TWEAKED, b"N\x2a", RFC_VERIFIER),
    "tweaked_s256_same": verify_seed(S256 | TWEAKED, b"M\x2a", RFC_VERIFIER),
    "tweaked_plain_dot": verify_seed(PLAIN | TWEAKED, b".\x00", RFC_VERIFIER),
    "noncanonical": verify_seed(S256 | GIVEN, RFC_CHALLENGE[:42] + b"N", RFC_VERIFIER),
    "padded": verify_seed(S256 | GIVEN, RFC_CHALLENGE + b"=", RFC_VERIFIER),
}


# --- diagnose: as verify; control bits 1-3 choose the challenge (see
# fuzz_targets/diagnose.rs), bit 4 appends a newline to the verifier.
D_GIVEN, D_S256, D_HEX, D_HEX_UPPER, D_PADDED, D_STANDARD, D_DECODED, D_NEWLINE = (i << 1 for i in range(8))
D_TRAILING = 0x10
RFC_HEX = b"13d31e961a1ad8ec2f16b10c4c982e0876a878ad6df144566ee1894acb70f9c3"

DIAGNOSE = {
    "match_s256": verify_seed(S256 | D_GIVEN, RFC_CHALLENGE, RFC_VERIFIER),
    "match_plain": verify_seed(PLAIN | D_GIVEN, RFC_VERIFIER, RFC_VERIFIER),
    "wrong": verify_seed(S256 | D_GIVEN, RFC_CHALLENGE, RFC_VERIFIER[:42] + b"K"),
    "hex_given": verify_seed(PLAIN | D_GIVEN, RFC_HEX, RFC_VERIFIER),
    "padded_given": verify_seed(S256 | D_GIVEN, RFC_CHALLENGE + b"=", RFC_VERIFIER),
    "standard_given": verify_seed(S256 | D_GIVEN, RFC_CHALLENGE.replace(b"-", b"+"), RFC_VERIFIER),
    "verifier_as_challenge": verify_seed(S256 | D_GIVEN, RFC_VERIFIER, RFC_VERIFIER),
    "whitespace_challenge": verify_seed(S256 | D_GIVEN, RFC_CHALLENGE + b"\n", RFC_VERIFIER),
    "malformed_challenge": verify_seed(S256 | D_GIVEN, RFC_CHALLENGE[:42] + b"N", RFC_VERIFIER),
    "malformed_verifier": verify_seed(S256 | D_GIVEN, RFC_CHALLENGE, RFC_VERIFIER[:42]),
    "s256_under_plain": verify_seed(PLAIN | D_S256, b"", RFC_VERIFIER),
    "s256_newline": verify_seed(S256 | D_S256 | D_TRAILING, b"", RFC_VERIFIER),
    "hex": verify_seed(S256 | D_HEX, b"", RFC_VERIFIER),
    "hex_upper_plain": verify_seed(PLAIN | D_HEX_UPPER, b"", sized(128)),
    "padded": verify_seed(S256 | D_PADDED, b"", sized(43)),
    "standard": verify_seed(PLAIN | D_STANDARD, b"", RFC_VERIFIER),
    "decoded": verify_seed(S256 | D_DECODED, b"", RFC_VERIFIER),
    "decoded_128": verify_seed(PLAIN | D_DECODED, b"", b"A" * 128),
    "newline_hashed": verify_seed(S256 | D_NEWLINE, b"", RFC_VERIFIER),
}

# --- policy: arbitrary 1.x encoding of `Input`
def tag(index, count):
    """u32 (little endian) that derive(Arbitrary) maps to variant `index`."""
    x = ((2 * index + 1) << 32) // (2 * count)
    assert (x * count) >> 32 == index
    return x.to_bytes(4, "little")


def flag(b):
    return b"\x01" if b else b"\x00"


def option(v):
    return b"\x00" if v is None else b"\x01" + v


PRESETS = {"production": 0, "development": 1, "oauth21": 2, "fapi2": 3}
MISSING = ["reject", "plain", "S256"]
PUBLIC, CONFIDENTIAL = tag(0, 2), tag(1, 2)


def source(s):
    if s == "key":
        return tag(0, 3)
    if s == "other":
        return tag(1, 3)
    return tag(2, 3) + bytes([s])  # Sized(n)


def value(kind, src="key"):
    kinds = ["raw", "empty", "verifier", "s256_challenge", "plain_challenge", "S256", "plain"]
    i = kinds.index(kind)
    body = source(src) if kind in ("verifier", "s256_challenge", "plain_challenge") else b""
    return tag(i, len(kinds)) + body


def name(kind):
    return tag(["code_challenge", "code_challenge_method", "code_verifier"].index(kind), 4)


def params(pairs):
    return b"".join(b"\x01" + name(n) + v for n, v in pairs) + b"\x00"


def policy_seed(preset, client, challenge, method, verifier, require_conf=None, allow_plain=None,
                missing=None, token_allow_plain=None, auth_params=(), token_params=()):
    opt_bool = lambda b: option(None if b is None else flag(b))
    opt_missing = option(None if missing is None else tag(MISSING.index(missing), len(MISSING)))
    return (tag(PRESETS[preset], len(PRESETS)) + opt_bool(require_conf) + opt_bool(allow_plain)
            + opt_missing + opt_bool(token_allow_plain) + client + RFC_KEY + bytes(range(32))
            + option(challenge) + option(method) + option(verifier)
            + params(auth_params) + params(token_params))


POLICY = {
    "s256_public": policy_seed("production", PUBLIC, value("s256_challenge"), value("S256"), value("verifier")),
    "s256_wrong_verifier": policy_seed("production", PUBLIC, value("s256_challenge"), value("S256"),
                                       value("verifier", "other")),
    "s256_len128": policy_seed("production", PUBLIC, value("s256_challenge", 128), value("S256"),
                               value("verifier", 128)),
    "s256_len129": policy_seed("production", PUBLIC, value("s256_challenge", 129), value("S256"),
                               value("verifier", 129)),
    "s256_len42": policy_seed("oauth21", CONFIDENTIAL, value("s256_challenge", 42), value("S256"),
                              value("verifier", 42)),
    "plain_default_method": policy_seed("development", PUBLIC, value("plain_challenge"), None, value("verifier")),
    "plain_in_production": policy_seed("production", PUBLIC, value("plain_challenge"), value("plain"),
                                       value("verifier")),
    "plain_then_disallowed": policy_seed("development", PUBLIC, value("plain_challenge"), value("plain"),
                                         value("verifier"), token_allow_plain=False),
    "downgrade": policy_seed("production", CONFIDENTIAL, None, None, value("verifier")),
    "no_pkce_confidential": policy_seed("production", CONFIDENTIAL, None, None, None),
    "no_pkce_oauth21": policy_seed("oauth21", CONFIDENTIAL, value("empty"), None, value("empty")),
    "method_only": policy_seed("production", PUBLIC, None, value("S256"), None),
    "required_confidential": policy_seed("production", CONFIDENTIAL, None, None, None, require_conf=True),
    "repeated": policy_seed("production", PUBLIC, value("s256_challenge"), value("S256"), value("verifier"),
                            auth_params=[("code_challenge_method", value("plain"))],
                            token_params=[("code_verifier", value("verifier"))]),
    "oauth21_missing_method": policy_seed("oauth21", PUBLIC, value("s256_challenge"), None, value("verifier")),
    "oauth21_missing_method_plain_value": policy_seed("oauth21", PUBLIC, value("plain_challenge"), None,
                                                      value("verifier")),
    "fapi2_missing_method": policy_seed("fapi2", CONFIDENTIAL, value("s256_challenge"), None, value("verifier")),
    "fapi2_plain": policy_seed("fapi2", CONFIDENTIAL, value("plain_challenge"), value("plain"), value("verifier")),
    "missing_s256_override": policy_seed("production", PUBLIC, value("s256_challenge"), None, value("verifier"),
                                         missing="S256"),
    "repeated_empty": policy_seed("production", PUBLIC, value("s256_challenge"), None, value("verifier"),
                                  auth_params=[("code_challenge", value("empty"))]),
}


# --- client_flow: mode | issued u64 | delta i32 | max_age u32 | seed[32] | A | 0xFF | B
import hashlib
import struct


def flow_seed(mode, a=b"", b=b"", issued=1_700_000_000, delta=30, max_age=600, seed=RFC_KEY):
    return struct.pack("<BQiI", mode, issued, delta, max_age) + seed + a + b"\xff" + b


def stored(issued, state, verifier):
    """The text `ClientFlow::to_stored` writes; `issued` may be bytes (non-canonical digits)."""
    digits = issued if isinstance(issued, bytes) else b"%d" % issued
    head = b"v1.%s.%s." % (digits, state)
    check = hashlib.sha256(head + verifier).hexdigest()[:32].encode()
    return head + check + b"." + verifier


def stored_v2(issued, state, issuer, resource, verifier):
    """A bound flow's text; `issuer` and `resource` are the base64url parts as written."""
    head = b"v2.%d.%s.%s.%s." % (issued, state, issuer, resource)
    check = hashlib.sha256(head + verifier).hexdigest()[:32].encode()
    return head + check + b"." + verifier


def b64(text):
    return base64.urlsafe_b64encode(text).rstrip(b"=")


def noncanonical(text):
    """`b64(text)` with a trailing bit set in its last character: decodes to the same octets."""
    alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    canonical = b64(text)
    assert len(text) % 3 != 0, "needs trailing bits"
    last = alphabet.index(canonical[-1:]) | 1
    return canonical[:-1] + alphabet[last:last + 1]


STATE = b"ZnJlc2ggc3RhdGUgZnJvbSAzMiByYW5kb20gb2N0ZXQ"  # 43 base64url characters
OTHER_STATE = b"b3RoZXIgc3RhdGUgZnJvbSAzMiByYW5kb20gb2N0ZXQ"
GENUINE = stored(1_700_000_000, STATE, RFC_VERIFIER)
assert len(STATE) == len(OTHER_STATE) == 43 and GENUINE[57:58] == GENUINE[90:91] == b"."
RESUME, EDITED, STORE, NEGOTIATE = 0, 1, 2, 3

CLIENT_FLOW = {
    "resume_genuine": flow_seed(RESUME, GENUINE, STATE),
    "resume_foreign_state": flow_seed(RESUME, GENUINE, OTHER_STATE),
    "resume_at_max_age": flow_seed(RESUME, GENUINE, STATE, delta=600),
    "resume_expired": flow_seed(RESUME, GENUINE, STATE, delta=601),
    "resume_from_future": flow_seed(RESUME, GENUINE, STATE, delta=-61),
    "resume_verifier_128": flow_seed(RESUME, stored(0, STATE, sized(128)), STATE, issued=0, delta=0),
    "resume_issued_max": flow_seed(RESUME, stored(2**64 - 1, STATE, RFC_VERIFIER), STATE,
                                   issued=2**64 - 1, delta=0),
    "resume_issued_overflow": flow_seed(RESUME, stored(2**64, STATE, RFC_VERIFIER), STATE),
    "resume_leading_zero": flow_seed(RESUME, stored(b"01700000000", STATE, RFC_VERIFIER), STATE),
    "resume_check_uppercase": flow_seed(RESUME, GENUINE[:58] + GENUINE[58:90].upper() + GENUINE[90:], STATE),
    "resume_v2": flow_seed(RESUME, GENUINE.replace(b"v1.", b"v2.", 1), STATE),
    "resume_v2_bound": flow_seed(RESUME, stored_v2(1_700_000_000, STATE, b64(b"https://as.example"),
                                                   b64(b"https://rs.example/mcp"), RFC_VERIFIER), STATE),
    "resume_v2_no_resource": flow_seed(RESUME, stored_v2(1_700_000_000, STATE, b64(b"https://as.example"),
                                                         b"", RFC_VERIFIER), STATE),
    # A right check over parts the binding must refuse: non-canonical base64url
    # (trailing bits set), no issuer, an issuer of 129 octets, a space.
    "resume_v2_noncanonical": flow_seed(RESUME, stored_v2(1_700_000_000, STATE, noncanonical(b"https://as.example/"),
                                                          b"", RFC_VERIFIER), STATE),
    "resume_v2_empty_issuer": flow_seed(RESUME, stored_v2(1_700_000_000, STATE, b"", b"", RFC_VERIFIER), STATE),
    "resume_v2_issuer_129": flow_seed(RESUME, stored_v2(1_700_000_000, STATE, b64(b"https://" + b"a" * 121),
                                                        b"", RFC_VERIFIER), STATE),
    "resume_v2_space": flow_seed(RESUME, stored_v2(1_700_000_000, STATE, b64(b"https://as.example/a b"),
                                                   b"", RFC_VERIFIER), STATE),
    "genuine_untouched": flow_seed(EDITED),
    "genuine_one_edit": flow_seed(EDITED, bytes([60, ord("x")])),
    "genuine_same_byte_edit": flow_seed(EDITED, bytes([0, ord("v")])),
    "genuine_foreign_state": flow_seed(EDITED, b"", OTHER_STATE),
    "genuine_expired": flow_seed(EDITED, delta=601),
    "genuine_bound": flow_seed(EDITED | 4),
    "genuine_bound_resource": flow_seed(EDITED | 4 | 8),
    "genuine_bound_issuer_edit": flow_seed(EDITED | 4 | 8, bytes([110, ord("A")])),
    "store_take_second": flow_seed(STORE | (3 << 2), b"", b"\x01"),
    "store_take_foreign": flow_seed(STORE | (4 << 2), b"", OTHER_STATE),
    "store_take_expired": flow_seed(STORE | (2 << 2), b"", b"\x00", delta=601),
    "store_empty": flow_seed(STORE, b"", b"\x00"),
    "negotiate_s256": flow_seed(NEGOTIATE, b"plain\x00S256"),
    "negotiate_plain_only": flow_seed(NEGOTIATE, b"plain"),
    "negotiate_lowercase": flow_seed(NEGOTIATE, b"s256"),
    "negotiate_absent": flow_seed(NEGOTIATE),
}


# --- token_endpoint: the library's own `Arbitrary` encodings (src/arbitrary_impl.rs)
# of the values fuzz_targets/token_endpoint.rs draws, in its order, then `extra`.
def arb_verifier(s):
    """A length byte (len - 43), then each character's index in UNRESERVED."""
    return bytes([len(s) - 43]) + bytes(UNRESERVED.index(c) for c in s)


def arb_policy(preset, require_conf=None, allow_plain=None):
    opt_bool = lambda b: option(None if b is None else flag(b))
    return bytes([PRESETS[preset]]) + opt_bool(require_conf) + opt_bool(allow_plain)


ARB_PUBLIC, ARB_CONFIDENTIAL = b"\x00", b"\x01"
ARB_S256, ARB_PLAIN = b"\x00", b"\x01"


def arb_challenge(kind, v=RFC_VERIFIER):
    if kind == "digest":
        return b"\x00" + base64.urlsafe_b64decode(RFC_CHALLENGE + b"=")
    return (b"\x01" if kind == "s256" else b"\x02") + arb_verifier(v)


def extra_verifier(v=None):
    """`Extra::Verifier`: the client's own again (None) or another one."""
    return b"\x01" + tag(0, 2) + option(None if v is None else arb_verifier(v))


def token_seed(policy, client, verifier, method, guess, foreign, extra=()):
    return (policy + client + arb_verifier(verifier) + method + arb_verifier(guess) + foreign
            + b"".join(extra) + b"\x00")


WRONG = RFC_VERIFIER[:42] + b"K"
TOKEN = {
    "empty": b"",  # every impl gives a valid value from no input
    "rfc7636_s256": token_seed(arb_policy("production"), ARB_PUBLIC, RFC_VERIFIER, ARB_S256, WRONG,
                               arb_challenge("digest")),
    "plain_in_production": token_seed(arb_policy("production"), ARB_PUBLIC, RFC_VERIFIER, ARB_PLAIN,
                                      WRONG, arb_challenge("plain")),
    "plain_development": token_seed(arb_policy("development"), ARB_CONFIDENTIAL, RFC_VERIFIER,
                                    ARB_PLAIN, sized(43), arb_challenge("plain", sized(43))),
    "oauth21_len128": token_seed(arb_policy("oauth21"), ARB_CONFIDENTIAL, sized(128), ARB_S256,
                                 sized(127), arb_challenge("s256", sized(128))),
    "optional_pkce": token_seed(arb_policy("oauth21", require_conf=False, allow_plain=True),
                                ARB_CONFIDENTIAL, RFC_VERIFIER, ARB_S256, RFC_VERIFIER,
                                arb_challenge("s256")),
    "repeated_verifier": token_seed(arb_policy("production"), ARB_PUBLIC, RFC_VERIFIER, ARB_S256,
                                    WRONG, arb_challenge("digest"),
                                    [extra_verifier(), extra_verifier(WRONG)]),
}


# --- reuse_guard: arbitrary 1.x encoding of fuzz_targets/reuse_guard.rs's `Input`
def reuse_call(client, verifier, plain, step, arg=0):
    clients = ["spa", "backend", "long"]
    steps = ["same", "forward", "back", "to"]
    payload = b"" if step == "same" else arg.to_bytes(8 if step == "to" else 2, "little")
    return (b"\x01" + tag(clients.index(client), 4) + bytes([verifier]) + flag(plain)
            + tag(steps.index(step), 4) + payload)


def reuse_seed(window, start, calls):
    kind, value = window
    w = tag(["small", "any", "max"].index(kind), 3)
    w += {"small": bytes([value % 256]), "any": value.to_bytes(8, "little"), "max": b""}[kind]
    return RFC_KEY + w + start.to_bytes(8, "little") + b"".join(calls) + b"\x00"


U64_MAX = 2**64 - 1
REUSE = {
    "same_pair_twice": reuse_seed(("small", 60), 1000, [
        reuse_call("spa", 0, False, "same"), reuse_call("spa", 0, False, "forward", 5),
        reuse_call("backend", 0, False, "same"), reuse_call("spa", 0, True, "forward", 1),
        reuse_call("spa", 0, False, "forward", 60)]),
    "clock_back_and_extremes": reuse_seed(("any", 10), 5000, [
        reuse_call("spa", 1, False, "same"), reuse_call("spa", 1, False, "back", 100),
        reuse_call("spa", 1, True, "to", U64_MAX), reuse_call("spa", 1, False, "to", 0),
        reuse_call("long", 2, True, "to", U64_MAX - 1), reuse_call("long", 2, True, "same")]),
    "window_max": reuse_seed(("max", 0), 0, [
        reuse_call("long", 3, False, "same"), reuse_call("long", 3, True, "to", U64_MAX),
        reuse_call("backend", 3, False, "back", 1)]),
    "window_zero": reuse_seed(("small", 0), 7, [
        reuse_call("spa", 4, False, "same"), reuse_call("spa", 4, False, "same"),
        reuse_call("spa", 4, False, "back", 3)]),
    "churn": reuse_seed(("any", 1000), 1, [
        reuse_call(["spa", "backend", "long"][i % 3], i % 8, i % 2 == 1, "forward", i % 7)
        for i in range(40)]),
}


# Inputs the fuzzer found (each a fixed defect), kept as they are.
FOUND = [("reuse_guard", "many_clients_one_verifier")]


def main():
    found = {}
    for target, name_ in FOUND:
        with open(os.path.join(HERE, target, name_), "rb") as f:
            found[target, name_] = f.read()
    for target in ("verifier_parse", "challenge_parse", "verify", "diagnose", "policy",
                   "client_flow", "token_endpoint", "reuse_guard"):
        shutil.rmtree(os.path.join(HERE, target), ignore_errors=True)
    for (target, name_), data in found.items():
        write(target, name_, data)
    for name_, data in STRINGS.items():
        write("verifier_parse", name_, data)
        write("challenge_parse", name_, data)
    for name_, data in VERIFY.items():
        write("verify", name_, data)
    for name_, data in DIAGNOSE.items():
        write("diagnose", name_, data)
    for name_, data in POLICY.items():
        write("policy", name_, data)
    for name_, data in CLIENT_FLOW.items():
        write("client_flow", name_, data)
    for name_, data in TOKEN.items():
        write("token_endpoint", name_, data)
    for name_, data in REUSE.items():
        write("reuse_guard", name_, data)


if __name__ == "__main__":
    main()
