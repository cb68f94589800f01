"""Question understanding: what is asked, about whom, in which scope, on which topic.

A question becomes a `Query` (assistant/models.py). What kind of question it is comes from the k-NN
intent router over labelled examples (assistant/intents.py); crisp facts come from crisp detectors:
named speakers (`SpeakerIndex`, built from the statements in scope), roles ("the Chair"), speaker types
("NGOs"), regions and blocs (assistant/regions.py), "on behalf of", stance verbs and their object, and
references to earlier turns. The words those detectors look for are data (`data/question_words.json`).
A misspelt speaker name ("Zimbabwae") is corrected against the speakers of the documents in scope, by
edit distance, only for words the documents never use; chat spellings ("abt") are written out. A meeting
fact is asked only when the question holds nothing beyond the meeting's own words, and a topic gets a
headline label only when it is the noun phrase after a verb of saying.
A claim that ends by asking for its source ("someone called the vote a farce — who said that?") is asked as
"who called the vote a farce?".
History comes in with every call, so the engine stays stateless: "And China?" keeps the topic, "which of
them…" keeps the speakers of the previous answer, "the second one" or "the one working on defenders in the
east" picks one of them (by its place in that answer, or by words of its name), and "and how much…?" goes on
with the speaker of the turn before.
"""

from __future__ import annotations

import json
import re
import threading
import weakref
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from assistant import gazetteer, regions
from assistant.lookalike import clean, edits, fold
from assistant.models import Message, Query
from assistant.text import is_function_word, sentence_spans, stem

__all__ = ["Query", "SpeakerIndex", "fold", "speaker_index", "understand"]

_INTENTS = frozenset(("speaker", "list", "compare", "overview", "fact", "roster", "order", "count"))
WORDS_FILE = Path(__file__).resolve().parent / "data" / "question_words.json"
REFERENCES_FILE = Path(__file__).resolve().parent / "data" / "speaker_references.json"
_SPEAKER_NOUNS = ("delegation", "delegate", "representative", "government", "authorities", "side", "ambassador", "minister",
                  "statement", "position", "view", "stance", "response", "remarks")
# "the experts' report", "the Rapporteur's mandate": the role owns the topic, it is not the speaker.
_OWNED = r"(?:report|reports|mandate|work|findings|visit|recommendations|conclusions|methods)\b"
_CONNECTORS = frozenset("of the a an and for on in to against with by from".split())  # may sit inside a topic label
_QUESTION_START = ("what", "which", "who", "whom", "whose", "how", "when", "where", "why", "did", "does", "do", "has", "have",
                   "had", "was", "were", "is", "are", "can", "could", "would", "will", "list", "name", "give", "tell", "compare",
                   "summarise", "summarize", "any", "according", "in", "on", "for")


# ---------------------------------------------------------------- vocabulary (data files)

@cache
def words() -> dict:
    return json.loads(WORDS_FILE.read_text(encoding="utf-8"))


def _alternation(phrases) -> str:
    return "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in sorted(set(phrases), key=len, reverse=True))


@cache
def _pattern(*path: str) -> re.Pattern:
    """Whole-word, case-insensitive pattern of the phrase list at `path` in question_words.json."""
    node = words()
    for key in path:
        node = node[key]
    return re.compile(rf"(?<![\w-])(?:{_alternation(node)})(?![\w-])", re.I)


@cache
def _scaffolding() -> frozenset[str]:
    return frozenset(words()["scaffolding"]["words"]) | {"both", "either", "neither"}


@cache
def _capitals() -> dict[str, str]:
    """Folded capital -> ISO3 (from speaker_references.json, generated from a maintained package)."""
    if not REFERENCES_FILE.exists():
        return {}
    states = json.loads(REFERENCES_FILE.read_text(encoding="utf-8")).get("states", {})
    return {fold(capital): code for code, entry in states.items() for capital in entry.get("capitals", ()) if len(capital) > 3}


# ---------------------------------------------------------------- speakers named in a question

