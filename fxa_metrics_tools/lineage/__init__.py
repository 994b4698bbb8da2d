"""Column-level lineage of the fxa_metrics dbt project (issue 8).

`python -m fxa_metrics_tools.lineage show MODEL.COLUMN[.FIELD]` prints where a column comes from,
`export` writes the whole column graph to `target/column_lineage.json`, and `docs TARGET_DIR`
writes each column's lineage (one hop per line) and the rules the code cites into the generated
docs site.
"""

from fxa_metrics_tools.lineage.graph import (
    ColumnGraph,
    Project,
    build_graph,
    export_graph,
    load_project,
)
from fxa_metrics_tools.lineage.tracer import LineageError, trace_query

__all__ = [
    "ColumnGraph",
    "LineageError",
    "Project",
    "build_graph",
    "export_graph",
    "load_project",
    "trace_query",
]
