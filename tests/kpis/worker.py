"""A real Celery worker for tests, in a subprocess, on the test database and a queue of its own.

The broker is the one the settings pick: Redis when REDIS_URL is set (as in CI), otherwise the
server-less file-system broker in a folder of the test's own. Tests wait for what the worker
leaves in the database with `wait_for`, a bounded poll, and the worker is always killed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from celery import Celery
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent.parent
TIMEOUT_SECONDS = 90


def broker_options(folder: Path) -> dict[str, object]:
    """The file-system broker's options for messages kept under `folder`."""
    return {
        "data_folder_in": str(folder / "messages"),
        "data_folder_out": str(folder / "messages"),
        "processed_folder": str(folder / "messages"),
        "control_folder": str(folder / "control"),
        "store_processed": False,
    }


def live_database_url() -> str:
    """The URL of the live test database, for a process that is not this one."""
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{database['NAME']}"
    credentials = quote(database["USER"] or "", safe="")
    if database["PASSWORD"]:
        credentials += ":" + quote(database["PASSWORD"], safe="")
    host = database["HOST"] or "localhost"
    return f"postgres://{credentials}@{host}:{database['PORT'] or 5432}/{database['NAME']}"


@dataclass
class WorkerSetup:
    """Where a test's worker takes its messages from, and how the test sends them."""

    folder: Path
    queue: str = ""

    def __post_init__(self) -> None:
        self.queue = f"bearing-test-{uuid.uuid4().hex}"
        self.log = self.folder / "worker.log"
        self.sender = Celery("bearing-tests", broker=settings.CELERY_BROKER_URL)
        if settings.REDIS_URL is None:
            options = broker_options(self.folder)
            for key in ("data_folder_in", "control_folder"):
                Path(str(options[key])).mkdir(parents=True, exist_ok=True)
            self.sender.conf.broker_transport_options = options

    def send(
        self, task: str, args: Sequence[Any] = (), kwargs: dict[str, Any] | None = None
    ) -> None:
        """Put a task on the worker's queue, as beat or `.delay()` does."""
        self.sender.send_task(task, args=list(args), kwargs=kwargs or {}, queue=self.queue)

    def worker_log(self) -> str:
        return self.log.read_text() if self.log.exists() else ""


@contextmanager
def running_worker(
    setup: WorkerSetup, *, stop_file: Path | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """Run `celery worker --pool=solo` on the test database until the block ends; then kill it."""
    env = {key: value for key, value in os.environ.items() if key != "CELERY_TASK_ALWAYS_EAGER"}
    env |= {"DATABASE_URL": live_database_url(), "BEARING_TEST_QUEUE": setup.queue}
    if settings.REDIS_URL is None:
        env["BEARING_TEST_BROKER_DIR"] = str(setup.folder)
    if stop_file is not None:
        env["BEARING_TEST_STOP_FILE"] = str(stop_file)
    command = [
        sys.executable,
        "-m",
        "celery",
        "--app=tests.kpis.celery_worker",
        "worker",
        "--pool=solo",
        f"--queues={setup.queue}",
        "--without-mingle",
        "--without-gossip",
        "--without-heartbeat",
        "--loglevel=INFO",
    ]
    with setup.log.open("ab") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        process.kill()
        process.wait(timeout=TIMEOUT_SECONDS)


def wait_for(condition: Callable[[], bool], *, what: str, setup: WorkerSetup) -> None:
    """Poll `condition` until it holds; fail, with the worker's log, after TIMEOUT_SECONDS."""
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"Waited {TIMEOUT_SECONDS}s for {what}.\n{setup.worker_log()}")
        time.sleep(0.1)
