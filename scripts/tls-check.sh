#!/usr/bin/env bash
# The production recipe, run: the app behind Caddy with deploy/Caddyfile itself (Caddy's local
# CA for `localhost` instead of a public certificate; ports of its own on this machine), mail
# through msmtp to a mail sink on loopback, the demo practice. scripts/tls_check.py then walks the
# reporter's flow and a counsellor's login over HTTPS from addresses of their own (127.0.0.7-9).
# Afterwards the upstream is stopped so Caddy logs an error about a request, and Caddy's output,
# the app's (at LOG_LEVEL=debug), the mail and the data folder are searched: no client address,
# user agent or report text may be anywhere. The systemd units are checked by systemd-analyze.
# Installs what is missing (Debian caddy and msmtp).
# Usage: scripts/tls-check.sh [path/to/vertrouwd]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(realpath "${1:-.build/debug/vertrouwd}")
if ! command -v caddy >/dev/null || ! command -v msmtp >/dev/null || ! command -v strace >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq caddy msmtp strace >/dev/null
  # Only just installed here: the package starts a Caddy of its own on ports 80 and 443 where
  # systemd runs, which this check does not want beside its own.
  systemctl disable --now caddy >/dev/null 2>&1 || true
fi
dir=$(mktemp -d /tmp/vertrouwd-tls.XXXXXX)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
app_port=$(free_port); https_port=$(free_port); http_port=$(free_port); smtp_port=$(free_port)
marker="TLS-marker-$RANDOM$RANDOM: de teamleider scheldt mij uit"
agent="TLSMarkerBrowser/$RANDOM$RANDOM"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$dir"' EXIT
fail() { echo "tls-check: FAIL: $*"; for f in caddy.log serve.log; do echo "--- $f"; tail -15 "$dir/$f" 2>/dev/null; done; exit 1; }

echo "systemd units:"
if command -v systemd-analyze >/dev/null; then
  mkdir -p "$dir/units"
  for unit in vertrouwd.service vertrouwd-backup.service vertrouwd-backup.timer; do
    sed "s#/usr/local/bin/vertrouwd#$bin#g" "deploy/$unit" >"$dir/units/$unit"
  done
  out=$(cd "$dir/units" && systemd-analyze verify ./vertrouwd.service ./vertrouwd-backup.service ./vertrouwd-backup.timer 2>&1) || fail "systemd-analyze: $out"
  [ -z "$out" ] || fail "systemd-analyze: $out"
  echo "ok   the service, the backup service and its timer verify"
else
  echo "skipped: no systemd-analyze on this machine"
fi
msmtp --file=deploy/msmtprc --pretend >/dev/null 2>"$dir/msmtp.err" || { grep -qi "password" "$dir/msmtp.err" || fail "deploy/msmtprc: $(cat "$dir/msmtp.err")"; }
echo "ok   deploy/msmtprc is read by msmtp"

# A mail sink: every message msmtp delivers becomes a file in $dir/mail.
mkdir -p "$dir/mail"
python3 - "$smtp_port" "$dir/mail" >"$dir/smtp.log" 2>&1 <<'EOF' &
import socketserver, sys, os, itertools
port, folder = int(sys.argv[1]), sys.argv[2]
count = itertools.count()
class Session(socketserver.StreamRequestHandler):
    def handle(self):
        say = lambda line: self.wfile.write((line + "\r\n").encode())
        say("220 sink")
        while line := self.rfile.readline():
            verb = line.decode(errors="replace").strip().split(" ")[0].upper()
            if verb in ("EHLO", "HELO"): say("250 sink")
            elif verb == "DATA":
                say("354 go on"); lines = []
                while (data := self.rfile.readline()) not in (b".\r\n", b".\n", b""): lines.append(data)
                open(os.path.join(folder, f"{next(count):03}.eml"), "wb").write(b"".join(lines)); say("250 kept")
            elif verb == "QUIT": say("221 bye"); return
            else: say("250 ok")
socketserver.ThreadingTCPServer.allow_reuse_address = True
socketserver.ThreadingTCPServer(("127.0.0.1", port), Session).serve_forever()
EOF
pids+=($!)
cat >"$dir/msmtprc" <<EOF
account sink
host 127.0.0.1
port $smtp_port
tls off
auth off
from vertrouwd@demo.vertrouwd.nl
logfile
syslog off
account default : sink
EOF
chmod 600 "$dir/msmtprc"

