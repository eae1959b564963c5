"""kb.ranking: the features on hand-computed examples, the weights file, and re-ranking that
orders without dropping."""

import pytest

from kb import ranking
from kb.plan import Alternative, Group, QueryPlan
from kb.search import gather, rank

from .conftest import small_kb


def plan(*words: str, text: str = "") -> QueryPlan:
    groups = tuple(Group(w, (Alternative(w, 1.0, "query", "literal"),)) for w in words)
    return QueryPlan(text or "".join(words), groups)


def test_the_shipped_weights_name_only_known_features_and_rank_by_bm25_first():
    w = ranking.weights()
    assert set(w.values) <= set(ranking.FEATURES)
    assert w.values["bm25"] == 1.0  # the fit fixes the scale on it
    assert w.pool >= 10 and w.k1 > 0 and 0 <= w.b <= 1


def test_weights_file_with_an_unknown_feature_is_refused():
    with pytest.raises(ValueError, match="unknown ranking feature"):
        ranking.parse_weights("[weights]\nbm25 = 1.0\nfreshness = 2.0\n")


def test_score_is_the_weighted_sum_of_the_features():
    w = ranking.parse_weights("pool = 5\n[bm25]\nk1 = 1.5\nb = 0.6\n[weights]\nbm25 = 1.0\ncoverage = 2.0\n")
    feats = [0.0] * len(ranking.FEATURES)
    feats[ranking.FEATURES.index("bm25")] = 0.5
    feats[ranking.FEATURES.index("coverage")] = 0.25
    assert w.score(feats) == pytest.approx(0.5 + 2.0 * 0.25)
    assert (w.pool, w.k1, w.b) == (5, 1.5, 0.6)


def test_query_grams_are_the_question_s_own_character_pairs():
    # a name jieba cuts into characters still makes pairs; a question word breaks the run
    grams = ranking.query_grams("伊维卡·奥利奇为什么会提前结束2010-2011秋季？")
    assert {"伊维", "维卡", "奥利", "利奇", "提前", "结束", "2010-2011", "秋季"} <= set(grams)
    assert not any("什么" in g for g in grams)


def test_gram_share_counts_the_pairs_a_passage_holds():
    assert ranking.gram_share(("伊维", "维卡", "秋季"), "伊维卡在秋季受伤") == 1.0
    assert ranking.gram_share(("伊维", "维卡", "秋季"), "秋季赛程") == pytest.approx(1 / 3)
    assert ranking.gram_share((), "任何文字") == 0.0


