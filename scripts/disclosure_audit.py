#!/usr/bin/env python3
"""Independent audit of everything an organisation (and a reader of the reports) receives.

Input: report JSONs (`vertrouwd report`, every signed-off version of every year of every
organisation), practice overviews (`vertrouwd overview`, "kind": "overview") and advice letters
(`vertrouwd letters`, "kind": "letters"). All of it goes into ONE integer program: per report
version a variable for every cell and the total, with what each states (shown cells, sums of
single-valued tables, "overig" and "Overige samen" sums, last year's column, the overview's sums
over the organisations it names). Then, by exact integer bounds (scipy.optimize.milp):
  * every hidden cell and every "fewer than k" total must keep at least k possible values and
    start at 0 or at k or more — not narrowed, and not proven to hold somebody ("existence")
    while it may hold fewer than k;
  * every sum two versions of one year both let a reader compute (each cell, each "overig"
    block, the hidden cells together, the union of two of these, the total, and in a table of
    several values per case the total minus any of these) must not be proven to have changed by
    1..k-1;
  * the overview's figures are constraints like any other, so an overview that completes a
    report's hidden cells shows up as a narrowed cell or total;
  * texts (letters, report sections) are read for small figures about people in digits and
    words, and the advice list for themes the subject table hides.
What a report's rules mean is modelled from its "disclosureRules": 1 (before issue 23) printed 0,
so "fewer than k" meant 1..k-1 and a table with hidden cells had one holding 1..k-1; 2 hides 0
too. Across tables: a subject table adds up to its kind's cell of the kind table; in reports
with the old multi-valued subject table, the subjects add up to at least the report and
integrity cases (every such case has a subject). Not modelled: the draw of rule 5 (it is secret) —
Tests/VertrouwdCoreTests/InferenceTests.swift enumerates it.

Exactness: with scipy.optimize.milp (scipy >= 1.9) the bounds are exact integer bounds of this
model; the linprog fallback gives outer bounds (a violation under it is real, a pass is not
proof).

Usage: disclosure_audit.py FILE.json ... | --fixtures FOLDER | --self-test
Exit status 1 when any violation is found (or a fixture's leak is missed), 0 otherwise.
"""
import argparse, copy, json, math, re, sys
import numpy as np
from scipy.optimize import linprog
try:
    from scipy.optimize import Bounds, LinearConstraint, milp
except ImportError:  # scipy < 1.9
    milp = None

ALLOWED = {"published", "merged", "hidden", "combined"}
SMALL = re.compile(r"te weinig|te klein|kleine? aantal|minder dan|enkele|too few|fewer than|small number", re.I)
INF = math.inf


class Model:
    """Integer variables >= 0 and rows lo <= sum(coef * var) <= hi."""
    def __init__(self):
        self.index, self.lo, self.hi, self.rows = {}, [], [], []

    def var(self, key):
        if key not in self.index:
            self.index[key] = len(self.lo); self.lo.append(0.0); self.hi.append(INF)
        return self.index[key]

    def bound(self, key, lo=-INF, hi=INF):
        i = self.var(key)
        self.lo[i], self.hi[i] = max(self.lo[i], lo), min(self.hi[i], hi)

    def row(self, coefs, lo, hi):
        for key in coefs: self.var(key)
        self.rows.append((coefs, lo, hi))

    def solve(self, objective):
        """Min of sum(coef * var) over the model: a number, -INF (unbounded) or None (infeasible)."""
        n = len(self.lo)
        c = np.zeros(n)
        for key, v in objective.items(): c[self.index[key]] = v
        A = np.zeros((len(self.rows), n))
        for r, (coefs, _, _) in enumerate(self.rows):
            for key, v in coefs.items(): A[r, self.index[key]] += v
        rlo, rhi = np.array([r[1] for r in self.rows]), np.array([r[2] for r in self.rows])
        res = milp(c, integrality=np.ones(n), bounds=Bounds(self.lo, self.hi),
                   constraints=[LinearConstraint(A, rlo, rhi)] if self.rows else []) if milp else None
        if res is None or res.status == 4:  # no milp, or it could not tell unbounded from infeasible
            eq = rlo == rhi
            up, down = ~eq & (rhi < INF), ~eq & (rlo > -INF)
            A_ub, b_ub = np.vstack([A[up], -A[down]]), np.concatenate([rhi[up], -rlo[down]])
            lp = linprog(c, A_ub=A_ub if len(b_ub) else None, b_ub=b_ub if len(b_ub) else None,
                         A_eq=A[eq] if eq.any() else None, b_eq=rlo[eq] if eq.any() else None,
                         bounds=list(zip(self.lo, [None if h == INF else h for h in self.hi])), method="highs")
            if res is not None: return -INF if lp.status == 3 else None  # relaxation bounded: no integer point
            res = lp
        if res.status not in (0, 2, 3): raise RuntimeError(f"solver gave up: {res.message}")
        return res.fun if res.status == 0 else (None if res.status == 2 else -INF)


