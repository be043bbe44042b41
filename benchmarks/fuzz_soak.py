"""Schema-fuzzing soak: many more schemathesis cases than the suite, failures counted by kind.

Run: ``.venv/bin/python benchmarks/fuzz_soak.py [--examples 40] [--seed N] [--mini]``.
Builds the demo shop in a temporary folder, serves the real app on 127.0.0.1, and sends every
operation of its own OpenAPI document (but the SSE stream, which never ends) ``--examples``
schema-valid and as many schema-invalid cases, each with a real token of the role it needs.
Each answer is checked (no 5xx, documented status and content type, body matches its schema,
what the schema refuses is refused) and every failure is counted by kind; one example of each
(operation, kind) is printed with a curl line to reproduce it. Target: 0 server errors, 0 schema
violations. Without ``--seed`` the run is deterministic (hypothesis derandomize); a seed explores
other inputs.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fuzz.harness import FuzzReport, LiveService, build_data, fuzz  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--examples", type=int, default=40, help="cases per operation and mode (default 40)")
    parser.add_argument(
        "--seed", type=int, default=None, help="explore with this seed instead of derandomize"
    )
    parser.add_argument(
        "--mini", action="store_true", help="two shops and four agents instead of the demo shop"
    )
    parser.add_argument("--only", default="", help="comma-separated operationIds to fuzz (default: all)")
    args = parser.parse_args()
    only = {name for name in args.only.split(",") if name}
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        build_data(Path(tmp), demo=not args.mini)
        print(f"data ({'mini' if args.mini else 'demo shop'}) built in {time.perf_counter() - started:.1f} s")
        with LiveService(Path(tmp)) as service:
            report: FuzzReport = fuzz(
                service,
                max_examples=args.examples,
                seed=args.seed,
                operations=(lambda name: name in only) if only else (lambda name: True),
            )
    print(report.summary())
    server = sum(n for kind, n in report.by_kind.items() if "ServerError" in kind)
    schema = report.failures - server
    print(f"server errors: {server} (target 0)    schema violations: {schema} (target 0)")
    return 0 if report.failures == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
