"""Names of the speakers that take the floor in HRC interactive dialogues.

Data (assistant/data/gazetteer.json, read on first use; the tables below are module attributes):

* ``STATES: dict[str, tuple[str, ...]]`` -- canonical state name -> aliases.
  The 193 UN member states plus the two observer states (Holy See, State of
  Palestine); ``MEMBER_STATES`` / ``OBSERVER_STATES`` split them.  Canonical
  names are the common UN English short names with "(... of)" parentheticals
  removed ("Iran", "Venezuela", "Netherlands"), plus a few fixed choices
  ("United Kingdom", "United States", "Czech Republic", "Moldova", "Tanzania").
* ``STATE_ADJECTIVES: dict[str, tuple[str, ...]]`` -- canonical state ->
  unambiguous adjective / demonym forms ("French", "Dutch").
* ``GROUPS: dict[str, tuple[str, ...]]`` -- groups that states speak on behalf of.
* ``IGOS: dict[str, tuple[str, ...]]`` -- intergovernmental organisations.
  A name may be both a group and an IGO (European Union, OIC).
* ``NON_NAMES: tuple[str, ...]`` -- phrases that contain a name but do not
  refer to it ("Northern Ireland", "American Samoa", "Latin America"); they
  are matched so that the name inside them is not, and then dropped.

Matching (``find_names``) uses one compiled, prefix-factored (trie) regex per
(ignore_case, adjectives) combination, built on first use and cached.  The
regex always contains the names of every kind, and ``kinds`` filters the
results afterwards, so a longer name of an unwanted kind still hides the
shorter one inside it ("Commonwealth of Dominica" is never the Commonwealth).
At any position the longest alias wins; whole words only; ' and ’ are
interchangeable; whitespace inside a name may be any run of whitespace.
Acronyms (UK, US, DPRK, EU, NB8, LDCs) always match case-sensitively.
A possessive ("Russia's", "Honduras'") is left outside the match.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Iterable, Literal

Kind = Literal["state", "group", "igo"]
Form = Literal["name", "acronym", "adjective"]
KINDS: tuple[str, ...] = ("state", "group", "igo")

DATA_FILE = Path(__file__).resolve().parent / "data" / "gazetteer.json"
_PUBLIC_TABLES = ("STATES", "OBSERVER_STATES", "MEMBER_STATES", "STATE_ADJECTIVES", "GROUPS", "IGOS", "NON_NAMES")


@cache
def _data() -> dict:
    """The name tables of assistant/data/gazetteer.json, read on first use."""
    raw = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    states = {k: tuple(v) for k, v in raw["states"].items()}
    observers = tuple(raw["observer_states"])
    return {
        "STATES": states,
        "OBSERVER_STATES": observers,
        "MEMBER_STATES": tuple(s for s in states if s not in observers),
        "STATE_ADJECTIVES": {k: tuple(v) for k, v in raw["state_adjectives"]["names"].items()},
        "GROUPS": {k: tuple(v) for k, v in raw["groups"].items()},
        "IGOS": {k: tuple(v) for k, v in raw["igos"].items()},
        "NON_NAMES": tuple(raw["non_names"]["phrases"]),
    }


def __getattr__(name: str):
    """The public tables (STATES, STATE_ADJECTIVES, GROUPS, …) as module attributes, loaded lazily."""
    if name in _PUBLIC_TABLES:
        return _data()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class NameMatch:
    canonical: str
    kind: Kind
    form: Form  # acronym = all-caps alias (UK, DPRK, EU); adjective = from STATE_ADJECTIVES
    start: int  # span in the searched text
    end: int
    text: str  # the matched text as written


# --------------------------------------------------------------------------
# Lookup tables (built on first use)
# --------------------------------------------------------------------------

_KIND_RANK = {"state": 0, "igo": 1, "group": 2}
_FORM_RANK = {"name": 0, "acronym": 1, "adjective": 2}
_NON = "_non"  # kind of a NON_NAMES entry
_APOSTROPHES = "'’‘"
_ARTICLE_WORDS = frozenset(
    "Republic Kingdom States State Federation Emirates Islands See Union "
    "Principality Duchy Sultanate Confederation PDR".split()
)
_ARTICLE_NAMES = frozenset(
    "Gambia Sudan Niger Congo Netherlands Philippines Bahamas Comoros Maldives Seychelles Vatican".split()
    + ["Ivory Coast", "DR Congo"]
)


@dataclass(frozen=True)
class _Entry:
    canonical: str
    kind: str
    form: str
    article: bool  # a directly preceding "the" belongs to the match

    @property
    def rank(self) -> tuple[int, int]:
        return (_KIND_RANK.get(self.kind, -1), _FORM_RANK[self.form])


def _norm(s: str) -> str:
    """Apostrophes to ', whitespace runs to one space, trimmed."""
    for a in _APOSTROPHES[1:]:
        s = s.replace(a, "'")
    return " ".join(s.split())


