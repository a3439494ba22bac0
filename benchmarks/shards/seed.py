#!/usr/bin/env python3
"""Writes one deterministic dataset through the API of every node given, in the same order.

Usage: seed.py USERS ARTICLES_PER_USER URL [URL...]
"""
import json
import random
import sys
import urllib.request

TAGS = [f"tag{i}" for i in range(40)]


def call(url, method, path, body=None, token=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Token " + token)
    with urllib.request.urlopen(req) as resp:
        return json.loads(resp.read() or b"null")


def main():
    users, per_user, urls = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
    rnd = random.Random(42)
    tokens = {url: [] for url in urls}
    for u in range(users):
        for url in urls:
            user = call(url, "POST", "/api/users", {"user": {
                "username": f"bench{u}", "email": f"bench{u}@bench.surge.dev", "password": "bench-password"}})
            tokens[url].append(user["user"]["token"])
    plan = [(rnd.randrange(users), rnd.sample(TAGS, 3)) for _ in range(users * per_user)]
    for i, (author, tags) in enumerate(plan):
        for url in urls:
            call(url, "POST", "/api/articles", {"article": {
                "title": f"Benchmark article {i}", "description": "a seeded article",
                "body": "lorem ipsum " * 40, "tagList": tags}}, tokens[url][author])
        if i % 200 == 0:
            print(f"seed: {i}/{len(plan)} articles", flush=True)
    print(f"seed: {users} users, {len(plan)} articles on {len(urls)} node(s)")


if __name__ == "__main__":
    main()
