"""The offline answerer: answers composed only of verbatim sentences, each with its citation.

No LLM and no network: every quote is a sentence span of the statement it is attributed
to, numbered [n] in the order it appears, and checked again before the answer leaves.
"""

from __future__ import annotations

import re
import time

import numpy as np

from assistant.models import Answer, Citation, Statement
from assistant.understand import Query

# A sentence addresses the topic when every topic concept appears in it, or when it is close in
# meaning and shares at least part of the wording. Tuned on eval/gold.jsonl; see eval/README.md.
DENSE_ALONE = 0.72
DENSE_WITH_WORDS = 0.42
PARTIAL_WORDS = 0.5
MAX_QUOTES_ONE_SPEAKER = 3

CRITICAL_PROTOTYPES = (
    "rejects country-specific mandates established without the consent of the country concerned",
    "opposes the politicisation, selectivity and double standards of the Human Rights Council",
    "opposes interference in the internal affairs of a sovereign state under the pretext of human rights",
    "unilateral coercive measures and sanctions harm the people and should be lifted",
    "the report is biased and relies on unverified sources",
    "takes note of the report and welcomes the government's efforts and cooperation",
)
SUPPORTIVE_PROTOTYPES = (
    "thanks the experts for the report and supports their mandate",
    "condemns the human rights violations and calls for the release of all political prisoners",
    "is deeply concerned about repression, torture and arbitrary detention",
    "calls for accountability for crimes against humanity",
)


_CRITICAL_WORDS = re.compile(
    r"without (?:the )?consent|politici[sz]|selectiv|double standards|interference|sovereign|coercive measures|\bUCMs?\b"
    r"|country[- ]specific|non-consensual|biased|impos(?:ed|ition)|unilateral", re.I)
_SUPPORTIVE_WORDS = re.compile(
    r"political prisoners|crimes? against humanity|repression|torture|accountab|impunity|arbitrar|release|persecut"
    r"|thanks? the (?:group|experts)|supports? (?:the|their|its)|condemn", re.I)


_HIGH_LEVEL = re.compile(r"\bH\.\s?E\.|\b(?:Prime |Deputy |Vice[- ])?Minister\b|\bPresident of\b|\bSecretary of State\b|\bVice[- ]President\b")
_ASKS_CRITICAL = re.compile(r"\b(?:criticis|criticiz|condemn|denounc|reject|oppos|object|deplor|disput|question(?:ed|s)? the)", re.I)
_ASKS_SUPPORTIVE = re.compile(r"\b(?:prais|welcom|commend|defend|support|back(?:ed|s)?\b|endors|applaud|hail|appreciat)", re.I)
_NEGATIVE = re.compile(
    r"\b(?:condemn|reject|oppos|deplor|regret|denounc|cease|lift(?:ing)?\b|harm|unjustified|illegal|unlawful|adversely|"
    r"fraudulent|sham|so-called|not free|neither free|cannot be considered|illegitimate|unacceptable|concern|alarm|"
    r"violat|end to|put an end|stop|must not|no candidates|absence of)", re.I)
_POSITIVE = re.compile(
    r"\b(?:welcom|commend|prais|support|appreciat|acknowledg|recogni[sz]|success|free elections|popular support|confirm|"
    r"positive|progress|achievement|stability|congratulat|note[sd]? with satisfaction|respects?)", re.I)


def question_polarity(question: str) -> int:
    """+1 when the question asks who praised or defended, -1 who criticised or condemned, 0 otherwise."""
    critical, supportive = bool(_ASKS_CRITICAL.search(question)), bool(_ASKS_SUPPORTIVE.search(question))
    return 0 if critical == supportive else (1 if supportive else -1)


def sentence_polarity(sentence: str) -> int:
    """The evident stance of a sentence: +1 only approving words, -1 only disapproving, else 0."""
    positive, negative = bool(_POSITIVE.search(sentence)), bool(_NEGATIVE.search(sentence))
    return 0 if positive == negative else (1 if positive else -1)


class Composer:
    """Collects quotes, numbers them and renders the answer text."""

    def __init__(self):
        self.citations: list[Citation] = []

    def cite(self, statement: Statement, sentence) -> str:
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
        return " ".join(f"“{s.text}” {self.cite(statement, s)}" for s in sorted(sentences, key=lambda s: s.index))


