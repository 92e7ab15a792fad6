"""A sentence-transformers model run through ONNX Runtime, optionally with int8 weights.

The model folder is exported once to ONNX (``torch.onnx``) and, for ``onnx-int8``, its weights are quantised
per output channel (``onnxruntime.quantization.quantize_dynamic``). The files go to the user's cache folder
(``$BCTCODER_CACHE_DIR``, else ``$XDG_CACHE_HOME/bctcoder``, else ``~/.cache/bctcoder``) under a name derived
from the model's files, so a changed model is exported again. Later runs load the ONNX file and the tokenizer
only: neither torch nor sentence-transformers is imported, which makes loading fast and lean.

Only models made of a Transformer, a mean- or CLS-pooling layer and (optionally) a Normalize layer can be
run this way (all-MiniLM-L6-v2 and most sentence-transformers models are); other models raise
:class:`UnsupportedModel` and the caller falls back to PyTorch.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
import warnings
from pathlib import Path
from typing import Sequence

import numpy as np

from bctcoder.errors import BctcoderError, InputError

BACKENDS = ("torch", "onnx", "onnx-int8")
EXPORT_VERSION = "1"   # bump when the export recipe changes, so cached files are rebuilt


class UnsupportedModel(BctcoderError):
    """The model's layers cannot be run through the ONNX path."""


def check_backend(name: str, source: str | None = None) -> str:
    """``name`` if it is ``auto`` or one of :data:`BACKENDS`, else a one-line InputError."""
    if name not in ("auto", *BACKENDS):
        raise InputError(f"unknown embedding backend {name!r} (use auto, {', '.join(BACKENDS)})", source=source)
    return name


def cache_dir() -> Path:
    """The user's cache folder for bctcoder (exported models)."""
    explicit = os.environ.get("BCTCODER_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "bctcoder"


def read_structure(model_dir: Path) -> dict:
    """Pooling mode, max length and normalisation of a sentence-transformers folder, or UnsupportedModel."""
    modules_file = model_dir / "modules.json"
    if not modules_file.exists():
        raise UnsupportedModel(f"{model_dir} has no modules.json")
    modules = json.loads(modules_file.read_text(encoding="utf-8"))
    kinds = [m.get("type", "").rsplit(".", 1)[-1] for m in modules]
    if not kinds or kinds[0] != "Transformer" or any(k not in ("Transformer", "Pooling", "Normalize") for k in kinds):
        raise UnsupportedModel(f"{model_dir}: layers {kinds} are not Transformer + Pooling (+ Normalize)")
    pooling = "mean"
    for module in modules:
        if module.get("type", "").endswith("Pooling"):
            config = json.loads((model_dir / module["path"] / "config.json").read_text(encoding="utf-8"))
            modes = [k for k, v in config.items() if k.startswith("pooling_mode") and v]
            if modes == ["pooling_mode_mean_tokens"]:
                pooling = "mean"
            elif modes == ["pooling_mode_cls_token"]:
                pooling = "cls"
            else:
                raise UnsupportedModel(f"{model_dir}: pooling {modes} is not supported by the ONNX path")
    if modules[0].get("path", "") not in ("", "."):
        raise UnsupportedModel(f"{model_dir}: the transformer is stored in a sub-folder")
    bert_config = model_dir / "sentence_bert_config.json"
    if not bert_config.exists():
        raise UnsupportedModel(f"{model_dir} has no sentence_bert_config.json (maximum length unknown)")
    settings = json.loads(bert_config.read_text(encoding="utf-8"))
    if settings.get("do_lower_case"):
        raise UnsupportedModel(f"{model_dir}: do_lower_case is not supported by the ONNX path")
    st_config = model_dir / "config_sentence_transformers.json"
    if st_config.exists():
        extra = json.loads(st_config.read_text(encoding="utf-8"))
        if any(extra.get("prompts", {}).values()) or extra.get("default_prompt_name"):
            raise UnsupportedModel(f"{model_dir}: prompts are not supported by the ONNX path")
    max_length = int(settings.get("max_seq_length") or 512)
    return {"pooling": pooling, "max_length": max_length, "normalize": "Normalize" in kinds}


def model_digest(model_dir: Path) -> str:
    """A short hash of the model's files: the content of configuration and vocabulary files, the size and
    modification time of weight files (hashing hundreds of MB on every load would cost seconds)."""
    digest = hashlib.sha256(EXPORT_VERSION.encode())
    for path in sorted(model_dir.rglob("*")):
        if not path.is_file() or path.suffix not in (".json", ".safetensors", ".bin", ".txt", ".model"):
            continue
        digest.update(path.relative_to(model_dir).as_posix().encode())
        stat = path.stat()
        if stat.st_size > (8 << 20):
            digest.update(f"{stat.st_size}:{stat.st_mtime_ns}".encode())
        else:
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _export(model_dir: Path, target: Path) -> None:
    """Export the transformer (last hidden state) to ONNX with dynamic batch and sequence axes."""
    import torch
    import transformers
    from transformers import AutoModel, AutoTokenizer

    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()

    model = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager", local_files_only=True).eval()
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
    sample = tokenizer(["a short sentence", "and another, slightly longer one"], padding=True, return_tensors="pt")
    names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in sample]

    class LastHidden(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, *tensors):
            return self.inner(**dict(zip(names, tensors))).last_hidden_state

    axes = {n: {0: "batch", 1: "tokens"} for n in [*names, "hidden"]}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(LastHidden(model), tuple(sample[n] for n in names), str(target), input_names=names,
                          output_names=["hidden"], dynamic_axes=axes, opset_version=17, dynamo=False)


