"""The container's health check: `python -m scorecard.health_probe` asks the gunicorn in the
same container for `/health/` and exits 0 when it answers 200, 1 otherwise.

Plain Python, without Django and without curl (which the image does not have). Django refuses
a Host header that ALLOWED_HOSTS does not list, so the probe sends the first listed host
rather than the loopback address it connects to.
"""

from __future__ import annotations

import http.client
import os
import sys

# Where the web service's gunicorn listens inside its container (docker-compose.yml).
ADDRESS = ("127.0.0.1", 8000)
TIMEOUT_SECONDS = 10


def host_to_send(allowed_hosts: str) -> str:
    """The first host of ALLOWED_HOSTS as a Host header: a pattern's domain, `localhost` for `*`."""
    first = next((host.strip() for host in allowed_hosts.split(",") if host.strip()), "")
    if first in {"", "*"}:
        return "localhost"
    return first.removeprefix(".")


def probe(address: tuple[str, int], host: str) -> bool:
    """Whether the server at `address` answers `/health/` with 200 when asked as `host`."""
    connection = http.client.HTTPConnection(*address, timeout=TIMEOUT_SECONDS)
    try:
        connection.request("GET", "/health/", headers={"Host": host})
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def main() -> int:
    healthy = probe(ADDRESS, host_to_send(os.environ.get("ALLOWED_HOSTS", "")))
    if not healthy:
        print("/health/ did not answer 200", file=sys.stderr)
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