def _is_acronym(alias: str) -> bool:
    if not alias or " " in alias or not alias[0].isupper():
        return False
    caps = sum(c.isupper() for c in alias)
    strong = caps + sum(c.isdigit() for c in alias)
    return strong >= 2 and caps > sum(c.islower() for c in alias)


def _takes_article(alias: str, kind: str, form: str) -> bool:
    if form == "adjective":
        return False
    alias = alias.split("(")[0].strip()  # "Netherlands (Kingdom of the)" -> "Netherlands"
    if kind in ("group", "igo") or form == "acronym":
        return True
    return alias in _ARTICLE_NAMES or any(w in _ARTICLE_WORDS for w in alias.split())


@cache
def _tables() -> tuple[dict[str, tuple[_Entry, ...]], dict[str, tuple[_Entry, ...]], dict[str, tuple[_Entry, ...]]]:
    """(exact, folded names, folded acronyms): normalised alias -> entries."""
    pairs: list[tuple[str, _Entry]] = []

    def add(alias: str, canonical: str, kind: str, adjective: bool = False) -> None:
        text = _norm(alias)
        article = False
        if text[:4].lower() == "the ":
            text, article = text[4:], True
        form = "adjective" if adjective else ("acronym" if _is_acronym(text) else "name")
        article = article or _takes_article(text, kind, form)
        pairs.append((text, _Entry(canonical, kind, form, article)))

    tables = _data()
    for kind, table in (("state", tables["STATES"]), ("igo", tables["IGOS"]), ("group", tables["GROUPS"])):
        for canonical, aliases in table.items():
            for alias in (canonical, *aliases):
                add(alias, canonical, kind)
    for canonical, adjectives in tables["STATE_ADJECTIVES"].items():
        for adj in adjectives:
            add(adj, canonical, "state", adjective=True)
    for phrase in tables["NON_NAMES"]:
        add(phrase, phrase, _NON)

    exact: dict[str, list[_Entry]] = {}
    folded: dict[str, list[_Entry]] = {}
    folded_acronyms: dict[str, list[_Entry]] = {}
    for text, entry in pairs:
        for table, key in (
            (exact, text),
            (folded_acronyms if entry.form == "acronym" else folded, text.lower()),
        ):
            bucket = table.setdefault(key, [])
            if entry not in bucket:
                bucket.append(entry)

    def freeze(d: dict[str, list[_Entry]]) -> dict[str, tuple[_Entry, ...]]:
        return {k: tuple(sorted(v, key=lambda e: e.rank)) for k, v in d.items()}

    return freeze(exact), freeze(folded), freeze(folded_acronyms)