class SpeakerIndex:
    """Every way a question may name a speaker of the documents in scope. Search cleaned text (`lookalike.clean`)."""

    def __init__(self, corpora):
        self.statements = [s for corpus in corpora for s in corpus.data.statements]
        self.infos = [corpus.data.info for corpus in corpora]
        self.names = list(dict.fromkeys(s.speaker for s in self.statements if s.speaker != "unknown"))
        self.types = {s.speaker: s.speaker_type for s in self.statements}
        self.concerned = {s.speaker for s in self.statements if s.speaker_type == "country_concerned"}
        self.folded_names = {fold(n): n for n in self.names}
        self.aliases: list[tuple[re.Pattern, str]] = []
        # Misspelt names ("Zimbabwae", "Lichtenstein") are matched against the speakers' own names and aliases.
        self.spellings: dict[tuple[int, int], list[tuple[str, str]]] = {}  # (words, characters) -> (folded alias, name)
        for name in self.names:
            for alias in self._aliases_of(name):
                flags = 0 if (alias.isupper() and len(alias) <= 6) else re.I
                text = alias if flags == 0 else fold(alias)
                self.aliases.append((re.compile(rf"(?<![\w-]){re.escape(text)}(?![\w-])", flags), name))
                if flags and len(text) >= 5 and not any(ch.isdigit() for ch in text):
                    self.spellings.setdefault((len(text.split()), len(text)), []).append((text, name))
        for alias, name in self._partial_names():
            # Part of a name is a name only as written there, capitalised ("the Lakeside Committee", not "forms of
            # discrimination"); one word of it only after the question's first word ("what did Riverkeepers say").
            before = r"(?<=[\w,;:'’] )" if " " not in alias else r"(?<![\w-])"
            self.aliases.append((re.compile(rf"{before}{re.escape(alias)}(?![\w-])"), name))
            if " " in alias:
                # Several words of a name holding a proper word are that name in any case ("the lakeside committee"),
                # and one slip from it still is ("the lakeside committe").
                folded_alias = fold(alias)
                self.aliases.append((re.compile(rf"(?<![\w-]){re.escape(folded_alias)}(?![\w-])", re.I), name))
                if len(folded_alias) >= 9:
                    self.spellings.setdefault((len(folded_alias.split()), len(folded_alias)), []).append((folded_alias, name))
        self.aliases.sort(key=lambda pair: -len(pair[0].pattern))
        self._vocabulary: frozenset[str] | None = None
        self._stems: frozenset[str] | None = None

    def stems(self) -> frozenset[str]:
        """Stems of the document's words: "condemned" is no slip where the document says "condemns"."""
        if self._stems is None:
            self._stems = frozenset(stem(w) for w in self.vocabulary())
        return self._stems

    def vocabulary(self) -> frozenset[str]:
        """Every folded word of the statements in scope: a word the document uses is no misspelt name."""
        if self._vocabulary is None:
            self._vocabulary = frozenset(w for s in self.statements for w in re.findall(r"[\w'’-]+", fold(s.text)))
        return self._vocabulary

    def misspelt(self, folded: str, taken) -> list[tuple[int, int, str]]:
        """(start, end, canonical) of runs of words one or two edits from a speaker's name, outside `taken`."""
        tokens = [m for m in re.finditer(r"[\w'’-]+", folded)]
        vocabulary, scaffolding, found = self.vocabulary(), _scaffolding(), []
        # A misspelt name holds a word the document never uses; only runs with such a word are compared.
        unknown = [t.group(0) not in vocabulary and t.group(0) not in scaffolding for t in tokens]
        for size in sorted({size for size, _ in self.spellings}, reverse=True):
            for i in range(len(tokens) - size + 1):
                if not any(unknown[i:i + size]):
                    continue
                start, end = tokens[i].start(), tokens[i + size - 1].end()
                run = " ".join(t.group(0) for t in tokens[i:i + size])
                if len(run) < 5 or any(s < end and start < e for s, e in taken + [(f[0], f[1]) for f in found]):
                    continue
                if size == 1 and gazetteer.find_names(run, ("state", "igo"), ignore_case=True, adjectives=True):
                    continue
                most = 2 if len(run) >= 9 else 1
                # A short name is misspelt by a letter left out, doubled or swapped, not replaced ("Stain" is no "Spain").
                near = {name for length in range(len(run) - most, len(run) + most + 1) for alias, name in self.spellings.get((size, length), ())
                        if (alias[0] == run[0] or alias[1] == run[1]) and edits(run, alias, most) <= most
                        and (len(run) > 6 or len(run) != len(alias) or sorted(run) == sorted(alias))}
                if len(near) == 1:
                    found.append((start, end, near.pop()))
        return found

    def _aliases_of(self, name: str) -> set[str]:
        aliases = {name}
        known = gazetteer.canonical_name(name)
        if known:
            adjectives = set(gazetteer.STATE_ADJECTIVES.get(known[0], ()))
            aliases.update(a for a in gazetteer.all_aliases(known[0]) if (len(a) > 2 or a.isupper()) and a not in adjectives)
            # "the Russian delegation", "the Belarusian authorities": an adjective names a speaker only with such a noun.
            aliases.update(f"{a} {noun}" for a in adjectives for noun in _SPEAKER_NOUNS)
            aliases.update(f"the {a}" for a in adjectives if a.endswith(("ch", "sh", "se", "ss")))  # "the Dutch", "the French"
            aliases.update(f"the {a}s" for a in adjectives if a.endswith(("an", "i")))  # "the Iranians", "the Saudis"
        statement = next(s for s in self.statements if s.speaker == name)
        if statement.speaker_type == "panel":
            parts = name.split()
            aliases.update(p for p in parts[1:] if len(p) > 3)
            aliases.add(parts[-1])
        else:
            opening = statement.text[:300]
            for match in re.finditer(r"\(([A-Z][A-Za-z0-9]{1,9})\)", opening):
                aliases.add(match.group(1))  # an acronym the speaker defines for itself
            words_of_name = [w for w in re.findall(r"[A-Z][\w]*", name) if w not in ("The", "And", "Of", "For")]
            if len(words_of_name) >= 3 and statement.speaker_type in ("ngo", "igo"):
                aliases.add("".join(w[0] for w in words_of_name))
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

    def _partial_names(self) -> list[tuple[str, str]]:
        """(part, name): the runs of one to four words of an NGO's name by which journalists call it ("Riverkeepers",
        "the Lakeside Committee"). A run holds a proper word of that name alone: one the documents never write in
        lower case (so not "national", "torture"), in no other speaker's name, not a generic word of organisation
        names; and the run names no other speaker, state, region or bloc. A single word only when it heads a name
        whose other words are generic ("Riverkeepers International")."""
        generic = {w.casefold() for w in words()["organisation_name_words"]["words"]} | _scaffolding()
        not_speakers = {fold(n) for n in words()["organisation_name_words"]["not_speakers"]}
        lower = {w for s in self.statements for w in re.findall(r"(?<![\w'’-])[a-z][a-z'’-]*", s.text)}
        owners: dict[str, set[str]] = {}
        for name in self.names:
            for w in re.findall(r"\w+", name):
                owners.setdefault(w.casefold(), set()).add(name)

        def proper(word: str, name: str) -> bool:
            return word[0].isupper() and word.casefold() not in generic and word.lower() not in lower and owners.get(word.casefold()) == {name}

        found: dict[str, set[str]] = {}  # part -> the names it is a run of
        for name in (n for n in self.names if self.types.get(n) == "ngo"):
            ws = re.findall(r"\w+(?:['’]s\b)?", name)
            for size in range(1, min(4, len(ws) - 1) + 1):
                for i in range(len(ws) - size + 1):
                    run = ws[i:i + size]
                    if run[0].casefold() in _scaffolding() or run[-1].casefold() in _scaffolding():
                        continue
                    if size == 1 and (i > 0 or len(run[0]) < 4 or any(w.casefold() not in generic for w in ws[1:])):
                        continue  # one word only as the head of a name like "Riverkeepers International"
                    if any(proper(re.sub(r"['’]s$", "", w), name) for w in run):
                        found.setdefault(" ".join(run), set()).add(name)
                        if re.search(r"['’]s$", run[-1]):  # "the Lawyers Association" for "Lawyers Association's …"
                            found.setdefault(" ".join(run)[:-2], set()).add(name)
        return [(part, next(iter(names))) for part, names in found.items()
                if len(names) == 1 and fold(part) not in not_speakers and fold(part) not in self.folded_names
                and not gazetteer.find_names(part, ignore_case=True, adjectives=True) and not regions.find_blocs(part)]

    def find(self, question: str) -> list[tuple[int, int, str]]:
        """(start, end, canonical) of speakers named in the question, non-overlapping, in order."""
        question = clean(question)
        folded = fold(question)
        found = self._exact(question, folded)
        return sorted(found + self._misspelt_in(question, folded, found))

    def _exact(self, question: str, folded: str) -> list[tuple[int, int, str]]:
        found: list[tuple[int, int, str]] = []
        for pattern, name in self.aliases:
            haystack = question if pattern.flags & re.I == 0 else folded
            for match in pattern.finditer(haystack):
                if not any(s < match.end() and match.start() < e for s, e, _ in found):
                    found.append((match.start(), match.end(), name))
        return found

    def _misspelt_in(self, question: str, folded: str, found) -> list[tuple[int, int, str]]:
        misspelt = self.misspelt(folded, [(s, e) for s, e, _ in found])
        if len(folded) == len(question) and not question.islower():
            # in a cased question, a short misspelt name is still capitalised; a short lowercase word is more likely a word
            misspelt = [m for m in misspelt if question[m[0]].isupper() or m[1] - m[0] >= 7]
        return misspelt

    def corrected(self, question: str) -> str:
        """The question with misspelt speaker names replaced by the names themselves ("Zimbabwae" → "Zimbabwe")
        and misspelt words of HRC procedure by the words ("rappoteur" → "rapporteur")."""
        folded = fold(question)
        if len(folded) != len(question):
            return question
        vocabulary = self.vocabulary()
        for match in reversed(list(re.finditer(r"[^\W\d_]{6,}", folded))):
            word = match.group(0)
            if word not in vocabulary and word not in _known_words() and stem(word) not in self.stems():
                most = 1  # one slip ("rappoteur"); two edits turn real words into others ("condemned" → "concerned")
                # ...but a doubled letter typed once is no second slip ("rapoteur" for "rapporteur")
                distances = {w: min(edits(word, w, most), edits(_single_letters(word), _single_letters(w), most))
                             for w in _question_vocabulary() if abs(len(w) - len(word)) <= most + 1 and w[0] == word[0]}
                closest = min(distances.values(), default=most + 1)
                near = [w for w, d in distances.items() if d == closest]
                if closest <= most and len(near) == 1:
                    question = question[:match.start()] + near[0] + question[match.end():]
                    folded = fold(question)
        for start, end, name in sorted(self._misspelt_in(question, folded, self._exact(question, folded)), reverse=True):
            question = question[:start] + name + question[end:]
        return question

    def roles(self, question: str) -> list[tuple[int, int, str]]:
        """Panel members named by role ("the Chair", "the experts"); "?role" when no presenter has that role."""
        found = []
        panel = [s for s in self.statements if s.speaker_type == "panel"]
        role_words = words()["roles"]
        every_role = role_words["chair"] + role_words["all_panel"] + role_words["by_role"]
        pattern = re.compile(rf"\b(?:the\s+)?({_alternation(every_role)})\b(?!['’]s?\s+{_OWNED})", re.I)
        for match in pattern.finditer(question):
            if re.match(rf"\s+{_OWNED}", question[match.end():]) and not re.search(
                    r"\b(?:did|does|do|has|had|will|would)\s+$", question[:match.start()], re.I):
                continue  # "the Rapporteur visit" is her visit; "did the Rapporteur visit" is her visiting
            word = " ".join(match.group(1).lower().split())
            if word in role_words["chair"]:
                names = [s.speaker for s in panel if s.role and "chair" in s.role.lower()] or ([panel[0].speaker] if panel else [])
            elif word in role_words["all_panel"]:
                names = [s.speaker for s in panel]
            else:
                names = [s.speaker for s in panel if s.role and word in s.role.lower()] or (
                    [s.speaker for s in panel] if word == "expert" else [])
            if not names:
                found.append((match.start(), match.end(), "?" + match.group(1).strip()))
            for name in dict.fromkeys(names):
                found.append((match.start(), match.end(), name))
        for match in _pattern("roles", "concerned").finditer(question):
            for name in sorted(self.concerned):
                found.append((match.start(), match.end(), name))
        for match in _pattern("roles", "government").finditer(question):
            # "according to the government", "what did the authorities say": the country concerned speaking
            speaks = re.search(r"according to\s+$|\b(?:did|does|has|had)\s+$", question[:match.start()], re.I) or re.match(
                r"\s+(?:say|said|says|claim|claimed|argue|argued|respond|responded|reply|replied|state|stated)\b", question[match.end():], re.I)
            if speaks:
                found.extend((match.start(), match.end(), name) for name in sorted(self.concerned))
        return found

    def speakers_of(self, text: str, labelled_only: bool = False) -> list[str]:
        """The speakers an earlier answer is about: its bold or source-line names, else (unless `labelled_only`)
        every name outside quotes."""
        labelled = re.findall(r"\*\*([^*]+)\*\*|^\s*\[\d+\]\s+([^(\n]+?)\s+\(", text, re.M)
        named = [n for pair in labelled for part in pair if part for _, _, n in self.find(part)]
        if not named and not labelled_only:
            unquoted = re.sub(r"“[^”]*”|\"[^\"]*\"", " ", text)
            named = [n for _, _, n in self.find(unquoted)]
        return list(dict.fromkeys(named))


_INDEXES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_INDEXES_LOCK = threading.Lock()
_SCRATCH = {}


def speaker_index(corpora) -> SpeakerIndex:
    """The SpeakerIndex of these corpora, built once per set of loaded documents (it compiles many regexes)."""
    if not corpora:
        return SpeakerIndex([])
    key = tuple(id(c.data) for c in corpora)
    with _INDEXES_LOCK:
        per_first = _SCRATCH.setdefault(id(corpora[0].data), {})
        if key not in per_first:
            per_first[key] = SpeakerIndex(corpora)
        return per_first[key]


# ---------------------------------------------------------------- reading one question

