#!/usr/bin/env python3
"""Summarises an async-profiler collapsed-stack file (what `benchmarks/run --profile` writes next to the flame
graph) as Markdown: where the samples go by component, the hottest leaf frames, and the Surge methods that cost most
(each with the library code it calls).

    benchmarks/flame.py results/<run>/flame-read-anon.collapsed [event]
"""
import re
import sys
from collections import Counter

JAVA = re.compile(r"^[A-Za-z_$][\w$]*(/[\w$]+)+\.")  # package/Class.method, not a native or kernel frame
# The library of a Java frame, first match wins.
LIBRARIES = [("surge/", "Surge code"), ("com/fasterxml/jackson/", "Jackson (JSON)"),
             ("io/vertx/pgclient/", "pg client"), ("io/vertx/sqlclient/", "pg client"),
             ("io/vertx/redis/", "Redis client"), ("io/vertx/ext/web/", "Vert.x Web (router, handlers)"),
             ("io/vertx/core/", "Vert.x core"), ("io/netty/", "Netty"),
             ("com/github/benmanes/caffeine/", "Caffeine"), ("io/micrometer/", "Micrometer"),
             ("io/opentelemetry/", "OpenTelemetry"), ("com/hazelcast/", "Hazelcast"),
             ("org/apache/kafka/", "Kafka client"), ("java/", "JDK"), ("jdk/", "JDK"), ("sun/", "JDK")]


def parse(path):
    with open(path) as f:
        for line in f:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            if stack:
                # lambdas' hidden-class addresses differ between runs and say nothing
                yield [re.sub(r"\.0x[0-9a-f]+", "", f) for f in stack.split(";")], int(count)


def component(frames):
    """One bucket per sample. The event loops' epoll_wait and NIO's socket calls are named apart; everything
    else goes to the library of the innermost Java frame (its native and kernel callees with it)."""
    if any("epoll_wait" in f for f in frames):
        return "epoll_wait: event loops parking and waking (kernel, context switches)"
    java = [f for f in frames if JAVA.match(f)]
    # below the innermost Java frame only native code (libc's write, the kernel): a system call of NIO
    if java and frames[-1] != java[-1] and any(f.startswith("sun/nio/ch/") for f in java):
        return "socket reads and writes (system calls)"
    if java:
        return next((name for prefix, name in LIBRARIES if java[-1].startswith(prefix)), "other Java")
    text = ";".join(frames)
    if "CompileBroker" in text:
        return "JIT compiler threads"
    if re.search(r"G1|GangWorker|ConcurrentGC|GCTaskThread|WorkerThread", text):
        return "GC threads"
    return "other JVM and native"


def table(title, counts, total, top):
    rows = [f"| {name} | {n:,} | {n / total:.1%} |" for name, n in counts.most_common(top)]
    return [f"| {title} | samples | share |", "|---|---|---|"] + rows + [""]


def main():
    path = sys.argv[1]
    event = sys.argv[2] if len(sys.argv) > 2 else "?"
    parts, leaves, surge = Counter(), Counter(), Counter()
    total = 0
    for frames, n in parse(path):
        total += n
        parts[component(frames)] += n
        leaves[frames[-1]] += n
        # the innermost Surge frame: the handlers wrap each other, so counting every Surge frame says little
        own = [f for f in frames if f.startswith("surge/")]
        if own:
            surge[own[-1]] += n
    if not total:
        print("No samples.")
        return
    out = [f"{total:,} samples (event={event}). Each sample goes to one component: the library of its innermost "
           "Java frame, except the system-call time named apart.", ""]
    if event == "cpu" and not any(f.endswith("_[k]") for f in leaves):
        out += ["No kernel frames: perf_events were not usable, and the agent sampled with a timer instead.", ""]
    out += table("component", parts, total, 20)
    out += table("hottest leaf frames (self)", leaves, total, 12)
    out += table("innermost Surge frame (with the library code it calls)", surge, total, 15)
    print("\n".join(out))


if __name__ == "__main__":
    main()
