#!/usr/bin/env python3
"""Vertrouwd behind Caddy over HTTPS, as reporters and staff meet it in production. Run through
scripts/tls-check.sh, which starts the app and Caddy (deploy/Caddyfile) with Caddy's local CA.

Every request goes over TLS, checked against Caddy's root certificate, from a loopback address of
its own (127.0.0.7 the reporter, 127.0.0.8 another reporter, 127.0.0.9 the counsellor), so that
the script can afterwards search every log and the data folder for those addresses.

Checks: HSTS on every answer; every cookie of ours is `__Host-vt_…`, Secure, Path=/, no Domain;
a cookie without the prefix is not believed; the reporter's report and the mailbox by receipt
code; the per-sender limit counts the real sender behind the proxy (a forged X-Forwarded-For
does not give a new share, another address does); a counsellor's login with password and
second factor; plain http is sent to https; the counsellor's notification went out through
msmtp and holds nothing of the report. Prints one line per check; exit 1 on any failure.
Standard library only.
"""
import argparse, base64, hashlib, hmac, http.client, os, re, socket, ssl, struct, sys, time, urllib.parse

FAILED = []


def check(name, condition, detail=""):
    if not condition:
        FAILED.append(name)
    print(("ok   " if condition else "FAIL ") + name + ("" if condition else f"  ({detail})"), flush=True)
    return condition