@dataclass
class _Reading:
    """What one question says on its own, before the conversation is taken into account."""

    cleaned: str
    asked: str
    context: str
    intent: str
    fact: str | None = None
    speakers: list[str] = field(default_factory=list)
    named_mentions: int = 0
    fabrication: bool = False  # asks to make up what someone said
    missing: list[str] = field(default_factory=list)
    listed: list[str] = field(default_factory=list)
    speaker_types: list[str] = field(default_factory=list)
    scope_label: str = ""
    scope_speakers: tuple[str, ...] | None = None
    scope_phrases: list[str] = field(default_factory=list)  # the question's words naming its scope ("members of the OIC": "OIC")
    group: str | None = None
    asks_group: bool = False
    any_group: bool = False
    yes_no: bool = False
    stance: str | None = None
    stance_object: str | None = None
    side_on_topic: str | None = None
    topic: str = ""
    topic_label: str = ""  # the topic when it is a clean noun phrase after a verb of saying; "" otherwise
    order_anchor: str | None = None
    order_offset: int = 1
    speaker_pronoun: bool = False
    topic_pronoun: bool = False
    refers_back: bool = False
    elliptic: bool = False
    from_context: bool = False  # speakers taken from the preamble ("Malta and Spain both … — how did they differ?")
    resolved: str = ""  # the asking sentence with a topic pronoun replaced by what it refers to


@cache
def _question_vocabulary() -> frozenset[str]:
    return frozenset(words()["question_vocabulary"]["words"])


@cache
def _known_words() -> frozenset[str]:
    """Every single word of question_words.json: words of questions, never read as slips of others."""
    found: set[str] = set()

    def walk(node) -> None:
        if isinstance(node, str):
            if " " not in node and len(node) < 30:
                found.add(node.lower())
        elif isinstance(node, dict):
            for key, value in node.items():
                if key != "why_general":
                    walk(key)
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(words())
    return frozenset(found)


@cache
def _chat_spellings() -> tuple[re.Pattern, dict[str, str]]:
    spellings = words()["chat_spellings"]["words"]
    return re.compile(rf"(?<![\w'’-])(?:{_alternation(spellings)})(?![\w'’-])", re.I), spellings


def _written_out(asked: str) -> str:
    """ "wat did norway say abt fisheries" → "what did norway say about fisheries"."""
    pattern, spellings = _chat_spellings()
    return pattern.sub(lambda m: spellings[m.group(0).lower()], asked)


def _single_letters(word: str) -> str:
    """The word with doubled letters written once: "rapporteur" → "raporteur"."""
    return re.sub(r"(.)\1+", r"\1", word)


def _asking_sentence(text: str) -> tuple[str, str]:
    """(the sentence that asks, the preamble before it), greetings and "for my article:" removed."""
    spans = sentence_spans(text)
    sentences = [text[a:b] for a, b in spans] or [text]
    asking_index = max((i for i, s in enumerate(sentences) if s.rstrip().endswith("?")), default=len(sentences) - 1)
    asked = sentences[asking_index]
    context = " ".join(sentences[:asking_index])
    # "Sorry if this is basic, but what did…", "For my article: which…": the question proper starts later.
    starts = _alternation(_QUESTION_START)
    clause = re.search(rf"(?:[:;]|\s[—–-]|,\s*(?:but|so|and)?)\s+(?=(?:{starts})\b)", asked, re.I)
    preamble_words = _pattern("clause_preamble", "words")
    if clause and not re.match(rf"\s*(?:{starts})\b", asked, re.I) and preamble_words.search(asked[:clause.start()]):
        context, asked = (context + " " + asked[:clause.start()]).strip(), asked[clause.end():]
    # "my editor wants to know what Turkey said": a clause about the asker, ending in a verb of knowing.
    asker = re.match(rf"(?P<clause>.*?\b(?:{_alternation(words()['preamble']['asker_clause']['verbs'])}))\s+"
                     r"(?=(?:what|which|who|whom|whose|how|when|where|why|whether|if)\b)", asked, re.I)
    if asker and preamble_words.search(asker.group("clause")):
        context, asked = (context + " " + asker.group("clause")).strip(), asked[asker.end():]
    opener = re.compile(rf"^\s*(?:{_alternation(words()['preamble']['openers'])})\b\s*[,:;!.\-–—]*\s*", re.I)
    while (match := opener.match(asked)) and match.end() < len(asked):
        rest = asked[match.end():]
        if not re.match(r"[\w\"'“(]", rest):
            break
        asked = rest
    return _claim_with_its_request(asked.strip(), context.strip())


def _claim_with_its_request(asked: str, context: str) -> tuple[str, str]:
    """ "someone called the vote a farce — who said that?": the request asks for the source of the claim before it,
    so the question is "who called the vote a farce?" (an indefinite subject becomes the question word)."""
    request = words()["source_request"]
    tail = re.search(rf"(?:\s[—–-]+|[:;,])\s*(?P<request>(?:so\s+)?(?:{_alternation(request['phrases'])})\s*(?:please|pls)?\s*[?.!]*\s*)$",
                     asked, re.I)
    if tail and len(re.findall(r"\w+", asked[:tail.start()])) >= 3:
        context, asked = (context + " " + asked[:tail.start()].strip()).strip(), tail.group("request")
    if not context or not re.fullmatch(rf"\s*(?:so|and|but|ok|okay)?[\s,]*(?:{_alternation(request['phrases'])})\s*(?:please|pls)?\s*[?.!]*\s*",
                                       asked, re.I):
        return asked, context
    spans = sentence_spans(context)
    sentences = [context[a:b] for a, b in spans] or [context]
    if sentences[-1].rstrip().endswith("?"):
        return asked, context  # two questions, not a claim and its request
    claim = sentences[-1].strip().rstrip(".!;:,—–- ")
    opener = re.compile(rf"^\s*(?:{_alternation(words()['preamble']['openers'] + request['claim_openers'])})\b\s*[,:;!.\-–—]*\s*", re.I)
    while (match := opener.match(claim)) and match.end() < len(claim):
        claim = claim[match.end():]
    if len(re.findall(r"\w+", claim)) < 3:
        return asked, context
    subjects = request["indefinite_subjects"]
    subject = re.match(rf"(?:{_alternation(subjects)})(?![\w-])", claim, re.I)
    if subject:
        question = f"{subjects[' '.join(subject.group(0).lower().split())]}{claim[subject.end():]}?"
    else:
        question = f"Who said that {claim[0].lower() + claim[1:] if claim[1:2].islower() else claim}?"
    return question[0].upper() + question[1:], " ".join(sentences[:-1]).strip()


def _is_object(text: str, start: int, comparing: bool = False) -> bool:
    """A name after a preposition or a stance verb is what the question is about, not who spoke."""
    before = text[:start]
    if _utterance_from().search(before):
        return False  # "a quote from France", "the statement by the EU": the speaker
    if re.search(r"\b(?:according to|what about|how about|and|compared?|compares|comparing|contrast(?:ed|s)?|versus|vs\.?|or|between)"
                 r"\s+(?:\w+\s+)?(?:with\s+|to\s+)?(?:the\s+)?$", before, re.I):
        return False
    prepositions = "on|about|against|regarding|concerning|towards" if comparing else (
        "on|in|about|of|against|for|to|with|towards|into|at|from|by|than|regarding|concerning|over")
    if re.search(rf"\b(?:{prepositions})\s+(?:the\s+)?$", before, re.I):
        return True
    stance = _stance_phrases()
    return bool(re.search(rf"(?:{stance})\s+(?:the\s+)?$", before, re.I))


@cache
def _utterance_from() -> re.Pattern:
    """ "a quote from", "the statement by the": what follows is who said it."""
    return re.compile(rf"\b(?:{_alternation(words()['utterance_nouns']['words'])})\s+(?:\w+\s+)?(?:from|by)\s+(?:the\s+)?$", re.I)


def _quote_request_spans(asked: str, subject_starts: list[int]) -> list[tuple[int, int]]:
    """Spans that ask for a speaker's words rather than say what about: "quote"/"cite" opening the request, and
    an utterance noun right before a named speaker ("a quote from China", "any remarks by the EU on …")."""
    spans = []
    opening = re.match(rf"\s*(?:please\s+)?(?:{_alternation(words()['quote_requests']['verbs'])})(?![\w-])", asked, re.I)
    if opening:
        spans.append((opening.start(), opening.end()))
    for start in subject_starts:
        noun = _utterance_from().search(asked[:start])
        if noun:
            spans.append((noun.start(), start))
    return spans


@cache
def _stance_phrases() -> str:
    return _alternation(words()["stance"]["supportive"] + words()["stance"]["critical"])


