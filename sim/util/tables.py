"""Markdown tables of the reports (a few lines: not worth a dependency) and counted nouns."""

__all__ = ["counted", "markdown_cell", "markdown_table"]


def counted(count, noun):
    """``"1 sentence"``, ``"2 sentences"``: ``count`` and ``noun``, plural (an added s) unless
    ``count`` is 1."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def markdown_cell(value):
    """``value`` as the text of one table cell: ``str(value)`` with every ``|`` escaped as
    ``\\|``, so that a ``|`` in a cell (``max|x|``) stays in its cell."""
    return str(value).replace("|", "\\|")


def markdown_table(headers, rows):
    """A Markdown table of ``headers`` and ``rows`` (each a sequence of cells, any values:
    written with ``str``), as one string of lines joined by ``\\n`` (no final newline); every
    cell and header goes through :func:`markdown_cell`."""

    def line(cells):
        return "| " + " | ".join(markdown_cell(cell) for cell in cells) + " |"

    return "\n".join([line(headers), "|" + "---|" * len(headers), *map(line, rows)])
