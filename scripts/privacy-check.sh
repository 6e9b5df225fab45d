#!/usr/bin/env bash
# Privacy check of a built binary, as an auditor would do it: a reporter on 127.0.0.2 (so the
# address cannot be confused with the server's own 127.0.0.1) submits a report with a marker
# text, user agent and forwarded-for header, and opens the mailbox with the receipt code. Then
# the data folder (database, WAL, key) and everything the server printed are searched: the
# report's text, the address and the user agent must be nowhere.
# Usage: scripts/privacy-check.sh [path/to/vertrouwd]   (uses DATABASE_URL when set)
set -euo pipefail
bin=${1:-.build/debug/vertrouwd}
dir=$(mktemp -d /tmp/vertrouwd-privacy.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export VERTROUWD_DATA_DIR="$dir/data"
marker="Privacy-marker-$RANDOM$RANDOM: mijn teamleider pakt geld uit de kas"
agent="MarkerBrowser/$RANDOM"
fail() { echo "privacy: FAIL: $*"; exit 1; }

"$bin" demo >"$dir/demo.log" 2>&1 || fail "demo: $(tail -3 "$dir/demo.log")"
"$bin" serve --hostname 127.0.0.1 --port "$port" >"$dir/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.2; done

jar="$dir/cookies"
c() { curl -sS --interface 127.0.0.2 -A "$agent" -H "X-Forwarded-For: 127.0.0.2" -b "$jar" -c "$jar" "$@"; }
form=$(c "http://127.0.0.1:$port/o/de-regenboog/melden")
csrf=$(printf '%s' "$form" | sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' | head -n 1)
receipt=$(c --data-urlencode "story=$marker" --data-urlencode "_csrf=$csrf" "http://127.0.0.1:$port/o/de-regenboog/melden")
code=$(printf '%s' "$receipt" | sed -n 's/.*class="code" translate="no">\([0-9 ]*\)<.*/\1/p')
[ -n "$code" ] || fail "no receipt code"
rm -f "$jar"
form=$(c "http://127.0.0.1:$port/postbus")
csrf=$(printf '%s' "$form" | sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' | head -n 1)
c -o /dev/null --data-urlencode "code=$code" --data-urlencode "_csrf=$csrf" "http://127.0.0.1:$port/postbus"
c "http://127.0.0.1:$port/postbus" | grep -q "Privacy-marker" || fail "the mailbox does not show the report"
wrong=$(c -o /dev/null -w '%{http_code}' --data-urlencode "code=0000 0000 0000 0000 0000 0000 0000" --data-urlencode "_csrf=$csrf" "http://127.0.0.1:$port/postbus")
[ "$wrong" = 422 ] || fail "a wrong code was not refused ($wrong)"
sleep 1
kill $pid; wait $pid 2>/dev/null || true

if [ -z "${DATABASE_URL:-}" ]; then
  grep -rqa "Privacy-marker" "$dir/data" && fail "the report's text is in the data folder in plain text"
  grep -rqa "127.0.0.2" "$dir/data" && fail "the reporter's address is in the data folder"
  grep -rqa "$agent" "$dir/data" && fail "the reporter's user agent is in the data folder"
fi
grep -qa "127.0.0.2" "$dir/serve.log" && fail "the reporter's address is in the server output"
grep -qa "$agent" "$dir/serve.log" && fail "the reporter's user agent is in the server output"
grep -qa "Privacy-marker" "$dir/serve.log" && fail "the report's text is in the server output"
echo "privacy: ok (report text, address and user agent found nowhere in $(du -sh "$dir/data" | cut -f1) of data or the server output)"
