#!/usr/bin/env python3
"""Turns a benchmarks/run results folder (results.tsv, env.txt) into summary.md and PNG plots.

    report.py benchmarks/results/<timestamp>

summary.md: one row per measured run (baselines, scenarios, paced runs), the ratio of each scenario to its
baseline, the issue-7 targets met or missed and by how much. Plots (when matplotlib is there):
throughput.png, latency.png (p50/p90/p99/p99.9 per scenario) and read-anon-curve.png (latency vs throughput).
"""
import collections, csv, os, sys

# Which baseline each scenario is divided by (issue 7, part 3).
BASELINE = {"read-anon": "baseline-json", "read-auth": "baseline-json", "mixed": "baseline-json",
            "write-heavy": "baseline-json", "article-uncached": "baseline-query",
            # paired runs: the signed-in request against the same request anonymous; feeds against the anonymous list
            "list-anon": "baseline-json", "list-auth": "list-anon", "article-auth": "article-anon",
            "profile-auth": "profile-anon", "tags-auth": "tags-anon"}
GIB = 1024


def ms(us):
    return f"{float(us) / 1000:.1f}" if float(us) < 100_000 else f"{float(us) / 1000:.0f}"


def load(folder):
    with open(os.path.join(folder, "results.tsv")) as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t") if r["kind"] != "warmup"]
    for r in rows:
        for k in ("rps", "p50_us", "p90_us", "p99_us", "p999_us", "server_cores", "wrk_cores", "machine_cores"):
            r[k] = float(r[k])
        for k in ("requests", "unexpected", "throttled", "socket_errors", "rss_mib", "heap_mib", "connections", "rate"):
            r[k] = int(float(r[k]))
        # results folders written before the page columns existed have none
        r["bytes"], r["pages"] = int(float(r.get("bytes") or 0)), int(float(r.get("pages") or 0))
        r["pages_per_s"] = float(r.get("pages_per_s") or 0)
    return rows


