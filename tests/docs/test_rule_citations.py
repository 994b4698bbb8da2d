"""Every rule the code cites can be looked up in the repository (issue 14, item 4).

The code cites the business rules of docs/ (`docs/fxa_events.md 4.2`, `docs/subscriptions.md
section 5`, `R2`, `Q8`; see fxa_metrics_tools/citations.py). This fails when a file of models/,
macros/, dags/, fxa_metrics_tools/ or dbt_project.yml still cites the research spec outside the
repo (`../shared/spec/...`, `spec 2.3`, `spec section 5`) or cites a docs/ section, rule or
decision that has no doc block. No build needed: it reads the files.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fxa_metrics_tools.citations import (
    DOCS_CITATION,
    OUTSIDE_SPEC,
    cited_blocks,
    cited_files,
    load_blocks,
)
from fxa_metrics_tools.lineage.docs import RULES_HEADING, inject_manifest, rules_section

PROJECT_DIR = Path(__file__).resolve().parents[2]
SCOPES = ("models", "macros", "dags", "fxa_metrics_tools")
SUFFIXES = {".sql", ".yml", ".yaml", ".md", ".py"}


def cited_files_in_scope() -> list[Path]:
    paths = [PROJECT_DIR / "dbt_project.yml"]
    for scope in SCOPES:
        paths += sorted(p for p in (PROJECT_DIR / scope).rglob("*") if p.suffix in SUFFIXES)
    return paths


def line_of(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def citation_problems(path: Path, text: str, blocks: dict[str, str]) -> list[str]:
    rel = path.relative_to(PROJECT_DIR)
    problems = [
        f"{rel}:{line_of(text, m.start())}: cites the spec outside the repo ({m.group(0)!r}); "
        "cite docs/... instead"
        for m in OUTSIDE_SPEC.finditer(text)
    ]
    for file in sorted(cited_files(text)):
        if not (PROJECT_DIR / "docs" / f"{file}.md").exists():
            problems.append(f"{rel}: cites docs/{file}.md, which does not exist")
    for line_number, line in enumerate(text.splitlines(), start=1):
        for name in cited_blocks(line):
            if name not in blocks:
                problems.append(f"{rel}:{line_number}: cites {name}, no such doc block in docs/")
    # a citation that wraps onto the next line (docs/fxa_events.md at the end of a line)
    for match in DOCS_CITATION.finditer(text):
        for name in cited_blocks(match.group(0)):
            if name not in blocks:
                problems.append(f"{rel}:{line_of(text, match.start())}: cites {name}, missing")
    return sorted(set(problems))


@pytest.fixture(scope="module")
def blocks() -> dict[str, str]:
    return load_blocks(PROJECT_DIR)


def test_every_citation_in_the_code_names_an_existing_doc_block(blocks: dict[str, str]) -> None:
    problems: list[str] = []
    cited = 0
    for path in cited_files_in_scope():
        text = path.read_text()
        cited += len(cited_blocks(text))
        problems += citation_problems(path, text, blocks)
    assert not problems, "rule citations that cannot be looked up:\n  " + "\n  ".join(problems)
    assert cited > 50, f"only {cited} citations found: is the citation pattern still right?"


def test_the_checker_catches_outside_and_missing_citations(blocks: dict[str, str]) -> None:
    path = PROJECT_DIR / "models" / "example.sql"
    bad = (
        "{# spec 4.2, ../shared/spec/fxa-events.md, docs/fxa_events.md 9.9, "
        "docs/subscriptions.md section 12, docs/fxa_events.md 1.1 rule 7, R5, Q14, docs/other.md #}"
    )
    problems = "\n".join(citation_problems(path, bad, blocks))
    for expected in (
        "'spec 4'",
        "'../shared/spec'",
        "fxa_events__9_9",
        "subscriptions__12",
        "fxa_events__1_1_rule_7",
        "fxa_events__r5",
        "decisions__q14",
        "docs/other.md",
    ):
        assert expected in problems, f"{expected} not reported in:\n{problems}"
    good = "{# docs/fxa_events.md 2.13, 4.8; docs/subscriptions.md section 5; R1-R3; Q12 #}"
    assert citation_problems(path, good, blocks) == []


def test_citations_name_their_blocks() -> None:
    assert cited_blocks("(docs/fxa_events.md 0 and 2.5, Q12)") == [
        "fxa_events__0",
        "fxa_events__2_5",
        "decisions__q12",
    ]
    assert cited_blocks("docs/fxa_events.md 4.1-4.3") == [
        "fxa_events__4_1",
        "fxa_events__4_2",
        "fxa_events__4_3",
    ]
    assert cited_blocks("rules R1-R3 (docs/fxa_events.md 1.1 rule 6)") == [
        "fxa_events__r1",
        "fxa_events__r2",
        "fxa_events__r3",
        "fxa_events__1_1_rule_6",
    ]
    assert cited_blocks("docs/subscriptions.md section 9; QR1, R12x, v1.Q2") == ["subscriptions__9"]


def test_docs_hold_every_section_the_decisions_and_the_project_reads_them(
    blocks: dict[str, str],
) -> None:
    for n in range(1, 10):
        assert f"subscriptions__{n}" in blocks
    for n in range(1, 14):
        entry = blocks.get(f"decisions__q{n}", "")
        assert "Alternative" in entry and ("var `" in entry or "No var" in entry), (
            f"docs/decisions.md Q{n} must give the choice, the alternative and the var: {entry!r}"
        )
    for name in ("fxa_events__0", "fxa_events__4_2", "fxa_events__1_1_rule_6", "fxa_events__r4"):
        assert name in blocks
    project = (PROJECT_DIR / "dbt_project.yml").read_text()
    assert re.search(r"^docs-paths: \[.*\"docs\".*\]", project, flags=re.M), (
        "dbt_project.yml must list docs in docs-paths, or dbt does not parse docs/"
    )


def test_docs_site_shows_the_cited_rules_on_model_and_column(blocks: dict[str, str]) -> None:
    manifest = {
        "nodes": {
            "model.p.m": {
                "resource_type": "model",
                "description": "Daily users.",
                "raw_code": "{# erasure (docs/fxa_events.md 4.6) #}\nselect 1 as q2 -- Q2",
                "columns": {"country": {"description": "mode_last (Q12)."}},
            }
        }
    }
    inject_manifest(manifest, {}, blocks)
    node = manifest["nodes"]["model.p.m"]
    assert node["description"] == "\n\n".join(
        ["Daily users.", rules_section("docs/fxa_events.md 4.6 Q2", blocks)]
    )
    assert blocks["fxa_events__4_6"] in node["description"]
    assert blocks["decisions__q2"] in node["description"]
    column = node["columns"]["country"]["description"]
    assert column.startswith(f"mode_last (Q12).\n\n{RULES_HEADING}")
    assert blocks["decisions__q12"] in column
    inject_manifest(manifest, {}, blocks)  # a second run replaces, it does not add
    assert node["description"].count(RULES_HEADING) == 1
