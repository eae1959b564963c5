"""Answering reads the corpus only through kb.answer.Corpus, and weighs words as search does."""

from __future__ import annotations

import pytest

from kb import KnowledgeBase
from kb.answer import Corpus, ask, draft
from kb.query import MAX_QUERY
from kb.ranking import idf

PROTOCOL = ("lookup", "search", "doc_passages", "outline", "show", "doc_count", "doc_frequency", "mean_length")

# one question of each kind, and questions the corpus does not answer
QUESTIONS = (
    "处理投诉常用的策略有哪些?",  # list
    "快递大客户关系发展模型分哪四个阶段?",  # list with a stated count
    "化訴為金的客服技巧有哪幾個單元?",  # structure, from the outline
    "关键时刻施加影响三要素各占多少比例?",  # figure
    "什么是TQCSO标准?",  # definition
    "波士顿矩阵在哪门课讲?",  # location
    "一找、三拓、三维护具体指什么?",  # a title answered with its items
    "客人說東西寄丟了要賠錢 該怎麼處理?",
    "从广州寄10公斤到成都运费多少钱?",  # declined
    "量子色动力学的渐近自由怎么证明?",  # declined
    "客户投诉的处理策略," * (MAX_QUERY // 10 + 1),  # too long to search: declined with the nearest sections
)


class ProtocolOnly:
    """Exactly the protocol's methods, each read from a real knowledge base and recorded."""

    def __init__(self, kb: KnowledgeBase):
        self.__kb = kb
        self.used: set[str] = set()

    def _read(self, name: str, *args, **kwargs):
        self.used.add(name)
        return getattr(self.__kb, name)(*args, **kwargs)

    def lookup(self, query, limit=10):
        return self._read("lookup", query, limit=limit)

    def search(self, query, limit=10):
        return self._read("search", query, limit=limit)

    def doc_passages(self, name):
        return self._read("doc_passages", name)

    def outline(self, doc=None):
        return self._read("outline", doc)

    def show(self, ref):
        return self._read("show", ref)

    def doc_count(self):
        return self._read("doc_count")

    def doc_frequency(self, term):
        return self._read("doc_frequency", term)

    def mean_length(self):
        return self._read("mean_length")


def test_the_corpus_protocol_is_what_answering_reads():
    declared = {name for name in vars(Corpus) if not name.startswith("_")}
    assert declared == set(PROTOCOL)


def test_a_knowledge_base_is_a_corpus(built):
    assert isinstance(built, Corpus)
    assert isinstance(ProtocolOnly(built), Corpus)
    assert not isinstance(object(), Corpus)


def test_answers_read_through_the_protocol_alone_are_the_same(built):
    corpus = ProtocolOnly(built)
    for question in QUESTIONS:
        assert ask(corpus, question) == ask(built, question), question
    assert corpus.used == set(PROTOCOL)  # every path was taken, through the protocol


@pytest.mark.parametrize("question", ["处理投诉常用的策略有哪些?", "波士顿矩阵在哪门课讲?"])
def test_topic_words_weigh_their_search_idf(built, question):
    w = draft(built, question).weights
    n = built.doc_count()
    assert w.idf and all(w.idf[t] == idf(n, built.doc_frequency(t)) for t in w.known if t in w.idf)


def test_a_word_the_corpus_lacks_weighs_as_the_rarest(built):
    w = draft(built, "量子色动力学的渐近自由怎么证明?").weights
    lacking = [m for m, _ in w.groups if m not in w.known]
    assert lacking and all(w.idf[m] == idf(built.doc_count(), 0) for m in lacking)
