"""The intent matcher: ranked, explained suggestions for a buyer's message.

Built once from the store (``Matcher.load``), then kept current by the editor's saves
(``upsert_intent``, ``remove_intent``, ``upsert_campaign``, ``set_synonyms``): no rebuild on
the request path.  For each question of a message (``split_questions``):

1. candidates come from the shop's inverted index (``knowledge.index``) with an
   idf-weighted cosine over words, character n-grams and pinyin pairs, synonyms
   rewritten to one canonical word on both sides;
2. rapidfuzz scores the query against each candidate example (character ``ratio`` and
   word ``token_sort_ratio``: ``token_set_ratio`` gave 100 to any example whose words are a
   subset of the question's, e.g. a one-word example);
3. ``score = 0.55·cosine + 0.45·fuzzy`` for the best example of an entry, plus boosts
   (keywords, item in focus, active campaign, order status), clamped to [0, 1];
   ``confident`` is ``score ≥ threshold``;
4. with a sentence encoder attached (``enable_semantic``; ``knowledge.semantic``), the question's
   embedding is compared with every example's stored embedding: the lexical candidates get their
   best cosine, the nearest examples bring intents the words missed, the two scores are fused and
   ``confident`` follows the margin rule (``knowledge.semantic.confident``) instead.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from rapidfuzz import fuzz, process

from knowledge.index import Analyzer, Doc, InvertedIndex, prepare
from knowledge.match_entries import AnswerEntry, Match, QuestionMatches, Reasons, intent_entry, script_entries
from knowledge.match_semantic import SemanticStage, TextEncoder
from knowledge.models import Campaign, Intent, IntentTopic
from knowledge.semantic import NEIGHBOURS, SemanticRows, Signals, Vector, confident, fuse
from knowledge.synonyms import merged
from knowledge.text import split_questions

__all__ = ["Matcher", "ShopIndex", "TextEncoder"]

ITEM_BOOST = 0.12
OTHER_ITEM_PENALTY = 0.25
CAMPAIGN_BOOST = 0.08
KEYWORD_BOOST = 0.05
ORDER_BOOST = 0.1
CANDIDATES = 60
#: score = LEXICAL_WEIGHT·cosine + (1 − LEXICAL_WEIGHT)·fuzzy; fuzzy = CHAR_SHARE·ratio + rest·token_sort_ratio
LEXICAL_WEIGHT = 0.55
CHAR_SHARE = 0.6
SUPPORT_WEIGHT = 0.25
MAX_QUESTIONS = 5


#: Order status -> (topics the question is really about when the order is in that state).
#: A shipping question on an unpaid order is a payment question; on a shipped one, logistics.
STATUS_REROUTE: dict[str, tuple[frozenset[IntentTopic], IntentTopic]] = {
    "awaiting_payment": (frozenset({IntentTopic.SHIPPING, IntentTopic.LOGISTICS}), IntentTopic.PAYMENT),
    "shipped": (frozenset({IntentTopic.SHIPPING}), IntentTopic.LOGISTICS),
    "refunding": (frozenset({IntentTopic.RETURN, IntentTopic.AFTERSALES}), IntentTopic.REFUND),
}


@dataclass
class _Window:
    shop_id: int
    starts_at: datetime
    ends_at: datetime

    def active(self, moment: datetime) -> bool:
        return self.starts_at <= moment <= self.ends_at


@dataclass
class ShopIndex:
    """One shop's analyser (its synonyms), inverted index and embedding rows."""

    analyzer: Analyzer = field(default_factory=Analyzer)
    index: InvertedIndex = field(default_factory=InvertedIndex)
    groups: list[list[str]] = field(default_factory=list)
    semantic: SemanticRows = field(default_factory=SemanticRows)