def targets(by):
    """(target, measured, verdict) for each target (benchmarks/README.md) whose runs are in this report."""
    out = []
    def ratio_target(name, base, want, label):
        if name in by and base in by and by[base]["rps"] > 0:
            got = by[name]["rps"] / by[base]["rps"]
            verdict = "met" if got >= want else f"missed by {(want - got) * 100:.0f} points ({want / got:.1f}× short)"
            out.append((label, f"{got * 100:.1f}% ({by[name]['rps']:.0f} / {by[base]['rps']:.0f} req/s)", verdict))
    ratio_target("read-anon", "baseline-json", 0.60, "read-anon (warm caches) ≥ 60% of the JSON baseline")
    for pair in ("list", "article", "profile", "tags"):
        ratio_target(f"{pair}-auth", f"{pair}-anon", 0.80, f"signed-in {pair} ≥ 0.8× the same request anonymous")
    feeds = sorted((int(n[5:]), n) for n in by if n.startswith("feed-") and n[5:].isdigit())
    for _, name in feeds:
        ratio_target(name, "list-anon", 0.50, f"{name} (viewers following {name[5:]}) ≥ 0.5× the anonymous list")
    if len(feeds) > 1:
        (_, fewest), (_, most) = feeds[0], feeds[-1]
        if by[most]["rps"] > 0:
            slower = by[fewest]["rps"] / by[most]["rps"]
            out.append((f"{most} within 1.5× of {fewest}", f"{fewest} {by[fewest]['rps']:.0f} / {most} "
                        f"{by[most]['rps']:.0f} req/s = {slower:.2f}×", "met" if slower <= 1.5 else "missed"))
    rounds = hot_rounds(by)
    if rounds:
        got = sorted(r for _, _, r in rounds)[len(rounds) // 2]
        out.append(("warm anonymous list ≥ 0.60× a bare Vert.x server sending the same bytes (wrk -t1, alternated)",
                    f"median {got:.2f}× over {len(rounds)} rounds ("
                    + ", ".join(f"{a:.0f}/{b:.0f}" for a, b, _ in rounds) + " req/s)",
                    "met" if got >= 0.60 else f"missed by {(0.60 - got) * 100:.0f} points ({0.60 / got:.1f}× short)"))
    graphql, rest = front_page(by.get("front-graphql")), front_page(by.get("front-rest"))
    if graphql and rest:
        met = round(graphql["trips"], 2) <= 1.0 and graphql["cpu_ms"] <= rest["cpu_ms"]
        out.append(("front page by GraphQL: 1 round trip, server CPU per page ≤ REST's",
                    f"GraphQL {graphql['trips']:.2f} round trips, {graphql['cpu_ms']:.2f} ms CPU per page; REST "
                    f"{rest['trips']:.2f} round trips, {rest['cpu_ms']:.2f} ms CPU per page",
                    "met" if met else "missed" + ("" if round(graphql["trips"], 2) <= 1.0 else ": more than one round trip")
                    + ("" if graphql["cpu_ms"] <= rest["cpu_ms"] else
                       f": {graphql['cpu_ms'] / rest['cpu_ms']:.2f}× REST's CPU per page")))
    ratio_target("article-uncached", "baseline-query", 0.50, "uncached single article ≥ 50% of the query baseline")
    if "mixed@50" in by:
        r = by["mixed@50"]
        p99 = r["p99_us"] / 1000
        verdict = "met" if p99 < 20 else f"missed by {p99 - 20:.1f} ms ({p99 / 20:.1f}×)"
        out.append(("mixed p99 < 20 ms at half its peak",
                    f"p99 {p99:.1f} ms at {r['rps']:.0f} req/s (paced at {r['rate']})", verdict))
    bad = [(n, r["unexpected"] + r["socket_errors"]) for n, r in by.items() if r["unexpected"] + r["socket_errors"]]
    out.append(("zero errors except intended 429s",
                ", ".join(f"{n}: {e}" for n, e in bad) or "0 in every run", "met" if not bad else "missed"))
    if "connections" in by:
        r = by["connections"]
        held = r["connections"] if r["socket_errors"] == 0 else f"{r['connections']} ({r['socket_errors']} socket errors)"
        verdict = "met" if r["rss_mib"] < GIB and r["socket_errors"] == 0 else (
            f"missed: RSS {r['rss_mib'] - GIB} MiB over" if r["rss_mib"] >= GIB else "missed: socket errors")
        out.append((f"{r['connections']:,} connections with RSS < 1 GiB",
                    f"{held} held, peak RSS {r['rss_mib']} MiB, heap used {r['heap_mib']} MiB", verdict))
    return out


def warnings(folder):
    """WARN/ERROR lines of the nodes' logs, grouped by logger: Redis timeouts (cache bypassed) explain slow runs."""
    out = []
    logs = os.path.join(folder, "logs")
    for name in sorted(os.listdir(logs)) if os.path.isdir(logs) else []:
        if not name.startswith("surge"):
            continue
        counts = collections.Counter()
        with open(os.path.join(logs, name), errors="replace") as f:
            for line in f:
                parts = line.split()
                if len(parts) > 4 and parts[1] in ("WARN", "ERROR"):
                    what = "Redis unavailable" if "Redis unavailable" in line else parts[3]
                    counts[f"{parts[1]} {what}"] += 1
        if counts:
            out.append(f"- `{name}`: " + ", ".join(f"{n} × {k}" for k, n in counts.most_common(6)))
    return ["", "Server warnings (from the nodes' logs):", ""] + out if out else []


def profiles(folder):
    """The CPU profile summaries `run --profile` wrote (flame-<scenario>.md), each with its flame graph."""
    lines = []
    for name in sorted(os.listdir(folder)):
        if name.startswith("flame-") and name.endswith(".md"):
            run = name[len("flame-"):-len(".md")]
            with open(os.path.join(folder, name)) as f:
                lines += ["", f"## CPU profile of {run}", "",
                          f"async-profiler during the measured run; flame graph: [flame-{run}.html](flame-{run}.html).",
                          "", f.read().rstrip()]
    return lines


def plots(folder, rows):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("report: matplotlib is missing, no plots", file=sys.stderr)
        return []
    main = [r for r in rows if r["kind"] in ("baseline", "scenario", "paced", "pair", "front")]
    names = [r["name"] for r in main]
    made = []

    fig, ax = plt.subplots(figsize=(9, 4))
    colors = ["#999999" if r["kind"] == "baseline" else "#3b75af" for r in main]
    ax.bar(names, [r["rps"] for r in main], color=colors)
    ax.set_yscale("log")  # the baselines are 10–1000× the scenarios
    ax.set_ylabel("requests/s (log)")
    ax.set_title("Throughput per run (grey: bare Vert.x baselines)")
    for x, r in enumerate(main):
        ax.annotate(f"{r['rps']:.0f}", (x, r["rps"]), ha="center", va="bottom", fontsize=8)
    ax.tick_params(axis="x", rotation=30)
    fig.tight_layout(); fig.savefig(os.path.join(folder, "throughput.png"), dpi=90); plt.close(fig)
    made.append("throughput.png")

    fig, ax = plt.subplots(figsize=(9, 4))
    width = 0.2
    for i, (key, label) in enumerate([("p50_us", "p50"), ("p90_us", "p90"), ("p99_us", "p99"), ("p999_us", "p99.9")]):
        ax.bar([x + (i - 1.5) * width for x in range(len(main))], [r[key] / 1000 for r in main], width, label=label)
    ax.set_xticks(range(len(main)), names, rotation=30)
    ax.set_yscale("log"); ax.set_ylabel("latency, ms (log)"); ax.legend()
    ax.set_title("Latency percentiles per run")
    fig.tight_layout(); fig.savefig(os.path.join(folder, "latency.png"), dpi=90); plt.close(fig)
    made.append("latency.png")

    # The paced points as a line by achieved rate; the unpaced run (64 busy connections) as crosses.
    curve = sorted([r for r in rows if r["kind"] == "curve"], key=lambda r: r["rps"])
    unpaced = [r for r in rows if r["name"] == "read-anon"]
    if curve:
        fig, ax = plt.subplots(figsize=(7, 4))
        for key, label in [("p50_us", "p50"), ("p90_us", "p90"), ("p99_us", "p99"), ("p999_us", "p99.9")]:
            line, = ax.plot([r["rps"] for r in curve], [r[key] / 1000 for r in curve], marker="o", label=label)
            if unpaced:
                ax.plot([unpaced[0]["rps"]], [unpaced[0][key] / 1000], marker="x", markersize=10, color=line.get_color())
        ax.set_xlabel("achieved requests/s"); ax.set_ylabel("latency, ms (log)"); ax.set_yscale("log")
        ax.set_title("read-anon: paced at 25–125% of peak (o), unpaced (x)")
        ax.legend(); fig.tight_layout(); fig.savefig(os.path.join(folder, "read-anon-curve.png"), dpi=90)
        plt.close(fig)
        made.append("read-anon-curve.png")
    return made


def front_page(r):
    """Per-page figures of a front-page run (front.lua): None without the run or without a completed page."""
    if not r or r["pages"] <= 0 or r["pages_per_s"] <= 0:
        return None
    return {"pps": r["pages_per_s"], "trips": r["requests"] / r["pages"], "bytes": r["bytes"] / r["pages"],
            "cores": r["server_cores"], "cpu_ms": r["server_cores"] / r["pages_per_s"] * 1000}


def front_section(by):
    """The front-page comparison (the graphql scenario): GraphQL's one request against the REST calls it replaces."""
    runs = [(n, front_page(by.get(n))) for n in ("front-graphql", "front-rest")]
    runs = [(n, f) for n, f in runs if f]
    if not runs:
        return []
    lines = ["", "## Front page: GraphQL against REST", "",
             "The signed-in front page: 20 newest articles with each author (username, image, following), the "
             "viewer's favorited flag, favoritesCount and commentsCount. `front-graphql` reads it with one POST "
             "/graphql; `front-rest` with GET /api/articles?limit=20 and then GET /api/articles/:slug/comments for "
             "each of the 20 articles (REST has no comment count). Round trips per page are wrk's completed "
             "requests ÷ completed pages (pages still open when the run ends make REST's a little above 21); "
             "bytes are all that wrk read (headers included) ÷ pages; server CPU per page is the node's cores "
             "÷ pages/s.", "",
             "| run | pages/s | round trips per page | response bytes per page | server CPU (cores) "
             "| server CPU per page ms |", "|---|---|---|---|---|---|"]
    for n, f in runs:
        lines.append(f"| {n} | {f['pps']:.1f} | {f['trips']:.2f} | {f['bytes']:,.0f} | {f['cores']:.2f} "
                     f"| {f['cpu_ms']:.2f} |")
    return lines


def hot_rounds(by):
    """(list req/s, bytes-baseline req/s, ratio) for each alternated round of the hot-list scenario."""
    out, n = [], 1
    while f"hot-list-{n}" in by and f"hot-bytes-{n}" in by:
        a, b = by[f"hot-list-{n}"]["rps"], by[f"hot-bytes-{n}"]["rps"]
        if b > 0:
            out.append((a, b, a / b))
        n += 1
    return out


def main():
    folder = sys.argv[1]
    rows = load(folder)
    by = {r["name"]: r for r in rows}
    env = open(os.path.join(folder, "env.txt")).read().strip()
    lines = ["# Surge benchmark summary", "", "```", env, "```", "",
             "wrk (`-t2`, keep-alive) and the server share this machine's cores; neither is pinned (with 2 cores "
             "there is nothing to split), so the CPU columns say where the time went: the server's and wrk's "
             "CPU in cores (from /proc utime+stime deltas), and the whole machine's (everyone's processes, "
             "including other work on a shared machine). Latencies are wrk's, measured from send; paced runs "
             "use wrk's delay() per connection (wrk2 is not installed), so they are not corrected for coordinated "
             "omission.", "",
             "| run | req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | unexpected | 429 | socket errors | vs baseline "
             "| server CPU | wrk CPU | machine CPU | server RSS MiB | heap MiB | conns |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        base = BASELINE.get(r["name"]) or ("list-anon" if r["name"].startswith("feed-") else
                                            "hot-bytes-" + r["name"][9:] if r["name"].startswith("hot-list-") else None)
        pct = r["rps"] / by[base]["rps"] * 100 if base in by and by[base]["rps"] else None
        ratio = "—" if pct is None else f"{pct:.1f}% of {base}" if pct < 10 else f"{pct:.0f}% of {base}"
        label = r["name"] + (f" (paced {r['rate']}/s)" if r["rate"] else "")
        lines.append(f"| {label} | {r['rps']:.0f} | {ms(r['p50_us'])} | {ms(r['p90_us'])} | {ms(r['p99_us'])} "
                     f"| {ms(r['p999_us'])} | {r['unexpected']} | {r['throttled']} | {r['socket_errors']} | {ratio} "
                     f"| {r['server_cores']:.2f} | {r['wrk_cores']:.2f} | {r['machine_cores']:.2f} "
                     f"| {r['rss_mib']} | {r['heap_mib']} | {r['connections']} |")
    samples = [(r["name"], r["samples"]) for r in rows if r["samples"] not in ("", "-")]
    if samples:
        lines += ["", "First unexpected responses:", ""] + [f"- {n}: {s}" for n, s in samples]
    gatling = os.path.join(folder, "gatling.tsv")
    if os.path.exists(gatling):
        lines += ["", "## Gatling sessions", "",
                  "Closed model, N virtual users each running the scenario's journey (login or register, then "
                  "browsing and writes) again and again; response times in ms as Gatling reports them; the "
                  "HTML reports are in `gatling/`.", "",
                  "| simulation | req/s | p50 | p75 | p95 | p99 | ok | failed | users | assertion (0 failed) |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        with open(gatling) as f:
            for row in csv.reader(f, delimiter="\t"):
                lines.append("| " + " | ".join(row) + " |")
    lines += front_section(by)
    lines += warnings(folder)
    lines += profiles(folder)
    lines += ["", "## Targets", "", "| target | measured | verdict |", "|---|---|---|"]
    lines += [f"| {t} | {m} | {v} |" for t, m, v in targets(by)]
    made = plots(folder, rows)
    if made:
        lines += ["", "## Plots", ""] + [f"![{m}]({m})" for m in made]
    with open(os.path.join(folder, "summary.md"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
