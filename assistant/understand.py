"""Question understanding: what is asked, about whom, in which scope, on which topic.

A `Query` is resolved against the speakers of the documents in scope and against the
conversation so far ("And China?" keeps the topic; "What did they say…?" keeps the
speakers), so the engine stays stateless: history comes in with every call.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace

from assistant import gazetteer
from assistant.models import Message
from assistant.text import sentence_spans

Intent = str  # "fact" | "speaker" | "compare" | "list" | "overview"

_TOPIC_MARKER = re.compile(
    r"\b(?:say|said|says|saying|stated|speak|spoke|talk|talked|think|thinks|feel|comment(?:ed)?|mention(?:ed|s)?|"
    r"raise[sd]?|call(?:ed|s)? for|call(?:ed|s)? on|urge[sd]?|refer(?:red|s)? to|address(?:ed|es)?|discuss(?:ed)?|"
    r"condemn(?:ed|s)?|criticis(?:ed|e)|criticiz(?:ed|e)|welcom(?:ed|es)?|support(?:ed|s)?|reject(?:ed|s)?|"
    r"express(?:ed)? concern|highlight(?:ed|s)?|note[sd]?|demand(?:ed|s)?)\b(?:\s+(?:about|on|regarding|concerning|of|that|to))?"
    r"|\b(?:about|regarding|concerning|on the (?:issue|question|topic|subject) of|position on|view on|views on|stance on)\b",
    re.I,
)
_LIST = re.compile(
    r"^\s*(?:which|what|who|list|name|how many)\b(?:\s+(?:other\s+)?(?:countries|country|states?|delegations?|governments?|speakers?|ngos?|"
    r"organi[sz]ations?|civil society|experts?|members?|participants?|groups?|intergovernmental|igos?|non-governmental))?|"
    r"\bdid any(?:one|body)?\b|\bwho (?:else|also)\b|\bany (?:country|state|delegation|ngo|organi[sz]ation)s?\b",
    re.I,
)
_WHO = re.compile(r"^\s*(?:who|which|list|name)\b|\bdid any(?:one|body)?\b|\bany (?:country|state|delegation|ngo|organi[sz]ation|speaker)s?\b|^\s*how many (?:countries|states|delegations|ngos|organi[sz]ations|speakers)\b.*\b(?:mention|raise|call|condemn|support|reject|refer|express|urge|say|talk)", re.I)
_OVERVIEW = re.compile(
    r"\b(?:main|key|principal|major|overall)\s+(?:criticisms?|arguments?|points?|themes?|concerns?|positions?|issues?|messages?|objections?|takeaways?)\b"
    r"|\bsummar(?:y|ise|ize)\b|\boverview\b|\bhow (?:was|were) .* (?:divided|split)\b|\bcriticisms? of\b|\bcritics?\b|\bsupporters?\b|\bwho (?:criticised|criticized|opposed|supported|defended|backed)\b",
    re.I,
)
_FACT = re.compile(
    r"\bhow many\b.*\b(?:took part|participat|took the floor|spoke|speakers|attended|were there|in total|delegations|dignitar)"
    r"|\b(?:what|which) (?:is the |was the )?(?:date|day|session|title)\b|\bwhen (?:was|did|is)\b|\bwhat is (?:this|the) (?:document|dialogue)\b"
    r"|\bdignitar|\bhigh[- ]level (?:speakers?|participants?|officials?|guests?)\b|\bsession\b.*\b(?:held|take place|took place)\b|\b(?:which|what) (?:human rights council |hrc )?session\b|\bwhich (?:mechanism|mandate)'?s? report\b",
    re.I,
)
_FOLLOW_UP = re.compile(r"^\s*(?:and|what about|how about|and what about|same for|what of)\b|^\s*(?:and )?(?:the )?\w+(?: \w+)?\s*\?\s*$", re.I)
_PRONOUN = re.compile(r"\b(?:they|them|their|it|its|he|she|his|her|those|these)\b", re.I)
_YES_NO = re.compile(r"^\s*(?:did|does|do|has|have|was|were|is)\b", re.I)
_CRITICAL = re.compile(r"\b(?:criticis|criticiz|critic|oppos|reject|against|object|negative|denounc)", re.I)
_SUPPORTIVE = re.compile(r"\b(?:support|back|welcom|endors|praise|favour|favor|defend|positive)", re.I)
_BEHALF = re.compile(r"\b(?:on behalf of|representing|speaking for)\s+(?:the\s+)?(?P<group>[\w][^?,.]*)", re.I)
_WHOSE_BEHALF = re.compile(r"\b(?:on whose behalf|which group|what group|whom did .* represent|on behalf of whom|represent(?:ed|ing)? which)\b", re.I)
_OBJECT_OF = re.compile(r"\b(?:on|in|about|of|against|for|to|with|towards|into|at|from|by|than)\s+(?:the\s+)?$", re.I)
_SPEAKER_NOUNS = ("delegation", "delegate", "representative", "government", "authorities", "side", "ambassador", "minister",
                  "statement", "position", "view", "stance", "response", "remarks")
_TOPIC_STOP = re.compile(
    r"\b(?:what|which|who|whom|did|does|do|the|a|an|say|said|says|about|on|regarding|concerning|delegations?|countries|country|states?|"
    r"ngos?|organi[sz]ations?|speakers?|statements?|position|view|views|stance|mention(?:ed)?|raise[sd]?|and|what about|how about|any|else|also|"
    r"in|this|dialogue|the document|debate|session|of|to|please|tell|me|us|anything|something|think|thinks|their|its|it|they|them|"
    r"spoke|speak|spoken|took the floor|take the floor|represent(?:ed|ing)?|behalf|group|for|is|are|was|were|be|been|has|have|had|"
    r"according|how|many|much|number|there|compare[sd]?|comparing|comparison|differ(?:ed|s|ence|ences)?|contrast(?:ed)?|versus|vs|people|persons|individuals|issues?|matters?|topics?|subjects?|"
    r"overall|general|generally|whole|main|points?|give|summary|summari[sz]e|"
    r"objected?|urged?|praised?|defended?|pointed?|cited?|called?|call|asked?|ask|single[sd]? out|announced?|describe[sd]?|"
    r"stand|stood|line|take|took|back(?:ed)?|exactly|kind|sort|which|where|why|explain|any|other|else|also|still|again)\b",
    re.I,
)
_SCOPE_WORDS = (
    (re.compile(r"\b(?:ngos?|non-governmental|civil society|civil-society|organi[sz]ations of civil)\b", re.I), ("ngo",)),
    (re.compile(r"\b(?:intergovernmental|inter-governmental|igos?|regional organi[sz]ations?)\b", re.I), ("igo",)),
    (re.compile(r"\b(?:countries|country|states?|member states?|delegations?|governments?|nations)\b(?! concerned)", re.I), ("state", "country_concerned")),
    (re.compile(r"\b(?:experts|panel|group of experts|rapporteurs?|mandate holders?)\b(?!'s? report)", re.I), ("panel",)),
    (re.compile(r"\borgani[sz]ations\b", re.I), ("ngo", "igo")),
)


@dataclass(frozen=True)
class Query:
    question: str
    intent: Intent
    topic: str = ""  # content words that define the topic
    topic_phrase: str = ""  # the topic as the user wrote it, for display
    speakers: tuple[str, ...] = ()  # canonical names present in the document(s)
    missing_speakers: tuple[str, ...] = ()  # named, but they did not take the floor
    speaker_types: tuple[str, ...] = ()  # scope
    group: str | None = None  # statements made on behalf of this group
    asks_group: bool = False  # "on whose behalf did X speak?"
    yes_no: bool = False
    stance: str | None = None  # "critical" | "supportive" | None (both) for overviews
    fact: str | None = None
    follow_up: bool = False
    history_speakers: tuple[str, ...] = field(default=())

    def standalone(self) -> str:
        """The question rewritten without references to earlier turns (for LLMs and logs)."""
        who = " and ".join(self.speakers) if self.speakers else (", ".join(self.speaker_types) or "the speakers")
        return self.question if not self.follow_up else f"What did {who} say about {self.topic or 'this'}?"


def fold(text: str) -> str:
    """Lower-case without accents or curly quotes, for matching names typed loosely."""
    text = unicodedata.normalize("NFKD", text.replace("’", "'").replace("‘", "'"))
    return "".join(ch for ch in text if not unicodedata.combining(ch)).lower()


class SpeakerIndex:
    """Every way a question may name a speaker of the documents in scope."""

    def __init__(self, corpora):
        self.statements = [s for corpus in corpora for s in corpus.data.statements]
        self.names = list(dict.fromkeys(s.speaker for s in self.statements if s.speaker != "unknown"))
        self.aliases: list[tuple[re.Pattern, str]] = []
        for name in self.names:
            for alias in self._aliases_of(name):
                flags = 0 if (alias.isupper() and len(alias) <= 6) else re.I
                text = alias if flags == 0 else fold(alias)
                self.aliases.append((re.compile(rf"(?<![\w-]){re.escape(text)}(?![\w-])", flags), name))
        self.aliases.sort(key=lambda pair: -len(pair[0].pattern))

    def _aliases_of(self, name: str) -> set[str]:
        aliases = {name}
        known = gazetteer.canonical_name(name)
        if known:
            adjectives = set(gazetteer.STATE_ADJECTIVES.get(known[0], ()))
            aliases.update(a for a in gazetteer.all_aliases(known[0]) if (len(a) > 2 or a.isupper()) and a not in adjectives)
            # "the Russian delegation", "the Belarusian authorities": an adjective names a speaker only with such a noun.
            aliases.update(f"{a} {noun}" for a in adjectives for noun in _SPEAKER_NOUNS)
            aliases.update(f"the {a}" for a in adjectives if a.endswith(("ch", "sh", "se", "ss")))  # "the Dutch", "the French", "the British", "the Chinese"
        statement = next(s for s in self.statements if s.speaker == name)
        if statement.speaker_type == "panel":
            parts = name.split()
            aliases.update(p for p in parts[1:] if len(p) > 3)
            aliases.add(parts[-1])
        else:
            opening = statement.text[:300]
            for match in re.finditer(r"\(([A-Z][A-Za-z0-9]{1,9})\)", opening):
                aliases.add(match.group(1))
            words = [w for w in re.findall(r"[A-Z][\w]*", name) if w not in ("The", "And", "Of", "For")]
            if len(words) >= 3 and statement.speaker_type in ("ngo", "igo"):
                aliases.add("".join(w[0] for w in words))
            for part in re.split(r"\s+[-–:]\s+", name)[:1]:
                if part != name and len(part) > 3:
                    aliases.add(part)  # "Article 19 - The International Centre …" → "Article 19"
            first_sentence = statement.sentences[0].text if statement.sentences else opening
            if statement.speaker_type == "ngo" and re.search(r"\b(?:jointly|together) with\b", first_sentence):
                aliases.update(m.group(0) for m in re.finditer(r"\b[A-Z]{3,6}\b", first_sentence))  # co-signers: "FIDH, OMCT"
            distinctive = re.search(r"'([^']+)'", name)
            if distinctive:
                aliases.add(distinctive.group(1))
        return {a for a in aliases if a}

    def find(self, question: str) -> list[tuple[int, int, str]]:
        """(start, end, canonical) of speakers named in the question, non-overlapping, in order."""
        folded = fold(question)
        found: list[tuple[int, int, str]] = []
        for pattern, name in self.aliases:
            haystack = question if pattern.flags & re.I == 0 else folded
            for match in pattern.finditer(haystack):
                if not any(s < match.end() and match.start() < e for s, e, _ in found):
                    found.append((match.start(), match.end(), name))
        return sorted(found)

    def roles(self, question: str) -> list[tuple[int, int, str]]:
        """Panel members named by role: "the Chair", "the experts", "the Special Rapporteur"."""
        found = []
        panel = [s for s in self.statements if s.speaker_type == "panel"]
        for match in re.finditer(r"\b(?:the\s+)?(chair(?:person|woman|man)?|president|special rapporteur|rapporteur|independent expert|high commissioner|experts?|group of experts|panel(?:lists?)?|members? of the group)\b(?!'s? report| report)", question, re.I):
            word = match.group(1).lower()
            if word.startswith("chair") or word == "president":
                names = [s.speaker for s in panel if s.role and "chair" in s.role.lower()] or [panel[0].speaker] if panel else []
            elif word in ("experts", "group of experts", "panel", "panellists", "panelists", "members of the group", "member of the group"):
                names = [s.speaker for s in panel]
            else:
                names = [s.speaker for s in panel if s.role and word in s.role.lower()]
            if not names:
                found.append((match.start(), match.end(), "?" + match.group(0).strip()))
            for name in dict.fromkeys(names):
                found.append((match.start(), match.end(), name))
        for match in re.finditer(r"\b(?:the\s+)?(?:country|state) concerned\b|\bconcerned (?:country|state)\b", question, re.I):
            for name in dict.fromkeys(s.speaker for s in self.statements if s.speaker_type == "country_concerned"):
                found.append((match.start(), match.end(), name))
        return found


def speaker_index(corpora) -> SpeakerIndex:
    """The SpeakerIndex of these corpora, built once and kept on the first corpus (it compiles many regexes)."""
    key = tuple(id(c) for c in corpora)
    cache = corpora[0].__dict__.setdefault("_speaker_indexes", {}) if corpora else {}
    if key not in cache:
        cache[key] = SpeakerIndex(corpora)
    return cache[key]


def understand(question: str, history: list[Message], corpora, speaker_types=None, speakers=None) -> Query:
    """Resolve a question (and the conversation before it) into a Query."""
    index = speaker_index(corpora)
    previous = _previous_query(history, index)
    query = _with_phrase(_parse(_asked_sentence(question), index))
    query = replace(query, question=question)
    if previous is not None:
        query = _resolve_follow_up(query, previous, history, index)
    if speaker_types:
        query = replace(query, speaker_types=tuple(speaker_types))
    if speakers:
        chosen = tuple(s for s in speakers if s in index.names)
        if chosen and not query.speakers:
            query = replace(query, speakers=chosen, intent="speaker" if len(chosen) == 1 and query.intent != "list" else query.intent)
    return query


def _asked_sentence(question: str) -> str:
    """The sentence that asks: the last question sentence when a message holds several sentences."""
    spans = sentence_spans(question)
    if len(spans) <= 1:
        return question
    sentences = [question[a:b] for a, b in spans]
    asking = [s for s in sentences if s.rstrip().endswith("?")]
    return (asking or sentences)[-1]


def _previous_query(history: list[Message], index: SpeakerIndex) -> Query | None:
    previous = None
    users = [m.content for m in history if m.role == "user"][-4:]
    for text in users:
        parsed = _with_phrase(_parse(_asked_sentence(text), index))
        previous = parsed if previous is None else _resolve_follow_up(parsed, previous, [], index)
    if previous is not None:
        last_answer = next((m.content for m in reversed(history) if m.role == "assistant"), "")
        named = [name for _, _, name in index.find(last_answer)]
        previous = replace(previous, history_speakers=tuple(dict.fromkeys(named)))
    return previous


def _parse(question: str, index: SpeakerIndex) -> Query:
    text = question.strip()
    lead = re.match(r"^\s*(?:and\s+)?(?:what|how)\s+about\s+", text, re.I)
    marker = _TOPIC_MARKER.search(text, lead.end() if lead else 0)
    split = marker.start() if marker else len(text)
    topic = text[marker.end():] if marker else ""
    possessive = re.search(r"^(?:.*?\b)?(?:according to|in the view of|per)\s+", text, re.I)

    named = _subjects_only(index.find(text) + index.roles(text), text, index)
    subject = [n for n in named if n[0] < split or (possessive and n[0] >= possessive.end() and n[0] < possessive.end() + 3)]
    # Names inside the topic are part of it ("What did France say about Ukraine?").
    # When the question starts with "According to X", X is the speaker wherever it is.
    speakers = tuple(dict.fromkeys(n[2] for n in subject if not n[2].startswith("?")))
    unresolved_roles = [n[2][1:] for n in subject if n[2].startswith("?")]
    missing = _missing_speakers(text[:split] if marker else text, index) + tuple(unresolved_roles)

    scope: list[str] = []
    scope_text = text[:split] if marker else text
    if marker and not _strip_scaffolding(topic, []):
        scope_text = text  # "What about the NGOs?": the scope is all the question says
    for pattern, types in _SCOPE_WORDS:
        if pattern.search(scope_text) and not speakers:
            scope.extend(t for t in types if t not in scope)
    group_match = _BEHALF.search(text)
    group = None
    if group_match and not _WHOSE_BEHALF.search(text):
        candidate = group_match.group("group").strip()
        known = gazetteer.canonical_name(re.sub(r"^(?:the|a)\s+", "", candidate, flags=re.I))
        group = known[0] if known else candidate
    asks_group = bool(_WHOSE_BEHALF.search(text)) or (bool(re.search(r"\bbehalf\b", text, re.I)) and bool(speakers) and group is None)

    if _FACT.search(text) and not speakers and not re.search(r"\b(?:mention|raise|call|said|say)\b", text, re.I):
        fact = "date" if re.search(r"\b(?:date|when|day)\b", text, re.I) else "session" if re.search(r"\bsession\b", text, re.I) else "title" if re.search(r"\b(?:title|what is (?:this|the) (?:document|dialogue))\b", text, re.I) else "participation"
        return Query(question=text, intent="fact", fact=fact)

    if marker and not _strip_scaffolding(topic, []) and marker.start() > 0:
        topic = ""  # "Was X discussed?": the topic is before the verb
    if group_match and group:
        text_without_group = text[:group_match.start()] + text[group_match.end():]
        topic = _strip_scaffolding(text_without_group, named)
    elif not topic:
        topic = _strip_scaffolding(text, named)
    else:
        topic = _strip_scaffolding(topic, [])
    stance = None
    if _OVERVIEW.search(text) and not speakers:
        scope = [t for pattern, types in _SCOPE_WORDS if pattern.search(text) for t in types if "panel" not in types]
        scope = list(dict.fromkeys(scope))
        critical, supportive = bool(_CRITICAL.search(text)), bool(_SUPPORTIVE.search(text))
        stance = "critical" if critical and not supportive else "supportive" if supportive and not critical else None
        return Query(question=text, intent="overview", topic=topic, speaker_types=tuple(scope), stance=stance, missing_speakers=missing)
    if group or (_WHO.search(text) and not speakers) or (scope and not speakers and not missing):
        return Query(question=text, intent="list", topic=topic, speaker_types=tuple(scope), group=group, yes_no=bool(_YES_NO.search(text)))
    if len(speakers) + len(missing) >= 2 or (speakers and re.search(r"\bcompar|differ|contrast|versus|\bvs\b", text, re.I)):
        return Query(question=text, intent="compare", topic=topic, speakers=speakers, missing_speakers=missing)
    if speakers or missing:
        return Query(question=text, intent="speaker", topic=topic, speakers=speakers, missing_speakers=missing,
                     asks_group=asks_group, yes_no=bool(_YES_NO.search(text)))
    return Query(question=text, intent="list", topic=topic, speaker_types=tuple(scope), yes_no=bool(_YES_NO.search(text)))


def _subjects_only(named, text: str, index: SpeakerIndex):
    """Drop names that are what the question is about rather than who spoke.

    The country concerned ("Belarus's engagement") is a speaker only when asked about as one;
    a role ("the Group of Experts") after another named speaker is the topic ("Did Germany back the experts?").
    """
    concerned = {s.speaker for s in index.statements if s.speaker_type == "country_concerned"}
    kept = []
    for start, end, name in sorted(named):
        before, after = text[:start], text[end:]
        if _OBJECT_OF.search(before) and not re.search(r"\b(?:according to|what about|how about|and|compared?|compares|comparing|contrast(?:ed|s)?)\s+(?:\w+\s+)?(?:with\s+|to\s+)?(?:the\s+)?$", before, re.I):
            continue  # "align with the EU statement", "engagement with Belarus": the name is the topic
        if name in concerned:
            asked = re.search(r"(?:did|does|has|have|according to|from|by)\s+(?:the\s+)?(?:delegation of\s+)?$", before, re.I) or re.match(
                r"(?:'s?)?\s+(?:delegation|statement|position|say|said|says|view|respon|repl|representative|argue|claim|stance)", after, re.I
            ) or re.search(r"country concerned|concerned country|authorities|government|delegation", text[start:end], re.I)
            if not asked:
                continue
        is_role = bool(re.match(r"(?:the\s+)?(?:chair|president|special rapporteur|rapporteur|independent expert|high commissioner|experts?|group of experts|panel|members?)", text[start:end], re.I))
        if is_role and (any(k[0] != start for k in kept) or (text[end:end + 1] in "'’" and _WHO.search(text))):
            continue
        kept.append((start, end, name))
    return kept


def _with_phrase(query: Query) -> Query:
    marker = _TOPIC_MARKER.search(query.question)
    phrase = query.question[marker.end():] if marker else ""
    phrase = re.sub(r"^\s*(?:the issue of|the question of)\s+", "", phrase).strip(" ?.!")
    if not query.topic or not phrase or len(phrase) > 80:
        phrase = query.topic
    return replace(query, topic_phrase=phrase)


def _missing_speakers(text: str, index: SpeakerIndex) -> tuple[str, ...]:
    """States, groups or organisations named as speakers that have no statement in scope."""
    present = {fold(n) for n in index.names}
    missing = []
    for match in gazetteer.find_names(text, ("state", "igo"), ignore_case=True, adjectives=True):
        if match.form == "adjective" and not re.match(r"\s+(?:delegation|representative|government|ambassador|minister|side|position|view|statement|authorities)", text[match.end:], re.I):
            continue
        if fold(match.canonical) not in present:
            missing.append(match.canonical)
    for match in re.finditer(r"\b(Amnesty International|Human Rights Watch|UNICEF|UNHCR|OHCHR|the High Commissioner|the Special Rapporteur[\w ]*)\b", text, re.I):
        if fold(match.group(1)) not in present and not any(fold(match.group(1)) in fold(n) for n in index.names):
            missing.append(match.group(1))
    return tuple(dict.fromkeys(missing))


def _strip_scaffolding(text: str, named) -> str:
    for start, end, _ in sorted(named, reverse=True):
        text = text[:start] + " " + text[end:]
    text = re.sub(r"'s\b", "", text)
    cleaned = _TOPIC_STOP.sub(" ", text)
    return " ".join(re.sub(r"[?!.,;:—–\"“”()](?=\s|$)|^[\"“(]|(?<=\s)[\"“(]", " ", cleaned).split())


def _resolve_follow_up(query: Query, previous: Query, history: list[Message], index: SpeakerIndex) -> Query:
    """Fill what a follow-up leaves out from the conversation so far."""
    text = query.question
    elliptic = bool(_FOLLOW_UP.search(text)) or len(text.split()) <= 4
    pronoun = bool(_PRONOUN.search(text))
    topic_words = [w for w in query.topic.split() if len(w) > 2]
    if query.intent == "fact":
        return query
    refers_back = re.search(r"\b(?:(?:any|which|who|some|each|all|none|one|either|both) of (?:them|these|those)|according to (?:them|it|him|her))\b", text, re.I)
    earlier = previous.speakers or previous.history_speakers
    if refers_back and earlier:
        # "Did any of them also …?", "…, according to them?": the same speakers, a new topic.
        return replace(query, intent="list", speakers=tuple(earlier), speaker_types=(), missing_speakers=(), follow_up=True,
                       topic=query.topic or previous.topic, topic_phrase=query.topic_phrase if query.topic else previous.topic_phrase)
    if (query.speakers or query.missing_speakers) and not topic_words and elliptic:
        # "And China?": same topic, new speaker(s).
        intent = "compare" if len(query.speakers) + len(query.missing_speakers) > 1 else "speaker"
        return replace(query, intent=intent, topic=previous.topic, topic_phrase=previous.topic_phrase, follow_up=True, yes_no=bool(_YES_NO.search(text)) and intent == "speaker")
    if query.speaker_types and not query.speakers and not topic_words and elliptic:
        # "What about the NGOs?": same topic, new scope.
        return replace(query, intent="list", topic=previous.topic, topic_phrase=previous.topic_phrase, follow_up=True)
    if not query.speakers and not query.missing_speakers and not query.speaker_types and (pronoun or elliptic):
        speakers = previous.speakers or (previous.history_speakers if previous.intent in ("list", "overview") else ())
        if speakers:
            intent = "compare" if len(speakers) > 1 else "speaker"
            return replace(query, intent=intent, speakers=tuple(speakers), topic=query.topic or previous.topic,
                           topic_phrase=query.topic_phrase if query.topic else previous.topic_phrase, follow_up=True, yes_no=bool(_YES_NO.search(text)))
        if previous.speaker_types or previous.group:
            return replace(query, intent="list", speaker_types=previous.speaker_types, group=previous.group,
                           topic=query.topic or previous.topic,
                           topic_phrase=query.topic_phrase if query.topic else previous.topic_phrase, follow_up=True)
        if not topic_words:
            return replace(query, topic=previous.topic, topic_phrase=previous.topic_phrase, intent=previous.intent, follow_up=True)
    return query
