"""The NumPy MiniLM forward pass against Hugging Face transformers on the same checkpoint.

tests/fixtures/minilm_reference.npz holds, for 6 sentences of the study's set, the token ids,
the sentence embeddings and the first sentence's last hidden state computed by
``transformers.BertModel`` in float64 (+ mean pooling and L2 normalisation) from the packaged
all-MiniLM-L6-v2. It was written, in a scratch venv with torch and transformers (see the script's
docstring for creating it), by::

    /tmp/hfenv/bin/python scripts/minilm_reference.py

Measured against it (torch 2.13.0+cpu, transformers 5.25.0): max |difference| 1.2e-07 on the
embeddings and 1.3e-06 on the last hidden state (|values| up to 5.7), both float32 rounding. A
planted attention scale of 1/d instead of 1/sqrt(d) gives 0.21 and 1.67.

Skipped (with the install command) when the model package or its readers are missing.
"""

import dataclasses
import importlib.util
from pathlib import Path

import numpy as np
import pytest

from sim.workloads import minilm
from sim.workloads.bert import BertEncoder, float_gemm

FIXTURE = Path(__file__).parent / "fixtures" / "minilm_reference.npz"
TOLERANCE = 1e-5

MISSING = [
    name
    for name in ("safetensors", "tokenizers", minilm.MODEL_MODULE)
    if importlib.util.find_spec(name) is None
]
pytestmark = pytest.mark.skipif(
    bool(MISSING), reason=f"{', '.join(MISSING)} not installed: {minilm.INSTALL_HINT}"
)


@pytest.fixture(scope="module")
def reference():
    with np.load(FIXTURE) as data:
        return {name: data[name] for name in data.files}


@pytest.fixture(scope="module")
def model():
    return minilm.load_minilm()


@pytest.fixture(scope="module")
def token_ids(reference):
    """The stored ids, padding removed (the NumPy pass takes one unpadded array per sentence)."""
    return [
        ids[mask.astype(bool)]
        for ids, mask in zip(reference["input_ids"], reference["attention_mask"], strict=True)
    ]


def last_hidden_state(encoder, token_ids):
    """The encoder's output tokens ``[tokens, hidden]`` (before pooling).

    ``BertEncoder.embed`` returns only pooled embeddings, but its GEMM hook sees every linear
    layer's input: run a copy with one extra layer (layer L's weights reused as layer L+1) and
    record the input of ``layer.<L>.query``, which is the output of the L real layers."""
    layers = encoder.config.layers
    last = f"encoder.layer.{layers - 1}."
    weights = {name: encoder.tensor(name) for name in encoder._required_names()}
    weights.update(
        {
            f"encoder.layer.{layers}." + name.removeprefix(last): tensor
            for name, tensor in weights.items()
            if name.startswith(last)
        }
    )
    extended = BertEncoder(dataclasses.replace(encoder.config, layers=layers + 1), weights)
    seen = {}

    def gemm(name, x, weight):
        if name == f"layer.{layers}.query":
            seen["hidden"] = x.copy()
        return float_gemm(name, x, weight)

    extended.embed(token_ids, gemm)
    return seen["hidden"]


def test_fixture_is_for_this_checkpoint(model, reference):
    assert model.source.weights_sha256 == str(reference["weights_sha256"])
    assert reference["embeddings"].dtype == np.float64


def test_project_tokenizer_gives_the_stored_ids(model, reference, token_ids):
    sentences = [str(s) for s in reference["sentences"]]
    ours = model.tokenize(sentences)
    assert len(ours) == len(token_ids) == 6
    for sentence, mine, theirs in zip(sentences, ours, token_ids, strict=True):
        np.testing.assert_array_equal(mine, theirs, err_msg=sentence)


def test_embeddings_match_transformers(model, reference, token_ids):
    embeddings = model.encoder.embed(token_ids)
    assert embeddings.shape == reference["embeddings"].shape
    difference = np.abs(embeddings - reference["embeddings"]).max()
    assert difference < TOLERANCE, f"max |embedding - transformers| = {difference:.3g}"


def test_last_hidden_state_matches_transformers(model, reference, token_ids):
    hidden = last_hidden_state(model.encoder, token_ids[:1])
    assert hidden.shape == reference["hidden_0"].shape
    difference = np.abs(hidden - reference["hidden_0"]).max()
    assert difference < TOLERANCE, f"max |hidden state - transformers| = {difference:.3g}"
