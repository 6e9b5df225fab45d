#!/usr/bin/env bash
# Smoke test of a built binary, as a new operator would use it: serve on an empty data folder,
# check /healthz, the Dutch login page and the key file; create a user; refuse demo on a database
# with data; load the demo on an empty one. Uses DATABASE_URL when set.
# Usage: scripts/smoke.sh [path/to/vertrouwd]
set -euo pipefail
bin=${1:-.build/debug/vertrouwd}
dir=$(mktemp -d /tmp/vertrouwd-smoke.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export VERTROUWD_DATA_DIR="$dir"
fail() { echo "smoke: FAIL: $*"; cat "$dir/serve.log" 2>/dev/null | tail -20; exit 1; }

# A help text changes nothing: no data folder, database or key file appears for it.
for command in "serve --help" "backup --help" "restore --help" "user --help" "user create --help" "audit verify -h" \
  "retention run --help" "key rotate --help" "report --help" "demo --help" "qr --help" "export --help" "import --help" "--help"; do
  VERTROUWD_DATA_DIR="$dir/help" "$bin" $command >"$dir/help.out" 2>&1 || fail "$command: $(tail -3 "$dir/help.out")"
  grep -q "Usage:" "$dir/help.out" || fail "$command printed no usage"
  [ ! -e "$dir/help" ] || fail "$command left files behind: $(ls "$dir/help")"
done

"$bin" serve --hostname 127.0.0.1 --port "$port" >"$dir/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz")" = 200 ] || fail "/healthz is not 200"
curl -fsS "http://127.0.0.1:$port/login" | grep -q '<html lang="nl"' || fail "/login is not a Dutch page"
grep -q "/setup?token=" "$dir/serve.log" || fail "no setup link printed on an empty database"
[ "$(stat -c %a "$dir/master.key")" = 600 ] || fail "master.key is not mode 0600"
if [ -z "${DATABASE_URL:-}" ]; then [ -f "$dir/vertrouwd.sqlite" ] || fail "no SQLite file"; else [ ! -f "$dir/vertrouwd.sqlite" ] || fail "SQLite file created despite DATABASE_URL"; fi
kill $pid; wait $pid 2>/dev/null || true

out=$(printf 'fiets regen koffie molen\nfiets regen koffie molen\n' | "$bin" user create --email smoke@praktijk.nl --name Smoke --role counsellor 2>&1) || fail "user create: $out"
echo "$out" | grep -q 'otpauth://totp/' || fail "user create printed no otpauth URI"
if "$bin" demo >"$dir/demo.log" 2>&1; then fail "demo wrote into a database with an account"; fi
grep -q "already holds data" "$dir/demo.log" || fail "demo refusal unclear"
"$bin" audit verify | grep -q "intact" || fail "audit log not intact"

if [ -n "${DATABASE_URL:-}" ]; then
  echo "smoke: ok (PostgreSQL)"
  exit 0
fi
rm -rf "$dir"/*
"$bin" demo >"$dir/demo.log" 2>&1 || fail "demo failed: $(tail -3 "$dir/demo.log")"
grep -q '/o/' "$dir/demo.log" || fail "demo printed no /o/<slug> addresses"
year=$(date +%Y)
"$bin" export hours --from "$year-01-01" --to "$year-12-31" --output "$dir/uren.csv" >/dev/null 2>&1 || fail "export hours"
head -c 80 "$dir/uren.csv" | grep -q 'Organisatie;Code;Contractjaar;Soort werk;Uren;Tarief per uur;Bedrag' || fail "hours CSV header"
grep -q '^Totaal;' "$dir/uren.csv" || fail "hours CSV has no total line"
# The example spreadsheet into the demo, twice: six new, then six unchanged.
"$bin" import organisations "$(dirname "$0")/../docs/examples/organisations.csv" >"$dir/import.log" 2>&1 || fail "import: $(tail -3 "$dir/import.log")"
grep -q "Geïmporteerd: 6 nieuw, 0 bijgewerkt, 0 ongewijzigd." "$dir/import.log" || fail "import: $(tail -2 "$dir/import.log")"
"$bin" import organisations "$(dirname "$0")/../docs/examples/organisations.csv" >"$dir/import.log" 2>&1 || fail "import again: $(tail -3 "$dir/import.log")"
grep -q "Geïmporteerd: 0 nieuw, 0 bijgewerkt, 6 ongewijzigd." "$dir/import.log" || fail "import again: $(tail -2 "$dir/import.log")"
echo "smoke: ok (SQLite)"
