"""The offline answerer: answers composed only of verbatim sentences, each with its citation.

No LLM and no network: every quote is a sentence span of the statement it is attributed to,
numbered [n] in the order it appears, and checked again before the answer leaves. Claims of
absence are kept apart: "X did not take the floor" comes from the speaker list only, and "nobody
addressed Y" only when `assistant/relevance.py` says so (every statement in scope below the
calibrated floor, or none addressing it and the document lacking the question's terms); otherwise,
below the decision threshold, the closest passages are shown, labelled as such.
"""

from __future__ import annotations

import json
import re
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from assistant.models import SPEAKER_TYPE_LABELS, Answer, Citation, Query, Sentence, Statement
from assistant.relevance import Judged, judge, judgement, load_model
from assistant.text import content_words

MAX_QUOTES_ONE_SPEAKER = 3
CLOSEST_SHOWN = 3
SUMMARY_SENTENCES = 2
OFFICE_TITLES = Path(__file__).resolve().parent / "data" / "office_titles.json"
QUESTION_WORDS = Path(__file__).resolve().parent / "data" / "question_words.json"
FABRICATION_REFUSAL = "I can't make up or reword what a speaker said: every quote I give is verbatim from the document. Here is what it holds."
OBJECT_LABELS = {"mandate": "the mandate and its report", "country": "the country concerned"}
OPPOSITE_POSITION = {"supportive": "critical", "critical": "supportive"}


@dataclass(frozen=True)
class Reply:
    text: str
    abstained: bool = False


class Composer:
    """Collects quotes, numbers them and renders the answer text."""

    def __init__(self):
        self.citations: list[Citation] = []

    def cite(self, statement: Statement, sentence: Sentence) -> str:
        for existing in self.citations:
            if existing.statement_id == statement.statement_id and existing.char_start == sentence.char_start:
                return f"[{existing.n}]"
        n = len(self.citations) + 1
        self.citations.append(
            Citation(
                n=n, statement_id=statement.statement_id, document_id=statement.document_id, speaker=statement.speaker,
                speaker_type=statement.speaker_type, on_behalf_of=statement.on_behalf_of, quote=sentence.text,
                page=sentence.page, char_start=sentence.char_start, char_end=sentence.char_end,
            )
        )
        return f"[{n}]"

    def quote(self, statement: Statement, sentences) -> str:
        unique = {s.index: s for s in sentences}
        return " ".join(f"“{s.text}” {self.cite(statement, s)}" for s in sorted(unique.values(), key=lambda s: s.index))

    def line(self, statement: Statement, sentences) -> str:
        return f"- {label(statement)}: {self.quote(statement, sentences)}"


def label(statement: Statement) -> str:
    behalf = f", on behalf of the {statement.on_behalf_of}" if statement.on_behalf_of else ""
    kind = SPEAKER_TYPE_LABELS.get(statement.speaker_type, statement.speaker_type)
    role = f", {statement.role}" if statement.role and statement.speaker_type == "panel" else ""
    return f"**{statement.speaker}** ({kind}{role}{behalf}, p. {statement.page_start})"


def answer_offline(query: Query, corpora, assistant, timings: dict) -> Answer:
    """Compose an answer from verbatim sentences for any query shape."""
    t0 = time.perf_counter()
    composer = Composer()
    reply = HANDLERS[query.intent](query, corpora, composer)
    if query.fabrication:
        reply = Reply(f"{FABRICATION_REFUSAL}\n{reply.text}", reply.abstained)
    timings["retrieval_and_composition"] = (time.perf_counter() - t0) * 1000
    citations = tuple(composer.citations) if not reply.abstained else ()
    verify_citations(citations, corpora)
    notices = tuple(
        f"Speakers are not reliably recognised in “{c.data.info.title}”: who said what may be incomplete in this answer."
        for c in corpora if c.data.info.low_confidence
    )
    return Answer(question=query.question, answer=reply.text, citations=citations, abstained=reply.abstained, notices=notices)


def verify_citations(citations, corpora) -> None:
    """Every citation names an existing statement, its speaker, and a verbatim span of it."""
    by_id = {s.statement_id: s for c in corpora for s in c.data.statements}
    for citation in citations:
        statement = by_id.get(citation.statement_id)
        if statement is None or statement.speaker != citation.speaker:
            raise AssertionError(f"citation [{citation.n}] names no such statement")
        if statement.text[citation.char_start:citation.char_end] != citation.quote:
            raise AssertionError(f"citation [{citation.n}] is not a verbatim span of {citation.statement_id}")


