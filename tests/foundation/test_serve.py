"""The README's first command: `kefu serve` on an empty data folder builds the demo and serves it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.slow
def test_serve_builds_the_demo_and_answers(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "KEFU_DATA_DIR": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, health = get(f"{base}/healthz")
                break
            except (urllib.error.URLError, ConnectionError):
                assert process.poll() is None, process.stdout.read() if process.stdout else ""
                assert time.monotonic() < deadline, "the service did not come up in 60 s"
                time.sleep(0.3)
        assert status == 200
        assert health["ok"] is True
        assert health["shops"] == 2
        status, manifest = get(f"{base}/plugin_manifest.json")
        assert status == 200
        assert manifest["id"] == "io.kefu-assistant.sidebar"
        status, openapi = get(f"{base}/api/openapi.json")
        assert status == 200
        assert "/api/me" in openapi["paths"]  # type: ignore[operator]

        token = subprocess.run(
            [sys.executable, "-m", "assistant", "token", "--agent", "xiaomei"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        status, me = get(f"{base}/api/me", {"Authorization": f"Bearer {token}"})
        assert status == 200
        assert me["agent"]["login"] == "xiaomei"  # type: ignore[index]
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=20)
    assert "演示店铺已生成" in output
    assert token in output  # the demo tokens are printed at start


@pytest.mark.slow
def test_a_taken_port_is_said_in_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "KEFU_DATA_DIR": str(tmp_path)}
        result = subprocess.run(
            [sys.executable, "-m", "assistant", "serve", "--no-demo", "--port", str(port)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 1
    assert result.stdout == ""  # never "running" first
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and f"127.0.0.1:{port}" in lines[0] and "端口已被占用" in lines[0], result.stderr
