#!/usr/bin/env python3
"""No lost work when an instance dies. Serves the demo practice (one instance on SQLite; two on
PostgreSQL with DATABASE_URL, sharing the database and the key file), runs reporters sending
reports and two counsellors replying in mailboxes, and kills an instance with SIGKILL at a random
moment in each round, then starts it again. Afterwards it checks:

- every receipt code a reporter was shown opens its mailbox, with the story;
- every reply a counsellor was told was sent (303) is on the case page;
- every stored case has its `case.create` audit entry and every entry its case; `audit verify`
  finds the chain intact and reaching its anchor, and the anchor stands at the newest entry;
- only lost connections to a killed instance, while it was down, are excused: any other failed
  request (an unexpected answer, or on the surviving instance) fails the check;
- work was done on every instance and after the last restart.

Usage: scripts/fault-check.py --binary .build/debug/vertrouwd [--rounds 3] [--seconds 4] [--reporters 16]
       (DATABASE_URL set: PostgreSQL with two instances; its database must be empty)
Standard library only; loopback only; stops by itself.
"""
import itertools
import argparse, base64, hashlib, hmac, http.client, os, random, re, shutil, signal, socket, sqlite3, struct
import subprocess, sys, tempfile, threading, time, urllib.parse, uuid


def free_port():
    """A free port below the ephemeral range, so a client reconnecting while the instance is down
    cannot be given it and keep the restarted instance from binding."""
    while True:
        port = random.randrange(20000, 32000)
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", port)); return port
        except OSError:
            continue
        finally:
            s.close()


# A failure of the connection itself: expected from an instance while it is killed and restarting.
CONNECTION = (OSError, http.client.HTTPException)


