"""The Flesch-Douma reading ease of Dutch text (Douma 1960, the Dutch adaptation of Flesch):

    206.835 - 0.93 * (words per sentence) - 77 * (syllables per word)

60 and up is easy enough for most readers (about language level B1); 0-30 is academic. Syllables
are counted as groups of vowels, with the Dutch vowel combinations (aa, ee, ie, oe, ou, ui, ij,
eu, ...) as one group: close enough for a threshold on whole paragraphs."""

from __future__ import annotations

import re

_WORD = re.compile(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'-]*")
_SENTENCE_END = re.compile(r"[.!?:;]+(?:\s|$)")
# "ij" is one vowel sound; an accented vowel (ë, é) starts a new syllable (ideeën, café's).
_VOWELS = re.compile(r"ij|[aeiouyàáâäèêìíîòóôöùúûü]+|[ëéï]")


def syllables(word: str) -> int:
    return max(1, len(_VOWELS.findall(word.lower())))


def flesch_douma(text: str) -> float:
    words = _WORD.findall(text)
    if not words:
        raise ValueError("no words")
    sentences = max(1, len(_SENTENCE_END.findall(text.strip() + " ")))
    syllable_count = sum(syllables(word) for word in words)
    return 206.835 - 0.93 * (len(words) / sentences) - 77 * (syllable_count / len(words))
