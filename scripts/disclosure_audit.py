#!/usr/bin/env python3
"""Independent audit of published annual reports (JSON): can a reader pin down a hidden cell?

For every hidden cell (count null: suppressed, merged into an "overig" cell, or hidden) this
computes the smallest and largest true count consistent with everything the organisation
receives — all its reports passed together (this year's and last year's), every table, the
totals, the "Overige samen" sums, last year's column — and requires that interval [lo, hi]
  * to hold a value outside 1..k-1 (lo == 0 or hi >= k): the cell cannot be proven small, and
  * to be at least k wide (hi - lo >= k): the cell cannot be narrowed to fewer than k+1 values.
It also fails a report whose hidden cells carry any marker but "hidden" (one marker, no reason:
a status such as suppressed/complementary tells small from large), and warns about notes that
say something hidden is small ("te weinig").

What is modelled (all true of the reports, see docs/ANONYMITY.md): counts >= 0; shown cells
equal their count; "suppressed" = 0..k-1 and "complementary" >= k (old reports: labels are
information); a single-valued table sums to the total; merged cells sum to their "overig" cell;
a multi-valued cell (not an "overig" sum) <= total; referral: every case is in "none" or in at
least one target (sum >= total) and a target's cases are not "none" (target + none <= total);
the combined cell is the sum of the cells it names; where a table hides cells beside shown ones
and has no combined cell, the hidden sum is < k (the builder shows it when >= k); WBK deadlines
sum to the regime table's whistleblower cell; `previous`/`previousTotal` equal last year's cell.
Not modelled (so the bounds may be wider than a reader who knows the algorithm can get): the
order in which cells are merged or hidden (merged cells are the group's smallest; the hidden
cells are the smallest of the table), and that a missing quarter table means a quarter < k.

Exactness: with scipy.optimize.milp (scipy >= 1.9) the bounds are exact integer bounds of this
model. The linprog fallback solves the LP relaxation, whose interval contains the integer one;
rounding it inward (ceil lo, floor hi) is still an outer bound. So a VIOLATION under linprog is
real, but a pass under linprog does not prove a pass under integers (these sums are not
guaranteed totally unimodular): use milp for a proof.

Usage: disclosure_audit.py [--each] report.json ...   |   disclosure_audit.py --self-test
Exit status 1 when any violation is found, 0 otherwise.
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


def add_report(m, r, doc):
    """The constraints one report states about its own year's counts (report number r)."""
    k, total = doc["k"], (r, "#total")
    m.bound(total, *((doc["total"], doc["total"]) if doc.get("total") is not None else (0, k - 1)))
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
        if hidden and not combined and len(hidden) < len(plain):
            m.row({X(h["key"]): 1 for h in hidden}, 0, k - 1)


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


def audit_group(reports):
    """reports: [(name, doc)] of one organisation. Returns per report (name, doc, cells, narrowest,
    violations, warnings)."""
    reports = sorted(reports, key=lambda nd: nd[1]["periodStart"])
    m, problems = Model(), []
    for r, (_, doc) in enumerate(reports):
        add_report(m, r, doc)
        if r > 0: add_previous(m, r, doc, r - 1, reports[r - 1][1], problems)
    feasible = m.solve({}) is not None
    out = []
    for r, (name, doc) in enumerate(reports):
        k, viol, warn, narrowest, cells = doc["k"], [], [], None, 0
        viol += [f"VIOLATION {name} inconsistent with last year's report: {p}" for q, p in problems if q == r]
        if not feasible:
            viol.append(f"VIOLATION {name}: the reports contradict each other (no counts satisfy them)")
        every = [c for t in doc.get("tables", []) for c in t["cells"]]
        marks = sorted({c["status"] for c in every if c["count"] is None and c["status"] != "merged"})
        unknown = sorted({c["status"] for c in every} - ALLOWED)
        if len(marks) > 1 or unknown or (marks and marks != ["hidden"]):
            viol.append(f"VIOLATION {name} status markers: hidden cells marked {marks}, markers outside "
                        f"{sorted(ALLOWED)}: {unknown} (one marker, no reason)")
        if any(c["count"] is None for c in every):
            warn += [f"WARNING {name} note may say a hidden cell is small: {n!r}" for n in doc.get("notes", []) if SMALL.search(n)]
        for t in doc.get("tables", []) if feasible else []:
            for c in t["cells"]:
                if c["count"] is not None or c["status"] == "combined": continue
                key = (r, t["id"], c["key"])
                lo, hi = m.solve({key: 1}), -m.solve({key: -1})
                lo, hi = math.ceil(lo - 1e-6), (hi if hi == INF else math.floor(hi + 1e-6))
                cells += 1
                if narrowest is None or hi - lo < narrowest[1] - narrowest[0]:
                    narrowest = (lo, hi, f"{t['id']}/{c['key']}")
                if not ((lo == 0 or hi >= k) and hi - lo >= k):
                    viol.append(f"VIOLATION {name} {t['id']}/{c['key']}: [{lo}, {hi}] k={k}")
        out.append((name, doc, cells, narrowest, viol, warn))
    return out


