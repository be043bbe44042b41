"""``kefu eval``: our matcher against a standard BM25 baseline on the same JSON-lines files.

Knowledge base: ``{"intent_id": …, "question": …}`` per line (several lines may share an
intent); queries: ``{"query": …, "intent_id": …}``.  Both systems index the same
questions; both rank intents (an intent scores as its best example).  Figures: top-1,
top-3, MRR@10 and p50/p99 latency per query in milliseconds.

The baseline is Okapi BM25 (k1 = 1.2, b = 0.75, idf = ln(1 + (N − df + 0.5)/(df + 0.5)))
over the rjieba words of ``knowledge.text.segment`` (which folds case, width and
Traditional characters, so the baseline gets the same normalisation of characters).
It lives here, not in the product path.
"""

from __future__ import annotations

import json
import math
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge.matcher import Matcher
from knowledge.models import Intent, IntentTopic
from knowledge.text import segment

__all__ = ["BM25", "Figures", "evaluate", "load_jsonl", "matcher_for"]

EVAL_SHOP = 1


@dataclass(frozen=True)
class Figures:
    top1: float
    top3: float
    mrr10: float
    p50_ms: float
    p99_ms: float

    def as_dict(self) -> dict[str, float]:
        return {k: round(v, 4) for k, v in self.__dict__.items()}


def load_jsonl(path: Path, required: tuple[str, ...]) -> list[dict[str, Any]]:
    """Rows of a JSON-lines file; a bad line is an error naming the file and line."""
    rows = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{number}: 不是有效的 JSON（{exc.msg}）") from exc
            if not isinstance(row, dict) or any(not str(row.get(k) or "").strip() for k in required):
                raise ValueError(f"{path}:{number}: 需要字段 {', '.join(required)}")
            rows.append(row)
    return rows


def _grouped(kb: Iterable[dict[str, Any]]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for row in kb:
        groups.setdefault(str(row["intent_id"]), []).append(str(row["question"]))
    return groups


def matcher_for(
    kb: Iterable[dict[str, Any]], *, default_synonyms: bool = True
) -> tuple[Matcher, dict[int, str]]:
    """A matcher over the knowledge-base rows (one shop) and its intent-id map."""
    matcher = Matcher(default_synonyms=default_synonyms)
    names: dict[int, str] = {}
    intents = []
    for number, (intent_id, questions) in enumerate(_grouped(kb).items(), 1):
        names[number] = intent_id
        intents.append(
            Intent.model_construct(
                id=number,
                shop_id=EVAL_SHOP,
                key=f"i{number}",
                name=intent_id,
                topic=IntentTopic.GENERAL,
                keywords=[],
                examples=list(dict.fromkeys(questions)),
                answers=["-"],
                item_id=None,
                campaign_id=None,
                enabled=True,
                version=1,
            )
        )
    # The intent id is a label, not buyer text: index only the questions.
    for intent in intents:
        intent.name = ""
    matcher.load(intents, [], {})
    return matcher, names


class BM25:
    """Okapi BM25 over segmented words; documents are the questions, an intent is its best question."""

    def __init__(self, kb: Iterable[dict[str, Any]], k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.docs: list[tuple[str, Counter[str], int]] = []
        df: Counter[str] = Counter()
        for intent_id, questions in _grouped(kb).items():
            for question in questions:
                words = segment(question)
                self.docs.append((intent_id, Counter(words), len(words)))
                df.update(set(words))
        n = len(self.docs)
        self.avgdl = sum(d[2] for d in self.docs) / max(1, n)
        self.idf = {w: math.log(1 + (n - c + 0.5) / (c + 0.5)) for w, c in df.items()}
        self.postings: dict[str, list[int]] = {}
        for idx, (_, tf, _) in enumerate(self.docs):
            for word in tf:
                self.postings.setdefault(word, []).append(idx)

    def rank(self, query: str, limit: int = 10) -> list[str]:
        scores: dict[int, float] = {}
        for word in set(segment(query)):
            idf = self.idf.get(word)
            if idf is None:
                continue
            for idx in self.postings[word]:
                _, tf, length = self.docs[idx]
                freq = tf[word]
                norm = freq * (self.k1 + 1) / (freq + self.k1 * (1 - self.b + self.b * length / self.avgdl))
                scores[idx] = scores.get(idx, 0.0) + idf * norm
        best: dict[str, float] = {}
        for idx, score in scores.items():
            intent_id = self.docs[idx][0]
            if score > best.get(intent_id, 0.0):
                best[intent_id] = score
        return sorted(best, key=lambda k: (-best[k], k))[:limit]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def figures(queries: list[dict[str, Any]], rank: Callable[[str], list[str]]) -> Figures:
    top1 = top3 = mrr = 0.0
    latencies = []
    for row in queries:
        started = time.perf_counter()
        ranked = rank(str(row["query"]))
        latencies.append((time.perf_counter() - started) * 1000)
        expected = str(row["intent_id"])
        if expected in ranked[:10]:
            position = ranked.index(expected)
            mrr += 1 / (position + 1)
            top1 += position == 0
            top3 += position < 3
    n = max(1, len(queries))
    return Figures(top1 / n, top3 / n, mrr / n, _percentile(latencies, 0.5), _percentile(latencies, 0.99))


def evaluate(
    kb_path: Path, queries_path: Path, *, default_synonyms: bool = True
) -> dict[str, dict[str, float]]:
    """``{"ours": {...}, "bm25": {...}}`` for the two files."""
    kb = load_jsonl(kb_path, ("intent_id", "question"))
    queries = load_jsonl(queries_path, ("query", "intent_id"))
    matcher, names = matcher_for(kb, default_synonyms=default_synonyms)
    bm25 = BM25(kb)

    def ours(text: str) -> list[str]:
        return [names[m.entry.ref_id] for m in matcher.rank(EVAL_SHOP, text, limit=10).matches]

    ours("预热")  # first call loads rjieba/pypinyin dictionaries; not a buyer's latency
    bm25.rank("预热")
    return {"ours": figures(queries, ours).as_dict(), "bm25": figures(queries, bm25.rank).as_dict()}


def format_table(result: dict[str, dict[str, float]]) -> str:
    rows = [f"{'':8}{'top-1':>8}{'top-3':>8}{'MRR@10':>8}{'p50 ms':>9}{'p99 ms':>9}"]
    for name, label in (("ours", "ours"), ("bm25", "BM25")):
        f = result[name]
        rows.append(
            f"{label:8}{f['top1']:>8.1%}{f['top3']:>8.1%}{f['mrr10']:>8.3f}{f['p50_ms']:>9.2f}{f['p99_ms']:>9.2f}"
        )
    return "\n".join(rows)
