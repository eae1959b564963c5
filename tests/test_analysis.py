from hypothesis import given, settings, strategies as st

from kb.analysis import analyze, normalise, terms


def test_positions_are_sequential_for_main_tokens():
    toks = [t for t in analyze("客戶投訴處理的步驟和方法") if not t.sub]
    assert [t.pos for t in toks] == list(range(len(toks)))


def test_offsets_point_into_the_original_traditional_text():
    text = "顧客抱怨、投訴處理的步驟"
    for tok in analyze(text):
        original = text[tok.start: tok.end]
        assert normalise(original)[0] == tok.text


def test_traditional_and_simplified_give_the_same_terms():
    assert terms("顧客抱怨、投訴處理的步驟") == terms("顾客抱怨、投诉处理的步骤")


def test_acronyms_and_figures_are_kept_whole_and_lower_cased():
    got = terms("SPIN提问法 5W2H 80/20原理 關鍵時刻MOT 2B關鍵客戶")
    for word in ("spin", "5w2h", "80/20", "mot", "2b"):
        assert word in got


def test_full_width_letters_are_half_width():
    assert "spin" in terms("ＳＰＩＮ销售法")


def test_domain_dictionary_keeps_words_together():
    got = terms("客诉处理的话术和大客户")
    assert {"客诉", "话术", "大客户"} <= set(got)


def test_stop_words_are_dropped():
    assert terms("客诉处理有哪几个步骤") == ["客诉", "处理", "步骤"]


def test_long_words_also_index_their_parts_at_the_same_position():
    toks = analyze("客户服务人员")
    main = next(t for t in toks if t.text == "客户服务")
    parts = [t for t in toks if t.sub and t.pos == main.pos]
    assert {"客户", "服务"} <= {t.text for t in parts}


def test_normalise_is_idempotent():
    text = "ＳＰＩＮ銷售法：顧客抱怨（投訴）"
    once = normalise(text)[0]
    assert normalise(once)[0] == once


def _fresh_tokenizer(monkeypatch, cache_dir):
    from kb import analysis

    monkeypatch.setenv("KB_CACHE_DIR", str(cache_dir))
    analysis.jieba_tokenizer.cache_clear()
    return analysis.jieba_tokenizer()


def test_cached_dictionary_is_the_dictionary_it_was_built_as(tmp_path, monkeypatch):
    from kb import analysis

    try:
        built = _fresh_tokenizer(monkeypatch, tmp_path)  # no cache yet: built and written
        (cache,) = tmp_path.glob("jieba-*.pickle")
        loaded = _fresh_tokenizer(monkeypatch, tmp_path)  # read back
        assert loaded is not built
        assert loaded.FREQ == built.FREQ and loaded.total == built.total
        assert "关键决策人" in loaded.FREQ  # kb's own words are in it
        assert cache.stat().st_size > 1_000_000
    finally:
        analysis.jieba_tokenizer.cache_clear()


def test_damaged_dictionary_cache_is_built_again(tmp_path, monkeypatch):
    from kb import analysis

    try:
        good = _fresh_tokenizer(monkeypatch, tmp_path)
        (cache,) = tmp_path.glob("jieba-*.pickle")
        cache.write_bytes(b"\x80\x05not a pickle")
        again = _fresh_tokenizer(monkeypatch, tmp_path)
        assert again.FREQ == good.FREQ
        assert cache.stat().st_size > 1_000_000  # rewritten whole
    finally:
        analysis.jieba_tokenizer.cache_clear()


def test_the_phrasebook_read_from_the_cache_is_the_one_read_from_its_file(tmp_path, monkeypatch):
    """The phrasebook's expressions and their segmentation are kept in kb's cache folder
    (kb.analysis.cached): read back, they are what reading the file makes; a damaged cache file
    is read from the file again and rewritten."""
    from kb import lexicon, query

    monkeypatch.setenv("KB_CACHE_DIR", str(tmp_path))
    try:
        lexicon.phrasebook.cache_clear()
        query._expressions_by_word.cache_clear()
        first, words = lexicon.phrasebook(), query._expressions_by_word()
        caches = {p.name.split("-")[2]: p for p in tmp_path.glob("jieba-*-*-*.pickle")}
        assert set(caches) == {"phrasebook", "expressions"}
        assert first == lexicon._read_phrasebook() and words == query._segment_expressions()
        lexicon.phrasebook.cache_clear()
        assert lexicon.phrasebook() == first and lexicon.phrasebook() is not first  # read back
        caches["phrasebook"].write_bytes(b"\x80\x05not a pickle")
        lexicon.phrasebook.cache_clear()
        assert lexicon.phrasebook() == first and caches["phrasebook"].stat().st_size > 100_000
    finally:
        lexicon.phrasebook.cache_clear()
        query._expressions_by_word.cache_clear()


def test_unwritable_cache_folder_still_segments(tmp_path, monkeypatch):
    from kb import analysis

    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    try:
        tk = _fresh_tokenizer(monkeypatch, blocker / "kb")
        assert tk.lcut("客户投诉处理") and not list(tmp_path.glob("**/jieba-*"))
    finally:
        analysis.jieba_tokenizer.cache_clear()


