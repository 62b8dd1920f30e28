"""Self-harm vocabulary in a client's own words: a simple phrase matcher that raises an alert for a person
to review, never an automatic action.

It looks for the program's phrases (whole words, case-insensitive, any spacing or hyphen) one clause at a
time and leaves out a match that is quoted ("she said \u201cI want to die\u201d") or negated by a word
shortly before it in the same clause ("I would never hurt myself", "I'm not suicidal"). It does not
understand language: it cannot see sarcasm, a negation further away or in another sentence ("Hurt myself?
Never."), reported speech without quotes ("my friend wants to kill himself"), misspellings, other
languages, or distress in words not on the list. docs/monitoring.md says the same."""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_PHRASES: tuple[str, ...] = (
    "hurt myself", "harm myself", "kill myself", "end my life", "end it all", "take my own life", "suicide",
    "suicidal", "self harm", "cut myself", "want to die", "better off dead", "overdose", "no reason to live",
)
NEGATIONS = frozenset({"not", "never", "no", "dont", "don't", "wont", "won't", "wouldnt", "wouldn't", "cant",
                       "can't", "couldnt", "couldn't", "didnt", "didn't", "isnt", "isn't", "im not", "nor",
                       "without", "neither", "stopped"})
NEGATION_WINDOW = 4  # words before a phrase, within its clause, that may negate it
MAX_PHRASES = 200
MAX_PHRASE_LENGTH = 60

_QUOTED = re.compile(r"\"[^\"]*\"|\u201c[^\u201d]*\u201d|\u00ab[^\u00bb]*\u00bb"
                     r"|(?<!\w)'[^']*'(?!\w)|\u2018[^\u2019]*\u2019(?!\w)")
_CLAUSES = re.compile(r"[.!?;:\n]+|\bbut\b|\bthough\b|\bhowever\b")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


@dataclass(frozen=True)
class VocabularyMatch:
    phrase: str
    negated: bool
    quoted: bool

    @property
    def counts(self) -> bool:
        return not (self.negated or self.quoted)


def normalise_phrase(phrase: str) -> str:
    """A phrase as the matcher compares it: lower case, words only."""
    return " ".join(_words(phrase))


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("\u2019", "'"))


def _find(words: list[str], phrase: list[str]) -> list[int]:
    n = len(phrase)
    return [i for i in range(len(words) - n + 1) if words[i:i + n] == phrase]


def _scan(text: str, phrases: list[list[str]], quoted: bool) -> list[VocabularyMatch]:
    found = []
    for clause in _CLAUSES.split(text.lower()):
        words = _words(clause)
        for phrase in phrases:
            for start in _find(words, phrase):
                before = words[max(0, start - NEGATION_WINDOW):start]
                found.append(VocabularyMatch(" ".join(phrase), any(w in NEGATIONS for w in before), quoted))
    return found


def scan(text: str, phrases: tuple[str, ...] | list[str] = DEFAULT_PHRASES) -> list[VocabularyMatch]:
    """Every occurrence of a phrase in ``text``, each marked negated or quoted where it is."""
    wanted = [p.split() for p in {normalise_phrase(p) for p in phrases} if p]
    text = text.replace("\u2019", "'")
    quotes = [m.group(0) for m in _QUOTED.finditer(text)]
    outside = _QUOTED.sub(" . ", text)
    return _scan(outside, wanted, quoted=False) + [m for q in quotes for m in _scan(q, wanted, quoted=True)]


def raises_alert(text: str, phrases: tuple[str, ...] | list[str] = DEFAULT_PHRASES) -> list[str]:
    """The phrases found un-negated and unquoted: a person should read this text."""
    return sorted({m.phrase for m in scan(text, phrases) if m.counts})
