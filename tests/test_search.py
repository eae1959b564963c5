import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb import KbError, KnowledgeBase, QueryError
from kb.query import understand
from kb.ranking import coverage, proximity, term_share
from kb.search import MARK_CLOSE, MARK_OPEN

from .conftest import small_kb


def refs(hits):
    return [h.passage.id for h in hits]


def test_traditional_query_finds_simplified_text(built):
    hits = built.search("派前電動車檢查要點", limit=3)
    assert "派前电动车检查要点" in hits[0].passage.text


def test_simplified_query_finds_traditional_text(built):
    hits = built.search("顾客抱怨投诉处理的步骤", limit=3)
    assert "顧客抱怨、投訴處理的步驟" in hits[0].passage.text


@pytest.mark.parametrize("query", ["客诉处理有哪几个步骤", "大客户关系发展有哪几个阶段", "SPIN提问法怎么用", "化訴為金那門課第三單元講什麼"])
def test_traditional_and_simplified_twins_give_the_same_top_five(built, query):
    from kb.script import to_hans, to_hant

    assert refs(built.search(to_hans(query), limit=5)) == refs(built.search(to_hant(query), limit=5))


@pytest.mark.parametrize("query", ["盆腔器官脫垂", "加油站電路火災應急預案", "行政法學考試沖刺試題"])
def test_boilerplate_titles_are_never_found(built, query):
    # the 最新文檔 list of unrelated titles is cleaned away: what shares a character with the
    # query may still be listed (never an empty list for a query with matching passages), but
    # never the title itself
    from kb.evaluate import canon

    assert not any(canon(query) in canon(h.passage.text) for h in built.search(query))


def test_a_candidate_s_own_text_read_once_per_passage_is_its_text_normalised(built):
    # the store reads a passage's own text off its searchable text once, when it decodes the
    # passage, not at every query that highlights it: the same as reading it off again, and as
    # normalising the text; None for a spun passage (its searchable text holds the repair too)
    from kb.analysis import normalise_text
    from kb.store.records import text_part

    spun = plain = 0
    for query in ("客诉处理有哪几个步骤", "SPIN提问法怎么用", "顾客抱怨投诉处理", "大客户关系发展有哪几个阶段"):
        for _ in range(2):  # decoded, then from the store's cache
            for c in built.store.candidates({t: 1.0 for t in understand(query, built.store).weights}, limit=40):
                assert c.text_norm == text_part(c.passage, c.norm)
                assert c.text_norm == (None if c.passage.spun else normalise_text(c.passage.text))
                spun, plain = spun + c.passage.spun, plain + (not c.passage.spun)
    assert spun and plain


def test_highlight_marks_the_original_script(built):
    hit = built.search("顾客抱怨投诉处理的步骤", limit=1)[0]
    assert f"{MARK_OPEN}步驟{MARK_CLOSE}" in hit.highlight
    assert MARK_OPEN not in hit.passage.text


def test_acronym_query_finds_the_model(built):
    assert "LSCIA" in built.search("LSCIA模型", limit=1)[0].passage.text


@pytest.mark.parametrize("query", ['"客诉" AND 处理*', "(SPIN) OR [FABE]", "title:步骤", "客诉 NOT", "*?~^"])
def test_query_syntax_characters_are_text_not_errors(built, query):
    built.search(query) if any(c.isalnum() for c in query) else None


def test_syntax_only_query_is_a_clear_error(built):
    with pytest.raises(QueryError, match="nothing to search"):
        built.search("*?~^()")


@pytest.mark.parametrize("query, message", [("", "empty"), ("   ", "empty"), ("。,!?", "nothing to search"), ("的了吗", "nothing to search"), ("客" * 5000, "too long")])
def test_bad_queries_raise_a_clear_query_error(built, query, message):
    with pytest.raises(QueryError, match=message):
        built.search(query)


def test_doc_filter_by_prefix(built):
    hits = built.search("客户投诉", doc="001", limit=5)
    assert hits and all(h.passage.doc.startswith("001") for h in hits)


def test_unknown_doc_filter_is_an_error(built):
    with pytest.raises(KbError, match="no indexed document"):
        built.search("客户投诉", doc="999")


