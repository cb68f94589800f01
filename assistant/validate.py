"""Checks on what users send: questions and conversation history."""

from __future__ import annotations

import re
import unicodedata

from assistant.errors import QuestionError
from assistant.models import Message
from assistant.settings import Settings

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def validate_question(question, settings: Settings) -> str:
    """Return the question cleaned of surrounding space, or raise QuestionError."""
    if isinstance(question, bytes):
        try:
            question = question.decode("utf-8")
        except UnicodeDecodeError:
            raise QuestionError("The question is not valid UTF-8 text.") from None
    if not isinstance(question, str):
        raise QuestionError("The question must be text.")
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in question):
        raise QuestionError("The question is not valid UTF-8 text.")
    if _CONTROL.search(question):
        raise QuestionError("The question contains control characters; send plain text.")
    question = unicodedata.normalize("NFC", question).strip()
    if not question:
        raise QuestionError("The question is empty; ask something about the dialogue.")
    if len(question) > settings.max_question_chars:
        raise QuestionError(
            f"The question is {len(question)} characters long; the limit is {settings.max_question_chars}."
        )
    return question


def validate_history(history, settings: Settings) -> list[Message]:
    """History as Message objects, or QuestionError when it is malformed or too long."""
    if not isinstance(history, list):
        raise QuestionError("The history must be a list of {role, content} messages.")
    if len(history) > settings.max_history_messages:
        raise QuestionError(f"The history has {len(history)} messages; the limit is {settings.max_history_messages}.")
    messages: list[Message] = []
    total = 0
    for item in history:
        if isinstance(item, Message):
            item = item.model_dump()
        if not isinstance(item, dict) or item.get("role") not in ("user", "assistant", "system") or not isinstance(item.get("content"), str):
            raise QuestionError("Each history message must be {role: user|assistant|system, content: text}.")
        if _CONTROL.search(item["content"]):
            raise QuestionError("A history message contains control characters.")
        total += len(item["content"])
        messages.append(Message(role=item["role"], content=item["content"]))
    if total > settings.max_history_chars:
        raise QuestionError(f"The history holds {total} characters; the limit is {settings.max_history_chars}.")
    return messages
