"""The models and sentences RAP's studies run on: all-MiniLM-L6-v2, or seeded synthetic BERTs
with MiniLM's shapes (2 layers) or BERT-base's (12 layers)."""

import functools
from dataclasses import dataclass

from sim.golden.formats import check_choice, check_int
from sim.util.tables import counted
from sim.workloads.minilm import load_minilm
from sim.workloads.sentences import SENTENCE_SET, SENTENCES
from sim.workloads.synthetic_bert import random_bert

__all__ = ["WORKLOADS", "Workload", "load_workload"]

WORKLOADS = ("minilm", "synthetic", "bert-base")


@dataclass(frozen=True, eq=False)
class Workload:
    """A model (``.encoder``), its token ids, and how to describe them in a report."""

    model: object
    token_ids: list
    description: str
    provenance: str


@functools.lru_cache(maxsize=4)
def load_workload(kind, seed=0, sentences=None):
    """The ``kind`` workload (one of :data:`WORKLOADS`), its first ``sentences`` sentences
    (``None``: all). Cached per process: sweep workers load it once."""
    check_choice("--workload", kind, WORKLOADS)
    check_int("--seed", seed, 0)
    synthetic = {"synthetic": ("minilm", 2, 8), "bert-base": ("bert-base", 12, 4)}
    available = len(SENTENCES) if kind == "minilm" else synthetic[kind][2]
    if sentences is not None:
        check_int("--sentences", sentences, 1, available)
    if kind == "minilm":
        model = load_minilm()
        token_ids = model.tokenize(SENTENCES[:sentences])
        description = f"{counted(len(token_ids), 'sentence')} ({SENTENCE_SET})"
        source = model.source
        provenance = f"{source.model} ({source.package} {source.package_version})"
    else:
        shape, layers, count = synthetic[kind]
        model = random_bert(seed, layers, sentences=count, shape=shape)
        token_ids = model.token_ids[:sentences]
        description = f"{counted(len(token_ids), 'random token sequence')} (seed {seed})"
        provenance = (
            f"a seeded random BERT with {shape} shapes (sim.rap.synthetic), {layers} layers"
        )
    tokens = sum(map(len, token_ids))
    return Workload(model, token_ids, f"{description}, {counted(tokens, 'token')}", provenance)