def label(statement: Statement) -> str:
    behalf = f", on behalf of the {statement.on_behalf_of}" if statement.on_behalf_of else ""
    kind = {"panel": "expert", "country_concerned": "country concerned", "state": "state", "igo": "intergovernmental organisation", "ngo": "NGO"}.get(statement.speaker_type, statement.speaker_type)
    role = f", {statement.role}" if statement.role and statement.speaker_type == "panel" else ""
    return f"**{statement.speaker}** ({kind}{role}{behalf}, p. {statement.page_start})"


def answer_offline(query: Query, corpora, assistant, timings: dict) -> Answer:
    """Compose an answer from verbatim sentences for any query shape."""
    t0 = time.perf_counter()
    composer = Composer()
    handler = {
        "fact": _fact, "speaker": _speaker, "compare": _compare, "list": _list, "overview": _overview,
    }[query.intent]
    text, abstained = handler(query, corpora, composer)
    timings["retrieval_and_composition"] = (time.perf_counter() - t0) * 1000
    citations = tuple(composer.citations) if not abstained else ()
    verify_citations(citations, corpora)
    return Answer(question=query.question, answer=text, citations=citations, abstained=abstained)


def verify_citations(citations, corpora) -> None:
    """Every citation names an existing statement, its speaker, and a verbatim span of it."""
    by_id = {s.statement_id: s for c in corpora for s in c.data.statements}
    for citation in citations:
        statement = by_id.get(citation.statement_id)
        if statement is None or statement.speaker != citation.speaker:
            raise AssertionError(f"citation [{citation.n}] names no such statement")
        if statement.text[citation.char_start:citation.char_end] != citation.quote:
            raise AssertionError(f"citation [{citation.n}] is not a verbatim span of {citation.statement_id}")


# ---------------------------------------------------------------- relevance


def _relevant(hits, corpus=None, topic: str = "", lenient: bool = False) -> list:
    """The hits that address the topic, best first.

    Short topics need all their concepts; longer ones two thirds. A strong meaning match
    alone also counts, and a weaker one with part of the wording.
    """
    if not hits:
        return []
    n = max(1, len(corpus.concepts(topic))) if corpus is not None else 1
    words_needed = (0.999 if n <= 2 else 0.66) if not lenient else 0.5  # lenient: the speaker is already fixed
    partial = 0.5 if n <= 2 else 0.34
    with_words = DENSE_WITH_WORDS + (0.12 if n <= 2 else 0.0)  # half of a two-concept topic is weak evidence
    good = [h for h in hits if h.coverage >= words_needed or h.dense >= DENSE_ALONE or (h.coverage >= partial and h.dense >= with_words)]
    return sorted(good, key=lambda h: -h.score)


def _positions(corpus, query: Query) -> list[int]:
    positions = []
    for i, s in enumerate(corpus.data.statements):
        if query.speakers and s.speaker not in query.speakers:
            continue
        if query.speaker_types and s.speaker_type not in query.speaker_types:
            continue
        if query.group and not _same_group(s.on_behalf_of, query.group):
            continue
        positions.append(i)
    return positions


def _same_group(actual: str | None, asked: str) -> bool:
    if not actual:
        return False
    if re.fullmatch(r"(?:a |any |the )?(?:groups?|group of (?:countries|states)|several countries|other countries)", asked.strip(), re.I):
        return True
    a, b = actual.lower(), asked.lower()
    return a in b or b in a or set(a.split()) & set(b.split()) - {"the", "of", "group", "countries", "states", "in", "a"} != set()


def _topic_label(query: Query) -> str:
    return query.topic_phrase or query.topic or "this"


# ---------------------------------------------------------------- shapes


def _fact(query: Query, corpora, composer) -> tuple[str, bool]:
    parts = []
    for corpus in corpora:
        info = corpus.data.info
        counts = {}
        for s in corpus.data.statements:
            counts[s.speaker_type] = counts.get(s.speaker_type, 0) + 1
        if query.fact == "participation":
            figures = "; ".join(p.text for p in info.participation)
            spoken = ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in counts.items())
            parts.append(
                f"{info.title} ({info.session or 'session not stated'}, {info.date_text or 'date not stated'}): "
                + (f"the document's participation figures are: {figures}." if figures else "the document gives no participation figures.")
                + f" Statements in the document: {len(corpus.data.statements)} ({spoken})."
            )
        else:
            parts.append(f"{info.title}: session {info.session or 'not stated'}, held on {info.date_text or 'a date not stated'}.")
        if re.search(r"dignitar|minister|high-level|high level|who delivered|in person", query.question, re.I):
            # Who the high-level speakers were: statements whose opening names an office holder.
            for s in corpus.data.statements:
                opening = s.sentences[0] if s.sentences else None
                if opening and _HIGH_LEVEL.search(opening.text) and s.speaker_type != "panel":
                    parts.append(f"- {label(s)}: {composer.quote(s, [opening])}")
    return "\n\n".join(parts[:1]) + ("\n" + "\n".join(parts[1:]) if len(parts) > 1 else ""), False