def totp(secret_b32, at=None):
    key = base64.b32decode(secret_b32.upper() + "=" * (-len(secret_b32) % 8))
    digest = hmac.new(key, struct.pack(">Q", int((at or time.time()) // 30)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000)


def csrf(html):
    return re.search(r'name="_csrf" value="([^"]+)"', html).group(1)


class Browser:
    """One person over HTTPS: Caddy's name (SNI and Host `localhost`), verified against its
    root, from a loopback address of their own."""

    def __init__(self, port, context, source, agent):
        self.port, self.context, self.source, self.agent = port, context, source, agent
        self.cookies, self.set_cookies = {}, []

    def request(self, method, path, fields=None, headers=None):
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=30, source_address=(self.source, 0))
        conn = http.client.HTTPSConnection("localhost", self.port, timeout=30, context=self.context)
        conn.sock = self.context.wrap_socket(sock, server_hostname="localhost")
        sent = {"User-Agent": self.agent, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=sent)
        response = conn.getresponse()
        data = response.read().decode()
        conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            self.set_cookies.append(header)
            name, _, rest = header.partition("=")
            value = rest.split(";")[0]
            if value and "1970" not in header:
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        return response.status, data, response.headers


def cookie_rules(set_cookies):
    """What a browser demands of a `__Host-` cookie, and that no cookie of ours goes without it."""
    wrong = []
    for header in set_cookies:
        name = header.partition("=")[0]
        attributes = [a.strip().lower() for a in header.split(";")[1:]]
        if not name.startswith("__Host-vt_"):
            wrong.append(f"{name}: no __Host- prefix")
        if "secure" not in attributes:
            wrong.append(f"{name}: not Secure")
        if "path=/" not in attributes:
            wrong.append(f"{name}: Path is not /")
        if any(a.startswith("domain=") for a in attributes):
            wrong.append(f"{name}: has a Domain")
    return wrong


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True, help="Caddy's HTTPS port")
    parser.add_argument("--http-port", type=int, required=True, help="Caddy's plain HTTP port")
    parser.add_argument("--ca", required=True, help="Caddy's local root certificate")
    parser.add_argument("--demo-log", required=True)
    parser.add_argument("--mail-dir", required=True)
    parser.add_argument("--marker", required=True, help="text of the report, to be found nowhere else")
    parser.add_argument("--agent", required=True, help="user agent, to be found nowhere")
    args = parser.parse_args()
    context = ssl.create_default_context(cafile=args.ca)
    demo = open(args.demo_log, encoding="utf-8").read()
    logins = re.findall(r"(\S+@\S+)\s+password: (\S+)\n\s+TOTP secret: (\S+)", demo)

    # The reporter: the public page, a report, the receipt code.
    reporter = Browser(args.port, context, "127.0.0.7", args.agent)
    status, html, headers = reporter.request("GET", "/o/de-regenboog")
    check("the public page answers over HTTPS", status == 200 and "<html" in html, status)
    hsts = headers.get("Strict-Transport-Security", "")
    check("HSTS is sent, for at least half a year", re.search(r"max-age=(\d+)", hsts) and int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 15_768_000, hsts)
    check("Caddy adds no security header of its own beside the app's one CSP", len(headers.get_all("Content-Security-Policy") or []) == 1, headers.get_all("Content-Security-Policy"))
    status, html, _ = reporter.request("GET", "/o/de-regenboog/melden")
    check("the report form answers", status == 200, status)
    status, html, _ = reporter.request("POST", "/o/de-regenboog/melden", [("_csrf", csrf(html)), ("story", args.marker)])
    code = re.search(r'class="code" translate="no">([0-9 ]+)<', html)
    check("the report is accepted and a receipt code shown", status == 200 and code, f"{status} {html[:200]}")
    check("every cookie is __Host-, Secure, Path=/ and has no Domain", reporter.set_cookies and not cookie_rules(reporter.set_cookies), cookie_rules(reporter.set_cookies) or "no cookies set")

    # The same cookie without its prefix is not believed: the form's token no longer matches.
    plain = Browser(args.port, context, "127.0.0.7", args.agent)
    status, html, _ = plain.request("GET", "/o/de-regenboog/melden")
    plain.cookies = {name.removeprefix("__Host-"): value for name, value in plain.cookies.items()}
    status, _, _ = plain.request("POST", "/o/de-regenboog/melden", [("_csrf", csrf(html)), ("story", "zonder voorvoegsel")])
    check("a cookie without the __Host- prefix is not believed", status in (400, 403), status)

    # A new browser opens the mailbox with the code and reads the report back.
    mailbox = Browser(args.port, context, "127.0.0.7", args.agent)
    status, html, _ = mailbox.request("GET", "/postbus")
    status, _, _ = mailbox.request("POST", "/postbus", [("_csrf", csrf(html)), ("code", code.group(1) if code else "")])
    status, html, _ = mailbox.request("GET", "/postbus")
    check("the mailbox opens with the receipt code and shows the report", status == 200 and args.marker in html, status)

    # The per-sender limit (5 per 10 minutes) counts the sender Caddy saw, whatever the client
    # claims in X-Forwarded-For: 127.0.0.7 has used one; four more pass, the sixth is refused.
    statuses = []
    for i in range(5):
        flood = Browser(args.port, context, "127.0.0.7", args.agent)
        _, html, _ = flood.request("GET", "/o/de-regenboog/melden")
        forged = {"X-Forwarded-For": f"10.{i}.{i}.{i}"}
        status, _, _ = flood.request("POST", "/o/de-regenboog/melden", [("_csrf", csrf(html)), ("story", f"Herhaald verslag {i}")], forged)
        statuses.append(status)
    check("the sender's sixth report is refused, forged forwarding or not", statuses == [200, 200, 200, 200, 429], statuses)
    other = Browser(args.port, context, "127.0.0.8", args.agent)
    _, html, _ = other.request("GET", "/o/de-regenboog/melden")
    status, _, _ = other.request("POST", "/o/de-regenboog/melden", [("_csrf", csrf(html)), ("story", "Een andere melder, een ander adres.")])
    check("another sender behind the same proxy still reports", status == 200, status)

    # A counsellor logs in with password and second factor.
    email, password, secret = next(login for login in logins if not login[0].startswith("beheer"))
    staff = Browser(args.port, context, "127.0.0.9", args.agent)
    _, html, _ = staff.request("GET", "/login")
    status, _, headers = staff.request("POST", "/login", [("_csrf", csrf(html)), ("email", email), ("password", password), ("code", totp(secret))])
    check("a counsellor logs in over HTTPS", status == 303 and any(n.startswith("__Host-vt_") for n in staff.cookies), f"{status} {list(staff.cookies)}")
    status, html, _ = staff.request("GET", headers.get("Location", "/"))
    check("the dashboard answers the logged-in counsellor", status == 200 and "Uitloggen" in html, status)
    check("staff cookies are __Host-, Secure, Path=/, no Domain", not cookie_rules(staff.set_cookies), cookie_rules(staff.set_cookies))

    # Plain http on Caddy's port 80 (here: --http-port) goes to https.
    conn = http.client.HTTPConnection("127.0.0.1", args.http_port, timeout=10, source_address=("127.0.0.7", 0))
    conn.request("GET", "/o/de-regenboog", headers={"Host": "localhost", "User-Agent": args.agent})
    response = conn.getresponse()
    check("plain http is redirected to https", response.status in (301, 308) and response.headers.get("Location", "").startswith("https://localhost"), f"{response.status} {response.headers.get('Location')}")

    # The new report was announced to its counsellor through msmtp, without anything of it.
    mails = []
    for _ in range(100):
        mails = [open(os.path.join(args.mail_dir, f), encoding="utf-8", errors="replace").read() for f in sorted(os.listdir(args.mail_dir))]
        if mails:
            break
        time.sleep(0.1)
    check("a notification mail went out through msmtp", bool(mails), "no mail in the sink")
    check("the mail holds nothing of the report, its sender or their browser", mails and not any(args.marker in m or "127.0.0.7" in m or args.agent in m for m in mails), mails[:1])
    print(f"{'FAILED: ' + ', '.join(FAILED) if FAILED else 'tls-check flows: all passed'}")
    sys.exit(1 if FAILED else 0)


if __name__ == "__main__":
    main()