def rules(doc):
    """Which rules made a report (docs/ANONYMITY.md): 1 printed 0, so "fewer than k" and a hidden
    cell meant somebody; 2 hides 0 like a small count."""
    return doc.get("disclosureRules", 1)


def add_report(m, r, doc):
    """The constraints one report states about its own year's counts (report number r)."""
    k, total = doc["k"], (r, "#total")
    if doc.get("total") is not None:
        m.bound(total, doc["total"], doc["total"])
    else:  # rules 1 printed a year with nobody as 0: "fewer than k" meant 1..k-1
        m.bound(total, 1 if rules(doc) == 1 else 0, k - 1)
    for t in doc.get("tables", []):
        tid, X = t["id"], (lambda key, tid=t["id"]: (r, tid, key))
        cells = [c for c in t["cells"] if c["status"] != "combined"]
        plain = [c for c in cells if c["status"] != "merged"]
        hidden = [c for c in plain if c["count"] is None]
        overig = {c.get("mergedInto") for c in cells if c["status"] == "merged"}
        for c in cells:
            if c["count"] is not None: m.bound(X(c["key"]), c["count"], c["count"])
            if c["status"] == "suppressed": m.bound(X(c["key"]), hi=k - 1)
            if c["status"] == "complementary": m.bound(X(c["key"]), lo=k)
        for into in overig:
            m.row({**{X(c["key"]): 1 for c in cells if c.get("mergedInto") == into}, X(into): -1}, 0, 0)
        if tid == "wbk_deadlines":
            m.row({**{X(c["key"]): 1 for c in plain}, (r, "regime", "whistleblower"): -1}, 0, 0)
        elif tid.startswith("subject_"):  # one row per case of that kind
            m.row({**{X(c["key"]): 1 for c in plain}, (r, "kind", tid[len("subject_"):]): -1}, 0, 0)
        elif not t["multiValued"]:
            m.row({**{X(c["key"]): 1 for c in plain}, total: -1}, 0, 0)
        else:  # a case counts once per cell; an "overig" cell adds several cells up, so not it
            for c in cells:
                if c["key"] not in overig: m.row({X(c["key"]): 1, total: -1}, -INF, 0)
        if tid == "referral" and any(c["key"] == "none" for c in cells):
            m.row({**{X(c["key"]): 1 for c in cells}, total: -1}, 0, INF)
            for c in cells:
                if c["key"] != "none": m.row({X(c["key"]): 1, X("none"): 1, total: -1}, -INF, 0)
        combined = [c for c in t["cells"] if c["status"] == "combined"]
        for c in combined:
            names = set(c.get("includes") or [h["label"] for h in hidden])
            m.row({X(h["key"]): 1 for h in plain if h["label"] in names}, c["count"], c["count"])
        if hidden and not combined and len(hidden) < len(plain) and (not t["multiValued"] or rules(doc) == 1):
            m.row({X(h["key"]): 1 for h in hidden}, 0, k - 1)
        if tid == "category":
            # Every report and integrity case has at least one subject (the intake requires it):
            # the subjects add up to at least those two kinds of the kind table.
            kinds = {c["key"] for t2 in doc.get("tables", []) if t2["id"] == "kind" for c in t2["cells"]}
            if {"personal_integrity", "business_integrity"} <= kinds:
                m.row({**{X(c["key"]): 1 for c in cells if c["key"] not in overig},
                       (r, "kind", "personal_integrity"): -1, (r, "kind", "business_integrity"): -1}, 0, INF)
        if hidden and rules(doc) == 1:
            # Rules 1 hid cells only where one of them held 1..k-1 (zeros were printed): at least
            # one hidden cell is small and not empty. y = 1 marks it: y <= x <= k-1 + M(1-y).
            big = 100_000
            ys = []
            for h in hidden:
                y = (r, tid, h["key"], "#small")
                m.bound(y, 0, 1)
                m.row({X(h["key"]): 1, y: -1}, 0, INF)
                m.row({X(h["key"]): 1, y: big}, -INF, k - 1 + big)
                ys.append(y)
            m.row({y: 1 for y in ys}, 1, INF)


