"""Hardening benchmark: what hostile load costs a real ``qualifica serve`` process.

    .venv/bin/python bench/hardening.py [--megabytes 9] [--runaways 4]

Starts the server over an on-disk store with the bundled graph (the baseline: `/healthz` and a
role lookup on the idle server), then measures, in the same run:

  (a) a large gated write (the bundled resources copied under new IRIs until the N-Triples body
      has the asked size): how long it takes, the longest `/healthz` and role-lookup wait while
      it runs (ratio to the idle baseline), and the server's resident memory before, at its peak
      and after;
  (b) runaway queries (a COUNT over a four-fold cartesian product, past the 2 s limit), sent at
      once: the time each is answered, and the CPU seconds the server's processes use after the
      deadline (killed workers use none; the replacements only start up);
  (c) whether the server process is still the one that started.

Prints a table and writes ``bench/out/hardening.json``. Bounded: every request has a timeout, the
write at most 600 s, the runaways 60 s.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "bench-token"
ROLE = "/api/roles/prozessmanager"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tree(pid: int) -> list[int]:
    """``pid`` and its descendants."""
    out = [pid]
    for child_list in Path(f"/proc/{pid}/task").glob("*/children"):
        for child in child_list.read_text().split():
            out += tree(int(child))
    return out


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_s(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed_get(client: httpx.Client, path: str) -> float:
    started = time.perf_counter()
    r = client.get(path)
    r.raise_for_status()
    return time.perf_counter() - started


def big_body(client: httpx.Client, megabytes: float) -> bytes:
    r = client.post("/sparql", data={"query": "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o }"
                                              " FILTER(STRSTARTS(STR(?g), "
                                              "'https://w3id.org/qualifica/graph/')) }"},
                    headers={"Accept": "application/n-triples"})
    r.raise_for_status()
    base = "https://w3id.org/qualifica/id/"
    lines = [line for line in r.text.splitlines() if line.startswith("<" + base)]
    out: list[str] = []
    size, k = 0, 0
    while size < megabytes * 1_000_000:
        copy = [line.replace(base, f"{base}c{k}-") for line in lines]
        out += copy
        size += sum(len(line) + 1 for line in copy)
        k += 1
    return ("\n".join(out) + "\n").encode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--megabytes", type=float, default=9.0)
    parser.add_argument("--runaways", type=int, default=4)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="qualifica-bench-"))
    port = free_port()
    env = {**os.environ, "QUALIFICA_DATA_DIR": str(data_dir), "QUALIFICA_API_TOKENS": TOKEN,
           "QUALIFICA_QUERY_TIMEOUT_S": "2", "QUALIFICA_LOG_LEVEL": "WARNING",
           "QUALIFICA_MAX_BODY_BYTES": str(int((args.megabytes + 2) * 1_000_000))}
    log = (data_dir / "server.log").open("wb")
    server = subprocess.Popen([sys.executable, "-m", "qualifica", "serve", "--port", str(port)],
                              env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    result: dict[str, object] = {}
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        client = httpx.Client(base_url=url, timeout=30)
        time.sleep(3)  # the sandbox's workers start in the background
        idle = [timed_get(client, p) for _ in range(20) for p in ("/healthz", ROLE)]
        baseline = statistics.median(idle)

        # (a) a large write while reads go on
        body = big_body(client, args.megabytes)
        rss_before = rss_mb(server.pid)
        outcome: dict[str, object] = {}

        def write() -> None:
            started = time.perf_counter()
            with httpx.Client(base_url=url, timeout=600) as writer:
                r = writer.put("/graphs", params={"graph": "https://w3id.org/qualifica/graph/big"},
                               content=body, headers={"Authorization": f"Bearer {TOKEN}",
                                                      "Content-Type": "application/n-triples"})
            outcome.update(status=r.status_code, seconds=time.perf_counter() - started)

        thread = threading.Thread(target=write)
        thread.start()
        waits: dict[str, list[float]] = {"/healthz": [], ROLE: []}
        peak = rss_before
        while thread.is_alive():
            for path in waits:
                waits[path].append(timed_get(client, path))
            peak = max(peak, rss_mb(server.pid))
            time.sleep(0.05)
        thread.join()
        time.sleep(1)
        result["write"] = {
            "body_mb": round(len(body) / 1e6, 2), **outcome,
            "reads_during_write": sum(len(w) for w in waits.values()),
            "longest_healthz_s": round(max(waits["/healthz"]), 3),
            "longest_role_s": round(max(waits[ROLE]), 3),
            "baseline_median_s": round(baseline, 4),
            "longest_ratio_to_baseline": round(max(max(w) for w in waits.values()) / baseline, 1),
            "server_rss_mb": {"before": round(rss_before, 1), "peak": round(peak, 1),
                              "after": round(rss_mb(server.pid), 1)},
        }

        # (b) runaway queries
        answers: list[tuple[int, float]] = []

        def runaway() -> None:
            started = time.perf_counter()
            with httpx.Client(base_url=url, timeout=60) as c:
                r = c.post("/sparql", data={"query": RUNAWAY})
            answers.append((r.status_code, time.perf_counter() - started))

        threads = [threading.Thread(target=runaway) for _ in range(args.runaways)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        after_deadline = {pid: cpu_s(pid) for pid in tree(server.pid)}
        time.sleep(5)
        used = sum(cpu_s(pid) - before for pid, before in after_deadline.items()
                   if Path(f"/proc/{pid}").exists())
        small = timed_get(client, "/sparql?query=ASK%7B%7D")
        result["runaways"] = {
            "sent": args.runaways, "statuses": sorted(code for code, _ in answers),
            "answered_after_s": sorted(round(s, 2) for _, s in answers),
            "cpu_s_in_5_s_after_the_last_answer": round(used, 2),
            "small_query_after_s": round(small, 3),
        }
        result["server_alive"] = server.poll() is None
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "hardening.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    ok = bool(result.get("server_alive")) and result["write"]["longest_healthz_s"] < 1.0  # type: ignore[index]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
