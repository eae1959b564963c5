"""The staff page in a real headless Chromium (Debian's `chromium`, driven by Playwright):
what an agent on a call does, from typing a query to pasting a script.

Skips with its reason when no Chromium is installed; on CI (CI=true) a missing browser
fails instead, because `.ci/run` installs it. Set KB_SCREENSHOT=docs/screenshot.png to
refresh the README's screenshot from the screenshot test.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from kb import KnowledgeBase
from kb.script import convert

CHROMIUM = os.environ.get("KB_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
ON_CI = os.environ.get("CI") == "true"

if not CHROMIUM:
    if ON_CI:
        raise RuntimeError("CI=true but no chromium on PATH: .ci/run installs it (apt-get install chromium)")
    pytest.skip("no Chromium browser found (install Debian's chromium: apt-get install chromium; "
                "or set KB_CHROMIUM): the page's end-to-end tests did not run", allow_module_level=True)
playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is not installed: pip install -e '.[test]'")

from kb import web  # noqa: E402  (needs the web extra, which the test extra holds)

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage"]
TIMEOUT_MS = 20_000
ASK = "客户来投诉时应该按什么步骤处理?"
HOSTILE_DOC = ("客服投诉处理手册<svg onload=alert(3)>\n一、处理步骤\n"
               "客诉处理要点 <script>alert(1)</script> 先道歉 <img src=x onerror=alert(1)> 再跟进\n")
HOSTILE_NAME = "<img src=x onerror=alert(2)>.txt"


class Served:
    """kb's server on a free loopback port, in a background thread."""

    def __init__(self, kb: KnowledgeBase):
        sock = web.bind("127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}/"
        self.server = web.server(kb, sock, web.allowed_hosts_for("127.0.0.1"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [sock]}, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert self.thread.is_alive() and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


@pytest.fixture(scope="module")
def seeds_server(built):
    served = Served(KnowledgeBase.open(built.store.root))  # its own reader: the tests read `built`
    yield served
    served.stop()


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Page:
    """A fresh browser context with clipboard access; records dialogs and script errors."""

    def __init__(self, browser, url: str, width: int = 1100, height: int = 850):
        self.context = browser.new_context(viewport={"width": width, "height": height},
                                           permissions=["clipboard-read", "clipboard-write"])
        self.page = self.context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.goto(url)
        self.page.wait_for_selector("body[data-ready=true]")

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def clipboard(self) -> str:
        return self.page.evaluate("navigator.clipboard.readText()")

    def close(self) -> None:
        self.context.close()


@pytest.fixture()
def page(browser, seeds_server):
    p = Page(browser, seeds_server.url)
    yield p
    p.close()
    assert p.errors == [], f"script or console errors on the page: {p.errors}"


def hit_from(page: Page, doc_prefix: str):
    hit = page.page.locator(f"#results li.hit:has(.ref:text-matches('^{doc_prefix}'))").first
    hit.wait_for()
    return hit


# --- searching ---------------------------------------------------------------------


def test_the_search_box_has_focus_on_load(page):
    assert page.page.evaluate("document.activeElement.id") == "q"


def test_traditional_query_shows_the_simplified_passage_highlighted(page, built):
    page.page.keyboard.type("大客戶開發")  # no Enter: results follow typing
    hit = hit_from(page, "002")  # 002 is a Simplified course
    marks = hit.locator(".snippet mark").all_inner_texts()
    assert marks and any("大客户" in m for m in marks) and not any("大客戶" in m for m in marks)
    p = built.passage(hit.get_attribute("data-id"))
    assert hit.locator(".crumbs").inner_text().replace("\n", "") == " › ".join(p.section)
    assert hit.locator(".ref").inner_text() == p.ref
    assert hit.locator(".kind").inner_text() in {"步骤", "话术", "技巧", "案例", "大纲", "正文"}


def test_filters_narrow_the_results_to_a_document_and_a_kind(page):
    page.page.select_option("#doc", index=2)  # 001
    page.page.select_option("#kind", "outline")
    page.page.keyboard.type("谈判")
    shown_search(page.page, "谈判")
    refs = page.page.locator("#results .ref").all_inner_texts()
    kinds = page.page.locator("#results li.hit").evaluate_all("els => els.map(e => e.dataset.kind)")
    assert refs and all(r.startswith("001") for r in refs) and set(kinds) == {"outline"}


def test_script_toggle_shows_the_passage_in_traditional(page):
    page.page.locator("label:has(input[value=hant])").click()
    page.page.keyboard.type("大客户开发")
    hit = hit_from(page, "002")
    assert "大客戶" in hit.locator(".snippet").inner_text() and "大客户" not in hit.locator(".snippet").inner_text()
    assert page.page.locator("#go").inner_text() == "搜尋"  # the page's own words follow the script


# --- asking ------------------------------------------------------------------------


def test_ask_shows_the_answer_with_its_citations(page, built):
    expected = built.ask(ASK)
    page.page.locator("label:has(input[value=ask])").click()
    page.page.locator("#q").fill(ASK)
    page.page.keyboard.press("Enter")
    page.page.locator("#answer .citations li").first.wait_for()
    assert page.page.locator("#answer .answer-text").inner_text().strip() == expected.answer.strip()
    refs = page.page.locator("#answer .citations .ref").all_inner_texts()
    assert refs == [f"{c.doc}:{c.line_start}-{c.line_end}" if c.line_start != c.line_end else f"{c.doc}:{c.line_start}"
                    for c in expected.citations]


def test_a_question_the_documents_do_not_cover_says_so_with_the_nearest_sections(page):
    page.page.locator("label:has(input[value=ask])").click()
    page.page.locator("#q").fill("从广州寄10公斤到成都运费多少钱?")
    page.page.keyboard.press("Enter")
    page.page.locator("#answer.not-covered").wait_for()
    assert "资料中没有" in page.page.locator("#answer .answer-text").inner_text()
    assert page.page.locator("#answer h3").inner_text() == "最接近的章节"
    assert page.page.locator("#answer .copy").count() == 0  # a refusal is nothing to paste to a customer


# --- a passage in context ----------------------------------------------------------


def test_a_reference_opens_the_passage_in_its_section_with_its_neighbours(page, built):
    page.page.keyboard.type("顧客抱怨投訴處理的步驟")
    first = page.page.locator("#results li.hit").first
    first.wait_for()
    p = built.passage(first.get_attribute("data-id"))
    first.locator(".ref").click()
    here = page.page.locator("#context .passage.here")
    here.wait_for()
    assert page.page.locator("#context").evaluate("d => d.open")
    assert here.locator(".lines .t").all_inner_texts() == p.text.split("\n")
    assert page.page.locator("#ctx-title").inner_text().replace("\n", "") == " › ".join(p.section)
    neighbours = [q.id for q in built.context(p.id, around=1)]
    shown = page.page.locator("#context article.passage").evaluate_all("els => els.map(e => e.dataset.id)")
    assert shown == neighbours and len(shown) > 1


def test_neighbours_on_a_deck_scraped_as_one_line_are_labelled_by_their_order(page, built):
    # 004 is one long line: every passage is on line 8, so order, not line, says before or after
    page.page.keyboard.type("客户定位策略 需求调研")
    hit = hit_from(page, "004_")
    pid = hit.get_attribute("data-id")
    neighbours = [q.id for q in built.context(pid, around=1)]
    hit.locator(".ref").click()
    page.page.locator("#context .passage.here").wait_for()
    labels = page.page.locator("#context article.passage .where").all_inner_texts()
    at = neighbours.index(pid)
    assert labels == ["上一段"] * at + ["本段"] + ["下一段"] * (len(neighbours) - at - 1)


def test_the_same_passage_in_two_files_shows_once_with_where_else(browser, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    text = ("第三节 派前检查\n派件前检查电动车:轮胎气压不足要及时充气,车把转向要可靠,前后刹车要灵敏,"
            "车灯和喇叭要完好,电池电量要够跑完全天的派送路线。核对快件数量与派送清单,按路线排好顺序。\n")
    (docs / "派件课.txt").write_text(text, "utf-8")
    (docs / "派件课 副本.txt").write_text(text, "utf-8")
    served = Served(KnowledgeBase.build([docs], tmp_path / "index"))
    dup = Page(browser, served.url)
    try:
        dup.page.keyboard.type("派件前检查电动车")
        hit = dup.page.locator("#results li.hit").first
        hit.wait_for()
        assert dup.page.locator("#results li.hit").count() == 1
        also = hit.locator(".also").inner_text()
        assert "同样内容也在" in also and "派件课" in also and ":1-2" in also
        assert dup.errors == []
    finally:
        dup.close()
        served.stop()


def test_the_passage_dialog_marks_the_words_the_hit_matched(page, built):
    page.page.keyboard.type("派前电动车检查要点")
    hit = hit_from(page, "002_")
    marked = set(hit.locator(".snippet mark").all_inner_texts())
    assert marked
    hit.locator(".ref").click()
    here = page.page.locator("#context .passage.here")
    here.wait_for()
    in_dialog = set(here.locator(".lines mark").all_inner_texts())
    assert in_dialog and in_dialog <= marked


def test_a_spun_deck_is_shown_and_copied_repaired_with_its_own_words_one_click_away(page, built):
    page.page.keyboard.type("服务精英的五力")
    hit = hit_from(page, "003_")
    p = built.passage(hit.get_attribute("data-id"))
    assert p.spun and p.repaired_text != p.text
    hit.locator(".copy").click()
    assert page.clipboard() == p.repaired_text  # what the agent reads out, in the page's default script (as written)
    hit.locator(".ref").click()
    here = page.page.locator("#context .passage.here")
    here.wait_for()
    shown = "".join(here.locator(".lines .t").all_inner_texts())
    assert "效力" not in shown and "服務" in shown
    toggle = here.locator("button.as-written")
    toggle.click()
    assert "效力" in "".join(here.locator(".lines .t").all_inner_texts())
    assert toggle.get_attribute("aria-pressed") == "true"
    toggle.click()
    assert "效力" not in "".join(here.locator(".lines .t").all_inner_texts())


def test_a_citation_opens_the_passage_it_quotes(page, built):
    c = built.ask(ASK).citations[0]
    page.page.locator("label:has(input[value=ask])").click()
    page.page.locator("#q").fill(ASK)
    page.page.keyboard.press("Enter")
    page.page.locator("#answer .citations .ref").first.click()
    here = page.page.locator("#context .passage.here")
    here.wait_for()
    start, end = (int(x) for x in here.locator(".ref-text").inner_text().rsplit(":", 1)[1].split("-"))
    assert start <= c.line_start <= c.line_end <= end


def test_the_outline_lists_the_courses_and_opens_a_heading(page, built):
    page.page.locator("label:has(input[value=outline])").click()
    entry = page.page.locator("#outline .entry:has-text('化訴為金')").first
    entry.wait_for()
    assert page.page.locator("#outline .course").count() == len(built.documents())
    entry.click()
    page.page.locator("#context .passage.here").wait_for()
    assert "化訴為金" in page.page.locator("#context .passage.here").inner_text()


# --- copying -----------------------------------------------------------------------


def test_copy_puts_the_clean_passage_text_in_the_chosen_script_on_the_clipboard(page, built):
    page.page.locator("label:has(input[value=hant])").click()
    page.page.keyboard.type("大客户开发")
    hit = hit_from(page, "002")
    p = built.passage(hit.get_attribute("data-id"))
    hit.locator(".copy").click()
    copied = page.clipboard()
    assert copied == convert(p.text, "hant") != p.text
    assert not any(m in copied for m in ("«", "»", "<mark", " › "))
    assert p.title not in copied  # no breadcrumb


def test_copy_of_an_answer_gives_the_answer_text(page, built):
    page.page.locator("label:has(input[value=ask])").click()
    page.page.locator("#q").fill(ASK)
    page.page.keyboard.press("Enter")
    page.page.locator("#answer .copy").click()
    assert page.clipboard() == built.ask(ASK).answer


# --- the keyboard alone, a phone's screen ------------------------------------------


def test_the_page_works_from_the_keyboard_alone(page):
    kb = page.page.keyboard
    kb.type("红白脸")
    kb.press("Enter")
    shown_search(page.page, "红白脸")
    kb.press("ArrowDown")
    assert page.page.evaluate("document.activeElement.classList.contains('ref')")
    kb.press("Enter")
    page.page.locator("#context .passage.here").wait_for()
    kb.press("Escape")
    page.page.wait_for_function("!document.querySelector('#context').open")
    assert page.page.evaluate("document.activeElement.classList.contains('ref')")  # focus back where it was
    kb.press("/")
    assert page.page.evaluate("document.activeElement.id") == "q"


def test_the_page_fits_a_phone_screen(browser, seeds_server):
    phone = Page(browser, seeds_server.url, width=390, height=844)
    try:
        phone.page.keyboard.type("客诉处理步骤")
        shown_search(phone.page, "客诉处理步骤")
        assert phone.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        box = phone.page.locator("#go").bounding_box()
        assert box and box["x"] + box["width"] <= 390
        assert phone.errors == []
    finally:
        phone.close()


def text_lines(page, selector: str) -> list[int]:
    """How many lines the text of each element matching selector takes (client rects of its text)."""
    return page.locator(selector).evaluate_all(
        "els => els.map(e => { const r = document.createRange(); r.selectNodeContents(e);"
        " return new Set([...r.getClientRects()].filter(x => x.width > 0).map(x => Math.round(x.top))).size; })")


def shown_search(page, query: str) -> None:
    """Wait until the page shows the search for `query`, settled: its URL says it, no request is
    under way and its hits are on the page (typing after an earlier search replaces that one's
    hits when the new answer arrives, which under load comes after the first hit is seen)."""
    page.wait_for_function(
        """q => new URLSearchParams(location.search).get('q') === q
               && document.querySelector('#status').className !== 'busy'
               && document.querySelector('#results li.hit') !== null""", arg=query)


def test_copy_stays_one_word_on_a_phone_width_screen(browser, seeds_server):
    phone = Page(browser, seeds_server.url, width=360, height=740)
    try:
        phone.page.locator("label:has(input[value=ask])").click()
        phone.page.locator("#q").fill(ASK)
        phone.page.keyboard.press("Enter")
        phone.page.locator("#answer .copy").wait_for()
        assert text_lines(phone.page, "#answer .copy") == [1]  # 复制, not 复 over 制
        phone.page.locator("label:has(input[value=search])").click()
        phone.page.locator("#q").fill("客诉处理步骤")
        shown_search(phone.page, "客诉处理步骤")
        assert set(text_lines(phone.page, "#results .copy")) == {1}
        assert set(text_lines(phone.page, "#results .mark")) == {1}
        assert phone.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert phone.errors == []
    finally:
        phone.close()


@pytest.mark.parametrize("width, height", [(360, 640), (1100, 700)])
def test_the_dialog_head_never_covers_the_current_passage_copy_button(browser, seeds_server, width, height):
    screen = Page(browser, seeds_server.url, width=width, height=height)
    try:
        screen.page.keyboard.type("顧客抱怨投訴處理的步驟")
        hit = screen.page.locator("#results li.hit").first
        hit.wait_for()
        hit.locator(".ref").click()
        screen.page.locator("#context .passage.here").wait_for()
        screen.page.wait_for_timeout(100)
        geometry = screen.page.evaluate("""() => {
            const head = document.querySelector('#context .ctx-head').getBoundingClientRect();
            const copy = document.querySelector('#context .passage.here .copy').getBoundingClientRect();
            const dialog = document.querySelector('#context');
            return {head: head.bottom, copy: copy.top, scrolled: dialog.scrollTop,
                    before: document.querySelectorAll('#context .passage:not(.here)').length};
        }""")
        assert geometry["scrolled"] > 0  # a passage above it: the dialog did scroll to it
        assert geometry["copy"] >= geometry["head"], geometry
        assert screen.errors == []
    finally:
        screen.close()


# --- the empty page, more results --------------------------------------------------


def test_the_empty_page_shows_the_library_and_example_questions_that_run(page, built):
    welcome = page.page.locator("#welcome")
    welcome.wait_for()
    passages = sum(len(built.doc_passages(d)) for d in built.documents())
    assert f"已收录 {len(built.documents())} 份文档、{passages} 段" in welcome.inner_text()
    examples = welcome.locator(".example").all_inner_texts()
    from kb.examples import example_questions
    assert examples and examples == example_questions(built, len(examples))
    assert page.page.locator("#more").is_hidden()  # nothing to show more of
    welcome.locator(".example").first.click()
    page.page.locator("#results li.hit").first.wait_for()
    assert page.page.locator("#q").input_value() == examples[0]
    assert welcome.is_hidden()
    page.page.locator("#q").fill("")
    page.page.locator("#q").press("Enter")
    welcome.wait_for()
    assert page.page.locator("#results li.hit").count() == 0 and page.page.locator("#more").is_hidden()


def test_more_adds_the_next_results_below_the_first_ten(page, built):
    page.page.keyboard.type("客户")
    page.page.locator("#results li.hit").nth(9).wait_for()
    more = page.page.locator("#more")
    assert page.page.locator("#results li.hit").count() == 10 and more.is_visible()
    more.click()
    page.page.locator("#results li.hit").nth(10).wait_for()
    ids = page.page.locator("#results li.hit").evaluate_all("els => els.map(e => e.dataset.id)")
    expected = [h.passage.id for h in built.lookup("客户", limit=len(ids)).hits]
    assert ids == expected and len(set(ids)) == len(ids) and 10 < len(ids) <= 20
    assert page.page.evaluate("document.activeElement.closest('li.hit').dataset.id") == ids[10]


# --- feedback marks ----------------------------------------------------------------


@pytest.fixture()
def own_server(own_index):
    served = Served(KnowledgeBase.open(own_index))
    yield served, own_index
    served.stop()


def _first_hit(page, query: str):
    """Type a query into the page and wait for its first result."""
    page.page.keyboard.type(query)
    hit = page.page.locator("#results li.hit").first
    hit.wait_for()
    return hit


def test_marks_on_a_result_and_an_answer_reach_the_feedback_file(browser, own_server):
    served, index = own_server
    marked = Page(browser, served.url)
    try:
        hit = _first_hit(marked, "客诉处理步骤")
        hit.locator(".mark-helped").click()
        marked.page.wait_for_selector("#results li.hit .mark-helped[aria-pressed=true]")
        assert hit.locator(".mark-not").get_attribute("aria-pressed") == "false"
        pid = hit.get_attribute("data-id")
        marked.page.locator("label:has(input[value=ask])").click()
        marked.page.locator("#q").fill(ASK)
        marked.page.keyboard.press("Enter")
        # switching to ask asked the search's query first: its answer may show until ASK's replaces it
        marked.page.locator("#answer h2", has_text=ASK).wait_for()
        marked.page.locator("#answer .mark-not").click()
        marked.page.wait_for_selector("#answer .mark-not[aria-pressed=true]")
        rows = [json.loads(line) for line in (index / "feedback.jsonl").read_text("utf-8").splitlines()]
        assert [(r["query"], r["kind"], r["mark"]) for r in rows] == [
            ("客诉处理步骤", "search", "helped"), (ASK, "ask", "not")]
        assert rows[0]["passage"] == pid
        assert rows[1]["answer"] == marked.page.locator("#answer .answer-text").inner_text()
        assert marked.errors == []
    finally:
        marked.close()


def test_a_mark_that_cannot_be_kept_says_why_on_the_page(browser, own_server):
    served, index = own_server
    (index / "feedback.jsonl").mkdir()  # not a file kb can append to, as a read-only folder
    marked = Page(browser, served.url)
    try:
        hit = _first_hit(marked, "客诉处理步骤")
        hit.locator(".mark-helped").click()
        marked.page.wait_for_selector("#status.error")
        assert "cannot keep feedback" in marked.page.locator("#status").inner_text()
        assert hit.locator(".mark-helped").get_attribute("aria-pressed") == "false"
    finally:
        marked.close()


# --- hostile documents -------------------------------------------------------------


def test_a_hostile_document_shows_its_markup_as_text(browser, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / HOSTILE_NAME).write_text(HOSTILE_DOC, "utf-8")
    served = Served(KnowledgeBase.build([docs], tmp_path / "index"))
    hostile = Page(browser, served.url)
    try:
        hostile.page.keyboard.type("客诉处理")
        hit = hostile.page.locator("#results li.hit").first
        hit.wait_for()
        snippet = hit.locator(".snippet").inner_text()
        assert "<script>alert(1)</script>" in snippet and "<img src=x onerror=alert(1)>" in snippet
        assert "<svg onload=alert(3)>" in hit.locator(".crumbs").inner_text()
        assert hit.locator(".ref").inner_text().startswith(HOSTILE_NAME)
        hit.locator(".ref").click()
        hostile.page.locator("#context .passage.here").wait_for()
        assert "<img src=x onerror=alert(1)>" in hostile.page.locator("#context .passage.here").inner_text()
        assert hostile.page.locator("#doc option", has_text="<svg onload=alert(3)>").count() == 1
        assert hostile.page.locator("img, svg, script:not([src])").count() == 0
        hostile.page.wait_for_timeout(300)  # give an injected handler its chance to fire
        assert hostile.dialogs == []
        assert hostile.errors == []
    finally:
        hostile.close()
        served.stop()


# --- the README's screenshot -------------------------------------------------------


def test_screenshot_of_a_real_search_on_the_seeds(browser, seeds_server, tmp_path):
    target = Path(os.environ.get("KB_SCREENSHOT") or tmp_path / "screenshot.png")
    shot = Page(browser, seeds_server.url, width=1100, height=900)
    try:
        shot.page.keyboard.type("大客戶開發")  # Traditional; the course it finds is Simplified
        shot.page.locator("#results li.hit").nth(2).wait_for()
        shot.page.locator("#results li.hit mark").first.wait_for()
        target.parent.mkdir(parents=True, exist_ok=True)
        shot.page.screenshot(path=str(target))
    finally:
        shot.close()
    data = target.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
