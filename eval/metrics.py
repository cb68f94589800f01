"""Scoring of one answer against one gold item, and the aggregates over a run.

Pure functions over plain values (names, strings, statement ids): no index, no model,
no I/O, so each metric can be unit-tested against hand-computed examples.

Per question:
* speaker-level citation precision / recall / F1 (`speaker_scores`)
* citation coverage of the answer's sentences (`citation_coverage`)
* verbatim quotes and misattributions (`QuoteChecker`)
* abstention and must-contain checks (`must_contain_missing`)
* claims of absence ("nobody said that", `absence_claim`) and the support of quotes (`support_hits`)
* retrieval recall@k and reciprocal rank over statement ids (`retrieval_scores`)
Aggregates: macro means of the per-question values and micro (pooled) ratios
(`micro_ratio`, `mean`), latency percentiles (`percentile`).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from assistant.text import normalise_for_match, sentence_spans

# ---------------------------------------------------------------- speaker names

_APOSTROPHES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "`": "'", "´": "'", "“": '"', "”": '"', "„": '"', "‟": '"'})


def display_name(name: str) -> str:
    """The canonical form of a speaker name for people: aliases resolved ("Russia" -> "Russian Federation")."""
    cleaned = " ".join(str(name).translate(_APOSTROPHES).split())
    if not cleaned:
        return ""
    try:
        from assistant.gazetteer import canonical_name

        resolved = canonical_name(cleaned)
    except Exception:  # noqa: BLE001 - the gazetteer is a convenience, never a reason to fail scoring
        resolved = None
    return resolved[0] if resolved else cleaned


def name_key(name: str) -> str:
    """The comparison key of a speaker name: alias-resolved, case-folded, quotes straightened, single spaces."""
    return normalise_for_match(display_name(name))


def invalid_citation_name(statement_id: str) -> str:
    """The pseudo-speaker of a citation whose statement does not exist: never acceptable."""
    return f"<no such statement {statement_id}>"


def mislabelled_name(claimed: str, actual: str) -> str:
    """The pseudo-speaker of a citation whose speaker label is not the statement's speaker."""
    return f"<{claimed} (statement is by {actual})>"


def is_pseudo(name: str) -> bool:
    return name.startswith("<") and name.endswith(">")


# ---------------------------------------------------------------- speaker precision / recall


@dataclass(frozen=True)
class SpeakerScore:
    """Speaker-level attribution of one answer.

    precision = cited_ok / cited; recall = required_hit / required, where `required` counts
    each must_cite speaker and each any_of group once. Both empty -> 1; nothing cited but
    something required -> 0 for precision, recall and F1.
    """

    precision: float
    recall: float
    f1: float
    cited: tuple[str, ...]  # distinct cited speakers (display names), first-cited order
    required: tuple[str, ...]  # must_cite + the any_of member that satisfied each group (or the group)
    missing: tuple[str, ...]  # must_cite speakers not cited, and unsatisfied groups as "A | B | C"
    extra: tuple[str, ...]  # cited speakers outside the acceptable set
    n_cited: int
    n_cited_ok: int
    n_required: int
    n_required_hit: int


def _distinct(names: Iterable[str]) -> list[tuple[str, str]]:
    """(key, display) pairs, deduplicated by key, order kept."""
    seen: dict[str, str] = {}
    for name in names:
        if name is None:
            continue
        if is_pseudo(name):
            key, shown = name, name
        else:
            shown = display_name(name)
            key = normalise_for_match(shown)
        if key and key not in seen:
            seen[key] = shown
    return list(seen.items())


