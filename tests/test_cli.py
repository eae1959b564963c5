import json
import shutil

import pytest
from click.testing import CliRunner

from cli import main
from kb.store import IndexStore


@pytest.fixture()
def run(own_index):
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(main, [*args, "--index", str(own_index)] if args[0] != "index" else list(args))

    return invoke


def test_search_prints_rank_breadcrumb_reference_and_snippet(run):
    r = run("search", "派前电动车检查要点", "-n", "2")
    assert r.exit_code == 0, r.output
    first = r.output.splitlines()
    assert first[0].startswith("1. ") and "›" in first[0]
    assert "002_5c54809273e44e81.txt:" in first[1]
    assert "«" in first[2]


def test_search_json_is_one_object_with_the_contract(run):
    r = run("search", "客訴處理步驟", "--json", "-n", "3")
    assert r.exit_code == 0
    data = json.loads(r.stdout)
    assert data["query"] == "客訴處理步驟"
    assert [h["rank"] for h in data["results"]] == [1, 2, 3]
    h = data["results"][0]
    assert isinstance(h["line_start"], int) and h["line_start"] <= h["line_end"]


def test_search_nothing_found_is_not_an_error_but_exits_1(run):
    r = run("search", "盆腔器官脫垂")
    assert r.exit_code == 1  # as grep: nothing found, which is no error (those exit 2)
    assert "Nothing found" in r.output and "Error" not in r.output


def test_characters_inside_words_the_documents_lack_are_not_results(run, built):
    # 量子, 纠缠, 黑洞 are nowhere in the seeds; 量 and 黑 are, inside other words (黑快递)
    assert not built.search("量子纠缠黑洞")
    r = run("search", "量子纠缠黑洞")
    assert r.exit_code == 1 and "Nothing found" in r.output
    # a word the documents have still finds its passages beside one they lack
    assert built.search("量子 投诉处理")


@pytest.mark.parametrize("query", ["", "   ", "?!。", "客" * 5000])
def test_bad_query_gives_one_line_and_non_zero_exit(run, query):
    r = run("search", query)
    assert r.exit_code == 2
    assert r.output.startswith("Error: ") and r.output.count("\n") == 1
    assert "Traceback" not in r.output


def test_query_syntax_characters_are_searched_as_text(run):
    r = run("search", '"客诉" AND (处理*)')
    assert r.exit_code == 0, r.output


def test_show_prints_the_passage_at_a_reference(run):
    r = run("show", "000:417")
    assert r.exit_code == 0, r.output
    assert "第二步:表示同情理解并真情致歉" in r.output
    assert "第三單元" in r.output.splitlines()[0]


def test_show_gives_a_spun_deck_repaired_and_as_written_on_request(run):
    r = run("show", "003:22")
    assert r.exit_code == 0, r.output
    assert "客戶服務三大平臺" in r.output and "效力" not in r.output and "--as-written" in r.output
    written = run("show", "003:22", "--as-written")
    assert written.exit_code == 0 and "客戶效力三大平臺" in written.output and "repaired" not in written.output


def test_show_takes_the_id_a_search_result_carries(run):
    import json

    hits = json.loads(run("search", "SPIN提问", "--json", "-n", "3").stdout)["results"]
    for hit in hits:  # run-on lines hold several passages: the id tells them apart, DOC:LINE may not
        r = run("show", hit["id"], "--json")
        assert r.exit_code == 0 and json.loads(r.stdout)["text"] == hit["text"]
    short = hits[0]["id"].split("_")[0] + "#" + hits[0]["id"].split("#")[1]  # 002#39
    assert run("show", short, "--json").exit_code == 0


@pytest.mark.parametrize("ref, message", [("000#99999", "no passage"), ("000", "bad reference"), ("zzz:3", "no indexed document"), ("003:9", "holds no indexed text")])
def test_show_bad_reference_is_a_clear_error(run, ref, message):
    r = run("show", ref)
    assert r.exit_code == 2 and message in r.output


def test_outline_shows_courses_and_units_with_lines(run):
    r = run("outline", "000")
    assert r.exit_code == 0
    assert "課程四:《化訴為金的客服技巧》  :359" in r.output
    assert "    第三單元 處理客戶抱怨、投訴的要訣  :409" in r.output


