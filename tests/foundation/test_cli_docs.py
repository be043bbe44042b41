"""The `kefu` command and the docs that describe it stay true."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.cli import build_parser, main
from assistant.routes import ENDPOINTS
from assistant.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = ["serve", "demo", "token", "backup", "restore"]


def test_kefu_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    for command in COMMANDS:
        assert command in out


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_and_takes_data_dir(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main([command, "--help"])
    assert stop.value.code == 0
    assert "--data-dir" in capsys.readouterr().out


def test_every_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    parser = build_parser()
    subcommands = next(a for a in parser._actions if a.dest == "command").choices
    assert subcommands is not None
    for name in subcommands:
        assert f"kefu {name}" in readme, name


def test_every_setting_is_documented() -> None:
    page = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"`{name}`" in page and f"KEFU_{name.upper()}" in page, name


def test_every_route_is_in_the_api_docs() -> None:
    page = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`(/[^`\s]*)`", page))
    for endpoint in ENDPOINTS:
        assert endpoint.path in documented, f"{endpoint.method} {endpoint.path} is not in docs/api.md"


@pytest.mark.slow
def test_token_prints_a_working_token_and_unknown_agents_fail(tmp_path: Path) -> None:
    from assistant.app import MIGRATION_SETS
    from assistant.directory import Directory
    from assistant.security import load_secret
    from knowledge.database import AsyncDatabase
    from tests.conftest import seed_mini_shop

    db = AsyncDatabase(tmp_path / "kefu.db")
    db.open(MIGRATION_SETS)
    shop = db.write_sync(seed_mini_shop)
    db.close()
    run = [sys.executable, "-m", "assistant", "token", "--data-dir", str(tmp_path)]
    result = subprocess.run([*run, "--agent", "lina"], capture_output=True, text=True, check=True)
    token = result.stdout.strip()
    assert token == Directory(secret=load_secret(tmp_path)).token_for(shop.editor_id)
    missing = subprocess.run([*run, "--agent", "nobody"], capture_output=True, text=True, check=False)
    assert missing.returncode == 1
    assert "xiaomei" in missing.stderr


def test_bad_settings_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("KEFU_PORT", "eighty")
    assert main(["token", "--agent", "x", "--data-dir", str(tmp_path)]) == 2
    assert "KEFU_PORT" in capsys.readouterr().err
