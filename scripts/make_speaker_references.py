"""Writes assistant/data/speaker_references.json: the capitals and demonyms of states, by ISO3 code.

Run by hand when the source data changes (`pip install countryinfo` first; it is not a
dependency of the project): `python scripts/make_speaker_references.py`. The titles of heads
of state and government are kept in the file as they are.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "assistant" / "data" / "speaker_references.json"

WHY = (
    "General: the ways news and model text name a state without its name - its capital ('Paris said'), "
    "its demonym ('the French delegation'), a head of state or government by title ('the French President'); "
    "and the English verbs and nouns that present someone as the one speaking ('said', 'the delegation', 'in X's words'). "
    "Capitals and demonyms are generated from the countryinfo package by scripts/make_speaker_references.py; "
    "titles and the speaking vocabulary are written by hand. No person and nothing of one dialogue is listed."
)

TITLES = [
    "President", "Vice-President", "Vice President", "Prime Minister", "Deputy Prime Minister", "Premier", "Chancellor",
    "Foreign Minister", "Minister of Foreign Affairs", "Minister for Foreign Affairs", "Minister of Justice", "Minister",
    "Secretary of State", "King", "Queen", "Emperor", "Emir", "Amir", "Sultan", "Crown Prince", "Prince", "Grand Duke",
    "Supreme Leader", "Head of State", "Head of Government", "Ambassador", "Permanent Representative",
]

# How English presents someone as the one speaking (a trailing * matches any ending: "condemn*").
REPORTING_VERBS = [
    "said", "says", "stated", "states", "declar*", "noted", "notes", "express*", "condemn*", "call*", "urg*", "welcom*",
    "stress*", "emphasis*", "emphasiz*", "underlin*", "highlight*", "reiterat*", "recall*", "argu*", "claim*", "insist*",
    "maintain*", "assert*", "reject*", "support*", "oppos*", "denounc*", "deplor*", "regret*", "affirm*", "reaffirm*",
    "acknowledg*", "believ*", "consider*", "took note", "takes note", "take note", "rais*", "mention*", "thank*", "commend*",
    "prais*", "criticis*", "criticiz*", "voic*", "point*", "observ*", "warn*", "demand*", "appeal*", "ask*", "add*",
    "explain*", "remark*", "told", "describ*", "accus*", "object*", "recognis*", "recogniz*", "agree*", "disagree*",
    "spoke", "speak*", "applaud*", "hail*", "deni*", "deny*", "refut*", "dismiss*", "want*", "wish*", "hope*", "feel*",
    "felt", "think*", "thought", "view*",
]
# Nouns after a name or demonym that make it the speaker: "the French delegation", "France's President".
ROLE_NOUNS = [
    "delegation", "representative", "statement", "ambassador", "envoy", "mission", "government", "authorities", "officials",
    "leadership", "leader", "speaker", "side", "president", "vice-president", "vice president", "prime minister",
    "deputy prime minister", "foreign minister", "minister", "chancellor", "premier", "king", "queen", "head of state",
    "foreign ministry",
]
# Phrases before a name that make it the speaker: "according to Minsk", "in the words of France".
SPEAKING_BEFORE = [
    "according to", "in the view of", "in the words of", "in the opinion of", "as stated by", "as noted by", "as said by",
    "per", "the delegation of", "the delegation from", "the representative of", "the representative from",
    "the statement of", "the statement from", "the ambassador of", "the government of", "the minister of",
    "the speaker of", "the speaker from",
]
# Words that only frame who is speaking: a sentence needs no support from its source for them.
FRAMING_WORDS = [
    "said", "stated", "stating", "noted", "noting", "added", "mentioned", "highlighted", "highlighting", "stressed",
    "stressing", "emphasised", "emphasized", "emphasising", "emphasizing", "underlined", "reiterated", "pointed", "out",
    "argued", "explained", "remarked", "observed", "according", "delegation", "representative", "speaker", "statement",
    "country", "state", "government", "also", "further",
]
# Nouns after a possessive that give someone's voice: "in France's words", "Moscow's view is that".
VOICE_NOUNS = ["words", "view", "opinion", "position", "assessment", "account", "eyes", "understanding", "judgement",
               "judgment", "reading"]


def variants(capital: str) -> list[str]:
    """The capital as written, and without a trailing qualifier ("Washington, D.C." -> "Washington")."""
    forms = [capital.strip()]
    short = re.split(r",|\s+D\.C\.|\s+\(", capital)[0].strip()
    if short and short not in forms:
        forms.append(short)
    return [f for f in forms if len(f) > 2]


def demonyms(text: str) -> list[str]:
    return [d.strip() for d in re.split(r",|/|\bor\b|\band\b", text or "") if len(d.strip()) > 2]


def main() -> None:
    from countryinfo import CountryInfo

    states: dict[str, dict[str, list[str]]] = {}
    for info in CountryInfo.all().values():
        code = (info.get("ISO") or {}).get("alpha3")
        if not code:
            continue
        entry = states.setdefault(code, {"capitals": [], "demonyms": []})
        capitals = info.get("capital") or []
        for capital in (f for c in ([capitals] if isinstance(capitals, str) else capitals) for f in variants(c)):
            if capital not in entry["capitals"]:
                entry["capitals"].append(capital)
        for demonym in demonyms(info.get("demonym") or ""):
            if demonym not in entry["demonyms"]:
                entry["demonyms"].append(demonym)
    data = {"_why": WHY, "titles": TITLES, "reporting_verbs": REPORTING_VERBS, "role_nouns": ROLE_NOUNS,
            "voice_nouns": VOICE_NOUNS, "speaking_before": SPEAKING_BEFORE, "framing_words": FRAMING_WORDS, "states": dict(sorted(states.items()))}
    OUT.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT}: {len(states)} states")


if __name__ == "__main__":
    main()