def evidence(query: Query, corpora, k: int) -> list[tuple[Statement, list[Sentence]]]:
    """The `k` statements in scope that best address the question, each with its best sentences (for LLM backends).

    Independent of what the offline composer decided: an LLM gets the closest material even when
    nothing passed the offline threshold. With no topic, the speakers' statements in document order.
    """
    ranked: list[tuple[float, Statement, list[Sentence]]] = []
    for corpus in corpora:
        positions = scope_positions(corpus, query)
        if _has_topic(query):
            for j in judge(corpus, query, positions):
                ranked.append((j.probability, j.statement, list(j.sentences[:MAX_QUOTES_ONE_SPEAKER])))
        else:
            for p in positions:
                s = corpus.data.statements[p]
                ranked.append((0.0, s, corpus.central_sentences(p, MAX_QUOTES_ONE_SPEAKER)))
    ranked.sort(key=lambda item: (-item[0], item[1].document_id, item[1].order))
    return [(s, sentences) for _, s, sentences in ranked[:k]]


# ---------------------------------------------------------------- scope and wording


def fold(name: str) -> str:
    text = unicodedata.normalize("NFKD", name.replace("’", "'"))
    return " ".join("".join(ch for ch in text if not unicodedata.combining(ch)).casefold().replace("the ", " ").split())


def scope_positions(corpus, query: Query, with_speakers: bool = True) -> list[int]:
    """Positions of the statements the question is about: named speakers, types, allowed speakers, group."""
    positions = []
    for i, s in enumerate(corpus.data.statements):
        if with_speakers and query.speakers and s.speaker not in query.speakers:
            continue
        if query.speaker_types and s.speaker_type not in query.speaker_types:
            continue
        if query.scope_speakers is not None and s.speaker not in query.scope_speakers:
            continue
        if query.group and not (_same_group(s.on_behalf_of, query.group) or fold(s.speaker) == fold(query.group)):
            continue  # "who spoke for the EU?": a group that took the floor itself speaks for itself
        if query.any_group and not s.on_behalf_of:
            continue
        positions.append(i)
    return positions


_GENERIC_GROUP_WORDS = frozenset("group groups of countries states a an any several other on behalf and in".split())


def _same_group(actual: str | None, asked: str) -> bool:
    if not actual:
        return False
    a, b = fold(actual), fold(asked)
    if a in b or b in a:
        return True
    distinctive = set(b.split()) - _GENERIC_GROUP_WORDS
    return not distinctive or bool(distinctive & set(a.split()))


def _has_topic(query: Query) -> bool:
    return bool(query.topic.strip())


_PLURAL_MEMBERS = {"states": "state", "members": "member", "countries": "country"}


def _scope_noun(query: Query, count: int = 2) -> str:
    if query.scope_label:
        return _counted_label(query.scope_label, count)
    types = set(query.speaker_types)
    nouns = {
        frozenset({"ngo"}): ("NGO", "NGOs"), frozenset({"igo"}): ("intergovernmental organisation", "intergovernmental organisations"),
        frozenset({"panel"}): ("expert", "experts"), frozenset({"state"}): ("delegation", "delegations"),
        frozenset({"state", "country_concerned"}): ("delegation", "delegations"),
    }
    singular, plural = nouns.get(frozenset(types), ("speaker", "speakers"))
    return singular if count == 1 else plural


def _counted_label(label: str, count: int) -> str:
    """A scope's label as the noun after a count: "1 Asian state", "2 EU members", "1 member of the African Group"
    (a group's own name counts its members, never itself)."""
    plural = rf"\b({'|'.join(_PLURAL_MEMBERS)})\b"
    if "those speakers" in label:
        return label
    if re.search(plural, label):
        return re.sub(plural, lambda m: _PLURAL_MEMBERS[m.group(1)], label) if count == 1 else label
    return f"{'member' if count == 1 else 'members'} of the {label}"


def _counted(query: Query, n: int) -> str:
    """ "3 NGOs", "1 delegation", "2 of those speakers" (a scope of earlier speakers takes "of")."""
    noun = _scope_noun(query, n)
    if "those speakers" in noun:
        rest = noun.replace("among those speakers", "").replace("those speakers", "").strip()
        return f"{n} of those speakers" + (f" ({rest})" if rest else "")
    return f"{n} {noun}"


def _no_one(query: Query) -> str:
    """ "No NGO", "None of those speakers": the subject of a sentence saying nobody in scope did something."""
    noun = _scope_noun(query, 1)
    return "None of those speakers" if "those speakers" in noun else f"No {noun}"


