"""The lookup as the service uses it: index + usage counts + rendering of previews and highlights."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from quick_replies.entry import PhraseEntry, Span, entry_from_stored, find_spans, original_spans
from quick_replies.index import Hit, QuickReplyIndex
from quick_replies.models import Highlights, LookupResult, MatchKind, Scope
from quick_replies.render import render
from quick_replies.usage import UsageStats, Use

if TYPE_CHECKING:  # the store's SQL stays out of the lookup's imports
    from quick_replies.rows import StoredQuickReply
    from quick_replies.store import DayUse

#: From this many phrases the loaded index is frozen out of the cyclic GC (see ``load``).
FREEZE_FROM = 5_000
#: Rendered previews kept for reuse (all dropped when full).
PREVIEWS_KEPT = 2_000


class QuickReplyLibrary:
    """Everything the hotkey lookup needs in memory."""

    def __init__(self) -> None:
        self.usage = UsageStats()
        self.index = QuickReplyIndex(self.usage)
        self.team_of: dict[int, int | None] = {}
        #: (phrase id, version) -> (the context it was rendered with, the preview): an agent
        #: typing in one conversation sees the same phrases keystroke after keystroke, and the
        #: service hands the same context object for the conversation while they type.
        self._previews: dict[tuple[int, int], tuple[Mapping[str, Any] | None, str]] = {}

    def load(
        self,
        phrases: Iterable[StoredQuickReply],
        uses: Iterable[DayUse],
        team_of: Mapping[int, int | None],
    ) -> None:
        """Build the index from the stored phrases (keys precomputed) and the usage history by day.

        A large index lives as long as the process, so it is then taken out of the cyclic
        garbage collector's reach (``gc.freeze``): otherwise every full collection walks its
        ~140,000 objects (50 ms at 20,000 phrases) in the middle of somebody's keystroke. Small
        libraries (and tests, which build many) are left alone.
        """
        self.team_of = dict(team_of)
        self.index.load(entry_from_stored(phrase) for phrase in phrases)
        for use in uses:
            try:
                at = datetime.fromisoformat(use.day).replace(hour=12, tzinfo=UTC)
            except ValueError:
                continue
            self.usage.add(Use(use.agent_id, self.team_of.get(use.agent_id), use.phrase_id, at), use.uses)
        if len(self.index) >= FREEZE_FROM:
            gc.collect()  # nothing unreachable is frozen
            gc.freeze()

    def record_use(self, agent_id: int, phrase_id: int, at: datetime) -> None:
        if self.index.get(phrase_id) is not None:
            self.usage.add(Use(agent_id, self.team_of.get(agent_id), phrase_id, at))

    def publish(self, phrase: StoredQuickReply) -> PhraseEntry:
        """Swap in the saved state of a phrase."""
        entry = entry_from_stored(phrase)
        self.index.upsert(entry)
        return entry

    def drop(self, phrase_id: int) -> None:
        self.index.remove(phrase_id)
        self.usage.forget(phrase_id)

    def search(
        self,
        shop_id: int,
        agent_id: int,
        team_id: int | None,
        q: str,
        limit: int,
        context: Mapping[str, Any] | None = None,
        moment: datetime | None = None,
    ) -> list[LookupResult]:
        hits = self.find(shop_id, agent_id, team_id, q, limit, moment)
        return self.results(hits, context)

    def find(
        self,
        shop_id: int,
        agent_id: int,
        team_id: int | None,
        q: str,
        limit: int,
        moment: datetime | None = None,
    ) -> list[Hit]:
        """The ranked hits, without previews (the service renders those off the event loop)."""
        return self.index.search(shop_id, agent_id, team_id, q, limit, moment or datetime.now(UTC))

    def rendered(self, hits: list[Hit], context: Mapping[str, Any] | None) -> bool:
        """Whether every hit's preview is plain text or already rendered with ``context``."""
        for hit in hits:
            e = hit.entry
            cached = self._previews.get((e.id, e.version))
            if "{" in e.body and (cached is None or cached[0] is not context):
                return False
        return True

    def results(self, hits: list[Hit], context: Mapping[str, Any] | None) -> list[LookupResult]:
        """The hits with their previews, rendering those not rendered yet (each within its budget)."""
        return [result(hit, self.preview(hit.entry, context)) for hit in hits]

    def preview(self, e: PhraseEntry, context: Mapping[str, Any] | None) -> str:
        """The body rendered with ``context``, reused while the same context object comes back
        (contexts are not changed once handed to the search)."""
        if "{" not in e.body:
            return e.body
        key = (e.id, e.version)
        cached = self._previews.get(key)
        if cached is not None and cached[0] is context:
            return cached[1]
        text = render(e.body, context, phrase_id=e.id)
        if len(self._previews) >= PREVIEWS_KEPT:
            self._previews.clear()
        self._previews[key] = (context, text)
        return text


def _merged(spans: list[Span]) -> list[list[int]]:
    out: list[list[int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return out


def _title_spans(e: PhraseEntry, spans: list[Span]) -> list[list[int]]:
    """Spans over the folded title as spans over the title shown (most titles fold to themselves)."""
    if not spans:
        return []
    if e.title == e.t_fold:
        return _merged([(s, t) for s, t in spans if 0 <= s < t <= len(e.title)])
    return [list(s) for s in original_spans(e.title, spans)]


def _preview_spans(preview: str, needles: list[str]) -> list[list[int]]:
    """Where the matched body text is in the rendered preview: found as typed when it can be,
    folding the whole preview (Traditional, full width) only when it cannot."""
    found: list[Span] = []
    for needle in needles:
        at = preview.find(needle) if needle else -1
        if at < 0:
            return [list(s) for s in find_spans(preview, needles)]
        found.append((at, at + len(needle)))
    return _merged(found)


def result(hit: Hit, preview: str) -> LookupResult:
    """A hit as the API returns it: its rendered preview and highlight spans on what is shown.

    Built with ``model_construct``: every field comes from a validated, saved phrase.
    """
    e = hit.entry
    body_needles = [e.b_fold[start:end] for start, end in hit.spans.get("body", [])]
    highlights = Highlights.model_construct(
        code=[list(s) for s in hit.spans.get("code", [])],
        title=_title_spans(e, hit.spans.get("title", [])),
        preview=_preview_spans(preview, body_needles) if body_needles else [],
    )
    return LookupResult.model_construct(
        id=e.id,
        code=e.code,
        title=e.title,
        group=e.group,
        group_id=e.group_id,
        scope=Scope(e.scope),
        preview=preview,
        score=hit.score,
        matched_on=[MatchKind(k) for k in hit.matched_on],
        highlights=highlights,
        tags=list(e.tags),
        attachment=e.attachment,
    )
