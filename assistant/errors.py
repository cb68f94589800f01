"""Errors that reach the user as one clear sentence (CLI: stderr + exit 2; API: 4xx/503 JSON)."""


class UserError(Exception):
    """Bad input or an unusable resource; str(error) is the sentence shown to the user."""

    status = 400


class QuestionError(UserError):
    """The question or its history cannot be accepted."""


class NotFound(UserError):
    status = 404


class FilterError(UserError):
    """A filter names something the documents in scope do not have (e.g. an unknown speaker)."""

    status = 422


class Unavailable(UserError):
    """Something we depend on is down (Chroma server, LLM backend)."""

    status = 503