def _trie_regex(keys: Iterable[str]) -> str:
    """A regex for any of `keys`, prefix-factored, longest alternative first.

    A space in a key matches any whitespace run; an apostrophe matches ' ’ ‘.
    """
    trie: dict = {}
    for key in keys:
        node = trie
        for ch in key:
            node = node.setdefault(ch, {})
        node[""] = {}

    def atom(ch: str) -> str:
        if ch == " ":
            return r"\s+"
        if ch == "'":
            return "['’‘]"
        return re.escape(ch)

    def emit(node: dict) -> str:
        alts = [atom(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if "" in node:  # a key ends here: try the longer continuations first
            return "(?:" + body + ")?"
        return body

    return emit(trie)


@cache
def _regex(ignore_case: bool, adjectives: bool) -> re.Pattern[str]:
    exact, _, _ = _tables()
    names: set[str] = set()
    acronyms: set[str] = set()
    for key, entries in exact.items():
        forms = {e.form for e in entries}
        if forms == {"adjective"} and not adjectives:
            continue
        if "acronym" in forms:
            acronyms.add(key)
        else:
            names.add(key.lower() if ignore_case else key)
    if ignore_case:
        article = "(?i:the)"
        body = f"(?:(?i:{_trie_regex(names)})|{_trie_regex(acronyms)})"
    else:
        article = "[Tt]he"
        body = _trie_regex(names | acronyms)
    return re.compile(
        rf"(?<!\w)(?:(?P<art>{article})\s+)?(?P<name>{body})(?!\w)"
        r"(?:[ \t]*\((?P<paren>[^()\n]{1,60})\))?"
    )


def _lookup(text: str, ignore_case: bool, adjectives: bool) -> tuple[_Entry, ...]:
    exact, folded, _ = _tables()
    key = _norm(text)
    found = list(exact.get(key, ()))
    if ignore_case:
        found += [e for e in folded.get(key.lower(), ()) if e not in found]
    if not adjectives:
        found = [e for e in found if e.form != "adjective"]
    return tuple(sorted(found, key=lambda e: e.rank))


def _check_kinds(kinds: Iterable[str] | str) -> frozenset[str]:
    wanted = frozenset((kinds,) if isinstance(kinds, str) else kinds)
    unknown = wanted - set(KINDS)
    if unknown:
        raise ValueError(f"unknown kinds {sorted(unknown)}; expected some of {KINDS}")
    return wanted


def _resolve(
    m: re.Match[str], text: str, kinds: frozenset[str], ignore_case: bool, adjectives: bool
) -> tuple[NameMatch | None, int]:
    """The NameMatch for regex match `m` (or None) and where to search next."""
    name_end = m.end("name")
    entries = _lookup(m.group("name"), ignore_case, adjectives)
    if not entries or entries[0].kind == _NON:
        return None, name_end
    allowed = [e for e in entries if e.kind in kinds]
    if not allowed:
        return None, name_end
    best = allowed[0]
    start = m.start("art") if m.group("art") is not None and best.article else m.start("name")
    end = name_end
    paren = m.group("paren")
    if paren is not None and any(
        e.canonical == best.canonical for e in _lookup(paren, ignore_case, adjectives)
    ):
        end = m.end()
    return (
        NameMatch(best.canonical, best.kind, best.form, start, end, text[start:end]),  # type: ignore[arg-type]
        end,
    )


# --------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------


def find_names(
    text: str,
    kinds: Iterable[str] | str = KINDS,
    *,
    ignore_case: bool = False,
    adjectives: bool = False,
) -> list[NameMatch]:
    """Every non-overlapping name of the given kinds in `text`, sorted by start.

    Longest name wins ("Democratic Republic of the Congo" over "Congo"); whole
    words only; a leading "the" is included for names that take the article;
    a trailing "(ACRONYM)" of the same speaker is part of the match.  With
    ignore_case, names match in any case but acronyms still only as written
    ("us" is never the United States).  With adjectives, demonyms
    ("French") match too, as form "adjective".
    """
    wanted = _check_kinds(kinds)
    rx = _regex(bool(ignore_case), bool(adjectives))
    found: list[NameMatch] = []
    pos = 0
    while (m := rx.search(text, pos)) is not None:
        match, pos = _resolve(m, text, wanted, ignore_case, adjectives)
        if match is not None:
            found.append(match)
    return found


def match_at_start(
    text: str,
    kinds: Iterable[str] | str = KINDS,
    *,
    ignore_case: bool = False,
    adjectives: bool = False,
) -> NameMatch | None:
    """The name that begins `text` (after leading whitespace and an optional "The "), or None."""
    wanted = _check_kinds(kinds)
    rx = _regex(bool(ignore_case), bool(adjectives))
    m = rx.match(text, len(text) - len(text.lstrip()))
    if m is None:
        return None
    match, _ = _resolve(m, text, wanted, ignore_case, adjectives)
    return match


def canonical_name(name: str) -> tuple[str, str] | None:
    """(canonical, kind) for a whole name, alias or adjective, or None.

    Case-insensitive (an exact-case hit is preferred), apostrophes normalised;
    a leading "the", a trailing parenthetical such as "(UK)" and a possessive
    ("Russia's", "Honduras'") are ignored.  When a name has several kinds the
    precedence is state > igo > group.
    """
    exact, folded, folded_acronyms = _tables()
    key = _norm(name)
    candidates = [key]
    if key[:4].lower() == "the ":
        candidates.append(key[4:].lstrip())
    for c in list(candidates):
        if c.endswith(")") and "(" in c:
            candidates.append(c[: c.rfind("(")].rstrip())
    for c in list(candidates):
        if c.endswith("'s"):
            candidates.append(c[:-2])
        elif c.endswith("'"):
            candidates.append(c[:-1])
    for table, fold in ((exact, False), (folded, True), (folded_acronyms, True)):
        for c in candidates:
            entries = [e for e in table.get(c.lower() if fold else c, ()) if e.kind != _NON]
            if entries:
                return entries[0].canonical, entries[0].kind
    return None


def all_aliases(canonical: str) -> tuple[str, ...]:
    """The canonical name, its aliases and its adjectives, without duplicates.

    Accepts any alias too (it is resolved with `canonical_name`); () when unknown.
    """
    names: list[str] = []
    tables = _data()
    for table in (tables["STATES"], tables["IGOS"], tables["GROUPS"]):
        if canonical in table:
            names += [canonical, *table[canonical]]
    if not names:
        resolved = canonical_name(canonical)
        return all_aliases(resolved[0]) if resolved else ()
    names += tables["STATE_ADJECTIVES"].get(canonical, ())
    return tuple(dict.fromkeys(names))