def totp(secret_b32, at=None):
    key = base64.b32decode(secret_b32.upper() + "=" * (-len(secret_b32) % 8))
    digest = hmac.new(key, struct.pack(">Q", int((at or time.time()) // 30)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000)


SOURCES = itertools.count()

class Browser:
    """One person's browser on one instance: its cookies and a connection, reopened after a failure."""
    def __init__(self, port):
        self.port, self.cookies, self.conn = port, {}, None
        self.source = f"127.0.0.{2 + next(SOURCES) % 250}"

    def request(self, method, path, fields=None):
        if self.conn is None:
            # Each browser from its own loopback address (127.0.0.2 …): distinct people, as the
            # server's fair shares per sender see them.
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15, source_address=(self.source, 0))
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields); headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            r = self.conn.getresponse(); data = r.read().decode()
        except Exception:
            self.conn.close(); self.conn = None
            raise
        for h in r.headers.get_all("Set-Cookie") or []:
            name, _, rest = h.partition("="); value = rest.split(";")[0]
            if value and "1970" not in h: self.cookies[name] = value
            else: self.cookies.pop(name, None)
        return r.status, data, r.headers


def csrf(html):
    return re.search(r'name="_csrf" value="([^"]+)"', html).group(1)


class Run:
    def __init__(self, args):
        self.args = args
        self.data = tempfile.mkdtemp(prefix="vertrouwd-fault-")
        self.url = os.environ.get("DATABASE_URL")
        self.env = dict(os.environ, VERTROUWD_DATA_DIR=self.data, LOG_LEVEL="warning", VERTROUWD_SUBMISSIONS_PER_MINUTE="1000000", VERTROUWD_SUBMISSIONS_PER_SOURCE="1000000")
        self.ports = [free_port() for _ in range(2 if self.url else 1)]
        self.servers = {}
        self.lock = threading.Lock()
        self.receipts, self.replies, self.errors, self.down = [], [], [], {}  # down: port -> [(from, to)]
        self.stop = threading.Event()
        self.sessions = {}  # email -> the counsellor's browser (a TOTP code is taken once per 30 s)

    def start(self, port):
        log = open(os.path.join(self.data, f"serve-{port}.log"), "a")
        self.servers[port] = subprocess.Popen([self.args.binary, "serve", "--hostname", "127.0.0.1", "--port", str(port)],
                                              env=self.env, stdout=log, stderr=log)
        for _ in range(600):
            if self.servers[port].poll() is not None:
                raise RuntimeError(f"instance on {port} exited: " + open(os.path.join(self.data, f"serve-{port}.log")).read()[-500:])
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=1); c.request("GET", "/healthz")
                if c.getresponse().status == 200: return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"instance on {port} did not start")

    def failed(self, port, error):
        """Connection failures are excused while their instance was down; an HTTP answer that
        was not the expected one never is."""
        with self.lock:
            self.errors.append((time.time(), port, isinstance(error, CONNECTION), f"{type(error).__name__} {error}"))

    # -- the load ---------------------------------------------------------------------------
    def reporter(self, n):
        port = self.ports[n % len(self.ports)]
        slug = ("de-regenboog", "gemeente-lindewaard")[n % 2]  # one counsellor each: no choice on the form
        while not self.stop.is_set():
            marker = f"fc-{uuid.uuid4().hex}"
            b = Browser(port)
            try:
                s, html, _ = b.request("GET", f"/o/{slug}/melden"); assert s == 200, s
                s, html, _ = b.request("POST", f"/o/{slug}/melden", [("_csrf", csrf(html)), ("story", f"Melding {marker}: het gebeurde op de afdeling.")])
                assert s == 200, s
                code = re.search(r'class="code" translate="no">([0-9 ]+)<', html).group(1)
                with self.lock: self.receipts.append((code, marker, port, time.time()))
            except Exception as e:
                self.failed(port, e)
                time.sleep(0.05)

    def counsellor(self, n, email, password, secret):
        port = self.ports[n % len(self.ports)]
        b = self.login(port, email, password, secret)
        self.sessions[email] = b
        mailboxes = []  # cases found with a mailbox to reply in
        while not self.stop.is_set():
            try:
                if mailboxes and random.random() < 0.8:
                    case = random.choice(mailboxes)
                else:
                    s, html, _ = b.request("GET", "/cases"); assert s == 200, s
                    ids = re.findall(r'href="/cases/([0-9A-Fa-f-]{36})"', html)
                    if not ids: time.sleep(0.2); continue
                    case = random.choice(ids)
                s, page, _ = b.request("GET", f"/cases/{case}"); assert s == 200, s
                if f"/cases/{case}/mailbox/reply" not in page: continue
                if case not in mailboxes: mailboxes.append(case)
                marker = f"fc-reply-{uuid.uuid4().hex}"
                s, _, _ = b.request("POST", f"/cases/{case}/mailbox/reply", [("_csrf", csrf(page)), ("body", f"Antwoord {marker}")])
                if s == 303:
                    with self.lock: self.replies.append((case, marker, email, port, time.time()))
                else:
                    raise AssertionError(f"reply answered {s}")
            except Exception as e:
                self.failed(port, e)
                time.sleep(0.1)

    def login(self, port, email, password, secret):
        for attempt in range(200):
            if self.stop.is_set(): break
            b = Browser(port)
            try:
                s, html, _ = b.request("GET", "/login")
                s, _, _ = b.request("POST", "/login", [("_csrf", csrf(html)), ("email", email), ("password", password), ("code", totp(secret))])
                if s == 303 and "vt_session" in "".join(b.cookies): return b
            except Exception:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"{email} could not log in")

    # -- the run ----------------------------------------------------------------------------
    def go(self):
        demo = subprocess.run([self.args.binary, "demo"], env=self.env, capture_output=True, text=True)
        if demo.returncode: raise RuntimeError("demo: " + demo.stderr[-500:])
        logins = dict((e, (p, s)) for e, p, s in re.findall(r"(\S+@\S+)\s+password: (\S+)\n\s+TOTP secret: (\S+)", demo.stdout))
        for port in self.ports: self.start(port)
        # Sessions are rows: each counsellor stays logged in on their instance across its restarts.
        counsellors = ("anna@demo.vertrouwd.nl", "youssef@demo.vertrouwd.nl")
        threads = [threading.Thread(target=self.reporter, args=(n,)) for n in range(self.args.reporters)]
        threads += [threading.Thread(target=self.counsellor, args=(n, e, *logins[e])) for n, e in enumerate(counsellors)]
        for t in threads: t.start()
        time.sleep(1)
        first = random.randrange(len(self.ports))
        for round in range(1, self.args.rounds + 1):
            time.sleep(self.args.seconds * random.uniform(0.3, 1.0))
            port = self.ports[(first + round) % len(self.ports)]  # with two, each is killed in turn
            killed = time.time()
            self.servers[port].send_signal(signal.SIGKILL); self.servers[port].wait()
            time.sleep(0.3)
            self.start(port)
            self.down.setdefault(port, []).append((killed - 0.1, time.time() + 1.0))
            print(f"round {round}: killed the instance on {port} (SIGKILL), back after {time.time() - killed:.1f} s; "
                  f"so far {len(self.receipts)} receipts shown, {len(self.replies)} replies sent", flush=True)
        time.sleep(1)
        self.last_restart = max(b for windows in self.down.values() for _, b in windows)
        time.sleep(max(1.0, self.args.seconds / 2))
        self.stop.set()
        for t in threads: t.join(timeout=60)
        if any(t.is_alive() for t in threads): raise RuntimeError("a load thread did not stop")
        return self.check(logins)

    def check(self, logins):
        problems = []
        # Failures only on a killed instance while it was down (or answering its first requests).
        unexcused = [(t, p, w) for t, p, connection, w in self.errors
                     if not (connection and any(a <= t <= b for a, b in self.down.get(p, [])))]
        print(f"failed requests: {len(self.errors)}, not a lost connection to a killed instance: {len(unexcused)}")
        problems += [f"a request failed on port {p}: {w}" for _, p, w in unexcused[:5]]
        # Work was done on every instance, and after the last restart.
        for port in self.ports:
            if not any(r[2] == port for r in self.receipts): problems.append(f"no receipt came from the instance on {port}")
        if not any(r[3] > self.last_restart for r in self.receipts): problems.append("no receipt after the last restart")
        # Every receipt opens its mailbox with its story (8 at a time; the code check is scrypt).
        opened, missing, index = [0], [], [0]
        def verify():
            while True:
                with self.lock:
                    if index[0] >= len(self.receipts): return
                    code, marker, _, _ = self.receipts[index[0]]; index[0] += 1
                last = "no answer"
                for attempt in range(20):
                    try:
                        b = Browser(random.choice(self.ports))
                        s, html, _ = b.request("GET", "/postbus")
                        s, _, _ = b.request("POST", "/postbus", [("_csrf", csrf(html)), ("code", code)])
                        if s == 303:
                            s, html, _ = b.request("GET", "/postbus")
                            last = "opened, without the story" if marker not in html else "ok"
                            break
                        last = f"answered {s}"  # busy (the code check's budget): try again
                    except Exception as e:
                        last = f"{type(e).__name__} {e}"
                    time.sleep(0.5)
                with self.lock:
                    if last == "ok": opened[0] += 1
                    else: missing.append(f"{code}: {last}")
        workers = [threading.Thread(target=verify) for _ in range(8)]
        for w in workers: w.start()
        for w in workers: w.join()
        print(f"receipts shown: {len(self.receipts)}, opening their mailbox with the story: {opened[0]}")
        if opened[0] != len(self.receipts): problems += [f"receipt {m}" for m in missing[:5]] or ["not every receipt was checked"]
        # Every reply that was confirmed is on its case page.
        lost = []
        for case, marker, email, _, _ in self.replies:
            try:
                s, html, _ = self.sessions[email].request("GET", f"/cases/{case}")
                if marker not in html: lost.append(marker)
            except Exception as e:
                lost.append(f"{marker}: {type(e).__name__} {e}")
        print(f"replies confirmed: {len(self.replies)}, on their case page: {len(self.replies) - len(lost)}")
        problems += [f"reply {m} is lost" for m in lost[:5]]
        # Every case has its audit entry, every entry its case; the chain holds.
        query = ("select (select count(*) from cases), "
                 "(select count(*) from audit_events where action in ('case.create', 'case.create.web')), "
                 "(select count(*) from cases c where not exists (select 1 from audit_events a where a.action in "
                 "('case.create', 'case.create.web') and lower(a.subject) = 'case:' || lower(cast(c.id as text))))")
        if self.url:
            row = subprocess.run(["psql", self.url, "-At", "-F", " ", "-c", query], capture_output=True, text=True, check=True).stdout.split()
        else:
            row = sqlite3.connect(os.path.join(self.data, "vertrouwd.sqlite")).execute(query).fetchone()
        cases, entries, orphans = map(int, row)
        print(f"stored cases: {cases}, case.create entries: {entries}, cases without an entry: {orphans}")
        if orphans or cases != entries: problems.append("cases and their audit entries do not match")
        for p in self.servers.values(): p.terminate(); p.wait(timeout=20)
        # The anchor stands at the log's last entry: no instance moved it back.
        last = "select max(seq) from audit_events"
        if self.url:
            newest = int(subprocess.run(["psql", self.url, "-At", "-c", last], capture_output=True, text=True, check=True).stdout.strip())
        else:
            newest = sqlite3.connect(os.path.join(self.data, "vertrouwd.sqlite")).execute(last).fetchone()[0]
        anchored = int(open(os.path.join(self.data, "audit-anchor")).read().split()[0])
        print(f"audit anchor at entry {anchored}, newest entry {newest}")
        if anchored != newest: problems.append(f"the audit anchor stands at {anchored}, the log ends at {newest}")
        verify = subprocess.run([self.args.binary, "audit", "verify"], env=self.env, capture_output=True, text=True)
        print("audit verify: " + (verify.stdout.strip().splitlines() or [""])[-1])
        if verify.returncode or "reaches its anchor" not in verify.stdout: problems.append("audit verify: " + verify.stdout[-300:])
        if not self.receipts or not self.replies: problems.append("the load did nothing: no receipts or no replies")
        return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=".build/debug/vertrouwd")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=4)
    ap.add_argument("--reporters", type=int, default=16)
    run = Run(ap.parse_args())
    try:
        problems = run.go()
    finally:
        for p in run.servers.values():
            if p.poll() is None: p.kill()
        shutil.rmtree(run.data, ignore_errors=True)
    where = f"PostgreSQL, {len(run.ports)} instances" if run.url else "SQLite, 1 instance"
    if problems:
        print(f"fault-check ({where}): FAILED\n  " + "\n  ".join(problems)); sys.exit(1)
    print(f"fault-check ({where}): ok")


if __name__ == "__main__":
    main()
