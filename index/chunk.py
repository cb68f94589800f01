"""Split statements into token-bounded chunks of whole sentences, never across speakers."""

from __future__ import annotations

from collections.abc import Callable

from assistant.models import Chunk, Statement

TokenCounter = Callable[[str], int]


def token_counter(encoding: str = "cl100k_base") -> TokenCounter:
    """Count tokens with tiktoken, through llama-index's offline copy of the encoding."""
    from llama_index.core.utils import get_tokenizer

    tokenizer = get_tokenizer(encoding)
    return lambda text: len(tokenizer(text))


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
