"""Topic concepts: a question's topic as groups of interchangeable phrases, matched per sentence.

A concept is a tuple of variants, each variant a tuple of stemmed words; a sentence
matches a concept when any variant's words all occur in it. The thesaurus holds the
vocabulary of HRC dialogues (UCMs = sanctions, ICC = International Criminal Court …);
acronyms defined in a document ("Special Rapporteur (SR)") are added per document.
"""

from __future__ import annotations

from functools import cache

from assistant.text import content_words

Concept = tuple[tuple[str, ...], ...]

THESAURUS: tuple[tuple[str, ...], ...] = (
    ("death penalty", "capital punishment", "executions", "execution", "punishable with death", "death sentence", "death row"),
    ("sanctions", "unilateral coercive measures", "UCMs", "UCM", "coercive measures", "restrictive measures"),
    ("International Criminal Court", "ICC"),
    ("children", "child", "minors"),
    ("deportation", "deported", "deport", "forcibly transferred", "transfer"),
    ("surveillance", "monitoring", "spying"),
    ("digital", "online", "internet", "cyber"),
    ("elections", "election", "electoral", "polls", "vote", "voted", "ballot"),
    ("torture", "ill-treatment", "ill treatment", "cruel, inhuman", "degrading treatment"),
    ("journalists", "journalist", "media workers", "media", "press", "reporters"),
    ("civil society", "CSOs", "civil society organisations", "NGOs", "non-governmental organisations", "civic space"),
    ("human rights defenders", "HRDs", "activists", "defenders"),
    ("lawyers", "lawyer", "legal profession", "bar association", "advocates", "disbarment"),
    ("trade unions", "trade union", "unions", "workers", "union"),
    ("migrants", "refugees", "asylum", "instrumentalisation", "instrumentalization"),
    ("LGBTQI", "LGBTQI+", "LGBT", "LGBTI", "sexual orientation"),
    ("mandate extension", "extension of the mandate", "extension of its mandate", "renewal", "renew", "extend", "extension"),
    ("sovereignty", "sovereign", "internal affairs", "interference", "non-interference"),
    ("politicisation", "politicization", "politicised", "politicized", "selectivity", "selective", "double standards", "politically motivated"),
    ("cooperation", "cooperate", "engage", "engagement", "cooperated"),
    ("exile", "abroad", "diaspora", "fled"),
    ("citizenship", "nationality", "stateless"),
    ("universal jurisdiction", "extraterritorial jurisdiction"),
    ("accountability", "accountable", "impunity"),
    ("war", "aggression", "invasion"),
    ("release", "released", "releases", "pardon", "pardoned", "freed"),
    ("political prisoners", "political prisoner", "prisoners of conscience", "politically motivated charges",
     "arbitrarily detained", "unlawfully detained", "unjustly detained", "unfairly convicted", "detained", "imprisoned",
     "behind bars", "detainees"),
    ("women", "gender", "girls"),
    ("crimes against humanity", "crime against humanity"),
    ("religion", "religious", "faith", "church"),
    ("Universal Periodic Review", "UPR"),
    ("treaty bodies", "treaty body", "CERD", "CRPD", "CEDAW", "CAT", "CCPR", "CRC", "committees"),
    ("mandates", "mandate", "mechanisms", "mechanism", "country-specific mechanisms", "resolution"),
    ("imposed", "imposition", "impose", "imposing", "non-consensual", "without consent", "without the consent"),
    ("consent", "non-consensual", "consensual"),
    ("development index", "Human Development Index", "Gender Inequality Index", "Social Progress Index", "ranks", "ranked"),
    ("enforced disappearance", "enforced disappearances", "incommunicado", "disappeared"),
)


def variant(phrase: str) -> tuple[str, ...]:
    return tuple(content_words(phrase)) or tuple(phrase.lower().split())


@cache
def _thesaurus_index() -> dict[tuple[str, ...], Concept]:
    index: dict[tuple[str, ...], Concept] = {}
    for group in THESAURUS:
        concept = tuple(dict.fromkeys(variant(p) for p in group))
        for v in concept:
            index.setdefault(v, concept)
    return index


def concepts_for(topic: str, extra: dict[tuple[str, ...], Concept] | None = None) -> list[Concept]:
    """Cover the topic's words with concepts, longest thesaurus phrase first; other words stand alone."""
    words = content_words(topic)
    index = dict(_thesaurus_index())
    for key, value in (extra or {}).items():
        index[key] = tuple(dict.fromkeys(index.get(key, ()) + value))
    concepts: list[Concept] = []
    i = 0
    while i < len(words):
        for length in range(min(5, len(words) - i), 0, -1):
            key = tuple(words[i:i + length])
            if key in index:
                concepts.append(index[key])
                i += length
                break
        else:
            concepts.append(((words[i],),))
            i += 1
    return list(dict.fromkeys(concepts))


def matches(concept: Concept, sentence_words: frozenset[str]) -> bool:
    return any(all(w in sentence_words for w in v) for v in concept)


def coverage(concepts: list[Concept], sentence_words: frozenset[str]) -> float:
    if not concepts:
        return 0.0
    return sum(matches(c, sentence_words) for c in concepts) / len(concepts)
