"""Who a paragraph's opening reporting clause names as its speaker, in any summary layout.

"Speaking on behalf of the African Group, Cameroon stressed …", "Kenya, speaking as a country
concerned, said …", "Erik Hansen, Chair of the Commission, said …", "The representative of Chile
urged …", "Chile's Permanent Representative regretted …", "Ms. Hansen said …", "Rural Water
Network said …". A subject that stands for many ("Speakers said", "Developing countries
expressed") is collective, never a speaker; a pronoun ("It urged") names nobody new.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant import gazetteer
from assistant.text import STOPWORDS
from index.vocabulary import vocabulary

# A leading adverbial or participial clause before the subject: "Presenting her report, ",
# "In concluding remarks, ", "Speaking on behalf of the African Group, ".
_LEAD = re.compile(r"^(?P<lead>(?:[A-Z][a-z]+ing|In|On|At|During|After|Before|Following|Also|Responding|Turning)\b[^,.;]{0,140}),\s+(?=\S)")
_BEHALF = re.compile(r"\b(?:on behalf of|speaking for|in the name of)\s+(?P<group>.+)$", re.I)
_CONNECTORS = {"of", "for", "and", "the", "on", "in", "de", "des", "du", "la", "le", "et", "&", "-", "–", "against", "to", "y",
               "pour", "al", "el", "van", "von", "der", "da", "di", "dos", "das", "bin", "ibn"}
_NAME_TOKEN = re.compile(r"[\w'’.&]+|[-–]|,")  # a comma ends a name
_STATE_ROLE_BEFORE = re.compile(
    r"^(?:The\s+)?(?:Deputy\s+)?(?:Permanent\s+Representative|[Rr]epresentative|[Dd]elegation|Ambassador|Observer|"
    r"(?:Foreign\s+|Deputy\s+|Vice-)?Minister(?:\s+(?:for|of)\s+[A-Z][\w\s]{0,40}?)?|Government|Permanent\s+Mission|"
    r"Chargé d'affaires)\s+(?:of|for)\s+"
)
_POSSESSIVE_ROLE = re.compile(r"^['’]s?\s+(?i:(?:Deputy\s+)?(?:Permanent\s+Representative|representative|delegation|ambassador|"
                              r"(?:Foreign\s+|Deputy\s+)?Minister(?:\s+(?:for|of)\s+[A-Z][\w\s]{0,40}?)?|Government|Observer))\b")
# "Mr. Haddad (Lebanon) said", "Ms. Kowalczyk (Observer for the European Union) said": a summary record names
# what its speaker speaks for in parentheses after the name.
_AFFILIATION = re.compile(r"^\s*\((?P<of>[^()]{2,250})\)")
# "The Chair of the Commission, Erik Hansen, said": a role, then the person holding it.
_ROLE_THEN_NAME = re.compile(r"^The\s+(?P<role>[^,;.]{3,160}),\s+(?P<name>(?:[A-Z][\w'’.-]*\s+){0,4}[A-Z][\w'’.-]*),\s*")


@dataclass(frozen=True)
class Clause:
    """The subject of a paragraph's opening reporting clause."""

    collective: bool = False  # many unnamed speakers: "Speakers said"
    procedural: bool = False  # about the meeting itself: "The Council is holding …" (collective too)
    name: str = ""
    kind: str = ""  # state | igo | group | org | person | person_ref | panel_ref
    role: str | None = None
    on_behalf_of: str | None = None
    concerned: bool = False  # "speaking as the country concerned"
    point_of_order: bool = False


