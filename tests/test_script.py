"""Script conversion: kb's fast t2s against OpenCC's published cases and its algorithm."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.script import _t2s_tables, detect_script, HANS, HANT, to_hans, to_hans_opencc

from .opencc_reference import t2s, variant_characters

CASES = json.loads(re.sub(r",(\s*[}\]])", r"\1", (Path(__file__).parent / "data" / "opencc_testcases.json")
                          .read_text("utf-8")))["cases"]


def _cases(config: str) -> list[tuple[str, str, str]]:
    return [(c["id"], c["input"], c["expected"][config]) for c in CASES if config in c["expected"]]


def test_every_opencc_t2s_case_passes():
    cases = _cases("t2s")
    failed = [(name, to_hans(text), want) for name, text, want in cases if to_hans(text) != want]
    assert len(cases) == 55 and failed == []


def test_every_opencc_hk2s_case_passes():
    cases = _cases("hk2s")
    failed = [(name, to_hans(text), want) for name, text, want in cases if to_hans(text) != want]
    assert len(cases) == 21 and failed == []


def test_tw2s_cases_pass_but_for_the_two_characters_t2s_keeps():
    """著 and 么 stay as t2s leaves them (t2s's own case 767 keeps 慰藉著; 什么 is Simplified):
    of OpenCC's 32 tw2s cases, 3 differ, and only there."""
    differing = []
    for name, text, want in _cases("tw2s"):
        got = to_hans(text)
        assert len(got) == len(want) == len(text)
        wrong = {(a, b, c) for a, b, c in zip(text, got, want) if b != c}
        assert {a for a, _, _ in wrong} <= {"著", "么"}, name
        differing += [name] if wrong else []
    assert len(differing) == 3


def test_drcd_words_the_2017_dictionaries_missed():
    for traditional, simplified in (("商舖", "商铺"), ("英哩", "英里"), ("批覆", "批复"), ("護衞", "护卫")):
        assert to_hans(traditional) == simplified
        assert to_hans_opencc(traditional) != simplified


def test_same_as_opencc_t2s_on_the_seeds(seeds_dir):
    for path in seeds_dir.glob("*.txt"):
        text = path.read_text("utf-8")
        assert to_hans(text) == t2s(text), path.name


def test_phrase_conversions_follow_opencc():
    for text, want in (("一目瞭然", "一目了然"), ("乾坤", "乾坤"), ("頭髮", "头发"), ("瞭解客戶的需求", "了解客户的需求"),
                       ("後來的裡面", "后来的里面"), ("乾燥", "干燥")):
        assert to_hans(text) == t2s(text) == want


def test_seeds_convert_as_the_2017_converter_did(seeds_dir):
    """The 2017 and 1.4 dictionaries differ on no character the seeds use: 0 of their
    characters convert differently (on DRCD's articles 17 do: 商舖, 英哩, 批覆 …)."""
    for path in seeds_dir.glob("*.txt"):
        text = path.read_text("utf-8")
        assert sum(a != b for a, b in zip(to_hans(text), to_hans_opencc(text))) == 0, path.name


def _phrase_dense() -> st.SearchStrategy[str]:
    tables = _t2s_tables()
    phrases = sorted(tables.phrases)
    pieces = st.one_of(st.sampled_from(phrases), st.sampled_from(phrases).map(lambda p: p[1:]),
                       st.sampled_from(sorted(tables.inside) + sorted(map(chr, tables.norm))[:50] + list("，。a的")))
    return st.lists(pieces, max_size=8).map("".join)


@settings(max_examples=400, deadline=None)
@given(_phrase_dense())
def test_phrases_match_as_opencc_matches_them(text):
    """Longest phrase first, left to right, one stopping the next: where phrases overlap, as
    OpenCC's own algorithm (tests/opencc_reference.py), but for the variant characters."""
    got, want = to_hans(text), t2s(text)
    assert len(got) == len(text)
    variants = variant_characters()
    assert [b for a, b in zip(text, got) if a not in variants] == [c for a, c in zip(text, want) if a not in variants]


@given(st.text(max_size=50))
def test_conversion_keeps_the_length(text):
    assert len(to_hans(text)) == len(text)


@pytest.mark.parametrize("text, script", [("處理客訴的步驟", HANT), ("处理客诉的步骤", HANS), ("護衞", HANT)])
def test_detect_script(text, script):
    assert detect_script(text) == script


def test_both_scripts_of_every_phrase_are_matched_alike():
    """OpenCC keeps 於 in 於潛 (a county) and 乾 in 乾清宮, converting the rest: 於潜, 乾清宫. The
    Simplified text writes them so, and no phrase matches it there, so it converted to 于潜 and
    干清宫 while the Traditional stayed 於潜: a question in one script found what the other did
    not (DRCD's 位於潛江市). Every phrase's two scripts now normalise alike."""
    from kb.analysis import normalise_text
    from kb.script import _t2s_tables, to_hant

    for key in _t2s_tables().phrases:
        simplified = to_hans(key)
        assert normalise_text(simplified) == normalise_text(key), key
        assert normalise_text(to_hant(normalise_text(key))) == normalise_text(key), key
    assert normalise_text("興隆水利樞紐工程位於潛江市") == normalise_text("兴隆水利枢纽工程位於潜江市") == "兴隆水利枢纽工程位于潜江市"
    assert to_hans("位於潛江") == "位於潜江"  # what is shown stays OpenCC's


def test_what_s2t_writes_and_t2s_keeps_is_matched_as_the_simplified_character():
    """s2t writes 反覆, 藉口, 傢俱, 牠 for 反复, 借口, 家具, 它, and t2s keeps 覆, 藉, 俱, 牠 (they
    are Simplified characters too): matching reads them as the Simplified ones, so a Traditional
    question finds the Simplified manual's word and the other way round, and jieba still reads
    the words (覆盖 → 复盖, one word)."""
    from kb.analysis import analyze, normalise_text
    from kb.script import FOLDED, to_hant

    for traditional, simplified in (("反覆", "反复"), ("藉口", "借口"), ("傢俱", "家具"), ("牠", "它"), ("答覆", "答复")):
        assert normalise_text(traditional) == normalise_text(simplified), traditional
    for text in ("反复确认", "找借口", "家具送货", "答复客户", "覆盖全国"):
        assert normalise_text(to_hant(text)) == normalise_text(text), text
    assert "复盖" in {t.text for t in analyze("覆盖范围")}  # a word still, not 复 and 盖
    assert to_hans("覆盖") == "覆盖" and set(FOLDED) >= set("覆藉俱牠")  # what is shown stays OpenCC's
