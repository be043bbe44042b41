"""A throwaway PostgreSQL server for tests and benchmarks: Debian's binaries, run as the ``postgres``
user (the server refuses root) in a temporary directory, on 127.0.0.1 and a free port."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def _bin() -> Path:
    """KEFU_PG_BIN, else the newest of Debian's /usr/lib/postgresql/<major>/bin."""
    if os.environ.get("KEFU_PG_BIN"):
        return Path(os.environ["KEFU_PG_BIN"])
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]))
    return found[-1].parent if found else Path("/usr/lib/postgresql/15/bin")


BIN = _bin()
RUN_AS = "postgres"


def available() -> str | None:
    """Why no server can be started here, or None when one can."""
    if not (BIN / "pg_ctl").exists():
        return f"PostgreSQL binaries not found in {BIN} (apt-get install postgresql)"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PgServer:
    """``start()`` initdb's and starts a server; ``url`` names a fresh database; ``stop()`` removes it all."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="kefu-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self._root_user = os.geteuid() == 0

    def _run(self, *args: str | Path) -> None:
        command = [str(a) for a in args]
        if self._root_user:
            command = ["runuser", "-u", RUN_AS, "--", *command]
        subprocess.run(command, check=True, capture_output=True, cwd=self.root, timeout=60)

    def start(self) -> PgServer:
        if self._root_user:
            shutil.chown(self.root, RUN_AS)
        self._run(BIN / "initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "-E", "UTF8",
                  "--locale=C", "--no-sync")  # fmt: skip
        self.resume()
        return self

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        self._run(BIN / "createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        return self.url(name)

    def pause(self) -> None:
        """Stop the server, keeping its data (``resume`` starts it again on the same port)."""
        self._run(BIN / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    def resume(self) -> None:
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=off -c max_connections=200"
        )
        self._run(BIN / "pg_ctl", "-D", self.data, "-l", self.root / "server.log", "-o", options, "-w", "-t", "30",
                  "start")  # fmt: skip

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self._run(BIN / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