def reporting_clause(text: str) -> Clause | None:
    """The speaker named by the reporting clause that opens `text`, a collective subject, or None."""
    vocab = vocabulary()
    salutation = vocab.salutation.match(text)  # "Mr. President, Argentina, speaking on behalf of …": an address, no one
    rest = text[salutation.end() if salutation else 0:][:500]
    behalf = None
    concerned = point_of_order = False
    for _ in range(3):
        lead = _LEAD.match(rest)
        if not lead:
            break
        phrase = lead.group("lead")
        behalf = behalf or _behalf_in(phrase)
        concerned = concerned or bool(vocab.country_concerned.search(phrase))
        point_of_order = point_of_order or bool(vocab.point_of_order.search(phrase))
        rest = rest[lead.end():]
    found = _subject(rest)
    if found is None:
        return None
    if found.collective:
        return found
    return Clause(
        name=found.name,
        kind=found.kind,
        role=found.role,
        on_behalf_of=found.on_behalf_of or behalf,
        concerned=found.concerned or concerned,
        point_of_order=found.point_of_order or point_of_order,
    )


def _subject(s: str) -> Clause | None:
    vocab = vocabulary()
    lowered = s.lower()
    if any(lowered.startswith(w + " ") for w in vocab.procedural_subjects):
        return Clause(collective=True, procedural=True)
    addressed = re.match(r"^\S+\s+(\S+)(?=\s)", s)  # "Mr. President said": the presiding officer, as "The President said"
    if addressed and vocab.salutation.fullmatch(addressed.group(0)) and vocab.presiding_label.match(f"The {addressed.group(1)}"):
        return Clause(collective=True, procedural=True)
    if _continues_speaker(s):
        return None
    # "The representative of Chile urged …"
    role = _STATE_ROLE_BEFORE.match(s)
    if role:
        match = gazetteer.match_at_start(s[role.end():], ("state", "igo", "group"))
        if match and match.form != "adjective":
            tail = _predicate(s[role.end() + match.end:])
            if tail is not None:
                return _with_clause(Clause(name=match.canonical, kind=match.kind), tail)
    match = gazetteer.match_at_start(s, ("state", "igo", "group"))
    if match and match.form != "adjective":
        after = s[match.end:]
        possessive = _POSSESSIVE_ROLE.match(after)  # "Chile's Permanent Representative regretted"
        if possessive:
            after = after[possessive.end():]
        tail = _predicate(after)
        if tail is not None:
            return _with_clause(Clause(name=match.canonical, kind=match.kind), tail)
    collective = _collective(s)
    if collective:
        return Clause(collective=True)
    panel = _panel_reference(s) or _role_then_name(s)
    if panel:
        return panel
    person = _person(s)
    if person:
        return person
    organisation = _organisation(s)
    if organisation:
        return organisation
    return None


def _continues_speaker(s: str) -> bool:
    lowered = s.lower()
    return any(lowered.startswith(w + " ") and vocabulary().verb.match(s[len(w) + 1:].lstrip())
               for w in vocabulary().continuation_subjects)


def _predicate(after: str, strict: bool = True) -> list[str] | None:
    """The clauses between a subject and its reporting verb ([] when none), or None when no verb follows.

    strict: a reporting verb proper, not an auxiliary ("X was", "X has"), for subjects that are
    not known names; summaries of any layout report speech with these, and "France was mentioned" is no statement.
    """
    verb = vocabulary().reporting_verb if strict else vocabulary().verb
    after = re.sub(r"^\s*\([^)]{1,60}\)", "", after)  # "(UK)", "(IBAHRI)"
    clauses: list[str] = []
    for _ in range(3):
        stripped = after.lstrip()
        if verb.match(stripped):
            return clauses
        # A clause may hold a parenthesis with dots: ", introducing her report (A/HRC/59/52/Add.1), said".
        clause = re.match(r"^\s*,\s*(?P<clause>(?:[^,.;()]|\([^()]{0,120}\)){1,200}?),\s*", after)
        if not clause:
            return None
        clauses.append(clause.group("clause"))
        after = after[clause.end():]
    return None


def _predicate_after_role(rest: str) -> list[str] | None:
    """After "Name, Role, ": the verb, or one more clause ("in concluding remarks, said")."""
    tail = _predicate(rest)
    return tail if tail is not None else _predicate(", " + rest)


def _with_clause(found: Clause, clauses: list[str]) -> Clause:
    vocab = vocabulary()
    behalf = next((b for b in map(_behalf_in, clauses) if b), None)
    return Clause(
        name=found.name,
        kind=found.kind,
        role=found.role,
        on_behalf_of=behalf,
        concerned=any(vocab.country_concerned.search(c) for c in clauses),
        point_of_order=any(vocab.point_of_order.search(c) for c in clauses),
    )


