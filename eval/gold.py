"""The gold set: JSON lines loaded and validated into frozen `GoldItem`s (see eval/README.md).

The gold set is a folder, `eval/gold/`, with one JSONL file per document (`belarus.jsonl`,
`burundi.jsonl`, `water.jsonl`, …); every item names the document it is about and its split
(`dev`, used while tuning; `test`, frozen and run only to report).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from pydantic import ConfigDict, Field, ValidationError, field_validator, model_validator

from assistant.errors import UserError
from assistant.models import Frozen

GOLD_TYPES: tuple[str, ...] = (
    "speaker_topic", "speaker_position", "who_which", "group", "figure", "document_fact",
    "comparison", "overview", "abstain_speaker", "abstain_topic", "followup",
    # The shapes of issue 10: questions in journalists' words rather than the document's.
    "paraphrase", "chatty", "scope_region", "scope_bloc", "scope_type", "stance", "group_followup",
    "meeting", "hostile",
)
SPLITS: tuple[str, ...] = ("dev", "test")
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_GOLD = Path(__file__).resolve().parent / "gold"
BUNDLED_DOCUMENT = "data/hrc58-belarus-id.txt"  # the document of an item that names none


class GoldError(UserError):
    """The gold file cannot be used; the message names the file, the line and the problem."""


def _names(value) -> tuple[str, ...]:
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError("must be a list of non-empty strings")
    return tuple(" ".join(v.split()) for v in value)


class GoldItem(Frozen):
    """What a correct answer to the LAST turn must do."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1)
    type: str
    turns: tuple[str, ...]
    must_cite: tuple[str, ...] = ()
    may_cite: tuple[str, ...] = ()
    any_of: tuple[tuple[str, ...], ...] = ()
    abstain: bool = False
    must_contain: tuple[str, ...] = ()
    note: str = ""
    document: str = BUNDLED_DOCUMENT  # repo-relative path of the document the conversation is about
    split: Literal["dev", "test"] = "test"
    support: dict[str, tuple[str, ...]] = Field(default_factory=dict)  # speaker -> verbatim fragments making the point

    @field_validator("document")
    @classmethod
    def _document(cls, value: str) -> str:
        value = value.strip()
        if not value or Path(value).is_absolute() or ".." in Path(value).parts:
            raise ValueError("must be a repository-relative path such as data/hrc58-belarus-id.txt")
        return value

    @field_validator("support", mode="before")
    @classmethod
    def _support(cls, value):
        if not isinstance(value, dict):
            raise ValueError("must be an object {speaker: [verbatim fragment, ...]}")
        support = {" ".join(str(k).split()): _names(v) for k, v in value.items()}
        if not all(support.values()):
            raise ValueError("every speaker in support needs at least one verbatim fragment")
        return support

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        if value not in GOLD_TYPES:
            raise ValueError(f"unknown type {value!r}; use one of {', '.join(GOLD_TYPES)}")
        return value

    @field_validator("turns", mode="before")
    @classmethod
    def _turns(cls, value):
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, (list, tuple)) or not value:
            raise ValueError("must be a non-empty list of questions")
        if not all(isinstance(t, str) and t.strip() for t in value):
            raise ValueError("every turn must be a non-empty string")
        return tuple(t.strip() for t in value)

    @field_validator("must_cite", "may_cite", "must_contain", mode="before")
    @classmethod
    def _name_list(cls, value):
        return _names(value)

    @field_validator("any_of", mode="before")
    @classmethod
    def _groups(cls, value):
        if not isinstance(value, (list, tuple)):
            raise ValueError("must be a list of lists of speaker names")
        groups = []
        for group in value:
            if not isinstance(group, (list, tuple)) or not group:
                raise ValueError("every any_of group must be a non-empty list of speaker names")
            groups.append(_names(group))
        return tuple(groups)

    @model_validator(mode="after")
    def _consistent(self):
        if self.abstain and (self.must_cite or self.any_of or self.must_contain or self.support):
            raise ValueError("an abstention item cannot have must_cite, any_of, must_contain or support")
        from eval.metrics import name_key

        known = {name_key(n) for n in self.speakers()}
        strangers = [name for name in self.support if name_key(name) not in known]
        if strangers:
            raise ValueError(f"support names {', '.join(strangers)}, who is not in must_cite, may_cite or any_of")
        return self

    @property
    def question(self) -> str:
        """The turn that is scored."""
        return self.turns[-1]

    @property
    def earlier_turns(self) -> tuple[str, ...]:
        return self.turns[:-1]

    def speakers(self) -> set[str]:
        """Every speaker name the item mentions."""
        return {*self.must_cite, *self.may_cite, *(n for g in self.any_of for n in g)}

    def document_path(self, root: Path = REPO_ROOT) -> Path:
        return root / self.document