def add_previous(m, r, doc, p, last, problems):
    """This report's `previous` values are last year's (report p) published cells."""
    if doc.get("previousTotal") is not None:
        m.row({(p, "#total"): 1}, doc["previousTotal"], doc["previousTotal"])
    for t in doc.get("tables", []):
        old = next((x for x in last.get("tables", []) if x["id"] == t["id"]), None)
        for c in t["cells"]:
            if c.get("previous") is None: continue
            where, prev = f"{t['id']}/{c['key']}", c["previous"]
            was = old and next((x for x in old["cells"] if x["key"] == c["key"]), None)
            if c["status"] == "combined" and old:  # last year's hidden cells added up
                m.row({(p, t["id"], x["key"]): 1 for x in old["cells"]
                       if x["count"] is None and x["status"] not in ("merged", "combined")}, prev, prev)
            elif was is None:
                problems.append((r, f"{where}: previous {prev}, but last year's report has no such cell"))
            elif was["count"] is not None and was["count"] != prev:
                problems.append((r, f"{where}: previous {prev}, last year's report says {was['count']}"))
            else:
                m.row({(p, t["id"], c["key"]): 1}, prev, prev)


def known_sets(doc):
    """Per table, the sets of base cells whose sum a reader of one version can work out or that
    the version names: every cell, every "overig" block, the hidden cells together."""
    out = {}
    for t in doc.get("tables", []):
        overig = {c.get("mergedInto") for c in t["cells"] if c["status"] == "merged"}
        base = [c for c in t["cells"] if c["status"] != "combined" and c["key"] not in overig]
        sets = [frozenset([c["key"]]) for c in base]
        for o in overig:
            sets.append(frozenset(c["key"] for c in base if c.get("mergedInto") == o))
        hidden = {c["key"] for c in base if c["count"] is None and c["status"] != "merged"}
        for o in overig:
            if next((c for c in t["cells"] if c["key"] == o), {}).get("count", 0) is None:
                hidden |= {c["key"] for c in base if c.get("mergedInto") == o}
        if hidden: sets.append(frozenset(hidden))
        out[t["id"]] = (set(c["key"] for c in base), set(sets))
    return out


def small_change(lo, hi, k):
    """A difference between versions a reader can prove to be 1..k-1 cases (up or down)."""
    return (lo == hi and 0 < abs(lo) < k) or (1 <= lo and hi <= k - 1) or (-(k - 1) <= lo and hi <= -1)


def hidden_ok(lo, hi, k):
    """At least k values left, and not proven to hold somebody while it may be fewer than k."""
    return (lo == 0 or lo >= k) and hi - lo + 1 >= k


# ---- texts: an independent reading of small figures in words (the app has its own) ----------

NUMBER_WORDS = {"een": 1, "één": 1, "eén": 1, "one": 1, "single": 1, "twee": 2, "two": 2, "drie": 3, "three": 3,
                "vier": 4, "four": 4, "vijf": 5, "five": 5, "zes": 6, "six": 6, "zeven": 7, "seven": 7, "acht": 8,
                "eight": 8, "negen": 9, "nine": 9, "tweetal": 2, "drietal": 3, "viertal": 4}
OFTEN = {"eenmaal": 1, "once": 1, "tweemaal": 2, "twice": 2, "driemaal": 3, "thrice": 3, "viermaal": 4}
PEOPLE = re.compile(r"(melding|meldingen|melders?|klokkenluiders?|medewerkers?|collega'?s?|werknemers?|slachtoffers?|"
                    r"klachte?n?|personen|persoon|mensen|vrouwe?n?|manne?n?|kundigen?|leerlinge?n?|docente?n?|"
                    r"leidinggevenden?|reports?|reporters?|whistleblowers?|employees?|colleagues?|people|persons?|"
                    r"complaints?|women|woman|men|nurses?|cases?|gesprekk?e?n?|contacte?n?|signale?n?)$")
