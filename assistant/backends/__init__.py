"""LLM backends as plugins: one class per backend, registered in the `hrc_assistant.backends` entry-point group.

A backend (in the style of simonw/llm's plugins) is a subclass of `Backend` with:
* `Options`: a pydantic model of its own settings, read from `HRC_<NAME>__<OPTION>`
  (e.g. `HRC_OPENAI__MODEL`, `HRC_LLAMACPP__MODEL_PATH`) and passed in `Settings(<name>={...})`;
* `stream(messages)`: the text deltas of the model's reply to (role, content) messages;
* `error_types()`: the exception types of its client library, by what they mean, so that
  failures are told apart by type rather than by name.
Adding a backend is one module and one entry-point line; it imports its client lazily, and a
missing client names the extra that installs it.
"""

from __future__ import annotations

import json
import socket
import sys
from collections.abc import Iterator
from functools import lru_cache
from importlib.metadata import EntryPoint, entry_points
from typing import ClassVar

import httpx
from pydantic import BaseModel, ConfigDict

GROUP = "hrc_assistant.backends"
OFFLINE = "offline"


class BackendMissing(Exception):
    """The backend's optional extra is not installed."""


class BackendMisconfigured(Exception):
    """The backend lacks a setting it needs (model name, model path)."""


class BackendTimeout(Exception):
    """The backend did not finish within `settings.llm_timeout`."""


class BackendOptions(BaseModel):
    """Options of one backend; subclasses add fields. Frozen, and unknown options are refused."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class ErrorTypes(BaseModel):
    """A backend's client exceptions grouped by meaning (each tuple checked with isinstance)."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    timeout: tuple[type[BaseException], ...] = ()
    unreachable: tuple[type[BaseException], ...] = ()  # most specific first: its name is shown
    invalid: tuple[type[BaseException], ...] = ()
    http_status: tuple[type[BaseException], ...] = ()


# What every backend can meet, from the standard library and httpx (a core dependency).
COMMON_ERRORS = ErrorTypes(
    timeout=(BackendTimeout, TimeoutError, httpx.TimeoutException),
    unreachable=(httpx.ConnectError, ConnectionRefusedError, socket.gaierror, ConnectionResetError, httpx.RemoteProtocolError,
                 ConnectionError, httpx.NetworkError),
    invalid=(json.JSONDecodeError, httpx.DecodingError, UnicodeDecodeError, KeyError, IndexError, TypeError, AttributeError,
             ValueError),
    http_status=(httpx.HTTPStatusError,),
)


class Backend:
    """One way of reaching an LLM."""

    name: ClassVar[str] = ""  # the name it is registered under
    extra: ClassVar[str] = ""  # the optional dependency group that installs the client
    Options: ClassVar[type[BackendOptions]] = BackendOptions

    def __init__(self, options: BackendOptions, settings):
        self.options = options
        self.settings = settings

    def stream(self, messages: list[tuple[str, str]]) -> Iterator[str]:  # pragma: no cover - interface
        """Text deltas of the model's reply to (role, content) messages."""
        raise NotImplementedError

    def where(self) -> str:
        """Where the backend is, for notices: "at http://…" or "(model.gguf)"; "" when unknown."""
        return ""

    def prompt_budget(self) -> int:
        """Characters of sources the prompt may hold (a small local context window holds fewer)."""
        return 24000

    def error_types(self) -> ErrorTypes:
        """The exception types of this backend's client, by meaning (in addition to COMMON_ERRORS)."""
        return ErrorTypes()

    def missing(self, error: ImportError) -> BackendMissing:
        return BackendMissing(f"{error.name or error}; install it with pip install -e '.[{self.extra or self.name}]'")


def imported_types(module: str, *names: str) -> tuple[type[BaseException], ...]:
    """Exception classes of a client library, if it has been imported (else its errors cannot be in play).

    Never imports: a client still being imported by a backend's worker thread would block the caller."""
    loaded = sys.modules.get(module)
    found = tuple(getattr(loaded, name, None) for name in names) if loaded is not None else ()
    return found if found and all(isinstance(t, type) for t in found) else ()


def registered() -> dict[str, EntryPoint]:
    """The backends installed in this environment, by name (without loading them)."""
    return dict(_registered(tuple(sys.path)))


@lru_cache(maxsize=8)
def _registered(path: tuple[str, ...]) -> tuple[tuple[str, EntryPoint], ...]:
    # Scanning the installed distributions takes tens of milliseconds: once per import path, not per question.
    return tuple((ep.name, ep) for ep in entry_points(group=GROUP))


def names() -> tuple[str, ...]:
    """Every backend name a setting or request may use: "offline" and the registered ones."""
    return (OFFLINE, *sorted(registered()))


def load(name: str) -> type[Backend]:
    """The backend class registered under `name` (KeyError when there is none)."""
    cls = registered()[name].load()
    if not (isinstance(cls, type) and issubclass(cls, Backend) and cls.name == name):
        raise TypeError(f"the entry point {name!r} of {GROUP} is not a Backend subclass named {name!r}")
    return cls
