#!/usr/bin/env python3
"""Writes the Lua data file the wrk scenarios load (BENCH_DATA): article slugs in popularity order, tags and
authors ordered by article count, and one HS256 JWT per seeded user, signed here before wrk starts so that
wrk spends no time on crypto. The tokens are what surge.auth.Tokens issues: iss, aud, sub = user id, iat, exp,
and the key id derived from the secret.

    prepare.py DATASET_DIR SECRET OUT.lua [--issuer=surge] [--audience=surge-api] [--max-tokens=N]
"""
import base64, collections, csv, hashlib, hmac, json, re, sys, time


def b64(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def sign(secret, claims):
    kid = "hs-" + hashlib.sha256(secret.encode()).hexdigest()[:8]
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}, separators=(",", ":")).encode())
    payload = b64(json.dumps(claims, separators=(",", ":")).encode())
    signature = hmac.new(secret.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{b64(signature)}"


def lua_list(name, items):
    return f"  {name} = {{\n" + "".join(f'    "{item}",\n' for item in items) + "  },\n"


def read_lua_list(path, name):
    """The items of one list lua_list wrote into the data file at path (for the scripts that drive the API)."""
    block = re.search(name + r"\s*=\s*\{(.*?)\}", open(path).read(), re.S).group(1)
    return re.findall(r'"((?:[^"\\]|\\.)*)"', block)


def main():
    dataset, secret, out = sys.argv[1:4]
    opts = dict(a[2:].split("=", 1) for a in sys.argv[4:])
    issuer, audience = opts.get("issuer", "surge"), opts.get("audience", "surge-api")
    max_tokens = int(opts.get("max-tokens", "1000000"))
    with open(f"{dataset}/users.csv") as f:
        users = list(csv.DictReader(f))
    with open(f"{dataset}/articles.csv") as f:
        articles = list(csv.DictReader(f))  # ordered by popularity rank already
    tag_counts = collections.Counter(t for a in articles for t in a["tags"].split("|") if t)
    author_counts = collections.Counter(int(a["authorIndex"]) for a in articles)
    now = int(time.time())
    tokens = [sign(secret, {"sub": u["id"], "iss": issuer, "aud": [audience], "iat": now, "exp": now + 86400})
              for u in users[:max_tokens]]
    with open(out, "w") as f:
        f.write("return {\n")
        f.write(lua_list("slugs", [a["slug"] for a in articles]))
        f.write(lua_list("tags", [t for t, _ in tag_counts.most_common()]))
        f.write(lua_list("authors", [users[i]["username"] for i, _ in author_counts.most_common()]))
        f.write(lua_list("tokens", tokens))
        f.write("}\n")
    print(f"prepare: {len(articles)} slugs, {len(tag_counts)} tags, {len(author_counts)} authors, "
          f"{len(tokens)} tokens -> {out}")


if __name__ == "__main__":
    main()