def test_shortness_is_zero_from_full_length_on():
    assert ranking.shortness(0) == 1.0
    assert ranking.shortness(ranking.FULL_LENGTH) == 0.0
    assert ranking.shortness(ranking.FULL_LENGTH // 2) == pytest.approx(0.5)


def test_heading_feature_reads_the_breadcrumb():
    q = plan("投诉", "步骤")
    idf = {"投诉": 2.0, "步骤": 1.0}
    refs = ranking.references(q.groups, idf)
    head = ranking.heading_text(("客服课程", "投诉处理"), ())
    f = ranking.features(q, idf, refs, "正文写步骤", head, "text", 200, 1.0)
    assert f[ranking.FEATURES.index("heading")] == pytest.approx(2.0 / 3.0)


def test_re_ranking_keeps_every_candidate_the_engine_found(tmp_path):
    # one passage holds all the query's words, two hold one word each: all three are listed
    kb = small_kb(tmp_path, {
        "a.txt": "第一章 投诉处理\n处理客户投诉的步骤:倾听、致歉、解决、回访,每一步都要耐心细致地做好记录。\n",
        "b.txt": "第一章 客户关系\n客户关系维护要定期回访老客户,了解他们对服务的意见和建议。\n",
        "c.txt": "第一章 快递员\n快递员派件前要检查车辆,确认快件数量与派送路线,注意交通安全。\n",
    })
    from kb.query import understand

    q = understand("客户投诉处理步骤 快递员", kb.store)
    candidates, idf = gather(kb.store, q, 10)
    ranked = rank(candidates, q, idf)
    assert {c.passage.doc for _, c in ranked} == {"a.txt", "b.txt", "c.txt"}
    assert ranked[0][1].passage.doc == "a.txt"
    assert len(kb.search("客户投诉处理步骤 快递员")) == len(candidates)


@pytest.mark.parametrize("query", ["接手客户投诉时开场白怎么说", "客戶情緒很激動怎麼應對", "大客户开发"])
def test_a_passage_s_place_does_not_depend_on_how_many_results_are_asked_for(built, query):
    ids = {limit: [h.passage.id for h in built.search(query, limit=limit)] for limit in (3, 5, 10, 50)}
    assert ids[3] == ids[5][:3] == ids[10][:3] == ids[50][:3]
    assert ids[10] == ids[50][:10]


def test_a_query_asking_a_figure_favours_a_passage_stating_one_in_its_units(tmp_path):
    """多少钱 (or 几多錢, as Hong Kong types it) asks a figure in money: a passage stating one
    (50元, $380) beside the query's words scores the `figure` feature, one without does not,
    nor one stating it only in a clause about something else; 多久 asks a duration."""
    kb = small_kb(tmp_path, {"a.txt": "楼梯费\n没有电梯的楼宇，每层每件收50元。\n"})
    money = kb.explain("大件家具搬上楼要加几多錢")
    assert money.measures == ("money",)
    assert kb.explain("师傅要等多久").measures == ("duration",)
    assert kb.explain("家具怎么搬上楼").measures == ()
    reading = ranking.Reading.of(money, ranking.references(money.groups, {}))
    figure = ranking.FEATURES.index("figure")
    assert reading.features("没有电梯的楼宇,每层每件收50元", "", "text", 16, 1.0)[figure] == 1.0
    assert reading.features("大件家具基本送货(首件) | $380", "", "text", 16, 1.0)[figure] == 1.0
    # the figure is said of something else: the query's words are in another line
    assert reading.features("大件家具须预约送货\n旧床褥弃置 $200", "", "text", 16, 1.0)[figure] == 0.0
    assert reading.features("两人搬运,转角处注意保护墙面", "", "text", 14, 1.0)[figure] == 0.0
    assert reading.features("等候15分钟后离开", "", "text", 8, 1.0)[figure] == 0.0  # a duration, not money
    assert ranking.weights().values["figure"] > 0  # fitted (kb/data/ranking.toml's header)


def test_a_query_asking_whether_it_may_be_done_favours_a_passage_stating_a_rule(tmp_path):
    """能不能收 (or 可以…吗, 行不行) asks whether something may be done: a passage stating a rule
    (不得, 禁止, 须, 可以) in a clause with the query's words scores the `rule` feature, one without
    does not, and a query asking nothing of the kind scores it for none."""
    kb = small_kb(tmp_path, {"a.txt": "禁寄物品\n打火机、管制刀具一律不得收寄。\n"})
    asks = kb.explain("客人要寄打火机 能不能收")
    assert asks.leave and not kb.explain("打火机怎么包装").leave
    reading = ranking.Reading.of(asks, ranking.references(asks.groups, {}))
    rule = ranking.FEATURES.index("rule")
    assert reading.features("打火机、管制刀具一律不得收寄", "", "text", 13, 1.0)[rule] == 1.0
    assert reading.features("打火机装在塑料袋里寄出", "", "text", 11, 1.0)[rule] == 0.0
    # a rule stated of something else, in a clause without the query's words
    assert reading.features("打火机装在塑料袋里\n车厢内禁止吸烟", "", "text", 16, 1.0)[rule] == 0.0
    plain = kb.explain("打火机怎么包装")
    assert ranking.Reading.of(plain, ranking.references(plain.groups, {})).features(
        "打火机、管制刀具一律不得收寄", "", "text", 13, 1.0)[rule] == 0.0
    assert ranking.weights().values["rule"] > 0  # fitted (kb/data/ranking.toml's header)


def test_the_telling_feature_weighs_an_everyday_word_a_folder_rarely_uses_less(tmp_path):
    """来 is in one passage of a small folder, so its idf there is high; in general Chinese it is
    everywhere. A passage holding the query's rare word (锂电池) but not 来 holds more of what
    the query's words tell (kb.rankdata.telling) than of their idf; one holding 来 alone, less."""
    from kb.query import understand
    from kb.search import candidate_features, reading_for

    kb = small_kb(tmp_path, {
        "a.txt": "第一章 禁寄物品\n锂电池单独寄递的，一律不予收寄。\n",
        "b.txt": "第一章 收件\n客户来电预约上门收件的，当天安排。\n",
        "c.txt": "第一章 派件\n派件前检查车辆，确认快件数量与派送路线。\n",
        "d.txt": "第一章 锂电池\n内置锂电池的电子产品，须在面单上注明。\n",
    })
    q = understand("锂电池 来", kb.store)
    candidates, idf = gather(kb.store, q, 10)
    feats = dict(zip((c.passage.doc for c in candidates),
                     candidate_features(candidates, q, idf, None, reading_for(kb.store, q, idf))))
    coverage, telling = ranking.FEATURES.index("coverage"), ranking.FEATURES.index("telling")
    assert feats["a.txt"][telling] > feats["a.txt"][coverage] + 0.1
    assert feats["b.txt"][telling] < feats["b.txt"][coverage]
