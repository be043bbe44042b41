"""``kefu eval``: our matcher against a standard BM25 baseline on the same JSON-lines files.

Knowledge base: ``{"intent_id": …, "question": …}`` per line (several lines may share an
intent); queries: ``{"query": …, "intent_id": …}``.  Both systems index the same
questions; both rank intents (an intent scores as its best example).  Figures: top-1,
top-3, MRR@10 and p50/p99 latency per query in milliseconds.

With a sentence encoder (``knowledge.encoder``) a third system is measured: ours with the
semantic stage (the examples' embeddings computed once, in a batch, as the service stores them at
save time). Beside the ranking figures: how many top suggestions are ``confident`` and right, the
false-confident share on an off-topic file (``{"query": …}`` lines, no intent), and per intent
which examples carry it (were the matched example of its right top-1 answers).

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

from knowledge.encoder import text_key
from knowledge.matcher import Matcher, TextEncoder
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
    kb: Iterable[dict[str, Any]], *, default_synonyms: bool = True, encoder: TextEncoder | None = None
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
    if encoder is not None:
        texts = list(dict.fromkeys(e for i in intents for e in i.examples))
        vectors = encoder.encode(texts)
        matcher.enable_semantic(encoder, {text_key(t): v for t, v in zip(texts, vectors, strict=True)})
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


def confidence(
    matcher: Matcher, names: dict[int, str], queries: list[dict[str, Any]], offtopic: list[str]
) -> dict[str, float]:
    """Confident top suggestions and how many are right; the off-topic ones that are confident."""
    sure = right = 0
    for row in queries:
        result = matcher.rank(EVAL_SHOP, str(row["query"]), limit=1)
        if result.matches and result.matches[0].confident:
            sure += 1
            right += names[result.matches[0].entry.ref_id] == str(row["intent_id"])
    false = sum(
        1
        for text in offtopic
        if (r := matcher.rank(EVAL_SHOP, text, limit=1)).matches and r.matches[0].confident
    )
    return {
        "confident": sure,
        "confident_right": right,
        "precision": round(right / sure, 4) if sure else 0.0,
        "offtopic": len(offtopic),
        "offtopic_confident": false,
        "false_confident_rate": round(false / len(offtopic), 4) if offtopic else 0.0,
    }


def carriers(
    matcher: Matcher, names: dict[int, str], queries: list[dict[str, Any]]
) -> dict[str, dict[str, int]]:
    """Per intent, how many of its right top-1 answers each example carried (the matched example,
    or the one closest in meaning when the meaning carried it); 0 for an example that carried none."""
    out: dict[str, dict[str, int]] = {
        names[e.ref_id]: dict.fromkeys(e.examples, 0) for e in matcher.entries.values() if e.kind == "intent"
    }
    for row in queries:
        result = matcher.rank(EVAL_SHOP, str(row["query"]), limit=1)
        if result.matches and names[(top := result.matches[0]).entry.ref_id] == str(row["intent_id"]):
            example = top.reasons.similar or top.reasons.example
            counts = out.setdefault(str(row["intent_id"]), {})
            counts[example] = counts.get(example, 0) + 1
    return out


def evaluate(
    kb_path: Path,
    queries_path: Path,
    *,
    default_synonyms: bool = True,
    encoder: TextEncoder | None = None,
    offtopic_path: Path | None = None,
    per_intent: bool = False,
) -> dict[str, Any]:
    """``{"ours": {...}, "hybrid": {...}, "bm25": {...}, "confidence": {...}}`` for the files
    (``hybrid`` only with an encoder; ``carriers`` only with ``per_intent``)."""
    kb = load_jsonl(kb_path, ("intent_id", "question"))
    queries = load_jsonl(queries_path, ("query", "intent_id"))
    offtopic = [str(r["query"]) for r in load_jsonl(offtopic_path, ("query",))] if offtopic_path else []
    systems: dict[str, tuple[Matcher, dict[int, str]]] = {
        "ours": matcher_for(kb, default_synonyms=default_synonyms)
    }
    if encoder is not None:
        systems["hybrid"] = matcher_for(kb, default_synonyms=default_synonyms, encoder=encoder)
    bm25 = BM25(kb)
    result: dict[str, Any] = {}
    for name, (matcher, names) in systems.items():

        def rank(text: str, matcher: Matcher = matcher, names: dict[int, str] = names) -> list[str]:
            return [names[m.entry.ref_id] for m in matcher.rank(EVAL_SHOP, text, limit=10).matches]

        rank("预热")  # first call loads rjieba/pypinyin dictionaries; not a buyer's latency
        result[name] = figures(queries, rank).as_dict()
    bm25.rank("预热")
    result["bm25"] = figures(queries, bm25.rank).as_dict()
    result["confidence"] = {name: confidence(m, n, queries, offtopic) for name, (m, n) in systems.items()}
    if per_intent:
        best = systems.get("hybrid", systems["ours"])
        result["carriers"] = carriers(*best, queries)
    return result


LABELS = {"ours": "ours (lexical)", "hybrid": "ours + encoder", "bm25": "BM25"}


def format_table(result: dict[str, Any]) -> str:
    rows = [
        f"{'':16}{'top-1':>8}{'top-3':>8}{'MRR@10':>8}{'p50 ms':>9}{'p99 ms':>9}{'confident':>14}{'off-topic':>11}"
    ]
    for name in ("ours", "hybrid", "bm25"):
        if name not in result:
            continue
        f = result[name]
        line = f"{LABELS[name]:16}{f['top1']:>8.1%}{f['top3']:>8.1%}{f['mrr10']:>8.3f}{f['p50_ms']:>9.2f}{f['p99_ms']:>9.2f}"
        c = result.get("confidence", {}).get(name)
        if c is not None:
            line += f"{c['confident_right']:>7}/{c['confident']:<6}"
            line += f"{c['offtopic_confident']:>5}/{c['offtopic']:<5}" if c["offtopic"] else f"{'—':>11}"
        rows.append(line)
    rows.append("confident: right/confident top suggestions; off-topic: confident/messages")
    for intent, counts in sorted(result.get("carriers", {}).items()):
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        rows.append(f"{intent}: " + "；".join(f"{example} ×{n}" for example, n in ranked))
    return "\n".join(rows)
