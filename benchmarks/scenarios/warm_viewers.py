#!/usr/bin/env python3
"""The signed-in warm-up's first part: reads every seeded viewer's feed once, concurrently, and returns when all
are read. One feed read loads what a viewer's later signed-in reads use (their followees and favorites, their
timeline and its count), so the measured runs see every seeded viewer as a node in steady state does; a random
pick in a warm-up of a few seconds reaches only a part of them, and the rest would pay their first read, a timeline
rebuild and several queries, inside the measured runs. (wrk cannot end a run when a walk is done.)

    warm_viewers.py BASE_URL DATA.lua [--concurrency=32]

DATA.lua is prepare.py's file (its tokens list). Standard library only.
"""
import collections
import http.client
import sys
import threading
import time
import urllib.parse

from prepare import read_lua_list


def main():
    base, data_file = sys.argv[1:3]
    opts = dict(a[2:].split("=", 1) for a in sys.argv[3:] if a.startswith("--"))
    concurrency = int(opts.get("concurrency", "32"))
    tokens = read_lua_list(data_file, "tokens")
    url = urllib.parse.urlparse(base)
    statuses = collections.Counter()
    lock = threading.Lock()
    next_index = iter(range(len(tokens)))

    def walk():
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        while True:
            with lock:
                i = next(next_index, None)
            if i is None:
                return
            try:
                conn.request("GET", "/api/articles/feed?limit=20",
                             headers={"Accept": "application/json", "Authorization": "Token " + tokens[i]})
                r = conn.getresponse()
                r.read()
                status = r.status
            except (OSError, http.client.HTTPException) as e:  # counted, so the walk fails rather than leaving this viewer cold unnoticed
                status = type(e).__name__
                conn.close()
            with lock:
                statuses[status] += 1

    started = time.time()
    threads = [threading.Thread(target=walk) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.time() - started
    print(f"warm_viewers: {len(tokens)} viewers' feeds in {seconds:.1f} s ({len(tokens) / seconds:.0f}/s), "
          f"statuses {dict(statuses)}")
    if set(statuses) != {200}:
        sys.exit("warm_viewers: a feed read did not answer 200")


if __name__ == "__main__":
    main()