def speaker_scores(
    cited: Iterable[str],
    must_cite: Iterable[str] = (),
    may_cite: Iterable[str] = (),
    any_of: Iterable[Iterable[str]] = (),
) -> SpeakerScore:
    """Score the set of cited speakers against the gold fields.

    `cited` may repeat a speaker (counted once) and may hold pseudo-names from
    `invalid_citation_name` / `mislabelled_name` (always wrong).
    """
    cited_pairs = _distinct(cited)
    cited_keys = {k for k, _ in cited_pairs}
    must = _distinct(must_cite)
    must_keys = {k for k, _ in must}
    groups = [g for g in (_distinct(group) for group in any_of) if g]
    acceptable = must_keys | {k for k, _ in _distinct(may_cite)} | {k for g in groups for k, _ in g}

    required: list[str] = [shown for _, shown in must]
    missing: list[str] = [shown for k, shown in must if k not in cited_keys]
    hit = sum(1 for k, _ in must if k in cited_keys)
    for group in groups:
        satisfied = next((shown for k, shown in group if k in cited_keys), None)
        if satisfied is not None:
            hit += 1
            required.append(satisfied)
        else:
            label = " | ".join(shown for _, shown in group)
            required.append(label)
            missing.append(label)
    n_required = len(must) + len(groups)
    n_cited_ok = sum(1 for k, _ in cited_pairs if k in acceptable)
    extra = tuple(shown for k, shown in cited_pairs if k not in acceptable)

    if not cited_pairs and n_required == 0:
        precision = recall = f1 = 1.0
    elif not cited_pairs:
        precision = recall = f1 = 0.0
    else:
        precision = n_cited_ok / len(cited_pairs)
        recall = hit / n_required if n_required else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return SpeakerScore(
        precision=precision,
        recall=recall,
        f1=f1,
        cited=tuple(shown for _, shown in cited_pairs),
        required=tuple(required),
        missing=tuple(missing),
        extra=extra,
        n_cited=len(cited_pairs),
        n_cited_ok=n_cited_ok,
        n_required=n_required,
        n_required_hit=hit,
    )


# ---------------------------------------------------------------- citation coverage

_MARKER = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")
_LIST_PREFIX = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_HEADING = re.compile(r"^\s*#{1,6}\s")
_LEADING_MARKERS = re.compile(r"^(?:\s*\[\d+(?:\s*[,;]\s*\d+)*\])+[\s.,;]*")


@dataclass(frozen=True)
class CoverageScore:
    """Share of the answer's sentences that carry at least one valid [n] marker (None: no sentences)."""

    value: float | None
    sentences: int
    cited_sentences: int
    uncited: tuple[str, ...] = ()


def markers(text: str) -> list[int]:
    """Every citation number in `text`: "[1]", "[2, 3]" and "[2][3]" forms."""
    found: list[int] = []
    for match in _MARKER.finditer(text):
        found += [int(n) for n in re.split(r"\s*[,;]\s*", match.group(1))]
    return found


def answer_sentences(text: str) -> list[str]:
    """The sentences of an answer that make claims.

    Lines are split into sentences with `assistant.text.sentence_spans`; a segment made only
    of markers ("[2]" after the full stop) joins the sentence before it. Headings, list
    intros and labels ending with ':' are not claims and are left out.
    """
    result: list[str] = []
    for line in text.split("\n"):
        line = _LIST_PREFIX.sub("", line).strip()
        if not line or _HEADING.match(line):
            continue
        first = True
        for start, end in sentence_spans(line):
            sentence = line[start:end].strip()
            # Markers that open a segment close the sentence before it ("… place.” [1] “France …").
            leading = _LEADING_MARKERS.match(sentence)
            if leading and result and not first:
                result[-1] = f"{result[-1]} {leading.group(0).strip()}"
                sentence = sentence[leading.end():].strip()
            first = False
            if not sentence or not _MARKER.sub("", sentence).strip(" .,;"):
                continue
            result.append(sentence)
    return [s for s in result if not _MARKER.sub("", s).rstrip().endswith(":")]


def citation_coverage(text: str, valid_numbers: Iterable[int]) -> CoverageScore:
    valid = set(valid_numbers)
    sentences = answer_sentences(text)
    if not sentences:
        return CoverageScore(None, 0, 0)
    uncited = tuple(s for s in sentences if not any(n in valid for n in markers(s)))
    covered = len(sentences) - len(uncited)
    return CoverageScore(covered / len(sentences), len(sentences), covered, uncited)


# ---------------------------------------------------------------- quotes


