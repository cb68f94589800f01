"""The one configuration object. Every field is read from an `HRC_<NAME>` env variable."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, PydanticBaseSettingsSource, SettingsConfigDict
from typing_extensions import Annotated

BUNDLED_DOCUMENTS = Path(__file__).resolve().parent.parent / "data"


def _default_home() -> Path:
    return Path.home() / ".hrc-assistant"


class Settings(BaseSettings):
    # Each LLM backend's options nest under its name: HRC_OPENAI__MODEL, HRC_LLAMACPP__MODEL_PATH, or
    # Settings(openai={"model": ...}). They are not fields here: a backend plugin declares its own
    # options model (assistant/backends), so adding a backend touches no file but its own.
    model_config = SettingsConfigDict(env_prefix="HRC_", env_nested_delimiter="__", extra="allow", frozen=True)

    # Storage
    home: Path = Field(default_factory=_default_home, description="Data directory: index generations and caches.")
    chroma_url: str | None = Field(None, description="Chroma server URL (client/server mode); unset means the embedded store under home.")
    bundled_document: Path = Field(BUNDLED_DOCUMENTS / "hrc58-belarus-id.txt", description="Document indexed when none is given.")

    # Indexing
    chunk_tokens: int = Field(200, ge=32, le=2048, description="Upper bound of a chunk, in tiktoken tokens.")
    tokenizer: str = Field("cl100k_base", description="tiktoken encoding used to count tokens.")
    max_file_mb: float = Field(20.0, gt=0, description="Largest document file accepted, in MB.")
    keep_generations: int = Field(2, ge=1, description="Index generations kept on disk.")
    max_pdf_decompressed_mb: float = Field(20.0, gt=0, description="Most bytes the page content of one PDF may decompress to, in MB (compression bombs fail fast).")
    max_document_seconds: float = Field(30.0, gt=0, description="Longest time reading one PDF may take, in seconds.")
    index_lock_wait_seconds: float = Field(30.0, ge=0, description="How long `index` waits for another indexing run on the same index before giving up.")
    store_batch_size: int = Field(5000, ge=1, le=30000, description="Most records per Chroma read or write (SQLite allows 32766 variables per statement).")

    # Answering
    backend: str = Field("offline", description="Answer backend: offline, or a registered LLM backend (openai, ollama, llamacpp).")
    top_k: int = Field(6, ge=1, le=50, description="Statements used for a topical answer.")
    max_question_chars: int = Field(2000, ge=10, description="Longest question accepted.")
    max_history_messages: int = Field(40, ge=0, description="Most history messages accepted.")
    max_history_chars: int = Field(20000, ge=0, description="Most history characters accepted.")

    # LLM backends (what every backend shares; each backend's own options nest under its name)
    llm_timeout: float = Field(30.0, gt=0, description="Seconds before an LLM call is abandoned.")
    llm_max_tokens: int = Field(300, ge=16, description="Most tokens an LLM may generate.")
    support_threshold: float = Field(0.5, ge=0, le=1, description="Least share of a sentence's content words found in its cited source.")
    min_supported_ratio: float = Field(0.5, ge=0, le=1, description="Least share of LLM sentences that must survive the checks.")

    # Server
    host: str = Field("127.0.0.1", description="Interface the server listens on.")
    port: int = Field(7860, ge=1, le=65535, description="Port the server listens on.")
    root_path: str = Field("", description="Sub-path when served behind a reverse proxy.")
    auth_user: str | None = Field(None, description="HTTP Basic user (with auth_password).")
    auth_password: str | None = Field(None, description="HTTP Basic password.")
    auth_token: str | None = Field(None, description="Bearer token accepted by the API and UI.")
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list, description="Origins allowed by CORS, comma separated.")
    rate_limit_per_minute: int = Field(120, ge=0, description="API requests per client per minute; 0 disables.")
    api_concurrency: int = Field(8, ge=1, description="Answers computed at once; more wait in line.")
    model_threads: int = Field(0, ge=0, description="CPU threads of the embedding model; 0: one per answer when serving (concurrent answers share the cores), every core when indexing.")
    max_body_kb: int = Field(256, ge=1, le=1_048_576, description="Largest request body accepted, in KiB (413 above it, refused before it is read).")
    log_questions: bool = Field(False, description="Log question text (off: journalists' questions are sensitive).")

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings, file_secret_settings):
        return init_settings, env_settings, _BackendOptionsSource(settings_cls), dotenv_settings, file_secret_settings

    @field_validator("backend")
    @classmethod
    def _registered_backend(cls, value: str) -> str:
        from assistant.backends import OFFLINE, names

        if value != OFFLINE and value not in names():
            raise ValueError(f"unknown backend {value!r}; choose one of {', '.join(names())}")
        return value

    @model_validator(mode="before")
    @classmethod
    def _backend_options(cls, values):
        """Options of registered backends become their typed models; any other unknown setting is an error."""
        from assistant.backends import load, registered

        if not isinstance(values, dict) or not set(values) - set(cls.model_fields):
            return values
        backends = registered()
        out = dict(values)
        for key, value in values.items():
            if key in cls.model_fields:
                continue
            if key not in backends:
                raise ValueError(f"unknown setting {key!r}")
            options = load(key).Options
            out[key] = value if isinstance(value, options) else options.model_validate(value or {})
        return out

    def backend_options(self, name: str, options=None):
        """The options of backend `name`, as its options model (the registered backend's unless given)."""
        from assistant.backends import load

        options = options or load(name).Options
        value = (self.model_extra or {}).get(name)
        return value if isinstance(value, options) else options.model_validate(value or {})

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value):
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @property
    def auth_enabled(self) -> bool:
        return bool(self.auth_token or (self.auth_user and self.auth_password))


class _BackendOptionsSource(PydanticBaseSettingsSource):
    """HRC_<BACKEND>__<OPTION> variables, as {backend: {option: value}}, for the backends' own options models."""

    def get_field_value(self, field, field_name):  # pragma: no cover - this source reads no declared field
        return None, field_name, False

    def __call__(self) -> dict[str, dict[str, str]]:
        import os

        prefix, delimiter = "HRC_", "__"
        found: dict[str, dict[str, str]] = {}
        for key, value in os.environ.items():
            if not key.upper().startswith(prefix) or delimiter not in key:
                continue
            backend, _, option = key[len(prefix):].partition(delimiter)
            backend, option = backend.lower(), option.lower()
            if backend and option and backend not in self.settings_cls.model_fields:
                found.setdefault(backend, {})[option] = value
        return found