def _clean_topic(query: Query, most_words: int) -> str:
    """The topic as a noun phrase of the question (`Query.topic_label`) when short, else ""."""
    topic = query.topic_label.strip(" ?.!")
    return topic if topic and len(re.findall(r"[\w'’-]+", topic)) <= most_words else ""


def _topic_words(query: Query) -> str:
    """The topic for a sentence about absence: the question's own noun phrase when it has one, else a neutral phrase."""
    return _clean_topic(query, 6) or "this question"


def _headline_topic(query: Query, quotes: list[str]) -> str:
    """The topic in a headline only when a clean phrase and every word of it is in what is quoted; else "this question"."""
    topic = _clean_topic(query, 5)
    said = {w for q in quotes for w in content_words(q)}
    if topic and set(content_words(topic)) <= said:
        return topic
    return "this question"


def _absence_lines(query: Query, corpora) -> list[str]:
    """What the speaker list says about named speakers with no statement."""
    named = query.missing_speakers + query.listed_speakers
    if not named:
        return []
    if any(c.data.info.low_confidence for c in corpora):
        return [f"I cannot tell who spoke in this document, so I cannot say what {name} said." for name in named]
    listed = {fold(n) for c in corpora for n in c.data.info.listed_speakers} | {fold(n) for n in query.listed_speakers}
    lines = []
    for name in dict.fromkeys(named):
        if fold(name) in listed:
            lines.append(f"{name} is listed among the speakers; the summary gives no text of its statement.")
        else:
            lines.append(f"{name} did not take the floor in this dialogue: it is not among the speakers of the document.")
    return lines


# ---------------------------------------------------------------- one speaker


def _speaker(query: Query, corpora, composer: Composer) -> Reply:
    lines = _absence_lines(query, corpora)
    for name in query.speakers:
        lines.append(_one_speaker(name, query, corpora, composer))
    if not lines:
        return Reply("The question names no speaker of this dialogue; ask about one of the speakers listed in the document.", True)
    return Reply("\n\n".join(lines), abstained=not composer.citations)


def _one_speaker(name: str, query: Query, corpora, composer: Composer) -> str:
    for corpus in corpora:
        positions = [i for i in scope_positions(corpus, query, with_speakers=False) if corpus.data.statements[i].speaker == name]
        positions = positions or [i for i, s in enumerate(corpus.data.statements) if s.speaker == name]
        if not positions:
            continue
        statements = [corpus.data.statements[i] for i in positions]
        if query.asks_group:
            parts = []
            for s in statements:
                joint = next((x for x in s.sentences[:2] if _joint_cues().search(x.text)), None)
                if s.on_behalf_of:
                    parts.append(f"{label(s)} spoke on behalf of the {s.on_behalf_of}: {composer.quote(s, s.sentences[:1])}")
                elif joint is not None:  # "X, jointly with Y, …": the sentence that names the others says it best
                    parts.append(f"{label(s)} delivered a joint statement: {composer.quote(s, [joint])}")
                else:
                    alone = "in its national capacity" if s.speaker_type in ("state", "country_concerned") else "for itself alone"
                    parts.append(f"{label(s)} spoke {alone}: {composer.quote(s, s.sentences[:1])}")
            return "\n".join(parts)
        if query.stance and query.stance_object:
            return _speaker_stance(name, query, statements, composer)
        if not _has_topic(query):
            return "\n".join(f"{label(s)}: {composer.quote(s, _summary(corpus, p))}" for s, p in zip(statements, positions))
        return _speaker_on_topic(name, query, corpus, positions, composer)
    return f"{name} did not take the floor in this dialogue."


@cache
def _joint_cues() -> re.Pattern:
    """How a summary says a statement was delivered with others (question_words.json: behalf.joint)."""
    from assistant.understand import words

    return re.compile(r"\b(?:" + "|".join(re.escape(p) for p in words()["behalf"]["joint"]) + r")\b", re.I)


def _summary(corpus, position: int) -> list[Sentence]:
    """The opening sentence and the ones closest to the statement as a whole."""
    statement = corpus.data.statements[position]
    return [*statement.sentences[:1], *corpus.central_sentences(position, SUMMARY_SENTENCES)]


