"""The library's public surface, in the style of httpx's export test: every type a public
method of KnowledgeBase takes or returns, and every error it may raise, is importable from
`kb` itself and named there as where it is defined."""

import inspect
import typing

import pytest

import kb
from kb import KnowledgeBase


def _kb_types(hint) -> set[type]:
    """The classes defined in kb that a type hint names, however nested (list[Hit], X | None)."""
    out: set[type] = set()
    stack = [hint]
    while stack:
        h = stack.pop()
        if isinstance(h, type) and h.__module__.startswith("kb.") and h is not KnowledgeBase:
            out.add(h)
        stack.extend(typing.get_args(h))
    return out


def test_every_type_in_the_public_api_is_exported_from_kb():
    named: set[type] = set()
    for name, member in inspect.getmembers(KnowledgeBase):
        if name.startswith("_") or not callable(member):
            continue
        # a name the API gives as a string ("SearchResult") must resolve among kb's exports
        hints = typing.get_type_hints(member, localns={n: getattr(kb, n) for n in kb.__all__})
        for hint in hints.values():
            named |= _kb_types(hint)
    assert {t.__name__ for t in named} >= {"Hit", "Passage", "Answer", "SearchResult", "QueryPlan", "DocumentInfo", "OutlineEntry"}
    for t in named:
        assert t.__name__ in kb.__all__, f"{t.__module__}.{t.__name__} is in the API but not exported"
        assert getattr(kb, t.__name__) is t


def test_every_error_is_exported_and_a_kb_error():
    import kb.errors

    errors = [c for _, c in inspect.getmembers(kb.errors, inspect.isclass) if issubclass(c, Exception)]
    for err in errors:
        assert issubclass(err, kb.KbError)
        assert err.__name__ in kb.__all__ and getattr(kb, err.__name__) is err


@pytest.mark.parametrize("name", kb.__all__)
def test_every_exported_name_resolves(name):
    assert getattr(kb, name) is not None


def test_a_knowledge_base_is_a_context_manager(built):
    with KnowledgeBase.open(built.store.root) as k:
        assert k.search("派前电动车检查要点", limit=1)
    with pytest.raises(AttributeError):
        kb.NoSuchThing  # noqa: B018


def test_search_renders_highlights_in_the_script_asked_for(built):
    hant = built.search("客诉处理步骤", limit=3, script="hant")
    hans = built.search("客诉处理步骤", limit=3, script="hans")
    own = built.search("客诉处理步骤", limit=3)
    assert [h.passage.id for h in hant] == [h.passage.id for h in hans] == [h.passage.id for h in own]
    assert any("處理" in h.highlight or "投訴" in h.highlight for h in hant)
    assert not any("處理" in h.highlight or "投訴" in h.highlight for h in hans)
    assert [h.passage.text for h in hans] == [h.passage.text for h in own]  # the passage stays the file's own
    with pytest.raises(kb.KbError):
        built.search("客诉", script="klingon")
