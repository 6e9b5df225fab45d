#!/usr/bin/env python3
"""The counsellor's pages at scale, and start-up: runs `vertrouwd benchmark-pages` (fills an empty
database with N cases over 200 organisations and 10 counsellors, then times the dashboard, the
case list, a case page, an organisation page and the public page over HTTP: p50/p99/max), then
starts `serve` on that filled database and on an empty one and prints the time to /healthz and
the idle RSS of each.

Usage: scripts/bench-pages.py [--binary .build/release/vertrouwd] [--cases 100000] [--requests 300]
                              [--database-url postgres://...]
Uses a fresh data folder (embedded SQLite), or with --database-url that PostgreSQL database (it
must be empty; the empty-start measurement then uses a second database beside it,
<name>_empty, which it creates and drops with psql when it can). Loopback only; stops by itself.
"""
import argparse, importlib.util, os, shutil, socket, subprocess, sys, tempfile, time, urllib.parse

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("bench_public", os.path.join(here, "bench-public.py"))
bench_public = importlib.util.module_from_spec(spec); spec.loader.exec_module(bench_public)

def start_and_measure(binary, env, label):
    port = bench_public.free_port()
    server, took = bench_public.start_server(binary, env, port)
    try:
        time.sleep(2)
        rss = bench_public.rss_kb(server.pid, "VmRSS") / 1024
        print(f"start-up, {label}: /healthz after {took * 1000:.0f} ms; RSS idle {rss:.1f} MiB")
    finally:
        server.terminate(); server.wait(timeout=20)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=".build/release/vertrouwd")
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--requests", type=int, default=300)
    ap.add_argument("--database-url")
    args = ap.parse_args()
    data = tempfile.mkdtemp(prefix="vertrouwd-bench-pages-")
    empty = tempfile.mkdtemp(prefix="vertrouwd-bench-empty-")
    env = dict(os.environ, VERTROUWD_DATA_DIR=data, LOG_LEVEL="warning")
    env.pop("DATABASE_URL", None)
    empty_env = dict(env, VERTROUWD_DATA_DIR=empty)
    empty_db = None
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
        url = urllib.parse.urlsplit(args.database_url)
        empty_db = url.path.lstrip("/") + "_empty"
        empty_env["DATABASE_URL"] = urllib.parse.urlunsplit(url._replace(path="/" + empty_db))
    try:
        print(f"database: {'PostgreSQL' if args.database_url else 'SQLite'}; binary {args.binary}", flush=True)
        subprocess.run([args.binary, "benchmark-pages", "--cases", str(args.cases), "--requests", str(args.requests)],
                       env=env, check=True)
        if not args.database_url:
            size = sum(os.path.getsize(os.path.join(data, f)) for f in os.listdir(data))
            print(f"data folder: {size / 1e6:.0f} MB")
        start_and_measure(args.binary, env, f"{args.cases} cases")
        if empty_db:
            admin = urllib.parse.urlunsplit(url._replace(path="/postgres"))
            subprocess.run(["psql", admin, "-qc", f'DROP DATABASE IF EXISTS "{empty_db}"', "-c", f'CREATE DATABASE "{empty_db}"'], check=True)
        start_and_measure(args.binary, empty_env, "empty database (migrations included)")
    finally:
        if empty_db:
            subprocess.run(["psql", admin, "-qc", f'DROP DATABASE IF EXISTS "{empty_db}"'])
        shutil.rmtree(data, ignore_errors=True); shutil.rmtree(empty, ignore_errors=True)

if __name__ == "__main__":
    main()