GROUPS = {"afdeling", "afdelingen", "team", "locatie", "vestiging", "vrouwelijke", "mannelijke", "jonge", "oudere",
          "zwangere", "department", "female", "male", "young", "older", "pregnant"}
TIMES = {"keer", "maal", "x", "times"}
OWN_WORK = {"per", "workshop", "workshops", "training", "trainingen", "voorlichting", "sessie", "sessies", "uur", "jaar",
            "maand", "week", "spreekuur", "overleg", "every", "a", "hours", "session", "year"}
NOT_PEOPLE = {"vertrouwenspersoon", "vertrouwenspersonen", "contactpersoon", "dan", "van"}


BOUNDS = [("minder", "dan"), ("fewer", "than"), ("less", "than"), ("hooguit",), ("maximaal",), ("hoogstens",),
          ("nog", "geen"), ("onder", "de"), ("under",), ("at", "most"), ("up", "to"), ("<",)]


def small_figures(text, k):
    # dates and decimals are one token; "1." or "2)" before a space is a list marker
    text = re.sub(r"(?m)(^|\s)\d+[.):](?=\s|$)", r"\1#", text.lower())
    words = re.findall(r"\d+(?:[-/.:,]\d+)+|\d+|<|[^\W\d_][\w'’-]*", text)
    words = [w.replace("’", "'") for w in words]
    found = []
    for i, w in enumerate(words):
        nxt = words[i + 1:i + 4]
        bound = next((b for b in BOUNDS if tuple(words[i:i + len(b)]) == b), None)
        if bound and i + len(bound) < len(words):
            x = words[i + len(bound)]
            n = int(x) if x.isdigit() else NUMBER_WORDS.get(x)
            if n is not None and 0 < n <= k: found.append(" ".join(words[i:i + len(bound) + 1]))
            continue
        if w in OFTEN and OFTEN[w] < k: found.append(w); continue
        n = int(w) if w.isdigit() else NUMBER_WORDS.get(w)
        if n is None or not 0 < n < k: continue
        if nxt and nxt[0] in TIMES:
            if not set(nxt[1:]) & OWN_WORK: found.append(f"{w} {nxt[0]}")
            continue
        people = lambda x: x not in NOT_PEOPLE and bool(PEOPLE.search(x.split("-")[-1]))
        if w == "een":
            if nxt and people(nxt[0]) and not re.match(r"(gesprek|contact|signa)", nxt[0].split("-")[-1]): found.append(f"een {nxt[0]}")
            continue
        for x in nxt:
            if x in OWN_WORK or x in ("voor", "met", "in", "op", "bij", "van", "over", "for", "with", "at", "of"): break
            if people(x) or x in GROUPS: found.append(f"{w} {x}"); break
    return found


def theme_words(label):
    return [p.strip().lower() for p in re.split(r",|/| en ", label) if len(p.strip()) >= 4]


# ---- the audit over everything a reader receives ---------------------------------------------

