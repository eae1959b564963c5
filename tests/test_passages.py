import re

import pytest

from kb.clean import clean, page_marker_title
from kb.passages import build_passages
from kb.structure import MAX_PASSAGE, build_document


def seed_passages(path):
    raw = path.read_text("utf-8")
    return build_passages(build_document(path.name, clean(raw), page_marker_title(raw))), raw


@pytest.fixture(scope="module")
def all_passages(seeds_dir):
    return {p.name: seed_passages(p) for p in sorted(seeds_dir.glob("*.txt"))}


def test_every_passage_text_is_in_its_cleaned_lines(all_passages):
    for name, (passages, raw) in all_passages.items():
        cleaned = {line.no: line.text for line in clean(raw)}
        for p in passages:
            span = "".join(cleaned.get(n, "") for n in range(p.line_start, p.line_end + 1))
            for piece in p.text.split("\n"):
                assert piece in cleaned.get(p.line_start, "") or _in_order(piece, span), (p.id, piece[:30])


def _in_order(piece: str, span: str) -> bool:
    it = iter(re.sub(r"\s", "", span))
    return all(ch in it for ch in re.sub(r"\s", "", piece))


def test_passages_are_small_enough_to_read_at_a_glance(all_passages):
    for passages, _ in all_passages.values():
        assert all(len(p.text) <= MAX_PASSAGE + 20 for p in passages)


def test_a_short_section_keeps_all_its_numbered_steps(all_passages):
    passages, _ = all_passages["000_eada5ee40357fd85.txt"]
    holder = [p for p in passages if "顧客抱怨、投訴處理的步驟" in p.text]
    assert len(holder) == 1
    for step in ("第一步", "第二步", "第三步", "第四步", "第五步"):
        assert step in holder[0].text
    assert holder[0].kind == "steps"
    assert holder[0].section[-1] == "第三單元 處理客戶抱怨、投訴的要訣"


def test_breadcrumb_starts_with_document_title(all_passages):
    passages, _ = all_passages["000_eada5ee40357fd85.txt"]
    assert all(p.section[0] == "《經營效益提升管道整體課程》服務方案" for p in passages)


def test_quoted_speech_is_a_script(all_passages):
    passages, _ = all_passages["003_b79be88cefedbace.txt"]
    holder = next(p for p in passages if "公司委托我來處置這件事情" in p.text)
    assert holder.kind == "script"


def test_boilerplate_never_becomes_a_passage(all_passages):
    for passages, _ in all_passages.values():
        for p in passages:
            assert "盆腔器官" not in p.text and "溫馨提示" not in p.text and "下載本文檔" not in p.text


def test_line_spans_are_one_based_and_ordered(all_passages):
    for passages, raw in all_passages.values():
        n = len(raw.splitlines())
        assert all(1 <= p.line_start <= p.line_end <= n for p in passages)