def _subjects(named, text: str, index: SpeakerIndex, comparing: bool = False) -> list[tuple[int, int, str]]:
    """Drop names that are what the question is about rather than who spoke.

    The country concerned ("Myanmar's engagement") is a speaker only when asked about as one;
    a role ("the experts") after another named speaker is the topic ("Did Germany back the experts?").
    """
    kept = []
    markers = [m for m in _marker_pattern().finditer(text)
               if not re.fullmatch(r"\s*(?:and\s+|so\s+)?(?:what|how)\s+", text[:m.start()], re.I)]  # "how about China?" asks about a speaker
    first_marker = markers[0] if markers else None
    for start, end, name in sorted(named):
        if _is_object(text, start, comparing):
            continue
        if first_marker and start >= first_marker.end() and not comparing and not re.search(r"according to\s+(?:the\s+)?$", text[:start], re.I):
            continue  # "Who mentioned Lithuania's referral…": after the verb, a name is part of the topic
        if name in index.concerned:
            before, after = text[:start], text[end:]
            asked = re.search(r"(?:did|does|has|have|according to|from|by|of)\s+(?:the\s+)?(?:delegation of\s+)?$", before, re.I) or re.match(
                r"(?:'s?)?\s+(?:delegation|statement|position|say|said|says|view|respon|repl|representative|argue|claim|stance|admit|deny|denied|"
                r"reject|accept|acknowledge|tell|told|describe|explain)", after, re.I
            ) or _pattern("roles", "concerned").search(text[start:end]) or re.search(
                r"authorities|government|delegation", text[start:end], re.I) or re.search(
                rf"\b(?:{_alternation(words()['order']['after'] + words()['order']['before'])})\s+(?:the\s+)?$", before, re.I)
            # "who spoke first after Myanmar?": a place in the speaking order is the country concerned speaking
            if not asked:
                continue
        role = re.match(r"(?:the\s+)?(?:chair|president|special rapporteur|rapporteur|independent expert|high commissioner|experts?|"
                        r"group of experts|panel|members?|commission)", text[start:end], re.I)
        if role and any(k[0] != start for k in kept):
            continue
        if role and any(s > end and re.fullmatch(r"\s*(?:[A-Z][\w.-]*\s+){0,2}", text[end:s]) for s, _, n in named):
            continue  # "expert Monika Płatek": the role only introduces the name
        kept.append((start, end, name))
    return kept


def _missing(subject_text: str, index: SpeakerIndex, offset_spans) -> tuple[list[str], list[str]]:
    """(missing, listed): states, IGOs and organisations named as speakers with no statement in the corpora."""
    # a group someone spoke for took part through them ("what did the OIC say?" when a State spoke on its behalf)
    present = set(index.folded_names) | {fold(s.on_behalf_of) for s in index.statements if s.on_behalf_of}
    listed_in_documents = {fold(n): n for info in index.infos for n in info.listed_speakers}
    missing: list[str] = []
    listed: list[str] = []

    def note(name: str) -> None:
        key = fold(name)
        if key in present or any(key in p or p in key for p in present if len(p) > 3 and len(key) > 3 and (key in p or p in key)):
            return
        (listed if key in listed_in_documents else missing).append(listed_in_documents.get(key, name))

    for match in gazetteer.find_names(subject_text, ("state", "igo"), ignore_case=True, adjectives=True):
        if any(s <= match.start < e for s, e in offset_spans) or _is_object(subject_text, match.start):
            continue
        if match.form == "adjective" and not re.match(rf"\s+(?:{'|'.join(_SPEAKER_NOUNS)})", subject_text[match.end:], re.I):
            continue
        note(match.canonical)
    org = words()["organisation_name_words"]
    not_speakers = {fold(n) for n in org["not_speakers"]}
    capital_word = r"(?:[A-Z][\w'’.-]*|\d+)"
    name_run = re.compile(rf"{capital_word}(?:\s+(?:of|for|and|the|on|in|de|&|-)?\s*{capital_word})*")
    org_words = {w.lower() for w in org["words"]}
    for match in name_run.finditer(subject_text):
        phrase = re.sub(r"^(?:The|Did|Does|What|Which|Who|How|Has|Was|Were|Is|And)\s+", "", match.group(0))
        tokens = {t.lower() for t in re.findall(r"[\w']+", phrase)}
        if len(phrase.split()) < 2 or not tokens & org_words or fold(phrase) in not_speakers:
            continue
        if any(s < match.end() and match.start() < e for s, e in offset_spans):
            continue
        note(phrase)
    return list(dict.fromkeys(missing)), list(dict.fromkeys(listed))


@cache
def _marker_pattern() -> re.Pattern:
    phrases = words()["topic_markers"]["phrases"] + words()["reply_markers"]["phrases"] + words()["stance"]["supportive"] + words()["stance"]["critical"]
    return re.compile(rf"(?<![\w-])(?:{_alternation(phrases)})(?![\w-])", re.I)


def _trim(phrase: str, removed_spans=(), base: int = 0) -> str:
    """The phrase without names already used (`removed_spans`, absolute) and without scaffolding at its edges."""
    chars = list(phrase)
    for start, end in removed_spans:
        for i in range(max(start - base, 0), min(end - base, len(chars))):
            chars[i] = " "
    tokens = re.findall(r"[\w'’-]+(?:[.,][\d]+)*|[^\w\s]", "".join(chars))
    scaffolding = _scaffolding()

    def edge(token: str) -> bool:
        lowered = token.lower().replace("’", "'")
        contracted = "'" in lowered.strip("'") and is_function_word(lowered)  # "what's", "who's": a question word contracted
        return not re.match(r"\w", token) or lowered.strip("'") in scaffolding or lowered == "'s" or contracted

    while tokens and edge(tokens[0]):
        tokens.pop(0)
    while tokens and edge(tokens[-1]):
        tokens.pop()
    text = " ".join(tokens)
    return re.sub(r"\s+([,.;:!?)'’])", r"\1", re.sub(r"([(])\s+", r"\1", text)).replace(" 's", "'s").replace(" - ", "-")


def _membership_start(asked: str, start: int) -> int:
    """Where the scope named at `start` begins when words of membership lead to it ("members of the OIC")."""
    before = re.search(rf"(?<![\w-])(?:{_alternation(words()['membership']['phrases'])})\s+$", asked[:start], re.I)
    return before.start() if before else start


def _topic(asked: str, subject_end: int, removed_spans) -> tuple[str, int, bool, bool]:
    """(topic, where the predicate starts, whether the topic is only a pronoun, whether it follows a topic
    marker): what follows the verb of saying, else what is left of the question; a later clause ("…, and
    what were the numbers?") is cut off, but not the question proper ("According to X, how many…?")."""
    for clause in re.finditer(r"\s[—–]\s|\s-\s|[;:]|[,?]\s*(?:and\s+|but\s+)?(?:how|what|which|who|when|why|where|did|does|do|according)\b",
                              asked[subject_end:], re.I):
        if _trim(asked[:subject_end + clause.start()], removed_spans, 0):
            asked = asked[:subject_end + clause.start()]
            break
    markers = [m for m in _marker_pattern().finditer(asked) if m.start() >= subject_end or subject_end == 0]
    markers = markers or list(_marker_pattern().finditer(asked))
    pronouns = _pattern("pronouns", "topic")
    for marker in markers:
        raw = re.split(r"\?\s+(?=\S)", asked[marker.end():])[0]  # "…about rivers? and did X agree?": the topic ends at its "?"
        if pronouns.fullmatch(raw.strip(" ?!.")):
            return "", marker.start(), True, False
        after = _trim(raw, removed_spans, marker.end())
        if after:
            leading = re.match(r"\s*(?:them|it|this|that|these|those)\s+(?:being|were|was|is|are|been|getting|having)\b", raw, re.I)
            return after, marker.start(), bool(leading), True
    if markers:
        return _trim(asked[:markers[-1].start()], removed_spans, 0), markers[0].start(), False, False
    rest = _trim(asked, removed_spans, 0)
    if pronouns.fullmatch(rest):
        return "", len(asked), True, False  # "which of those are from Latin America?": no topic of its own
    return rest, len(asked), False, False


def _label(topic: str, most_words: int = 6) -> str:
    """The topic as a headline may show it: a short phrase of content words and connectors, else ""."""
    tokens = re.findall(r"[\w'’-]+", topic)
    if not tokens or len(tokens) > most_words or not re.fullmatch(r"[\w\s'’,-]+", topic):
        return ""
    if tokens[0].lower() in words()["prepositions"]["words"]:
        return ""  # "before the vote": a circumstance, not a subject
    scaffolding = _scaffolding() - _CONNECTORS
    pronouns = {p for p in words()["pronouns"]["topic"] if " " not in p}
    return "" if any(t.lower() in scaffolding or t.lower() in pronouns for t in tokens) else topic


