"""Rule citations in the code and the dbt doc blocks of docs/ that they name.

The business rules live in three files under docs/, each section inside a dbt doc block:

- ``docs/subscriptions.md`` (SubPlat): block ``subscriptions__<section>``, e.g.
  ``subscriptions__5``;
- ``docs/fxa_events.md`` (FxA): block ``fxa_events__<section with _>``, e.g. ``fxa_events__4_2``,
  the import-filter rules as ``fxa_events__1_1_rule_<n>`` and the opt-out rules as
  ``fxa_events__r1`` .. ``fxa_events__r4``;
- ``docs/decisions.md``: one block per fidelity decision, ``decisions__q1`` .. ``decisions__q13``.

Code and yml cite them as ``docs/subscriptions.md section 5``, ``docs/fxa_events.md 4.2`` (lists
and ranges allowed: ``2.13, 4.8``, ``0 and 2.5``, ``4.1-4.3``), ``docs/fxa_events.md 1.1 rule 6``,
and by the bare ids ``R1``..``R4`` (ranges ``R1-R3``) and ``Q1``..``Q13``. ``cited_blocks`` turns a
text into the block names it cites; the docs step (``fxa_metrics_tools.lineage.docs``) shows those
blocks on the model or column that cites them, and ``tests/docs/test_rule_citations.py`` fails on
a citation whose block does not exist.
"""

from __future__ import annotations

import re
from pathlib import Path

DOCS_DIR = "docs"
RULE_FILES = ("subscriptions", "fxa_events", "decisions")
DOC_BLOCK = re.compile(r"\{%-?\s*docs\s+(\w+)\s*-?%\}(.*?)\{%-?\s*enddocs\s*-?%\}", re.DOTALL)

_NUMBER = r"\d+(?:\.\d+)*"
# docs/<file>.md [section|sections] <number>[(, | and |-)<number>]... [rule <n>]
DOCS_CITATION = re.compile(
    r"docs/(?P<file>[a-z_]+)\.md"
    r"(?:,?\s+(?:sections?\s+)?(?P<numbers>"
    + _NUMBER
    + r"(?:(?:,\s*|\s+and\s+|-)"
    + _NUMBER
    + r")*)"
    r"(?:\s+rule\s+(?P<rule>\d+))?)?"
)
# R1..R4 (opt-out rules of docs/fxa_events.md 4.2), ranges like R1-R3; Q1..Q13 (decisions)
RULE_ID = re.compile(r"(?<![\w.])R(?P<first>\d{1,2})(?:-R?(?P<last>\d{1,2}))?(?![\w])")
DECISION_ID = re.compile(r"(?<![\w.])Q(?P<number>\d{1,2})(?![\w])")
# citations of the research spec outside the repository (before `docs/` existed)
OUTSIDE_SPEC = re.compile(
    r"\.\./shared/spec|(?<![\w/])spec(?:\s+section)?s?\s+\d|spec/(?:subscriptions|fxa-events)"
)


def block_name(file: str, section: str, rule: str | None = None) -> str:
    name = f"{file}__{section.replace('.', '_')}"
    return f"{name}_rule_{rule}" if rule else name


def _expand(numbers: str) -> list[str]:
    """'2.13, 4.8' -> [2.13, 4.8]; '4.1-4.3' -> [4.1, 4.2, 4.3]; '0 and 2.5' -> [0, 2.5]."""
    out: list[str] = []
    for part in re.split(r",\s*|\s+and\s+", numbers):
        low, _, high = part.partition("-")
        if not high:
            out.append(low)
            continue
        low_head, _, low_tail = low.rpartition(".")
        high_head, _, high_tail = high.rpartition(".")
        if low_head == high_head and low_tail.isdigit() and high_tail.isdigit():
            prefix = f"{low_head}." if low_head else ""
            out.extend(f"{prefix}{n}" for n in range(int(low_tail), int(high_tail) + 1))
        else:
            out.extend([low, high])
    return out


def cited_blocks(text: str) -> list[str]:
    """The doc-block names a text cites, in order of first appearance, without repeats.

    A bare ``docs/<file>.md`` (no section) names no block; the test checks the file exists.
    """
    found: list[tuple[int, str]] = []
    for match in DOCS_CITATION.finditer(text):
        numbers = match.group("numbers")
        if not numbers:
            continue
        sections = _expand(numbers)
        for index, section in enumerate(sections):
            rule = match.group("rule") if index == len(sections) - 1 else None
            found.append((match.start(), block_name(match.group("file"), section, rule)))
    for match in RULE_ID.finditer(text):
        first = int(match.group("first"))
        last = int(match.group("last") or first)
        found.extend((match.start(), f"fxa_events__r{n}") for n in range(first, last + 1))
    for match in DECISION_ID.finditer(text):
        found.append((match.start(), f"decisions__q{int(match.group('number'))}"))
    names: list[str] = []
    for _, name in sorted(found, key=lambda item: item[0]):
        if name not in names:
            names.append(name)
    return names


def cited_files(text: str) -> set[str]:
    return {match.group("file") for match in DOCS_CITATION.finditer(text)}


def load_blocks(project_dir: Path) -> dict[str, str]:
    """Doc-block name -> its text, for every block in docs/*.md."""
    blocks: dict[str, str] = {}
    for path in sorted((project_dir / DOCS_DIR).glob("*.md")):
        for match in DOC_BLOCK.finditer(path.read_text()):
            if match.group(1) in blocks:
                raise ValueError(f"{path}: doc block {match.group(1)!r} defined twice")
            blocks[match.group(1)] = match.group(2).strip()
    return blocks
