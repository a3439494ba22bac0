"""Opens N idle SSE streams against one Surge node, holds them, and reports what the server pays for them.

usage: client.py PORT SERVER_PID HOLD_SECONDS CONNECTIONS FANOUT TOKEN [TOKEN ...]
Prints one JSON object: connected, failed, connect seconds, samples of /health/stream and server memory, and with
FANOUT > 0 the delivery of that many new articles by the first user (whom every other user follows) through the
real path (API write, outbox, relay, Kafka, event bus, every stream of a follower).
One process holds all the client sockets (the per-process open-files cap is 20,000 here).
"""
import asyncio
import json
import re
import resource
import subprocess
import sys
import time

PORT, PID, HOLD, N, FANOUT = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
TOKENS = sys.argv[6:]
MARK = b"fanout-"
seen = {}  # article title -> [streams that got it, monotonic time of the first, of the last]
PARALLEL_CONNECTS = 200


def server_memory():
    status = open(f"/proc/{PID}/status").read()
    kib = lambda key: int(re.search(rf"^{key}:\s+(\d+) kB", status, re.M).group(1))
    return {"rssMiB": round(kib("VmRSS") / 1024, 1), "peakRssMiB": round(kib("VmHWM") / 1024, 1),
            "threads": int(re.search(r"^Threads:\s+(\d+)", status, re.M).group(1))}


def heap(gc_first):
    """Heap in use (MiB) from jcmd GC.heap_info; after a full GC when asked (the live set)."""
    if gc_first:
        subprocess.run(["jcmd", str(PID), "GC.run"], capture_output=True, timeout=60)
    out = subprocess.run(["jcmd", str(PID), "GC.heap_info"], capture_output=True, text=True, timeout=60).stdout
    m = re.search(r"total (\d+)K, used (\d+)K", out)
    return {"committedMiB": round(int(m.group(1)) / 1024, 1), "usedMiB": round(int(m.group(2)) / 1024, 1)} if m else out


async def health():
    reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
    writer.write(b"GET /health/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    data = await reader.read()
    writer.close()
    return json.loads(data.split(b"\r\n\r\n", 1)[1])


async def stream(i, opened, gate, held):
    token = TOKENS[i % len(TOKENS)]
    async with gate:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
            writer.write(f"GET /api/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                         f"Authorization: Token {token}\r\n\r\n".encode())
            head = await asyncio.wait_for(reader.readuntil(b": open\n\n"), 30)
            if not head.startswith(b"HTTP/1.1 200"):
                raise RuntimeError(head[:80])
        except Exception as e:  # counted, not fatal: the report says how many failed
            opened.append(repr(e)[:100])
            return
    opened.append(None)
    held.append(writer)
    tail = b""
    try:  # idle, but read what comes (heartbeats, events), as a real client would
        while chunk := await reader.read(65536):
            window = tail + chunk
            at = window.find(MARK)
            while at >= 0:
                end = window.find(b'"', at)
                if end < 0:
                    break
                if at >= len(tail):  # not already counted with the previous chunk
                    title = window[at:end].decode()
                    now = time.monotonic()
                    entry = seen.setdefault(title, [0, now, now])
                    entry[0] += 1
                    entry[2] = now
                at = window.find(MARK, end)
            tail = window[-64:]
    except Exception:
        pass


async def post_article(token, title):
    body = json.dumps({"article": {"title": title, "description": "fan-out", "body": "b", "tagList": []}}).encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
    writer.write(f"POST /api/articles HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 f"Authorization: Token {token}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
    status = (await reader.readline()).split()[1]
    await reader.read()
    writer.close()
    return int(status)


async def fanout(expected):
    """New articles by the first user, one at a time: how long until the first and the last follower's stream has it."""
    results = []
    for i in range(FANOUT):
        title = f"fanout-{i}-{time.time_ns()}"
        t0 = time.monotonic()
        status = await post_article(TOKENS[0], title)
        while seen.get(title, [0])[0] < expected and time.monotonic() - t0 < 30:
            await asyncio.sleep(0.005)
        got, first, last = seen.get(title, [0, t0, t0])
        results.append({"status": status, "streams": got, "expected": expected,
                        "firstMs": round((first - t0) * 1000, 1), "lastMs": round((last - t0) * 1000, 1)})
        await asyncio.sleep(1)
    return results


async def main():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    opened, held, gate = [], [], asyncio.Semaphore(PARALLEL_CONNECTS)
    before = {"memory": server_memory(), "heap": heap(True)}
    t0 = time.monotonic()
    tasks = [asyncio.create_task(stream(i, opened, gate, held)) for i in range(N)]
    while len(opened) < N:
        await asyncio.sleep(0.2)
    connect_s = time.monotonic() - t0
    expected = sum(1 for i in range(N) if i % len(TOKENS) != 0)
    fan = await fanout(expected) if FANOUT > 0 else []
    samples = []
    t1 = time.monotonic()
    while time.monotonic() - t1 < HOLD:
        await asyncio.sleep(min(10, HOLD))
        samples.append({"t": round(time.monotonic() - t1), "health": await health(), "memory": server_memory()})
    held_heap = heap(False)
    histogram = subprocess.run(["jcmd", str(PID), "GC.class_histogram"], capture_output=True, text=True,
                               timeout=120).stdout.splitlines()[1:16]
    live_heap = heap(True)
    errors = [e for e in opened if e is not None]
    for w in held:
        w.close()
    for t in tasks:
        t.cancel()
    print(json.dumps({"requested": N, "connected": N - len(errors), "failed": len(errors), "firstErrors": errors[:3],
                      "connectSeconds": round(connect_s, 1), "holdSeconds": HOLD, "before": before,
                      "samples": samples, "heapWhileHeld": held_heap, "liveHeapAfterFullGc": live_heap,
                      "histogramTop": histogram, "fanout": fan}))


asyncio.run(main())