def parse_gold(lines: Iterable[str], source: str = "gold") -> list[GoldItem]:
    """Parse JSON lines (blank lines skipped) into items; GoldError on the first bad line."""
    items: list[GoldItem] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise GoldError(f"{source}:{number}: not valid JSON ({exc.msg}).") from None
        if not isinstance(raw, dict):
            raise GoldError(f"{source}:{number}: each line must be a JSON object.")
        try:
            item = GoldItem.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "item"
            message = first["msg"].removeprefix("Value error, ")
            raise GoldError(f"{source}:{number}: {where}: {message}.") from None
        if item.id in seen:
            raise GoldError(f"{source}:{number}: duplicate id {item.id!r} (first on line {seen[item.id]}).")
        seen[item.id] = number
        items.append(item)
    if not items:
        raise GoldError(f"{source}: no gold items.")
    return items


def _load_file(path: Path) -> list[GoldItem]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise GoldError(f"{path}: cannot be read as UTF-8 text ({type(exc).__name__}).") from None
    return parse_gold(text.splitlines(), source=str(path))


def load_gold(path: Path | str = DEFAULT_GOLD, split: str = "all") -> list[GoldItem]:
    """Read and validate a gold JSONL file, or every `*.jsonl` of a gold folder (ids unique across files).

    `split`: "dev", "test" or "all".
    """
    if split not in (*SPLITS, "all"):
        raise GoldError(f"unknown split {split!r}; use dev, test or all.")
    path = Path(path)
    if path.is_dir():
        files = sorted(path.glob("*.jsonl"))
        if not files:
            raise GoldError(f"{path}: the gold folder holds no .jsonl file.")
    elif path.is_file():
        files = [path]
    else:
        raise GoldError(f"{path}: no such gold file.")
    items: list[GoldItem] = []
    first_file: dict[str, Path] = {}
    for file in files:
        for item in _load_file(file):
            if item.id in first_file:
                raise GoldError(f"{file}: duplicate id {item.id!r} (also in {first_file[item.id]}).")
            first_file[item.id] = file
            items.append(item)
    return [item for item in items if split == "all" or item.split == split]


def unknown_speakers(items: Iterable[GoldItem], speakers: Iterable[str]) -> dict[str, list[str]]:
    """Gold speaker names that match no speaker of the document: {name: [item ids]}.

    Such a name can never be cited, so the item is unwinnable: a typo in the gold, or a
    gold file written for another document.
    """
    from eval.metrics import name_key

    known = {name_key(s) for s in speakers}
    found: dict[str, list[str]] = {}
    for item in items:
        for name in sorted(item.speakers()):
            if name_key(name) not in known:
                found.setdefault(name, []).append(item.id)
    return found


def statement_problems(items: Iterable[GoldItem], statements) -> list[str]:
    """What in the gold does not hold against the document's statements, one line per problem.

    Every `support` fragment must be found (case, spaces and quote marks normalised) in a
    statement of its own speaker, and every gold speaker must be a speaker of the document.
    `statements`: the `assistant.models.Statement`s of the one document the items are about.
    """
    from assistant.text import normalise_for_match
    from eval.metrics import name_key

    texts: dict[str, list[str]] = {}
    for s in statements:
        texts.setdefault(name_key(s.speaker), []).append(normalise_for_match(s.text))
    problems = []
    for item in items:
        for name in sorted(item.speakers()):
            if name_key(name) not in texts:
                problems.append(f"{item.id}: {name!r} is not a speaker of {item.document}")
        for name, fragments in item.support.items():
            for fragment in fragments:
                if not any(normalise_for_match(fragment) in text for text in texts.get(name_key(name), [])):
                    problems.append(f"{item.id}: support {fragment!r} is not in a statement of {name}")
    return problems
