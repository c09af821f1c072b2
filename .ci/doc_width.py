"""Doc examples fit docs.rs's code blocks: no line of a ``` block in a
doc comment of src/ is over 90 columns (docs.rs cuts them off at about 95)."""
import pathlib
import re
import sys

LIMIT = 90
bad = []
for path in sorted(pathlib.Path("src").rglob("*.rs")):
    inside = False
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        m = re.match(r"\s*//[/!] ?(.*)$", line)
        if not m:
            inside = False
            continue
        text = m.group(1)
        if text.startswith("```"):
            inside = not inside
        elif inside and len(text) > LIMIT:
            bad.append(f"{path}:{n}: {len(text)} columns")
if bad:
    sys.exit("doc example lines over %d columns:\n%s" % (LIMIT, "\n".join(bad)))
print(f"doc examples: every line within {LIMIT} columns")