def _speaker_on_topic(name: str, query: Query, corpus, positions: list[int], composer: Composer) -> str:
    model = load_model()
    found = judgement(corpus, query, positions)
    judged = found.statements
    if judged and not any(j.named for j in judged):
        # The question asks only about names ("did it mention the ICC?") and no sentence of this speaker holds one,
        # by its spelling, a misspelling or a wording of the same acronym: a fact, not a judgement of relevance.
        return f"{'No. ' if query.yes_no else ''}{name}'s statement does not mention {_topic_words(query)}."
    chosen: list[tuple[float, Statement, Sentence]] = []
    for j in judged:
        chosen.extend((p, j.statement, s) for p, s in zip(j.scores, j.sentences) if p >= model.addresses)
    chosen.sort(key=lambda item: -item[0])
    chosen = chosen[:MAX_QUOTES_ONE_SPEAKER]
    if chosen:
        parts = []
        for s in [j.statement for j in sorted(judged, key=lambda j: j.statement.order)]:
            mine = [sentence for _, statement, sentence in chosen if statement is s]
            if mine:
                parts.append(f"{label(s)}: {composer.quote(s, mine)}")
        return ("Yes. " if query.yes_no else "") + "\n".join(parts)
    if query.stance_object and not query.stance:
        # "Did Zarovia reply to the criticism?": no sentence is judged close to the words, but the side the speaker
        # took on the mandate (or the country) answers it, quoted by the sentence that takes it.
        for s in [j.statement for j in judged]:
            stance = s.stance_on(query.stance_object)
            if stance is not None and stance.position != "neutral" and stance.sentence is not None:
                return f"{'Yes. ' if query.yes_no else ''}{_side(name, s, stance, query.stance_object, composer)}"
    best = max((j.probability for j in judged), default=0.0)
    topic = _topic_words(query)
    # One named speaker: their closest passages cost the reader nothing, and a false "X did not address it" is quoted;
    # so the share of missing terms says "does not address" only when none of the question's terms is in the document.
    if model.nobody(best, found.unmatched, share=1.0):
        return f"{'No. ' if query.yes_no else ''}{name}'s statement does not address {topic}."
    closest = sorted(judged, key=lambda j: -j.probability)[:1]
    parts = [f"{label(j.statement)}: {composer.quote(j.statement, j.sentences[:2])}" for j in closest]
    return f"{name}'s statement does not clearly address {topic}; the closest passages:\n" + "\n".join(parts)


def _speaker_stance(name: str, query: Query, statements: list[Statement], composer: Composer) -> str:
    obj = query.stance_object
    for s in statements:
        stance = s.stance_on(obj)
        if stance is None:
            continue
        if stance.position == query.stance:
            return f"{'Yes. ' if query.yes_no else ''}{_side(name, s, stance, obj, composer)}"
        if stance.position != "neutral":
            return f"{'No. ' if query.yes_no else ''}{_side(name, s, stance, obj, composer)}"
    opening = statements[0]
    return f"{name} took no clear position towards {OBJECT_LABELS[obj]}; its statement opens: {composer.quote(opening, opening.sentences[:1])}"


def _side(name: str, statement: Statement, stance, obj: str, composer: Composer) -> str:
    """ "X was critical of the mandate and its report: “…”", quoted by the sentence that shows the side."""
    evidence = [statement.sentences[stance.sentence]] if stance.sentence is not None else statement.sentences[:1]
    return f"{name} was {stance.position} of {OBJECT_LABELS[obj]}: {composer.quote(statement, evidence)}"


def _compare(query: Query, corpora, composer: Composer) -> Reply:
    lines = [f"- {line}" for line in _absence_lines(query, corpora)]
    for name in query.speakers:
        lines.append("- " + _one_speaker(name, query, corpora, composer))
    topic = f" on {_headline_topic(query, [c.quote for c in composer.citations])}" if _has_topic(query) else ""
    return Reply(f"Compared{topic if topic != ' on this question' else ''}:\n" + "\n".join(lines), abstained=not composer.citations)


# ---------------------------------------------------------------- many speakers


def _names_anyone(query: Query) -> bool:
    """The question names a speaker, one who spoke or not: what it says of them comes first."""
    return bool(query.speakers or query.missing_speakers or query.listed_speakers)


def _without_article(name: str) -> str:
    return re.sub(r"^(?i:the) ", "", name)


def _nobody_in_scope(query: Query) -> Reply:
    """Nobody in the scope spoke: a fact about the speaker list, never a claim that a topic or a side is absent."""
    no = "No. " if query.yes_no else ""
    among = re.fullmatch(r"(.+?) among those speakers", query.scope_label)
    if among:  # "any of them from Africa?": the earlier speakers are there, none of them in the region
        return Reply(f"{no}None of those speakers is among the {among.group(1)}.", True)
    if query.group and not query.scope_label:
        said = _without_article(query.scope_phrases[0] if query.scope_phrases else query.group)  # as the question named it
        return Reply(f"{no}{_no_one(query)} took the floor on behalf of the {said} in this dialogue.", True)
    return Reply(f"{no}{_no_one(query)} took the floor in this dialogue.", True)