def _speaker(query: Query, corpora, composer) -> tuple[str, bool]:
    lines, any_quote = [], False
    for name in query.missing_speakers:
        lines.append(f"{name} did not take the floor in this dialogue: the document has no statement by {name}.")
    for name in query.speakers:
        text, quoted = _one_speaker(name, query, corpora, composer)
        lines.append(text)
        any_quote = any_quote or quoted
    return "\n\n".join(lines), not any_quote


def _one_speaker(name: str, query: Query, corpora, composer, strict: bool = False) -> tuple[str, bool]:
    """One speaker's answer; `strict` reports no passage rather than the closest ones."""
    for corpus in corpora:
        positions = [i for i, s in enumerate(corpus.data.statements) if s.speaker == name]
        if not positions:
            continue
        statements = [corpus.data.statements[i] for i in positions]
        if query.asks_group:
            first = statements[0]
            parts = []
            for s in statements:
                behalf = f"on behalf of the {s.on_behalf_of}" if s.on_behalf_of else "in its national capacity"
                parts.append(f"{label(s)} spoke {behalf}: {composer.quote(s, [s.sentences[0]])}")
            return "\n".join(parts), True
        if not query.topic:
            return _summary(statements, corpus, composer), True
        hits = corpus.sentence_hits(query.topic, positions)
        relevant = _relevant(hits, corpus, query.topic, lenient=len(query.speakers) <= 2)
        closest = ""
        if not relevant:
            if strict or not hits:
                return f"{name}'s statement does not mention {_topic_label(query)}.", False
            if query.yes_no and re.search(r"\b(?:mention|refer|raise|talk|speak|say anything|cite|name)", query.question, re.I):
                return f"No. {name}'s statement does not mention {_topic_label(query)}.", False
            # The question is about this speaker; when no passage matches the wording, show the closest.
            relevant = sorted(hits, key=lambda h: -h.score)[:2]
            closest = f"{name} did not speak of {_topic_label(query)} in those words; the closest passages:\n"
        chosen = relevant[:MAX_QUOTES_ONE_SPEAKER]
        parts = []
        for s in statements:
            mine = [h.sentence for h in chosen if h.statement is s]
            if mine:
                parts.append(f"{label(s)}: {composer.quote(s, mine)}")
        # "Yes." answers only whether something was mentioned; a stance ("Does France support X?") is left to the quotes.
        mentioned = bool(re.search(r"\b(?:mention|refer|raise|talk|speak|say anything|cite|name|address|discuss)", query.question, re.I))
        prefix = "Yes. " if query.yes_no and mentioned and not closest else closest
        return prefix + "\n".join(parts), True
    return f"{name} did not take the floor in this dialogue.", False


def _summary(statements: list[Statement], corpus, composer) -> str:
    """The gist of a speaker's statement(s): the sentences closest to the statement as a whole."""
    parts = []
    for s in statements:
        position = corpus.position(s)
        rows = [r for r, (p, _) in enumerate(corpus.data.sentence_rows) if p == position]
        if not rows:
            continue
        vectors = corpus.data.vectors[rows]
        centre = vectors.mean(axis=0)
        scores = vectors @ (centre / (np.linalg.norm(centre) or 1.0))
        best = sorted(np.argsort(-scores)[:2].tolist() + [0])
        chosen = [s.sentences[corpus.data.sentence_rows[rows[i]][1]] for i in dict.fromkeys(best)]
        parts.append(f"{label(s)}: {composer.quote(s, chosen)}")
    return "\n".join(parts)


def _compare(query: Query, corpora, composer) -> tuple[str, bool]:
    lines, quoted = [], False
    for name in query.missing_speakers:
        lines.append(f"- {name} did not take the floor in this dialogue.")
    # Each speaker is held to the topic; if none addressed it, show each one's closest passages.
    strict = bool(query.topic)
    if strict and not any(_one_speaker(name, query, corpora, Composer(), strict=True)[1] for name in query.speakers):
        strict = False
    for name in query.speakers:
        text, ok = _one_speaker(name, query, corpora, composer, strict=strict)
        if ok or len(query.speakers) <= 2:  # a group ("the experts"): only the members who spoke to it
            lines.append(f"- {text}")
        quoted = quoted or ok
    topic = f" on {_topic_label(query)}" if query.topic else ""
    return f"Compared{topic}:\n" + "\n".join(lines), not quoted