class Matcher(SemanticStage):
    """Per-shop indexes of intents and campaign scripts, and the suggestion logic."""

    def __init__(self, threshold: float = 0.65, *, default_synonyms: bool = True) -> None:
        self.threshold = threshold
        self.default_synonyms = default_synonyms
        self.entries: dict[int, AnswerEntry] = {}
        self.shops: dict[int, ShopIndex] = {}
        self.windows: dict[int, _Window] = {}
        self.campaign_entries: dict[int, list[int]] = {}
        self._known_pinyin: Mapping[str, Sequence[str]] = {}
        self.encoder: TextEncoder | None = None
        #: text_key -> embedding of every example known (stored or computed since start-up).
        self.vectors: dict[str, Vector] = {}
        #: Embeddings computed at a save and not yet written to the store (``take_unsaved``).
        self.unsaved: dict[str, Vector] = {}
        #: Intents some of whose examples have no embedding yet (the background backfill's work).
        self.incomplete: set[int] = set()
        self._query_cache: OrderedDict[str, Vector] = OrderedDict()

    # ------------------------------------------------------------------ building
    def load(
        self,
        intents: Iterable[Intent],
        campaigns: Iterable[Campaign],
        synonyms: dict[int, list[list[str]]],
        pinyin: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        """Build every shop's index (start-up; runs off the event loop).

        ``pinyin``: prepared text -> syllables, as stored with the examples when they were saved
        (``knowledge.store.load_pinyin``); texts not in it are read with pypinyin here."""
        self._known_pinyin = pinyin or {}
        try:
            for shop_id, groups in synonyms.items():
                self.shops[shop_id] = ShopIndex(self._analyzer(groups), groups=[list(g) for g in groups])
            for intent in intents:
                if intent.enabled:
                    self._add(intent_entry(intent))
            for campaign in campaigns:
                self.upsert_campaign(campaign)
        finally:
            self._known_pinyin = {}

    def _analyzer(self, groups: Iterable[Iterable[str]]) -> Analyzer:
        return Analyzer(merged(groups, defaults=self.default_synonyms), related=self.default_synonyms)

    def _shop(self, shop_id: int) -> ShopIndex:
        shop = self.shops.get(shop_id)
        if shop is None:
            shop = self.shops[shop_id] = ShopIndex(self._analyzer([]))
        return shop

    def _analyse(self, shop: ShopIndex, text: str) -> Doc:
        prepared = prepare(text)
        canon = shop.analyzer.canon(prepared)
        content = " ".join(shop.analyzer.words(canon))
        feats = shop.analyzer.expanded(prepared, canon, self._known_pinyin.get(prepared))
        return Doc(0, text, prepared, canon, feats, content)

    def _add(self, entry: AnswerEntry) -> None:
        shop = self._shop(entry.shop_id)
        self.entries[entry.uid] = entry
        texts = [*entry.examples, *([entry.name] if entry.kind == "intent" else [])]
        shop.index.add(entry.uid, (self._analyse(shop, t) for t in dict.fromkeys(texts)))
        if self.encoder is not None:  # intents and campaign scripts alike
            self._embed(shop, entry, compute=True)

    def _drop(self, uid: int) -> None:
        entry = self.entries.pop(uid, None)
        if entry is not None:
            shop = self._shop(entry.shop_id)
            shop.index.remove(uid)
            shop.semantic.remove(uid)
            self.incomplete.discard(uid)

    def upsert_intent(self, intent: Intent) -> None:
        assert intent.id is not None
        self._drop(intent.id)
        if intent.enabled:
            self._add(intent_entry(intent))

    def remove_intent(self, intent_id: int) -> None:
        self._drop(intent_id)

    def upsert_campaign(self, campaign: Campaign) -> None:
        assert campaign.id is not None
        self.remove_campaign(campaign.id)
        self.windows[campaign.id] = _Window(campaign.shop_id, campaign.starts_at, campaign.ends_at)
        entries = script_entries(campaign)
        for entry in entries:
            self._add(entry)
        self.campaign_entries[campaign.id] = [e.uid for e in entries]

    def remove_campaign(self, campaign_id: int) -> None:
        for uid in self.campaign_entries.pop(campaign_id, []):
            self._drop(uid)
        self.windows.pop(campaign_id, None)

    def set_synonyms(self, shop_id: int, groups: list[list[str]]) -> None:
        """Replace a shop's synonyms; re-analyse only the documents containing an affected word."""
        shop = self._shop(shop_id)
        before = shop.analyzer.canonical
        shop.groups = [list(g) for g in groups]
        shop.analyzer = self._analyzer(groups)
        after = shop.analyzer.canonical
        touched = {w for w in before.keys() | after.keys() if before.get(w) != after.get(w)}
        affected = {
            doc.entry for doc in shop.index.docs if doc.alive and any(w in doc.prepared for w in touched)
        }
        for uid in affected:
            entry = self.entries[uid]
            shop.index.remove(uid)
            self._add(entry)

    # ------------------------------------------------------------------ matching
    def active_campaigns(self, shop_id: int, moment: datetime) -> set[int]:
        return {cid for cid, w in self.windows.items() if w.shop_id == shop_id and w.active(moment)}

    def suggest(
        self,
        shop_id: int,
        message: str,
        *,
        item_id: int | None = None,
        order_status: str | None = None,
        now: datetime | None = None,
        limit: int = 3,
    ) -> list[QuestionMatches]:
        """Ranked matches for each question in ``message`` (empty list: nothing to answer)."""
        shop = self.shops.get(shop_id)
        questions = split_questions(message)[:MAX_QUESTIONS] or ([p] if (p := prepare(message)) else [])
        if shop is None:
            return [QuestionMatches(q, False, []) for q in questions]
        active = self.active_campaigns(shop_id, now or datetime.now(UTC))
        if self.encoder is not None and shop.semantic.live and len(questions) > 1:
            self._prime(questions)
        return [self._question(shop, q, item_id, order_status, active, limit) for q in questions]

    def rank(
        self,
        shop_id: int,
        text: str,
        *,
        limit: int = 10,
        item_id: int | None = None,
        order_status: str | None = None,
        now: datetime | None = None,
    ) -> QuestionMatches:
        """Ranked matches for ``text`` taken as one question (evaluation, single-question callers)."""
        shop = self.shops.get(shop_id)
        question = prepare(text)
        if shop is None or not question:
            return QuestionMatches(question, False, [])
        active = self.active_campaigns(shop_id, now or datetime.now(UTC))
        return self._question(shop, question, item_id, order_status, active, limit)

    def _question(
        self,
        shop: ShopIndex,
        question: str,
        item_id: int | None,
        order_status: str | None,
        active: set[int],
        limit: int,
    ) -> QuestionMatches:
        canon = shop.analyzer.canon(question)
        feats = shop.analyzer.expanded(question, canon)
        index = shop.index
        cands = index.candidates(feats, CANDIDATES)
        semantic = self.encoder is not None and shop.semantic.live > 0
        if not cands and not semantic:
            return QuestionMatches(question, False, [])
        q_words = shop.analyzer.words(canon)
        q_content = " ".join(q_words)
        choices = {idx: index.docs[idx].content for idx, _ in cands}
        chars = {
            k: s
            for _, s, k in process.extract(
                q_content.replace(" ", ""),
                {i: c.replace(" ", "") for i, c in choices.items()},
                scorer=fuzz.ratio,
                processor=None,
                score_cutoff=0,
                limit=None,
            )
        }
        words = {
            k: s
            for _, s, k in process.extract(
                q_content, choices, scorer=fuzz.token_sort_ratio, processor=None, score_cutoff=0, limit=None
            )
        }
        best: dict[int, tuple[float, float, float, int]] = {}
        support: dict[int, float] = {}  # the second-best example of each entry
        for idx, cosine in cands:
            fuzzy = (CHAR_SHARE * chars.get(idx, 0.0) + (1 - CHAR_SHARE) * words.get(idx, 0.0)) / 100
            base = LEXICAL_WEIGHT * cosine + (1 - LEXICAL_WEIGHT) * fuzzy
            uid = index.docs[idx].entry
            if uid not in best:
                best[uid] = (base, cosine, fuzzy, idx)
                support[uid] = 0.0
            elif base > best[uid][0]:
                support[uid] = max(support[uid], best[uid][0])
                best[uid] = (base, cosine, fuzzy, idx)
            else:
                support[uid] = max(support[uid], base)
        q_set = set(q_words)
        reroute = STATUS_REROUTE.get(order_status or "")
        sims = shop.semantic.cosines(self._query_vector(question)) if semantic else None
        uids: list[int] = list(best)
        if sims is not None:
            uids += [
                u for u in shop.semantic.nearest(sims, NEIGHBOURS) if u not in best and u in self.entries
            ]
        matches: list[Match] = []
        signals: dict[int, tuple[float, float, str]] = {}
        for uid in uids:
            entry = self.entries[uid]
            if entry.campaign_id is not None and entry.campaign_id not in active:
                continue
            if uid in best:
                base, cosine, fuzzy, idx = best[uid]
                doc = index.docs[idx]
                reasons = Reasons(
                    example=doc.text,
                    lexical=round(cosine, 3),
                    fuzzy=round(fuzzy, 3),
                    matched_words=sorted(q_set & set(doc.content.split())),
                )
                # A second example agreeing is evidence too (each example is one editor's phrasing).
                score = base + SUPPORT_WEIGHT * support[uid]
            else:
                reasons, score = Reasons(), 0.0
            near = shop.semantic.best(sims, uid) if sims is not None else None
            closest = ""
            if near is not None:
                reasons.semantic = round(near[0], 3)
                closest = shop.semantic.texts[near[1]]
                reasons.example = reasons.example or closest
            reasons.keywords = [k for k in entry.keywords if k and shop.analyzer.canon(prepare(k)) in canon]
            score += KEYWORD_BOOST * min(2, len(reasons.keywords))
            if entry.item_id is not None:
                if entry.item_id == item_id:
                    reasons.item_boost = ITEM_BOOST
                else:
                    reasons.item_boost = -OTHER_ITEM_PENALTY
                score += reasons.item_boost
            if entry.campaign_id is not None:
                reasons.campaign_boost = CAMPAIGN_BOOST
                score += CAMPAIGN_BOOST
            if reroute is not None and entry.topic == reroute[1]:
                reasons.order_boost, reasons.order_status = ORDER_BOOST, order_status
                score += ORDER_BOOST
            if sims is not None:
                lexical = max(0.0, min(1.0, score))
                signals[uid] = (lexical, reasons.semantic, closest)
                score = fuse(lexical, reasons.semantic) + min(0.0, score)  # a penalty stays a penalty
            matches.append(Match(entry, score, False, reasons))
        matches.sort(key=lambda m: (-m.score, m.entry.uid))
        if reroute is not None and matches and matches[0].entry.topic in reroute[0]:
            self._reroute(shop, matches, reroute[1], order_status or "")
        if sims is not None and matches:
            self._semantic_confidence(matches, signals)
        for m in matches:
            if sims is None:
                m.confident = round(max(0.0, min(1.0, m.score)), 4) >= self.threshold
            m.score = round(max(0.0, min(1.0, m.score)), 4)
        top = matches[:limit]
        return QuestionMatches(question, bool(top) and top[0].confident, top)

    def _semantic_confidence(
        self, matches: list[Match], signals: dict[int, tuple[float, float, str]]
    ) -> None:
        """The margin rule for the top match (the others are never confident), and the honest
        reason: the example closest in meaning when the meaning, not the words, carried a match."""

        def sig(m: Match) -> Signals:
            lexical, cosine, _ = signals.get(m.entry.uid, (0.0, 0.0, ""))
            return Signals(lexical, cosine, m.score)

        top = matches[0]
        top.confident = confident(sig(top), (sig(m) for m in matches[1:]), self.threshold)
        words_lead = max(signals, key=lambda uid: (signals[uid][0], -uid), default=None)
        for m in matches:
            lexical, cosine, closest = signals.get(m.entry.uid, (0.0, 0.0, ""))
            # The words alone would not have put it here (under the threshold, or another intent
            # ahead on words) and the meaning weighs more: say so.
            by_words = lexical >= self.threshold and m.entry.uid == words_lead
            if closest and not by_words and fuse(0.0, cosine) > lexical:
                m.reasons.similar = closest

    def _reroute(self, shop: ShopIndex, matches: list[Match], topic: IntentTopic, status: str) -> None:
        """Put the best intent of ``topic`` first, with the score of the question's real match."""
        first = matches[0]
        target = next((m for m in matches if m.entry.topic == topic and m.entry.kind == "intent"), None)
        if target is None:
            uid = min(
                (
                    e.uid
                    for e in self.entries.values()
                    if e.shop_id == first.entry.shop_id and e.topic == topic and e.kind == "intent"
                ),
                default=None,
            )
            if uid is None:
                return
            target = Match(self.entries[uid], 0.0, False, Reasons())
            matches.append(target)
        target.score = max(target.score, first.score + 0.01)
        target.reasons.order_status = status
        target.reasons.order_boost = round(target.score - first.score, 4)
        target.reasons.note = f"订单状态 {status}：「{first.entry.name}」按「{target.entry.name}」回答"
        matches.remove(target)
        matches.insert(0, target)
