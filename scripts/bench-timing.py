#!/usr/bin/env python3
"""Does the time of a refusal tell whether an account or a receipt locator exists?

Serves a fresh demo on loopback and sends, interleaved, N failed logins for a demo account and
for an address without one, and N wrong receipt codes with an existing locator and with a
made-up one. Prints the medians and a two-sided Mann-Whitney U test per pair (scipy). Figures,
not a pass/fail test: a p-value far below 0.01 means the times tell them apart.

Usage: scripts/bench-timing.py [path/to/vertrouwd] [--n 300]"""
import argparse, http.client, os, re, shutil, socket, statistics, subprocess, tempfile, time, urllib.parse

from scipy.stats import mannwhitneyu

parser = argparse.ArgumentParser()
parser.add_argument("binary", nargs="?", default=".build/debug/vertrouwd")
parser.add_argument("--n", type=int, default=300)
args = parser.parse_args()

data = tempfile.mkdtemp(prefix="vertrouwd-timing-")
# One client sends every request: not a flood.
env = dict(os.environ, VERTROUWD_DATA_DIR=data, LOG_LEVEL="warning", VERTROUWD_SUBMISSIONS_PER_SOURCE="1000000")
demo = subprocess.run([args.binary, "demo"], env=env, check=True, capture_output=True, text=True).stdout
account = re.search(r"[a-z.]+@[a-z.-]+\.nl", demo).group(0)
slug = re.search(r"/o/([a-z0-9-]+)", demo).group(1)
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
server = subprocess.Popen([args.binary, "serve", "--hostname", "127.0.0.1", "--port", str(port)], env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def request(method, path, fields=None, cookies=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": cookies} if cookies else {}
    body = None
    if fields is not None:
        body = urllib.parse.urlencode(fields); headers["Content-Type"] = "application/x-www-form-urlencoded"
    started = time.perf_counter()
    conn.request(method, path, body=body, headers=headers)
    r = conn.getresponse(); text = r.read().decode()
    elapsed = (time.perf_counter() - started) * 1000
    cookie = "; ".join(h.split(";")[0] for h in (r.headers.get_all("Set-Cookie") or []))
    conn.close()
    return r.status, text, cookie, elapsed


def compare(name, a_label, a, b_label, b):
    p = mannwhitneyu(a, b, alternative="two-sided").pvalue
    print(f"{name}: {a_label} median {statistics.median(a):.1f} ms, {b_label} median {statistics.median(b):.1f} ms, "
          f"Mann-Whitney p = {p:.3g} (n = {len(a)} each)")


try:
    for _ in range(150):
        try:
            request("GET", "/healthz"); break
        except Exception:
            time.sleep(0.2)
    _, page, cookie, _ = request("GET", "/login")
    token = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)

    def login(email):
        return request("POST", "/login", [("_csrf", token), ("email", email), ("password", "een verkeerd wachtwoord"), ("code", "123456")], cookie)[3]

    for _ in range(5): login("opwarmen@nergens.nl")
    known, unknown = [], []
    for i in range(args.n):
        known.append(login(account)); unknown.append(login(f"niemand{i}@nergens.nl"))
    compare("failed login", "an account", known, "no account", unknown)

    _, page, cookie, _ = request("GET", f"/o/{slug}/melden")
    token = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
    _, page, _, _ = request("POST", f"/o/{slug}/melden", [("_csrf", token), ("story", "Een melding om de tijd te meten.")], cookie)
    digits = re.sub(r"\D", "", re.search(r'class="code" translate="no">([0-9 ]+)<', page).group(1))
    _, page, cookie, _ = request("GET", "/postbus")
    token = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)

    def mailbox(code):
        return request("POST", "/postbus", [("_csrf", token), ("code", code)], cookie)[3]

    wrong_secret = digits[:-1] + ("1" if digits[-1] == "0" else "0")
    known, unknown = [], []
    for i in range(args.n):
        known.append(mailbox(wrong_secret))
        other = str((int(digits[:8]) + 1 + i) % 10**8).zfill(8) + digits[8:]
        unknown.append(mailbox(other))
    compare("wrong receipt code", "a locator that exists", known, "one that does not", unknown)
finally:
    server.terminate(); server.wait()
    shutil.rmtree(data, ignore_errors=True)
