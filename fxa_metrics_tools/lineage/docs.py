"""Put each column's lineage, and the rules the code cites, where analysts look: the docs site.

`inject_docs(target_dir)` appends to the descriptions in `<target_dir>/manifest.json` and, when
present, in the manifest embedded in `<target_dir>/static_index.html` (`dbt docs generate
--static`, the file that opens from disk):

- on every documented model column, a short "Lineage" section (`render.lineage_section`: one hop
  per line with its expression, raw columns at the end; a STRUCT column gets one block per field);
- on every model and column whose description (for a model also its SQL comments) cites a rule
  (`docs/fxa_events.md 4.2`, `R1`, `Q8`, ...; `fxa_metrics_tools.citations`), a "Rules cited"
  section with the text of the doc blocks of docs/ that the citation names.

Running it again replaces both sections instead of adding second ones.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from fxa_metrics_tools.citations import cited_blocks
from fxa_metrics_tools.lineage.graph import (
    EXPORT_FILE,
    ColumnGraph,
    build_graph,
    export_graph,
    load_project,
)
from fxa_metrics_tools.lineage.render import FIELDS_HEADING, LINEAGE_HEADING, lineage_section

log = logging.getLogger(__name__)

RULES_HEADING = "**Rules cited**"
# the injected sections are always the last paragraphs of a description, from the first heading on
INJECTED_PATTERN = re.compile(
    r"(?:\A|\n\n)(?:"
    + "|".join(re.escape(h) for h in (RULES_HEADING, LINEAGE_HEADING, FIELDS_HEADING))
    + r").*\Z",
    re.DOTALL,
)
# a SQL comment of a model: {# ... #} (jinja) or -- ... (line)
SQL_COMMENT = re.compile(r"\{#-?(.*?)-?#\}|--([^\n]*)", re.DOTALL)
EMBEDDED_MANIFEST = re.compile(
    r'\{\s*"metadata"\s*:\s*\{\s*"dbt_schema_version"\s*:\s*'
    r'"https://schemas\.getdbt\.com/dbt/manifest/'
)


@dataclass
class DocsResult:
    columns_described: int
    static_index_updated: bool
    rules_shown: int = 0


def strip_injected(description: str) -> str:
    return INJECTED_PATTERN.sub("", description or "").rstrip()


def with_sections(description: str, *sections: str) -> str:
    parts = [strip_injected(description), *(s for s in sections if s)]
    return "\n\n".join(p for p in parts if p)


def lineage_by_column(graph: ColumnGraph) -> dict[tuple[str, str], str]:
    """(model unique_id, column) -> lineage section, for every model column of the graph.

    A STRUCT column's section is split per (nested) field, so the docs show where
    `subscription.auto_renew` comes from although only `subscription` is a column there.
    """
    fields: dict[tuple[str, str], list[str]] = {}
    columns: dict[tuple[str, str], str] = {}
    for node_id, node in sorted(graph.nodes.items()):
        if node["resource_type"] not in ("model", "snapshot") or node["column"] in ("", "*"):
            continue
        columns[(node["unique_id"], node["column"])] = node_id  # a field documented by its path
        column, _, field = node["column"].partition(".")
        if field:
            fields.setdefault((node["unique_id"], column), []).append(node_id)
    sections: dict[tuple[str, str], str] = {}
    for key, node_id in columns.items():
        sections[key] = lineage_section(graph, node_id, fields.get(key))
    for key, field_ids in fields.items():
        if key not in columns:  # a field whose column has no node of its own
            sections[key] = lineage_section(graph, field_ids[0], field_ids)
    return sections


def model_comments(raw_code: str) -> str:
    return "\n".join(a or b for a, b in SQL_COMMENT.findall(raw_code or ""))


def rules_section(text: str, blocks: dict[str, str]) -> str:
    """The "Rules cited" section for the citations in `text` ('' when it cites none)."""
    names = [name for name in cited_blocks(text) if name in blocks]
    if not names:
        return ""
    parts = [f"{RULES_HEADING} (from the project's `docs/`; the code cites them by these ids)"]
    parts += [blocks[name] for name in names]
    return "\n\n".join(parts)


def inject_manifest(
    manifest: dict, lineage: dict[tuple[str, str], str], blocks: dict[str, str] | None = None
) -> tuple[int, int]:
    """Set the sections on every documented model and column; returns (columns with lineage,
    descriptions with rules)."""
    blocks = blocks or {}
    lineage_count = rules_count = 0
    for uid, node in manifest.get("nodes", {}).items():
        if node.get("resource_type") not in ("model", "snapshot", "seed"):
            continue
        base = strip_injected(node.get("description", ""))
        rules = rules_section(base + "\n" + model_comments(node.get("raw_code", "")), blocks)
        node["description"] = with_sections(base, rules)
        rules_count += bool(rules)
        for name, column in (node.get("columns") or {}).items():
            base = strip_injected(column.get("description", ""))
            rules = rules_section(base, blocks)
            section = lineage.get((uid, name.lower()), "")
            column["description"] = with_sections(base, rules, section)
            lineage_count += bool(section)
            rules_count += bool(rules)
    return lineage_count, rules_count


def inject_static_index(
    html: str, lineage: dict[tuple[str, str], str], blocks: dict[str, str] | None = None
) -> str | None:
    """The static docs page with its embedded manifest updated (None: no manifest found)."""
    match = EMBEDDED_MANIFEST.search(html)
    if match is None:
        return None
    manifest, end = json.JSONDecoder().raw_decode(html, match.start())
    inject_manifest(manifest, lineage, blocks)
    return html[: match.start()] + json.dumps(manifest) + html[end:]


def doc_blocks(manifest: dict) -> dict[str, str]:
    """The project's doc blocks (dbt parses docs/ into manifest["docs"]), by name."""
    return {
        doc["name"]: doc["block_contents"].strip()
        for doc in manifest.get("docs", {}).values()
        if doc.get("package_name") == manifest.get("metadata", {}).get("project_name", "")
        or doc.get("original_file_path", "").startswith("docs/")
    }


def inject_docs(target_dir: Path, use_cache: bool = True) -> DocsResult:
    """Compute the column graph of the project in `target_dir` and inject the sections."""
    project = load_project(target_dir)
    graph = build_graph(project, use_cache=use_cache)
    export_graph(graph, target_dir / EXPORT_FILE)
    lineage = lineage_by_column(graph)

    manifest_path = target_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    blocks = doc_blocks(manifest)
    count, rules = inject_manifest(manifest, lineage, blocks)
    manifest_path.write_text(json.dumps(manifest))

    static_path = target_dir / "static_index.html"
    updated = False
    if static_path.exists():
        html = inject_static_index(static_path.read_text(), lineage, blocks)
        if html is None:
            log.warning("%s: no embedded manifest found, left unchanged", static_path)
        else:
            static_path.write_text(html)
            updated = True
    log.info(
        "lineage on %d documented columns, rules on %d descriptions; static index updated: %s",
        count,
        rules,
        updated,
    )
    return DocsResult(count, updated, rules)
