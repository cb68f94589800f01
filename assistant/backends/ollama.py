"""A model served by Ollama, through llama-index."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from assistant.backends import Backend, BackendMisconfigured, BackendOptions, ErrorTypes, imported_types


class OllamaOptions(BackendOptions):
    model: str = Field("", description="Model name, e.g. llama3.2 (required).")
    url: str = Field("http://127.0.0.1:11434", description="Ollama server URL.")


class OllamaBackend(Backend):
    name = "ollama"
    extra = "ollama"
    Options = OllamaOptions

    def stream(self, messages: list[tuple[str, str]]) -> Iterator[str]:
        try:
            from llama_index.core.llms import ChatMessage
            from llama_index.llms.ollama import Ollama
        except ImportError as error:
            raise self.missing(error) from error
        if not self.options.model:
            raise BackendMisconfigured("no model named: set HRC_OLLAMA__MODEL (e.g. llama3.2)")
        llm = Ollama(
            base_url=self.options.url, model=self.options.model, request_timeout=self.settings.llm_timeout,
            temperature=0.0, additional_kwargs={"num_predict": self.settings.llm_max_tokens},
        )
        for chunk in llm.stream_chat([ChatMessage(role=role, content=content) for role, content in messages]):
            if chunk.delta:
                yield chunk.delta

    def where(self) -> str:
        return f"at {self.options.url}"

    def error_types(self) -> ErrorTypes:
        return ErrorTypes(invalid=imported_types("ollama", "ResponseError"))