def _stance(asked: str, index: SpeakerIndex) -> tuple[str | None, str | None, tuple[int, int] | None]:
    """(position, object, span of verb + object) of a side-taking question: "who backed the mandate?"."""
    found = [(m, position) for position in ("supportive", "critical") for m in _pattern("stance", position).finditer(asked)]
    # "did X reply to the criticism?": what was answered, not a side the question asks about
    found = [(m, p) for m, p in found if not _replied().search(asked[:m.start()])]
    # "pushed back on" holds "back": a side word inside a longer one of the other side is that one's
    found = [(m, p) for m, p in found if not any(o is not m and o.start() <= m.start() and m.end() <= o.end()
                                                 and o.end() - o.start() > m.end() - m.start() for o, _ in found)]
    if not found:
        return None, None, None
    found.sort(key=lambda pair: pair[0].start())
    positions = {p for _, p in found}
    if len(positions) > 1:
        return None, None, None  # "for and against": both sides
    verb, position = found[0]
    for owner in (re.search(rf"(?<![\w-])((?:the\s+)?[\w-]+(?:\s+[\w-]+){{{n}}})['’]s?\s+$", asked[:verb.start()], re.I) for n in range(3)):
        # "Zarovia's allies", "the government's critics": the side is taken towards whoever owns it (the shortest
        # owner that names an object), unless the possessive sits inside a topic ("talked about the government's critics")
        owned = _stance_object(owner.group(1), index) if owner else None
        if owned:
            if _pattern("topic_markers", "phrases").search(asked[:owner.start()]):
                break
            return position, owned, (owner.start(), verb.end())
    rest = asked[verb.end():]
    phrase = re.match(r"\s*([\w'’-]+(?:\s+[\w'’-]+){0,6}?)(?=\s+(?:and|or|to|for|in|on|at|by|with|about|over|during|because|when|after|before|while|against|from|into|towards|despite|through|since)\b|\s*[?,.;!]|\s*$)",
                      rest, re.I)
    obj_text = phrase.group(1) if phrase else ""
    obj = _stance_object(obj_text, index)
    content = [w for w in re.findall(r"[\w'-]+", obj_text) if w.lower() not in _scaffolding()]
    if obj is None and content:
        return None, None, None  # "welcomed the release of prisoners": a topic, not a side
    end = verb.end() + (phrase.end() if phrase and obj else 0)
    if obj:
        # "accused the experts of bias", "dismissed the report of the Rapporteur as biased": the object is the longest
        # run before "of"/"as" that names only the object, and what follows is what the side is about ("the Group of
        # Experts" stays whole: "the Group" alone names no object).
        for cut in re.finditer(r"\s+(?=(?:of|as)\s)", obj_text, re.I):
            prefix = obj_text[:cut.start()]
            if _stance_object(prefix, index) == obj and _restates_object(prefix, index):
                end = verb.end() + phrase.start(1) + cut.start()
    return position, obj, (verb.start(), end)


def _side_before(asked: str, topic: str) -> str | None:
    """The side a question's verb takes on its topic when no stance is read for that topic ("did anyone defend
    private operators?"): the position of the first side word that the topic follows, else None."""
    for position in ("supportive", "critical"):
        if any(asked.find(topic, verb.end()) >= 0 for verb in _pattern("stance", position).finditer(asked)):
            return position
    return None


@cache
def _addressed() -> re.Pattern:
    """A verb and the kind of speaker it addresses or reports on, up to two words apart ("urged all governments",
    "said that other countries"): that kind is part of the point, not the scope."""
    kinds = [w for kind in words()["speaker_types"].values() if isinstance(kind, list) for w in kind]
    filler = r"(?!(?:about|of|for|in|on|at|by|with|from|to|and|or)\b)[\w'’-]+"
    return re.compile(rf"(?<![\w-])(?:{_alternation(words()['addressee_verbs']['phrases'])})\s+(?:that\s+)?(?:{filler}\s+){{0,2}}?"
                      rf"(?:{_alternation(kinds)})(?![\w-])", re.I)


@cache
def _replied() -> re.Pattern:
    """A reply marker and its article at the end of a text: "reply to the", "response to"."""
    return re.compile(rf"(?:{_alternation(words()['reply_markers']['phrases'])})\s+(?:(?:the|this|that|all|such)\s+)*$", re.I)


def _restates_object(topic: str, index: SpeakerIndex) -> bool:
    """The topic names a stance object (the mandate, the country concerned) and nothing else."""
    if not topic.strip() or _stance_object(topic, index) is None:
        return False
    rest = _pattern("stance_objects", "mandate").sub(" ", _pattern("stance_objects", "country").sub(" ", topic))
    for start, end, _ in sorted(index.find(rest), reverse=True):
        rest = rest[:start] + " " + rest[end:]
    content = [w for w in re.findall(r"\w[\w-]*", rest) if w.lower() not in _scaffolding() and w.lower() != "s"]
    return not content


def _stance_object(text: str, index: SpeakerIndex) -> str | None:
    if not text.strip():
        return None
    if _pattern("stance_objects", "mandate").search(text):
        return "mandate"
    if _pattern("stance_objects", "country").search(text):
        return "country"
    if any(name in index.concerned for _, _, name in index.find(text)):
        return "country"
    concerned_codes = {regions.iso3(n) for n in index.concerned} - {None}
    capitals = _capitals()
    # a capital ("Naypyidaw") stands for the government; typed all in lower case ("defended minsk"), any word may be one
    name = r"[\w'-]+(?:\s+[\w'-]+)?" if text == text.lower() else r"[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?"
    if any(capitals.get(fold(w)) in concerned_codes for w in re.findall(name, text)):
        return "country"
    return None


def _scope_types(text: str) -> list[str]:
    scope_words = words()["speaker_types"]
    without_concerned = _pattern("state_scope_excludes", "phrases").sub(" ", text)
    without_concerned = re.sub(rf"\b\w+['’]s?\s+{_OWNED}", " ", without_concerned)  # "the experts' report" is no scope
    without_concerned = _addressed().sub(" ", without_concerned)  # "who urged governments to…": whom, not who
    types: list[str] = []
    for kind, targets in (("ngo", ("ngo",)), ("igo", ("igo",)), ("state", ("state", "country_concerned")), ("panel", ("panel",)),
                          ("organisation", ("ngo", "igo"))):
        if kind == "organisation" and ("ngo" in types or "igo" in types):
            continue  # "intergovernmental organisations", "NGOs and other organisations"
        if re.search(rf"(?<![\w-])(?:{_alternation(scope_words[kind])})(?![\w-])", without_concerned, re.I):
            types.extend(t for t in targets if t not in types)
    return types


def _order(asked: str, anchor_names: list[str]) -> tuple[str | None, int]:
    order = words()["order"]
    after = re.search(rf"\b(?:{_alternation(order['after'])})\b", asked, re.I)
    before = re.search(rf"\b(?:{_alternation(order['before'])})\b", asked, re.I)
    anchor = anchor_names[0] if anchor_names else None
    if anchor and (after or before):
        return anchor, 1 if after and (not before or after.start() < before.start()) else -1
    for word, n in order["ordinals"].items():
        if re.search(rf"\b{word}\b", asked, re.I):
            return None, n
    if re.search(rf"\b(?:{_alternation(order['last'])})\b", asked, re.I):
        return None, -1
    return (anchor, 1) if anchor else (None, 1)


