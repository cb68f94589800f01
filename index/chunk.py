"""Split statements into token-bounded chunks of whole sentences, never across speakers."""

from __future__ import annotations

from collections.abc import Callable

from assistant.models import Chunk, Statement

TokenCounter = Callable[[str], int]


def token_counter(encoding: str = "cl100k_base") -> TokenCounter:
    """Count tokens with tiktoken, reading the encoding file that llama-index-core ships (no download)."""
    import os

    import llama_index.core
    import tiktoken

    cache = os.path.join(os.path.dirname(llama_index.core.__file__), "_static", "tiktoken_cache")
    previous = os.environ.get("TIKTOKEN_CACHE_DIR")
    os.environ["TIKTOKEN_CACHE_DIR"] = cache
    try:
        encoder = tiktoken.get_encoding(encoding)
    finally:
        if previous is None:
            del os.environ["TIKTOKEN_CACHE_DIR"]
        else:
            os.environ["TIKTOKEN_CACHE_DIR"] = previous
    return lambda text: len(encoder.encode(text, disallowed_special=()))


def chunk_statement(statement: Statement, max_tokens: int, count: TokenCounter) -> list[Chunk]:
    """Greedy packing of consecutive sentences up to `max_tokens`; a longer sentence stands alone."""
    chunks: list[Chunk] = []
    group: list = []
    group_tokens = 0

    def flush() -> None:
        nonlocal group, group_tokens
        if group:
            start, end = group[0].char_start, group[-1].char_end
            chunks.append(
                Chunk(
                    chunk_id=f"{statement.statement_id}:c{len(chunks)}",
                    statement_id=statement.statement_id,
                    index=len(chunks),
                    text=statement.text[start:end],
                    char_start=start,
                    char_end=end,
                    tokens=group_tokens,
                )
            )
        group, group_tokens = [], 0

    for sentence in statement.sentences:
        tokens = count(sentence.text)
        if group and group_tokens + tokens > max_tokens:
            flush()
        group.append(sentence)
        group_tokens += tokens
    flush()
    return chunks