def test_a_user_who_cannot_write_jiebas_shared_cache_gets_no_traceback(tmp_path, monkeypatch, capfd):
    """The first user's /tmp/jieba.cache (mode 0600) made every other user's kb rebuild jieba's
    dictionary, fail to replace that file and log a traceback (scripts/faults.py, read-only
    trial): jieba's cache is now each user's own, and a cache that cannot be written is silent."""
    import os
    import tempfile

    import jieba

    from kb import analysis

    monkeypatch.setenv("KB_CACHE_DIR", str(tmp_path / "kb"))  # kb's own cache empty: jieba builds its dictionary
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def refused(src, dst):  # as os.replace is, over another user's file in a sticky /tmp
        raise PermissionError(1, "Operation not permitted", src, None, dst)

    monkeypatch.setattr(jieba, "_replace_file", refused)
    tk = analysis.jieba_tokenizer.__wrapped__()
    assert tk.cache_file == f"jieba.u{os.getuid()}.cache"
    assert tk.lcut("客户投诉处理") and "Traceback" not in capfd.readouterr().err


def test_normalising_new_characters_leaves_the_pipeline_fingerprint_as_it_was():
    """normalise() fills a table of characters as it meets them: a cache, not a constant the
    fingerprint reads (else an index would go stale in a process that has normalised text)."""
    from kb.analysis import normalise
    from kb.catalog import fingerprint_inputs

    before = fingerprint_inputs()
    normalise.__wrapped__("ＦＵＬＬ　ｗｉｄｔｈ，①②③ ﬁ İ ㍿")
    assert fingerprint_inputs() == before


def _runs_of(text: str) -> list[str]:
    from kb.analysis import _RUNS

    return [m.group(2) for m in _RUNS.finditer(normalise(text)[0]) if m.group(2)]


def test_kbs_segmenter_cuts_every_seed_run_as_jieba_does():
    from pathlib import Path

    from kb.analysis import _Segmenter, jieba_tokenizer

    tk = jieba_tokenizer()
    segmenter = _Segmenter(tk)
    seeds = Path(__file__).resolve().parent.parent / "seeds"
    runs = {run for f in sorted(seeds.glob("*.txt")) for run in _runs_of(f.read_text("utf-8"))}
    assert len(runs) > 1000
    for run in sorted(runs):
        assert [w for w, _, _ in segmenter.cut(run)] == list(tk.cut(run, HMM=False)), run


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("客户投诉处理的步骤和方法大客戶服務人员乾坤了解瞭解一二三" + "\u3400\u4dbf\u9fd6\u9fff\uf900\ufa0e\u9fa5"),
               min_size=1, max_size=40))
def test_kbs_segmenter_cuts_any_cjk_run_as_jieba_does(run):
    from kb.analysis import _Segmenter, jieba_tokenizer

    tk = jieba_tokenizer()
    assert [w for w, _, _ in _Segmenter(tk).cut(run)] == list(tk.cut(run, HMM=False))


def test_kbs_cut_of_any_text_gives_jiebas_words():
    # the words kb.query reads a query's word edges from: every seed line, Latin, digits and all
    from pathlib import Path

    from kb.analysis import jieba_tokenizer
    from kb.query import cut_words

    tk = jieba_tokenizer()
    seeds = Path(__file__).resolve().parent.parent / "seeds"
    lines = {normalise(line)[0] for f in sorted(seeds.glob("*.txt")) for line in f.read_text("utf-8").splitlines()}
    assert len(lines) > 1000
    for line in sorted(lines):
        assert list(cut_words(line)) == list(tk.cut(line, HMM=False)), line


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("客户投诉处理的步骤大客戶服務乾坤了解一二三t恤spinSPIN5w2h80/20+#&._%-, 。\r\n\t\u3000\u9fd6"),
               max_size=40))
def test_kbs_cut_of_mixed_text_gives_jiebas_words(text):
    from kb.analysis import jieba_tokenizer
    from kb.query import cut_words

    assert list(cut_words(text)) == list(jieba_tokenizer().cut(text, HMM=False))


def test_a_run_cut_again_is_the_run_kept():
    from kb.analysis import _Segmenter, jieba_tokenizer

    segmenter = _Segmenter(jieba_tokenizer())
    segmenter.RUNS = 4
    runs = ["客户服务人员", "投诉处理", "大客户开发", "谈判让步", "话术", "客户服务人员"]
    first = [segmenter.cut(r) for r in runs]
    assert [segmenter.cut(r) for r in runs] == first
    assert len(segmenter._runs) <= 4


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("客户投诉ＳＰＩＮ…℃㈠ﬁ①Ⅻ㍿İ\u3000ａＢ,，。！abc"), max_size=40))
def test_every_normalised_character_points_at_the_character_it_came_from(text):
    norm, offsets = normalise(text)
    assert list(offsets) == [i for i, ch in enumerate(text) for _ in normalise(ch)[0]]
    assert len(norm) == len(offsets)
