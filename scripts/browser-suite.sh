#!/usr/bin/env bash
# The browser suite: the reporter's, counsellor's and admin's main flows in headless Chromium
# (Debian's chromium and chromium-driver), driven by Selenium with axe-core 4 checks on every page
# (PyPI, in a virtual environment). Installs what is missing, loads the demo practice into a
# fresh data folder, serves it on loopback and runs scripts/browser_suite.py against it.
# Screenshots of every page at 360 and 1280 px go to $BROWSER_SHOTS (default /tmp/vertrouwd-browser).
# Usage: scripts/browser-suite.sh [path/to/vertrouwd]   (after `swift build`)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-.build/debug/vertrouwd}
shots=${BROWSER_SHOTS:-/tmp/vertrouwd-browser}
venv=${VERTROUWD_VENV:-/tmp/vertrouwd-venv}

# Chromium for the flows; zbarimg decodes the poster's QR code; LibreOffice and poppler open the
# Word files and turn the poster into an image; LibreOffice Calc opens the hours CSV.
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null || ! command -v zbarimg >/dev/null \
   || ! command -v libreoffice >/dev/null || ! command -v pdftoppm >/dev/null || ! dpkg -s libreoffice-calc-nogui >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq chromium chromium-driver zbar-tools libreoffice-writer-nogui libreoffice-calc-nogui \
    poppler-utils >/dev/null
fi
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
# Pinned: a new release of any of them changes what the suite checks (axe-core's rules above all).
if ! "$venv/bin/python" -c 'import selenium, docx, PIL, importlib.util as u; assert u.find_spec("axe_playwright_python")' 2>/dev/null; then
  "$venv/bin/pip" install -q selenium==4.51.0 python-docx==1.2.0 pillow==13.0.0
  # axe-core 4.12.1 comes inside this wheel; only its axe.min.js is used, so not Playwright.
  "$venv/bin/pip" install -q --no-deps axe-playwright-python==0.1.8
fi
# Selenium must use Debian's driver, never fetch one.
export SE_OFFLINE=true

dir=$(mktemp -d /tmp/vertrouwd-browser-run.XXXXXX)
rm -rf "$shots"; mkdir -p "$shots"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export VERTROUWD_DATA_DIR="$dir/data"
# One browser files every form of the suite from one address: not a flood.
export VERTROUWD_SUBMISSIONS_PER_SOURCE=1000000
"$bin" demo >"$dir/demo.log" 2>&1 || { tail -5 "$dir/demo.log"; exit 1; }
"$bin" serve --hostname 127.0.0.1 --port "$port" >"$dir/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.2; done

# The reporter's attachments: a real 9 MB PDF, a real JPEG and a real DOCX; and three of 11 MB.
"$venv/bin/python" - "$dir" <<'EOF'
import sys, docx
from PIL import Image
folder = sys.argv[1]
padding = "% opvulling\n" * (9 * 1024 * 1024 // 12)
pdf = ("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
       "3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >> endobj\n"
       f"4 0 obj << /Length {len(padding)} >> stream\n{padding}endstream endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
open(f"{folder}/verslag.pdf", "w").write(pdf)
for name in ("groot", "groot-2", "groot-3"):
    open(f"{folder}/{name}.pdf", "w").write(pdf + "%" * (2 * 1024 * 1024))
Image.new("RGB", (800, 600), (200, 120, 60)).save(f"{folder}/foto.jpg", "JPEG")
letter = docx.Document(); letter.add_heading("Wat er gebeurde", 1); letter.add_paragraph("Op de afdeling gebeurde het volgende …")
letter.save(f"{folder}/brief.docx")
EOF

"$venv/bin/python" scripts/browser_suite.py --base "http://127.0.0.1:$port" --demo-log "$dir/demo.log" --shots "$shots" --files "$dir"