def _quantize(source: Path, target: Path) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)   # the quantiser logs advice about pre-processing on the root logger
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8, per_channel=True,
                             extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    finally:
        root.setLevel(level)


def exported_model(model_dir: Path, backend: str) -> Path:
    """The ONNX file for ``model_dir`` and ``backend`` in the cache folder, exporting it on first use."""
    folder = cache_dir() / "onnx" / f"{model_dir.name}-{model_digest(model_dir)}"
    plain, int8 = folder / "model.onnx", folder / "model-int8.onnx"
    wanted = int8 if backend == "onnx-int8" else plain
    if wanted.exists():
        return wanted
    folder.mkdir(parents=True, exist_ok=True)
    _remove_stale_scratch(folder)
    with tempfile.TemporaryDirectory(dir=folder, prefix="export-") as scratch:
        if not plain.exists():
            staged = Path(scratch) / "model.onnx"
            _export(model_dir, staged)
            os.replace(staged, plain)
        if backend == "onnx-int8":
            staged = Path(scratch) / "model-int8.onnx"
            _quantize(plain, staged)
            os.replace(staged, int8)
    return wanted


def _remove_stale_scratch(folder: Path, older_than: float = 3600.0) -> None:
    """Remove scratch folders left by an export that was killed (an hour old or more)."""
    now = time.time()
    for scratch in folder.glob("export-*"):
        try:
            if scratch.is_dir() and now - scratch.stat().st_mtime > older_than:
                shutil.rmtree(scratch, ignore_errors=True)
        except OSError:
            pass


def _fast_tokenizer(model_dir: Path, max_length: int):
    """The model's ``tokenizer.json`` (Hugging Face tokenizers), padding to the longest text in a batch."""
    from tokenizers import Tokenizer

    path = model_dir / "tokenizer.json"
    if not path.exists():
        raise UnsupportedModel(f"{model_dir} has no tokenizer.json")
    tokenizer = Tokenizer.from_file(str(path))
    pad_token = "[PAD]"
    config_file = model_dir / "tokenizer_config.json"
    if config_file.exists():
        pad = json.loads(config_file.read_text(encoding="utf-8")).get("pad_token")
        pad_token = str((pad.get("content") if isinstance(pad, dict) else pad) or pad_token)
    pad_id = tokenizer.token_to_id(pad_token)
    if pad_id is None:
        raise UnsupportedModel(f"{model_dir}: pad token {pad_token!r} is not in the vocabulary")
    tokenizer.enable_truncation(max_length=max_length)
    tokenizer.enable_padding(pad_id=pad_id, pad_token=pad_token)
    return tokenizer


class OnnxEncoder:
    """Encodes texts like ``SentenceTransformer.encode(normalize_embeddings=True)`` through ONNX Runtime."""

    def __init__(self, model_dir: Path, backend: str = "onnx-int8", *, batch_size: int = 16):
        try:
            import onnxruntime
        except ImportError:
            raise UnsupportedModel("onnxruntime is not installed") from None
        self.structure = read_structure(model_dir)
        self.tokenizer = _fast_tokenizer(model_dir, self.structure["max_length"])   # checked before exporting
        path = exported_model(model_dir, backend)
        options = onnxruntime.SessionOptions()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        try:
            self.session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception:   # a damaged cached file: export again, once
            for stale in path.parent.glob("model*.onnx"):
                stale.unlink(missing_ok=True)
            path = exported_model(model_dir, backend)
            self.session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.input_names = [i.name for i in self.session.get_inputs()]
        self.batch_size = batch_size
        self.dimension = int(self.session.get_outputs()[0].shape[-1] or self._probe_dimension())

    def _probe_dimension(self) -> int:
        return int(self._run(["probe"]).shape[1])

    def _run(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        batch = {"input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
                 "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
                 "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64)}
        hidden = self.session.run(None, {n: batch[n] for n in self.input_names})[0]
        if self.structure["pooling"] == "cls":
            pooled = hidden[:, 0, :]
        else:
            mask = batch["attention_mask"][..., None].astype(np.float32)
            pooled = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
        return pooled.astype(np.float32)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised vectors, one row per text (longest texts batched together to save padding)."""
        texts = list(texts)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        order = np.argsort([-len(t) for t in texts], kind="stable")
        for start in range(0, len(texts), self.batch_size):
            rows = order[start:start + self.batch_size]
            out[rows] = self._run([texts[i] for i in rows])
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.clip(norms, 1e-12, None)