def audit(reports, overviews=(), letters=()):
    """reports: [(name, doc)]; overviews: [(name, doc)]; letters: [(name, doc)].
    Returns (per report lines, violations [(tag, text)], cells audited)."""
    # Versions of one organisation's period, oldest first; reports numbered globally.
    def order(nd):
        d = nd[1]
        return (d["organisation"], d["periodStart"], d.get("signedOffOn") or "9999", d.get("status") == "draft", nd[0])
    reports = sorted(reports, key=order)
    m, problems, viol = Model(), [], []
    for r, (_, doc) in enumerate(reports): add_report(m, r, doc)
    periods = {}
    for r, (_, doc) in enumerate(reports): periods.setdefault((doc["organisation"], doc["periodStart"]), []).append(r)
    by_org = {}
    for (org, start), rs in sorted(periods.items()): by_org.setdefault(org, []).append((start, rs))
    for org, starts in by_org.items():
        for (s0, rs0), (s1, rs1) in zip(starts, starts[1:]):
            for r in rs1:  # `previous` is the version of the year before that had left by then
                when = reports[r][1].get("signedOffOn") or "9999"
                before = [p for p in rs0 if (reports[p][1].get("signedOffOn") or "9999") <= when] or rs0[:1]
                add_previous(m, r, reports[r][1], before[-1], reports[before[-1]][1], problems)
    for _, doc in overviews:
        year = doc["year"]
        latest = {org: rs[-1] for (org, start), rs in periods.items() if start.startswith(str(year))}
        for line in doc.get("lines", []):
            if line.get("total") is not None and line["organisation"] in latest:
                m.row({(latest[line["organisation"]], "#total"): 1}, line["total"], line["total"])
        for s_ in doc.get("sums", []):
            missing = [o for o in s_["organisations"] if o not in latest]
            if missing:
                viol.append(("overview", f"VIOLATION overview {year} {s_['table']}/{s_['key']}: names {missing}, whose report is not in the audit"))
                continue
            var = (lambda r: (r, "#total")) if s_["table"] == "#total" else (lambda r: (r, s_["table"], s_["key"]))
            m.row({var(latest[o]): 1 for o in s_["organisations"]}, s_["count"], s_["count"])
    feasible = not m.lo or m.solve({}) is not None
    if not feasible:
        viol.append(("contradiction", "VIOLATION the reports contradict each other (no counts satisfy them)"))
    lines, cells = [], 0

    def rng(objective):
        lo, hi = m.solve(objective), -m.solve({key: -v for key, v in objective.items()})
        return math.ceil(lo - 1e-6), (hi if hi == INF else math.floor(hi + 1e-6))

    for r, (name, doc) in enumerate(reports):
        k, narrowest, n = doc["k"], None, 0
        viol += [("previous", f"VIOLATION {name} inconsistent with last year's report: {p}") for q, p in problems if q == r]
        every = [c for t in doc.get("tables", []) for c in t["cells"]]
        marks = sorted({c["status"] for c in every if c["count"] is None and c["status"] != "merged"})
        unknown = sorted({c["status"] for c in every} - ALLOWED)
        if len(marks) > 1 or unknown or (marks and marks != ["hidden"]):
            viol.append(("markers", f"VIOLATION {name} status markers: hidden cells marked {marks}, markers outside "
                                    f"{sorted(ALLOWED)}: {unknown} (one marker, no reason)"))
        if any(c["count"] is None for c in every):
            for note in doc.get("notes", []):
                if SMALL.search(note): print(f"WARNING {name} note may say a hidden cell is small: {note!r}")
        if feasible and doc.get("total") is None:
            lo, hi = rng({(r, "#total"): 1})
            if lo != 0: viol.append(("existence", f"VIOLATION {name} total 'fewer than {k}': [{lo}, {hi}], so somebody came"))
        for t in doc.get("tables", []) if feasible else []:
            for c in t["cells"]:
                if c["count"] is not None or c["status"] == "combined": continue
                lo, hi = rng({(r, t["id"], c["key"]): 1})
                n += 1
                if narrowest is None or hi - lo < narrowest[1] - narrowest[0]: narrowest = (lo, hi, f"{t['id']}/{c['key']}")
                if 1 <= lo <= k - 1:
                    viol.append(("existence", f"VIOLATION {name} {t['id']}/{c['key']}: [{lo}, {hi}] k={k}: proven to hold somebody"))
                elif not hidden_ok(lo, hi, k):
                    viol.append(("hidden", f"VIOLATION {name} {t['id']}/{c['key']}: [{lo}, {hi}] k={k}"))
        # The advice list names no theme the subject tables hide.
        subject_tables = [t for t in doc.get("tables", []) if t["id"] == "category" or t["id"].startswith("subject_")]
        shown = {c["label"].lower() for t in subject_tables for c in t["cells"] if c["status"] == "published" and c["count"] is not None}
        shown_words = {w for label in shown for w in theme_words(label)}
        hidden_themes = {w for w in THEMES if w not in shown_words and not any(w in x for x in shown_words)}
        for a in doc.get("advice", []):
            named = [w for w in hidden_themes if w in a["subject"].lower()]
            if named: viol.append(("advice-theme", f"VIOLATION {name} advice list names hidden theme(s) {named}: {a['subject']!r}"))
        for sec in doc.get("sections", []):
            for f in small_figures(sec.get("text", ""), k):
                viol.append(("text", f"VIOLATION {name} section {sec['title']!r}: {f!r}"))
        cells += n
        lines.append((name, doc, n, narrowest))
    # Versions: whatever two versions of one year both let a reader compute must not differ by 1..k-1.
    for (org, start), rs in periods.items() if feasible else []:
        for i, a in enumerate(rs):
            for b in rs[i + 1:]:
                A, B, k = reports[a][1], reports[b][1], max(reports[a][1]["k"], reports[b][1]["k"])
                lo, hi = rng({(b, "#total"): 1, (a, "#total"): -1})
                if small_change(lo, hi, k):
                    viol.append(("versions", f"VIOLATION {org} {start[:4]} versions {a}->{b} total changed by [{lo}, {hi}]"))
                ka, kb = known_sets(A), known_sets(B)
                multi = {t["id"] for t in B.get("tables", []) if t["multiValued"]}
                for tid in set(ka) & set(kb):
                    common = ka[tid][0] & kb[tid][0]
                    sets = sorted({S for S in ka[tid][1] | kb[tid][1] if S <= common}, key=sorted)
                    # each set, the union of any two disjoint ones (a reader adds them up)
                    sets += [S | T for i_, S in enumerate(sets) for T in sets[i_ + 1:] if not S & T]
                    for S in dict.fromkeys(sets):
                        objs = [(1, "")] + ([(-1, "total minus ")] if tid in multi else [])
                        for sign, what in objs:
                            obj = {(b, tid, key): sign for key in S}
                            for key in S: obj[(a, tid, key)] = obj.get((a, tid, key), 0) - sign
                            if sign < 0: obj.update({(b, "#total"): 1, (a, "#total"): -1})
                            lo, hi = rng(obj)
                            if small_change(lo, hi, k):
                                viol.append(("versions", f"VIOLATION {org} {start[:4]} versions {a}->{b} {tid}/{what}{'+'.join(sorted(S))} "
                                                         f"changed by [{lo}, {hi}]"))
    for name, doc in letters:
        for letter in doc.get("letters", []):
            for f in small_figures(letter["subject"] + "\n" + letter["body"], doc["k"]):
                viol.append(("text", f"VIOLATION {name} letter to {letter['organisation']} of {letter['date']}: {f!r}"))
    return lines, viol, cells