def test_kind_filter(built):
    hits = built.search("客户投诉", kind="steps", limit=5)
    assert hits and all(h.passage.kind == "steps" for h in hits)


def test_limit_is_respected(built):
    assert len(built.search("客户", limit=3)) == 3


def test_coverage_weighs_words_by_idf_and_stand_ins_by_their_weight():
    from kb.plan import Alternative, Group

    groups = (
        Group("派件", (Alternative("派件", 1.0, "query", "literal"), Alternative("派送", 0.6, "synonym", "synonym"))),
        Group("电动车", (Alternative("电动车", 1.0, "query", "literal"),)),
    )
    idf = {"派件": 2.0, "派送": 2.5, "电动车": 3.0}
    assert coverage(groups, idf, "派件前检查电动车") == 1.0
    assert coverage(groups, idf, "电动车") == pytest.approx(0.6)
    assert coverage(groups, idf, "派送前检查电动车") == pytest.approx((0.6 * 2.0 + 3.0) / 5.0)


def test_a_stand_in_counts_in_full_when_the_corpus_lacks_the_word_itself():
    from kb.plan import Alternative, Group

    # the corpus never says 二八原则 (no idf): 80/20 is as close as any passage can come
    groups = (
        Group("二八原则", (Alternative("二八原则", 1.0, "query", "literal"), Alternative("80/20", 0.7, "synonym", "synonym"))),
        Group("重要", (Alternative("重要", 1.0, "query", "literal"),)),
    )
    idf = {"80/20": 3.0, "重要": 3.0}
    assert coverage(groups, idf, "80/20的原理") == pytest.approx(0.5)
    assert coverage(groups, idf, "80/20的原理很重要") == 1.0


def test_a_framing_word_counts_less_than_a_topic_word():
    from kb.plan import FRAMING, Alternative, Group

    groups = (
        Group("为什么", (Alternative("为什么", 1.0, "query", "literal"),), weight=FRAMING),
        Group("重要", (Alternative("重要", 1.0, "query", "literal"),)),
    )
    idf = {"为什么": 3.0, "重要": 3.0}
    assert coverage(groups, idf, "重要性") > coverage(groups, idf, "为什么出现投诉")
    assert term_share(groups, "重要性") == pytest.approx(1 / (1 + FRAMING))


def test_question_words_frame_the_query(built):
    from kb.query import FRAMING, understand

    weights = {g.word: g.weight for g in understand("大客户为什么重要", built.store).groups}
    assert weights == {"大客户": 1.0, "为什么": FRAMING, "重要": 1.0}


def test_two_of_five_words_side_by_side_are_not_the_query_close_together():
    from kb.plan import Alternative, Group

    groups = tuple(Group(w, (Alternative(w, 1.0, "query", "literal"),)) for w in ("潜在客户", "信息", "渠道", "收集", "展览"))
    assert proximity(groups, "潜在客户信息") == pytest.approx(2 / 5)


def test_a_one_character_word_does_not_stretch_the_window():
    from kb.plan import Alternative, Group

    groups = tuple(Group(w, (Alternative(w, 1.0, "query", "literal"),)) for w in ("战略", "到", "阶段"))
    # 到 is only inside 找到, far away: the words that matter still stand together
    assert proximity(groups, "战略阶段" + "很" * 40 + "找到关键人") == 1.0


def test_items_naming_what_the_query_lists_are_counted():
    from kb.ranking import enumerated

    text = "合作模型 1) 孕育阶段——接触 2) 初期合作阶段——信任 3) 稳定合作阶段 4) 战略合作阶段"
    assert enumerated(("阶段",), text) == 4
    assert enumerated(("阶段",), "本阶段的目标:提高服务。下一阶段再谈。") == 0


@pytest.mark.parametrize("query, nouns", [("大客户关系发展有哪几个阶段", ("阶段",)), ("投诉处理分五个步骤", ("步骤",)),
                                          ("5P模型的阶段", ()), ("客户投诉处理原则", ())])
def test_a_query_asking_for_several_things_names_what_it_lists(built, query, nouns):
    from kb.query import understand

    assert understand(query, built.store).enumerates == nouns


