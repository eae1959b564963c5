"""Example questions for the empty page: headings of the corpus without their numbering."""

from __future__ import annotations

import pytest

from kb.examples import example_questions, strip_numbering


@pytest.mark.parametrize("heading, words", [
    ("三、客户开发", "客户开发"), ("【課程收獲】:", "課程收獲"), ("第一章 速递大客户开发概述", "速递大客户开发概述"),
    ("2.提升团队学习力的策略", "提升团队学习力的策略"), ("1.2 客户分类", "客户分类"), ("01行業認知基礎", "行業認知基礎"),
    ("(1)客户抱怨", "客户抱怨"), ("單元一、業績提升實操團隊5P模型", "業績提升實操團隊5P模型"),
    ("5P模型", "5P模型"), ("80/20法则", "80/20法则"),  # a figure that is the topic stays
])
def test_strip_numbering_keeps_the_words_of_a_heading(heading, words):
    assert strip_numbering(heading) == words


def test_examples_come_from_several_documents_and_are_distinct(built):
    got = example_questions(built, 4)
    assert len(got) == 4 and len(set(got)) == 4
    docs = {d for d in built.documents() for p in built.doc_passages(d)
            if any(strip_numbering(h) in got for h in p.headings)}
    assert len(docs) >= 2