def self_test():
    def report(total, cells, k=5, tid="regime"):
        return {"organisation": "Zelftest", "periodStart": "2026-01-01", "k": k, "total": total, "previousTotal": None,
                "notes": [], "tables": [{"id": tid, "title": tid, "multiValued": tid == "referral",
                                         "cells": [{"key": key, "label": key, "count": n, "status": s, "previous": None}
                                                   for key, n, s in cells]}]}
    leaky = report(6, [("confidential", None, "complementary"), ("whistleblower", None, "suppressed")])
    [(_, _, n, _, viol, _)] = audit_group([("leaky", leaky)])
    assert n == 2 and "VIOLATION leaky regime/whistleblower: [0, 1] k=5" in viol, viol
    assert any("status markers" in v for v in viol), viol
    relabelled = copy.deepcopy(leaky)
    for c in relabelled["tables"][0]["cells"]: c["status"] = "hidden"
    [(_, _, n, narrowest, viol, _)] = audit_group([("relabelled", relabelled)])
    assert n == 2 and not viol and narrowest[:2] == (0, 6), (viol, narrowest)
    pinned = report(12, [("a", 10, "published"), ("b", None, "hidden"), ("c", None, "hidden")])
    [(_, _, _, _, viol, _)] = audit_group([("pinned", pinned)])
    assert viol == ["VIOLATION pinned regime/b: [0, 2] k=5", "VIOLATION pinned regime/c: [0, 2] k=5"], viol
    # Last year's hidden cell pinned by this year's `previous` column.
    last = report(12, [("a", None, "hidden"), ("b", None, "hidden"), ("c", 0, "published")])
    last["tables"][0]["cells"].append({"key": "regime.hidden", "label": "Overige samen", "count": 12, "status": "combined",
                                       "previous": None, "includes": ["a", "b"]})
    this = report(20, [("a", 20, "published"), ("b", 0, "published"), ("c", 0, "published")])
    last["periodStart"], this["tables"][0]["cells"][0]["previous"] = "2025-01-01", 9
    viol = [v for res in audit_group([("last", last), ("this", this)]) for v in res[4]]
    assert viol == ["VIOLATION last regime/a: [9, 9] k=5", "VIOLATION last regime/b: [3, 3] k=5"], viol
    # Referral: 10 of 12 not referred, so no target holds more than 2 — whatever the combined cell says.
    targets = ("coach", "lawyer", "mediator", "police")  # 2 cases, each sent to the first three
    referral = report(12, [(t, None, "hidden") for t in targets] + [("none", 10, "published"), ("referral.hidden", 6, "combined")],
                      tid="referral")
    assert audit_group([("referral", referral)])[0][4] == [f"VIOLATION referral referral/{t}: [0, 2] k=5" for t in targets]
    print(f"disclosure-audit self-test: ok ({'milp' if milp else 'linprog'})")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="*")
    ap.add_argument("--self-test", action="store_true")
    ap.add_argument("--each", action="store_true", help="audit every file on its own, not grouped by organisation")
    a = ap.parse_args()
    if a.self_test: return self_test()
    groups = {}
    for f in a.files:
        doc = json.load(open(f))
        key = f if a.each else doc["organisation"]
        if any(d["periodStart"] == doc["periodStart"] for _, d in groups.get(key, [])):
            sys.exit(f"disclosure-audit: two reports of {doc['organisation']} for {doc['periodStart']}: use --each")
        groups.setdefault(key, []).append((f, doc))
    bad = cells = reports = 0
    for group in groups.values():
        for name, doc, n, narrow, viol, warn in audit_group(group):
            span = f"{narrow[2]} [{narrow[0]}, {narrow[1]}]" if narrow else "-"
            print(f"{name}: {doc['organisation']} {doc['periodStart'][:4]} k={doc['k']} hidden cells audited {n}, narrowest {span}")
            for line in viol + warn: print(line)
            bad, cells, reports = bad + len(viol), cells + n, reports + 1
    print(f"disclosure-audit: {reports} reports, {cells} hidden cells audited, {bad} violations "
          f"({'exact integer bounds, milp' if milp else 'LP relaxation, linprog'})")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