def test_a_passage_enumerating_what_is_asked_ranks_above_prose_about_it(tmp_path):
    kb = small_kb(tmp_path, {
        "a_prose.txt": "第一章 客户关系\n客户关系的发展阶段很重要,要看清客户关系处在哪个发展阶段,每个阶段的客户关系发展都不同。\n",
        "b_list.txt": "第一章 客户关系发展模型\n1) 孕育阶段 2) 初期合作阶段 3) 稳定合作阶段 4) 战略合作阶段\n",
    })
    # the prose repeats the query's words more often; the list is what was asked for
    assert [h.passage.doc for h in kb.search("客户关系发展有哪几个阶段")] == ["b_list.txt", "a_prose.txt"]


def test_a_character_inside_a_word_does_not_make_the_word_present():
    from kb.plan import PART, Alternative, Group

    groups = (Group("电路", (Alternative("电路", 1.0, "query", "literal"), Alternative("电", PART, "part", "part"))),
              Group("应急", (Alternative("应急", 1.0, "query", "literal"),)))
    assert term_share(groups, "应急处理,打电话") == 0.5  # 电 of 电话 is not 电路
    # nor is it as good as the word just because the corpus lacks the word
    assert coverage(groups, {"电": 1.0, "应急": 1.0}, "打电话") == pytest.approx(PART / 2)


def test_closer_words_score_higher_proximity():
    from kb.plan import Alternative, Group

    groups = tuple(Group(w, (Alternative(w, 1.0, "query", "literal"),)) for w in ("电动车", "检查"))
    near = proximity(groups, "电动车检查要点")
    far = proximity(groups, "电动车" + "很" * 30 + "检查")
    assert near == 1.0 and far < 0.3


def test_proximity_counts_a_stand_in():
    from kb.plan import Alternative, Group

    groups = (
        Group("客诉", (Alternative("客诉", 1.0, "query", "literal"), Alternative("投诉", 0.7, "synonym", "synonym"))),
        Group("步骤", (Alternative("步骤", 1.0, "query", "literal"),)),
    )
    assert proximity(groups, "投诉步骤") == 1.0


def test_hit_json_has_the_contract_fields(built):
    j = built.search("客诉处理", limit=1)[0].to_json()
    assert set(j) == {"rank", "score", "id", "doc", "section", "line_start", "line_end", "location", "kind", "text",
                      "highlight", "also_in"}
    assert isinstance(j["section"], list) and j["rank"] == 1
    assert j["location"] == ""  # plain text: the lines are the reference


def test_snippet_never_cuts_a_marked_word(built):
    from kb.analysis import analyze

    for query in ("客诉处理有哪几个步骤", "大客户开发", "谈判让步", "顧客抱怨投訴處理的步驟"):
        for hit in built.search(query, limit=5):
            text = hit.passage.repaired_text or hit.passage.text  # a spun passage is shown repaired
            plain = hit.highlight.replace("«", "").replace("»", "")
            offset = text.find(plain.strip("…"))
            assert offset >= 0
            starts = {t.start for t in analyze(text)}
            ends = {t.end for t in analyze(text)}
            body = hit.highlight.lstrip("…")
            if body.startswith("«"):
                assert offset in starts, (query, hit.highlight[:20])
            if hit.highlight.rstrip("…").endswith("»"):
                assert offset + len(plain.strip("…")) in ends, (query, hit.highlight[-20:])


def test_a_trainer_asking_for_a_course_s_chapters_gets_its_table_of_contents(tmp_path):
    body = "本节讲解{}的要点与练习:课前阅读材料,课上分组演练,课后写出自己的心得并交给讲师点评。"
    kb = small_kb(tmp_path, {"deck.txt": (
        "客户服务入门课件\n"
        "目录 一、服务意识 二、电话礼仪 三、投诉处理\n"
        + "".join(f"{n}、{t}\n{body.format(t) * 4}\n" for n, t in zip("一二三", ("服务意识", "电话礼仪", "投诉处理"))))})
    assert "outline" in understand("客户服务入门课件有哪几章", kb.store).intents
    top = kb.search("客户服务入门课件有哪几章")[0].passage
    assert top.kind == "outline" and "目录" in top.text


