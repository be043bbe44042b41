"""One loaded sentence encoder for the whole test session (loading it takes seconds), loaded with
every socket blocked and the model hubs told to stay offline: it must need no network."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

import pytest

from knowledge.encoder import Encoder, load_encoder
from knowledge.evaluation import load_jsonl, matcher_for
from knowledge.matcher import Matcher

DATA = Path(__file__).resolve().parents[1] / "data"
OFFLINE = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "NO_PROXY": "*"}


class NetworkBlocked:
    """Makes every connect, DNS look-up and new socket fail, and remembers what tried."""

    def __init__(self) -> None:
        self.attempts: list[str] = []
        self._saved: dict[str, Any] = {}

    def _refuse(self, what: str) -> Any:
        def refuse(*args: Any, **kwargs: Any) -> Any:
            self.attempts.append(f"{what}{args[1:] if what.startswith('socket.') else args}")
            raise OSError(f"network blocked in tests: {what}")

        return refuse

    def __enter__(self) -> NetworkBlocked:
        targets = {
            "socket.connect": (socket.socket, "connect"),
            "socket.connect_ex": (socket.socket, "connect_ex"),
            "getaddrinfo": (socket, "getaddrinfo"),
            "create_connection": (socket, "create_connection"),
        }
        for what, (owner, name) in targets.items():
            self._saved[what] = (owner, name, getattr(owner, name))
            setattr(owner, name, self._refuse(what))
        self._env = {k: os.environ.get(k) for k in OFFLINE}
        os.environ.update(OFFLINE)
        return self

    def __exit__(self, *exc: object) -> None:
        for owner, name, original in self._saved.values():
            setattr(owner, name, original)
        for key, value in self._env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="session")
def offline_load() -> tuple[Encoder, list[str]]:
    """The session's encoder, loaded (weights read, first sentence encoded) with the network blocked;
    also the network calls that were attempted meanwhile (must be none)."""
    with NetworkBlocked() as blocked:
        encoder, status = load_encoder("on")
        assert encoder is not None, status
        encoder.encode(["这款还有货吗", "今天天气怎么样"])
    return encoder, blocked.attempts


@pytest.fixture(scope="session")
def encoder(offline_load: tuple[Encoder, list[str]]) -> Encoder:
    return offline_load[0]


@pytest.fixture(scope="session")
def eval_matchers(encoder: Encoder) -> tuple[Matcher, Matcher, dict[int, str]]:
    """The own evaluation set as (lexical matcher, hybrid matcher, intent names)."""
    kb = load_jsonl(DATA / "eval_kb.jsonl", ("intent_id", "question"))
    lexical, names = matcher_for(kb)
    hybrid, _ = matcher_for(kb, encoder=encoder)
    return lexical, hybrid, names
