"""The matcher's semantic stage in the service: load the encoder after start-up, attach the stored
example embeddings, fill in the missing ones in the background, store the ones computed at saves.

Start-up does not wait for any of it: the service answers lexically from the first request, as it
did before, and the semantic stage joins once the encoder is loaded (a few seconds) and the stored
embeddings are read. With ``KEFU_ENCODER=off`` (setting ``encoder``), or when the package is missing
or fails to load, it never joins; the log says so once and ``/healthz`` reports it (``encoder``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from functools import partial

import sqlite_utils
from aiohttp import web

from assistant import keys
from assistant.semantic_state import SemanticState
from knowledge import store
from knowledge.encoder import MODEL, Encoder, EncoderStatus, load_encoder, text_key
from knowledge.semantic import Vector

log = logging.getLogger(__name__)

#: Examples encoded per backfill step (one step holds the encoder for ~10–20 ms).
BACKFILL_BATCH = 8
#: Seconds between the writes of embeddings computed at saves.
FLUSH_EVERY = 1.0


async def flush_embeddings(app: web.Application) -> int:
    """Write the embeddings computed at saves since the last flush; returns how many."""
    unsaved = app[keys.MATCHER].take_unsaved()
    if unsaved:
        await app[keys.DB].write(lambda db: store.save_embeddings(db, MODEL, unsaved))
    return len(unsaved)


async def _start(app: web.Application, state: SemanticState) -> None:
    encoder, status = await asyncio.to_thread(load_encoder, app[keys.SETTINGS].encoder)
    if encoder is None:
        state.status = status
        return
    stored = await app[keys.DB].read(lambda db: store.load_embeddings(db, MODEL))
    matcher = app[keys.MATCHER]
    missing = matcher.enable_semantic(encoder, stored)
    state.status, state.pending = status, len(missing)
    log.info("semantic stage on: %d stored example embeddings, %d to compute", len(stored), len(missing))
    await _backfill(app, encoder, missing, state)


async def _backfill(app: web.Application, encoder: Encoder, missing: list[str], state: SemanticState) -> None:
    """Encode the examples that have no stored embedding (an existing base after the migration,
    intents saved while the encoder was off), a few at a time, off the event loop."""
    matcher = app[keys.MATCHER]
    for start in range(0, len(missing), BACKFILL_BATCH):
        batch = missing[start : start + BACKFILL_BATCH]
        vectors = await asyncio.to_thread(encoder.encode, batch)
        found: dict[str, Vector] = {text_key(t): v for t, v in zip(batch, vectors, strict=True)}
        await app[keys.DB].write(partial(store.save_embeddings, model=MODEL, vectors=found))
        matcher.add_vectors(found)
        state.pending = max(0, len(missing) - start - len(batch))
    if missing:
        keep = {text_key(e) for entry in matcher.entries.values() for e in entry.examples}

        def prune(db: sqlite_utils.Database) -> int:
            return store.prune_embeddings(db, keep)

        gone = await app[keys.DB].write(prune)
        log.info("semantic stage: %d example embeddings computed, %d unused removed", len(missing), gone)


async def _flush_loop(app: web.Application) -> None:
    while True:
        await asyncio.sleep(FLUSH_EVERY)
        try:
            await flush_embeddings(app)
        except Exception:  # a failed write is retried at the next start-up's backfill
            log.exception("could not store example embeddings")


async def semantic_ctx(app: web.Application) -> AsyncIterator[None]:
    """After ``matcher_ctx``: start the semantic stage in the background; on shutdown, stop it and
    write what is still unsaved."""
    off = app[keys.SETTINGS].encoder == "off"
    state = SemanticState(EncoderStatus("off", "KEFU_ENCODER=off") if off else EncoderStatus("loading"))
    app[keys.SEMANTIC] = state

    async def start() -> None:
        try:
            await _start(app, state)
        except Exception as exc:  # never take the service down: it runs lexically, as before
            log.exception("semantic stage failed; suggestions use lexical matching only")
            app[keys.MATCHER].disable_semantic()
            state.status = EncoderStatus("unavailable", f"{type(exc).__name__}: {exc}")
        finally:
            state.ready.set()

    if off:
        load_encoder("off")  # logs it once
        state.ready.set()
        yield
        return
    tasks = [asyncio.create_task(start()), asyncio.create_task(_flush_loop(app))]
    yield
    for task in tasks:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    await flush_embeddings(app)