def test_the_same_passage_in_two_files_shows_once_with_also_in(tmp_path):
    from .conftest import small_kb

    steps = ("第三节 派前检查\n派件前检查电动车:轮胎气压不足要及时充气,车把转向要可靠,"
             "前后刹车要灵敏,车灯和喇叭要完好,电池电量要够跑完全天的派送路线。\n"
             "检查快件:核对快件数量与派送清单是否一致,按派送路线排好顺序,到付快件和代收货款快件"
             "逐票注明应收金额,易碎快件单独放置,贵重快件随身携带。\n")
    kb = small_kb(tmp_path, {
        "派件课.txt": steps,
        "派件课 副本.txt": steps,  # the same deck saved twice
        "派件课 改.txt": steps.replace("全天", "一整天"),  # re-exported with a word changed
        "安全课.txt": "第一节 行车安全\n派送途中注意交通安全,电动车不得逆行,不闯红灯,雨天减速慢行。\n",
    })
    hits = kb.search("派件前电动车检查", limit=5)
    docs = [h.passage.doc for h in hits]
    assert sum(d.startswith("派件课") for d in docs) == 1
    top = next(h for h in hits if h.passage.doc.startswith("派件课"))
    assert len(top.also) == 2 and all(ref.split(":")[0].startswith("派件课") for ref in top.also)
    assert top.to_json()["also_in"] == list(top.also)
    assert "安全课.txt" in docs  # another passage on the topic is no duplicate


