"""``derivcheck serve``: the self-check page and its HTTP API (extra ``serve``)."""
from __future__ import annotations

import argparse
import ipaddress
import sys

from .common import UsageError, sheet_help

NAME = "serve"
EXTRA: str | None = "serve"
#: The names a browser uses for this machine; the only ``Host`` accepted when bound to loopback.
LOOPBACK_NAMES = ["127.0.0.1", "localhost", "[::1]", "::1"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(NAME, help="the self-check page (a web page for students)",
                       description="Serve the self-check page: each question of the bank with a text area, "
                                   "a live preview of how the answer is read, and a Check button giving the "
                                   "verdict, feedback and counterexample (one mark per line for a derivation). "
                                   "Binds 127.0.0.1 unless --host says otherwise. Every check runs in a "
                                   "sandboxed worker process, CPU time and memory bounded, as `grade` does.")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--sheet", metavar="ID|PATH", help=sheet_help() + "; the page lists it first, then every "
                                                                    "built-in sheet")
    p.add_argument("--bank", metavar="FILE", help="a TOML question bank, a one-file sheet (instead of --sheet)")
    p.add_argument("--workers", type=int, default=2, help="warm check worker processes (default 2)")
    p.add_argument("--timeout", type=float, default=5.0,
                   help="seconds of CPU time per check before it is undecided (default 5)")
    p.add_argument("--cache", type=int, default=4096, metavar="N",
                   help="results kept in memory by (question, answer) (default 4096; 0 keeps none)")
    p.set_defaults(run=run, extra=EXTRA)


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable from this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _open_files() -> int:
    """Raise the soft limit on open files to the hard one (each connection holds one); the limit."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else 65536
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        return min(wanted, 65536)
    except (ValueError, OSError):
        return soft


def run(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        raise UsageError(f"--port must be 1..65535, not {args.port}")
    if args.workers < 1:
        raise UsageError(f"--workers must be at least 1, not {args.workers}")
    import uvicorn

    from derivcheck.web.app import create_app
    from derivcheck.web.guard import guarded
    from derivcheck.web.service import SelfCheck

    local = is_loopback(args.host)
    if not local:
        print("!" * 78 + f"\nWARNING: derivcheck serve is bound to {args.host}, not 127.0.0.1: anyone who can reach "
              f"this machine on port {args.port} can use the page (checks are sandboxed; there is no login).\n"
              + "!" * 78, file=sys.stderr, flush=True)
    print("derivcheck serve: loading the question bank and the simulated evidence (the first start on a "
          "machine runs the simulations once)...", file=sys.stderr, flush=True)
    with SelfCheck(args.bank, sheet=args.sheet, workers=args.workers, timeout=args.timeout,
                   cache=args.cache) as service:
        app = create_app(service, allowed_hosts=LOOPBACK_NAMES if local else None)
        shown = f"[{args.host}]" if ":" in args.host else args.host
        print(f"derivcheck serve: the self-check page is at http://{shown}:{args.port}/  (Ctrl+C stops it)",
              file=sys.stderr, flush=True)
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False,
                    http=guarded(max_connections=_open_files() - 64), timeout_keep_alive=5)
    return 0