def test_eval_prints_figures_and_fails_below_a_floor(run, tmp_path):
    judged = tmp_path / "set.jsonl"
    judged.write_text(json.dumps({"id": "t1", "query": "派前电动车检查要点", "relevant": [{"doc": "002", "key": "检查轮胎气压"}]}, ensure_ascii=False) + "\n", "utf-8")
    r = run("eval", str(judged))
    assert r.exit_code == 0 and "P@1 1.000" in r.output
    r = run("eval", str(judged), "--floor", "P@1=1.01")
    assert r.exit_code == 1 and "below the floor" in r.output


def test_eval_sample_scores_the_same_fixed_rows_every_run(run, tmp_path):
    judged = tmp_path / "set.jsonl"
    rows = [{"id": f"t{i}", "query": q, "relevant": [{"key": "检查轮胎气压"}]}
            for i, q in enumerate(["派前电动车检查要点", "客诉处理", "大客户开发", "谈判让步", "SPIN"])]
    judged.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    first = json.loads(run("eval", str(judged), "--sample", "3", "--json").output)
    again = json.loads(run("eval", str(judged), "--sample", "3", "--json").output)
    assert first["figures"]["queries"] == 3
    assert [r["id"] for r in first["results"]] == [r["id"] for r in again["results"]]
    assert [r["id"] for r in first["results"]] == sorted(r["id"] for r in first["results"])  # in file order


def test_eval_of_a_malformed_set_is_a_clear_error(run, tmp_path):
    judged = tmp_path / "bad.jsonl"
    judged.write_text("{not json\n", "utf-8")
    r = run("eval", str(judged))
    assert r.exit_code == 2 and "bad.jsonl:1" in r.output


def test_missing_explicit_index_is_a_clear_error(tmp_path):
    r = CliRunner().invoke(main, ["search", "客诉", "--index", str(tmp_path / "none")])
    assert r.exit_code == 2 and "kb index" in r.output


def test_corrupt_index_is_a_clear_error_and_left_as_it_was(own_index):
    from kb.store.faults import live_marker, set_live_marker

    set_live_marker(own_index, "gen-bogus\n")
    r = CliRunner().invoke(main, ["search", "客诉", "--index", str(own_index)])
    assert r.exit_code == 2 and "corrupt" in r.output
    assert live_marker(own_index) == "gen-bogus\n"


def test_first_search_in_a_fresh_folder_builds_the_per_user_index_and_leaves_the_folder_alone(
        tmp_path, own_data_home, monkeypatch):
    monkeypatch.delenv("KB_INDEX", raising=False)
    fresh, other = tmp_path / "fresh", tmp_path / "other"
    fresh.mkdir()
    other.mkdir()
    monkeypatch.chdir(fresh)
    r = CliRunner().invoke(main, ["search", "派前电动车检查要点", "-n", "1"])
    assert r.exit_code == 0, r.output
    home_index = own_data_home / "kb" / "index"
    assert f"building {home_index}/ from " in r.stderr and "002_5c54809273e44e81.txt" in r.stdout
    assert list(fresh.iterdir()) == []  # nothing left where the search was typed
    assert IndexStore(home_index).exists()
    monkeypatch.chdir(other)  # the same library from anywhere, built once
    r = CliRunner().invoke(main, ["search", "派前电动车检查要点", "-n", "1"])
    assert r.exit_code == 0 and "building" not in r.stderr and "002_5c54809273e44e81.txt" in r.stdout
    assert list(other.iterdir()) == []


def test_an_index_in_the_working_folder_is_used_only_when_named(tmp_path, own_index, monkeypatch):
    monkeypatch.delenv("KB_INDEX", raising=False)
    shutil.copytree(own_index, tmp_path / "here" / "index")
    monkeypatch.chdir(tmp_path / "here")
    r = CliRunner().invoke(main, ["search", "派前电动车检查要点", "-n", "1"])
    assert r.exit_code == 0 and "used only when named: --index index" in r.stderr
    assert CliRunner().invoke(main, ["search", "派前电动车检查要点", "--index", "index"]).stderr == ""
    monkeypatch.setenv("KB_INDEX", "index")
    assert CliRunner().invoke(main, ["search", "派前电动车检查要点"]).stderr == ""


