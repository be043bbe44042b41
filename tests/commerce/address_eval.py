"""Scoring of the address parser on the evaluation pastes (tests/data/addresses_*.jsonl).

Shared by tests/commerce/test_address.py (which asserts the rate) and benchmarks/address_eval.py
(which prints it beside the baseline). The pastes are built by benchmarks/address_set.py.

A case is fully right when every expected field matches (detail compared without spaces), a
renamed old district carries a note, and a case that must ask raises a region error (two chains
must say they are ambiguous). An invented region is a parse that returned a province, city or
district where it should have asked, or a different one from the expected.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
CASES = ROOT / "tests" / "data" / "addresses_eval.jsonl"
HOLDOUT = ROOT / "tests" / "data" / "addresses_holdout.jsonl"  # written after the fixes, run once
HOLDOUT2 = ROOT / "tests" / "data" / "addresses_holdout2.jsonl"  # a second batch, after the first passed
REGION = ("province", "city", "district")


def load_cases(path: Path = CASES) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@dataclass
class Score:
    total: int = 0
    right: int = 0
    invented: int = 0
    asked_wrongly: int = 0
    wrong_by_kind: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.right / self.total if self.total else 0.0


def _squash(text: str) -> str:
    return "".join(text.split())


def judge(case: dict[str, Any], result: Any, error: Exception | None) -> tuple[bool, bool, str]:
    """(fully right, invented region, why not right)."""
    if "ask" in case:
        if error is None:
            parsed = "/".join(getattr(result, f) for f in REGION)
            return False, True, f"should ask, parsed {parsed}"
        if getattr(error, "field", None) != case["ask"]:
            return False, False, f"asked about {getattr(error, 'field', '?')}"
        if case.get("ambiguous") and getattr(error, "ambiguous", None) is not True:
            return False, False, f"asked but did not say ambiguous: {error}"
        return True, False, ""
    expect = case["expect"]
    if error is not None:
        return False, False, f"refused: {getattr(error, 'field', '?')}: {error}"
    got = {f: getattr(result, f) for f in expect}
    invented = any(got[f] != expect[f] for f in REGION if got[f])
    wrong = [
        f
        for f in expect
        if (_squash(got[f]) if f == "detail" else got[f])
        != (_squash(expect[f]) if f == "detail" else expect[f])
    ]
    if case.get("renamed") and not getattr(result, "notes", None):
        wrong.append("notes")
    if wrong:
        return False, invented, "; ".join(f"{f}: {got.get(f)!r} != {expect.get(f)!r}" for f in wrong)
    return True, invented, ""


def score(parse: Callable[[str], Any], cases: list[dict[str, Any]]) -> Score:
    s = Score()
    for case in cases:
        s.total += 1
        try:
            result, error = parse(case["text"]), None
        except ValueError as exc:
            result, error = None, exc
        right, invented, why = judge(case, result, error)
        s.right += right
        s.invented += invented
        if not right:
            s.wrong_by_kind[case["kind"]] += 1
            s.failures.append(f"{case['id']} [{case['kind']}] {case['text']!r}: {why}")
            if error is not None and "ask" not in case:
                s.asked_wrongly += 1
    return s
