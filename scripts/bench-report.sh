#!/usr/bin/env bash
# Times the annual report for one organisation with N cases (default 10 000) on a fresh SQLite
# folder: counting in the database, the disclosure rules, the whole document, every format.
# Use a release build for figures: swift build -c release && scripts/bench-report.sh .build/release/vertrouwd
set -euo pipefail
bin=${1:-.build/release/vertrouwd}
cases=${2:-10000}
dir=$(mktemp -d /tmp/vertrouwd-bench-report.XXXXXX)
trap 'rm -rf "$dir"' EXIT
VERTROUWD_DATA_DIR="$dir" "$bin" benchmark-report --cases "$cases" --runs 30 2>&1 | grep -v NOTICE
