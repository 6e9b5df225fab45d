#!/usr/bin/env python3
"""The main flows of Vertrouwd in a real browser (headless Chromium driven by Selenium), against
a running server on loopback that holds the demo practice. Run through scripts/browser-suite.sh.

Every page visited is checked with axe-core 4 (its WCAG 2.0, 2.1 and 2.2 A and AA rules) and photographed
at 360 and 1280 px. Prints one line per check and ends with 'N passed, N failed'.
"""
import argparse
import base64
import hashlib
import hmac
import importlib.util
import json
import os
import re
import struct
import sys
import time
import traceback

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.common.action_chains import ActionChains
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.support.ui import Select, WebDriverWait
# axe-core 4.x as shipped inside the axe-playwright-python wheel (installed without Playwright:
# only its axe.min.js is used). axe-selenium-python ships axe-core 3.1, which has no WCAG 2.1/2.2 rules.
AXE_JS = os.path.join(os.path.dirname(importlib.util.find_spec("axe_playwright_python").origin), "axe.min.js")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PASSED, FAILED = [], []
AXE_RESULTS = {}  # page name -> number of violations


def story(characters, emoji=True):
    """A story as a frightened employee writes it: Dutch diacritics, line breaks and (where the
    driver can type them) emoji. ChromeDriver types only the Basic Multilingual Plane."""
    sentences = [
        "Het begon vlak na de reorganisatie op de afdeling Zorg.",
        "Mijn leidinggevende maakt opmerkingen over mijn geloof en mijn accent" + (" 😔" if emoji else "") + ".",
        "Collega’s lachen mee; één collega zei dat ik me niet zo moet aanstellen.",
        "Ik slaap slecht en zie op tegen maandag — ik weet niet of ik dit moet melden.",
        "De coördinatie van de roosters gaat via hem, dus ik krijg steeds de late diensten.\n",
        "Ik wil niet dat hij weet dat ik hier heb geschreven. Café-gesprekken vermijd ik nu.\n\n",
    ]
    text, i = "", 0
    while len(text) < characters:
        text += sentences[i % len(sentences)] + " "
        i += 1
    return text[: characters - 1] + "."


def totp(secret_b32, at=None):
    key = base64.b32decode(secret_b32.upper() + "=" * (-len(secret_b32) % 8))
    counter = int((at or time.time()) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000)


def check(name, condition, detail=""):
    (PASSED if condition else FAILED).append(name)
    print(("ok   " if condition else "FAIL ") + name + ("" if condition else f"  ({detail})"), flush=True)
    return condition