def _read(question: str, index: SpeakerIndex, router) -> _Reading:
    cleaned = clean(question)
    asked, context = _asking_sentence(cleaned)
    asked = index.corrected(_written_out(asked))
    routed = _route(asked, router)
    comparing = bool(_pattern("compare_words", "words").search(asked))
    reading = _Reading(cleaned=cleaned, asked=asked, context=context, intent=routed.intent, fact=routed.fact)

    # Blocs named as a scope come first: "EU members" is a scope even where the EU itself spoke.
    scoped_blocs = [m for m in regions.find_blocs(asked) if m.as_scope]
    # A name inside a bloc phrase yields to it; a longer name holding a region word ("… in the Caribbean") does not.
    named_all = [n for n in sorted(index.find(asked) + index.roles(asked))
                 if not any(m.start <= n[0] and n[1] <= m.end for m in scoped_blocs)]
    subjects = _subjects(named_all, asked, index, comparing=comparing)
    reading.speakers = list(dict.fromkeys(n for _, _, n in subjects if not n.startswith("?")))
    reading.named_mentions = len({(s, e) for s, e, n in subjects if not n.startswith("?")})
    unresolved_roles = [n[1:] for _, _, n in subjects if n.startswith("?")]
    name_spans = [(s, e) for s, e, _ in named_all]

    # Scope: group spoken for, blocs and regions, speaker types.
    behalf = re.search(rf"\b(?:{_alternation(words()['behalf']['on_behalf'])})\s+(?P<group>(?:the\s+)?[\w][^?,.;]*?)"
                       r"(?=\s+(?:say|said|says|speak|spoke|talk|talked|mention|mentioned|raise|raised|about|on|regarding|in|at|during)\b|[?,.;]|$)",
                       asked, re.I)
    asks_whose = re.search(rf"\b(?:{_alternation(words()['behalf']['asks_whose'])})\b", asked, re.I)
    all_speakers = [(s.speaker, s.speaker_type) for s in index.statements]
    bloc_mentions = regions.find_blocs(asked, name_spans)
    taken = list(name_spans)
    for mention in bloc_mentions:
        taken.append((_membership_start(asked, mention.start), mention.end))
        inside_behalf = behalf and behalf.start() <= mention.start
        if mention.bloc.members is not None and mention.as_scope and not inside_behalf:
            members = regions.members_among(mention.bloc, all_speakers)
            reading.scope_speakers = tuple(dict.fromkeys((reading.scope_speakers or ()) + members))
            reading.scope_label = f"{reading.scope_label} or {mention.bloc.label}" if reading.scope_label else mention.bloc.label
            reading.scope_phrases.append(asked[_membership_start(asked, mention.start):mention.end])
        elif mention.bloc.kind == "group":
            # the group by the name a statement's "on behalf of" holds ("OIC" → Organisation of Islamic Cooperation)
            known = gazetteer.canonical_name(asked[mention.start:mention.end])
            reading.group = known[0] if known else mention.bloc.label
            reading.scope_phrases.append(asked[_membership_start(asked, mention.start):mention.end])
    candidate = re.sub(r"^(?:the|a|an|any|some)\s+", "", behalf.group("group").strip(), flags=re.I) if behalf else ""
    generic = re.match(r"(?:group|groups|countries|states|other states|other countries)\b", candidate, re.I)
    if behalf and not asks_whose and reading.group is None and not generic:
        known = gazetteer.canonical_name(candidate)
        reading.group = known[0] if known else candidate
        reading.scope_phrases.append(candidate)
    elif behalf and generic and reading.group is None and not reading.speakers:
        reading.any_group = True  # "Which delegations spoke on behalf of a group of countries?": any group
    if asks_whose and reading.speakers:
        reading.asks_group = True
    reading.speaker_types = _scope_types(_mask(asked, taken))
    if reading.speakers and reading.speaker_types:
        kinds = {kind for name, kind in all_speakers if name in reading.speakers}
        acts = any(re.search(r"\b(?:did|does|do|has|have|had|will|would)\s+$", asked[:start], re.I) for start, _, _ in subjects)
        if not kinds & set(reading.speaker_types) and acts:
            # "Which country did the Rapporteur visit?": the speaker does the verb; the type word is its object
            reading.speaker_types = []
        elif not kinds & set(reading.speaker_types):
            # "Which states accused the experts of bias?": a speaker outside the type asked for is what they spoke of
            reading.speakers, reading.named_mentions = [], 0
    if reading.scope_speakers is not None and not reading.speaker_types:
        reading.speaker_types = ["state", "country_concerned"]

    reading.stance, reading.stance_object, stance_span = _stance(asked, index)
    subject_end = max((e for s, e, _ in subjects), default=0)
    removed = [_with_verb(asked, s, e) for s, e, _ in subjects] + [(_membership_start(asked, m.start), m.end) for m in bloc_mentions]
    if stance_span:
        removed.append(stance_span)
    if behalf:
        removed.append((behalf.start(), behalf.end()))
    removed += [(m.start(), m.end()) for m in _pattern("adverbials", "phrases").finditer(asked)]
    removed += [(m.start(), m.end()) for m in _pattern("meeting_frame", "phrases").finditer(asked)]
    removed += _quote_request_spans(asked, [s for s, _, _ in subjects])
    reading.topic, predicate, reading.topic_pronoun, marked = _topic(asked, subject_end, removed)
    if reading.speaker_types and not marked and not _trim(_scope_words().sub(" ", reading.topic)):
        reading.topic = ""  # "How many intergovernmental organisations spoke?": the scope, not a topic
    if reading.stance_object and _restates_object(reading.topic, index):
        reading.topic = ""  # "opposed the report or the Rapporteur's mandate": the object again, not a topic of its own
    elif not reading.stance and _restates_object(reading.topic, index):
        reading.stance_object = _stance_object(reading.topic, index)  # "what did the NGOs say about the mandate?"
    elif reading.stance and not reading.stance_object and _trim(reading.topic):
        # "who said vague charges are used to lock up critics?", "did anyone defend private operators?": a side word
        # inside a topic, or a side on something that has no stance read for it
        reading.stance = None
    reading.topic_label = _label(reading.topic) if marked else ""
    if not reading.stance and reading.topic:
        reading.side_on_topic = _side_before(asked, reading.topic)
    subject_part = asked[:predicate] if predicate else asked
    reading.missing, reading.listed = _missing(subject_part, index, name_spans)
    reading.missing += [r for r in unresolved_roles if r not in reading.missing]

    reading.fabrication = bool(_pattern("fabrication", "phrases").search(asked))
    reading.yes_no = bool(re.match(rf"\s*(?:and\s+|so\s+)?(?:{_alternation(words()['yes_no_openers']['words'])})\b", asked, re.I))
    reading.refers_back = bool(_pattern("refer_back", "phrases").search(asked))
    pronoun = re.search(rf"(?<![\w-])(?:{_alternation(words()['pronouns']['speaker'])})(?![\w-])", asked, re.I)
    reading.speaker_pronoun = bool(pronoun) and pronoun.start() < predicate or bool(_pattern("according_to_pronoun", "phrases").search(asked))
    opener = re.match(rf"\s*(?:{_alternation(words()['elliptic_openers']['phrases'])})\b", asked, re.I)
    reading.elliptic = bool(opener) and len(asked.split()) <= 8 or len(re.findall(r"\w+", asked)) <= 3
    if context and not reading.speakers and reading.speaker_pronoun:
        from_context = _subjects(sorted(index.find(context) + index.roles(context)), context, index, comparing=True)
        if from_context:
            reading.speakers = list(dict.fromkeys(n for _, _, n in from_context if not n.startswith("?")))
            reading.named_mentions = len({(s, e) for s, e, _ in from_context})
            reading.from_context = True
    if context and (reading.topic_pronoun or not reading.topic):
        context_topic, _, _, marked = _topic(context, 0, [_with_verb(context, s, e) for s, e, _ in index.find(context)])
        subject = list(_pattern("preamble", "topic_markers", "phrases").finditer(context))
        if subject:  # "im doing a story on sanitation workers": what the piece is about
            context_topic, marked = _trim(context[subject[-1].end():]), True
        if context_topic and marked:  # "I'm writing about unions.", not "my editor wants to know"
            _resolve_topic_pronoun(reading, context_topic, _label(context_topic))
    _settle_intent(reading, routed, index)
    return reading


def _route(asked: str, router):
    """The router's intent, vetoed while the question lacks the crisp cue that intent needs; every veto holds
    for the next choice too ("who called for X to be freed?" is neither an order nor, then, a meeting fact)."""
    facts = _meeting_facts(asked)
    vetoed: set[str] = set()
    if not facts:
        vetoed.add("fact")  # content words beyond the meeting: a topical question
    if not _pattern("count_cues", "phrases").search(asked):
        vetoed.add("count")  # no number is asked for
    if not _order_cues().search(asked):
        vetoed.add("order")  # no position in the debate is asked for
    routed = router.route(asked)
    if routed.intent in vetoed:
        routed = router.route(asked, allowed=_INTENTS - vetoed)
    if routed.intent == "fact" and routed.fact not in facts:
        routed = replace(routed, fact=facts[0])
    return routed


_FACT_KINDS = ("participation", "high_level", "date", "session", "title", "mandate")


def _meeting_facts(asked: str) -> list[str]:
    """The kinds of meeting fact whose words the question uses, most specific first; [] when the question
    also carries content words beyond the meeting itself ("Under which resolution was X asked to cooperate?")."""
    kinds = [kind for kind in _FACT_KINDS if _pattern("fact_cues", kind).search(asked)]
    if not kinds:
        return []
    covered = _pattern("fact_cues", "meeting_words").sub(" ", asked)
    for kind in kinds:
        covered = _pattern("fact_cues", kind).sub(" ", covered)
    type_words = [w for kind in words()["speaker_types"].values() if isinstance(kind, list) for w in kind]
    covered = re.sub(rf"(?<![\w-])(?:{_alternation(type_words)})(?![\w-])", " ", covered, flags=re.I)
    scaffolding = _scaffolding()
    left = [w for w in re.findall(r"[\w-]+", covered) if w.lower() not in scaffolding and not re.fullmatch(r"[a-z]*\d+|'s", w.lower())]
    return kinds if len(left) <= 1 else []


def _counts_speakers(asked: str) -> bool:
    nouns = [w for kind in words()["speaker_types"].values() if isinstance(kind, list) for w in kind]
    nouns += ["speakers", "statements", "interventions", "participants", "delegates", "times"]
    return bool(re.search(rf"\bhow many\s+(?:[\w-]+\s+){{0,2}}?(?:{_alternation(nouns)})\b(?!.*\b(?:took part|participated|attended|in total)\b)",
                          asked, re.I))


@cache
def _order_cues() -> re.Pattern:
    order = words()["order"]
    cues = order["after"] + order["before"] + order["first"] + order["last"] + list(order["ordinals"]) + [
        "order", "next", "opened", "closed", "preceded", "followed"]
    return re.compile(rf"(?<![\w-])(?:{_alternation(cues)})(?![\w-])", re.I)


@cache
def _scope_words() -> re.Pattern:
    """Speaker-type words ("intergovernmental", "civil society")."""
    phrases = [w for kind in words()["speaker_types"].values() if isinstance(kind, list) for w in kind]
    return re.compile(rf"(?<![\w-])(?:{_alternation(phrases)})(?![\w-])", re.I)


def _beyond_order(topic: str) -> bool:
    """Whether the topic says more than a position in the speaking order ("last", "the first one to speak")."""
    rest = _order_cues().sub(" ", topic)
    rest = _pattern("order", "only_words", "words").sub(" ", rest)
    return bool(_trim(rest))


