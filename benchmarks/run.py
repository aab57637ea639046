"""`python -m benchmarks.run [--quick] [--runs N] [--out var/bench.json]`, run by `make bench`.

Drops and creates a scratch PostgreSQL database (`BENCH_DATABASE_URL`, by default
bearing_bench on 127.0.0.1 as postgres; its name must contain "bench", so it can never be the
database of the app or of the tests), empties the Redis database the app caches in
(`BENCH_REDIS_URL`, by default redis://127.0.0.1:6379/14), migrates and seeds the database
with `seed_scale`, measures the figures of `benchmarks.figures`, prints one line per figure
and writes them all, with the machine they were measured on, to a JSON file.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bearing_bench"
# The cache (and broker) of the served app, as in production; emptied when the run starts.
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"
ROOT = Path(__file__).resolve().parent.parent

# (KPIs, months) per figure: full size as the issue sets them, and a quick smoke test.
SIZES: dict[str, dict[str, Any]] = {
    "full": {"scorecard": (10_000, 36), "small": (50, 12), "large": (5_000, 12),
             "write": (11_200, 10), "load": (500, 12), "rows": 100_000, "seconds": 15.0},
    "quick": {"scorecard": (200, 14), "small": (50, 3), "large": (200, 3),
              "write": (300, 3), "load": (50, 3), "rows": 500, "seconds": 2.0},
}  # fmt: skip


def _environment(url: str) -> dict[str, str]:
    """Production settings against the scratch database and Redis (`BENCH_REDIS_URL`, whose
    database the run empties), served over plain HTTP on loopback."""
    return {
        "DATABASE_URL": url,
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL),
        "DJANGO_SETTINGS_MODULE": "scorecard.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "localhost,127.0.0.1,testserver",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
    }


def _recreate(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(f"Refusing to drop {name!r}: the bench database's name holds 'bench'.")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _machine(pg_version: str) -> dict[str, Any]:
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "postgresql": pg_version,
        "python": platform.python_version(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="Tiny sizes: a smoke test.")
    parser.add_argument("--runs", type=int, default=3, help="Runs per figure (median).")
    parser.add_argument("--out", default=str(ROOT / "var" / "bench.json"))
    args = parser.parse_args(argv)
    sizes = SIZES["quick" if args.quick else "full"]
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    env = _environment(url)
    _recreate(url)
    os.environ.update(env)
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from benchmarks import figures
    from scorecard.management.commands.seed_scale import last_closed_month

    started = time.perf_counter()
    cache.clear()  # nothing cached by an earlier run, on another database
    call_command("migrate", verbosity=0)
    # Production settings serve static files through the manifest (WhiteNoise).
    call_command("collectstatic", interactive=False, verbosity=0)
    seeds = {
        "scorecard": ("bench-sc", 24),
        "small": ("bench-small", 4),
        "large": ("bench-large", 24),
        "write": ("bench-write", 1),
        "load": ("bench-load", 4),
    }
    seconds: dict[str, float] = {}
    for key, (code, units) in seeds.items():
        kpis, months = sizes[key]
        start = time.perf_counter()
        call_command("seed_scale", kpis=kpis, months=months, units=units, code=code)
        seconds[f"seed {kpis} KPIs x {months} months"] = round(time.perf_counter() - start, 1)
    day = last_closed_month(timezone.localdate())
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
        cursor.execute("VACUUM ANALYZE")
    runs = args.runs
    measures: list[Callable[[], list[Any]]] = [
        lambda: figures.scorecard_figures(code="bench-sc", day=day, runs=runs),
        lambda: figures.dashboard_figures(
            small="bench-small",
            large="bench-large",
            day=day,
            runs=runs,
            sizes=(sizes["small"][0], sizes["large"][0]),
        ),
        lambda: figures.write_figures(code="bench-write", rows=int(sizes["rows"]), runs=runs),
        lambda: _load_figures(env, day, sizes, runs),
        lambda: figures.memory_figures(code="bench-sc", day=day, env=env, runs=runs),
    ]
    results = []
    for measure in measures:
        for figure in measure():  # each line as soon as it is measured
            print(figure.line(), flush=True)
            results.append(figure)
    report = {
        "mode": "quick" if args.quick else "full",
        "runs": runs,
        "machine": _machine(pg_version),
        "seeding_seconds": seconds,
        "total_seconds": round(time.perf_counter() - started, 1),
        "figures": [figure.as_dict() for figure in results],
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"Written to {out}")
    return 0


def _load_figures(env: dict[str, str], day: Any, sizes: dict[str, Any], runs: int) -> list[Any]:
    """Start gunicorn on loopback against the bench database and load it."""
    from benchmarks import figures

    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "scorecard.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "3", "--log-level", "warning"],
        cwd=ROOT,
        env={**os.environ, **env},
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(120):
            try:
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                probe.request("GET", "/accounts/login/")
                probe.getresponse()
                probe.close()
                break
            except OSError:
                time.sleep(0.5)
        return figures.load_figures(
            base_url=base,
            code="bench-load",
            day=day,
            users=8,
            seconds=float(sizes["seconds"]),
            runs=runs,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
