"""Pure text helpers shared by indexing and answering: normalising, sentences, words."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "h.e", "e.g", "i.e", "etc", "no", "nos", "art", "st", "vs",
    "u.s", "u.k", "u.n", "jr", "sr", "gen", "col", "amb", "rev", "para", "paras", "cf", "op", "vol",
}
# A sentence ends at . ! ? (optionally followed by a closing quote or bracket) and whitespace.
_BOUNDARY = re.compile(r"[.!?][\"'”’)\]]*\s+")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_WORD = re.compile(r"[0-9]+(?:[.,][0-9]+)*|[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)
_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "‟": '"'})

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had has
    have having he her here hers herself him himself his how i if in into is it its itself just me more
    most my myself no nor not now of off on once only or other our ours ourselves out over own same she
    should so some such than that the their theirs them themselves then there these they this those
    through to too under until up very was we were what when where which while who whom why will with
    would you your yours yourself yourselves say said says tell told mention mentioned mentions regarding
    think thinks thought did does do position view views speak spoke speaks talk talked about anything
    something else further statement statements its it's may might must shall us our ours""".split()
)


def normalise_spaces(text: str) -> str:
    """Collapse runs of spaces (the doubled spaces of justified PDF text) and trim lines."""
    text = unicodedata.normalize("NFC", text)
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))


def normalise_for_match(text: str) -> str:
    """Lower-case, straight quotes, single spaces: the form in which quotes are compared."""
    return _SPACES.sub(" ", " ".join(text.translate(_QUOTES).lower().split()))


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Split into sentences; returns (start, end) spans with surrounding whitespace excluded."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.start() + 1
        # Swallow closing quotes/brackets into the sentence.
        while end < len(text) and text[end] in "\"'”’)]":
            end += 1
        word = re.search(r"([\w.]+)\.$", text[start:match.start() + 1])
        token = word.group(1).lower() if word else ""
        if text[match.start()] == "." and (token in _ABBREVIATIONS or re.fullmatch(r"[a-z]", token)):
            continue
        following = text[match.end():match.end() + 1]
        if following and not (following.isupper() or following.isdigit() or following in "\"'“‘(["):
            continue
        if text[start:end].strip():
            spans.append(_trim(text, start, end))
        start = match.end()
    if text[start:].strip():
        spans.append(_trim(text, start, len(text)))
    return spans


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def words(text: str) -> list[str]:
    """Lower-cased word and number tokens, apostrophes straightened."""
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]


def proper_names(text: str) -> frozenset[str]:
    """Lower-cased words that `text` writes as names: an initial capital or an acronym, not the first word of a
    sentence ("Was Ana Ortiz mentioned?" gives {"ana", "ortiz"}; "Did it mention the ICC?" gives {"icc"})."""
    found = set()
    for start, end in sentence_spans(text):
        for k, match in enumerate(_WORD.finditer(text[start:end])):
            token = match.group()
            if k and token[0].isupper() and len(token) > 1:
                found.add(token.lower().replace("’", "'"))
    return frozenset(found)


def is_function_word(word: str) -> bool:
    """A stopword, or a contraction of one ("shouldn't", "can't", "they're"): a question's own wording that no
    formal summary writes, never a term to find in it. `word` is lower-cased with a straight apostrophe."""
    if word in STOPWORDS or word.endswith("n't"):
        return True
    base, apostrophe, _ = word.partition("'")
    return bool(apostrophe) and base in STOPWORDS


def content_words(text: str) -> list[str]:
    """Words that carry meaning: no stopwords, no one-letter tokens, light stemming."""
    return [stem(w) for w in words(text) if not is_function_word(w) and len(w) > 1]


def stem(word: str) -> str:
    """Snowball stemming, so "prisoners"/"prisoner", "jointly"/"joint" and "elections"/"election" meet.

    British and American spellings are folded first ("-ise"/"-ize", "-isation"/"-ization").
    """
    word = word.replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    word = word.strip("'")
    if len(word) <= 3 or word[0].isdigit():
        return word
    word = re.sub(r"iz(e|es|ed|ing|ation|ations)$", r"is\1", word)
    return _stemmer()(word)


@lru_cache(maxsize=1)
def _stemmer():
    import snowballstemmer

    return lru_cache(maxsize=100_000)(snowballstemmer.stemmer("english").stemWord)
