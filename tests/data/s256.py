#!/usr/bin/env python3
"""Independent RFC 7636 S256 vectors for tests/rfc7636.rs and tests/serde.rs.

s256.tsv holds 256 pairs `code_verifier<TAB>code_challenge`, computed with
Python's hashlib and base64 (no Rust code involved), so the crate is checked
against an implementation it shares nothing with. The verifiers are random:
lengths 43 to 128, every character from RFC 3986 `unreserved`.

    python3 tests/data/s256.py --check   # recompute every challenge in s256.tsv
    python3 tests/data/s256.py > tests/data/s256.tsv   # a fresh set

Standard library only.
"""

import base64
import hashlib
import secrets
import sys
from pathlib import Path

UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
HEADER = "# code_verifier\tcode_challenge (S256), computed with Python hashlib + base64"


def challenge(verifier: str) -> str:
    # RFC 7636 §4.2: BASE64URL-ENCODE(SHA256(ASCII(code_verifier))), no padding.
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def generate(count: int = 256) -> str:
    lines = [HEADER]
    for i in range(count):
        # Both ends of the length range always appear.
        length = 43 if i == 0 else 128 if i == 1 else 43 + secrets.randbelow(86)
        verifier = "".join(secrets.choice(UNRESERVED) for _ in range(length))
        lines.append(f"{verifier}\t{challenge(verifier)}")
    return "\n".join(lines) + "\n"


def check(path: Path) -> int:
    count = 0
    for n, line in enumerate(path.read_text(encoding="ascii").splitlines(), 1):
        if not line or line.startswith("#"):
            continue
        verifier, expected = line.split("\t")
        if not 43 <= len(verifier) <= 128 or set(verifier) - set(UNRESERVED):
            print(f"line {n}: not a valid verifier", file=sys.stderr)
            return 1
        if challenge(verifier) != expected:
            print(f"line {n}: challenge differs", file=sys.stderr)
            return 1
        count += 1
    print(f"{path}: {count} pairs, all match")
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        sys.exit(check(Path(__file__).with_name("s256.tsv")))
    if sys.argv[1:]:
        sys.exit(__doc__)
    sys.stdout.write(generate())
