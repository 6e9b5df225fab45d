#!/usr/bin/env bash
# The annual report's "done when", checked on the binary: load the demo (into DATABASE_URL when
# set, else a fresh SQLite folder), write every demo organisation's report for this and last
# year in every format, and check that no published count lies between 1 and k-1, that the JSON
# names k, and that the DOCX opens as a Word document (python-docx). Then the disclosure audit
# (scripts/disclosure_audit.py): every hidden cell solved for across all of an organisation's
# reports at once (integer programming, scipy in the virtual environment of browser-suite.sh).
set -euo pipefail
bin=${1:-.build/debug/vertrouwd}
dir=$(mktemp -d /tmp/vertrouwd-report.XXXXXX)
trap 'rm -rf "$dir"' EXIT
fail() { echo "report-check: FAILED: $*"; exit 1; }
python3 -c 'import docx' 2>/dev/null || pip install -q python-docx >/dev/null 2>&1 || fail "python-docx could not be installed"
export VERTROUWD_DATA_DIR="$dir/data"
"$bin" demo >"$dir/demo.log" 2>&1 || fail "demo: $(tail -3 "$dir/demo.log")"
year=$(date +%Y)
if "$bin" report --organisation no-such-org --year "$year" >/dev/null 2>"$dir/err"; then fail "report for an unknown organisation succeeded"; fi
grep -q "No organisation with slug" "$dir/err" || fail "unclear message for an unknown organisation: $(cat "$dir/err")"
for slug in $(grep -o '/o/[a-z0-9-]*' "$dir/demo.log" | cut -c4-); do
  for y in $((year - 1)) "$year"; do
    for f in json csv docx html; do
      "$bin" report --organisation "$slug" --year "$y" --format "$f" --output "$dir/$slug-$y.$f" >/dev/null 2>"$dir/err" \
        || fail "report $slug $y $f: $(tail -3 "$dir/err")"
    done
  done
done
python3 - "$dir" <<'PY'
import json, sys, glob, re, docx
d = sys.argv[1]
checked = 0
for path in sorted(glob.glob(d + "/*.json")):
    doc = json.load(open(path))
    k = doc["k"]
    assert isinstance(k, int) and k >= 3, (path, k)
    counts = []
    def walk(v, key=None):
        if isinstance(v, dict):
            for kk, vv in v.items(): walk(vv, kk)
        elif isinstance(v, list):
            for vv in v: walk(vv, key)
        elif key in ("count", "previous", "total", "previousTotal") and v is not None:
            counts.append(v)
    walk(doc)
    for table in doc["tables"]:
        for cell in table["cells"]:
            assert "count" in cell, (path, table["id"], cell)
    small = [c for c in counts if 0 < c < k]
    assert not small, f"{path}: published counts {small} below k={k}"
    # The Word document: opens, has the headings and the same figures.
    w = docx.Document(path[:-5] + ".docx")
    text = "\n".join(p.text for p in w.paragraphs)
    assert "Jaarverslag externe vertrouwenspersoon" in text, path
    for t in w.tables[:len(doc["tables"])]:
        for row in t.rows[1:]:
            for cell in row.cells[1:]:
                if re.fullmatch(r"\d+", cell.text.strip()):
                    n = int(cell.text)
                    assert n == 0 or n >= k, f"{path} docx cell {n}"
    total = doc["total"] if doc["total"] is not None else f"fewer than {k}"
    print(f"  {path.rsplit('/', 1)[1]}: k={k}, contacts {total}, {len(doc['tables'])} tables, {len(counts)} counts, {len(w.tables)} Word tables")
    checked += 1
assert checked >= 8, checked
PY
grep -q "<svg" "$dir"/het-baken-"$year".html || fail "the web report has no SVG chart"
if grep -qi "<script" "$dir"/*.html; then fail "the report page carries a script"; fi

# The audit's scipy, pinned, in a virtual environment: Debian's system pip refuses to install as
# root ("externally-managed-environment"), and the versions decide what the solver answers.
venv=${VERTROUWD_VENV:-/tmp/vertrouwd-venv}
if [ ! -x "$venv/bin/pip" ] && ! python3 -m venv "$venv" >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null && python3 -m venv "$venv"; } || fail "no Python venv at $venv"
fi
if ! "$venv/bin/python" -c 'import numpy, scipy; assert (numpy.__version__, scipy.__version__) == ("2.4.6", "1.17.1")' 2>/dev/null; then
  "$venv/bin/pip" install -q numpy==2.4.6 scipy==1.17.1 >/dev/null || fail "scipy could not be installed"
fi
audit="$(dirname "$0")/disclosure_audit.py"
"$venv/bin/python" "$audit" --self-test || fail "the disclosure audit's self-test"
# Before: what the code before issue 23 let a reader receive, one folder per class of leak. The
# audit must find every one of them.
"$venv/bin/python" "$audit" --fixtures "$(dirname "$0")/fixtures/before-issue-23" || fail "the audit missed a known leak"
# After: everything a reader of the demo receives, in one integer program — every organisation's
# reports of both years, every signed-off version that left (a re-signed one included), the
# practice overview of both years, and every advice letter sent to management.
mkdir -p "$dir/audit"
versions=0
for slug in $(grep -o '/o/[a-z0-9-]*' "$dir/demo.log" | cut -c4-); do
  for y in $((year - 1)) "$year"; do
    v=1
    while "$bin" report --organisation "$slug" --year "$y" --version "$v" --output "$dir/audit/$slug-$y-v$v.json" >/dev/null 2>&1; do
      v=$((v + 1)); versions=$((versions + 1))
    done
    # Never signed off: the counsellor's current draft stands in for what would leave.
    [ "$v" -gt 1 ] || cp "$dir/$slug-$y.json" "$dir/audit/$slug-$y-draft.json"
  done
done
[ "$(ls "$dir"/audit/het-baken-$((year - 1))-v*.json | wc -l)" -ge 2 ] || fail "the demo's re-signed report has fewer than two versions"
for y in $((year - 1)) "$year"; do "$bin" overview --year "$y" --output "$dir/audit/overview-$y.json" >/dev/null || fail "overview $y"; done
"$bin" letters --output "$dir/audit/letters.json" >/dev/null || fail "letters"
echo "  audit input: $versions signed-off versions, $(ls "$dir"/audit/*-draft.json | wc -l) drafts, 2 overviews, $(grep -o '"subject"' "$dir/audit/letters.json" | wc -l) letters"
"$venv/bin/python" "$audit" "$dir"/audit/*.json || fail "the disclosure audit found something a reader can narrow down (above)"
echo "report-check: ok"