THEMES = ["pesten", "seksuele intimidatie", "intimidatie", "discriminatie", "agressie", "geweld", "bedreiging",
          "machtsmisbruik", "werkdruk", "arbeidsconflict", "fraude", "steekpenningen", "corruptie", "lekken",
          "diefstal", "afpersing"]


def self_test():
    def report(total, cells, k=5, tid="regime", rules_=2):
        return {"organisation": "Zelftest", "periodStart": "2026-01-01", "k": k, "total": total, "previousTotal": None,
                "disclosureRules": rules_, "notes": [],
                "tables": [{"id": tid, "title": tid, "multiValued": tid == "referral",
                            "cells": [{"key": key, "label": key, "count": n, "status": s, "previous": None}
                                      for key, n, s in cells]}]}
    def run(*docs):
        lines, viol, n = audit([(f"r{i}", d) for i, d in enumerate(docs)])
        return [v for _, v in viol], n
    leaky = report(6, [("confidential", None, "complementary"), ("whistleblower", None, "suppressed")])
    viol, n = run(leaky)
    assert n == 2 and "VIOLATION r0 regime/whistleblower: [0, 1] k=5" in viol, viol
    assert any("status markers" in v for v in viol), viol
    relabelled = copy.deepcopy(leaky)
    for c in relabelled["tables"][0]["cells"]: c["status"] = "hidden"
    viol, n = run(relabelled)
    assert n == 2 and not viol, viol
    pinned = report(12, [("a", 10, "published"), ("b", None, "hidden"), ("c", None, "hidden")])
    viol, _ = run(pinned)
    assert viol == ["VIOLATION r0 regime/b: [0, 2] k=5", "VIOLATION r0 regime/c: [0, 2] k=5"], viol
    # Last year's hidden cell pinned by this year's `previous` column.
    last = report(12, [("a", None, "hidden"), ("b", None, "hidden"), ("c", 0, "published")])
    last["tables"][0]["cells"].append({"key": "regime.hidden", "label": "Overige samen", "count": 12, "status": "combined",
                                       "previous": None, "includes": ["a", "b"]})
    this = report(20, [("a", 20, "published"), ("b", 0, "published"), ("c", 0, "published")])
    last["periodStart"], this["tables"][0]["cells"][0]["previous"] = "2025-01-01", 9
    viol, _ = run(last, this)
    assert viol == ["VIOLATION r0 regime/a: [9, 9] k=5", "VIOLATION r0 regime/b: [3, 3] k=5: proven to hold somebody"], viol
    # Referral: 10 of 12 not referred, so no target holds more than 2 — whatever the combined cell says.
    targets = ("coach", "lawyer", "mediator", "police")
    referral = report(12, [(t, None, "hidden") for t in targets] + [("none", 10, "published"), ("referral.hidden", 6, "combined")],
                      tid="referral")
    viol, _ = run(referral)
    assert viol == [f"VIOLATION r0 referral/{t}: [0, 2] k=5" for t in targets], viol
    # Rules 1: both regimes hidden meant one of them held 1..4: with 6 contacts, WBK is 1..5.
    old = report(6, [("confidential", None, "hidden"), ("whistleblower", None, "hidden")], rules_=1)
    viol, _ = run(old)
    assert any("whistleblower: [1, 5] k=5: proven to hold somebody" in v for v in viol), viol
    assert small_figures("Er waren minder dan 5 meldingen en 2 integriteitsmeldingen.", 5) == ["minder dan 5", "2 integriteitsmeldingen"]
    assert small_figures("Twee workshops voor medewerkers; 2x per jaar; een gesprek met de directie.", 5) == []
    print(f"disclosure-audit self-test: ok ({'milp' if milp else 'linprog'})")


