"""Is an emergency override's written reason a reason, or filler typed to get past the form?

An override shares a client's information without their consent, so its reason is what the
clinical lead reviews and what would be read back later. :func:`thin_reason` looks at the words
(runs of letters) and sets aside those that carry nothing:

* one letter repeated, or one short chunk repeated (``aaa``, ``hhhh``, ``ababab``, ``asdasd``);
* runs of the alphabet or of a keyboard row (``abc``, ``def``, ``xyz``, ``qwerty``, ``asdf``);
* Latin-script words with no vowel at all (``bcd``, ``fgh``, ``zxcv``), a sign of mashed keys;
* placeholders people type into forms (``lorem ipsum``, ``test``, ``tbd``, ``blah``, ``reason``,
  ``n/a`` …: :data:`PLACEHOLDERS`).

The reason must keep at least :data:`MIN_WORDS` *different* words after that, and those must be most
of what was written (:data:`MIN_SHARE`), so a sentence padded with filler does not pass either.

What this can tell: filler, keyboard mashing, repeated tokens, placeholder text. What it cannot:
whether a well-formed sentence is true, relevant or clinically adequate ("The client is fine and we
are just checking things" passes). That judgement stays with the clinical lead, who gets every
override as an alert, and with the audit trail. Words in scripts without Latin vowels (Greek,
Cyrillic, CJK …) are not checked for vowels, only for repetition and runs.
"""

from __future__ import annotations

import re
import unicodedata

MIN_CHARS = 30
MIN_WORDS = 5
MIN_SHARE = 0.6  # real words must be at least this share of all words

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)
_LATIN_VOWELS = set("aeiouyàáâãäåæèéêëìíîïòóôõöøùúûüýÿœ")
_ALPHABET = "abcdefghijklmnopqrstuvwxyz"
_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890")

PLACEHOLDERS = frozenset({
    "lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit",
    "test", "tests", "testing", "tester", "foo", "bar", "baz", "qux", "foobar",
    "tbd", "tba", "todo", "fixme", "placeholder", "dummy", "sample", "example",
    "blah", "bla", "etc", "xxx", "na", "n/a", "none", "nothing", "whatever", "something", "stuff",
    "reason", "reasons", "text", "words", "word", "filler", "asdf", "qwerty", "abc", "xyz",
})


def _is_run(word: str) -> bool:
    """A stretch of the alphabet or of one keyboard row, either way round (``abc``, ``lkj``)."""
    if len(word) < 3:
        return False
    for line in (_ALPHABET, *_KEYBOARD_ROWS):
        if word in line or word in line[::-1]:
            return True
    return False


def _is_repeated(word: str) -> bool:
    """One letter, or one chunk of up to three letters, said over and over (``aaa``, ``abab``)."""
    if len(word) >= 3 and len(set(word)) == 1:
        return True
    for size in (2, 3):
        if len(word) >= 2 * size and len(word) % size == 0 and word == word[:size] * (len(word) // size):
            return True
    return False


def _latin(word: str) -> bool:
    return all("LATIN" in unicodedata.name(ch, "") for ch in word if ch.isalpha())


def is_filler(word: str) -> bool:
    """Whether ``word`` (already lower-cased) carries nothing as a reason."""
    plain = word.replace("’", "'")
    if plain in PLACEHOLDERS or _is_repeated(plain) or _is_run(plain):
        return True
    return _latin(plain) and len(plain) >= 2 and not (set(plain) & _LATIN_VOWELS)


def thin_reason(reason: str) -> bool:
    """True when ``reason`` is too thin to explain an override later (see the module docs)."""
    text = " ".join((reason or "").split())
    if len(text) < MIN_CHARS:
        return True
    words = [w.lower() for w in _WORD.findall(text)]
    real = [w for w in words if len(w) >= 2 and not is_filler(w)]
    return len(set(real)) < MIN_WORDS or len(real) < MIN_SHARE * len(words)
