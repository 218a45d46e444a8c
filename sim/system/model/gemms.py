"""The GEMMs of the system workloads, as :class:`~sim.system.zigzag.layers.Gemm` shapes with the
engine's stored formats and the operands that live in DRAM.

* MiniLM (all-MiniLM-L6-v2, encoder): per layer the query, key, value and output projections
  and the FFN over every token of every sentence at once (weights in DRAM, activations on chip);
  per head and sentence ``Q K^T`` and ``P V`` with K and V on chip. Sentences are padded to a
  multiple of ``pad`` tokens for the attention products (fewer shapes to search; the padding's
  MACs are reported beside the exact count).
* LLaMA-7B-shaped decoder layer, prefill of ``seq_len`` tokens: the seven projections and, per
  head, ``Q K^T`` and ``P V`` over the whole prompt (no causal skipping); 2048 tokens of
  activations exceed the global buffer, so every operand lives in DRAM.
* Decode: one new token for each of ``batch`` sequences against a KV cache of ``seq_len``
  tokens in DRAM: the projections with M = batch (weights streamed from DRAM once per step),
  per head and sequence ``q K^T`` and ``p V`` over the cache.
"""

from sim.system.zigzag.layers import Gemm

__all__ = ["minilm_gemms", "prefill_gemms", "decode_gemms", "padded_macs"]


def minilm_gemms(lengths, config, formats, pad=8):
    """GEMMs of one MiniLM pass over sentences of ``lengths`` tokens; ``config`` a BertConfig."""
    a, w, kv = formats["activation"], formats["weight"], formats["kv"]
    tokens, h, f, layers = sum(lengths), config.hidden, config.intermediate, config.layers
    gemms = [
        Gemm("qkvo_proj", tokens, h, h, a, w, a, ("W",), 4 * layers),
        Gemm("ffn_in", tokens, h, f, a, w, a, ("W",), layers),
        Gemm("ffn_out", tokens, f, h, a, w, a, ("W",), layers),
    ]
    head = h // config.heads
    counts = {}
    for length in lengths:
        padded = -(-length // pad) * pad
        counts[padded] = counts.get(padded, 0) + 1
    for length, count in sorted(counts.items()):
        times = count * config.heads * layers
        gemms.append(Gemm(f"scores_L{length}", length, head, length, a, kv, a, (), times))
        gemms.append(Gemm(f"context_L{length}", length, length, head, a, kv, a, (), times))
    return gemms


def _projections(shape, m, a, w, dram):
    d, f = shape.hidden, shape.ffn
    return [
        Gemm("qkvo_proj", m, d, d, a, w, a, dram, 4),
        Gemm("gate_up_proj", m, d, f, a, w, a, dram, 2),
        Gemm("down_proj", m, f, d, a, w, a, dram, 1),
    ]


def prefill_gemms(shape, seq_len, formats):
    """GEMMs of one decoder layer of ``shape`` on a ``seq_len``-token prompt."""
    a, w, kv = formats["activation"], formats["weight"], formats["kv"]
    every = ("I", "W", "O")
    hd = shape.head_dim
    return _projections(shape, seq_len, a, w, every) + [
        Gemm("scores", seq_len, hd, seq_len, a, kv, a, every, shape.heads),
        Gemm("context", seq_len, seq_len, hd, a, kv, a, every, shape.heads),
    ]


def decode_gemms(shape, seq_len, batch, formats):
    """GEMMs of one decoder layer of ``shape`` for one new token of each of ``batch`` sequences
    against a ``seq_len``-token KV cache."""
    a, w, kv = formats["activation"], formats["weight"], formats["kv"]
    hd = shape.head_dim
    return _projections(shape, batch, a, w, ("W",)) + [
        Gemm("scores", 1, hd, seq_len, a, kv, a, ("W",), shape.heads * batch),
        Gemm("context", 1, seq_len, hd, a, kv, a, ("W",), shape.heads * batch),
    ]


def padded_macs(gemms):
    """MACs of ``gemms`` as ZigZag counts them (padded attention included)."""
    return sum(g.macs for g in gemms)
