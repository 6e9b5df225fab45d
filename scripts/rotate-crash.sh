#!/usr/bin/env bash
# `key rotate` killed with -9 at a random moment, several times: after each kill the next start
# finishes or undoes the rotation, every case key and second factor opens (`key check`) and the
# audit log verifies. Then one rotation runs to its end and an older copy of the key file no
# longer opens the database.
set -euo pipefail
bin=${1:-.build/debug/vertrouwd}
runs=${2:-8}
dir=$(mktemp -d /tmp/vertrouwd-rotate.XXXXXX)
trap 'rm -rf "$dir"' EXIT
fail() { echo "rotate-crash: FAILED: $*"; exit 1; }
export VERTROUWD_DATA_DIR="$dir/data"
"$bin" demo >"$dir/demo.log" 2>&1 || fail "demo: $(tail -3 "$dir/demo.log")"
cp "$dir/data/master.key" "$dir/old.key"
start=$(date +%s%N); "$bin" key check >/dev/null; took=$(( ($(date +%s%N) - start) / 1000000 ))
for i in $(seq 1 "$runs"); do
  delay=$(python3 -c "import random; print(random.uniform(0, 2.5 * $took / 1000))")
  "$bin" key rotate >"$dir/rotate.log" 2>&1 & pid=$!
  sleep "$delay"; kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
  state=$(grep -q "Key rotated" "$dir/rotate.log" && echo "finished" || echo "killed")
  [ -e "$dir/data/master.key.next" ] && state="$state, .next left"
  "$bin" key check >"$dir/check.log" 2>&1 || fail "run $i ($state after ${delay}s): $(tail -3 "$dir/check.log")"
  "$bin" audit verify >/dev/null 2>&1 || fail "run $i: audit verify: $("$bin" audit verify 2>&1 | tail -2)"
  [ -e "$dir/data/master.key.next" ] && fail "run $i: the next start left master.key.next behind"
  echo "run $i: killed after ${delay:0:5} s ($state): $(tail -n 1 "$dir/check.log")"
done
"$bin" key rotate
"$bin" key check >/dev/null
"$bin" audit verify
if VERTROUWD_MASTER_KEY_FILE="$dir/old.key" "$bin" key check >/dev/null 2>&1; then fail "the key file from before the rotations still opens the database"; fi
echo "rotate-crash: ok ($runs kills, every key opened after each)"
