"""Put each column's origin where analysts look: the dbt docs site.

`inject_docs(target_dir)` appends one "Origin: ..." line to the description of every documented
model column in `<target_dir>/manifest.json` and, when present, in the manifest embedded in
`<target_dir>/static_index.html` (`dbt docs generate --static`). Running it again replaces the
line instead of adding a second one.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from fxa_metrics_tools.lineage.graph import (
    EXPORT_FILE,
    ColumnGraph,
    build_graph,
    export_graph,
    load_project,
)
from fxa_metrics_tools.lineage.render import ORIGIN_PREFIX, origin_line

log = logging.getLogger(__name__)

# the injected text is always the last paragraphs of a description, from "Origin: " on
ORIGIN_PATTERN = re.compile(r"(?:\A|\n\n)" + re.escape(ORIGIN_PREFIX) + r".*\Z", re.DOTALL)
FIELDS_HEADING = "Origin of each field:"
EMBEDDED_MANIFEST = re.compile(
    r'\{\s*"metadata"\s*:\s*\{\s*"dbt_schema_version"\s*:\s*'
    r'"https://schemas\.getdbt\.com/dbt/manifest/'
)


@dataclass
class DocsResult:
    columns_described: int
    static_index_updated: bool


def strip_origin(description: str) -> str:
    return ORIGIN_PATTERN.sub("", description or "").rstrip()


def with_origin(description: str, origin: str) -> str:
    base = strip_origin(description)
    return f"{base}\n\n{origin}" if base else origin


def origins_by_column(graph: ColumnGraph) -> dict[tuple[str, str], str]:
    """(model unique_id, column path) -> origin text, for every model column of the graph.

    A STRUCT column's text ends with one line per (nested) field, so the docs show where
    `subscription.auto_renew` comes from even though only `subscription` is a column there.
    """
    origins: dict[tuple[str, str], str] = {}
    fields: dict[tuple[str, str], list[str]] = {}
    for node_id, node in sorted(graph.nodes.items()):
        if node["resource_type"] not in ("model", "snapshot") or node["column"] in ("", "*"):
            continue
        key = (node["unique_id"], node["column"])
        origins[key] = origin_line(graph, node_id)
        column, _, field = node["column"].partition(".")
        if field:
            text = origins[key][len(ORIGIN_PREFIX) :]
            fields.setdefault((node["unique_id"], column), []).append(f"- `{field}`: {text}")
    for key, lines in fields.items():
        if key in origins:
            origins[key] = "\n".join([origins[key], "", FIELDS_HEADING, "", *lines])
    return origins


def inject_manifest(manifest: dict, origins: dict[tuple[str, str], str]) -> int:
    """Set the origin line on every documented column that has one; returns how many."""
    count = 0
    for uid, node in manifest.get("nodes", {}).items():
        for name, column in (node.get("columns") or {}).items():
            origin = origins.get((uid, name.lower()))
            if origin is None:
                continue
            column["description"] = with_origin(column.get("description", ""), origin)
            count += 1
    return count


def inject_static_index(html: str, origins: dict[tuple[str, str], str]) -> str | None:
    """The static docs page with its embedded manifest updated (None: no manifest found)."""
    match = EMBEDDED_MANIFEST.search(html)
    if match is None:
        return None
    manifest, end = json.JSONDecoder().raw_decode(html, match.start())
    inject_manifest(manifest, origins)
    return html[: match.start()] + json.dumps(manifest) + html[end:]


def inject_docs(target_dir: Path, use_cache: bool = True) -> DocsResult:
    """Compute the column graph of the project in `target_dir` and inject the origins."""
    project = load_project(target_dir)
    graph = build_graph(project, use_cache=use_cache)
    export_graph(graph, target_dir / EXPORT_FILE)
    origins = origins_by_column(graph)

    manifest_path = target_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    count = inject_manifest(manifest, origins)
    manifest_path.write_text(json.dumps(manifest))

    static_path = target_dir / "static_index.html"
    updated = False
    if static_path.exists():
        html = inject_static_index(static_path.read_text(), origins)
        if html is None:
            log.warning("%s: no embedded manifest found, left unchanged", static_path)
        else:
            static_path.write_text(html)
            updated = True
    log.info("origin lines on %d documented columns; static index updated: %s", count, updated)
    return DocsResult(count, updated)
