"""The one configuration object. Every field is read from an `HRC_<NAME>` env variable."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from typing_extensions import Annotated

BackendName = Literal["offline", "openai", "ollama", "llamacpp"]
BACKENDS: tuple[str, ...] = ("offline", "openai", "ollama", "llamacpp")

BUNDLED_DOCUMENTS = Path(__file__).resolve().parent.parent / "data"


def _default_home() -> Path:
    return Path.home() / ".hrc-assistant"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HRC_", extra="ignore", frozen=True)

    # Storage
    home: Path = Field(default_factory=_default_home, description="Data directory: index generations and caches.")
    chroma_url: str | None = Field(None, description="Chroma server URL (client/server mode); unset means the embedded store under home.")
    bundled_document: Path = Field(BUNDLED_DOCUMENTS / "hrc58-belarus-id.txt", description="Document indexed when none is given.")

    # Indexing
    chunk_tokens: int = Field(200, ge=32, le=2048, description="Upper bound of a chunk, in tiktoken tokens.")
    tokenizer: str = Field("cl100k_base", description="tiktoken encoding used to count tokens.")
    max_file_mb: float = Field(20.0, gt=0, description="Largest document file accepted, in MB.")
    keep_generations: int = Field(2, ge=1, description="Index generations kept on disk.")

    # Answering
    backend: BackendName = Field("offline", description="Answer backend: offline, openai, ollama or llamacpp.")
    top_k: int = Field(6, ge=1, le=50, description="Statements used for a topical answer.")
    max_question_chars: int = Field(2000, ge=10, description="Longest question accepted.")
    max_history_messages: int = Field(40, ge=0, description="Most history messages accepted.")
    max_history_chars: int = Field(20000, ge=0, description="Most history characters accepted.")

    # LLM backends
    llm_model: str = Field("", description="Model name for openai/ollama.")
    llm_base_url: str = Field("http://127.0.0.1:8000/v1", description="OpenAI-compatible server URL.")
    llm_api_key: str = Field("not-needed", description="API key for the OpenAI-compatible server.")
    ollama_url: str = Field("http://127.0.0.1:11434", description="Ollama server URL.")
    llamacpp_model_path: Path | None = Field(None, description="GGUF file for the in-process llamacpp backend.")
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
    log_questions: bool = Field(False, description="Log question text (off: journalists' questions are sensitive).")

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value):
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @property
    def auth_enabled(self) -> bool:
        return bool(self.auth_token or (self.auth_user and self.auth_password))
