"""Templates are rendered off the event loop, a few at a time.

Every render has its own budget (``knowledge.template_limits``), so a hostile template costs at
most tens of milliseconds of CPU; running it in this pool keeps even that off the thread that
answers every other request. The pool is small on purpose: rendering is pure Python, so more
threads would only compete with the event loop for the interpreter lock. Reminder and care
templates (and anything else that renders stored templates) use the same pool::

    rendered = await pool.run(render, template, context)
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class RenderPool:
    """A thread pool for template work (rendering, linting); ``run`` awaits one call."""

    def __init__(self, threads: int = 2) -> None:
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="kefu-render")

    async def run(self, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args, **kwargs))

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
