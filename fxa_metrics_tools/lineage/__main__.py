"""CLI: `python -m fxa_metrics_tools.lineage {show,export,docs,gaps} ...` (see --help)."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from fxa_metrics_tools.lineage.docs import inject_docs
from fxa_metrics_tools.lineage.graph import EXPORT_FILE, build_graph, export_graph, load_project
from fxa_metrics_tools.lineage.render import chain_lines
from fxa_metrics_tools.lineage.tracer import LineageError

log = logging.getLogger("fxa_metrics_tools.lineage")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m fxa_metrics_tools.lineage", description=__doc__
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    show = sub.add_parser("show", help="print the upstream chain of one column")
    show.add_argument(
        "column",
        help="model.column[.field], e.g. logical_subscriptions_history_v1"
        ".subscription.auto_renew, or source_name.table.column",
    )
    show.add_argument("--target-dir", type=Path, default=Path("target"))
    show.add_argument("--no-cache", action="store_true", help="re-trace every model")

    export = sub.add_parser("export", help=f"write the whole column graph (<target>/{EXPORT_FILE})")
    export.add_argument("--target-dir", type=Path, default=Path("target"))
    export.add_argument("--out", type=Path, default=None)
    export.add_argument("--no-cache", action="store_true")

    docs = sub.add_parser(
        "docs", help="write each column's lineage and the cited rules into the docs of TARGET_DIR"
    )
    docs.add_argument("target_dir", type=Path)
    docs.add_argument("--no-cache", action="store_true")

    gaps = sub.add_parser("gaps", help="list model columns not resolved to raw columns/literals")
    gaps.add_argument("--target-dir", type=Path, default=Path("target"))
    gaps.add_argument("--path-prefix", default="models/marts/", help="models to check")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(message)s",
        stream=sys.stdout,
    )
    # sqlglot warns on every DuckDB list index it rewrites ("Applying array index offset")
    logging.getLogger("sqlglot").setLevel(logging.ERROR)
    started = time.perf_counter()
    try:
        if args.command == "show":
            project = load_project(args.target_dir)
            model_name = args.column.lower().split(".")[0]
            wanted = [r.unique_id for r in project.relations.values() if r.name == model_name]
            graph = build_graph(project, wanted or None, use_cache=not args.no_cache)
            node_id = graph.resolve_name(args.column)
            log.info("\n".join(chain_lines(graph, node_id)))
        elif args.command == "export":
            project = load_project(args.target_dir)
            graph = build_graph(project, use_cache=not args.no_cache)
            out = args.out or args.target_dir / EXPORT_FILE
            summary = export_graph(graph, out)
            log.info(
                "%s: %d nodes, %d edges; %s of %s model columns fully resolved (%.1f%%)",
                out,
                len(graph.nodes),
                sum(len(v) for v in graph.parents.values()),
                summary["fully_resolved"],
                summary["model_columns"],
                100 * (summary["share_fully_resolved"] or 0),
            )
        elif args.command == "docs":
            result = inject_docs(args.target_dir, use_cache=not args.no_cache)
            log.info(
                "lineage on %d column descriptions, rules on %d descriptions (static index: %s)",
                result.columns_described,
                result.rules_shown,
                "updated" if result.static_index_updated else "absent",
            )
        elif args.command == "gaps":
            project = load_project(args.target_dir)
            graph = build_graph(project)
            missing = 0
            for node_id, node in sorted(graph.nodes.items()):
                relation = project.relations[node["unique_id"]]
                if relation.resource_type != "model" or not relation.path.startswith(
                    args.path_prefix
                ):
                    continue
                raw, literals, problems = graph.leaves(node_id)
                if not raw and not literals or problems:
                    missing += 1
                    log.info("%s: %s", graph.display(node_id), "; ".join(sorted(problems)))
            log.info("%d column(s) not fully resolved", missing)
    except LineageError as error:
        log.error("lineage: %s", error)
        return 2
    log.debug("done in %.2fs", time.perf_counter() - started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
