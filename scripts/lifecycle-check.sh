#!/usr/bin/env bash
# Issue 11's "done when", on the binary and the database in use (DATABASE_URL when set, else a
# fresh SQLite folder): demo → backup → retention run (as on a day that makes last year's cases
# due) → the destroyed cases are shredded in the database → restore the earlier backup with
# today's key file → the destroyed cases are still unreadable, the kept ones open, the signed-off
# annual reports are unchanged and `audit verify` is intact, in both the live and the restored
# practice.
set -euo pipefail
bin=${1:-.build/debug/vertrouwd}
dir=$(mktemp -d /tmp/vertrouwd-lifecycle.XXXXXX)
trap 'rm -rf "$dir"' EXIT
fail() { echo "lifecycle-check: FAILED: $*"; exit 1; }
export VERTROUWD_DATA_DIR="$dir/live" VERTROUWD_MASTER_KEY_FILE="$dir/keys/master.key"
pg=${DATABASE_URL:-}
sql() { # a query on the live database
  if [ -n "$pg" ]; then psql -tAq "$pg" -c "$1"; else sqlite3 "$dir/live/vertrouwd.sqlite" "$1"; fi
}
"$bin" demo >"$dir/demo.log" 2>&1 || fail "demo: $(tail -3 "$dir/demo.log")"
year=$(( $(date +%Y) - 1 ))
slugs=$(grep -o '/o/[a-z0-9-]*' "$dir/demo.log" | cut -c4- | sort -u)
report() { # the signed-off reports of last year, as JSON, into $1
  mkdir -p "$1"
  for slug in $slugs; do "$bin" report --organisation "$slug" --year "$year" --format json --output "$1/$slug.json" >/dev/null; done
}
report "$dir/before"

echo "== backup"
if [ -n "$pg" ]; then backup="$dir/backup.dump"; else backup="$dir/backup.sqlite"; fi
"$bin" backup --output "$backup" | tee "$dir/backup.log"
grep -q "^Audit head: [0-9]*:k1:" "$dir/backup.log" || fail "backup printed no audit head"
if "$bin" backup --output "$backup" >/dev/null 2>&1; then fail "a backup wrote over an existing file"; fi
epochs_before=$(grep -c '^epoch ' "$VERTROUWD_MASTER_KEY_FILE")

echo "== retention run"
day="$(( year + 5 ))-01-15"
"$bin" retention run --dry-run --today "$day" >"$dir/dry.log"
due=$(tail -n 1 "$dir/dry.log" | grep -o '^[0-9]*')
[ "$due" -gt 0 ] || fail "no demo case is due on $day: $(tail -n 1 "$dir/dry.log")"
[ "$(sql "SELECT count(*) FROM cases WHERE destroyed_on IS NOT NULL")" = 0 ] || fail "the dry run destroyed something"
"$bin" retention run --today "$day" | tee "$dir/run.log" | tail -n 2
destroyed=$(sql "SELECT count(*) FROM cases WHERE destroyed_on IS NOT NULL")
[ "$destroyed" = "$due" ] || fail "$destroyed destroyed, $due were due"
left=$(sql "SELECT count(*) FROM cases WHERE destroyed_on IS NOT NULL AND (wrapped_key IS NOT NULL OR summary <> '' OR reporter_name <> '' OR accused <> '' OR closing_note <> '')")
[ "$left" = 0 ] || fail "$left destroyed cases still hold a key or sealed text"
orphans=$(sql "SELECT (SELECT count(*) FROM case_notes n JOIN cases c ON c.id = n.case_id WHERE c.destroyed_on IS NOT NULL) + (SELECT count(*) FROM mailbox_messages m JOIN cases c ON c.id = m.case_id WHERE c.destroyed_on IS NOT NULL)")
[ "$orphans" = 0 ] || fail "$orphans notes or messages of destroyed cases remain"
epochs_after=$(grep -c '^epoch ' "$VERTROUWD_MASTER_KEY_FILE")
[ "$epochs_after" -lt "$epochs_before" ] || fail "no epoch key was deleted from the key file"
"$bin" audit verify
report "$dir/after"
diff -r "$dir/before" "$dir/after" >/dev/null || fail "the signed-off annual reports changed after the retention run"

if [ -z "$pg" ]; then
  # An untouched copy of the backup, opened with today's key file: exactly the destroyed fail.
  mkdir -p "$dir/copy" && cp "$dir/backup.sqlite" "$dir/copy/vertrouwd.sqlite"
  VERTROUWD_DATA_DIR="$dir/copy" "$bin" key check >"$dir/copy.log" 2>&1 || true
  grep -q "; $due do not" "$dir/copy.log" || fail "the earlier backup with today's key file: $(tail -1 "$dir/copy.log") (expected $due not to open)"
fi

echo "== restore the earlier backup with today's key file"
export VERTROUWD_DATA_DIR="$dir/restored"
if [ -n "$pg" ]; then
  restored_db="vertrouwd_restore_$$"
  psql -qAt "$pg" -c "CREATE DATABASE $restored_db"
  export DATABASE_URL="${pg%/*}/$restored_db"
  # Only what `backup` made: a plain SQL file (where `\!` would run a shell command) is refused.
  printf '\\! touch %s\nSELECT 1;\n' "$dir/shell-ran" >"$dir/hostile.sql"
  if "$bin" restore "$dir/hostile.sql" >/dev/null 2>&1; then fail "a plain SQL file was restored"; fi
  [ ! -e "$dir/shell-ran" ] || fail "a restore ran a shell command from the file"
else
  # A data folder with a database in it is refused.
  mkdir -p "$dir/busy" && cp "$dir/backup.sqlite" "$dir/busy/vertrouwd.sqlite"
  if VERTROUWD_DATA_DIR="$dir/busy" "$bin" restore "$backup" >/dev/null 2>&1; then fail "restore into a non-empty data folder succeeded"; fi
fi
"$bin" restore "$backup" | tee "$dir/restore.log"
grep -q "$due case(s) in this backup were destroyed after it was made" "$dir/restore.log" || fail "the restored backup opened destroyed cases"
total=$(grep -o '[0-9]* cases (' "$dir/restore.log" | grep -o '^[0-9]*')
grep -q "$(( total - due )) open with this key file" "$dir/restore.log" || fail "kept cases do not open in the restored backup"
"$bin" audit verify
report "$dir/restored-report"
diff -r "$dir/before" "$dir/restored-report" >/dev/null || fail "the signed-off annual reports differ in the restored practice"
if [ -n "$pg" ]; then psql -qAt "$pg" -c "DROP DATABASE $restored_db WITH (FORCE)" >/dev/null; fi
echo "lifecycle-check: ok ($due destroyed, $(( total - due )) kept; the earlier backup opens none of the destroyed)"
