"""The matcher's semantic stage: a sentence encoder attached at run time, the stored embedding of
every example, the embeddings computed at saves and not yet stored, the intents still waiting for
theirs (the background backfill's work) and a small cache of question embeddings. A mixin of
``knowledge.matcher.Matcher``, apart so the lexical matching reads on its own."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

from knowledge.encoder import text_key
from knowledge.match_entries import AnswerEntry
from knowledge.semantic import SemanticRows, Vector, rows_for

if TYPE_CHECKING:
    from knowledge.matcher import ShopIndex

#: Question embeddings kept (the sidebar asks again for the same message when the order changes).
QUERY_CACHE = 256


class TextEncoder(Protocol):
    def encode(self, texts: Sequence[str]) -> Vector: ...


class SemanticStage:
    """The embeddings half of the matcher's state; ``Matcher.__init__`` sets every attribute."""

    entries: dict[int, AnswerEntry]
    shops: dict[int, ShopIndex]
    encoder: TextEncoder | None
    #: text_key -> embedding of every example known (stored or computed since start-up).
    vectors: dict[str, Vector]
    #: Embeddings computed at a save and not yet written to the store (``take_unsaved``).
    unsaved: dict[str, Vector]
    #: Intents some of whose examples have no embedding yet (the background backfill's work).
    incomplete: set[int]
    _query_cache: OrderedDict[str, Vector]

    def _shop(self, shop_id: int) -> ShopIndex:
        raise NotImplementedError  # the matcher's

    def _embed(self, shop: ShopIndex, entry: AnswerEntry, *, compute: bool) -> list[str]:
        """Put the entry's example embeddings in the shop's matrix; ``compute``: encode the missing
        ones now (an editor's save) instead of leaving them to the backfill. Returns the missing."""
        rows, missing = rows_for(entry.examples, self.vectors)
        if missing and compute and self.encoder is not None:
            for text, vector in zip(missing, self.encoder.encode(missing), strict=True):
                key = text_key(text)
                self.vectors[key] = self.unsaved[key] = vector
            rows, missing = rows_for(entry.examples, self.vectors)
        shop.semantic.add(entry.uid, rows)
        if missing:
            self.incomplete.add(entry.uid)
        else:
            self.incomplete.discard(entry.uid)
        return missing

    def enable_semantic(self, encoder: TextEncoder, vectors: Mapping[str, Vector]) -> list[str]:
        """Attach a loaded encoder and the stored embeddings (``text_key`` -> vector); returns the
        examples that have none yet, for the caller to encode in the background (``add_vectors``).
        Nothing is encoded here: start-up never pays for the whole base."""
        self.vectors.update(vectors)
        self.encoder = encoder
        self._query_cache.clear()
        missing: dict[str, None] = {}
        for entry in self.entries.values():
            missing.update(dict.fromkeys(self._embed(self._shop(entry.shop_id), entry, compute=False)))
        return list(missing)

    def disable_semantic(self) -> None:
        self.encoder = None
        for shop in self.shops.values():
            shop.semantic = SemanticRows()
        self.incomplete.clear()

    def add_vectors(self, vectors: Mapping[str, Vector]) -> None:
        """Embeddings computed by the backfill: complete the intents that were waiting for them."""
        self.vectors.update(vectors)
        for uid in list(self.incomplete):
            entry = self.entries.get(uid)
            if entry is None:
                self.incomplete.discard(uid)
            else:
                self._embed(self._shop(entry.shop_id), entry, compute=False)

    def take_unsaved(self) -> dict[str, Vector]:
        """Embeddings computed at saves since the last call (the service writes them to the store)."""
        unsaved, self.unsaved = self.unsaved, {}
        return unsaved

    def _prime(self, questions: Sequence[str]) -> None:
        """Encode a message's questions in one batch (one pass costs less than one per question)."""
        assert self.encoder is not None
        new = [q for q in dict.fromkeys(questions) if q not in self._query_cache]
        if new:
            for question, vector in zip(new, self.encoder.encode(new), strict=True):
                self._remember(question, vector)

    def _remember(self, question: str, vector: Vector) -> None:
        self._query_cache[question] = vector
        if len(self._query_cache) > QUERY_CACHE:
            self._query_cache.popitem(last=False)

    def _query_vector(self, question: str) -> Vector:
        assert self.encoder is not None
        vector = self._query_cache.get(question)
        if vector is None:
            vector = self.encoder.encode([question])[0]
            self._remember(question, vector)
        else:
            self._query_cache.move_to_end(question)
        return vector