export VERTROUWD_DATA_DIR="$dir/data"
"$bin" demo >"$dir/demo.log" 2>&1 || fail "demo: $(tail -3 "$dir/demo.log")"
# As deploy/vertrouwd.env has it, but for this machine's ports; as the unit runs it, as a user
# without privileges that can gain none. Under strace: every system call the server (and msmtp)
# makes is checked against the unit's filter afterwards.
mkdir -p "$dir/trace"
chown -R nobody:nogroup "$dir/data" "$dir/trace" "$dir/msmtprc"
chmod 0711 "$dir"
VERTROUWD_PUBLIC_URL="https://localhost:$https_port" VERTROUWD_TRUSTED_PROXIES="127.0.0.1,::1" \
  VERTROUWD_SENDMAIL="msmtp --file=$dir/msmtprc -t" LOG_LEVEL=debug HOME="$dir/data" \
  setpriv --reuid=nobody --regid=nogroup --clear-groups --no-new-privs \
  strace -f -qq -e signal=none -o "$dir/trace/syscalls" "$bin" serve --hostname 127.0.0.1 --port "$app_port" >"$dir/serve.log" 2>&1 &
app=$!
pids+=($app)
XDG_DATA_HOME="$dir/caddy-data" XDG_CONFIG_HOME="$dir/caddy-config" VERTROUWD_CADDY_ADMIN=off \
  VERTROUWD_SITE="localhost:$https_port" VERTROUWD_HTTPS_PORT="$https_port" VERTROUWD_HTTP_PORT="$http_port" \
  VERTROUWD_UPSTREAM="127.0.0.1:$app_port" caddy run --adapter caddyfile --config deploy/Caddyfile >"$dir/caddy.log" 2>&1 &
pids+=($!)
root="$dir/caddy-data/caddy/pki/authorities/local/root.crt"
for _ in $(seq 1 150); do
  [ -f "$root" ] && curl -fsS --cacert "$root" --resolve "localhost:$https_port:127.0.0.1" "https://localhost:$https_port/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS --cacert "$root" --resolve "localhost:$https_port:127.0.0.1" "https://localhost:$https_port/healthz" >/dev/null || fail "no answer over HTTPS"

python3 scripts/tls_check.py --port "$https_port" --http-port "$http_port" --ca "$root" --demo-log "$dir/demo.log" \
  --mail-dir "$dir/mail" --marker "$marker" --agent "$agent" || fail "the flows over HTTPS"

# With the app gone, Caddy answers 502 and logs the failed request: without its sender.
# (the server is strace's child; strace ends with it)
pkill -TERM -P "$app"; wait "$app" 2>/dev/null || true
status=$(curl -s -o /dev/null -w '%{http_code}' --interface 127.0.0.7 -A "$agent" -H "X-Forwarded-For: 127.0.0.7" \
  --cacert "$root" --resolve "localhost:$https_port:127.0.0.1" "https://localhost:$https_port/o/de-regenboog")
[ "$status" = 502 ] || fail "no 502 from Caddy without its upstream ($status)"
# A TLS handshake broken off half way, from the reporter's address.
python3 -c "import socket; s=socket.create_connection(('127.0.0.1',$https_port),source_address=('127.0.0.7',0)); s.send(b'\x16\x03\x01\x00\x05hello'); s.close()"
sleep 1
grep -q '"status": 502\|status.*502\|dial tcp' "$dir/caddy.log" || fail "Caddy logged no error for the request it could not pass on"
echo "ok   Caddy logged the failed request ($(grep -c 'dial tcp' "$dir/caddy.log") error line(s))"

if command -v systemd-analyze >/dev/null; then
  scripts/sandbox_check.py "$dir/trace/syscalls" deploy/vertrouwd.service || fail "the unit's sandbox would stop the server"
else
  echo "skipped: the system call filter (no systemd-analyze on this machine)"
fi

for source in 127.0.0.7 127.0.0.8 127.0.0.9; do
  for log in caddy.log serve.log; do
    ! grep -qaF "$source" "$dir/$log" || fail "$log holds a client address ($source): $(grep -aF "$source" "$dir/$log" | head -2)"
  done
  ! grep -rqaF "$source" "$dir/data" "$dir/mail" || fail "the data folder or a mail holds a client address ($source)"
done
for log in caddy.log serve.log; do
  ! grep -qaF "$agent" "$dir/$log" || fail "$log holds the user agent"
  ! grep -qaF "TLS-marker" "$dir/$log" || fail "$log holds the report's text"
done
! grep -rqaF "TLS-marker" "$dir/data" || fail "the report's text is in the data folder in plain text"
echo "tls-check: ok (Caddy $(caddy version | cut -d' ' -f1); $(wc -l <"$dir/caddy.log") lines of Caddy's log and $(wc -l <"$dir/serve.log") of the app's at debug level hold no client address, user agent or report text)"