class Suite:
    def __init__(self, base, demo_log, shots, files):
        self.base = base.rstrip("/")
        self.shots = shots
        self.files = files
        self.logins = {}
        self.references = {}
        text = open(demo_log, encoding="utf-8").read()
        for email, password, secret in re.findall(r"(\S+@\S+)\s+password: (\S+)\n\s+TOTP secret: (\S+)", text):
            self.logins[email] = (password, secret)
        os.makedirs(shots, exist_ok=True)

    def driver(self, javascript=True):
        options = webdriver.ChromeOptions()
        options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
        for arg in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900", "--lang=nl-NL"]:
            options.add_argument(arg)
        prefs = {"intl.accept_languages": "nl-NL,nl"}
        if not javascript:
            prefs["profile.managed_default_content_settings.javascript"] = 2
        options.add_experimental_option("prefs", prefs)
        driver = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)
        driver.set_page_load_timeout(120)
        driver.javascript = javascript
        return driver

    def open(self, d, path):
        d.get(self.base + path)

    def look(self, d, name):
        """Photographs the page at 360 and 1280 px, checks that no id is used twice (a label or
        an error message would point at the wrong field) and, with JavaScript on, runs axe."""
        ids = re.findall(r'\sid="([^"]+)"', d.page_source)
        twice = sorted({i for i in ids if ids.count(i) > 1})
        check(f"{name}: every id is unique", not twice, ", ".join(twice))
        for width in (360, 1280):
            d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": width, "height": 800, "deviceScaleFactor": 1, "mobile": width < 600})
            height = d.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]["height"]
            d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": width, "height": int(min(height, 12000)) or 800, "deviceScaleFactor": 1, "mobile": width < 600})
            shot = d.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
            with open(os.path.join(self.shots, f"{name}-{width}.png"), "wb") as f:
                f.write(base64.b64decode(shot["data"]))
        d.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        if d.javascript:
            d.execute_script(open(AXE_JS, encoding="utf-8").read())
            d.set_script_timeout(60)
            result = d.execute_async_script(
                "var done = arguments[arguments.length - 1];"
                "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})"
                ".then(function (r) { done(r.violations); }, function (e) { done('axe failed: ' + e); });", AXE_TAGS)
            if isinstance(result, str):
                raise RuntimeError(result)
            violations = result
            AXE_RESULTS[name] = len(violations)
            summary = "; ".join(f"{v['id']}: {v['help']} ({len(v['nodes'])}x, e.g. {v['nodes'][0]['target']})" for v in violations)
            check(f"axe: {name} has no WCAG A/AA violations", not violations, summary)

    def text(self, d):
        return d.find_element(By.TAG_NAME, "body").text

    def reveal(self, d, element):
        """Opens the folded <details> around a form, as a user would by clicking its title."""
        if not element.is_displayed():
            for summary in element.find_elements(By.XPATH, "ancestor::details[not(@open)]/summary"):
                summary.click()
        return element

    def fill(self, d, element_id, value):
        """Types into a field; text with characters ChromeDriver cannot type is set directly."""
        field = self.reveal(d, d.find_element(By.ID, element_id))
        field.clear()
        if d.javascript and (field.get_attribute("type") == "date" or any(ord(c) > 0xFFFF for c in value)):
            d.execute_script("arguments[0].value = arguments[1];", field, value)
        else:
            field.send_keys(value)

    def choose_radio(self, d, name, label):
        for option in d.find_elements(By.CSS_SELECTOR, f"input[type=radio][name='{name}']"):
            if label in option.find_element(By.XPATH, "..").text:
                option.click()
                return
        raise AssertionError(f"no option {label} for {name}")

    def submit(self, d, form_id, navigates=True):
        """Clicks the form's button and, unless a script holds the form back, waits for the
        answer page (the old page's button goes stale), so the next look is at the new page."""
        self.click(d, self.reveal(d, d.find_element(By.CSS_SELECTOR, f"#{form_id} button[type=submit]")), navigates)

    def click(self, d, element, navigates=True):
        element.click()
        if navigates:
            self.wait_for_new_page(d, element)

    @staticmethod
    def wait_for_new_page(d, element):
        """Waits until `element` belongs to a page that is gone. ChromeDriver reports that as a
        stale element or, mid-navigation, as an inspector error: both mean the same here."""
        def gone(_):
            try:
                element.is_enabled()
                return False
            except WebDriverException:
                return True
        WebDriverWait(d, 120).until(gone)
        # A stale old page is not yet a loaded new one: reading its text too early read "" once.
        def loaded(_):
            try:
                return d.execute_script("return document.readyState") == "complete"
            except WebDriverException:
                return False
        WebDriverWait(d, 120).until(loaded)

    def select(self, d, element_id, value=None, index=None):
        field = Select(self.reveal(d, d.find_element(By.ID, element_id)))
        field.select_by_value(value) if value is not None else field.select_by_index(index)

    def login(self, d, email):
        password, secret = self.logins[email]
        self.open(d, "/login")
        self.look(d, "staff-login")
        self.fill(d, "login-email", email)
        self.fill(d, "login-password", password)
        # A code is taken once per 30-second step: wait for a fresh step if this one was used.
        step = int(time.time() // 30)
        if getattr(self, "last_step", None) == step:
            time.sleep(30 - time.time() % 30 + 1)
        self.last_step = int(time.time() // 30)
        self.fill(d, "login-code", totp(secret))
        self.submit(d, "login")

    # The flows ---------------------------------------------------------------------------

    def reporter_reports(self, javascript):
        """Public page -> report with a long story and a PDF -> receipt -> a new browser opens
        the mailbox with the code and reads the story back."""
        mode = "js" if javascript else "nojs"
        d = self.driver(javascript)
        try:
            self.open(d, "/o/het-baken")
            self.look(d, f"public-organisation-{mode}")
            check(f"[{mode}] organisation page names its counsellors", "Anna de Vries" in self.text(d))
            self.click(d, d.find_element(By.CSS_SELECTOR, "a[href='/o/het-baken/melden']"))
            self.look(d, f"public-report-form-{mode}")
            body = story(10_000, emoji=javascript)
            self.choose_radio(d, "counsellor", "Anna de Vries")
            self.fill(d, "melden-story", body)
            files = d.find_element(By.ID, "melden-files")
            if javascript:
                # A file over 10 MB is named at once, and the form is not sent.
                files.send_keys(self.files["big"])
                check("[js] a file over 10 MB is named before anything is sent",
                      "groter dan 10 MB" in d.find_element(By.ID, "melden-files-check").text, self.text(d)[-300:])
                self.submit(d, "melden", navigates=False)
                check("[js] the form with a too-large file is not sent", d.current_url.endswith("/melden") and "melden-story" in d.page_source)
                self.look(d, "public-report-file-too-large-js")
                files = d.find_element(By.ID, "melden-files")
                files.clear()
            else:
                # Without JavaScript nothing stops three files of 11 MB: the server refuses them
                # (over 32 MB) and gives the form back with the story still in it.
                files.send_keys("\n".join(self.files[k] for k in ("big", "big2", "big3")))
                self.submit(d, "melden")
                check("[nojs] attachments over 32 MB give the form back with a Dutch message",
                      "samen groter dan 32 MB" in self.text(d), self.text(d)[:300])
                kept = d.find_element(By.ID, "melden-story").get_attribute("value")
                check("[nojs] ... with the whole story still in its field", kept.strip() == body.strip(), f"{len(kept)} of {len(body)} characters")
                self.look(d, "public-report-too-large-nojs")
                files = d.find_element(By.ID, "melden-files")
            files.send_keys("\n".join([self.files["pdf"], self.files["jpeg"], self.files["docx"]]))
            if javascript:
                # As from a phone: about 1 MB a second up. The form shows its progress on the way.
                d.execute_cdp_cmd("Network.enable", {})
                d.execute_cdp_cmd("Network.emulateNetworkConditions", {"offline": False, "latency": 40,
                                  "downloadThroughput": 4_000_000, "uploadThroughput": 1_000_000})
                self.submit(d, "melden", navigates=False)
                seen = []
                for _ in range(200):
                    bars = d.find_elements(By.CSS_SELECTOR, "progress.upload")
                    if bars:
                        try:
                            seen.append(float(bars[0].get_attribute("value") or 0))
                        except WebDriverException:
                            break
                    elif seen:
                        break
                    time.sleep(0.1)
                d.execute_cdp_cmd("Network.emulateNetworkConditions", {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
                check("[js] a report with files shows its upload moving", len(seen) > 1 and max(seen) > min(seen) and max(seen) > 0, repr(seen[:5] + seen[-3:]))
                WebDriverWait(d, 120).until(lambda _: re.search(r"\d{4}(?: \d{4}){6}", self.text(d)))
                check("[js] after the upload the receipt replaces the form, at an address that does not send it again",
                      d.current_url.endswith("/o/het-baken/melden") and d.find_elements(By.CSS_SELECTOR, ".code"), d.current_url)
            else:
                self.submit(d, "melden")
            page = self.text(d)
            code = re.search(r"(\d{4}(?: \d{4}){6})", page)
            check(f"[{mode}] a 10,000-character story with a 9 MB PDF, a JPEG and a DOCX gives a receipt code", code is not None, page[:300])
            self.look(d, f"public-receipt-{mode}")
        finally:
            d.quit()
        if not code:
            return None
        later = self.driver(javascript)
        try:
            self.open(later, "/postbus")
            self.look(later, f"postbus-login-{mode}")
            self.fill(later, "postbus-code", code.group(1))
            self.submit(later, "postbus")
            # The case's reference, so the counsellor answers this report and not another with the
            # same story (the inbox lists the oldest first).
            reference = re.search(r"Kenmerk (\d{4}-\d{4})", self.text(later))
            self.references[mode] = reference.group(1) if reference else None
            # The story folds after its start: read it without the "read more" button's label.
            shown = later.execute_script("var s = document.querySelector('.story').cloneNode(true);"
                                         "s.querySelectorAll('summary').forEach(function (e) { e.remove(); }); return s.textContent;")
            check(f"[{mode}] the mailbox in a new browser shows the whole story back", shown.strip() == body.strip(),
                  f"{len(shown)} characters shown of {len(body)}")
            page = self.text(later)
            check(f"[{mode}] the mailbox lists the three attachments", all(n in page for n in ["verslag.pdf", "foto.jpg", "brief.docx"]))
            self.look(later, f"postbus-open-{mode}")
            # The reporter's rights: a deletion request needs the box ticked, then waits for an answer.
            check(f"[{mode}] the mailbox offers the reporter's own file", later.find_elements(By.CSS_SELECTOR, "a[href='/postbus/file']") != [])
            self.submit(later, "verwijdering")
            check(f"[{mode}] a deletion request without the box ticked is refused with a message",
                  "Vink aan dat je je dossier wilt laten verwijderen" in self.text(later), self.text(later)[-300:])
            later.find_element(By.ID, "verwijdering-confirm").click()
            self.submit(later, "verwijdering")
            check(f"[{mode}] the deletion request is sent and waits for the counsellor", "Wacht op antwoord" in self.text(later), self.text(later)[-300:])
            self.look(later, f"postbus-deletion-requested-{mode}")
        finally:
            later.quit()
        return code.group(1)

    def reporter_requests_conversation_in_english(self):
        d = self.driver()
        try:
            self.open(d, "/o/het-baken/gesprek")
            self.click(d, d.find_element(By.CSS_SELECTOR, "a[href*='lang=en']"))
            check("the language switch turns the page English", "Request a conversation" in self.text(d) or d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en")
            self.look(d, "public-request-form-en")
            self.submit(d, "gesprek")
            check("a request without answers comes back with English messages", "Please" in self.text(d) or "Choose" in self.text(d), self.text(d)[:200])
            self.look(d, "public-request-errors-en")
            self.choose_radio(d, "counsellor", "Youssef")
            self.choose_radio(d, "mode", "phone")
            self.fill(d, "gesprek-contact", "Bel me na vijven op 06-12345678 🙂")
            self.fill(d, "gesprek-topic", story(2_000))
            self.submit(d, "gesprek")
            check("a conversation request in English gives a receipt code", re.search(r"\d{4}(?: \d{4}){6}", self.text(d)) is not None, self.text(d)[:200])
            self.look(d, "public-request-receipt-en")
        finally:
            d.quit()

    def report_by_keyboard_only(self):
        """Tab, Space, typing and Enter only: no mouse."""
        d = self.driver()
        try:
            self.open(d, "/o/het-baken/melden")
            def tab_until(test, limit=80):
                for _ in range(limit):
                    ActionChains(d).send_keys(Keys.TAB).perform()
                    if test(d.switch_to.active_element):
                        return True
                return False
            reached = tab_until(lambda e: e.get_attribute("name") == "counsellor")
            ActionChains(d).send_keys(Keys.SPACE).perform()
            reached = reached and tab_until(lambda e: e.get_attribute("id") == "melden-story")
            ActionChains(d).send_keys("Met alleen het toetsenbord geschreven: mijn collega scheldt me uit.").perform()
            reached = reached and tab_until(lambda e: e.tag_name == "button" and e.get_attribute("type") == "submit")
            button = d.switch_to.active_element
            ActionChains(d).send_keys(Keys.ENTER).perform()
            if reached:
                self.wait_for_new_page(d, button)
            check("a report can be sent with Tab, Space and Enter alone", reached and re.search(r"\d{4}(?: \d{4}){6}", self.text(d)) is not None,
                  self.text(d)[:200])
        finally:
            d.quit()

    def counsellor_works_the_case(self, code):
        d = self.driver()
        try:
            self.login(d, "anna@demo.vertrouwd.nl")
            check("the counsellor logs in with password and TOTP", "Uitloggen" in self.text(d), self.text(d)[:200])
            self.look(d, "staff-dashboard")
            inbox = d.find_elements(By.XPATH, "//*[contains(., 'Nieuw binnengekomen via de website')]")
            check("the dashboard inbox shows the new report", bool(inbox))
            case_links = [a.get_attribute("href") for a in d.find_elements(By.CSS_SELECTOR, "a[href^='/cases/'], a[href*='/cases/']")
                          if re.search(r"/cases/[0-9A-Fa-f-]{36}$", a.get_attribute("href") or "")]
            found = None
            for href in case_links:
                d.get(href)
                wanted = self.references.get("js")
                if ("Het begon vlak na de reorganisatie" in self.text(d) and "verslag.pdf" in self.text(d)
                        and (wanted is None or wanted in self.text(d))):
                    found = href
                    break
            if not check("the new report opens on its case page with its story and attachments", found is not None):
                return
            self.look(d, "staff-case")
            # Reply in the mailbox
            reply = "Dank je voor je bericht. Wil je dat ik je bel? Groet, Anna 🌷"
            self.fill(d, "reply-body", reply)
            self.submit(d, "reply")
            check("the reply is sent", reply in self.text(d) or "verstuurd" in self.text(d).lower(), self.text(d)[:200])
            # Classify the case (take it on)
            d.get(found)
            self.select(d, "details-kind", value="personal_integrity")
            d.find_element(By.CSS_SELECTOR, "input[name='categories[]'][value='bullying']").click()
            self.select(d, "details-reporterRole", index=1)
            self.select(d, "details-relation", index=1)
            self.submit(d, "details")
            check("classifying takes the case on", "Aannemen" not in [b.text for b in d.find_elements(By.CSS_SELECTOR, "#details button")], self.text(d)[:200])
            # Tick a step
            d.get(found)
            steps = d.find_elements(By.CSS_SELECTOR, "form[id^='step-'] button[type=submit]")
            if check("the case shows its step checklist", bool(steps)):
                before = len(d.find_elements(By.XPATH, "//button[normalize-space()='Ongedaan maken']"))
                self.click(d, steps[0])
                after = len(d.find_elements(By.XPATH, "//button[normalize-space()='Ongedaan maken']"))
                check("ticking a step marks it done", after == before + 1, f"{before} -> {after}")
            # A ladder step towards the manager without consent is refused, then taken with consent
            d.get(found)
            self.select(d, "escalation-level", value="2")
            self.submit(d, "escalation")
            page = self.text(d)
            check("a ladder step without consent is refused with a Dutch message", "toestemming" in page.lower() and d.find_elements(By.CSS_SELECTOR, ".error-summary"), page[:300])
            self.look(d, "staff-case-consent-refused")
            self.select(d, "escalation-level", value="2")
            self.select(d, "escalation-consentBasis", value="consent")
            self.fill(d, "escalation-consentOn", time.strftime("%Y-%m-%d"))
            self.select(d, "escalation-consentMethod", value="oral")
            self.submit(d, "escalation")
            check("with consent recorded the ladder step is taken", not d.find_elements(By.CSS_SELECTOR, "#escalation .error-summary"), self.text(d)[:300])
            # Back down the ladder: the highest rung reached stays (the annual report counts it)
            d.get(found)
            self.select(d, "escalation-level", value="1")
            self.submit(d, "escalation")
            d.get(found)
            check("stepping down the ladder keeps the highest rung reached", "Hoogste trede bereikt: 2." in self.text(d), self.text(d)[:300])
            # Close the case, then reopen it: the reporter came back
            self.select(d, "close-outcome", value="heard")
            self.submit(d, "close")
            check("closing with steps open asks first and names them",
                  "Er staan nog stappen open" in self.text(d) and "Niet afgevinkt" in self.text(d), self.text(d)[:300])
            self.look(d, "case-close-asks")
            self.reveal(d, d.find_element(By.ID, "close-openSteps")).click()
            self.submit(d, "close")
            d.get(found)
            closed = self.text(d)
            check("a closed case shows its outcome and offers to reopen it", "Afgesloten" in closed and bool(d.find_elements(By.ID, "reopen")), closed[:300])
            check("a closed case offers no forms to change it", not d.find_elements(By.ID, "note"))
            self.look(d, "staff-case-closed")
            self.submit(d, "reopen")
            d.get(found)
            check("reopening runs the case again", "Lopend" in self.text(d) and not d.find_elements(By.ID, "reopen") and bool(d.find_elements(By.ID, "note")), self.text(d)[:300])
        finally:
            d.quit()
        # The reporter reads the reply
        later = self.driver()
        try:
            self.open(later, "/postbus")
            self.fill(later, "postbus-code", code)
            self.submit(later, "postbus")
            check("the reporter reads the counsellor's reply", "Wil je dat ik je bel?" in self.text(later),
                  self.text(later)[:300])
            self.look(later, "postbus-reply")
        finally:
            later.quit()

    def admin_creates_an_organisation(self):
        d = self.driver()
        try:
            self.login(d, "beheer@demo.vertrouwd.nl")
            self.open(d, "/organisations/new")
            self.look(d, "admin-organisation-new")
            self.fill(d, "organisation-name", "Stichting Browsertest")
            self.select(d, "organisation-sector", index=1)
            self.fill(d, "organisation-employees", "75")
            self.fill(d, "organisation-slug", "browsertest")
            self.submit(d, "organisation")
            check("the admin creates an organisation", "Stichting Browsertest" in self.text(d) and "/organisations/" in d.current_url, self.text(d)[:300])
            self.look(d, "admin-organisation")
            self.fill(d, "contract-year-start", "2026-01-01")
            self.fill(d, "contract-year-end", "2026-12-31")
            self.fill(d, "contract-year-hours", "24")
            self.submit(d, "contract-year")
            check("the admin adds a contract year", "24" in self.text(d) and not d.find_elements(By.CSS_SELECTOR, "#contract-year .error-summary"), self.text(d)[:300])
        finally:
            d.quit()

    def admin_imports_organisations(self):
        """The admin uploads docs/examples/organisations.csv, reads the preview, imports, and every
        organisation's public page opens; the same file again changes nothing."""
        example = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "docs", "examples", "organisations.csv")
        d = self.driver()
        try:
            self.login(d, "beheer@demo.vertrouwd.nl")
            self.open(d, "/organisations")
            self.click(d, d.find_element(By.PARTIAL_LINK_TEXT, "importeren"))
            self.look(d, "admin-import")
            for round, expected in ((1, "Nieuw: 6, bijgewerkt: 0, ongewijzigd: 0"), (2, "Nieuw: 0, bijgewerkt: 0, ongewijzigd: 6")):
                if round == 2:
                    self.open(d, "/organisations/import")
                d.find_element(By.ID, "import-file").send_keys(os.path.abspath(example))
                self.click(d, d.find_element(By.CSS_SELECTOR, "#import button[type=submit]"))
                check(f"the import preview says what it will do (round {round})", expected in self.text(d), self.text(d)[-600:])
                if round == 1:
                    self.look(d, "admin-import-preview")
                self.click(d, d.find_element(By.CSS_SELECTOR, "#import-confirm button[type=submit]"))
                check(f"the import is confirmed (round {round})", "Geïmporteerd." in self.text(d), self.text(d)[:300])
            for slug in ("soo-eemland", "thuiszorg-de-linde", "heuvelrug-oost", "het-vlindertje", "woonstichting-kade", "welzijn-rivierenland"):
                self.open(d, f"/o/{slug}")
                check(f"the imported organisation's public page /o/{slug} opens", "Vertrouwenspersoon" in self.text(d) or "vertrouwenspersoon" in self.text(d), self.text(d)[:200])
        finally:
            d.quit()

    def admin_invoices_the_hours(self):
        """The admin opens the hours statement from the menu, chooses the demo's two contract
        years, downloads the CSV, and LibreOffice opens it as Excel in Dutch would: seven columns,
        hours, rates and amounts read as numbers (decimal comma), the words in UTF-8."""
        import urllib.request, subprocess, shutil, html as markup
        d = self.driver()
        try:
            self.login(d, "beheer@demo.vertrouwd.nl")
            self.click(d, d.find_element(By.LINK_TEXT, "Uren"))
            year = time.localtime().tm_year
            self.fill(d, "hours-from", f"{year - 1}-01-01")
            self.fill(d, "hours-to", f"{year}-12-31")
            self.click(d, d.find_element(By.CSS_SELECTOR, "form.search button[type=submit]"))
            page = self.text(d)
            check("the hours statement shows case work, activities, rates and amounts",
                  "Casuïstiek (gesprekken en meldingen)" in page and "€ 97,50" in page and "Totaal" in page, page[:400])
            self.look(d, "admin-hours")
            link = d.find_element(By.PARTIAL_LINK_TEXT, "Downloaden voor Excel").get_attribute("href")
            cookies = "; ".join(f"{c['name']}={c['value']}" for c in d.get_cookies())
            folder = os.path.join(self.shots, "hours")
            os.makedirs(folder, exist_ok=True)
            with urllib.request.urlopen(urllib.request.Request(link, headers={"Cookie": cookies})) as answer, \
                    open(os.path.join(folder, "uren.csv"), "wb") as out:
                out.write(answer.read())
            office = shutil.which("libreoffice") or shutil.which("soffice")
            if not check("LibreOffice is installed", office is not None):
                return
            # Semicolon (59), double quote (34), UTF-8 (76), from line 1, Dutch (1043): Excel in Dutch.
            subprocess.run([office, "--headless", "--infilter=CSV:59,34,76,1,,1043", "--convert-to", "html", "--outdir", folder,
                            os.path.join(folder, "uren.csv")], check=True, capture_output=True, timeout=300)
            sheet = open(os.path.join(folder, "uren.html"), encoding="utf-8", errors="replace").read()
            rows = [re.findall(r"<td([^>]*)>(.*?)</td>", row, re.S) for row in re.findall(r"<tr.*?</tr>", sheet, re.S)]
            rows = [[(attributes, markup.unescape(re.sub(r"<[^>]+>", "", text)).strip()) for attributes, text in row] for row in rows if row]
            header = [text for _, text in rows[0]]
            check("LibreOffice opens the hours CSV with its seven columns",
                  header == ["Organisatie", "Code", "Contractjaar", "Soort werk", "Uren", "Tarief per uur", "Bedrag"], header)
            lines, total = rows[1:-1], rows[-1]
            numbers = lambda row, column: float(re.search(r'sdval="([^"]+)"', row[column][0]).group(1)) if "sdval" in row[column][0] else None
            check("every line's hours are a number in LibreOffice", lines and all(numbers(r, 4) is not None for r in lines),
                  [r[4] for r in lines if numbers(r, 4) is None][:3])
            check("rates and amounts are numbers where a rate was agreed",
                  any(numbers(r, 5) == 97.5 and numbers(r, 6) is not None for r in lines), [r[5:] for r in lines][:3])
            check("the words come through in UTF-8", any(r[3][1] == "Casuïstiek (gesprekken en meldingen)" for r in lines))
            check("the total line adds up the hours", total[0][1] == "Totaal" and abs(numbers(total, 4) - sum(numbers(r, 4) for r in lines)) < 0.001,
                  [t[1] for t in total])
        finally:
            d.quit()

    def admin_enrols_a_colleague(self):
        """The admin makes an account and sees only a link; the colleague opens it in their own
        browser, chooses a password, scans the secret and logs in with both."""
        d = self.driver()
        try:
            self.login(d, "beheer@demo.vertrouwd.nl")
            self.open(d, "/admin/users")
            self.look(d, "admin-users")
            self.fill(d, "new-user-name", "Sanne Browsertest")
            self.fill(d, "new-user-email", "sanne@browsertest.nl")
            self.submit(d, "new-user")
            page = self.text(d)
            check("the admin sees an enrolment link, no password and no secret", "/enrol/" in page and "otpauth" not in d.page_source, page[:300])
            self.look(d, "admin-enrolment-link")
            link = re.search(r"/enrol/[A-Za-z0-9_-]+", page).group(0)
        finally:
            d.quit()
        e = self.driver()
        try:
            self.open(e, link)
            self.look(e, "enrol")
            password = "fietsen langs de molen"
            self.fill(e, "enrol-password", password)
            self.fill(e, "enrol-password2", password + "!")
            self.submit(e, "enrol")
            check("two different passwords are refused", "niet gelijk" in self.text(e), self.text(e)[:300])
            self.fill(e, "enrol-password", password)
            self.fill(e, "enrol-password2", password)
            self.submit(e, "enrol")
            self.look(e, "enrol-secret")
            secret = re.search(r"secret=([A-Z2-7]+)", e.page_source).group(1)
            shot = os.path.join(self.shots, "enrol-qr-only.png")
            e.find_element(By.CSS_SELECTOR, ".enrol-qr").screenshot(shot)
            scanned = self.decode_qr(shot)
            check("the authenticator page's QR code, photographed, decodes to the account's otpauth link",
                  bool(scanned) and scanned.startswith("otpauth://totp/") and f"secret={secret}" in scanned, repr(scanned))
            self.fill(e, "confirm-code", "000000")
            self.submit(e, "confirm")
            check("a wrong code from the app is refused and the QR code stays", "Deze code klopt niet" in self.text(e)
                  and e.find_elements(By.CSS_SELECTOR, ".enrol-qr svg"), self.text(e)[:300])
            self.look(e, "enrol-secret-wrong-code")
            self.fill(e, "confirm-code", totp(secret))
            self.last_step = int(time.time() // 30)  # this code is used up: the login takes the next
            self.submit(e, "confirm")
            check("the right code finishes the enrolment", "Je authenticator-app werkt" in self.text(e), self.text(e)[:300])
            self.logins["sanne@browsertest.nl"] = (password, secret)
            self.login(e, "sanne@browsertest.nl")
            check("the new colleague logs in with their own password and app", "Sanne Browsertest" in self.text(e), self.text(e)[:300])
        finally:
            e.quit()

    def sideways(self, d, width=360):
        """How many pixels the page scrolls sideways at `width` (0: it fits)."""
        d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": width, "height": 800, "deviceScaleFactor": 1, "mobile": True})
        time.sleep(0.5)  # the page lays itself out at the new width
        try:
            # The layout viewport (clientWidth): on a phone, innerWidth grows with what overflows.
            # Returns the overflow and the first elements that reach past the right edge.
            return d.execute_script("""
                var root = document.documentElement, width = root.clientWidth, wide = [];
                document.querySelectorAll("body *").forEach(function (e) {
                  if (wide.length < 4 && e.getBoundingClientRect().right > width + 1) wide.push(e.tagName.toLowerCase() + (e.className ? "." + String(e.className).split(" ")[0] : ""));
                });
                var over = Math.max(0, root.scrollWidth - width);
                return over ? over + "px: " + wide.join(", ") : 0;""")
        finally:
            d.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

    def counsellors_week(self):
        """A counsellor's week: the morning's reminders on the dashboard, a case found by its
        reference, an hour written and corrected with a reason, the case file printed; the admin
        hands a colleague's cases over and corrects a contract year's hours; the annual report
        and the poster fit a phone."""
        d = self.driver()
        try:
            self.login(d, "anna@demo.vertrouwd.nl")
            self.look(d, "week-dashboard")
            reminders = d.find_elements(By.CSS_SELECTOR, "#h-reminders ~ ul a")
            check("the dashboard lists today's reminders", bool(reminders), self.text(d)[:300])
            if reminders:
                target = reminders[0].get_attribute("href")
                self.click(d, reminders[0])
                check("a reminder leads to its case or page", d.current_url.split("#")[0] == target.split("#")[0], d.current_url)
            badge = d.find_elements(By.CSS_SELECTOR, ".top nav .count")
            check("the menu counts what waits", bool(badge) and badge[0].text.strip().split()[0].isdigit(), self.text(d)[:200])
            # find a case by its reference
            self.open(d, "/cases")
            first = d.find_element(By.CSS_SELECTOR, "td[data-label=Kenmerk] a")
            reference = first.text.strip()
            self.fill(d, "search-q", reference)
            self.click(d, d.find_element(By.CSS_SELECTOR, "form.search button[type=submit]"))
            found = [a.text.strip() for a in d.find_elements(By.CSS_SELECTOR, "td[data-label=Kenmerk] a")]
            check("the case list finds a case by its reference", found == [reference], repr(found))
            self.look(d, "week-search")
            check("the case list with its search fits a phone", self.sideways(d) == 0, self.sideways(d))
            d.find_element(By.CSS_SELECTOR, "td[data-label=Kenmerk] a").click()
            case_url = d.current_url.split("#")[0]
            # write an hour, then correct it
            self.fill(d, "time-hours", "1,5")
            self.submit(d, "time")
            if "Hiermee gaat het tegoed" in self.text(d):
                self.look(d, "week-hours-over-budget")
                self.reveal(d, d.find_element(By.ID, "time-overBudget")).click()
                self.submit(d, "time")
            links = d.find_elements(By.CSS_SELECTOR, "#hours a[href*='/time/']")
            check("each hour on the case has a link to correct it", bool(links), self.text(d)[:300])
            if links:
                self.click(d, links[0])
                self.look(d, "week-correct-hour")
                self.fill(d, "time-hours", "0,5")
                self.submit(d, "time")
                check("a correction without a reason is refused and keeps the hours typed",
                      "Kies een reden." in self.text(d) and d.find_element(By.ID, "time-hours").get_attribute("value") == "0,5", self.text(d)[:300])
                self.look(d, "week-correct-hour-refused")
                self.select(d, "time-reason", value="duplicate")
                self.submit(d, "time")
                check("the corrected hour shows on the case with a confirmation", "Gewijzigd." in self.text(d) and "0,5 u" in self.text(d), self.text(d)[:300])
            # the case file for the dossier
            self.open(d, case_url.replace(self.base, "") + "/file")
            check("the case file opens for printing, without the reporter's identity", "Dossier melding" in self.text(d)
                  and "zonder de naam en contactgegevens van de melder" in self.text(d), self.text(d)[:300])
            self.look(d, "week-case-file")
            check("the case file fits a phone", self.sideways(d) == 0, self.sideways(d))
            # the annual report and the poster on a phone
            self.open(d, "/organisations")
            d.find_element(By.PARTIAL_LINK_TEXT, "Het Baken").click()
            org_url = d.current_url.split("#")[0]
            report = d.find_elements(By.PARTIAL_LINK_TEXT, "Jaarverslag")
            if report:
                self.click(d, report[-1])
                self.look(d, "week-annual-report")
                check("the annual report does not scroll sideways at 360 px", self.sideways(d) == 0, self.sideways(d))
            self.open(d, org_url.replace(self.base, "") + "/poster")
            check("the poster has a way back", bool(d.find_elements(By.PARTIAL_LINK_TEXT, "Terug naar poster en mailing")))
            check("the poster fits a phone", self.sideways(d) == 0, self.sideways(d))
            self.look(d, "week-poster")
        finally:
            d.quit()
        a = self.driver()
        try:
            self.login(a, "beheer@demo.vertrouwd.nl")
            self.open(a, "/admin/users")
            handover = [l.get_attribute("href") for l in a.find_elements(By.PARTIAL_LINK_TEXT, "Meldingen overdragen")
                        if "Youssef" in l.find_element(By.XPATH, "ancestor::*[self::tr or self::li or self::div][1]").text]
            check("the admin finds the hand-over of a counsellor's cases", bool(handover))
            if handover:
                a.get(handover[0])
                self.look(a, "week-handover")
                selects = a.find_elements(By.CSS_SELECTOR, "main form.card select")
                for field in selects:
                    options = [o.get_attribute("value") for o in field.find_elements(By.TAG_NAME, "option") if o.get_attribute("value")]
                    if options:
                        Select(field).select_by_value(options[0])
                        break
                a.execute_script("window.confirm = function () { return true; }")
                self.click(a, a.find_element(By.CSS_SELECTOR, "main form.card button[type=submit]"))
                check("the cases are handed over, counts only", "Meldingen overgedragen" in self.text(a), self.text(a)[:300])
            # extra hours on a contract year, with a reason
            self.open(a, "/organisations")
            a.find_element(By.PARTIAL_LINK_TEXT, "Klein Geluk").click()
            years = a.find_elements(By.CSS_SELECTOR, "#h-years ~ .table-wrap a[href*='/correct/contract-year/']")
            check("each contract year has a link to correct it", bool(years))
            if years:
                self.click(a, years[0])
                self.look(a, "week-correct-year")
                self.fill(a, "contract-year-hours", "30")
                self.select(a, "contract-year-reason", value="agreed")
                self.fill(a, "contract-year-note", "Extra uren afgesproken met de directie")
                self.submit(a, "contract-year")
                check("extra hours on the year are saved", "Gewijzigd." in self.text(a) and "30 u" in self.text(a), self.text(a)[:300])
        finally:
            a.quit()

    def what_a_reader_can_infer(self):
        """Issue 23: the admin sees signed-off figures only (the overview adds up signed-off
        reports; this year's report page and the organisation page show no live count); the
        counsellor's report of last year is the second version, signed off after late cases; a
        letter drafted from a signal names no small figure, and a typed one is refused beside the
        field with the text kept."""
        last_year = time.gmtime().tm_year - 1
        d = self.driver()
        try:
            self.login(d, "beheer@demo.vertrouwd.nl")
            self.open(d, f"/reports?year={last_year}")
            page = self.text(d)
            check("the overview adds up the signed-off reports", "Opgeteld uit 4 vastgestelde jaarverslagen" in page, page[:400])
            check("the overview names no organisation's small number", "minder dan 5" in page and "Overige samen (" not in page, page[:600])
            self.look(d, "infer-overview-last-year")
            self.open(d, "/reports")
            check("this year's overview waits for sign-off", "nog niet vastgesteld" in self.text(d), self.text(d)[:400])
            self.open(d, "/organisations")
            self.click(d, d.find_element(By.LINK_TEXT, "Zorggroep Het Baken"))
            check("the admin sees no live count of an organisation's cases", "Lopende meldingen" not in self.text(d), self.text(d)[:400])
            org_url = d.current_url.split("#")[0]
            reports = [a for a in d.find_elements(By.CSS_SELECTOR, "a[href*='/report']") if "Jaarverslag" in a.text]
            check("the organisation page links its annual reports", len(reports) >= 2, self.text(d)[:300])
            self.click(d, reports[0])
            check("this year's report shows the admin no draft figures",
                  "De cijfers van dit jaar verschijnen hier zodra" in self.text(d), self.text(d)[:400])
            self.look(d, "infer-admin-report-draft")
        finally:
            d.quit()
        d = self.driver()
        try:
            self.login(d, "anna@demo.vertrouwd.nl")
            self.open(d, org_url.replace(self.base, ""))
            reports = [a for a in d.find_elements(By.CSS_SELECTOR, "a[href*='/report']") if "Jaarverslag" in a.text]
            self.click(d, reports[1])
            page = self.text(d)
            check("last year's report is signed off (its second version)", "Vastgesteld op" in page and "contacten" in page, page[:400])
            check("the report prints no 0 and no figure below 5",
                  not re.search(r"(?m)^\s*[0-4]\s*$", "\n".join(c.text for c in d.find_elements(By.CSS_SELECTOR, "table.figures td.num"))), page[:300])
            self.look(d, "infer-counsellor-report-last-year")
            self.open(d, org_url.replace(self.base, "") + "/advice/new?category=intimidation")
            body = d.find_element(By.ID, "advice-body").get_attribute("value")
            check("a letter drafted from a signal names no figure below k", "meldingen" in body and "minder dan" not in body
                  and not re.search(r"\b[1-4] meldingen", body), body[:300])
            typed = "Drie keer kwam intimidatie ter sprake op de afdeling Thuiszorg."
            self.fill(d, "advice-body", typed)
            self.choose_radio(d, "solicited", "Ongevraagd")
            self.fill(d, "advice-hours", "1")
            self.submit(d, "advice")
            error = " ".join(e.text for e in d.find_elements(By.CSS_SELECTOR, "#advice .field-error, #advice .error, #advice [id$='-error']"))
            check("the text check names 'drie keer' beside the field", "drie keer" in error.lower() or "drie keer" in self.text(d).lower(), self.text(d)[:500])
            check("the refused letter keeps what was typed", d.find_element(By.ID, "advice-body").get_attribute("value") == typed)
            self.look(d, "infer-advice-refused")
        finally:
            d.quit()

    def counsellor_adopts_policy_and_prints_the_poster(self):
        """The counsellor adopts the draft of the meldregeling (with the works council's consent),
        opens the print page, the mailing and the poster; the poster's QR code, photographed in the
        browser, decodes to the organisation's public address (zbarimg). Then, as the admin, every
        demo organisation's adopted policy documents, posters and mailing: each Word file opens in
        python-docx and converts to PDF in LibreOffice, and each poster's PDF has a QR code to its
        organisation's public page."""
        d = self.driver()
        try:
            self.login(d, "anna@demo.vertrouwd.nl")
            self.open(d, "/organisations")
            self.click(d, d.find_element(By.LINK_TEXT, "Zorggroep Het Baken"))
            org_url = d.current_url
            check("the organisation page lists its three policy documents",
                  all(t in self.text(d) for t in ["PSA-beleid", "Klachtenregeling ongewenst gedrag", "Meldregeling vermoeden van een misstand"]), self.text(d)[:300])
            self.click(d, d.find_element(By.LINK_TEXT, "Meldregeling vermoeden van een misstand"))
            self.look(d, "policy-whistleblower")
            check("the policy page shows the adopted version and the draft", "Vastgesteld: versie 1" in self.text(d) and "Concept: versie 2" in self.text(d), self.text(d)[:300])
            self.fill(d, "adopt-adoptedOn", time.strftime("%Y-%m-%d"))
            self.fill(d, "adopt-adoptedBy", "de raad van bestuur")
            self.submit(d, "adopt")
            check("adopting without the works council's consent is refused with a Dutch message",
                  "instemming van de OR" in self.text(d) and d.find_elements(By.CSS_SELECTOR, "#adopt .error-summary"), self.text(d)[:300])
            self.fill(d, "adopt-adoptedOn", time.strftime("%Y-%m-%d"))
            self.fill(d, "adopt-consentOn", time.strftime("%Y-%m-%d", time.localtime(time.time() - 7 * 86400)))
            self.fill(d, "adopt-adoptedBy", "de raad van bestuur")
            self.submit(d, "adopt")
            check("with the consent recorded the draft is adopted", "Vastgesteld: versie 2" in self.text(d), self.text(d)[:300])
            policy_url = d.current_url
            self.open(d, policy_url.replace(self.base, "") + "/1")
            self.look(d, "policy-print")
            check("an earlier version stays readable", "Meldregeling" in self.text(d) and "Versie 1, vastgesteld" in self.text(d), self.text(d)[:200])

            self.open(d, org_url.replace(self.base, "") + "/mailing")
            self.look(d, "outreach-mailing")
            check("the mailing names the counsellors and the public address",
                  "Anna de Vries" in self.text(d) and "/o/het-baken" in self.text(d), self.text(d)[:300])
            self.open(d, org_url.replace(self.base, "") + "/poster")
            self.look(d, "outreach-poster")
            decoded = self.decode_qr(os.path.join(self.shots, "outreach-poster-1280.png"))
            check("the poster's QR code, as the browser shows it, opens the public page",
                  decoded == self.base + "/o/het-baken", repr(decoded))

        finally:
            d.quit()
        # Every demo organisation's Word files, fetched with the admin's session (the admin sees
        # every organisation): the three adopted policy documents, the poster (nl, en) and the
        # English mailing.
        import urllib.request, docx as python_docx, subprocess, shutil
        d = self.driver()
        try:
            self.login(d, "beheer@demo.vertrouwd.nl")
            cookies = "; ".join(f"{c['name']}={c['value']}" for c in d.get_cookies())
            self.open(d, "/organisations")
            organisations = sorted({a.get_attribute("href") for a in d.find_elements(By.CSS_SELECTOR, "a[href*='/organisations/']")
                                    if re.search(r"/organisations/[0-9A-Fa-f-]{36}$", a.get_attribute("href") or "")})
            folder = os.path.join(self.shots, "docx")
            os.makedirs(folder, exist_ok=True)
            expected = {}  # poster PDF -> the public address its QR code must open
            for url in organisations:
                self.open(d, url.replace(self.base, ""))
                if "nog niet vastgesteld" in self.text(d):
                    continue  # an organisation made by this suite, without adopted documents
                slug = re.search(r"/o/([a-z0-9-]+)", self.text(d)).group(1)
                name = d.find_element(By.TAG_NAME, "h1").text
                paths = {f"{slug}-{kind}-v1.docx": f"{url}/policy/{kind}/1/docx" for kind in ("psa", "complaints", "whistleblower")}
                paths.update({f"{slug}-poster-nl.docx": f"{url}/poster.docx?lang=nl", f"{slug}-poster-en.docx": f"{url}/poster.docx?lang=en",
                              f"{slug}-mailing-en.docx": f"{url}/mailing.docx?lang=en"})
                for file, link in paths.items():
                    with urllib.request.urlopen(urllib.request.Request(link, headers={"Cookie": cookies})) as answer, \
                            open(os.path.join(folder, file), "wb") as out:
                        out.write(answer.read())
                    text = "\n".join(p.text for p in python_docx.Document(os.path.join(folder, file)).paragraphs)
                    check(f"{file} opens in python-docx with the organisation's name", name in text, text[:200])
                expected[f"{slug}-poster-nl.pdf"] = f"{self.base}/o/{slug}"
            files = sorted(f for f in os.listdir(folder) if f.endswith(".docx"))
            office = shutil.which("libreoffice") or shutil.which("soffice")
            if check("LibreOffice is installed", office is not None):
                started = time.time()
                subprocess.run([office, "--headless", "--convert-to", "pdf", "--outdir", folder] + [os.path.join(folder, f) for f in files],
                               check=True, capture_output=True, timeout=600)
                check("every demo organisation's Word files were fetched", len(expected) == 4, str(sorted(expected)))
                print(f"LibreOffice converted {len(files)} Word files in {time.time() - started:.1f} s", flush=True)
                for file in files:
                    pdf = os.path.join(folder, file.replace(".docx", ".pdf"))
                    check(f"{file} converts to PDF in LibreOffice", os.path.exists(pdf) and os.path.getsize(pdf) > 1000)
                for pdf, address in expected.items():
                    stem = os.path.join(folder, pdf.replace(".pdf", ""))
                    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", stem + ".pdf", stem], check=True, timeout=120)
                    page = sorted(f for f in os.listdir(folder) if f.startswith(os.path.basename(stem)) and f.endswith(".png"))
                    decoded = self.decode_qr(os.path.join(folder, page[0])) if page else None
                    check(f"the Word poster of {pdf.replace('-poster-nl.pdf', '')}, printed to PDF, has a QR code to its public page", decoded == address, repr(decoded))
        finally:
            d.quit()

    @staticmethod
    def decode_qr(png):
        import subprocess
        result = subprocess.run(["zbarimg", "--raw", "-q", "-Sdisable", "-Sqrcode.enable", png], capture_output=True, text=True)
        return result.stdout.strip() or None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--demo-log", required=True)
    parser.add_argument("--shots", required=True)
    parser.add_argument("--files", required=True, help="folder with verslag.pdf, foto.jpg, brief.docx and groot.pdf (11 MB)")
    args = parser.parse_args()
    files = {k: os.path.join(args.files, n) for k, n in [("pdf", "verslag.pdf"), ("jpeg", "foto.jpg"), ("docx", "brief.docx"),
                                                          ("big", "groot.pdf"), ("big2", "groot-2.pdf"), ("big3", "groot-3.pdf")]}
    suite = Suite(args.base, args.demo_log, args.shots, files)
    flows = [
        ("reporter, JavaScript off", lambda: suite.reporter_reports(javascript=False)),
        ("reporter, JavaScript on", lambda: setattr(suite, "code", suite.reporter_reports(javascript=True))),
        ("conversation request in English", suite.reporter_requests_conversation_in_english),
        ("keyboard only", suite.report_by_keyboard_only),
        ("counsellor", lambda: suite.counsellor_works_the_case(suite.code) if getattr(suite, "code", None) else check("counsellor flow has a report to work on", False)),
        ("admin", suite.admin_creates_an_organisation),
        ("enrolment", suite.admin_enrols_a_colleague),
        ("hours for invoicing", suite.admin_invoices_the_hours),
        ("organisations imported", suite.admin_imports_organisations),
        ("a counsellor's week", suite.counsellors_week),
        ("policy and poster", suite.counsellor_adopts_policy_and_prints_the_poster),
        ("what a reader can infer", suite.what_a_reader_can_infer),
    ]
    for name, flow in flows:
        try:
            flow()
        except Exception as error:  # a broken flow is a failure, the others still run
            check(f"flow '{name}' ran to its end", False, f"{type(error).__name__}: {error}")
            traceback.print_exc()
    print("axe violations per page: " + json.dumps(AXE_RESULTS, sort_keys=True))
    print(f"screenshots: {args.shots}")
    print(f"{len(PASSED)} passed, {len(FAILED)} failed")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
