"""Typical questions a trainer writes beside the corpus find their section like its heading."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from cli import main
from kb import KnowledgeBase
from kb.questions import QUESTIONS_FILE, parse

HANDBOOK = (
    "快递网点管理手册\n"
    "一、网点早会\n" + "每天早上八点开早会,讲安全事项与当天排班,店长点名并布置派送区域。\n" * 9 +
    "二、包裹破损的处理\n" + "先拍照留证,核对保价金额,按保价规则赔付,当日录入系统。\n" * 9 +
    "三、车辆保养\n" + "电动三轮车每周检查刹车与电池,雨天后擦干线路。\n" * 9
)
RELATIONS = "客户关系手册\n一、回访\n" + "每月回访重点客户一次,记录意见并跟进。\n" * 9
ASKED = "买家嫌外壳有坑"  # no word of it (nor of its synonyms or phrasebook bridges) is in the section's text


def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a_handbook.txt").write_text(HANDBOOK, "utf-8")
    (folder / "b_relations.txt").write_text(RELATIONS, "utf-8")
    return folder


def first(kb: KnowledgeBase, query: str) -> str:
    """The first hit's text ('' when nothing is found)."""
    hits = kb.search(query, limit=3)
    return hits[0].passage.text if hits else ""


def test_a_question_sharing_no_word_with_a_section_finds_it_once_written_down(tmp_path):
    folder = corpus(tmp_path)
    kb = KnowledgeBase.build([folder], tmp_path / "ix")
    assert "拍照" not in first(kb, ASKED)
    (folder / QUESTIONS_FILE).write_text(f"# 网点常见问题\na_handbook › 包裹破损\t{ASKED}\t快件坏了咋赔\n", "utf-8")
    assert any("typical questions" in r for r in kb.stale_reasons())
    kb = KnowledgeBase.index([folder], tmp_path / "ix")
    assert first(kb, ASKED).startswith("二、包裹破损的处理")
    assert first(kb, "買家嫌外殼有坑").startswith("二、包裹破损的处理")  # in Traditional too
    assert "typical_questions" not in " ".join(kb.documents())  # read, never indexed as a document
    assert "拍照" in kb.ask(ASKED + "?").answer
    assert kb.stale_reasons() == []


def test_questions_survive_an_update_of_another_file_and_follow_an_edit_of_their_own(tmp_path):
    folder = corpus(tmp_path)
    (folder / QUESTIONS_FILE).write_text(f"a_handbook.txt > 二、包裹破损的处理\t{ASKED}\n", "utf-8")
    KnowledgeBase.build([folder], tmp_path / "ix")
    (folder / "b_relations.txt").write_text(RELATIONS + "二、投诉\n" + "客户投诉当日回电。\n" * 3, "utf-8")
    kb = KnowledgeBase.index([folder], tmp_path / "ix")
    assert kb.report.refreshed == 1 and first(kb, ASKED).startswith("二、包裹破损的处理")
    (folder / "a_handbook.txt").write_text(HANDBOOK + "四、附录\n" + "常用电话表。\n" * 3, "utf-8")
    kb = KnowledgeBase.index([folder], tmp_path / "ix")
    assert first(kb, ASKED).startswith("二、包裹破损的处理")
    (folder / QUESTIONS_FILE).write_text(f"a_handbook › 车辆保养\t{ASKED}\n", "utf-8")
    kb = KnowledgeBase.index([folder], tmp_path / "ix")
    assert first(kb, ASKED).startswith("三、车辆保养")


def test_a_document_alone_gives_its_questions_to_its_first_passage(tmp_path):
    folder = corpus(tmp_path)
    (folder / QUESTIONS_FILE).write_text("b_relations\t老主顾多久联系一次\n", "utf-8")
    kb = KnowledgeBase.build([folder], tmp_path / "ix")
    hit = kb.search("老主顾多久联系一次", limit=1)[0].passage
    assert hit.doc == "b_relations.txt" and hit.questions == ("老主顾多久联系一次",)


def test_a_line_naming_nothing_is_reported_while_building(tmp_path):
    folder = corpus(tmp_path)
    (folder / QUESTIONS_FILE).write_text("zz\t问什么\na_handbook › 没有这一节\t问什么\nno tab here\n", "utf-8")
    r = CliRunner().invoke(main, ["index", str(folder), "--index", str(tmp_path / "ix")])
    assert r.exit_code == 0, r.output
    assert "no indexed document 'zz'" in r.output and "no section '没有这一节'" in r.output
    assert f"{QUESTIONS_FILE}:3: expected" in r.output


def test_parse_reads_paths_and_several_questions():
    rows, warnings = parse("# c\n\n000 › 第三單元 > 投訴\tq1\tq2\n")
    assert warnings == [] and (rows[0].doc, rows[0].headings, rows[0].questions, rows[0].line) == (
        "000", ("第三單元", "投訴"), ("q1", "q2"), 3)
