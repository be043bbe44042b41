"""Schema fuzzing against the real service: schemathesis cases from its own OpenAPI document.

Used by ``tests/fuzz/test_openapi_fuzz.py`` (bounded, in the suite) and by
``benchmarks/fuzz_soak.py`` (many more examples). :class:`LiveService` runs the real app on
127.0.0.1 in a thread (its own event loop, a real SQLite store, real tokens);
:func:`fuzz` asks schemathesis for cases of every operation, sends each with the token of
the role the operation needs, and counts every failed check by kind instead of stopping at
the first, so one run reports everything it found.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hypothesis
import hypothesis.errors
import requests
import schemathesis
from aiohttp import web
from hypothesis import HealthCheck, Phase
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.core.result import Err
from schemathesis.generation import GenerationMode
from schemathesis.openapi.checks import UndefinedStatusCode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from assistant.app import MIGRATION_SETS, create_app
from assistant.directory import Directory
from assistant.security import load_secret
from assistant.settings import Settings
from knowledge import store as kb_store
from knowledge.database import AsyncDatabase


def _import_all(package: Any) -> None:
    """Import every module of ``package`` now, at the top of the stack.

    schemathesis imports some modules lazily, deep inside hypothesis's stack, and CPython 3.11.7 can then
    fail to compile one ("AST constructor recursion depth mismatch") when its .pyc is missing or stale.
    """
    import importlib
    import pkgutil

    for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        with contextlib.suppress(Exception):
            importlib.import_module(module.name)


_import_all(schemathesis)


def _parse_lambdas_now() -> None:
    """Parse the lambdas of schemathesis's strategy module now, at the top of the stack, into hypothesis's
    cache: describing one of them deep in a run parses the whole module there, which CPython 3.11.7 can
    fail the same way ("AST constructor recursion depth mismatch")."""
    import ast
    import inspect

    from hypothesis.internal import lambda_sources
    from schemathesis.generation.jsonschema import strategy

    lines = tuple(inspect.findsource(strategy)[0])
    # hypothesis's private cache, typed narrower than it is used
    lambda_sources.AST_LAMBDAS_CACHE[lines] = lambda_sources.extract_all_lambdas(ast.parse("".join(lines)))  # type: ignore[index, no-untyped-call]


with contextlib.suppress(Exception):  # an optimisation of a workaround: never a reason to fail
    _parse_lambdas_now()

#: What every response is checked for. ``positive_data_acceptance`` is left out on purpose: some
#: refusals of schema-valid input depend on the data (an unknown shop or item, an order whose status
#: forbids the edit, a campaign ending before it starts, a region chain that does not exist) and no
#: JSON schema can say them; those answers are documented 400/404/409s, which the checks below verify.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]

#: Operations that cannot be fuzzed: the SSE stream never ends (it answers a ``state`` frame, then
#: heartbeats until the client leaves), so a request for it would wait forever; it is covered by
#: tests/events instead.
EXCLUDED = {"events_stream"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def build_data(data_dir: Path, *, demo: bool) -> None:
    """A store with the demo shop (``demo``) or just two shops and one agent of each role."""
    db = AsyncDatabase(Settings(data_dir=data_dir, demo_on_first_run=False).db_path)
    db.open(MIGRATION_SETS)
    try:
        if demo:
            from assistant.demo.generator import build_demo

            db.write_sync(build_demo)
        else:
            from tests.conftest import seed_mini_shop

            db.write_sync(seed_mini_shop)
    finally:
        db.close()


class LiveService:
    """The real app on 127.0.0.1:PORT, served from a thread with its own event loop."""

    def __init__(self, data_dir: Path) -> None:
        self.settings = Settings(data_dir=data_dir, demo_on_first_run=False, port=free_port())
        self.base_url = f"http://127.0.0.1:{self.settings.port}"
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fuzz-service", daemon=True)
        self._runner: web.AppRunner | None = None

    def __enter__(self) -> LiveService:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=60)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(timeout=60)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    async def _start(self) -> None:
        self._runner = web.AppRunner(create_app(self.settings), handle_signals=False)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.settings.port).start()

    async def _stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def tokens(self) -> dict[str, str]:
        """One token per role (the first active agent of each), as the service checks them."""
        db = AsyncDatabase(self.settings.db_path)
        db.open(MIGRATION_SETS)
        try:
            agents = db.read_sync(kb_store.list_agents)
        finally:
            db.close()
        directory = Directory(secret=load_secret(self.settings.data_dir))
        tokens: dict[str, str] = {}
        for agent in sorted(agents, key=lambda a: a.id):
            if agent.active:
                tokens.setdefault(agent.role.value, directory.token_for(agent.id))
        return tokens


@dataclass
class FuzzReport:
    """Cases sent, failures counted by kind, and one example of each (operation, kind)."""

    cases: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)
    by_status: Counter[int] = field(default_factory=Counter)
    examples: dict[tuple[str, str], str] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def failures(self) -> int:
        return sum(self.by_kind.values())

    def record(self, operation: str, failures: Iterable[Failure], case: Any, status: int) -> None:
        for failure in failures:
            if status >= 500 and isinstance(failure, UndefinedStatusCode):
                continue  # the server error is counted once, as ServerError
            kind = f"{failure.code} {type(failure).__name__}"
            self.by_kind[kind] += 1
            if (operation, kind) not in self.examples:
                try:
                    curl = case.as_curl_command()
                except Exception:  # the curl text is a courtesy; the failure is what counts
                    curl = "(no curl)"
                self.examples[(operation, kind)] = f"{failure.title}: {failure.message}\n{curl}"

    def summary(self) -> str:
        lines = [
            f"{self.cases} cases in {self.seconds:.1f} s; statuses {dict(sorted(self.by_status.items()))}"
        ]
        lines.append(f"failures: {self.failures}" + (" (target: 0)" if self.failures else ""))
        lines += [f"  {count:6d}  {kind}" for kind, count in self.by_kind.most_common()]
        for (operation, kind), text in sorted(self.examples.items()):
            lines.append(f"--- {operation}: {kind}\n{text[:2000]}")
        return "\n".join(lines)


def fuzz(
    service: LiveService,
    *,
    max_examples: int,
    modes: Iterable[GenerationMode] = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE),
    operations: Callable[[str], bool] = lambda name: True,
    seed: int | None = None,
    report: FuzzReport | None = None,
) -> FuzzReport:
    """Fuzz every operation of the service's own document; deterministic unless ``seed`` is given."""
    started = time.perf_counter()
    report = report or FuzzReport()
    with requests.Session() as session:
        document = session.get(f"{service.base_url}/api/openapi.json", timeout=30).json()
        tokens = service.tokens()
        schema = schemathesis.openapi.from_dict(document)
        for result in schema.get_all_operations():
            if isinstance(result, Err):  # an operation schemathesis cannot read: its own error says why
                raise result.err()
            operation = result.ok()
            definition = operation.definition.raw
            name = str(definition["operationId"])
            if name in EXCLUDED or not operations(name):
                continue
            role = definition.get("x-role")
            # a role no seeded agent has (the order reviewer's) is fuzzed as a supervisor, who may do it
            headers = {"Authorization": f"Bearer {tokens.get(role) or tokens['supervisor']}"} if role else {}
            for mode in modes:
                _fuzz_one(service, session, operation, name, mode, headers, max_examples, seed, report)
    report.seconds = time.perf_counter() - started
    return report


def _fuzz_one(
    service: LiveService,
    session: requests.Session,
    operation: Any,
    name: str,
    mode: GenerationMode,
    headers: dict[str, str],
    max_examples: int,
    seed: int | None,
    report: FuzzReport,
) -> None:
    settings = hypothesis.settings(
        max_examples=max_examples,
        derandomize=seed is None,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )

    @settings
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        # A negative case may leave the token out on purpose ("violates `required` (was Authorization)");
        # adding ours would turn it into a valid request and the check would call its 200 a failure.
        description = str(getattr(case.meta.phase.data, "description", "") or "") if case.meta else ""
        sent = {} if "Authorization" in description else headers
        response = case.call(base_url=service.base_url, session=session, headers=sent, timeout=30)
        report.cases += 1
        report.by_status[response.status_code] += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=sent)
        except FailureGroup as group:
            report.record(name, group.exceptions, case, response.status_code)

    if seed is not None:
        run = hypothesis.seed(seed)(run)
    # negative cases of an operation without inputs: there is nothing to make invalid
    with contextlib.suppress(hypothesis.errors.Unsatisfiable):
        run()
