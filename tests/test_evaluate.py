from kb.evaluate import canon, relevant


def test_comparison_ignores_script_and_white_space():
    assert canon("顧客 抱怨、\n投訴") == "顾客抱怨、投诉"


def test_a_hit_is_relevant_when_it_holds_a_key():
    assert relevant("(2)第二步:表示同情理解并真情致歉", [canon("表示同情理解并真情致歉")])
    assert not relevant("第一步:耐心傾聽", [canon("表示同情理解并真情致歉")])


def test_a_hit_over_800_characters_is_never_relevant():
    assert not relevant("表示同情理解并真情致歉" + "字" * 800, [canon("表示同情理解并真情致歉")])

