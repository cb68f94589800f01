"""Filters on who spoke (`speakers`, `speaker_types`) are never silently widened.

* A filter that names a speaker absent from every document in scope is an error that names it
  (a typo must not turn into "every speaker").
* A question that names speakers the filters exclude gets an empty answer that says why,
  instead of quoting the excluded speaker anyway.
"""

from __future__ import annotations

from assistant.errors import FilterError
from assistant.models import SPEAKER_TYPE_LABELS, Answer


def _folded(name: str) -> str:
    return " ".join(name.casefold().split())


def canonical_speakers(speakers: list[str] | None, corpora) -> list[str] | None:
    """The filter's speakers as the documents spell them; FilterError naming any that did not speak."""
    if not speakers:
        return None
    known: dict[str, str] = {}
    for corpus in corpora:
        for statement in corpus.data.statements:
            known.setdefault(_folded(statement.speaker), statement.speaker)
    unknown = [name for name in speakers if _folded(name) not in known]
    if unknown:
        names = ", ".join(repr(name[:100]) for name in unknown[:5])
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        raise FilterError(
            f"Unknown speaker {names}{more} in the speakers filter: no statement by "
            f"{'it' if len(unknown) == 1 else 'them'} in the documents asked about; see the speakers list."
        )
    return list(dict.fromkeys(known[_folded(name)] for name in speakers))


def excluded_by_filters(question: str, named: tuple[str, ...], corpora, speaker_types=None, speakers=None) -> Answer | None:
    """An empty, explained Answer when every speaker the question names is outside the filters; else None."""
    if not named or not (speaker_types or speakers):
        return None
    types_of: dict[str, set[str]] = {}
    for corpus in corpora:
        for statement in corpus.data.statements:
            types_of.setdefault(statement.speaker, set()).add(statement.speaker_type)
    reasons = []
    for name in named:
        types = types_of.get(name, set())
        if speakers and name not in speakers:
            reasons.append(f"{name} is not among the speakers of the filter ({', '.join(speakers[:10])})")
        elif speaker_types and types and not types & set(speaker_types):
            labels = " or ".join(SPEAKER_TYPE_LABELS.get(t, t) for t in sorted(types))
            allowed = ", ".join(SPEAKER_TYPE_LABELS.get(t, t) for t in speaker_types)
            reasons.append(f"{name} spoke as {labels}, and the filter keeps only {allowed} statements")
        else:
            return None  # at least one named speaker passes the filters: answer normally
    text = "No statement matches both the question and the filters: " + "; ".join(reasons) + ". Remove the filter to see what they said."
    return Answer(question=question, answer=text, abstained=True, notices=(text,))