def load(files):
    reports, overviews, letters = [], [], []
    for f in files:
        doc = json.load(open(f))
        kind = doc.get("kind")
        (overviews if kind == "overview" else letters if kind == "letters" else reports).append((f, doc))
    return reports, overviews, letters


def fixtures(folder):
    """Each subfolder holds what a reader received from the code before issue 23, and
    expect.json the kinds of violation the audit must find in it."""
    import glob, os
    ok = True
    for sub in sorted(glob.glob(os.path.join(folder, "*/"))):
        expect = set(json.load(open(os.path.join(sub, "expect.json")))["tags"])
        files = [f for f in sorted(glob.glob(os.path.join(sub, "*.json"))) if not f.endswith("expect.json")]
        _, viol, _ = audit(*load(files))
        found = {tag for tag, _ in viol}
        name = os.path.basename(sub.rstrip("/"))
        if expect <= found:
            print(f"  before, {name}: found {len(viol)} violation(s) of {sorted(found)}")
            for _, v in viol[:3]: print(f"    {v}")
        else:
            ok = False
            print(f"  before, {name}: FAILED: expected {sorted(expect)}, found {sorted(found)}")
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="*")
    ap.add_argument("--self-test", action="store_true")
    ap.add_argument("--fixtures", help="a folder of before-fixtures: every one must be found")
    a = ap.parse_args()
    if a.self_test: return self_test()
    if a.fixtures:
        ok = fixtures(a.fixtures)
        print(f"disclosure-audit: fixtures {'all found' if ok else 'NOT all found'}")
        return 0 if ok else 1
    reports, overviews, letters = load(a.files)
    lines, viol, cells = audit(reports, overviews, letters)
    for name, doc, n, narrow in lines:
        span = f"{narrow[2]} [{narrow[0]}, {narrow[1]}]" if narrow else "-"
        print(f"{name}: {doc['organisation']} {doc['periodStart'][:4]} {doc.get('status', '')} k={doc['k']} "
              f"hidden cells audited {n}, narrowest {span}")
    for _, v in viol: print(v)
    texts = sum(len(d.get("letters", [])) for _, d in letters)
    print(f"disclosure-audit: {len(reports)} reports, {len(overviews)} overviews, {texts} letters, {cells} hidden cells audited, "
          f"{len(viol)} violations ({'exact integer bounds, milp' if milp else 'LP relaxation, linprog'})")
    return 1 if viol else 0


if __name__ == "__main__":
    sys.exit(main())