def _list(query: Query, corpora, composer: Composer) -> Reply:
    if query.stance:
        return _stance_list(query, corpora, composer, (query.stance,))
    if not _has_topic(query):
        return _roster(query, corpora, composer)
    reply, _ = _topical_list(query, corpora, composer)
    return reply


def _topical_list(query: Query, corpora, composer: Composer) -> tuple[Reply, int]:
    model = load_model()
    judged: list[Judged] = []
    unmatched = 1.0  # the question's share of terms with no counterpart, in the document that has most of them
    in_scope = [(corpus, scope_positions(corpus, query)) for corpus in corpora]
    if not any(positions for _, positions in in_scope) and not _names_anyone(query):
        return _nobody_in_scope(query), 0
    for corpus, positions in in_scope:
        found = judgement(corpus, query, positions)
        judged.extend(found.statements)
        unmatched = min(unmatched, found.unmatched)
    addressing = [(j.statement, j.best) for j in judged if j.probability >= model.addresses]
    if query.stance_object and not query.stance:
        # "What did the NGOs say about the mandate?": a side taken on it addresses it, shown by the sentence taking it.
        found = {s.statement_id for s, _ in addressing}
        addressing += [(s, sentence) for corpus, positions in in_scope
                       for s, sentence in _sided(corpus, positions, query.stance_object) if s.statement_id not in found]
    addressing.sort(key=lambda pair: (pair[0].document_id, pair[0].order))
    if addressing:
        lines = [composer.line(statement, [sentence]) for statement, sentence in addressing]
        speakers = len({statement.speaker for statement, _ in addressing})
        topic = _headline_topic(query, [sentence.text for _, sentence in addressing])
        # "Did anyone defend X?": no stance is read on X, so the quotes show the side each took and no "Yes." claims it
        yes = "Yes. " if query.yes_no and not query.side_on_topic else ""
        head = f"{yes}{_counted(query, speakers)} addressed {topic}:"
        return Reply(head + "\n" + "\n".join(lines)), speakers
    topic = _topic_words(query)
    best = max((j.probability for j in judged), default=0.0)
    if model.nobody(best, unmatched if judged else 0.0):
        return Reply(f"{'No. ' if query.yes_no else ''}{_no_one(query)} in this dialogue addressed {topic}: no statement in the document comes close to it.", True), 0
    closest = [j for j in sorted(judged, key=lambda j: -j.probability)[:CLOSEST_SHOWN] if j.probability >= model.closest_share * best]
    lines = [composer.line(j.statement, [j.best]) for j in sorted(closest, key=lambda j: j.statement.order)]
    return Reply(f"No statement clearly addresses {topic}. The closest passages:\n" + "\n".join(lines)), 0


def _sided(corpus, positions: list[int], obj: str) -> list[tuple[Statement, Sentence]]:
    """The statements at `positions` taking a side (supportive or critical) towards `obj`, with the sentence taking it."""
    found = []
    for p in positions:
        s = corpus.data.statements[p]
        stance = s.stance_on(obj)
        if stance is not None and stance.position in ("supportive", "critical") and stance.sentence is not None:
            found.append((s, s.sentences[stance.sentence]))
    return found


def _stance_members(corpus, query: Query, obj: str, position: str) -> list[tuple[Statement, Sentence]]:
    """The speakers in scope taking `position` towards `obj`, each quoted by the sentence that shows it.

    When the question has a topic of its own ("criticised the government's handling of the floods"), only those whose
    statement also addresses it, quoted by the sentence that does."""
    members = {}
    for p in scope_positions(corpus, query):
        s = corpus.data.statements[p]
        stance = s.stance_on(obj)
        if stance is not None and stance.position == position and stance.sentence is not None:
            members[p] = (s, s.sentences[stance.sentence])
    if not members or not _has_topic(query):
        return list(members.values())
    addresses = load_model().addresses
    on_topic = [j for j in judge(corpus, query, list(members)) if j.probability >= addresses]
    return [(j.statement, j.best) for j in sorted(on_topic, key=lambda j: j.statement.order)]