def _with_verb(text: str, start: int, end: int) -> tuple[int, int]:
    """The span of a subject with its auxiliary and verb of saying: "did Albania say" in "How many X did Albania say…"."""
    before = re.search(r"\b(?:did|does|do|has|have|had|was|were|is|are)\s+(?:the\s+)?$", text[:start], re.I)
    after = re.match(r"(?:['’]s?)?\s+(?:say|said|says|claim|claimed|claims|report|reported|reports|tell|told|state|stated)\b", text[end:], re.I)
    return (before.start() if before else start, end + (after.end() if after else 0))


def _mask(text: str, spans) -> str:
    chars = list(text)
    for start, end in spans:
        for i in range(start, min(end, len(chars))):
            chars[i] = " "
    return "".join(chars)


def _resolve_topic_pronoun(reading: _Reading, referent: str, referent_label: str) -> None:
    """"…talked about them being dissolved?" after "I'm writing about unions.": them → unions, in the topic and the question."""
    if reading.topic_pronoun:
        marker = next((m for m in _marker_pattern().finditer(reading.asked)
                       if re.match(r"\s*(?:them|it|this|that|these|those)\b", reading.asked[m.end():], re.I)), None)
        if marker is not None:
            rest = re.sub(r"^\s*(?:them|it|this|that|these|those)\b", f" {referent}", reading.asked[marker.end():], flags=re.I)
            reading.resolved = reading.asked[:marker.end()] + rest
            reading.topic = _trim(rest) or referent
        else:
            reading.topic = referent
    elif not reading.topic:
        reading.topic = referent
    reading.topic_label = referent_label if reading.topic == referent else _label(reading.topic)
    reading.topic_pronoun = False


def _settle_intent(reading: _Reading, routed, index: SpeakerIndex) -> None:
    """Crisp facts correct the router: named speakers, a topic or none, order words, counts of statements."""
    intent = reading.intent
    named = bool(reading.speakers or reading.missing or reading.listed)
    many = reading.named_mentions + len(reading.missing) + len(reading.listed) >= 2
    counts_statements = re.search(r"\bhow many\s+(?:statements|times|interventions|speeches)\b|\bhow often\b", reading.asked, re.I)
    if intent == "fact" and named and reading.fact not in ("date", "session"):
        intent = "speaker"
    if intent in ("fact", "roster") and reading.stance and not named:
        intent = "list"  # "Who sided with X?", "Which speakers found fault with the report?": a side taken, not the roster
    if intent == "overview" and (reading.topic or reading.stance) and not named and re.match(r"\s*(?:who|which)\b", reading.asked, re.I) and not (
            _pattern("overview_cues", "phrases").search(reading.asked)):
        intent = "list"  # "who brought them up?" after "im doing a story on X", "Who opposed the report?": who, not what
    if intent == "overview" and reading.topic and not named and not _pattern("overview_cues", "phrases").search(reading.asked):
        intent = "list"  # "What did speakers say about X?": those who addressed X, not a summary of the debate
    if intent in ("count", "list", "roster") and not named and _pattern("fact_cues", "participation").search(reading.asked) and (
            "participation" in _meeting_facts(reading.asked)):
        intent, reading.fact = "fact", "participation"  # "How many state delegations took part?": the document's own figures
    if intent in ("list", "roster") and not named and _order_cues().search(reading.asked) and not _beyond_order(reading.topic):
        intent = "order"  # "Which NGO spoke last?": a position in the speaking order within a scope
    if _pattern("overview_cues", "phrases").search(reading.asked) and intent in ("list", "roster", "fact", "speaker", "compare"):
        intent = "speaker" if named else "overview"
    if intent == "count" and named and not counts_statements:
        intent = "speaker"
    if intent in ("roster", "list", "fact") and not named and _counts_speakers(reading.asked):
        intent = "count"  # "how many NGOs spoke": a number of speakers, not their names
    if intent == "order":
        anchors = list(reading.speakers)
        if not anchors and reading.group:
            # "who spoke right after the African Group?": the group's place is that of the state speaking for it
            anchors = [s.speaker for s in index.statements if s.on_behalf_of and fold(reading.group) in fold(s.on_behalf_of)][:1]
            reading.group = None if anchors else reading.group
        reading.order_anchor, reading.order_offset = _order(reading.asked, anchors)
        if reading.order_anchor is None and reading.order_offset == 1 and not re.search(
                rf"\b(?:{_alternation(words()['order']['first'] + list(words()['order']['ordinals']))})\b", reading.asked, re.I):
            intent = "roster" if not reading.topic else "list"
        else:
            reading.speakers, reading.topic, reading.named_mentions = [], "", 0  # the anchor is not a speaker asked about
    if reading.asks_group:
        intent = "speaker"
    if intent in ("speaker", "compare") and not named:
        intent = "overview" if intent == "compare" and reading.stance is None and not reading.topic else "list"
    if intent in ("list", "roster", "overview") and named and not reading.group and reading.scope_speakers is None and not (
            reading.speaker_types and not reading.yes_no):
        intent = "speaker"
    if intent == "speaker" and many:
        intent = "compare"
    if intent == "speaker" and reading.named_mentions == 1 and _pattern("compare_words", "words").search(reading.asked) and len(reading.speakers) > 1:
        intent = "compare"
    if intent == "compare" and not many:
        intent = "speaker"
    if intent == "roster" and reading.topic and not reading.stance:
        intent = "list"
    if intent == "list" and not reading.topic and reading.stance is None and not reading.yes_no:
        intent = "roster"
    if intent == "fact" and reading.fact is None:
        reading.fact = routed.fact or "title"
    if intent != "fact":
        reading.fact = None
    reading.intent = intent


# ---------------------------------------------------------------- the conversation

def understand(question: str, history: list[Message], corpora, speaker_types=None, speakers=None) -> Query:
    """Resolve a question (and the conversation before it) into a Query."""
    index = speaker_index(corpora)
    router = corpora[0].assistant.router()
    reading = _read(question, index, router)
    previous = _previous(history, index, router)
    if previous is not None:
        _resolve_follow_up(reading, previous, index)
    query = _query(question, reading)
    if speaker_types:
        query = query.model_copy(update={"speaker_types": tuple(speaker_types)})
    if speakers:
        chosen = tuple(s for s in speakers if s in index.names)
        if chosen and not query.speakers:
            intent = "speaker" if len(chosen) == 1 and query.intent not in ("list", "roster", "count", "order") else query.intent
            query = query.model_copy(update={"speakers": chosen, "intent": intent})
    return query


@dataclass
class _Previous:
    reading: _Reading
    answer_speakers: list[str]


def _previous(history: list[Message], index: SpeakerIndex, router) -> _Previous | None:
    users = [m.content for m in history if m.role == "user"][-3:]
    previous: _Reading | None = None
    for text in users:
        reading = _read(text, index, router)
        if previous is not None:
            _resolve_follow_up(reading, _Previous(previous, []), index)
        previous = reading
    if previous is None:
        return None
    answers = [m.content for m in history if m.role == "assistant"][-3:]
    # An answer that lists nobody ("None of those speakers is among the African states") leaves "those" meaning the
    # speakers of the answer before it; a name in its prose (the country concerned) is not who it is about.
    speakers = next((found for text in reversed(answers) if (found := index.speakers_of(text, labelled_only=True))), [])
    return _Previous(previous, speakers or (index.speakers_of(answers[-1]) if answers else []))


