"""Query embeddings per answer: the texts one answer compares sentences with go to the model in one call,
and nothing is reused from one answer to the next (a repeated question costs what a new one does)."""

from __future__ import annotations

import numpy as np


class CountingEmbedder:
    """The real embedding model, with its calls counted."""

    def __init__(self, inner):
        self.inner = inner
        self.calls: list[list[str]] = []

    def get_text_embedding_batch(self, texts, **kwargs):
        self.calls.append(list(texts))
        return self.inner.get_text_embedding_batch(texts, **kwargs)

    def get_query_embedding(self, text):
        self.calls.append([text])
        return self.inner.get_query_embedding(text)

    def __getattr__(self, name):
        return getattr(self.inner, name)


def _calls_of(assistant, counting, question: str) -> list[list[str]]:
    start = len(counting.calls)
    answer = assistant.ask(question)
    assert answer.citations, answer.answer
    return counting.calls[start:]


def test_every_speaker_of_a_comparison_is_judged_with_one_model_call(settings, embedder):
    from assistant.engine import Assistant

    counting = CountingEmbedder(embedder)
    assistant = Assistant(settings, embedder=counting)
    assistant.warm_up()
    question = "Compare France and Germany on political prisoners."
    first = _calls_of(assistant, counting, question)
    # The router reads the question (once per engine); the relevance texts of both speakers come in one call.
    assert len(first) == 2, first
    assert len(_calls_of(assistant, counting, question)) == 1  # per answer, not cached across answers


def test_a_speaker_topic_question_needs_one_model_call_once_routed(settings, embedder):
    from assistant.engine import Assistant

    counting = CountingEmbedder(embedder)
    assistant = Assistant(settings, embedder=counting)
    assistant.warm_up()
    question = "What did France say about political prisoners?"
    assistant.ask(question)
    again = _calls_of(assistant, counting, question)
    assert len(again) == 1, again
    assert all(text.strip() for text in again[0])


def test_texts_embedded_together_get_the_vectors_they_get_alone(embedder):
    from assistant.embedding import encode

    texts = ["What did France say about political prisoners?", "political prisoners", "Thank you, Mr. President."]
    together = encode(embedder, texts)
    alone = np.stack([encode(embedder, [t])[0] for t in texts])
    assert together.shape == (3, 384) and together.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(together, alone, atol=1e-5)  # padding in a batch moves them by ~1e-7 only