def _behalf_in(phrase: str) -> str | None:
    match = _BEHALF.search(phrase)
    return group_name(match.group("group")) if match else None


def group_name(raw: str) -> str:
    """Canonical name of a group spoken for: "the African Group" → "African Group"."""
    cleaned = re.sub(r"^(?:the|a|an)\s+", "", raw.strip(" ,"), flags=re.I)
    for candidate in (cleaned, re.sub(r"\s+of\s+(?:\d+\s+)?(?:countries|states)$", "", cleaned, flags=re.I)):
        known = gazetteer.canonical_name(candidate)
        if known:
            return known[0]
    return cleaned[:1].upper() + cleaned[1:]


def _collective(s: str) -> bool:
    """A subject that stands for many: "Speakers", "Several delegations", "Developing countries".

    The collective noun is the sentence's first word or written in lower case, so an organisation
    named "… Organizations" is not collective.
    """
    vocab = vocabulary()
    words = re.findall(r"[\w'’-]+", s[:160])
    head = [w.lower() for w in words[:3]]
    if len(head) >= 2 and head[1] in vocab.collective_nouns and (head[0] in vocab.collective_nouns or words[1][0].isupper()):
        return True  # "Several States, including …", "Member States said", "Other delegations"
    for i in range(1, min(len(words), 8)):
        if vocab.reporting_verb.match(" ".join(words[i:i + 3])):
            subject = words[:i]
            return subject[0].lower() in vocab.collective_nouns or any(
                w in vocab.collective_nouns for w in subject[1:])
    return False


def _panel_reference(s: str) -> Clause | None:
    """"The Special Rapporteur said …": the mandate holder, by role."""
    vocab = vocabulary()
    match = re.match(r"^The\s+", s)
    if not match:
        return None
    role = vocab.panel_role.match(s, match.end())
    if not role:
        return None
    # The role may run on ("The Special Rapporteur on the right to food said"), without punctuation.
    head = s[role.start():role.start() + 200]
    for verb_at in re.finditer(r"\s(?=[a-z])", head):
        if re.search(r"[,.;]", head[: verb_at.start()]):
            break
        if vocab.verb.match(head[verb_at.end():]):
            return Clause(name=role.group(0), kind="panel_ref", role=head[: verb_at.start()].strip())
    return None


def _role_then_name(s: str) -> Clause | None:
    match = _ROLE_THEN_NAME.match(s)
    if not match:
        return None
    tail = _predicate_after_role(s[match.end():])
    return _speaker_for_role(match.group("name"), match.group("role"), tail) if tail is not None else None


def _person(s: str) -> Clause | None:
    """"Erik Hansen, Chair of the Commission, said", "Ms. Hansen said", "Mr. HANSEN, in concluding remarks, said"."""
    vocab = vocabulary()
    title = vocab.person_title.match(s)
    start = title.end() if title else 0
    tokens = list(re.finditer(r"[^\W\d_][\w'’.\-]*", s[start:start + 120]))
    name_end = None
    for k, token in enumerate(tokens[:6]):
        gap = s[start + (tokens[k - 1].end() if k else 0):start + token.start()]
        if k and gap.strip():
            break
        word = token.group(0)
        # A surname may open with a particle after a title: "Mr. de Varennes", "Ms. van der Berg".
        following = next((t.group(0) for t in tokens[k + 1:] if t.group(0).lower() not in _CONNECTORS), "")
        particle = (k or title) and word.lower() in (_CONNECTORS if k else vocab.name_particles) and following[:1].isupper()
        if not (word[0].isupper() or particle):
            break
        name_end = start + token.end()
    if name_end is None:
        return None
    name = s[start:name_end].rstrip(".")
    if name.split()[0].lower() in STOPWORDS or (not title and len(name.split()) < 2):
        return None
    if title and vocab.presiding_label.match(f"The {name}"):
        return None  # "Mr. President": the presiding officer addressed, never a person's name
    after = s[name_end:]
    affiliation = _AFFILIATION.match(after) if title else None
    if affiliation:
        tail = _predicate(after[affiliation.end():])
        return _affiliated(name, affiliation.group("of"), tail) if tail is not None else None
    role = re.match(r"^\s*,\s*(?P<role>[^,;]{3,220}?),\s*", after)
    if role:
        tail = _predicate_after_role(after[role.end():])
        found = _speaker_for_role(name, role.group("role"), tail) if tail is not None else None
        if found:
            return found
    if title:
        tail = _predicate(after)
        if tail is not None:
            return _with_clause(Clause(name=person_name(name), kind="person_ref"), tail)
    return None


