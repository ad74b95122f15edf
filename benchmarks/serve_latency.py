"""Latency of the self-check page's API: ``POST /api/check`` (and ``/api/read``) over the dev answers.

Starts ``python -m derivcheck serve`` on a free loopback port (2 warm check workers, the result
cache off with ``--cache 0`` so that every request runs a real check in a sandboxed worker), waits
for it, sends every dev answer once to warm up, then measures:

- sequential latency, one client: ``/api/check`` and ``/api/read`` p50 / p95 / max over
  ``--rounds`` passes over the dev answers (target: ``/api/check`` p50 <= 50 ms on 2 cores);
- load: ``--clients`` concurrent clients (default 16) x ``--requests`` each (default 400) of
  ``/api/check`` cycling through the dev answers; errors (HTTP status other than 200, a body that
  is not strict JSON, an ``undecided`` verdict, a dropped connection) must be 0; throughput and
  latency under load are printed too.

- attack (``--attack``): a normal client's ``/api/check`` p50 / p95 idle, then while ``--slow-clients``
  clients (default 20) each keep one slow answer in flight (``--slow-answer``: a derivation costing
  some 50-100 normal checks), printed as ratios to idle (target: p95 under 10 x idle). Each
  slow client connects from its own loopback address (127.0.0.2, 127.0.0.3, ...), as clients on
  other machines would; the server tells clients apart by address only, so clients sharing the
  normal client's address would share its place in the queue.

The dev answers are ../shared/dev_answers.jsonl (``--answers FILE`` for another); without it, the
copy below. Each client is a keep-alive ``http.client`` connection (standard library only).

Run: python benchmarks/serve_latency.py [--rounds N] [--clients N] [--requests N] [--workers N] [--json]
     python benchmarks/serve_latency.py --attack [--slow-clients N] [--attack-requests N]
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
#: A copy of dev answers (question, answer, expected verdicts), used when ../shared is absent.
FALLBACK = [
    ("p2.variance", "sigma**2*d/2", "correct"), ("p2.variance", "\\frac{\\sigma^2 d}{2}", "correct"),
    ("p2.variance", "d*sigma**2", "incorrect"), ("p2.variance", "d*sigma^2*(1/2 - 1/(2*pi))", "incorrect"),
    ("p2.sigma", "sqrt(2/d)", "correct"), ("p2.sigma", "sigma^2 = 2/d", "correct"), ("p2.sigma", "2/d", "incorrect"),
    ("p3.stable_softmax", "exp(x[i]-max(x))/sum(exp(x-max(x)))", "correct"),
    ("p3.stable_softmax", "exp(x[i])/sum(exp(x))", "incorrect"), ("p3.gradient", "z - y", "correct"),
    ("p3.gradient", "y - z", "incorrect"), ("p3.unsmoothed_gap", "oo", "correct"),
    ("p3.smoothing_gap", "log(1 + d*(1-eps)/eps)", "correct"), ("p4.forward_mults", "n*L*K^2", "correct"),
    ("p4.training_mults", "2*n*L*K^2", "incorrect"), ("p4.inference_memory", "L*K^2 + 2*n*K", "correct"),
    ("p4.training_memory", "L K^2 + n L K", "correct"), ("p2.variance", "d*sigma^2/", "invalid"),
]


def dev_answers(path: str | None) -> list[tuple[str, str, str]]:
    """(question, answer, expected verdicts ``a|b``) of the dev answers."""
    candidates = [Path(path)] if path else [ROOT / "tests" / "data" / "dev_answers.jsonl",
                                            ROOT.parent / "shared" / "dev_answers.jsonl"]
    for candidate in candidates:
        if candidate.exists():
            rows = [json.loads(line) for line in candidate.read_text().splitlines() if line.strip()]
            return [(r["q"], r["a"], r["v"]) for r in rows]
    if path:
        raise SystemExit(f"{path}: not found")
    return FALLBACK


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int, workers: int) -> subprocess.Popen:
    """``derivcheck serve`` on ``port``; returns once it answers (the first start on a machine runs
    the simulations for the counterexamples' evidence once)."""
    proc = subprocess.Popen([sys.executable, "-m", "derivcheck", "serve", "--port", str(port), "--workers",
                             str(workers), "--cache", "0"], stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"derivcheck serve exited {proc.returncode}: {proc.stderr.read() if proc.stderr else ''}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/questions")
            if conn.getresponse().status == 200:
                conn.close()
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("derivcheck serve did not start within 600 s")


#: A slow answer: a derivation whose every line is the expectation of a high power of a sum of
#: products of random variables, unrolled at each sample point (about 2-3 s of CPU per check on
#: the course machines, some 50-100 times a normal check; each client sends it again and again).
SLOW_ANSWER = "Var[y]" + "".join(f"\n= E[(sum_{{i=1}}^{{d}} w_i x_i)^{k}]" for k in (10, 11, 12, 13, 14, 9, 8))


class Client:
    """One keep-alive connection to the server (from ``source``, a local address)."""

    def __init__(self, port: int, source: str = "127.0.0.1") -> None:
        self.port, self.source = port, source
        self.conn = self._connect()

    def _connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=120, source_address=(self.source, 0))

    def post(self, path: str, question: str, answer: str) -> tuple[int, Any, float]:
        """(HTTP status, the strict-JSON body or None, seconds)."""
        body = json.dumps({"question": question, "answer": answer}).encode()
        start = time.perf_counter()
        try:
            self.conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = self._connect()
            return 0, None, time.perf_counter() - start
        elapsed = time.perf_counter() - start
        try:
            doc = json.loads(data, parse_constant=_not_json)
        except ValueError:
            doc = None
        return response.status, doc, elapsed

    def close(self) -> None:
        self.conn.close()


