#!/usr/bin/env python3
"""Load test of the reporter's flow on loopback: open the report form, submit, receive the
receipt code; then open the mailbox with the code and read it back. At 1 and 16 concurrent
reporters; then a real-sized report (a 10,000-character story and a 9 MB PDF, multipart) at 1
and 4, and those reporters downloading their own file (a ZIP with the PDF) at 1 and 4. Prints
flows/s, p50/p99 latency, each server's time to /healthz, its RSS when idle, its peak RSS, and
the peak of each upload and download phase on its own.

Usage: scripts/bench-public.py [--binary .build/release/vertrouwd] [--seconds 10]
                               [--database-url postgres://...] [--instances 2]
Starts its own servers on free 127.0.0.1 ports with a fresh data folder and the demo loaded, with
the flood guard raised out of the way: on the embedded SQLite, or with --database-url on that
PostgreSQL database (it must be empty). --instances 2 (PostgreSQL only) starts two servers on one
database and key file, behind nothing but their two ports; the reporters take turns over them.
Standard library only; traffic goes to loopback only and stops by itself.
"""
import itertools
import hashlib
import argparse, http.client, itertools, os, re, shutil, socket, subprocess, sys, tempfile, threading, time, urllib.parse

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port

SOURCES = itertools.count()

class Reporter:
    """One reporter's browser: its own cookies, one keep-alive connection."""
    def __init__(self, port):
        # Each reporter from its own loopback address (127.0.0.2 …): distinct people, as the
        # server's fair shares per sender see them.
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(f"127.0.0.{2 + next(SOURCES) % 250}", 0))
        self.cookies = {}
    def request(self, method, path, fields=None, files=None):
        headers = {}
        if self.cookies: headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if files is not None:
            boundary = "----vertrouwd-bench"
            parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields]
            parts += [f'--{boundary}\r\nContent-Disposition: form-data; name="files[]"; filename="{n}"\r\n'
                      f'Content-Type: application/pdf\r\n\r\n'.encode() + data + b"\r\n" for n, data in files]
            body = b"".join(parts) + f"--{boundary}--\r\n".encode()
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        elif fields is not None:
            body = urllib.parse.urlencode(fields); headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        r = self.conn.getresponse(); data = r.read().decode()
        for h in r.headers.get_all("Set-Cookie") or []:
            name, _, rest = h.partition("="); value = rest.split(";")[0]
            if value: self.cookies[name] = value
            else: self.cookies.pop(name, None)
        return r.status, data

def csrf(html):
    return re.search(r'name="_csrf" value="([^"]+)"', html).group(1)

def report_flow(port, slug, counsellor):
    r = Reporter(port)
    s, html = r.request("GET", f"/o/{slug}/melden"); assert s == 200, s
    fields = [("story", "Belastingtest: een melding van een medewerker."), ("_csrf", csrf(html))]
    if counsellor: fields.append(("counsellor", counsellor))
    s, html = r.request("POST", f"/o/{slug}/melden", fields); assert s == 200, s
    return re.search(r'class="code" translate="no">([0-9 ]+)<', html).group(1)

STORY = ("Het begon na de reorganisatie; mijn leidinggevende maakt opmerkingen over mijn accent 😔. "
         "Collega’s lachen mee en één collega zei dat ik me niet moet aanstellen.\n") * 70
