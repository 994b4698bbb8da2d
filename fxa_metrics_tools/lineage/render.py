"""Human-readable forms of the column graph: the upstream tree of a column (CLI) and the short
"Lineage" section injected into the docs site (one hop per line, raw columns at the end)."""

from __future__ import annotations

from fxa_metrics_tools.lineage.graph import RAW_TYPES, ColumnGraph, GraphEdge
from fxa_metrics_tools.lineage.tracer import AGGREGATE, EXPRESSION, PASSED_THROUGH, RENAMED, WINDOW

KIND_PHRASES = {
    PASSED_THROUGH: "passed through",
    RENAMED: "renamed",
    EXPRESSION: "derived by expression",
    WINDOW: "window function",
    AGGREGATE: "aggregated",
}
LINEAGE_HEADING = "**Lineage**"
FIELDS_HEADING = "**Lineage of each field**"
MAX_HOPS = 12  # hop lines per column on the docs site
MAX_FIELD_HOPS = 4  # per field of a STRUCT column (its raw columns are always listed)
MAX_RAW = 10
EXPRESSION_CHARS = 110


def label(graph: ColumnGraph, node_id: str) -> str:
    node = graph.nodes.get(node_id)
    if node is None:
        return f"{graph.display(node_id)} (missing)"
    text = f"{node['name']}.{node['column']}"
    if node["resource_type"] == "source":
        loaded = (
            f", loaded by seed {node['loaded_by'].split('.')[-1]}" if "loaded_by" in node else ""
        )
        return f"source {text} (raw{loaded})"
    if node["resource_type"] == "seed":
        return f"seed {text} (raw)"
    return text


def describe_edge(edge: GraphEdge) -> str:
    phrase = KIND_PHRASES.get(edge.kind, edge.kind)
    if edge.kind in (AGGREGATE, WINDOW) and edge.function:
        phrase = f"{phrase} ({edge.function})"
    if edge.kind in (EXPRESSION, WINDOW, AGGREGATE, RENAMED) and edge.expression:
        phrase = f"{phrase}: {_one_line(edge.expression)}"
    return phrase


def _one_line(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def chain_lines(graph: ColumnGraph, node_id: str) -> list[str]:
    """The upstream tree of a column, one line per step, down to raw columns and literals."""
    lines = [label(graph, node_id)]
    printed: set[str] = set()

    def walk(current: str, depth: int) -> None:
        indent = "   " * depth
        if current in printed:
            lines.append(f"{indent}   (upstream as shown above)")
            return
        printed.add(current)
        for literal in graph.literals.get(current, []):
            lines.append(f"{indent}<- literal {_one_line(literal)}")
        for reason in graph.unresolved.get(current, []):
            lines.append(f"{indent}<- UNRESOLVED: {reason}")
        for edge in graph.parents.get(current, []):
            lines.append(f"{indent}<- [{describe_edge(edge)}] {label(graph, edge.upstream)}")
            for via in edge.via[1:] if len(edge.via) > 1 else []:
                lines.append(f"{indent}     inside the model: {via}")
            node = graph.nodes.get(edge.upstream)
            if node is not None and node["resource_type"] not in RAW_TYPES:
                walk(edge.upstream, depth + 1)

    walk(node_id, 0)
    return lines


def _code(text: str) -> str:
    """Inline markdown code; the docs site renders descriptions as markdown."""
    return "`" + text.replace("`", "'") + "`"


def _hop(graph: ColumnGraph, edge: GraphEdge) -> str:
    phrase = KIND_PHRASES.get(edge.kind, edge.kind)
    if edge.kind in (AGGREGATE, WINDOW) and edge.function:
        phrase = f"{phrase} {edge.function}"
    text = f"- {_code(graph.display(edge.downstream))} <- {_code(graph.display(edge.upstream))}"
    node = graph.nodes.get(edge.upstream)
    if node is not None and node["resource_type"] in RAW_TYPES:
        text += " (raw)"
    text += f" ({phrase})"
    if edge.kind in (EXPRESSION, WINDOW, AGGREGATE) and edge.expression:
        text += f": {_code(_one_line(edge.expression, EXPRESSION_CHARS))}"
    return text


def hop_lines(graph: ColumnGraph, node_id: str, limit: int = MAX_HOPS) -> list[str]:
    """One line per hop (child <- parent, how, expression), nearest first, raw columns last.

    Hops are listed breadth first from the column down to the raw columns, each edge once; past
    `limit` hops a last line says how many more there are and how to print them all.
    """
    hops: list[str] = []
    skipped = 0
    seen = {node_id}
    queue = [node_id]
    while queue:
        current = queue.pop(0)
        for edge in graph.parents.get(current, []):
            if len(hops) < limit:
                hops.append(_hop(graph, edge))
            else:
                skipped += 1
            node = graph.nodes.get(edge.upstream)
            if edge.upstream in seen or node is None or node["resource_type"] in RAW_TYPES:
                continue
            seen.add(edge.upstream)
            queue.append(edge.upstream)
    if skipped:
        name = graph.display(node_id)
        hops.append(f"- ... {skipped} more hops: `make lineage COLUMN={name}` prints them all")
    raw, literals, gaps = graph.leaves(node_id)
    if raw:
        names = sorted(graph.display(r) for r in raw)
        more = f" and {len(names) - MAX_RAW} more" if len(names) > MAX_RAW else ""
        hops.append("- raw columns: " + ", ".join(_code(n) for n in names[:MAX_RAW]) + more)
    if literals:
        shown = sorted(_one_line(v, 40) for v in literals)[:5]
        hops.append("- constants: " + ", ".join(_code(v) for v in shown))
    if gaps:
        hops.append(f"- {len(gaps)} input(s) not traced to a raw column (see `make lineage`)")
    return hops


def lineage_section(graph: ColumnGraph, node_id: str, fields: list[str] | None = None) -> str:
    """The docs text of a column's lineage; a STRUCT column (`fields` = its field node ids) gets
    one short block per field instead of the union of all of them."""
    name = graph.display(node_id)
    if not fields:
        intro = (
            f"{LINEAGE_HEADING} (one hop per line, nearest first; full tree: "
            f"`make lineage COLUMN={name}`)"
        )
        return "\n".join([intro, "", *hop_lines(graph, node_id)])
    parts = [
        f"{FIELDS_HEADING} of {_code(name)} (full tree of one field: "
        f"`make lineage COLUMN={name}.<field>`)"
    ]
    for field_id in fields:
        field = graph.nodes[field_id]["column"].partition(".")[2]
        parts += ["", f"{_code(field)}:", "", *hop_lines(graph, field_id, MAX_FIELD_HOPS)]
    return "\n".join(parts)
