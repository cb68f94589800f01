"""A GGUF model run in this process by llama-cpp-python; each file is loaded once per process."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pydantic import Field

from assistant.backends import Backend, BackendMisconfigured, BackendMissing, BackendOptions


class LlamaCppOptions(BackendOptions):
    model_path: Path | None = Field(None, description="GGUF file of the model.")
    context_window: int = Field(2048, ge=512, description="Tokens of the model's context window.")
    threads: int = Field(0, ge=0, description="CPU threads; 0 = all cores.")


@dataclass
class LoadedModel:
    llm: object  # llama_index LlamaCPP, or llama_cpp.Llama when the llama-index wrapper is absent
    render: Callable[[list[tuple[str, str]]], str]
    lock: threading.Lock = field(default_factory=threading.Lock)  # a llama.cpp context serves one generation at a time


class LlamaCppBackend(Backend):
    name = "llamacpp"
    extra = "llamacpp"
    Options = LlamaCppOptions

    def stream(self, messages: list[tuple[str, str]]) -> Iterator[str]:
        loaded = loaded_model(self.options)
        text = loaded.render(messages)
        max_tokens = min(self.settings.llm_max_tokens, self.options.context_window // 2)
        with loaded.lock:
            if hasattr(loaded.llm, "stream_complete"):
                loaded.llm.generate_kwargs["max_tokens"] = max_tokens
                for chunk in loaded.llm.stream_complete(text, formatted=True):
                    if chunk.delta:
                        yield chunk.delta
            else:
                for chunk in loaded.llm(prompt=text, max_tokens=max_tokens, temperature=0.0, stream=True):
                    delta = chunk["choices"][0]["text"]
                    if delta:
                        yield delta

    def where(self) -> str:
        path = self.options.model_path
        return f"({Path(path).name})" if path else ""

    def prompt_budget(self) -> int:
        """Characters of sources that fit the context beside the rules and the reply (~3 characters a token)."""
        reply = min(self.settings.llm_max_tokens, self.options.context_window // 2)
        return max((self.options.context_window - reply - 450) * 3, 600)


_LOADING = threading.Lock()


def loaded_model(options: LlamaCppOptions) -> LoadedModel:
    """The model of `options`, loaded on first use and kept for the life of the process."""
    path = options.model_path
    if not path or str(path) in ("", "."):
        raise BackendMisconfigured("no model file: set HRC_LLAMACPP__MODEL_PATH to a .gguf file")
    path = Path(path).expanduser()
    if not path.is_file():
        problem = "is a directory, not a .gguf file" if path.is_dir() else "does not exist"
        raise BackendMisconfigured(f"the model file {path} {problem} (HRC_LLAMACPP__MODEL_PATH)")
    with _LOADING:
        return _load(str(path.resolve()), options.context_window, options.threads or max(1, os.cpu_count() or 1))


@lru_cache(maxsize=4)
def _load(path: str, context_window: int, threads: int) -> LoadedModel:
    try:
        import llama_cpp
    except ImportError as error:
        raise BackendMissing(f"{error.name or error}; install it with pip install -e '.[llamacpp]'") from error
    try:
        from llama_index.llms.llama_cpp import LlamaCPP
    except ImportError:  # the llama-index wrapper is optional: drive llama_cpp directly
        model = llama_cpp.Llama(model_path=path, n_ctx=context_window, n_threads=threads, verbose=False)
        return LoadedModel(model, _chat_renderer(model))
    llm = LlamaCPP(
        model_path=path, temperature=0.0, max_new_tokens=300, context_window=context_window, verbose=False,
        model_kwargs={"n_threads": threads},
    )
    return LoadedModel(llm, _chat_renderer(llm._model))


def _chat_renderer(model) -> Callable[[list[tuple[str, str]]], str]:
    """Messages to a prompt with the GGUF's own chat template (ChatML when it has none)."""
    template = (model.metadata or {}).get("tokenizer.chat_template")
    if not template:
        return lambda messages: "".join(f"<|im_start|>{r}\n{c}<|im_end|>\n" for r, c in messages) + "<|im_start|>assistant\n"
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    def token_text(token: int) -> str:
        return model._model.token_get_text(token) if token >= 0 else ""

    formatter = Jinja2ChatFormatter(
        template=template, eos_token=token_text(model.token_eos()), bos_token=token_text(model.token_bos()),
        add_generation_prompt=True,
    )
    return lambda messages: formatter(messages=[{"role": r, "content": c} for r, c in messages]).prompt