def _not_json(name: str) -> Any:
    raise ValueError(name)


def percentiles(seconds: list[float]) -> dict[str, float]:
    ms = sorted(1000 * s for s in seconds)
    if not ms:
        return {"p50": float("nan"), "p95": float("nan"), "max": float("nan"), "n": 0}
    q = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else ms * 99
    return {"p50": round(q[49], 2), "p95": round(q[94], 2), "max": round(ms[-1], 2), "n": len(ms)}


def sequential(port: int, answers: list[tuple[str, str, str]], rounds: int) -> dict[str, Any]:
    client = Client(port)
    for q, a, _ in answers:  # warm up (not measured)
        client.post("/api/check", q, a)
        client.post("/api/read", q, a)
    checks, reads, mismatches = [], [], []
    for _ in range(rounds):
        for q, a, expected in answers:
            status, doc, t = client.post("/api/check", q, a)
            checks.append(t)
            if status != 200 or doc is None or doc.get("verdict") not in expected.split("|"):
                mismatches.append((q, a, status, doc and doc.get("verdict"), expected))
            reads.append(client.post("/api/read", q, a)[2])
    client.close()
    return {"check_ms": percentiles(checks), "read_ms": percentiles(reads),
            "verdict_mismatches": len({m[:2] for m in mismatches}), "mismatched": sorted({m[:2] for m in mismatches})}