@dataclass(frozen=True)
class QuoteCheck:
    """One citation's quote checked against the index.

    verbatim: the quote (normalised) is a substring of the cited statement's text (normalised).
    exact_span: additionally statement.text[char_start:char_end] == quote, byte for byte.
    misattributed_to: when not verbatim, the speaker of another statement that does contain it.
    """

    verbatim: bool
    exact_span: bool
    statement_exists: bool
    misattributed_to: str | None = None


class QuoteChecker:
    """Checks quotes against a fixed set of statements, normalising each statement once."""

    def __init__(self, statements: Iterable[tuple[str, str, str]]):
        """`statements`: (statement_id, speaker, text) triples."""
        self._raw: dict[str, tuple[str, str]] = {}
        self._norm: dict[str, str] = {}
        for statement_id, speaker, text in statements:
            self._raw[statement_id] = (speaker, text)
            self._norm[statement_id] = normalise_for_match(text)

    def __contains__(self, statement_id: str) -> bool:
        return statement_id in self._raw

    def speaker(self, statement_id: str) -> str | None:
        found = self._raw.get(statement_id)
        return found[0] if found else None

    def check(
        self,
        statement_id: str,
        quote: str,
        char_start: int | None = None,
        char_end: int | None = None,
        speaker: str | None = None,
    ) -> QuoteCheck:
        """Check one quote; `speaker` (the citation's label) stands in when the statement does not exist."""
        needle = normalise_for_match(quote or "")
        exists = statement_id in self._raw
        if exists and needle and needle in self._norm[statement_id]:
            text = self._raw[statement_id][1]
            exact = char_start is not None and char_end is not None and text[char_start:char_end] == quote
            return QuoteCheck(True, exact, True)
        cited_speaker = name_key(self._raw[statement_id][0]) if exists else (name_key(speaker) if speaker else None)
        other = None
        if needle:
            for other_id, normalised in self._norm.items():
                if other_id == statement_id or needle not in normalised:
                    continue
                speaker = self._raw[other_id][0]
                if name_key(speaker) != cited_speaker:
                    other = speaker
                    break
        return QuoteCheck(False, False, exists, other)


# ---------------------------------------------------------------- answer text


def must_contain_missing(text: str, required: Iterable[str]) -> list[str]:
    """The must_contain strings absent from `text` (case-insensitive, quotes and spaces normalised)."""
    haystack = normalise_for_match(text or "")
    return [s for s in required if normalise_for_match(s) not in haystack]


# ---------------------------------------------------------------- absence and support

ABSENCE_PHRASES = Path(__file__).resolve().parent / "data" / "absence_phrases.json"


@lru_cache(maxsize=4)
def _phrases(path: Path = ABSENCE_PHRASES) -> tuple[re.Pattern, re.Pattern]:
    data = json.loads(path.read_text(encoding="utf-8"))

    def alternation(words: list[str]) -> re.Pattern:
        return re.compile(r"\b(?:" + "|".join(re.escape(normalise_for_match(w)) for w in words) + r")\b")

    return alternation(data["absence"]), alternation(data["hedge"])


def _headline(text: str) -> str:
    """The first sentence of the first non-empty line: what a reader takes the answer to say."""
    for line in (text or "").split("\n"):
        line = _LIST_PREFIX.sub("", line).strip()
        if not line:
            continue
        spans = sentence_spans(line)
        return line[spans[0][0]:spans[0][1]] if spans else line
    return ""


@dataclass(frozen=True)
class AbsenceClaim:
    """Whether an answer tells the reader that nothing was said.

    claimed: the answer abstained, or its headline (its whole text, when it cites nothing) says
    "no statement / nobody / did not take the floor …" without hedging ("clearly", "closest
    passages"). hedged: it says so, but hedged, i.e. the honest "nothing clearly addresses …".
    """

    claimed: bool
    hedged: bool = False
    phrase: str | None = None


def absence_claim(text: str, abstained: bool, cited: int) -> AbsenceClaim:
    absence, hedge = _phrases()
    scope = normalise_for_match(text if not cited else _headline(text))
    found = absence.search(scope)
    if abstained:
        return AbsenceClaim(True, False, found.group(0) if found else None)
    if not found:
        return AbsenceClaim(False)
    if hedge.search(scope):
        return AbsenceClaim(False, True, found.group(0))
    return AbsenceClaim(True, False, found.group(0))