def test_near_duplicates_are_told_apart_from_passages_on_one_topic():
    from kb.search import _alike

    a = ("派件前检查电动车:轮胎气压不足要及时充气,车把转向要可靠,前后刹车要灵敏,车灯和喇叭要完好。"
         "检查快件:核对快件数量与派送清单是否一致,按派送路线排好顺序,到付快件逐票注明应收金额。"
         "易碎快件单独放置,贵重快件随身携带,出发前再确认一遍。")
    assert _alike(a, a)
    assert _alike(a, a.replace("车灯和喇叭", "车灯与喇叭"))
    short = "投诉处理的流程:登记、核实、回复。"
    assert not _alike(short, short.replace("投诉", "客诉"))  # in a short passage one word tells it apart
    assert not _alike(a, "派件前检查快件:核对数量,按派送路线排序,到付快件注明应收款项,易碎件单独放置。")
    assert not _alike(a, a[: len(a) // 2])


_TEXT = st.text(alphabet="投诉处理客户步骤先道歉再跟进,。", min_size=90, max_size=160)


@settings(max_examples=300, deadline=None)
@given(_TEXT, st.lists(st.tuples(st.integers(0, 159), st.text(alphabet="投诉客服。", max_size=3)), max_size=8))
def test_folding_decides_as_difflibs_ratios_do(a, edits):
    # _alike checks difflib's cheap upper bounds itself before building a SequenceMatcher
    from difflib import SequenceMatcher

    from kb.search import NEAR_DUPLICATE, NEAR_LENGTH, _alike

    b = a
    for at, text in edits:
        b = b[:at] + text + b[at + 1:]
    m = SequenceMatcher(None, a, b, autojunk=False)
    expected = a == b or (min(len(a), len(b)) >= NEAR_LENGTH and m.real_quick_ratio() >= NEAR_DUPLICATE
                          and m.quick_ratio() >= NEAR_DUPLICATE and m.ratio() >= NEAR_DUPLICATE)
    assert _alike(a, b) == expected


# --- the terminal's snippet (kb search's plain output) ---------------------------------------

WINDOW = "…亮、关羽、刘备四位客户的性格特征 (2)结合四位客户的性格特征采取适宜的沟通策略«处理客诉»演练 4、站在时代的视角"


def test_snippet_opens_just_before_the_first_marked_word():
    from kb.search import snippet

    assert snippet(WINDOW, 40) == "…的沟通策略«处理客诉»演练 4、站在时代的…"


def test_snippet_opens_after_a_boundary_near_the_first_word():
    from kb.search import snippet

    assert snippet("关于投诉的处理,«客诉»要及时", 80) == "…«客诉»要及时"
    assert snippet("而«客诉»要及时", 80) == "而«客诉»要及时"  # nothing cut: no ellipsis


@pytest.mark.parametrize("width", range(8, 120, 7))
def test_snippet_fits_its_width_and_never_leaves_a_mark_open(width):
    from kb.search import columns, snippet

    text = "«客诉»登记,专人负责 如何«处理»客户抗拒点 客户«投诉»的心理特征 «处理»客户«投诉»的技巧" * 3
    out = snippet(text, width)
    assert columns(out) <= width
    assert out.count(MARK_OPEN) == out.count(MARK_CLOSE) >= 1
    assert MARK_OPEN + MARK_CLOSE not in out


def test_snippet_without_marks_opens_at_the_start_and_says_it_was_cut():
    from kb.search import snippet

    assert snippet("没有标记的一段文字，很长很长很长很长", 20) == "没有标记的一段文字…"
    assert snippet("短短的\n两行", 20) == "短短的 两行"


TIED = ("退款申请要先核对订单号,再登记原因。\n", "退款申请要先核对订单号,再记录理由。\n", "退款申请要先核对运单号,再登记原因。\n")


def _tied_corpus(folder, first_a: str) -> None:
    folder.mkdir(exist_ok=True)
    for name, body in zip(("a.txt", "b.txt", "c.txt"), (first_a, *TIED[1:])):
        (folder / name).write_text(body, "utf-8")
    (folder / "d.txt").write_text(TIED[0], "utf-8")  # a twin of a.txt: folded under the first


def test_tied_passages_rank_by_document_whatever_the_passage_numbers(tmp_path):
    # the same corpus built at once, and built with a.txt first changed and then put back (an
    # update re-adds it after the others, so the engine numbers its passages last): BM25 and
    # the re-ranking tie the twins and the near-twins, and ties go by document, not by number
    # (whoosh still counts a removed passage in the average length, so scores may differ a little)
    from kb import KnowledgeBase
    from kb.search import gather, rank

    corpus = tmp_path / "docs"
    _tied_corpus(corpus, TIED[0] + "另有说明。\n")
    KnowledgeBase.build([corpus], tmp_path / "updated")
    _tied_corpus(corpus, TIED[0])
    updated = KnowledgeBase.index([corpus], tmp_path / "updated")
    fresh = KnowledgeBase.build([corpus], tmp_path / "fresh")
    for query in ("退款申请", "核对", "登记原因"):
        plan = understand(query, fresh.store)
        orders = []
        for kb in (fresh, updated):
            candidates, idf = gather(kb.store, plan, 10)
            orders.append(([c.passage.id for c in candidates], [c.passage.id for _, c in rank(candidates, plan, idf)]))
        assert orders[0] == orders[1]
        assert refs(fresh.search(query)) == refs(updated.search(query))
    hits = updated.search("退款申请")
    assert hits[0].passage.doc == "a.txt" and hits[0].also == ("d.txt:1",)


def test_a_query_searched_again_after_an_update_is_read_against_the_new_generation(tmp_path):
    # a query's plan is kept with the store's generation (kb.search.understood): the same store,
    # once an update has swapped in a generation whose vocabulary has 投诉, reads 头诉 afresh
    from kb.query import understand

    kb = small_kb(tmp_path, {"a.txt": "第一章 派件\n快递员派件前检查车辆。\n"})
    assert not kb.lookup("头诉处理").plan.corrections
    assert kb.lookup("头诉处理").plan is kb.lookup("头诉处理").plan  # kept: the same plan object
    (tmp_path / "docs" / "b.txt").write_text("第三单元 投诉处理\n客户投诉时先倾听,再道歉,然后给出方案。\n", "utf-8")
    kb = kb.rebuild()  # through the same store
    result = kb.lookup("头诉处理")
    assert result.plan.corrections == (("头诉", "投诉"),)
    assert result.plan == understand("头诉处理", KnowledgeBase.open(tmp_path / "ix").store)
    assert result.hits and result.hits[0].passage.doc == "b.txt"


def test_a_query_kept_by_a_reader_is_read_afresh_once_other_writers_collect_its_generation(tmp_path):
    # a long-lived reader (the web page's) keeps a query's plan with its generation; two updates
    # by another writer collect that generation: the next search of the same query reads the
    # live one, whose vocabulary has 投诉, rather than the plan kept from the old one
    kb = small_kb(tmp_path, {"a.txt": "第一章 派件\n快递员派件前检查车辆。\n"})
    reader = KnowledgeBase.open(tmp_path / "ix")
    assert not reader.lookup("头诉处理").plan.corrections
    old = reader.store.generation
    (tmp_path / "docs" / "b.txt").write_text("第三单元 投诉处理\n客户投诉时先倾听,再道歉,然后给出方案。\n", "utf-8")
    kb.rebuild()
    (tmp_path / "docs" / "c.txt").write_text("第四单元 回访\n处理完投诉后三天内回访客户。\n", "utf-8")
    kb.rebuild()
    assert not old.is_dir()  # collected under the reader
    result = reader.lookup("头诉处理")
    assert result.plan.corrections == (("头诉", "投诉"),)
    assert result.hits and result.hits[0].passage.doc in {"b.txt", "c.txt"}

def test_a_highlight_read_off_the_searchable_text_is_the_one_normalising_gives(built):
    # a hit's text normalised is read off its stored searchable text (kb.store.records.text_part),
    # not converted again: the same text, so the same marks, on every seed passage (Traditional,
    # full-width punctuation, the spun deck's repaired text normalised as before)
    from kb.analysis import normalise_text
    from kb.search import highlight
    from kb.store.records import searchable_text, text_part

    terms = {"投诉", "客户", "步骤", "spin", "处理"}
    passages = list(built.store.passages())
    assert any(p.spun for p in passages) and any(not p.spun for p in passages)
    for p in passages:
        part = text_part(p, searchable_text(p))
        assert part is None if p.spun else part == normalise_text(p.text)
        assert highlight(p, terms, normalised=part) == highlight(p, terms)



def test_hong_kong_and_taiwan_words_find_what_the_mainland_word_asks(tmp_path):
    """A Hong Kong manual says 傢俬 and 雪櫃 where a mainland agent types 家具 and 冰箱, a
    Taiwan one 保麗龍 for 泡沫 (synonyms.txt, regional words): the word the documents never use
    finds the manual that says it the other way."""
    kb = small_kb(tmp_path, {
        "大件送貨.txt": "大件傢俬送貨收費\n傢俬、雪櫃送貨上門每件收費三百八十元，冇升降機嘅唐樓每層另加五十元。\n",
        "包裝規範.txt": "易碎品包裝\n先包三層氣泡布，箱內四周用保麗龍塊填滿，封箱前搖一搖。\n",
        "文件送货.txt": "文件送货收费\n同城文件送货每票收费十二元，楼内送货不另收费。\n",
    })
    assert [h.passage.doc for h in kb.search("家具")][:1] == ["大件送貨.txt"]
    assert [h.passage.doc for h in kb.search("冰箱送货")][:1] == ["大件送貨.txt"]
    assert [h.passage.doc for h in kb.search("泡沫")][:1] == ["包裝規範.txt"]


def test_a_name_opencc_keeps_a_character_in_is_found_from_either_script(tmp_path):
    """OpenCC converts 於潛 to 於潜, keeping 於 (a county's old name): the query typed in
    Simplified (位於潜江, 位于潜江) finds the Traditional page as the Traditional query does."""
    kb = small_kb(tmp_path, {
        "水利.txt": "興隆水利樞紐\n\n興隆水利樞紐工程位於潛江市高石碑鎮，是漢江下游的一座大型水利工程。\n",
        "分拣.txt": "分拣中心\n\n分拣中心位于武汉市，负责华中地区快件的中转。\n",
    })
    ranked = {q: [(h.passage.id, round(h.score, 9)) for h in kb.search(q, limit=5)]
              for q in ("位於潛江市的水利工程", "位於潜江市的水利工程", "位于潜江市的水利工程")}
    assert len({tuple(r) for r in ranked.values()}) == 1, ranked  # the same passages, scored alike
    assert ranked["位于潜江市的水利工程"][0][0].startswith("水利.txt")
