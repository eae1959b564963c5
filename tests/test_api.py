import re
import subprocess
import sys
from pathlib import Path

import kb

README = Path(__file__).resolve().parent.parent / "README.md"


def test_exports_are_what_the_readme_documents():
    documented = set(re.findall(r"`kb\.(\w+)`", README.read_text("utf-8")))
    assert documented == set(kb.__all__)


def test_every_export_exists():
    for name in kb.__all__:
        assert hasattr(kb, name), name


def test_import_kb_stays_light():
    code = "import sys, kb; print(','.join(m for m in ('whoosh', 'tantivy', 'jieba', 'opencc') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


def test_traditional_search_does_not_load_the_opencc_package(built):
    """t2s comes from kb's own tables (kb/data/opencc): the package is only for s2t."""
    code = ("import sys; from kb import KnowledgeBase; "
            f"KnowledgeBase.open({str(built.store.root)!r}).search('處理客訴的步驟', limit=1); "
            "print('opencc' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "False"


def test_search_returns_typed_hits(built):
    hit = built.search("客诉处理", limit=1)[0]
    assert isinstance(hit, kb.Hit) and isinstance(hit.passage, kb.Passage)
    assert hit.passage.ref.startswith(hit.passage.doc + ":")


def test_a_search_loads_only_the_engine_its_index_names(built):
    from kb.store.engines import TANTIVY, WHOOSH

    code = ("import sys; from kb import KnowledgeBase; "
            f"KnowledgeBase.open({str(built.store.root)!r}).search('客诉处理', limit=1); "
            "print(','.join(m for m in ('whoosh', 'tantivy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == {WHOOSH: "whoosh", TANTIVY: "tantivy"}[built.store.engine_name]