def _stance_list(query: Query, corpora, composer: Composer, positions: tuple[str, ...]) -> Reply:
    if not _names_anyone(query) and not any(scope_positions(corpus, query) for corpus in corpora):
        return _nobody_in_scope(query)
    # "Which NGOs were critical?" names no object: the side taken towards each, the mandate first.
    objects = [query.stance_object] if query.stance_object else ["mandate", "country"]
    sections = []
    for obj in objects:
        for position in positions:
            members = [m for corpus in corpora for m in _stance_members(corpus, query, obj, position)]
            if not members:
                continue
            speakers = len({s.speaker for s, _ in members})
            topic = f" and addressed {_headline_topic(query, [x.text for _, x in members])}" if _has_topic(query) else ""
            head = f"{_counted(query, speakers)} {'was' if speakers == 1 else 'were'} {position} of {_object_label(obj, corpora)}{topic}:"
            sections.append(head + "\n" + "\n".join(composer.line(s, [sentence]) for s, sentence in members))
    if not sections:
        wanted, label = " or ".join(positions), _object_label(objects[0], corpora)
        opposed = _all_opposed(query, corpora, objects[0], positions)
        if opposed:  # "Which EU members defended Zarovia?" when every one of them that spoke criticised it
            no = "No. " if query.yes_no else ""
            other = OPPOSITE_POSITION[positions[0]]
            if "those speakers" in query.scope_label:
                return Reply(f"{no}None of those speakers was {wanted} of {label}: "
                             f"{'the one' if opposed == 1 else f'all {opposed}'} in scope {'was' if opposed == 1 else 'were'} {other} of it.", True)
            if opposed == 1:
                return Reply(f"{no}The only {_scope_noun(query, 1)} who took the floor was {other} of {label}, not {wanted}.", True)
            return Reply(f"{no}None of the {opposed} {_scope_noun(query, opposed)} who took the floor was {wanted} of {label}: "
                         f"all were {other} of it.", True)
        if len(positions) == 1:
            # The stance classifier is not the last word on a one-sided question: the question's own words are judged
            # too, and only when nothing comes close is the absence claimed.
            reply, _ = _topical_list(query, corpora, composer)
            if not reply.abstained:
                hedge = "No statement clearly addresses "
                if reply.text.startswith(hedge):  # the question's own words found nothing clear either: one hedge, not two
                    return Reply(f"No statement reads as clearly {wanted} of {label}, and none clearly addresses "
                                 f"{reply.text[len(hedge):]}")
                return Reply(f"No statement reads as clearly {wanted} of {label}; the passages closest to the question:\n{reply.text}")
        return Reply(f"{_no_one(query)} in this dialogue took a clearly {wanted} position towards {label}.", True)
    return Reply(("Yes. " if query.yes_no else "") + "\n\n".join(sections))


def _all_opposed(query: Query, corpora, obj: str, positions: tuple[str, ...]) -> int:
    """How many speakers in scope there are when every one of them took the side opposite to the one asked
    towards `obj` (a stance read at index time), else 0: then "none of them" is a fact of the speaker list and
    its stances, not a claim that a topic is absent. Only for a named object and one side asked, in a scope the
    question draws (a type, region, bloc or earlier speakers), and never when one of them is neutral or mixed."""
    if not query.stance_object or len(positions) != 1 or positions[0] not in OPPOSITE_POSITION:
        return 0
    if not (query.scope_label or query.scope_speakers is not None or query.speaker_types) or _names_anyone(query):
        return 0
    speakers: dict[str, bool] = {}
    for corpus in corpora:
        for p in scope_positions(corpus, query):
            s = corpus.data.statements[p]
            stance = s.stance_on(obj)
            if stance is None:
                continue
            opposed = stance.position == OPPOSITE_POSITION[positions[0]]
            speakers[s.speaker] = speakers.get(s.speaker, True) and opposed
    return len(speakers) if speakers and all(speakers.values()) else 0


def _object_label(obj: str, corpora) -> str:
    if obj == "country":
        concerned = [s.speaker for c in corpora for s in c.data.statements if s.speaker_type == "country_concerned"]
        if concerned:
            return f"the country concerned ({concerned[0]})"
    return OBJECT_LABELS[obj]