@dataclass(frozen=True)
class SupportScore:
    """Citations whose quote contains a gold support string of their own speaker.

    eligible: citations whose speaker carries support strings in the gold item; hits: those
    among them whose quote contains one (case, spaces and quote marks normalised).
    """

    eligible: int
    hits: int


def support_hits(citations: Iterable[tuple[str, str]], support: Mapping[str, Iterable[str]]) -> SupportScore:
    """`citations`: (speaker, quote) pairs; `support`: gold speaker -> verbatim fragments."""
    wanted = {name_key(name): [normalise_for_match(f) for f in fragments] for name, fragments in support.items()}
    eligible = hits = 0
    for speaker, quote in citations:
        fragments = wanted.get(name_key(speaker))
        if not fragments:
            continue
        eligible += 1
        haystack = normalise_for_match(quote or "")
        hits += any(f and f in haystack for f in fragments)
    return SupportScore(eligible, hits)


# ---------------------------------------------------------------- retrieval


@dataclass(frozen=True)
class RetrievalScore:
    """recall@k: share of relevant units with a statement in the top k; rr: 1/rank of the first relevant one."""

    recall: Mapping[int, float]
    rr: float
    units: int
    first_relevant_rank: int | None = None
    hits: Mapping[int, int] = field(default_factory=dict)


def relevant_units(
    must_cite: Iterable[str],
    any_of: Iterable[Iterable[str]],
    statements_by_speaker: Mapping[str, Sequence[str]],
) -> list[frozenset[str]]:
    """The gold relevant statements, grouped into units that a ranking must reach.

    One unit per must_cite speaker (all its statements), one per any_of group (all the
    statements of all its members). `statements_by_speaker` maps `name_key(speaker)` to
    statement ids in the scoped document; a speaker who did not speak gives an empty unit.
    """
    units = [frozenset(statements_by_speaker.get(key, ())) for key, _ in _distinct(must_cite)]
    for group in any_of:
        ids: set[str] = set()
        for name in group:
            ids.update(statements_by_speaker.get(name_key(name), ()))
        units.append(frozenset(ids))
    return units


def retrieval_scores(ranking: Sequence[str], units: Sequence[frozenset[str]], ks: Sequence[int] = (5, 10)) -> RetrievalScore | None:
    """Recall@k and reciprocal rank of a ranked list of statement ids; None when nothing is relevant."""
    if not units:
        return None
    ranking = list(dict.fromkeys(ranking))  # a statement ranked twice counts at its best rank
    relevant = frozenset().union(*units)
    recall: dict[int, float] = {}
    hits: dict[int, int] = {}
    for k in ks:
        top = set(ranking[:k])
        hits[k] = sum(1 for unit in units if unit & top)
        recall[k] = hits[k] / len(units)
    first = next((i + 1 for i, sid in enumerate(ranking) if sid in relevant), None)
    return RetrievalScore(recall=recall, rr=1.0 / first if first else 0.0, units=len(units), first_relevant_rank=first, hits=hits)


# ---------------------------------------------------------------- aggregates


def mean(values: Iterable[float | None]) -> float | None:
    """Macro mean of the defined values; None when there are none."""
    kept = [float(v) for v in values if v is not None]
    return sum(kept) / len(kept) if kept else None


def micro_ratio(numerators: Iterable[float], denominators: Iterable[float]) -> float | None:
    """Pooled ratio sum(num) / sum(den); None when the pooled denominator is 0."""
    num = sum(numerators)
    den = sum(denominators)
    return num / den if den else None


def f1(precision: float | None, recall: float | None) -> float | None:
    if precision is None or recall is None:
        return None
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def percentile(values: Iterable[float], p: float) -> float | None:
    """The p-th percentile (0-100) with linear interpolation between closest ranks; None for no values."""
    data = sorted(float(v) for v in values if v is not None and not math.isnan(v))
    if not data:
        return None
    if len(data) == 1:
        return data[0]
    position = (len(data) - 1) * p / 100.0
    lower = math.floor(position)
    upper = math.ceil(position)
    return data[lower] + (data[upper] - data[lower]) * (position - lower)
