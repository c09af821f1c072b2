"""README.md is the GitHub page: no rustdoc hidden lines (`# ...`) inside its
Rust blocks, which GitHub would show as they are."""
import re
import sys

inside, bad = False, []
for n, line in enumerate(open("README.md", encoding="utf-8"), 1):
    if line.startswith("```"):
        inside = not inside and line.strip().startswith("```rust")
        continue
    if inside and re.match(r"\s*#( |$)", line):
        bad.append(n)
if bad:
    sys.exit(f"README.md: rustdoc hidden lines in Rust blocks at lines {bad}")
print("README.md: no hidden lines in its Rust blocks")
