"""Score the address parser on tests/data/addresses_eval.jsonl (see benchmarks/address_set.py).

    .venv/bin/python benchmarks/address_eval.py              # this tree's parser
    .venv/bin/python benchmarks/address_eval.py --baseline bb1b75d   # also the parser at a commit

How a case is judged: tests/commerce/address_eval.py.
"""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.commerce.address_eval import CASES, HOLDOUT, HOLDOUT2, Score, load_cases, score  # noqa: E402


def _report(label: str, s: Score, seconds: float) -> None:
    print(
        f"{label:<22} fully right {s.right}/{s.total} = {s.rate:.1%}   invented regions {s.invented}   "
        f"refused though parseable {s.asked_wrongly}   {seconds / max(s.total, 1) * 1e6:.0f} µs CPU/paste"
    )


def _baseline(commit: str, cases: list[dict[str, Any]]) -> tuple[Score, float]:
    """Import address.py and address_regions.py as they were at ``commit`` from a temp folder."""
    with tempfile.TemporaryDirectory() as tmp:
        pkg = Path(tmp) / "oldaddr"
        pkg.mkdir()
        (pkg / "__init__.py").write_text("")
        for name in ("address", "address_regions"):
            source = subprocess.run(
                ["git", "show", f"{commit}:assistant/commerce/{name}.py"],
                cwd=ROOT,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            source = source.replace("assistant.commerce.address_regions", "oldaddr.address_regions")
            (pkg / f"{name}.py").write_text(source)
        sys.path.insert(0, tmp)
        try:
            module = importlib.import_module("oldaddr.address")
            start = time.process_time()
            result = score(module.parse_address, cases)
            return result, time.process_time() - start
        finally:
            sys.path.remove(tmp)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", help="also score the parser at this git commit (e.g. bb1b75d)")
    parser.add_argument("--failures", action="store_true", help="list every case that is not fully right")
    args = parser.parse_args()
    from assistant.commerce.address import parse_address

    parse_address("张三 13800138000 浙江省杭州市西湖区文三路1号")  # load the data outside the timing
    for path in (CASES, HOLDOUT, HOLDOUT2):
        cases = load_cases(path)
        print(
            f"\n{len(cases)} pastes from {path.relative_to(ROOT)}; target: ≥ 85% fully right, 0 invented regions"
        )
        if args.baseline:
            old, seconds = _baseline(args.baseline, cases)
            _report(f"parser at {args.baseline}", old, seconds)
            print("   wrong by kind:", dict(old.wrong_by_kind.most_common()))
        start = time.process_time()
        now = score(parse_address, cases)
        _report("this tree", now, time.process_time() - start)
        print("   wrong by kind:", dict(now.wrong_by_kind.most_common()))
        if args.failures:
            print("\n".join(now.failures))


if __name__ == "__main__":
    main()
