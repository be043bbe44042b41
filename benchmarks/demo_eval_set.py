"""Write the demo shop's intents as a ``kefu eval`` set: examples 0, 2, 4… of each intent with at
least two as the knowledge base, 1, 3, 5… as the queries (the "demo" rows of docs/performance.md).

Run: ``.venv/bin/python benchmarks/demo_eval_set.py OUT_DIR`` then
``.venv/bin/kefu eval --kb OUT_DIR/demo_kb.jsonl --queries OUT_DIR/demo_queries.jsonl``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.demo.content.intents import HOT_ITEM_INTENTS, INTENTS  # noqa: E402


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    out.mkdir(parents=True, exist_ok=True)
    kb, queries = [], []
    for spec in [*INTENTS, *HOT_ITEM_INTENTS]:
        examples = list(spec["examples"])
        if len(examples) < 2:
            continue
        kb += [{"intent_id": spec["key"], "question": q} for q in examples[0::2]]
        queries += [{"query": q, "intent_id": spec["key"]} for q in examples[1::2]]
    for name, rows in (("demo_kb.jsonl", kb), ("demo_queries.jsonl", queries)):
        text = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n"
        (out / name).write_text(text, encoding="utf-8")
    print(f"{len({r['intent_id'] for r in kb})} intents, {len(kb)} examples, {len(queries)} queries -> {out}")


if __name__ == "__main__":
    main()