def load(port: int, answers: list[tuple[str, str, str]], clients: int, requests: int) -> dict[str, Any]:
    times: list[list[float]] = [[] for _ in range(clients)]
    errors: list[list[str]] = [[] for _ in range(clients)]

    def work(k: int) -> None:
        client = Client(port)
        for i in range(requests):
            q, a, _ = answers[(k * 7 + i) % len(answers)]
            status, doc, t = client.post("/api/check", q, a)
            times[k].append(t)
            if status != 200 or not isinstance(doc, dict) or doc.get("verdict") not in (
                    "correct", "incorrect", "invalid"):
                errors[k].append(f"{status} {doc.get('verdict') if isinstance(doc, dict) else doc!r}")
        client.close()

    threads = [threading.Thread(target=work, args=(k,)) for k in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    flat = [e for es in errors for e in es]
    return {"clients": clients, "requests_each": requests, "total": clients * requests, "errors": len(flat),
            "error_examples": flat[:5], "seconds": round(wall, 2),
            "requests_per_s": round(clients * requests / wall, 1),
            "check_ms": percentiles([t for ts in times for t in ts])}


def attack(port: int, answers: list[tuple[str, str, str]], slow_clients: int, requests: int,
           slow_answer: str) -> dict[str, Any]:
    """The normal client's latency idle, then beside ``slow_clients`` clients sending slow answers."""
    normal = Client(port)
    cheap = [(q, a) for q, a, _ in answers]

    def measure() -> tuple[list[float], list[str]]:
        times, errors = [], []
        for i in range(requests):
            q, a = cheap[i % len(cheap)]
            status, doc, t = normal.post("/api/check", q, a)
            times.append(t)
            if status != 200 or not isinstance(doc, dict) or doc.get("verdict") not in ("correct", "incorrect",
                                                                                           "invalid"):
                errors.append(f"{status} {doc.get('verdict') if isinstance(doc, dict) else doc!r}")
        return times, errors

    for q, a in cheap:  # warm up (not measured)
        normal.post("/api/check", q, a)
    idle, idle_errors = measure()
    stop = threading.Event()
    statuses: list[list[int]] = [[] for _ in range(slow_clients)]
    verdicts: list[list[str]] = [[] for _ in range(slow_clients)]

    def slow(k: int) -> None:
        client = Client(port, f"127.0.0.{2 + k}")
        while not stop.is_set():
            status, doc, _ = client.post("/api/check", "p2.variance", slow_answer)
            statuses[k].append(status)
            if isinstance(doc, dict) and "verdict" in doc:
                verdicts[k].append(doc["verdict"])
            if status != 200:
                time.sleep(1)  # a refused client waits before it tries again
        client.close()

    threads = [threading.Thread(target=slow, args=(k,)) for k in range(slow_clients)]
    for t in threads:
        t.start()
    time.sleep(2)  # every slow client has an answer in the queue
    cpu0 = time.process_time()
    start = time.perf_counter()
    loaded, loaded_errors = measure()
    wall = time.perf_counter() - start
    stop.set()
    for t in threads:
        t.join()
    normal.close()
    flat = [s for ss in statuses for s in ss]
    p_idle, p_loaded = percentiles(idle), percentiles(loaded)
    return {"slow_clients": slow_clients, "requests": requests, "idle_ms": p_idle, "attack_ms": p_loaded,
            "ratio_p50": round(p_loaded["p50"] / p_idle["p50"], 2),
            "ratio_p95": round(p_loaded["p95"] / p_idle["p95"], 2),
            "normal_errors": len(idle_errors) + len(loaded_errors),
            "error_examples": (idle_errors + loaded_errors)[:5], "attack_seconds": round(wall, 2),
            "client_cpu_s": round(time.process_time() - cpu0, 2),
            "slow_responses": {str(code): flat.count(code) for code in sorted(set(flat))},
            "slow_verdicts": {v: sum(vs.count(v) for vs in verdicts) for v in {v for vs in verdicts for v in vs}}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5, help="sequential passes over the dev answers (default 5)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument("--requests", type=int, default=400, help="requests per client (default 400)")
    parser.add_argument("--workers", type=int, default=2, help="check workers of the server (default 2)")
    parser.add_argument("--answers", help="a dev_answers.jsonl (default ../shared/dev_answers.jsonl)")
    parser.add_argument("--json", action="store_true", help="the figures as one JSON document")
    parser.add_argument("--attack", action="store_true", help="only the attack: a normal client beside slow ones")
    parser.add_argument("--slow-clients", type=int, default=20, help="slow clients in the attack (default 20)")
    parser.add_argument("--attack-requests", type=int, default=60,
                        help="the normal client's checks, idle and under attack (default 60 each)")
    parser.add_argument("--slow-answer", default=SLOW_ANSWER, help="the slow clients' answer to p2.variance")
    args = parser.parse_args()
    if args.attack:
        return main_attack(args)
    answers = dev_answers(args.answers)
    port = free_port()
    print(f"starting derivcheck serve on 127.0.0.1:{port} ({args.workers} workers, cache off; "
          f"{os.cpu_count()} cores)...", file=sys.stderr, flush=True)
    proc = start_server(port, args.workers)
    try:
        seq = sequential(port, answers, args.rounds)
        conc = load(port, answers, args.clients, args.requests)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    result = {"answers": len(answers), "workers": args.workers, "cores": os.cpu_count(), "sequential": seq,
              "load": conc, "targets": {"check_p50_ms<=50": seq["check_ms"]["p50"] <= 50,
                                        "load_errors==0": conc["errors"] == 0}}
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        s, c = seq, conc
        print(f"dev answers: {len(answers)}, {args.rounds} rounds, server with {args.workers} warm workers, cache off")
        print(f"/api/check sequential: p50 {s['check_ms']['p50']} ms, p95 {s['check_ms']['p95']} ms, "
              f"max {s['check_ms']['max']} ms (n={s['check_ms']['n']}; target p50 <= 50 ms: "
              f"{'met' if result['targets']['check_p50_ms<=50'] else 'NOT met'})")
        print(f"/api/read  sequential: p50 {s['read_ms']['p50']} ms, p95 {s['read_ms']['p95']} ms, "
              f"max {s['read_ms']['max']} ms")
        print(f"verdicts differing from the dev file's expectation: {s['verdict_mismatches']} {s['mismatched']}")
        print(f"load: {c['clients']} clients x {c['requests_each']} = {c['total']} /api/check in {c['seconds']} s "
              f"({c['requests_per_s']} req/s), errors {c['errors']} {c['error_examples']}, "
              f"latency p50 {c['check_ms']['p50']} ms, p95 {c['check_ms']['p95']} ms, max {c['check_ms']['max']} ms")
    return 0 if all(result["targets"].values()) else 1


def main_attack(args: argparse.Namespace) -> int:
    answers = dev_answers(args.answers)
    port = free_port()
    print(f"starting derivcheck serve on 127.0.0.1:{port} ({args.workers} workers, cache off; "
          f"{os.cpu_count()} cores); {args.slow_clients} slow clients...", file=sys.stderr, flush=True)
    proc = start_server(port, args.workers)
    try:
        result = attack(port, answers, args.slow_clients, args.attack_requests, args.slow_answer)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    result["targets"] = {"attack_p95<10x_idle": result["ratio_p95"] < 10,
                         "normal_errors==0": result["normal_errors"] == 0}
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        r = result
        idle, loaded = r["idle_ms"], r["attack_ms"]
        print(f"normal client, idle:   p50 {idle['p50']} ms, p95 {idle['p95']} ms (n={idle['n']})")
        print(f"normal client, {r['slow_clients']} slow clients: p50 {loaded['p50']} ms, p95 {loaded['p95']} "
              f"ms, max {r['attack_ms']['max']} ms (n={r['attack_ms']['n']}, {r['attack_seconds']} s)")
        print(f"ratio to idle: p50 x{r['ratio_p50']}, p95 x{r['ratio_p95']} (target p95 < 10x: "
              f"{'met' if r['targets']['attack_p95<10x_idle'] else 'NOT met'}); normal errors {r['normal_errors']} "
              f"{r['error_examples']}")
        print(f"slow clients' responses by status {r['slow_responses']}, verdicts {r['slow_verdicts']}")
    return 0 if all(result["targets"].values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