PDF = b"%PDF-1.4\n" + b"% opvulling\n" * (9 * 1024 * 1024 // 12) + b"%%EOF\n"

def large_report_flow(port, slug, counsellor):
    r = Reporter(port)
    s, html = r.request("GET", f"/o/{slug}/melden"); assert s == 200, s
    fields = [("_csrf", csrf(html)), ("story", STORY[:10_000])]
    if counsellor: fields.append(("counsellor", counsellor))
    s, html = r.request("POST", f"/o/{slug}/melden", fields, files=[("verslag.pdf", PDF)]); assert s == 200, s
    return re.search(r'class="code" translate="no">([0-9 ]+)<', html).group(1)

def mailbox_flow(port, code):
    r = Reporter(port)
    s, html = r.request("GET", "/postbus"); assert s == 200, s
    s, _ = r.request("POST", "/postbus", [("code", code), ("_csrf", csrf(html))]); assert s == 303, s
    s, html = r.request("GET", "/postbus"); assert s == 200 and "Belastingtest" in html, s

def rss_kb(pid, field="VmHWM"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"): return int(line.split()[1])
    return 0

def peak_rss_kb(pid): return rss_kb(pid, "VmHWM")

def reset_peak(pid):
    """Starts the peak anew (Linux: 5 to clear_refs resets VmHWM to the current RSS), so a phase's
    own peak is measured, not the one an earlier phase left."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f: f.write("5")
    except OSError:
        pass

def file_flow(port, code):
    """A reporter opens their mailbox and downloads their own file (a ZIP with the 9 MB PDF)."""
    r = Reporter(port)
    s, html = r.request("GET", "/postbus"); assert s == 200, s
    s, _ = r.request("POST", "/postbus", [("code", code), ("_csrf", csrf(html))]); assert s == 303, s
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in r.cookies.items())}
    r.conn.request("GET", "/postbus/file", headers=headers)
    answer = r.conn.getresponse(); size = len(answer.read())
    assert answer.status == 200 and size > len(PDF), (answer.status, size)

def start_server(binary, env, port):
    """Starts `serve` and waits for /healthz; returns the process and the seconds it took."""
    t0 = time.perf_counter()
    server = subprocess.Popen([binary, "serve", "--hostname", "127.0.0.1", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while time.perf_counter() - t0 < 60:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=1); c.request("GET", "/healthz")
            if c.getresponse().status == 200: return server, time.perf_counter() - t0
        except OSError:
            pass
        if server.poll() is not None: sys.exit(f"the server on port {port} stopped while starting")
        time.sleep(0.01)
    sys.exit(f"the server on port {port} did not answer /healthz within 60 s")

def run(name, workers, seconds, work, ceiling=None):
    latencies, failures, lock = [], [0], threading.Lock()
    deadline = time.time() + seconds
    def loop():
        while time.time() < deadline:
            t0 = time.perf_counter()
            try:
                work(); ok = True
            except Exception:
                ok = False
            dt = time.perf_counter() - t0
            with lock:
                if ok: latencies.append(dt)
                else: failures[0] += 1
    start = time.time()
    threads = [threading.Thread(target=loop) for _ in range(workers)]
    for t in threads: t.start()
    for t in threads: t.join()
    elapsed = time.time() - start
    latencies.sort()
    pct = lambda p: latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else float("nan")
    rate = len(latencies) / elapsed
    beside = f"  ({rate / ceiling:.0%} of the scrypt ceiling, {ceiling:.0f}/s)" if ceiling else ""
    print(f"{name:<28} c={workers:<3} {rate:7.1f} flows/s  p50 {pct(0.50):7.1f} ms  p99 {pct(0.99):7.1f} ms  failures {failures[0]}{beside}")
    return failures[0]

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=".build/release/vertrouwd")
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--database-url", help="PostgreSQL (an empty database) instead of the embedded SQLite")
    ap.add_argument("--instances", type=int, default=1, help="servers on one database (more than 1 needs --database-url)")
    args = ap.parse_args()
    if args.instances > 1 and not args.database_url: sys.exit("--instances > 1 needs --database-url (SQLite is one instance's file)")
    data = tempfile.mkdtemp(prefix="vertrouwd-bench-")
    # The flood guard (60 per organisation per minute) would otherwise be what this measures.
    env = dict(os.environ, VERTROUWD_DATA_DIR=data, LOG_LEVEL="warning", VERTROUWD_SUBMISSIONS_PER_MINUTE="1000000", VERTROUWD_SUBMISSIONS_PER_SOURCE="1000000")
    env.pop("DATABASE_URL", None)
    if args.database_url: env["DATABASE_URL"] = args.database_url
    servers = []
    try:
        subprocess.run([args.binary, "demo"], env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ports = [free_port() for _ in range(args.instances)]
        for port in ports:
            server, took = start_server(args.binary, env, port)
            servers.append(server)
            time.sleep(1)
            print(f"server on :{port}: /healthz after {took * 1000:.0f} ms; RSS idle {rss_kb(server.pid, 'VmRSS') / 1024:.1f} MiB")
        print(f"database: {'PostgreSQL' if args.database_url else 'SQLite'}, {len(ports)} instance(s); reporters take turns over them")
        turn = itertools.count()  # next() on it is atomic under the GIL
        next_port = lambda: ports[next(turn) % len(ports)]
        # de-regenboog has one counsellor, so the form needs no choice.
        slug, counsellor = "de-regenboog", None
        codes = [report_flow(ports[0], slug, counsellor)]
        failures = 0
        for workers in (1, 16):
            failures += run("report (form, submit, code)", workers, args.seconds,
                            lambda: codes.append(report_flow(next_port(), slug, counsellor)))
        # The ceiling for opening mailboxes: one hashing thread (cores - 1 on 2 cores) doing the
        # standard scrypt of a receipt code (N = 8192, r = 8, p = 1) and nothing else.
        hashes, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < 2:
            hashlib.scrypt(b"1234567890123456789012", salt=os.urandom(16), n=8192, r=8, p=1, maxmem=64 * 1024 * 1024, dklen=32); hashes += 1
        ceiling = hashes / (time.perf_counter() - t0) * max(1, (os.cpu_count() or 2) - 1)
        for workers in (1, 16):
            failures += run("mailbox (code, read back)", workers, args.seconds, lambda: mailbox_flow(next_port(), codes[len(codes) // 2]),
                            ceiling=ceiling)
        peaks = ", ".join(f"{peak_rss_kb(s.pid) / 1024:.1f}" for s in servers)
        print(f"server peak RSS: {peaks} MiB; receipts issued: {len(codes)}")
        large = []
        for workers in (1, 4):
            for s in servers: reset_peak(s.pid)
            failures += run("report, story + 9 MB PDF", workers, args.seconds,
                            lambda: large.append(large_report_flow(next_port(), slug, counsellor)))
            peaks = ", ".join(f"{peak_rss_kb(s.pid) / 1024:.1f}" for s in servers)
            print(f"server peak RSS during {workers} upload(s) at once: {peaks} MiB")
        # Each reporter's own file (a file may be downloaded 5 times an hour).
        large = [code for code in large for _ in range(5)]
        for workers in (1, 4):
            for s in servers: reset_peak(s.pid)
            failures += run("reporter's file (ZIP, 9 MB)", workers, args.seconds,
                            lambda: file_flow(next_port(), large.pop()) if large else time.sleep(0.05))
            peaks = ", ".join(f"{peak_rss_kb(s.pid) / 1024:.1f}" for s in servers)
            print(f"server peak RSS during {workers} download(s) at once: {peaks} MiB")
        sys.exit(1 if failures else 0)
    finally:
        for server in servers:
            server.terminate()
            try: server.wait(timeout=10)
            except subprocess.TimeoutExpired: server.kill()
        shutil.rmtree(data, ignore_errors=True)

if __name__ == "__main__":
    main()
