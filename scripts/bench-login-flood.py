#!/usr/bin/env python3
"""While 40 clients post logins for made-up addresses (bcrypt for each), how fast do /healthz and
the public page answer? Password hashing runs on threads of its own with a limit (`Hashing`):
past it a login is answered "busy" at once, and nothing else should slow down measurably.

Usage: scripts/bench-login-flood.py [path/to/vertrouwd] [--seconds 20] [--clients 40]
Serves a fresh demo on loopback, prints p50/p99 of the probes and what the logins got.
Figures, not a pass/fail test: targets are read by a person (p99 under 100 ms).
For staff logins per second: --clients 1 and --clients 8."""
import argparse, http.cookiejar, os, re, shutil, socket, statistics, subprocess, sys, tempfile, threading, time
import urllib.error, urllib.parse, urllib.request

parser = argparse.ArgumentParser()
parser.add_argument("binary", nargs="?", default=".build/debug/vertrouwd")
parser.add_argument("--seconds", type=float, default=20)
parser.add_argument("--clients", type=int, default=40)
args = parser.parse_args()

data = tempfile.mkdtemp(prefix="vertrouwd-flood-")
env = dict(os.environ, VERTROUWD_DATA_DIR=data)
subprocess.run([args.binary, "demo"], env=env, check=True, stdout=subprocess.DEVNULL)
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
server = subprocess.Popen([args.binary, "serve", "--hostname", "127.0.0.1", "--port", str(port)], env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
base = f"http://127.0.0.1:{port}"
try:
    for _ in range(150):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1); break
        except Exception:
            time.sleep(0.2)
    def quiet(path, n=40):
        times = []
        for _ in range(n):
            started = time.perf_counter()
            urllib.request.urlopen(base + path, timeout=60).read()
            times.append((time.perf_counter() - started) * 1000)
            time.sleep(0.05)
        times.sort()
        return statistics.median(times), times[-1]
    for path in ("/healthz", "/o/het-baken"):
        p50, worst = quiet(path)
        print(f"  quiet baseline {path:14} p50 {p50:6.1f} ms  max {worst:6.1f} ms")
    stop = time.time() + args.seconds
    answers, lock = {}, threading.Lock()

    def bogus_logins(n):
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        token = None
        while time.time() < stop:
            try:
                if token is None:  # the visitor's token stays valid: fetch the form once
                    page = opener.open(base + "/login", timeout=60).read().decode()
                    token = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
                body = urllib.parse.urlencode({"_csrf": token, "email": f"niemand{n}@elders.example",
                                               "password": "geraden wachtwoord", "code": "123456"}).encode()
                status = opener.open(base + "/login", data=body, timeout=60).status
            except urllib.error.HTTPError as e:
                status = e.code
            except Exception as e:
                status = type(e).__name__
            with lock:
                answers[status] = answers.get(status, 0) + 1

    probes = {"/healthz": [], "/o/het-baken": []}
    failures = []

    def probe():
        time.sleep(1)  # let the flood start
        while time.time() < stop:
            for path, times in probes.items():
                started = time.perf_counter()
                try:
                    urllib.request.urlopen(base + path, timeout=60).read()
                    times.append((time.perf_counter() - started) * 1000)
                except Exception as e:
                    failures.append(f"{path}: {e}")
            time.sleep(0.05)

    threads = [threading.Thread(target=bogus_logins, args=(n,)) for n in range(args.clients)] + [threading.Thread(target=probe)]
    for t in threads: t.start()
    for t in threads: t.join()
    print(f"{args.clients} clients posting logins for unknown addresses for {args.seconds:.0f} s; login answers: "
          + ", ".join(f"{k}: {v}" for k, v in sorted(answers.items(), key=str)) + " (422 refused after bcrypt, 503 busy at once)")
    # An unknown address costs the same bcrypt check as a real one (the dummy hash), so this is
    # the rate at which the server can check staff logins.
    print(f"  checked logins: {answers.get(422, 0) / args.seconds:.1f}/s (each a full bcrypt verify at the configured cost)")
    for path, times in probes.items():
        if times:
            times.sort()
            p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
            print(f"  {path:14} {len(times):4} requests  p50 {statistics.median(times):6.1f} ms  p99 {p99:6.1f} ms  max {times[-1]:6.1f} ms")
    print(f"  probe failures: {len(failures)}" + (f" (first: {failures[0]})" if failures else ""))
finally:
    server.kill()
    shutil.rmtree(data, ignore_errors=True)
