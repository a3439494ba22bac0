#!/usr/bin/env python3
"""Registers the feed scenario's viewers through the API and makes each follow exactly N authors (the N most
prolific ones, so every feed page is full), for N in 1, 50 and 500; writes their tokens as a Lua table keyed by N.

    feed_viewers.py BASE_URL DATA.lua OUT.lua [--per-group=4] [--groups=1,50,500]

DATA.lua is prepare.py's file (the authors list, most articles first). Standard library only.
"""
import http.client
import json
import sys
import time
import urllib.parse

from prepare import read_lua_list


def main():
    base, data_file, out = sys.argv[1:4]
    opts = dict(a[2:].split("=", 1) for a in sys.argv[4:] if a.startswith("--"))
    per_group = int(opts.get("per-group", "4"))
    groups = [int(n) for n in opts.get("groups", "1,50,500").split(",")]
    authors = read_lua_list(data_file, "authors")
    if len(authors) < max(groups):
        sys.exit(f"feed_viewers: the dataset has {len(authors)} authors, fewer than {max(groups)}")
    url = urllib.parse.urlparse(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)

    def call(method, path, body=None, token=None):
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if token:
            headers["Authorization"] = "Token " + token
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        r = conn.getresponse()
        payload = r.read()
        if r.status >= 300:
            sys.exit(f"feed_viewers: {method} {path} answered {r.status}: {payload[:200]!r}")
        return json.loads(payload) if payload else None

    stamp = int(time.time())
    tokens = {}
    for n in groups:
        tokens[n] = []
        for i in range(per_group):
            name = f"feed{n}x{i}t{stamp}"
            user = call("POST", "/api/users", {"user": {"username": name, "email": name + "@bench.surge.dev",
                                                        "password": "bench-password"}})["user"]
            for author in authors[:n]:
                call("POST", "/api/profiles/" + urllib.parse.quote(author) + "/follow", {}, user["token"])
            tokens[n].append(user["token"])
    with open(out, "w") as f:
        f.write("return {\n")
        for n, ts in tokens.items():
            f.write(f"  [{n}] = {{" + ", ".join(json.dumps(t) for t in ts) + "},\n")
        f.write("}\n")
    print(f"feed_viewers: {per_group} viewers each following {', '.join(map(str, groups))} authors -> {out}")


if __name__ == "__main__":
    main()
