"""Human-readable forms of the column graph: the upstream chain of a column (CLI) and the short
"Origin: ..." line injected into the docs."""

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
ORIGIN_PREFIX = "Origin: "
MAX_ORIGIN_RAW = 4


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


def linear_chain(
    graph: ColumnGraph, node_id: str, limit: int = 6
) -> list[tuple[str, GraphEdge]] | None:
    """The chain when every step has exactly one parent and no literal (else None)."""
    chain: list[tuple[str, GraphEdge]] = []
    current = node_id
    while True:
        node = graph.nodes.get(current)
        if node is None:
            return None
        if node["resource_type"] in RAW_TYPES:
            return chain
        edges = graph.parents.get(current, [])
        if len(edges) != 1 or graph.literals.get(current) or graph.unresolved.get(current):
            return None
        chain.append((current, edges[0]))
        if len(chain) > limit:
            return None
        current = edges[0].upstream


def raw_chains(graph: ColumnGraph, node_id: str) -> dict[str, list[GraphEdge]]:
    """Raw column -> one shortest chain of edges from it up to `node_id` (raw end first)."""
    reached: dict[str, list[GraphEdge]] = {node_id: []}
    queue = [node_id]
    chains: dict[str, list[GraphEdge]] = {}
    while queue:
        current = queue.pop(0)
        for edge in graph.parents.get(current, []):
            if edge.upstream in reached:
                continue
            path = [edge, *reached[current]]
            reached[edge.upstream] = path
            node = graph.nodes.get(edge.upstream)
            if node is not None and node["resource_type"] in RAW_TYPES:
                chains[edge.upstream] = path
            else:
                queue.append(edge.upstream)
    return chains


def chain_text(graph: ColumnGraph, raw_id: str, chain: list[GraphEdge]) -> str:
    steps = " -> ".join(
        f"{graph.display(edge.downstream)} ({KIND_PHRASES.get(edge.kind, edge.kind)})"
        for edge in chain
    )
    return f"`{graph.display(raw_id)}` -> {steps}"


def origin_line(graph: ColumnGraph, node_id: str, with_chains: bool = True) -> str:
    """The docs line: raw origins (with the chain of steps to each, at most MAX_ORIGIN_RAW) and
    literals; without chains, the raw columns and how this column is made from its parents."""
    raw, literals, gaps = graph.leaves(node_id)
    chain = linear_chain(graph, node_id)
    if chain:
        raw_id = chain[-1][1].upstream
        steps = " -> ".join(
            f"{graph.display(edge.downstream)} ({KIND_PHRASES.get(edge.kind, edge.kind)})"
            for _, edge in reversed(chain)
        )
        return f"{ORIGIN_PREFIX}`{graph.display(raw_id)}` -> {steps}."
    parts = []
    if raw and with_chains:
        chains = raw_chains(graph, node_id)
        names = sorted(chains, key=graph.display)
        shown = "; ".join(chain_text(graph, r, chains[r]) for r in names[:MAX_ORIGIN_RAW])
        more = (
            f"; and {len(names) - MAX_ORIGIN_RAW} more raw" if len(names) > MAX_ORIGIN_RAW else ""
        )
        parts.append(f"{shown}{more}")
    elif raw:
        names = sorted(graph.display(r) for r in raw)
        shown = ", ".join(f"`{n}`" for n in names[:MAX_ORIGIN_RAW])
        more = f" and {len(names) - MAX_ORIGIN_RAW} more" if len(names) > MAX_ORIGIN_RAW else ""
        parts.append(f"raw {shown}{more}")
    if literals:
        shown_literals = sorted(literals)
        parts.append("literal " + ", ".join(_one_line(v, 40) for v in shown_literals[:3]))
    edges = graph.parents.get(node_id, [])
    if edges and not (raw and with_chains):
        kinds = sorted({KIND_PHRASES.get(e.kind, e.kind) for e in edges})
        parents = sorted({graph.display(e.upstream) for e in edges})
        shown_parents = ", ".join(parents[:3]) + (" ..." if len(parents) > 3 else "")
        parts.append(f"here {'/'.join(kinds)} from {shown_parents}")
    if gaps:
        parts.append(f"{len(gaps)} unresolved input(s)")
    return ORIGIN_PREFIX + ("; ".join(parts) if parts else "unknown") + "."
