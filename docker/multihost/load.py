#!/usr/bin/env python3
"""Steady, bounded mixed load for docker/multihost/run (standard library only).

    load.py URL TOKEN SLUGS_FILE OUT_JSON [--workers N] [--rate R] [--seconds S] [--max-requests M]

Each worker keeps one keep-alive connection to URL (HAProxy) and sends at most R requests per second:
GET /api/articles, GET /api/tags, GET /api/articles/<slug>, favorite / unfavorite (POST / DELETE) and now
and then a new article (POST). It stops at S seconds, after M requests in all, or on SIGTERM / SIGINT,
and writes OUT_JSON: counts by method and status ("ERR" = no HTTP answer at all), the requests that did
not get a 2xx (time, method, path, status), and how many articles it created (each one an outbox event).
"""
import argparse
import http.client
import json
import random
import signal
import threading
import time
import urllib.parse

stop = threading.Event()
lock = threading.Lock()
counts = {}  # "METHOD STATUS" -> n
failures = []  # {t, method, path, status}
created = 0
sent = 0


def record(method, path, status, t, error=None):
    global created
    key = f"{method} {status}"
    with lock:
        counts[key] = counts.get(key, 0) + 1
        ok = isinstance(status, int) and 200 <= status < 300
        if not ok and len(failures) < 500:
            failures.append({"t": round(t, 3), "method": method, "path": path, "status": status, "error": error})
        if ok and method == "POST" and path == "/api/articles":
            created += 1


def worker(n, host, port, token, slugs, rate, deadline, max_requests):
    global sent
    rnd = random.Random(n)
    conn = None
    favorited = set()
    period = 1.0 / rate
    next_at = time.monotonic()
    seq = 0
    while not stop.is_set() and time.monotonic() < deadline:
        with lock:
            if sent >= max_requests:
                break
            sent += 1
        seq += 1
        roll = rnd.random()
        headers = {"Host": "surge", "Accept": "application/json"}
        body = None
        if roll < 0.40:
            method, path = "GET", f"/api/articles?limit=10&offset={rnd.randrange(0, 30)}"
        elif roll < 0.62:
            method, path = "GET", "/api/tags"
        elif roll < 0.82:
            method, path = "GET", "/api/articles/" + rnd.choice(slugs)
        elif roll < 0.96:
            slug = rnd.choice(slugs)
            method = "DELETE" if slug in favorited else "POST"
            path = f"/api/articles/{slug}/favorite"
            headers["Authorization"] = "Token " + token
            (favorited.discard if method == "DELETE" else favorited.add)(slug)
        else:
            method, path = "POST", "/api/articles"
            headers["Authorization"] = "Token " + token
            headers["Content-Type"] = "application/json"
            body = json.dumps({"article": {"title": f"load {n}-{seq}-{time.time_ns()}",
                                           "description": "multihost load", "body": "load",
                                           "tagList": ["multihost"]}})
        t = time.time()
        status = "ERR"
        error = None
        try:
            if conn is None:
                conn = http.client.HTTPConnection(host, port, timeout=15)
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            resp.read()
            status = resp.status
            if resp.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = None
        except (OSError, http.client.HTTPException) as e:
            error = repr(e)
            if conn is not None:
                conn.close()
            conn = None
        record(method, path.split("?")[0], status, t, error)
        next_at += period
        delay = next_at - time.monotonic()
        if delay > 0:
            stop.wait(delay)
        else:
            next_at = time.monotonic()
    if conn is not None:
        conn.close()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("url")
    p.add_argument("token")
    p.add_argument("slugs")
    p.add_argument("out")
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--rate", type=float, default=20.0)
    p.add_argument("--seconds", type=float, default=120.0)
    p.add_argument("--max-requests", type=int, default=50000)
    a = p.parse_args()
    u = urllib.parse.urlparse(a.url)
    slugs = [s for s in open(a.slugs).read().split() if s]
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    start = time.time()
    deadline = time.monotonic() + a.seconds
    threads = [threading.Thread(target=worker, daemon=True,
                                args=(i, u.hostname, u.port or 80, a.token, slugs, a.rate, deadline, a.max_requests))
               for i in range(a.workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    total = sum(counts.values())
    bad = sum(v for k, v in counts.items() if not k.split()[1].startswith("2"))
    out = {"started": start, "seconds": round(time.time() - start, 1), "requests": total, "failed": bad,
           "counts": dict(sorted(counts.items())), "failures": failures, "articlesCreated": created}
    with open(a.out, "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
