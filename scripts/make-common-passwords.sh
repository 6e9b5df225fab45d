#!/usr/bin/env bash
# Remakes Sources/VertrouwdCore/Resources/common-passwords.txt: the 10,000 most common passwords
# (lowercased, deduplicated, most common first), taken from the list that Django ships for its
# CommonPasswordValidator (Have I Been Pwned Pwned Passwords v6 top 20k, made by Royce Williams).
# Needs python3 and pip (PyPI only). Usage: scripts/make-common-passwords.sh
set -euo pipefail
VERSION=5.2.19
SHA256=5965d974a5218a2b68a11dd1276434707f23886525c23f0598eccedaf4f4ca00
out="$(cd "$(dirname "$0")/.." && pwd)/Sources/VertrouwdCore/Resources/common-passwords.txt"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pip download "django==$VERSION" --no-deps --only-binary=:all: -d "$tmp" -q
whl="$tmp/django-$VERSION-py3-none-any.whl"
echo "$SHA256  $whl" | sha256sum -c --quiet
python3 - "$whl" "$out" "$VERSION" <<'PY'
import gzip, sys, zipfile
whl, out, version = sys.argv[1:]
with zipfile.ZipFile(whl) as z:
    lines = gzip.decompress(z.read("django/contrib/auth/common-passwords.txt.gz")).decode("utf-8").splitlines()
seen, top = set(), []
for p in (l.lower() for l in lines):
    if p and p not in seen:
        seen.add(p); top.append(p)
top = top[:10000]
header = [
    "Top %d most common passwords, most common first: one a line, lowercased, deduplicated." % len(top),
    "For refusing known breached/common passwords at password choice (NIST SP 800-63B).",
    "Source: PyPI package Django %s (django-%s-py3-none-any.whl), file" % (version, version),
    "django/contrib/auth/common-passwords.txt.gz: the first %d of its %d entries." % (len(top), len(seen)),
    "That list is Have I Been Pwned's Pwned Passwords (v6) top 20k by frequency, made by",
    "Royce Williams (gist 226886fd01572964e1431ac8afc999ce); unhexed, lowercased, deduplicated.",
    "Licence: BSD-3-Clause (Django's licence, as in the wheel's metadata).",
    "Made by: scripts/make-common-passwords.sh (pip download django==%s --no-deps, then" % version,
    "lowercase, drop empty lines and duplicates keeping first occurrence, keep the first 10000).",
    "Comment lines start with '# ' (hash, space); a password may start with '#' but none with '# '.",
]
assert not any(p.startswith("# ") for p in top)
with open(out, "w", encoding="utf-8", newline="\n") as f:
    f.write("".join("# %s\n" % h for h in header) + "".join(p + "\n" for p in top))
print("wrote %d passwords to %s" % (len(top), out))
PY