def _overview(query: Query, corpora, composer: Composer) -> Reply:
    if query.stance:
        return _stance_list(query, corpora, composer, (query.stance,))
    if query.speaker_types or query.scope_speakers is not None or query.group or query.any_group:
        return _scope_overview(query, corpora, composer)
    acts = load_model().acts(query.asked or query.question)
    if acts in ({"disapprove"}, {"approve"}):  # "the main criticisms", "its supporters": one side asked
        side = "critical" if acts == {"disapprove"} else "supportive"
        return _stance_list(query.model_copy(update={"stance": side}), corpora, composer, (side,))
    sections = []
    for corpus in corpora:
        panel = [p for p in scope_positions(corpus, query) if corpus.data.statements[p].speaker_type == "panel"][:1]
        for p in panel:
            s = corpus.data.statements[p]
            sections.append(f"The report, as presented:\n{composer.line(s, _summary(corpus, p))}")
    stances = _stance_list(query, corpora, composer, ("critical", "supportive"))
    if not stances.abstained:
        sections.append(stances.text)
    if not sections:
        return Reply("No statement in this dialogue falls within that scope.", True)
    return Reply("\n\n".join(sections))


def _scope_overview(query: Query, corpora, composer: Composer) -> Reply:
    """ "What were the main concerns of the NGOs?": each speaker in scope, by the sentences closest to its whole statement."""
    lines, speakers = [], set()
    for corpus in corpora:
        for p in scope_positions(corpus, query):
            s = corpus.data.statements[p]
            if s.speaker != "unknown" and s.sentences:
                speakers.add(s.speaker)
                lines.append(composer.line(s, corpus.central_sentences(p, SUMMARY_SENTENCES)))
    if not lines:
        return _nobody_in_scope(query)
    return Reply(f"What {_counted(query, len(speakers))} said, in the sentences closest to each statement as a whole:\n" + "\n".join(lines))


ACT_HEADS = {"demand": "what each called for", "approve": "what each welcomed", "disapprove": "what each condemned"}


def _roster(query: Query, corpora, composer: Composer) -> Reply:
    model = load_model()
    acts = [a for a in ACT_HEADS if a in model.acts(query.asked or query.question)]  # "what did the NGOs call for?"
    lines, speakers, acting = [], set(), 0
    for corpus in corpora:
        for p in scope_positions(corpus, query):
            s = corpus.data.statements[p]
            if s.speaker == "unknown":
                continue
            speakers.add(s.speaker)
            doing = next((x for x in s.sentences if set(acts) & model.acts(x.text)), None) if acts else None
            acting += doing is not None
            lines.append(composer.line(s, [doing or corpus.opening(p)]))
    listed = [n for c in corpora for n in c.data.info.listed_speakers] if (
        query.scope_speakers is None and not query.group and not query.any_group) else []
    if not lines:
        return _nobody_in_scope(query)
    behalf = f" on behalf of the {query.group}" if query.group else " on behalf of a group" if query.any_group else ""
    head = f"{_counted(query, len(speakers))} took the floor{behalf}:"
    if acting:
        head = f"{_counted(query, len(speakers))} took the floor{behalf}; {ACT_HEADS[acts[0]]}:"
    if query.group and {fold(n) for n in speakers} == {fold(query.group)}:
        head = f"The {_without_article(query.group)} took the floor itself:"
    if query.yes_no:
        head = "Yes. " + head
    tail = f"\n\nAlso listed as speakers, with no text in the summary: {', '.join(listed)}." if listed else ""
    return Reply(head + "\n" + "\n".join(lines) + tail)


def _order(query: Query, corpora, composer: Composer) -> Reply:
    corpus = corpora[0]
    statements = corpus.data.statements
    sequence = [p for p in scope_positions(corpus, query, with_speakers=False) if statements[p].speaker_type != "panel"]
    if not sequence:
        return _nobody_in_scope(query)
    if query.order_anchor:
        anchor = next((p for p, s in enumerate(statements) if s.speaker == query.order_anchor), None)
        if anchor is None:
            return Reply(f"{query.order_anchor} did not take the floor in this dialogue.", True)
        after = [p for p in sequence if p > anchor] if query.order_offset > 0 else [p for p in reversed(sequence) if p < anchor]
        steps = abs(query.order_offset)
        if len(after) < steps:
            return Reply(f"Nobody {'after' if query.order_offset > 0 else 'before'} {query.order_anchor} is in that scope.", True)
        found = statements[after[steps - 1]]
        where = f"{'after' if query.order_offset > 0 else 'before'} {query.order_anchor}"
    else:
        index = query.order_offset - 1 if query.order_offset > 0 else query.order_offset
        if abs(query.order_offset) > len(sequence):
            return Reply(f"Only {len(sequence)} {_scope_noun(query, len(sequence))} took the floor.", True)
        found = statements[sequence[index]]
        where = "first in the debate" if query.order_offset == 1 else "last in the debate" if query.order_offset == -1 else f"number {query.order_offset} in the debate"
    return Reply(f"{found.speaker} spoke {where} (statement {found.order} of the document):\n{composer.line(found, [corpus.opening(corpus.position(found))])}")