def test_a_named_index_that_is_missing_is_an_error_not_a_build(tmp_path, own_data_home, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for args, env in ((["--index", "nowhere"], {}), ([], {"KB_INDEX": "nowhere"})):
        r = CliRunner().invoke(main, ["search", "客诉", *args], env=env)
        assert r.exit_code == 2 and "no index at nowhere" in r.stderr
    assert not (tmp_path / "nowhere").exists() and not (own_data_home / "kb").exists()


def test_the_default_index_is_in_the_users_data_folder(tmp_path, monkeypatch):
    from kb.knowledge import default_index

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_index() == tmp_path / "data" / "kb" / "index"
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for unset in ("", "relative/data"):  # unset, or relative: the spec's default
        monkeypatch.setenv("XDG_DATA_HOME", unset)
        assert default_index() == tmp_path / "home" / ".local" / "share" / "kb" / "index"


def test_changed_seed_is_reindexed_before_searching(tmp_path, seeds_dir, monkeypatch):
    shutil.copytree(seeds_dir, tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KB_INDEX", raising=False)
    runner = CliRunner()
    assert runner.invoke(main, ["index"]).exit_code == 0
    f = next((tmp_path / "seeds").glob("001*.txt"))
    f.write_text(f.read_text("utf-8") + "\n第十四部分:夜间派件安全守则\n", "utf-8")
    r = runner.invoke(main, ["search", "夜间派件安全守则", "-n", "1"])
    assert "out of date" in r.stderr
    assert "夜间派件安全守则" in r.stdout


def test_index_command_reports_what_it_skipped(tmp_path, seeds_dir):
    folder = tmp_path / "docs"
    shutil.copytree(seeds_dir, folder)
    (folder / "slides.key").write_bytes(b"PK")
    (folder / "slides.pptx").write_bytes(b"PK")
    r = CliRunner().invoke(main, ["index", str(folder), "--index", str(tmp_path / "ix")])
    assert r.exit_code == 0
    assert "Indexed 5 document(s)" in r.stdout
    assert "slides.key: unsupported file type .key" in r.stderr
    assert "slides.pptx: corrupt .pptx" in r.stderr


def test_index_of_a_missing_path_is_a_clear_error(tmp_path):
    r = CliRunner().invoke(main, ["index", str(tmp_path / "nope"), "--index", str(tmp_path / "ix")])
    assert r.exit_code == 2 and "no such file" in r.output


def test_every_command_has_help_text():
    for name, command in main.commands.items():
        assert command.help and len(command.help) > 20, name


def test_a_query_or_question_may_start_with_a_dash(run):
    r = run("search", "-5%折扣", "-n", "1")
    assert r.exit_code in (0, 1) and "No such option" not in r.output
    r = run("ask", "-怎么跟客户道歉")
    assert "No such option" not in r.output


@pytest.mark.parametrize("ref", ["000:" + "9" * 5000, "000:99999", "000:slide" + "9" * 5000])
def test_a_reference_out_of_range_is_a_clear_error(run, ref):
    r = run("show", ref)
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert "out of range" in r.output or "bad reference" in r.output


def test_exit_status_says_found_nothing_found_or_error(run):
    # as grep and ripgrep: 0 found, 1 nothing found (or not covered), 2 an error
    assert run("search", "派前电动车检查要点").exit_code == 0
    for args in (["search", "qwxzvk"], ["search", "qwxzvk", "--json"]):
        r = run(*args)
        assert r.exit_code == 1 and "Traceback" not in r.output
    assert json.loads(run("search", "qwxzvk", "--json").stdout)["results"] == []
    assert run("ask", "处理投诉常用的策略有哪些?").exit_code == 0
    r = run("ask", "从广州寄10公斤到成都运费多少钱?", "--json")
    assert r.exit_code == 1 and json.loads(r.stdout)["answered"] is False
    assert run("show", "nosuch:1").exit_code == 2


def _read_terminal(leader: int) -> bytes:
    """All a child process wrote to a pseudo-terminal, read until it closes; then closed."""
    import os

    out = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: all read
            break
        if not chunk:
            break
        out += chunk
    os.close(leader)
    return out


def test_color_is_chosen_by_flag_and_marks_stay_plain_otherwise(own_index):
    def search(*flags):
        return CliRunner().invoke(main, [*flags, "search", "派前电动车检查要点", "-n", "1", "--index", str(own_index)])

    colored, plain = search("--color", "always"), search("--color", "never")
    assert "\x1b[1;33m" in colored.output and "«" not in colored.output
    assert "\x1b[" not in plain.output and "«" in plain.output
    assert "\x1b[" not in search().output  # auto, and the output is not a terminal


@pytest.mark.parametrize("no_color, colored", [("", True), ("1", False)])
def test_on_a_terminal_color_follows_no_color(own_index, no_color, colored):
    import os
    import pty
    import subprocess
    import sys

    env = {**os.environ, "NO_COLOR": no_color}
    leader, follower = pty.openpty()
    proc = subprocess.run([sys.executable, "-c", "import cli; cli.main()", "search", "派前电动车检查要点", "-n", "1",
                           "--index", str(own_index)], stdout=follower, stderr=subprocess.DEVNULL, env=env,
                          cwd=os.path.dirname(os.path.dirname(__file__)), timeout=120)
    os.close(follower)
    out = _read_terminal(leader)
    assert proc.returncode == 0
    assert (b"\x1b[1;33m" in out) == colored


def test_a_long_breadcrumb_is_cut_to_the_terminal_keeping_the_kind():
    from cli import _fit

    crumb = "1. 《經營效益提升管道整體課程》服務方案 › 課程四:《化訴為金的客服技巧》 › 第三單元 處理客戶抱怨、投訴的要訣"
    line = _fit(crumb, 80, "  [steps]")
    assert line.endswith("…  [steps]") and line.startswith("1. 《經營")
    from unicodedata import east_asian_width

    assert sum(2 if east_asian_width(c) in "WF" else 1 for c in line) <= 80
    assert _fit(crumb, None, "  [steps]") == crumb + "  [steps]"  # piped: whole


def test_a_passage_on_a_shared_line_is_printed_with_the_id_that_opens_it(run):
    # 004 is a deck scraped as one line: DOC:LINE names many passages, the id names one
    r = run("search", "客户分层", "--doc", "004", "-n", "3")
    assert r.exit_code == 0
    ids = [line.split("(")[-1].rstrip(")") for line in r.output.splitlines() if line.startswith("   004_") and "#" in line]
    assert ids
    for pid in ids:
        shown = run("show", pid, "--json")
        assert shown.exit_code == 0 and json.loads(shown.stdout)["id"] == pid


def test_outline_of_a_document_without_headings_says_so_and_where_it_starts(run):
    # 003 is a scraped deck in which no line reads as a heading
    for args in (["outline", "003"], ["outline"]):
        r = run(*args)
        assert r.exit_code == 0
        lines = r.output.splitlines()
        at = next(i for i, line in enumerate(lines) if line.startswith("003_b79be88cefedbace.txt"))
        assert "no headings found" in lines[at + 1] and "003_b79be88cefedbace.txt:" in lines[at + 1]
        ref = lines[at + 1].split("starts at ")[1].rstrip(")")
        assert run("show", ref).exit_code == 0


def test_show_opens_the_very_passage_of_every_hit_of_every_dev_query(run, built):
    from kb.evaluate import load

    from .conftest import ROOT

    queries = [r["query"] for name in ("search_dev", "search_dev2")
               for r in load(ROOT.parent / "shared" / "eval" / f"{name}.jsonl")]
    assert len(queries) > 50
    for q in queries:
        hits = built.search(q, limit=10)
        for h in hits:
            assert built.show(h.passage.id).id == h.passage.id, (q, h.passage.id)
        top = json.loads(run("search", q, "--json", "-n", "1").stdout)["results"]
        if top:  # and the CLI's own round trip for the first hit
            shown = json.loads(run("show", top[0]["id"], "--json").stdout)
            assert shown["id"] == top[0]["id"] and shown["text"] == top[0]["text"]


def _snippets(output: str) -> list[str]:
    """The snippet line of each hit in plain `kb search` output (the line after the reference)."""
    import re

    lines = output.splitlines()
    return [lines[i + 1][3:] for i, line in enumerate(lines) if re.match(r"   \S+\.txt:\d", line)]


def test_search_snippet_is_short_and_opens_at_the_first_match(run):
    from cli import PIPED_SNIPPET
    from kb.search import SNIPPET_LEAD, columns

    r = run("search", "客诉处理有哪几个步骤", "-n", "5")
    assert r.exit_code == 0
    snippets = _snippets(r.stdout)
    assert len(snippets) == 5
    for s in snippets:
        assert columns(s) <= PIPED_SNIPPET
        before = s[: s.index("«")].lstrip("…")
        assert columns(before) <= SNIPPET_LEAD  # ripgrep-like: the eye lands on the match
    data = json.loads(run("search", "客诉处理有哪几个步骤", "-n", "5", "--json").stdout)
    whole = [h["highlight"] for h in data["results"]]
    assert sum(map(columns, snippets)) < sum(map(columns, whole))  # shorter than the --json highlight


def test_search_snippet_width_can_be_chosen_and_0_shows_the_whole_highlight(run):
    from kb.search import columns

    narrow = _snippets(run("search", "客诉处理有哪几个步骤", "-n", "3", "--snippet", "40").stdout)
    assert narrow and all(columns(s) <= 40 for s in narrow)
    whole = _snippets(run("search", "客诉处理有哪几个步骤", "-n", "3", "--snippet", "0").stdout)
    data = json.loads(run("search", "客诉处理有哪几个步骤", "-n", "3", "--json").stdout)
    assert whole == [h["highlight"].replace("\n", " ") for h in data["results"]]


def test_index_progress_is_plain_lines_when_piped(tmp_path, seeds_dir):
    r = CliRunner().invoke(main, ["index", str(seeds_dir), "--index", str(tmp_path / "ix")])
    assert r.exit_code == 0
    lines = r.stderr.splitlines()
    assert "\r" not in r.stderr and "\x1b[" not in r.stderr
    assert [line.split()[0] for line in lines[:5]] == [f"[{i}/5]" for i in range(1, 6)]
    indexed = [line for line in lines if line.startswith("indexed ")]
    assert indexed[0].startswith("indexed 0/") and indexed[-1].startswith("indexed 137/137")
    assert len(indexed) <= 12  # a line every tenth of the passages, not one a passage
    assert lines[-1].startswith("saving the index")


class _Clock:
    """time.monotonic and time.time that move only when told: an ETA to compute by hand."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def _steps(clock, progress, total=100, seconds_each=0.5):
    from kb import ProgressStep

    progress(ProgressStep("[1/1] a.txt: 100 passages", "reading", 1, 1))
    for done in range(0, total + 1, 10):
        progress(ProgressStep(f"indexed {done}/{total} passages", "indexing", done, total))
        clock.now += 10 * seconds_each
    progress(ProgressStep(f"saving the index ({total} passages) …", "saving", total, total))


def test_piped_progress_says_how_long_indexing_has_left(monkeypatch, capsys):
    import time

    from cli import _Progress

    clock = _Clock()
    monkeypatch.setattr(time, "monotonic", clock)
    with _Progress() as progress:
        _steps(clock, progress)
    err = capsys.readouterr().err.splitlines()
    assert "indexed 50/100 passages, about 25 s to index the rest" in err  # 5 s for 10: 50 left
    assert err[-1] == "saving the index (100 passages) …"


def test_on_a_terminal_progress_is_a_bar_with_an_eta(monkeypatch):
    import io
    import sys
    import time

    from cli import _Progress

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    clock, err = _Clock(), Terminal()
    monkeypatch.setattr(time, "monotonic", clock)
    monkeypatch.setattr(time, "time", clock)
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setenv("COLUMNS", "100")
    with _Progress() as progress:
        _steps(clock, progress)
    out = err.getvalue()
    assert "\r" in out and "reading files" in out and "indexing passages  [" in out
    assert "50/100  00:00:25" in out  # click's bar: position and time left
    assert out.rstrip().endswith("saving the index (100 passages) …")


def test_index_on_a_real_terminal_draws_a_bar(tmp_path, seeds_dir):
    import os
    import pty
    import subprocess
    import sys

    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-c", "import cli; cli.main()", "index", str(seeds_dir),
                             "--index", str(tmp_path / "ix")], stdout=subprocess.PIPE, stderr=follower,
                            cwd=os.path.dirname(os.path.dirname(__file__)))
    os.close(follower)
    err = _read_terminal(leader)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0 and b"Indexed 5 document(s)" in out
    assert b"\r" in err and b"indexing passages  [####" in err and b"137/137" in err
    assert b"[1/5]" not in err  # the bar, not a line a file


@pytest.mark.parametrize("shell, marker", [("bash", "complete -o nosort -F _kb_completion kb"),
                                           ("zsh", "compdef _kb_completion kb"),
                                           ("fish", "complete --no-files --command kb")])
def test_shell_completion_source_is_produced(shell, marker):
    r = CliRunner().invoke(main, [], prog_name="kb", env={"_KB_COMPLETE": f"{shell}_source"})
    assert r.exit_code == 0 and marker in r.stdout


def _complete(words: str, env: dict | None = None) -> list[str]:
    """What bash completion offers for the last word of `words` (click's bash protocol)."""
    parts = words.split(" ")
    r = CliRunner().invoke(main, [], prog_name="kb", env={"_KB_COMPLETE": "bash_complete", "COMP_WORDS": words,
                                                          "COMP_CWORD": str(len(parts) - 1), **(env or {})})
    assert r.exit_code == 0, r.output
    return [line.split(",", 1)[1] for line in r.stdout.splitlines() if line]


def test_completing_a_command_an_option_and_a_choice():
    assert _complete("kb se") == ["search", "serve"]
    assert _complete("kb search 客诉 --ki") == ["--kind"]
    assert "steps" in _complete("kb search 客诉 --kind ")


def test_completing_a_document_name_reads_the_index_and_never_builds_one(own_index, own_data_home):
    names = _complete(f"kb search 客诉 --index {own_index} --doc 00")
    assert len(names) == 5 and all(n.startswith("00") and n.endswith(".txt") for n in names)
    assert _complete("kb outline 003", {"KB_INDEX": str(own_index)}) == ["003_b79be88cefedbace.txt"]
    assert _complete("kb outline 003") == []  # no index yet: nothing offered, nothing built
    assert not (own_data_home / "kb").exists()


def test_bash_completes_kb_se_to_search(tmp_path):
    import os
    import subprocess
    import sys

    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("no bash")
    # `kb` on PATH as the installed script would be, running this checkout's cli
    run_cli = f'{sys.executable} -c "import cli; cli.main(prog_name=\\"kb\\")"'
    (tmp_path / "kb").write_text(f'#!/bin/sh\nexec {run_cli} "$@"\n')
    (tmp_path / "kb").chmod(0o755)
    here = os.path.dirname(os.path.dirname(__file__))
    env = {**os.environ, "PATH": f"{tmp_path}{os.pathsep}{os.environ['PATH']}",
           "PYTHONPATH": os.pathsep.join([here, os.environ.get("PYTHONPATH", "")])}
    script = ('eval "$(_KB_COMPLETE=bash_source kb)"; COMP_WORDS=(kb se); COMP_CWORD=1; '
              '_kb_completion kb; echo "${COMPREPLY[@]}"')
    done = subprocess.run([bash, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["search", "serve"], done.stderr


def test_a_usage_error_echoing_a_line_break_stays_one_line(run):
    # found by the fuzz suite: click echoes an unexpected argument as typed
    r = run("search", "客诉", "0000\n --index elsewhere")
    assert r.exit_code == 2
    errors = [line for line in r.stderr.split("\n") if line.strip()]
    assert errors[-1].startswith("Error: ") and "\\n" in errors[-1] and "elsewhere" in errors[-1]
