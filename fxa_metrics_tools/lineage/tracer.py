"""Column lineage of one compiled SQL query, on top of sqlglot's qualifier and scopes.

`trace_query` answers, for each output column of a query (and for each field of its STRUCT
columns, e.g. `subscription.auto_renew`), which columns of the query's input relations it comes
from and how: renamed / passed through, derived by an expression, aggregated, window function, or
a literal. CTEs, subqueries, `select *`, joins and unions are followed inside the query; struct
constructors (`struct_pack(x := e)`, `{'x': e}`, BigQuery `struct(e as x)`), `struct_insert` and
field access (`s.x`, `s['x']`, `struct_extract(s, 'x')`) are followed field by field.

sqlglot does the parsing, `qualify` (star expansion and column qualification against a
`MappingSchema`) and the scope tree; the walk itself is ours because sqlglot's `lineage()` does
not descend into struct fields nor classify the transformation of each step.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import Scope, build_scope
from sqlglot.schema import MappingSchema

log = logging.getLogger(__name__)

# Transformation kinds, weakest first; the kind of a multi-step path is its strongest step.
PASSED_THROUGH = "passed_through"
RENAMED = "renamed"
EXPRESSION = "expression"
WINDOW = "window"
AGGREGATE = "aggregate"
LITERAL = "literal"
KIND_ORDER = {PASSED_THROUGH: 0, RENAMED: 1, EXPRESSION: 2, WINDOW: 3, AGGREGATE: 4}

# Functions whose first argument is the value they return (a row's value is picked, not
# combined): a struct field path is followed into that argument only.
VALUE_PICKING_FUNCTIONS = {
    "anyvalue",
    "any_value",
    "argmax",
    "argmin",
    "arg_max",
    "arg_min",
    "max_by",
    "min_by",
    "first",
    "last",
    "firstvalue",
    "first_value",
    "lastvalue",
    "last_value",
    "nthvalue",
    "nth_value",
    "lag",
    "lead",
    "max",
    "min",
}
STRUCT_INSERT_FUNCTIONS = {"struct_insert", "struct_update"}
ROWS = "*"  # column path meaning "the rows of a relation" (count(*) and the like)

FieldLookup = Callable[[str, str], list[str] | None]


class LineageError(Exception):
    """A query or column that cannot be traced; the message names the model and column."""


@dataclass(frozen=True)
class Step:
    """One hop inside a query: output of a CTE/subquery/select to one of its inputs."""

    scope: str  # CTE or subquery name, "" for the final select
    column: str  # column path produced by this step
    kind: str
    expression: str = ""
    function: str = ""


@dataclass
class Hit:
    """An input column (of an external relation) reached from one output column path."""

    relation: str  # external relation as written in the SQL, "db.schema.table"
    column: str  # column path in that relation ("*" for its rows)
    steps: list[Step] = field(default_factory=list)


@dataclass
class LiteralHit:
    expression: str
    steps: list[Step] = field(default_factory=list)


@dataclass
class Unresolved:
    reason: str
    steps: list[Step] = field(default_factory=list)


@dataclass
class Edge:
    """Summary of all paths from one output column path to one input column."""

    relation: str
    column: str
    kind: str
    expression: str
    function: str
    via: list[str]


@dataclass
class ColumnResult:
    column: str
    edges: list[Edge] = field(default_factory=list)
    literals: list[str] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)


def strongest(steps: Iterable[Step]) -> Step | None:
    best: Step | None = None
    for step in steps:
        if step.kind == LITERAL:
            continue
        if best is None or KIND_ORDER[step.kind] > KIND_ORDER[best.kind]:
            best = step
    return best


def _table_key(table: exp.Table) -> str:
    parts = [table.catalog, table.db, table.name]
    return ".".join(p for p in parts if p).lower()


def _name(node: exp.Expr) -> str:
    return (node.name or "").lower()


def _fn_name(node: exp.Expr) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.this).lower()
    return type(node).__name__.lower() if not hasattr(node, "sql_name") else node.sql_name().lower()


def _sql(node: exp.Expr) -> str:
    text = node.sql(dialect="duckdb")
    return text if len(text) <= 400 else text[:397] + "..."


def _unparen(node: exp.Expr) -> exp.Expr:
    while isinstance(node, exp.Paren):
        node = node.this
    return node


def _field_access(node: exp.Expr) -> tuple[exp.Column, list[str]] | None:
    """`t.s.a.b` / `s['a']` / `struct_extract(s, 'a')` -> (column s, ['a', 'b']), else None."""
    fields: list[str] = []
    node = _unparen(node)
    while True:
        if isinstance(node, exp.Dot):
            fields.insert(0, _name(node.expression))
            node = _unparen(node.this)
        elif isinstance(node, exp.StructExtract) and isinstance(node.expression, exp.Literal):
            fields.insert(0, node.expression.name.lower())
            node = _unparen(node.this)
        elif (
            isinstance(node, exp.Bracket)
            and len(node.expressions) == 1
            and isinstance(node.expressions[0], exp.Literal)
            and node.expressions[0].is_string
        ):
            fields.insert(0, node.expressions[0].name.lower())
            node = _unparen(node.this)
        else:
            break
    if isinstance(node, exp.Column) and fields:
        return node, fields
    return None


def _struct_fields(node: exp.Struct) -> dict[str, exp.Expr]:
    """Field name -> expression of a struct constructor (DuckDB or BigQuery form)."""
    fields: dict[str, exp.Expr] = {}
    for index, item in enumerate(node.expressions):
        if isinstance(item, (exp.PropertyEQ, exp.EQ, exp.Slice)):
            key = item.this
            name = key.name if isinstance(key, (exp.Literal, exp.Identifier, exp.Column)) else ""
            fields[name.lower()] = item.expression
        elif isinstance(item, exp.Alias):
            fields[item.alias.lower()] = item.this
        elif isinstance(item, exp.Column):
            fields[_name(item)] = item
        else:
            fields[f"_{index}"] = item
    return fields


def _struct_insert_parts(node: exp.Expr) -> tuple[exp.Expr, dict[str, exp.Expr]] | None:
    if not isinstance(node, exp.Anonymous) or _fn_name(node) not in STRUCT_INSERT_FUNCTIONS:
        return None
    args = node.expressions
    if not args:
        return None
    added: dict[str, exp.Expr] = {}
    for item in args[1:]:
        if isinstance(item, (exp.PropertyEQ, exp.Kwarg, exp.EQ)):
            added[_name(item.this)] = item.expression
        elif isinstance(item, exp.Alias):
            added[item.alias.lower()] = item.this
    return args[0], added


def _columns_in(node: exp.Expr) -> list[exp.Column]:
    """Columns of this scope in an expression (not those inside nested subqueries)."""
    found = []
    for column in node.find_all(exp.Column):
        parent = column.parent
        inside_query = False
        while parent is not None and parent is not node:
            if isinstance(parent, exp.Query):
                inside_query = True
                break
            parent = parent.parent
        if not inside_query and not isinstance(column.this, exp.Star):
            found.append(column)
    return found


def _column_refs(node: exp.Expr) -> list[tuple[exp.Column, list[str]]]:
    """Columns read by an expression, each with the struct field path accessed on it."""
    refs = []
    for column in _columns_in(node):
        fields: list[str] = []
        current: exp.Expr = column
        parent = current.parent
        while parent is not None and current is not node:
            if isinstance(parent, exp.Paren):
                pass
            elif isinstance(parent, exp.Dot) and parent.this is current:
                fields.append(_name(parent.expression))
            elif (
                isinstance(parent, exp.StructExtract)
                and parent.this is current
                and isinstance(parent.expression, exp.Literal)
            ):
                fields.append(parent.expression.name.lower())
            elif (
                isinstance(parent, exp.Bracket)
                and parent.this is current
                and len(parent.expressions) == 1
                and isinstance(parent.expressions[0], exp.Literal)
                and parent.expressions[0].is_string
            ):
                fields.append(parent.expressions[0].name.lower())
            else:
                break
            current, parent = parent, parent.parent
        refs.append((column, fields))
    return refs


def _classify(node: exp.Expr) -> tuple[str, str]:
    """Kind and function name of one select expression."""
    node = _unparen(node)
    window = node if isinstance(node, exp.Window) else node.find(exp.Window)
    if window is not None:
        return WINDOW, _fn_name(window.this)
    agg = node if isinstance(node, exp.AggFunc) else node.find(exp.AggFunc)
    if agg is not None:
        return AGGREGATE, _fn_name(agg)
    return EXPRESSION, ""


class QueryTracer:
    """Traces output column paths of one qualified query."""

    def __init__(self, expression: exp.Expr, field_lookup: FieldLookup | None = None) -> None:
        self.expression = expression
        root = build_scope(expression)
        if root is None:
            raise LineageError("not a SELECT query")
        self.root = root
        self.field_lookup = field_lookup
        # (scope, column, path, name, output) -> hits with steps relative to that call: a CTE
        # read by several others is traced once (without it, joins of joins are exponential)
        self._memo: dict[tuple, list[Hit | LiteralHit | Unresolved]] = {}
        self._active: set[tuple] = set()
        self.names: dict[int, str] = {}
        for scope in root.traverse():
            for name, source in scope.sources.items():
                if isinstance(source, Scope):
                    self.names.setdefault(id(source), name)

    # -- output columns ---------------------------------------------------------------------
    def output_columns(self) -> list[str]:
        return [_output_name(sel) for sel in self._selects(self.root)]

    def _selects(self, scope: Scope) -> list[exp.Expr]:
        expression = scope.expression
        if isinstance(expression, exp.SetOperation):
            return list(expression.selects)
        return list(expression.selects)

    # -- tracing ----------------------------------------------------------------------------
    def trace(
        self, column: str, path: list[str] | None = None
    ) -> list[Hit | LiteralHit | Unresolved]:
        return self._trace_scope(self.root, column.lower(), list(path or []), [])

    def trace_rows(self) -> list[Hit | LiteralHit | Unresolved]:
        """Where the rows of the query come from (the `*` of its input relations)."""
        return self._trace_scope(self.root, ROWS, [], [])

    def _trace_scope(
        self,
        scope: Scope,
        column: str | int,
        path: list[str],
        steps: list[Step],
        name: str | None = None,
        output: str | None = None,
    ) -> list[Hit | LiteralHit | Unresolved]:
        """Memoised `_trace_scope_once`: the hits of one call, prefixed with `steps`."""
        key = (id(scope), column, tuple(path), name, output)
        relative = self._memo.get(key)
        if relative is None:
            if key in self._active:
                return [Unresolved(f"recursive reference to column {column}", steps)]
            self._active.add(key)
            try:
                relative = _dedupe(self._trace_scope_once(scope, column, path, [], name, output))
            finally:
                self._active.discard(key)
            self._memo[key] = relative
        if not steps:
            return list(relative)
        return [_prefixed(hit, steps) for hit in relative]

    def _trace_scope_once(
        self,
        scope: Scope,
        column: str | int,
        path: list[str],
        steps: list[Step],
        name: str | None = None,
        output: str | None = None,
    ) -> list[Hit | LiteralHit | Unresolved]:
        """Trace `column` (name, or position in a union branch) of `scope`; `output` is the
        name the column has in the enclosing union (branches may name it differently)."""
        expression = scope.expression
        scope_name = name if name is not None else self.names.get(id(scope), "")
        if not isinstance(expression, (exp.Select, exp.SetOperation)):
            return self._trace_table_function(scope, scope_name, column, path, steps)
        if isinstance(expression, exp.SetOperation):
            hits: list[Hit | LiteralHit | Unresolved] = []
            branches = scope.set_operation_scopes
            if column == ROWS:
                for number, branch in enumerate(branches, start=1):
                    hits.extend(
                        self._trace_scope(branch, ROWS, [], steps, f"{scope_name}#{number}")
                    )
                return hits
            selects = expression.selects
            index = column if isinstance(column, int) else _index_of(selects, column)
            if index is None:
                return [Unresolved(f"column {column} not in union {scope_name}", steps)]
            union_name = output or _output_name(selects[index])
            for number, branch in enumerate(branches, start=1):
                branch_name = f"{scope_name}#{number}" if scope_name else f"union#{number}"
                hits.extend(self._trace_scope(branch, index, path, steps, branch_name, union_name))
            return hits
        selects = expression.selects
        if isinstance(column, int):
            if column >= len(selects):
                return [Unresolved(f"union branch of {scope_name} has too few columns", steps)]
            select = selects[column]
        else:
            select = next((s for s in selects if _output_name(s) == column), None)
            if select is None:
                if column == ROWS:
                    return self._rows_of(scope, steps)
                return [Unresolved(f"column {column} not found in {scope_name or 'query'}", steps)]
        out_name = output or _output_name(select)
        node = select.this if isinstance(select, exp.Alias) else select
        out_path = ".".join([out_name, *path])
        return self._trace_expr(scope, scope_name, out_path, node, path, steps)

    def _trace_table_function(
        self,
        scope: Scope,
        scope_name: str,
        column: str | int,
        path: list[str],
        steps: list[Step],
    ) -> list[Hit | LiteralHit | Unresolved]:
        """A column of `unnest(...)` / `generate_series(...)` in FROM: the columns it reads."""
        node = scope.expression
        out_path = ".".join([str(column), *path])
        refs = _column_refs(node)
        if not refs:
            step = Step(scope_name, out_path, LITERAL, _sql(node))
            return [LiteralHit(_sql(node), [*steps, step])]
        step = Step(scope_name, out_path, EXPRESSION, _sql(node), _fn_name(node))
        hits: list[Hit | LiteralHit | Unresolved] = []
        for inner, fields in refs:
            hits.extend(self._follow_column(scope, inner, fields, [*steps, step]))
        return hits

    def _rows_of(self, scope: Scope, steps: list[Step]) -> list[Hit | LiteralHit | Unresolved]:
        hits: list[Hit | LiteralHit | Unresolved] = []
        for source in scope.sources.values():
            if isinstance(source, Scope):
                hits.extend(self._trace_scope(source, ROWS, [], steps))
            elif isinstance(source, exp.Table):
                hits.append(Hit(_table_key(source), ROWS, steps))
        return hits

    def _trace_expr(
        self,
        scope: Scope,
        scope_name: str,
        out_path: str,
        node: exp.Expr,
        path: list[str],
        steps: list[Step],
    ) -> list[Hit | LiteralHit | Unresolved]:
        node = _unparen(node)
        # struct constructor: follow the requested field only
        if path and isinstance(node, exp.Struct):
            fields = _struct_fields(node)
            if path[0] not in fields:
                return [Unresolved(f"struct has no field {path[0]} ({_sql(node)})", steps)]
            return self._trace_expr(scope, scope_name, out_path, fields[path[0]], path[1:], steps)
        if path:
            parts = _struct_insert_parts(node)
            if parts is not None:
                base, added = parts
                if path[0] in added:
                    return self._trace_expr(
                        scope, scope_name, out_path, added[path[0]], path[1:], steps
                    )
                return self._trace_expr(scope, scope_name, out_path, base, path, steps)
        # plain column or field access: a rename / pass-through hop
        access = _field_access(node)
        if isinstance(node, exp.Column) or access is not None:
            column, fields = access if access is not None else (node, [])
            assert isinstance(column, exp.Column)
            in_path = [_name(column), *fields, *path]
            kind = PASSED_THROUGH if ".".join(in_path) == out_path else RENAMED
            step = Step(scope_name, out_path, kind, _sql(node) if kind == RENAMED else "")
            return self._follow_column(scope, column, [*fields, *path], [*steps, step])
        # value-picking function/case with a struct path: follow the value operands
        if path:
            operands = _value_operands(node)
            if operands is not None:
                kind, function = _classify(node)
                step = Step(scope_name, out_path, kind, _sql(node), function)
                hits: list[Hit | LiteralHit | Unresolved] = []
                for operand in operands:
                    hits.extend(
                        self._trace_expr(scope, scope_name, out_path, operand, path, [*steps, step])
                    )
                return hits
            return [Unresolved(f"cannot follow field {'.'.join(path)} into {_sql(node)}", steps)]
        # expression: every column it reads
        columns = _column_refs(node)
        subqueries = [q for q in node.find_all(exp.Query) if q is not node]
        kind, function = _classify(node)
        if not columns and not subqueries:
            if kind == AGGREGATE and node.find(exp.Star) is not None:
                step = Step(scope_name, out_path, AGGREGATE, _sql(node), function)
                return self._rows_of(scope, [*steps, step])
            if kind in (AGGREGATE, WINDOW):
                step = Step(scope_name, out_path, kind, _sql(node), function)
                return [LiteralHit(_sql(node), [*steps, step])]
            return [
                LiteralHit(_sql(node), [*steps, Step(scope_name, out_path, LITERAL, _sql(node))])
            ]
        step = Step(scope_name, out_path, kind, _sql(node), function)
        hits = []
        for column, fields in columns:
            hits.extend(self._follow_column(scope, column, fields, [*steps, step]))
        for subquery in subqueries:
            sub_scope = next((s for s in scope.subquery_scopes if s.expression is subquery), None)
            if sub_scope is None:
                continue
            for sel in sub_scope.expression.selects:
                hits.extend(self._trace_scope(sub_scope, _output_name(sel), [], [*steps, step]))
        if kind == AGGREGATE and not any(isinstance(hit, Hit) for hit in hits):
            # `sum(1 << day_offset)`: no input column in the value, yet it counts input rows
            hits.extend(self._rows_of(scope, [*steps, step]))
        return hits

    def _follow_column(
        self, scope: Scope, column: exp.Column, path: list[str], steps: list[Step]
    ) -> list[Hit | LiteralHit | Unresolved]:
        table = column.table.lower()
        name = _name(column)
        source = _find_source(scope, table)
        if source is None:
            if not table:
                return [Unresolved(f"unqualified column {name} (unknown input schema?)", steps)]
            return [Unresolved(f"column {table}.{name}: no relation {table} in scope", steps)]
        if isinstance(source, Scope):
            return self._trace_scope(source, name, path, steps)
        if isinstance(source, exp.Table):
            return [Hit(_table_key(source), ".".join([name, *path]), steps)]
        # table function (unnest, ...): the columns it reads
        hits: list[Hit | LiteralHit | Unresolved] = []
        step = Step(table, ".".join([name, *path]), EXPRESSION, _sql(source))
        for inner in _columns_in(source):
            hits.extend(self._follow_column(scope.parent or scope, inner, [], [*steps, step]))
        return hits or [LiteralHit(_sql(source), [*steps, step])]

    # -- struct fields ----------------------------------------------------------------------
    def struct_fields(self, column: str) -> list[str] | None:
        """Field paths (nested, dotted) of an output STRUCT column, None if not a struct."""
        return self._fields_scope(self.root, column.lower(), 0)

    def _fields_scope(self, scope: Scope, column: str | int, depth: int) -> list[str] | None:
        if depth > 50:
            return None
        expression = scope.expression
        if isinstance(expression, exp.SetOperation):
            index = column if isinstance(column, int) else _index_of(expression.selects, column)
            if index is None:
                return None
            for branch in scope.set_operation_scopes:
                found = self._fields_scope(branch, index, depth + 1)
                if found is not None:
                    return found
            return None
        selects = expression.selects
        if isinstance(column, int):
            select = selects[column] if column < len(selects) else None
        else:
            select = next((s for s in selects if _output_name(s) == column), None)
        if select is None:
            return None
        node = select.this if isinstance(select, exp.Alias) else select
        return self._fields_expr(scope, node, depth + 1)

    def _fields_expr(self, scope: Scope, node: exp.Expr, depth: int) -> list[str] | None:
        node = _unparen(node)
        if isinstance(node, exp.Struct):
            paths: list[str] = []
            for name, value in _struct_fields(node).items():
                paths.append(name)
                nested = self._fields_expr(scope, value, depth + 1)
                paths.extend(f"{name}.{sub}" for sub in nested or [])
            return paths
        parts = _struct_insert_parts(node)
        if parts is not None:
            base, added = parts
            paths = list(self._fields_expr(scope, base, depth + 1) or [])
            for name, value in added.items():
                if name not in paths:
                    paths.append(name)
                nested = self._fields_expr(scope, value, depth + 1)
                paths.extend(
                    f"{name}.{sub}" for sub in nested or [] if f"{name}.{sub}" not in paths
                )
            return paths
        access = _field_access(node)
        if isinstance(node, exp.Column) or access is not None:
            column, fields = access if access is not None else (node, [])
            assert isinstance(column, exp.Column)
            whole = self._fields_column(scope, column, depth + 1)
            if whole is None:
                return None
            prefix = ".".join(fields) + "." if fields else ""
            sub = [p[len(prefix) :] for p in whole if fields and p.startswith(prefix)]
            return sub or None if fields else whole
        operands = _value_operands(node)
        for operand in operands or []:
            found = self._fields_expr(scope, operand, depth + 1)
            if found is not None:
                return found
        return None

    def _fields_column(self, scope: Scope, column: exp.Column, depth: int) -> list[str] | None:
        source = _find_source(scope, column.table.lower())
        if isinstance(source, Scope):
            return self._fields_scope(source, _name(column), depth)
        if isinstance(source, exp.Table) and self.field_lookup is not None:
            return self.field_lookup(_table_key(source), _name(column))
        return None


def _prefixed(
    hit: Hit | LiteralHit | Unresolved, steps: list[Step]
) -> Hit | LiteralHit | Unresolved:
    if isinstance(hit, Hit):
        return Hit(hit.relation, hit.column, [*steps, *hit.steps])
    if isinstance(hit, LiteralHit):
        return LiteralHit(hit.expression, [*steps, *hit.steps])
    return Unresolved(hit.reason, [*steps, *hit.steps])


def _dedupe(hits: list[Hit | LiteralHit | Unresolved]) -> list[Hit | LiteralHit | Unresolved]:
    """One hit per input column (its strongest path), literal and reason; order kept."""
    chosen: dict[tuple, Hit | LiteralHit | Unresolved] = {}
    for hit in hits:
        if isinstance(hit, Hit):
            key: tuple = ("hit", hit.relation, hit.column)
            current = chosen.get(key)
            if current is not None and _rank(current.steps) >= _rank(hit.steps):
                continue
        elif isinstance(hit, LiteralHit):
            key = ("literal", hit.expression)
            if key in chosen:
                continue
        else:
            key = ("unresolved", hit.reason)
            if key in chosen:
                continue
        chosen[key] = hit
    return list(chosen.values())


def _rank(steps: list[Step]) -> int:
    best = strongest(steps)
    return KIND_ORDER[best.kind] if best is not None else -1


def _find_source(scope: Scope, table: str) -> Scope | exp.Expr | None:
    current: Scope | None = scope
    while current is not None:
        for name, source in current.sources.items():
            if name.lower() == table:
                return source
        current = current.parent
    return None


def _value_operands(node: exp.Expr) -> list[exp.Expr] | None:
    """Operands whose value a struct-typed expression returns (None: not such an expression)."""
    node = _unparen(node)
    if isinstance(node, exp.Window):
        return _value_operands(node.this)
    if isinstance(node, exp.Case):
        values = [if_.args["true"] for if_ in node.args.get("ifs") or []]
        if node.args.get("default") is not None:
            values.append(node.args["default"])
        return values
    if isinstance(node, exp.If):
        return [v for v in (node.args.get("true"), node.args.get("false")) if v is not None]
    if isinstance(node, exp.Coalesce):
        return [node.this, *node.expressions]
    if isinstance(node, (exp.Func, exp.AggFunc)):
        name = _fn_name(node).replace(" ", "_")
        if name in VALUE_PICKING_FUNCTIONS or name.replace("_", "") in VALUE_PICKING_FUNCTIONS:
            first = node.expressions[0] if isinstance(node, exp.Anonymous) else node.this
            return [first] if first is not None else None
    return None


def _index_of(selects: list[exp.Expr], column: str) -> int | None:
    for index, select in enumerate(selects):
        if _output_name(select) == column:
            return index
    return None


def _output_name(select: exp.Expr) -> str:
    return (select.alias_or_name or "").lower()


def parse_and_qualify(sql: str, schema: MappingSchema, dialect: str = "duckdb") -> exp.Expr:
    """Parse compiled SQL and qualify every column against `schema` (expands `select *`)."""
    try:
        expression = sqlglot.parse_one(sql, dialect=dialect)
    except sqlglot.errors.ParseError as error:
        raise LineageError(f"cannot parse SQL: {str(error)[:300]}") from error
    try:
        return qualify(
            expression,
            schema=schema,
            dialect=dialect,
            validate_qualify_columns=False,
            identify=False,
            quote_identifiers=False,
        )
    except sqlglot.errors.SqlglotError as error:
        raise LineageError(f"cannot qualify SQL: {str(error)[:300]}") from error


def summarise(column: str, hits: list[Hit | LiteralHit | Unresolved]) -> ColumnResult:
    """Merge the paths of one output column path into one edge per input column."""
    result = ColumnResult(column)
    by_target: dict[tuple[str, str], Edge] = {}
    for hit in hits:
        if isinstance(hit, LiteralHit):
            if hit.expression not in result.literals:
                result.literals.append(hit.expression)
            continue
        if isinstance(hit, Unresolved):
            if hit.reason not in result.unresolved:
                result.unresolved.append(hit.reason)
            continue
        best = strongest(hit.steps)
        kind = best.kind if best else PASSED_THROUGH
        via = [
            f"{s.scope or '(final select)'}.{s.column}: {s.kind}"
            for s in hit.steps
            if s.kind != PASSED_THROUGH
        ]
        edge = Edge(
            hit.relation,
            hit.column,
            kind,
            best.expression if best else "",
            best.function if best else "",
            via,
        )
        key = (hit.relation, hit.column)
        current = by_target.get(key)
        if current is None or KIND_ORDER[edge.kind] > KIND_ORDER[current.kind]:
            by_target[key] = edge
    result.edges = list(by_target.values())
    return result


def trace_query(
    sql: str,
    schema: MappingSchema | dict,
    dialect: str = "duckdb",
    field_lookup: FieldLookup | None = None,
) -> dict[str, ColumnResult]:
    """Lineage of every output column path of a query: `{path: ColumnResult}`.

    Paths are the output column names plus, for STRUCT columns, every (nested) field path.
    Relations in the results are as written in the SQL, lower-cased `db.schema.table`.
    """
    mapping = (
        schema if isinstance(schema, MappingSchema) else MappingSchema(schema, dialect=dialect)
    )
    tracer = QueryTracer(parse_and_qualify(sql, mapping, dialect), field_lookup)
    results: dict[str, ColumnResult] = {}
    results[ROWS] = summarise(ROWS, tracer.trace_rows())
    for column in tracer.output_columns():
        if not column:
            continue
        results[column] = summarise(column, tracer.trace(column))
        for field_path in tracer.struct_fields(column) or []:
            path = field_path.split(".")
            results[f"{column}.{field_path}"] = summarise(
                f"{column}.{field_path}", tracer.trace(column, path)
            )
    return results
