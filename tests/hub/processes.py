"""Real ``kefu serve`` processes on one hub database, for the multi-process test and bench_hub.py."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Service:
    name: str
    base: str
    process: subprocess.Popen[bytes]
    log: Path

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush; what it acknowledged must already be in the hub."""
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def start(
    name: str, data_dir: Path, database_url: str, *, extra_env: dict[str, str] | None = None
) -> Service:
    """``kefu serve`` on 127.0.0.1 and a free port, with its own data dir (a copy of the same shop) and the
    hub at ``database_url`` (empty: SQLite mode); returns once /healthz answers (with the hub ok)."""
    port = free_port()
    log = data_dir.parent / f"{name}.log"
    env = {**os.environ, "KEFU_DATABASE_URL": database_url, "KEFU_ENCODER": "off", **(extra_env or {})}
    ready = b'"hub":"ok"' if database_url else b'"status":"ok"'
    command = [sys.executable, "-m", "assistant", "serve", "--data-dir", str(data_dir), "--port", str(port),
               "--no-demo"]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    service = Service(name, f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited: {log.read_text(errors='replace')[-2000:]}")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(service.base + "/healthz", timeout=2) as response,
        ):
            if ready in response.read().replace(b" ", b""):
                return service
        time.sleep(0.1)
    service.kill()
    raise RuntimeError(f"{name} did not start: {log.read_text(errors='replace')[-2000:]}")