def _scope_noun(query: Query) -> str:
    types = set(query.speaker_types)
    if types == {"ngo"}:
        return "NGOs"
    if types == {"igo"}:
        return "intergovernmental organisations"
    if types and types <= {"state", "country_concerned"}:
        return "delegations"
    if types == {"panel"}:
        return "experts"
    return "speakers"


def _list(query: Query, corpora, composer) -> tuple[str, bool]:
    lines = []
    noun = _scope_noun(query)
    for corpus in corpora:
        positions = _positions(corpus, query)
        if not positions:
            continue
        if query.topic:
            hits = _relevant(corpus.sentence_hits(query.topic, positions), corpus, query.topic)
            polarity = question_polarity(query.question)
            if polarity:
                hits = [h for h in hits if sentence_polarity(h.sentence.text) != -polarity]
            best: dict[str, object] = {}
            for h in hits:
                best.setdefault(h.statement.statement_id, h)
            chosen = sorted(best.values(), key=lambda h: h.statement.order)
            for h in chosen:
                lines.append(f"- {label(h.statement)}: {composer.quote(h.statement, [h.sentence])}")
        else:
            for i in positions:
                s = corpus.data.statements[i]
                lines.append(f"- {label(s)}: {composer.quote(s, [s.sentences[0]])}")
    group = f" on behalf of the {query.group}" if query.group else ""
    if not lines:
        about = f" about {_topic_label(query)}" if query.topic else group
        return f"No {noun} in this dialogue spoke{about}: the document has no such statement.", True
    count = len(lines)
    about = f" addressed {_topic_label(query)}" if query.topic else f" spoke{group}"
    head = f"{'Yes. ' if query.yes_no else ''}{count} {noun if count != 1 else noun.rstrip('s')}{about}:"
    return head + "\n" + "\n".join(lines), False


def _prototype_vectors(assistant):
    """Embeddings of the stance prototypes, computed once per Assistant."""
    cached = getattr(assistant, "_stance_prototypes", None)
    if cached is None:
        cached = (
            np.stack([assistant.embed_query(p) for p in CRITICAL_PROTOTYPES]),
            np.stack([assistant.embed_query(p) for p in SUPPORTIVE_PROTOTYPES]),
        )
        assistant._stance_prototypes = cached
    return cached


def _overview(query: Query, corpora, composer) -> tuple[str, bool]:
    sections = []
    for corpus in corpora:
        critical_vectors, supportive_vectors = _prototype_vectors(corpus.assistant)
        groups: dict[str, list[tuple[Statement, object, float]]] = {"critical": [], "supportive": []}
        scope = set(query.speaker_types) or {"state", "igo", "ngo", "country_concerned"}
        for position, s in enumerate(corpus.data.statements):
            if s.speaker_type not in scope or s.speaker_type == "panel":
                continue
            rows = [r for r, (p, _) in enumerate(corpus.data.sentence_rows) if p == position]
            vectors = corpus.data.vectors[rows]
            critical = (vectors @ critical_vectors.T).max(axis=1)
            supportive = (vectors @ supportive_vectors.T).max(axis=1)
            lexical = len(_CRITICAL_WORDS.findall(s.text)) - len(_SUPPORTIVE_WORDS.findall(s.text))
            stance = "critical" if critical.max() - supportive.max() + 0.04 * lexical > 0 else "supportive"
            key = critical if stance == "critical" else supportive
            best_row = rows[int(np.argmax(key))]
            sentence = s.sentences[corpus.data.sentence_rows[best_row][1]]
            groups[stance].append((s, sentence, float(key.max())))
        wanted = [query.stance] if query.stance else ["critical", "supportive"]
        for stance in wanted:
            members = sorted(groups[stance], key=lambda item: item[0].order)
            if not members:
                continue
            title = "Critical of the report and the mandate" if stance == "critical" else "Supportive of the report and the experts"
            lines = [f"- {label(s)}: {composer.quote(s, [sentence])}" for s, sentence, _ in members]
            sections.append(f"{title} ({len(members)}):\n" + "\n".join(lines))
    if not sections:
        return "No statement in this dialogue takes such a position.", True
    return "\n\n".join(sections), False