def _resolve_follow_up(reading: _Reading, previous: _Previous, index: SpeakerIndex) -> None:
    """Fill what a follow-up leaves out from the conversation so far."""
    before = previous.reading
    if reading.intent == "fact" and not (reading.speaker_pronoun or reading.refers_back or reading.elliptic):
        return
    earlier = previous.answer_speakers or before.speakers
    has_topic = bool(reading.topic) and not reading.topic_pronoun
    named = bool(reading.speakers or reading.missing or reading.listed)

    def inherit_topic() -> None:
        if reading.topic_pronoun and before.topic:
            _resolve_topic_pronoun(reading, before.topic, before.topic_label)
        elif not reading.topic:
            reading.topic, reading.topic_label = before.topic, before.topic_label
            if reading.stance is None:
                reading.stance, reading.stance_object = before.stance, before.stance_object
            elif reading.stance_object is None:
                reading.stance_object = before.stance_object  # "…critical of Zarovia?" then "and the most supportive?"

    if reading.group and re.search(r"\bthe\s+(?:one|delegation|country|state|speaker|organisation|organization|ngo)\b", reading.asked, re.I):
        # "the one speaking for the African Group": the speaker of that group (among the earlier ones if any).
        pool = set(earlier) or set(index.names)
        spoke = [s.speaker for s in index.statements if s.on_behalf_of and fold(reading.group) in fold(s.on_behalf_of) and s.speaker in pool]
        spoke = spoke or [s.speaker for s in index.statements if s.on_behalf_of and fold(reading.group) in fold(s.on_behalf_of)]
        if spoke:
            reading.speakers, reading.group, reading.intent, reading.named_mentions = list(dict.fromkeys(spoke)), None, "speaker", 1
            if len(reading.speakers) > 1:
                reading.intent = "compare"
            reading.speaker_types = []
            inherit_topic()
            reading.from_context = True
            return
    counted = _ordinal_pick(reading.asked, previous.answer_speakers) if before.intent in ("list", "roster", "overview", "order", "count") else None
    described = counted or (_described(reading.asked, earlier, index) if earlier else None)
    if described and not reading.speakers:
        # "what did the one working on defenders in the east say…": the earlier speaker whose name the description echoes
        reading.speakers, reading.named_mentions, reading.intent = [described], 1, "speaker"
        reading.speaker_types, reading.scope_speakers, reading.scope_label, reading.group = [], None, "", None
        if reading.topic_pronoun or not reading.topic:
            inherit_topic()
        reading.from_context = True
        return
    if reading.refers_back and earlier:
        allowed = tuple(earlier)
        if reading.scope_speakers is not None:
            allowed = tuple(s for s in allowed if s in reading.scope_speakers)
            reading.scope_label = f"{reading.scope_label} among those speakers"
        else:
            reading.scope_label = "those speakers"
        reading.scope_speakers = allowed
        if reading.intent in ("speaker", "compare", "overview", "roster"):
            reading.intent = "list"
        if reading.speakers and not reading.missing:
            reading.speakers = []
        inherit_topic()
        reading.elliptic = True  # marks a follow-up
        return
    if named and not has_topic and (reading.elliptic or reading.topic_pronoun):
        # "And China?", "How did France describe it?": same topic, new speaker(s).
        reading.intent = "compare" if reading.named_mentions + len(reading.missing) > 1 else (
            before.intent if before.intent in ("speaker", "count", "order") else "speaker")
        inherit_topic()
        reading.elliptic = True
        return
    if (reading.speaker_types or reading.scope_speakers is not None) and not named and not has_topic and reading.elliptic:
        # "What about the NGOs?", "And the Asian states?": same question, new scope.
        reading.intent = before.intent if before.intent in ("list", "roster", "count", "overview") else "list"
        inherit_topic()
        return
    according = _pattern("according_to_pronoun", "phrases").search(reading.asked)
    if not named and reading.speaker_pronoun and (according or not reading.speaker_types and reading.scope_speakers is None):
        speakers = before.speakers or (earlier if before.intent in ("list", "roster", "overview", "order", "count") else [])
        if speakers:
            reading.speakers = list(speakers)
            reading.named_mentions = len(speakers) if not before.speakers else before.named_mentions
            reading.intent = "compare" if reading.named_mentions > 1 else "speaker"
            reading.speaker_types, reading.fact = [], None
            if reading.topic_pronoun or not reading.topic:
                inherit_topic()
            reading.elliptic = True
            return
        if before.speaker_types or before.group or before.scope_speakers is not None:
            reading.speaker_types, reading.group, reading.scope_speakers = before.speaker_types, before.group, before.scope_speakers
            reading.scope_label = before.scope_label
            reading.intent = "list"
            inherit_topic()
            reading.elliptic = True
            return
    continues = re.match(rf"\s*(?:{_alternation(words()['continuation_openers']['words'])})\b(?!\s+(?:who|whom|which|any|anyone|anybody)\b)",
                         reading.asked, re.I)
    if continues and not named and before.speakers and before.intent in ("speaker", "compare") and not reading.speaker_types and (
            reading.scope_speakers is None and not reading.group and not reading.refers_back):
        # "What did Norway say about fisheries?" → "and how many boats were seized?": still Norway, on its own topic.
        reading.speakers, reading.named_mentions = list(before.speakers), before.named_mentions
        reading.intent = "compare" if reading.named_mentions > 1 else "speaker"
        reading.fact = None
        if reading.topic_pronoun or not reading.topic:
            inherit_topic()
        reading.elliptic = True
        return
    if reading.elliptic and not named and not has_topic and not reading.speaker_types:
        reading.intent = before.intent
        reading.speakers = list(before.speakers)
        reading.named_mentions = before.named_mentions
        reading.speaker_types, reading.group, reading.scope_speakers = before.speaker_types, before.group, before.scope_speakers
        inherit_topic()
        return
    if reading.topic_pronoun and before.topic:
        _resolve_topic_pronoun(reading, before.topic, before.topic_label)
        reading.elliptic = True
        return
    reading.elliptic = False


def _ordinal_pick(asked: str, listed) -> str | None:
    """The speaker of an earlier list that "the second one", "the last one" points to, in the order it was listed
    (a list of one has a first and a last one too)."""
    if not listed:
        return None
    ordinals = {"first": 1, "1st": 1, "2nd": 2, "3rd": 3, **words()["order"]["ordinals"]}
    last = ["last", "final", "latter"]
    match = re.search(rf"\bthe\s+(?P<n>{_alternation(list(ordinals) + last)})\s+(?:{_alternation(words()['described_speaker']['nouns'])})\b",
                      asked, re.I)
    if not match:
        return None
    word = match.group("n").lower()
    n = len(listed) if word in last else ordinals[word]
    return listed[n - 1] if n <= len(listed) else None


def _described(asked: str, pool, index: SpeakerIndex) -> str | None:
    """The one speaker of `pool` that "the one <description>" points to: the description shares at least two
    words (by stem) with that speaker's name, one of them in no other name of the pool ("the one working on
    defenders in the Lakes" for "… Lakes … Defenders Network")."""
    reference = words()["described_speaker"]
    match = re.search(rf"\bthe\s+(?:{_alternation(reference['nouns'])})\s+(?P<description>(?:{_alternation(reference['links'])})\b.*?)"
                      rf"(?=\s+(?:{_alternation(reference['verbs'])})\b|[?,.;]|$)", asked, re.I)
    if not match:
        return None
    ignored = _scaffolding() | {w.casefold() for w in words()["organisation_name_words"]["words"]}
    description = {stem(w) for w in re.findall(r"[\w'’-]+", fold(match.group("description"))) if w not in ignored}
    stems_of = {name: {stem(w) for w in re.findall(r"[\w'’-]+", fold(name)) if w not in ignored} for name in dict.fromkeys(pool)}
    scores = {}
    for name, stems in stems_of.items():
        shared = description & stems
        own = {s for s in shared if not any(s in other for n, other in stems_of.items() if n != name)}
        if len(shared) >= 2 and own:
            scores[name] = len(shared)
    best = max(scores.values(), default=0)
    winners = [n for n, s in scores.items() if s == best]
    return winners[0] if len(winners) == 1 else None


def _query(question: str, reading: _Reading) -> Query:
    follow_up = reading.elliptic or reading.from_context
    return Query(
        question=question,
        asked=reading.asked,
        intent=reading.intent,
        topic=reading.topic,
        topic_label=reading.topic_label if reading.topic else "",
        speakers=tuple(reading.speakers),
        missing_speakers=tuple(reading.missing),
        listed_speakers=tuple(reading.listed),
        speaker_types=tuple(reading.speaker_types),
        scope_label=reading.scope_label,
        scope_speakers=reading.scope_speakers,
        scope_phrases=tuple(dict.fromkeys(reading.scope_phrases)),
        group=reading.group,
        asks_group=reading.asks_group,
        any_group=reading.any_group,
        yes_no=reading.yes_no,
        fabrication=reading.fabrication,
        stance=reading.stance,
        stance_object=reading.stance_object,
        side_on_topic=reading.side_on_topic,
        fact=reading.fact,
        order_anchor=reading.order_anchor,
        order_offset=reading.order_offset,
        follow_up=follow_up,
        standalone=_standalone(reading) if follow_up else reading.asked if not reading.context else _with_context(reading),
    )


def _names(names) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1] if names else "the speakers"


def _with_context(reading: _Reading) -> str:
    """The asking sentence, with its topic spelt out when the preamble gave it ("them" → "unions")."""
    if reading.resolved:
        return reading.resolved
    return reading.asked if not reading.topic or reading.topic.lower() in reading.asked.lower() else (
        f"{reading.asked.rstrip('?')} ({reading.topic})?")


def _standalone(reading: _Reading) -> str:
    """The question without references to earlier turns, for LLMs and logs."""
    about = f" about {reading.topic}" if reading.topic else ""
    side = {"supportive": "supported", "critical": "criticised"}.get(reading.stance or "")
    target = {"mandate": " the mandate and its report", "country": " the country concerned"}.get(reading.stance_object or "", "")
    if reading.intent in ("speaker", "compare"):
        who = _names(reading.speakers)
        if reading.yes_no:
            return f"Did {who} say anything{about}?"
        return f"What did {who} say{about}?"
    scope = re.sub(r"\s*(?:among )?those speakers$", "", reading.scope_label) or ("speakers" if not reading.speaker_types else
                                    " and ".join(dict.fromkeys({"ngo": "NGOs", "igo": "intergovernmental organisations", "state": "states",
                                                                "country_concerned": "states", "panel": "experts"}[t] for t in reading.speaker_types)))
    among = ""
    if reading.scope_speakers and reading.scope_label.endswith("those speakers"):
        scope, among = f"of {_names(reading.scope_speakers)}", f" ({scope})" if scope != "speakers" else ""
    group = f" speaking on behalf of the {reading.group}" if reading.group else ""
    if reading.intent == "count":
        return f"How many {scope}{among}{group} spoke{about}?"
    if reading.intent == "roster":
        return f"Which {scope}{among}{group} took the floor?"
    if side:
        return f"Which {scope}{among}{group} {side}{target or about}?"
    return f"Which {scope}{among}{group} spoke{about}?"
