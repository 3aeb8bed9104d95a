"""Entity names: normalised keys, title aliases, and finding known names in sentences.

Every paragraph title is an entity for free (HotpotQA titles are Wikipedia pages), and a
sentence that names another paragraph's title is linked to it: that is what lets a bridge
question hop from "Scott Derrickson ... directed Sinister" to the "Sinister (film)" page
even where no triplet was extracted. Matching is by exact-case word n-grams, so "Love"
(a title) is found in "Love is ..." but not in "in love"; names shorter than `min_chars`
or made of digits only are never matched, they link unrelated sentences.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict

_WORD = re.compile(r"\w+(?:['’]\w+)*")
_PARENS = re.compile(r"\s*\([^)]*\)\s*$")
_ARTICLE = re.compile(r"^(the|a|an) ")


def normalize_entity(name: str) -> str:
    """Lower case, accents and punctuation dropped, a leading article dropped."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = " ".join(re.sub(r"[^\w\s]", " ", text).split())
    return _ARTICLE.sub("", text)


def title_surface(title: str) -> str:
    """How text names a page: its title without a trailing "(disambiguation)"."""
    return _PARENS.sub("", title).strip() or title


class MentionFinder:
    """Known surface names → entity keys; `find` returns the keys named in a text."""

    def __init__(self, *, min_chars: int = 4, max_words: int = 8) -> None:
        self.min_chars = min_chars
        self.max_words = max_words
        self._names: dict[tuple[str, ...], set[str]] = defaultdict(set)
        self._longest = 0

    def add(self, surface: str, key: str) -> bool:
        """Register a name; False (ignored) when it is too short, numeric or too long."""
        words = tuple(_WORD.findall(surface))
        if len(surface) < self.min_chars or not words or len(words) > self.max_words:
            return False
        if all(w.isdigit() for w in words):
            return False
        self._names[words].add(key)
        self._longest = max(self._longest, len(words))
        return True

    def find(self, text: str) -> set[str]:
        words = _WORD.findall(text)
        found: set[str] = set()
        for i in range(len(words)):
            for n in range(1, min(self._longest, len(words) - i) + 1):
                found |= self._names.get(tuple(words[i : i + n]), set())
        return found

    def keys_named(self, surface: str) -> set[str]:
        """The keys registered under exactly this surface name."""
        return set(self._names.get(tuple(_WORD.findall(surface)), set()))