def _affiliated(name: str, affiliation: str, tail: list[str]) -> Clause:
    """The speaker of "Name (affiliation)": the State, organisation or group it names ("Observer for the European
    Union" is the European Union), a person in a State role or a mandate holder (by name, as every layout names
    experts: "Ms. Rivera (Special Rapporteur on …)"), else the organisation written (an NGO)."""
    entity = vocabulary().affiliation_prefix.sub("", affiliation.strip())
    known = gazetteer.canonical_name(entity)
    if known:
        return _with_clause(Clause(name=known[0], kind=known[1]), tail)
    in_role = _speaker_for_role(name, affiliation, tail)
    if in_role:
        return in_role
    return _with_clause(Clause(name=" ".join(entity.split()).replace("’", "'"), kind="org"), tail)


def _speaker_for_role(name: str, role: str, tail: list[str]) -> Clause | None:
    """A person speaking in a role: for a State ("Minister … of Chile") or as a mandate holder."""
    vocab = vocabulary()
    states = gazetteer.find_names(role, ("state",))
    # "Permanent Representative of Djibouti … and Chair-Rapporteur of the Social Forum": the last role is the one spoken in.
    last_role = re.split(r"\s+and\s+(?=[A-Z])", role)[-1]
    if vocab.panel_role.search(last_role) and not vocab.state_role.search(last_role) and last_role != role:
        return _with_clause(Clause(name=person_name(name), kind="person", role=role.strip()), tail)
    if states and vocab.state_role.search(role) and not vocab.mandate.search(role):
        return _with_clause(Clause(name=states[-1].canonical, kind="state"), tail)
    if vocab.panel_role.search(role):
        return _with_clause(Clause(name=person_name(name), kind="person", role=role.strip()), tail)
    return None


def _organisation(s: str) -> Clause | None:
    """A capitalised name followed by a reporting verb: "Rural Water Justice Network said"."""
    vocab = vocabulary()
    rest = re.sub(r"^The\s+", "", s[:220])
    words: list[str] = []
    for token in _NAME_TOKEN.finditer(rest):
        word = token.group(0)
        if word != "," and (word[0].isupper() or word[0].isdigit() or (words and word.lower() in _CONNECTORS)):
            words.append(word)
            continue
        if not words or words[-1].lower() in _CONNECTORS:
            return None
        tail = _predicate(rest[token.start():], strict=True)
        if tail is None:
            return None
        # One word is an organisation only when it looks like a name, not a sentence's subject
        # ("CIVICUS said", never "Journalists said").
        if len(words) == 1 and sum(c.isupper() for c in words[0]) < 2:
            return None
        raw = " ".join(words)
        known = gazetteer.canonical_name(raw)
        if known:
            return _with_clause(Clause(name=known[0], kind=known[1]), tail)
        return _with_clause(Clause(name=raw.replace("’", "'"), kind="org"), tail)
    return None


def person_name(raw: str) -> str:
    """"Ingrid SOLVANG-ADEBAYO" → "Ingrid Solvang-Adebayo"."""
    words = raw.split()
    # A particle inside a name stays lower case: "FERNAND DE VARENNES" → "Fernand de Varennes".
    return " ".join(
        w.lower() if k and w.isupper() and w.lower() in vocabulary().name_particles else w.title() if w.isupper() and len(w) > 1 else w
        for k, w in enumerate(words)
    )
