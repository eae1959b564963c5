"""Where indexes built before kb.store find their analyzer: whoosh pickled its class under
this name in their schema. New indexes name kb.store.whoosh_analysis."""

from .store.whoosh_analysis import PART_SEPARATOR, KbFieldedTokenizer  # noqa: F401
