"""The data that flows through the system, from a loaded document to an answer.

Offsets: `Statement.char_start/char_end` index the normalised document text;
`Sentence`, `Chunk` and `Citation` offsets index their statement's `text`, so
`statement.text[c.char_start:c.char_end] == c.quote` always holds.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SpeakerType = Literal["panel", "country_concerned", "state", "igo", "ngo", "unknown"]
SPEAKER_TYPES: tuple[str, ...] = ("panel", "country_concerned", "state", "igo", "ngo", "unknown")
# The one place speaker types get their human labels (answers, LLM prompts, UI).
SPEAKER_TYPE_LABELS: dict[str, str] = {
    "panel": "expert",
    "country_concerned": "country concerned",
    "state": "state",
    "igo": "intergovernmental organisation",
    "ngo": "NGO",
    "unknown": "unattributed",
}

Position = Literal["supportive", "critical", "neutral"]
StanceObject = Literal["mandate", "country"]  # the mandate/report, or the country concerned


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Page(Frozen):
    """One page of a source file: its real page number and raw text."""

    number: int
    text: str


class Participation(Frozen):
    """A participation figure such as "43 State Delegations"."""

    label: str  # "State Delegations"
    count: int  # 43
    text: str  # "43 State Delegations", as written


class DocumentInfo(Frozen):
    document_id: str  # stable: derived from the normalised content
    title: str
    session: str | None = None  # "HRC58"
    date: str | None = None  # ISO "2025-03-19"
    date_text: str | None = None  # "19 March 2025", as written
    participation: tuple[Participation, ...] = ()
    source: str = ""  # file name it was read from
    pages: int = 0
    statements: int = 0
    warnings: tuple[str, ...] = ()
    mandate: str | None = None  # "Special Rapporteur on the right to food", as the document states it
    language: str = "en"  # ISO 639-1 guess of the document's language
    confidence: float = 1.0  # share of the body text attributed to a named speaker (0..1)
    listed_speakers: tuple[str, ...] = ()  # named in "Speaking were A, B, C" lists, with no statement text
    absent_speakers: tuple[str, ...] = ()  # "X was not present in the room": did not speak

    @property
    def low_confidence(self) -> bool:
        """Speakers are not reliably recognised in this document (layout or language not understood)."""
        return self.confidence < 0.5 or self.language != "en"


class Sentence(Frozen):
    """A sentence unit of a statement; offsets index the statement text."""

    index: int
    text: str
    char_start: int
    char_end: int
    page: int


class Stance(Frozen):
    """A statement's position towards one object, with the sentence that shows it."""

    object: StanceObject
    position: Position
    sentence: int | None = None  # index into Statement.sentences of the evidence; None for neutral
    score: float = 0.0  # strength of the evidence (method-specific, higher is clearer)


class Statement(Frozen):
    """What one speaker said, in full, with where it sits in the document."""

    statement_id: str  # f"{document_id}:{order:03d}"
    document_id: str
    order: int  # 1-based, document order
    speaker: str  # canonical name, or "unknown"
    speaker_type: SpeakerType
    on_behalf_of: str | None = None
    role: str | None = None  # "Chair of the Group of Experts …" for panel members
    section: str = ""
    page_start: int
    page_end: int
    text: str
    char_start: int  # span in the normalised document text
    char_end: int
    sentences: tuple[Sentence, ...] = ()
    stances: tuple[Stance, ...] = ()  # computed at index time; empty when unknown

    def stance_on(self, obj: str) -> Stance | None:
        return next((s for s in self.stances if s.object == obj), None)

    def page_at(self, offset: int) -> int:
        """Page of the character at `offset` in this statement's text."""
        page = self.page_start
        for sentence in self.sentences:
            if sentence.char_start > offset:
                break
            page = sentence.page
        return page


class Document(Frozen):
    info: DocumentInfo
    text: str  # the normalised document text
    statements: tuple[Statement, ...]


class Chunk(Frozen):
    """A token-bounded run of whole sentences inside one statement."""

    chunk_id: str  # f"{statement_id}:c{index}"
    statement_id: str
    index: int
    text: str
    char_start: int  # in the statement text
    char_end: int
    tokens: int


Intent = Literal["speaker", "list", "compare", "overview", "fact", "roster", "order", "count"]
FactKind = Literal["date", "session", "title", "participation", "high_level", "mandate"]


class Query(Frozen):
    """A question resolved against the speakers in scope and the conversation so far.

    intent:
      speaker  - what did X say (about topic); X in `speakers`
      list     - who/which speakers addressed `topic` (optionally with `stance`), within the scope
      compare  - two or more `speakers` on `topic`
      overview - the main points / positions of the dialogue, optionally by `stance`
      fact     - a fact about the meeting (`fact`)
      roster   - who took the floor, within the scope (no topic): "Name all the NGOs that spoke"
      order    - speaking order: `order_anchor` and `order_offset` ("first after the country concerned")
      count    - how many statements/speakers, within the scope or by `speakers`
    Scope = speaker_types AND scope_speakers (when not None) AND group.
    """

    question: str  # as the user wrote it
    asked: str = ""  # the asking sentence, preamble and greetings removed
    intent: Intent
    topic: str = ""  # what the question is about, scaffolding removed; "" = no topic
    topic_label: str = ""  # the topic as a clean noun phrase for headlines ("trade unions"); "" = say "this question"
    speakers: tuple[str, ...] = ()  # canonical names of named speakers present in the corpora
    missing_speakers: tuple[str, ...] = ()  # named, recognised, but with no statement in the corpora
    listed_speakers: tuple[str, ...] = ()  # named, listed as participants without statement text
    speaker_types: tuple[SpeakerType, ...] = ()  # scope by type; empty = any
    scope_label: str = ""  # the scope as said, for display: "Asian states", "EU members", "those speakers"
    scope_speakers: tuple[str, ...] | None = None  # allowed canonical speakers (region, bloc, "which of those"); None = any
    scope_phrases: tuple[str, ...] = ()  # the question's words that name its scope ("OIC", "Latin American"), not its topic
    group: str | None = None  # statements made on behalf of this group
    any_group: bool = False  # statements made on behalf of any group ("who spoke on behalf of a group of countries?")
    asks_group: bool = False  # "on whose behalf did X speak?"
    yes_no: bool = False
    fabrication: bool = False  # asks to make up what someone said: refused, the verbatim record is shown instead
    stance: Position | None = None  # asked position: who backed (supportive) / opposed (critical)
    stance_object: StanceObject | None = None  # what the stance is about
    side_on_topic: Position | None = None  # a side asked on a topic that is neither the mandate nor the country ("who defended private operators?"): no stance is read for it, so an answer never claims it
    fact: FactKind | None = None
    order_anchor: str | None = None  # speaker the order is relative to; None = the start of the debate
    order_offset: int = 1  # +1 = right after, -1 = right before; with no anchor: 1 = first, -1 = last
    follow_up: bool = False
    standalone: str = ""  # the question rewritten without references to earlier turns (for LLMs and logs)


class Message(Frozen):
    role: Literal["user", "assistant", "system"]
    content: str


class Citation(Frozen):
    n: int
    statement_id: str
    document_id: str
    speaker: str
    speaker_type: SpeakerType
    on_behalf_of: str | None = None
    quote: str
    page: int
    char_start: int  # in the statement text
    char_end: int


class Answer(Frozen):
    question: str
    answer: str
    citations: tuple[Citation, ...] = ()
    abstained: bool = False
    notices: tuple[str, ...] = ()
    backend: str = "offline"
    document_id: str | None = None
    timings_ms: dict[str, float] = Field(default_factory=dict)