def _count(query: Query, corpora, composer: Composer) -> Reply:
    if query.speakers or query.missing_speakers:
        lines = _absence_lines(query, corpora)
        for name in query.speakers:
            mine = [s for c in corpora for s in c.data.statements if s.speaker == name]
            lines.append(f"{name} made {len(mine)} statement{'s' if len(mine) != 1 else ''}:\n"
                         + "\n".join(composer.line(s, s.sentences[:1]) for s in mine))
        return Reply("\n\n".join(lines), abstained=not composer.citations)
    framing = load_model().question_words
    if query.stance or any(w.lower() not in framing for w in re.findall(r"[\w'’-]+", query.topic)):
        return _list(query, corpora, composer)
    figures = "; ".join(p.text for c in corpora for p in c.data.info.participation)
    roster = _roster(query.model_copy(update={"topic": ""}), corpora, composer)
    if figures:
        return Reply(f"The document's participation figures: {figures}.\n\n{roster.text}", roster.abstained)
    return roster


def _fact(query: Query, corpora, composer: Composer) -> Reply:
    parts = []
    for corpus in corpora:
        info = corpus.data.info
        where = f"“{info.title}” ({info.session or 'session not stated'}, {info.date_text or 'date not stated'})"
        if query.fact == "participation":
            counts: dict[str, int] = {}
            for s in corpus.data.statements:
                counts[s.speaker_type] = counts.get(s.speaker_type, 0) + 1
            asked = [p for p in info.participation if _figure_of(p.label, query.speaker_types)]
            if asked:
                parts.append(f"{where}: the document records {'; '.join(p.text for p in asked)}.")
                continue
            figures = "; ".join(p.text for p in info.participation)
            spoken = ", ".join(f"{n} {SPEAKER_TYPE_LABELS.get(kind, kind)}" for kind, n in counts.items())
            parts.append(
                f"{where}: " + (f"the document's participation figures are: {figures}." if figures else "the document gives no participation figures.")
                + f" Statements in the document: {len(corpus.data.statements)} ({spoken})."
            )
        elif query.fact == "high_level":
            lines = [composer.line(s, s.sentences[:1]) for s in corpus.data.statements
                     if s.speaker_type != "panel" and s.sentences and _high_level(s.sentences[0].text)]
            parts.append(f"High-level speakers in {where}:\n" + "\n".join(lines) if lines else f"{where}: no statement opens with the title of a minister or head of state.")
        elif query.fact == "mandate":
            said = f"{where}: the dialogue is with the {info.mandate}." if info.mandate else f"{where}: the document does not state the mandate beyond its title."
            presenter = next((s for s in corpus.data.statements if s.speaker_type == "panel" and s.sentences), None)
            parts.append(said + (f" The report was presented by:\n{composer.line(presenter, presenter.sentences[:1])}" if presenter else ""))
        elif query.fact == "date":
            parts.append(f"{where} was held on {info.date_text}." if info.date_text else f"{where}: the document does not state its date.")
        elif query.fact == "session":
            parts.append(f"{where} took place at the {info.session} session of the Human Rights Council." if info.session else f"{where}: the document does not state its session.")
        else:
            parts.append(f"The document is {where}.")
    return Reply("\n\n".join(parts))


@cache
def _participation_words() -> dict[str, re.Pattern]:
    raw = json.loads(QUESTION_WORDS.read_text(encoding="utf-8"))["participation_labels"]
    return {kind: re.compile("|".join(raw[kind]), re.I) for kind in ("high_level", "igo", "ngo", "state")}


def _figure_of(label: str, speaker_types) -> bool:
    """Whether a participation figure's label ("State Delegations") counts speakers of the asked types."""
    patterns = _participation_words()
    kinds = [k for k in speaker_types if k in patterns]
    own = [k for k, pattern in patterns.items() if pattern.search(label)]
    return bool(kinds) and bool(own) and own[0] in kinds


@cache
def _office_titles() -> tuple[re.Pattern, ...]:
    titles = json.loads(OFFICE_TITLES.read_text(encoding="utf-8"))["titles"]
    return tuple(re.compile(rf"(?<!\w){re.escape(t)}(?!\w)") for t in titles)


def _high_level(text: str) -> bool:
    return any(p.search(text) for p in _office_titles())


HANDLERS: dict[str, Callable[[Query, list, Composer], Reply]] = {
    "speaker": _speaker, "list": _list, "compare": _compare, "overview": _overview, "fact": _fact,
    "roster": _roster, "order": _order, "count": _count,
}
