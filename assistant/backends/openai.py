"""Any OpenAI-compatible chat server (llama.cpp server, vLLM, LM Studio, OpenAI) through llama-index."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from assistant.backends import Backend, BackendOptions, ErrorTypes, imported_types


class OpenAIOptions(BackendOptions):
    model: str = Field("local-model", description="Model name sent to the server.")
    base_url: str = Field("http://127.0.0.1:8000/v1", description="OpenAI-compatible server URL.")
    api_key: str = Field("not-needed", description="API key for the server.")
    context_window: int = Field(8192, ge=512, description="Tokens of the model's context window.")


class OpenAIBackend(Backend):
    name = "openai"
    extra = "openai"
    Options = OpenAIOptions

    def stream(self, messages: list[tuple[str, str]]) -> Iterator[str]:
        try:
            from llama_index.core.llms import ChatMessage
            from llama_index.llms.openai_like import OpenAILike
        except ImportError as error:
            raise self.missing(error) from error
        options, settings = self.options, self.settings
        llm = OpenAILike(
            api_base=options.base_url, model=options.model, api_key=options.api_key, is_chat_model=True,
            timeout=settings.llm_timeout, max_tokens=settings.llm_max_tokens, temperature=0.0, max_retries=0,
            context_window=options.context_window,
        )
        for chunk in llm.stream_chat([ChatMessage(role=role, content=content) for role, content in messages]):
            if chunk.delta:
                yield chunk.delta

    def where(self) -> str:
        return f"at {self.options.base_url}"

    def error_types(self) -> ErrorTypes:
        timeout, connection, validation, status = imported_types(
            "openai", "APITimeoutError", "APIConnectionError", "APIResponseValidationError", "APIStatusError"
        ) or (None,) * 4
        if timeout is None:
            return ErrorTypes()
        return ErrorTypes(timeout=(timeout,), unreachable=(connection,), invalid=(validation,), http_status=(status,))
