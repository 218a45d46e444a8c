"""The fixed sentence set the model study runs on: 8 paraphrase pairs and 8 unrelated sentences.

Changing it changes every figure of the study: treat it as data with a version (SENTENCE_SET).
"""

__all__ = ["SENTENCE_SET", "PARAPHRASE_PAIRS", "UNRELATED", "SENTENCES", "pair_indices"]

#: Name recorded in the reports; bump it whenever the sentences change.
SENTENCE_SET = "qrazor-accuracy-v1"

#: Pairs that say the same thing in different words.
PARAPHRASE_PAIRS = (
    ("A man is playing a guitar on the stage.", "On stage, a man plays the guitar."),
    ("The cat is sleeping on the warm windowsill.", "A cat naps on the sunny window ledge."),
    ("The stock market fell sharply this morning.", "Share prices dropped steeply early today."),
    ("She is cooking pasta for dinner.", "She is making spaghetti for her evening meal."),
    ("The train to Berlin was delayed by two hours.", "The Berlin train arrived two hours late."),
    (
        "Children are playing football in the park.",
        "Kids are kicking a soccer ball around the park.",
    ),
    ("How do I reset my password?", "What is the way to change a forgotten password?"),
    ("The new phone has a much better camera.", "The latest smartphone takes far better photos."),
)

#: Sentences on topics of their own.
UNRELATED = (
    "Photosynthesis converts sunlight into chemical energy.",
    "The committee approved the budget for next year.",
    "Heavy rain is expected across the north tonight.",
    "He repaired the broken chain of his bicycle.",
    "Quantum computers use qubits instead of classical bits.",
    "The museum opens at nine on weekdays.",
    "A large language model predicts the next token of a text.",
    "The volcano erupted after weeks of small earthquakes.",
)

#: All sentences, in study order: the pairs (first, second, first, second, ...), then the rest.
SENTENCES = tuple(s for pair in PARAPHRASE_PAIRS for s in pair) + UNRELATED


def pair_indices():
    """Indices into :data:`SENTENCES` of each paraphrase pair: ``((0, 1), (2, 3), ...)``."""
    return tuple((2 * i, 2 * i + 1) for i in range(len(PARAPHRASE_PAIRS)))
