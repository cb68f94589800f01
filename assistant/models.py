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


class Sentence(Frozen):
    """A sentence unit of a statement; offsets index the statement text."""

    index: int
    text: str
    char_start: int
    char_end: int
    page: int


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
