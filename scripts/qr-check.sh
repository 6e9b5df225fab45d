#!/usr/bin/env bash
# The QR codes of `vertrouwd qr` read back by an independent decoder (zbarimg): 200 links of 20
# to 200 characters, some with query strings, percent escapes and accented letters, at
# error-correction levels M and Q. Exits non-zero unless every link comes back exactly.
#   scripts/qr-check.sh .build/debug/vertrouwd
set -euo pipefail
bin=${1:?usage: scripts/qr-check.sh path/to/vertrouwd}
[ -x "$bin" ] || { echo "qr-check: $bin is not an executable"; exit 2; }
if ! command -v zbarimg >/dev/null; then
  echo "qr-check: installing zbar-tools for zbarimg"
  apt-get install -y zbar-tools >/dev/null 2>&1 \
    || { apt-get update >/dev/null && apt-get install -y zbar-tools >/dev/null; }
fi
dir=$(mktemp -d /tmp/vertrouwd-qr.XXXXXX)
trap 'rm -rf "$dir"' EXIT

# The same 200 links on every run: lengths spread evenly over 20...200 characters.
python3 - >"$dir/links.txt" <<'EOF'
import random
rng = random.Random(18004)
hosts = ["https://vt.nl/o/", "https://vertrouwd.example.nl/o/", "https://meld.zorggroep-de-linde.example/o/"]
slug = "abcdefghijklmnopqrstuvwxyz0123456789-"
tails = ["?taal=nl", "?taal=en&bron=poster", "#melden", "/vraag%20stellen", "?org=caf%C3%A9", "/privé", "/über-ons"]
for i in range(200):
    length = 20 + i * 180 // 199
    host = hosts[i % 3] if len(hosts[i % 3]) + 10 <= length else hosts[0]
    tail = rng.choice(tails) if i % 4 == 0 else ""
    body = "".join(rng.choice(slug) for _ in range(length - len(host) - len(tail)))
    print((host + body + tail)[:length])
EOF

# Prints how many links of level $1 (m or q) came back exactly; names each that did not on stderr.
decoded() {
  local level=$1 ok=0 n=0 link got flags=()
  [ "$level" = q ] && flags=(--correction q)
  while IFS= read -r link; do
    n=$((n + 1))
    if ! "$bin" qr --pbm --scale 4 "${flags[@]}" --text "$link" >"$dir/code.pbm" 2>"$dir/qr.err"; then
      echo "qr-check: ($level) link $n: qr failed: $(head -c 300 "$dir/qr.err")" >&2
      continue
    fi
    # QR only: with every symbology on, zbar now and then also reads a 1D barcode in the modules.
    got=$(zbarimg --raw -q -Sdisable -Sqrcode.enable "$dir/code.pbm" 2>/dev/null) || true
    if [ "$got" == "$link" ]; then
      ok=$((ok + 1))
    else
      echo "qr-check: ($level) link $n: wrote '$link', read '$got'" >&2
    fi
  done <"$dir/links.txt"
  echo "$ok"
}

total=$(wc -l <"$dir/links.txt")
m=$(decoded m)
q=$(decoded q)
echo "qr-check: $m/$total decoded (M), $q/$total (Q)"
[ "$m" -eq "$total" ] && [ "$q" -eq "$total" ]
