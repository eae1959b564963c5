"""Eval: score a judged query set by the rule in ../shared/eval/README.md.

Both sides are converted to Simplified and stripped of white space before
comparing. Search: a hit is relevant when its text holds one of the query's keys
and is at most 800 characters long. Q&A: cover is the share of expected points in
the answer (an answer over 1,500 characters counts as empty); an unanswerable
question scores only when the reply is answered=False.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import KbError
from .script import to_hans, to_hant

MAX_RELEVANT_TEXT = 800
MAX_ANSWER = 1500


def canon(text: str) -> str:
    return re.sub(r"\s+", "", to_hans(text))


@dataclass
class QueryResult:
    id: str
    query: str
    first_relevant: int | None  # 1-based rank, None when not in the top 10
    top: list[str]  # refs of the top hits
    ndcg: float
    twins_agree: bool = True
    top_ids: list[str] = field(default_factory=list)  # the top hits' passage ids (a ref can be shared)


@dataclass
class SearchReport:
    results: list[QueryResult]
    figures: dict[str, float] = field(default_factory=dict)


@dataclass
class QaResult:
    id: str
    question: str
    answerable: bool
    answered: bool
    cover: float
    missing: list[str]
    length: int
    answer: str


@dataclass
class QaReport:
    results: list[QaResult]
    figures: dict[str, float] = field(default_factory=dict)


def load(path: str | Path) -> list[dict]:
    rows = []
    try:
        lines = Path(path).read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise KbError(f"{path}: cannot read judged set ({exc})") from exc
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise KbError(f"{path}:{n}: not a JSON line ({exc.msg})") from exc
        if not isinstance(row, dict) or not ({"query", "relevant"} <= row.keys() or {"question", "answerable"} <= row.keys()):
            raise KbError(f"{path}:{n}: neither a search row (query, relevant) nor a Q&A row (question, answerable)")
        rows.append(row)
    if not rows:
        raise KbError(f"{path}: no judged queries in it")
    return rows


def sample(rows: list[dict], n: int, seed: int = 2026) -> list[dict]:
    """A fixed sample of n rows, in file order: the same rows on every machine and run."""
    import random

    if n >= len(rows):
        return rows
    keep = sorted(random.Random(seed).sample(range(len(rows)), n))
    return [rows[i] for i in keep]


def is_qa(rows: list[dict]) -> bool:
    return "question" in rows[0]


def relevant(text: str, keys: list[str]) -> bool:
    return len(text) <= MAX_RELEVANT_TEXT and any(k in canon(text) for k in keys)


def evaluate_search(kb, rows: list[dict], limit: int = 10) -> SearchReport:
    results = []
    for row in rows:
        keys = [canon(r["key"]) for r in row["relevant"]]
        hits = kb.search(row["query"], limit=limit)
        rel = [relevant(h.passage.source_text, keys) for h in hits]
        first = next((i for i, r in enumerate(rel, 1) if r), None)
        dcg = sum(1 / math.log2(i + 1) for i, r in enumerate(rel, 1) if r)
        ideal = sum(1 / math.log2(i + 1) for i in range(1, min(len(keys), limit) + 1))
        top5 = [h.passage.id for h in hits[:5]]
        twins = all(
            [h.passage.id for h in kb.search(variant, limit=5)] == top5
            for variant in {to_hans(row["query"]), to_hant(row["query"])}
        )
        results.append(QueryResult(row.get("id", ""), row["query"], first,
                                   [h.passage.ref for h in hits[:3]], dcg / ideal if ideal else 0.0, twins,
                                   [h.passage.id for h in hits[:3]]))
    n = len(results) or 1
    figures = {
        "queries": len(results),
        "P@1": sum(r.first_relevant == 1 for r in results) / n,
        "R@5": sum(r.first_relevant is not None and r.first_relevant <= 5 for r in results) / n,
        "R@10": sum(r.first_relevant is not None for r in results) / n,
        "MRR": sum(1 / r.first_relevant for r in results if r.first_relevant) / n,
        "nDCG@10": sum(r.ndcg for r in results) / n,
        "twins": sum(r.twins_agree for r in results) / n,
    }
    return SearchReport(results, figures)


def evaluate_qa(kb, rows: list[dict]) -> QaReport:
    results = []
    for row in rows:
        ans = kb.ask(row["question"])
        text = canon(ans.answer) if ans.answered and len(ans.answer) <= MAX_ANSWER else ""
        expect = row.get("expect", [])
        missing = [e for e in expect if canon(e) not in text]
        if row["answerable"]:
            cover = (len(expect) - len(missing)) / len(expect) if expect else float(ans.answered)
        else:
            cover = 0.0 if ans.answered else 1.0
        results.append(QaResult(row.get("id", ""), row["question"], row["answerable"], ans.answered,
                                cover, missing, len(ans.answer), ans.answer))
    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    lengths = sorted(r.length for r in answerable if r.answered)
    figures = {
        "questions": len(results),
        "cover": sum(r.cover for r in answerable) / (len(answerable) or 1),
        "declined": sum(not r.answered for r in unanswerable),
        "unanswerable": len(unanswerable),
        "wrongly_declined": sum(not r.answered for r in answerable),
        "median_length": lengths[len(lengths) // 2] if lengths else 0,
        "max_length": max(lengths, default=0),
        "over_1500": sum(r.length > MAX_ANSWER for r in results),
    }
    return QaReport(results, figures)
