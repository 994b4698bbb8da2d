"""Offline stand-ins for dbt's Jinja context, for sqlfluff's `jinja` templater.

sqlfluff's `apply_dbt_builtins` provides `ref`, `source`, `var`, `config`, `this`,
`is_incremental` and `return`, but not `adapter.dispatch`, the `dbt.*` cross-database
macros, `target`, `env_var`, `exceptions` or `modules`, which our models and macros use.
Everything public in this package becomes a Jinja global (see `library_path` in `.sqlfluff`).

The stand-ins render the DuckDB flavour of each macro (the lint dialect), so what sqlfluff
parses is close to what `dbt compile` produces on DuckDB. Nothing here connects anywhere.
"""

from __future__ import annotations

import datetime as _datetime
import os as _os
import re as _re
from typing import Any as _Any

from jinja2 import pass_context as _pass_context
from jinja2.runtime import Context as _Context
from jinja2.utils import missing as _missing

_TYPES = {
    "timestamp": "timestamp",
    "string": "varchar",
    "int": "integer",
    "bigint": "bigint",
    "float": "double",
    "numeric": "numeric(28, 6)",
    "boolean": "boolean",
}


class _Adapter:
    """`adapter`: dispatch resolves `duckdb__<name>`, then `default__<name>` in the context."""

    type = "duckdb"

    @_pass_context
    def dispatch(self, context: _Context, macro_name: str, macro_namespace: str | None = None):
        """Return the macro dbt would pick on DuckDB, or a generic-function stand-in."""
        for prefix in ("duckdb__", "default__"):
            macro = context.resolve_or_missing(prefix + macro_name)
            if macro is not _missing and callable(macro):
                return macro
        if macro_namespace == "dbt" and hasattr(dbt, macro_name):
            return getattr(dbt, macro_name)
        return _generic_function(macro_name)

    def quote(self, identifier: str) -> str:
        return f'"{identifier}"'

    def get_relation(self, *args: _Any, **kwargs: _Any) -> None:
        """No database offline: no relation exists."""
        return None

    def get_columns_in_relation(self, *args: _Any, **kwargs: _Any) -> list[_Any]:
        return []


def _generic_function(name: str):
    """A macro nobody stubbed renders as a plain function call so the SQL still parses."""

    def render(*args: _Any, **kwargs: _Any) -> str:
        rendered = [str(arg) for arg in args] + [str(value) for value in kwargs.values()]
        return f"{name}({', '.join(rendered)})"

    return render


class _Dbt:
    """`dbt.<macro>`: the cross-database macros in their dbt-duckdb rendering."""

    def type_timestamp(self) -> str:
        return _TYPES["timestamp"]

    def type_string(self) -> str:
        return _TYPES["string"]

    def type_int(self) -> str:
        return _TYPES["int"]

    def type_bigint(self) -> str:
        return _TYPES["bigint"]

    def type_float(self) -> str:
        return _TYPES["float"]

    def type_numeric(self) -> str:
        return _TYPES["numeric"]

    def type_boolean(self) -> str:
        return _TYPES["boolean"]

    def current_timestamp(self) -> str:
        return "now()"

    def dateadd(self, datepart: str, interval: _Any, from_date_or_timestamp: _Any) -> str:
        return f"date_add({from_date_or_timestamp}, interval ({interval}) {datepart})"

    def datediff(self, first_date: _Any, second_date: _Any, datepart: str) -> str:
        return f"date_diff('{datepart}', {first_date}, {second_date})"

    def date_trunc(self, datepart: str, date: _Any) -> str:
        return f"date_trunc('{datepart}', {date})"

    def last_day(self, date: _Any, datepart: str) -> str:
        return f"last_day({date})"

    def concat(self, fields: list[_Any]) -> str:
        return " || ".join(str(field) for field in fields)

    def hash(self, field: _Any) -> str:
        return f"md5(cast({field} as varchar))"

    def safe_cast(self, field: _Any, type: str) -> str:  # noqa: A002 - dbt's argument name
        return f"try_cast({field} as {type})"

    def cast(self, field: _Any, type: str) -> str:  # noqa: A002
        return f"cast({field} as {type})"

    def cast_bool_to_text(self, field: _Any) -> str:
        return f"cast({field} as varchar)"

    def string_literal(self, value: _Any) -> str:
        return "'" + str(value).replace("'", "''") + "'"

    def escape_single_quotes(self, expression: _Any) -> str:
        return str(expression).replace("'", "''")

    def split_part(self, string_text: _Any, delimiter_text: _Any, part_number: _Any) -> str:
        return f"split_part({string_text}, {delimiter_text}, {part_number})"

    def listagg(
        self,
        measure: _Any,
        delimiter_text: str = "','",
        order_by_clause: _Any = None,
        limit_num: _Any = None,
    ) -> str:
        order = f" {order_by_clause}" if order_by_clause else ""
        return f"string_agg({measure}, {delimiter_text}{order})"

    def any_value(self, expression: _Any) -> str:
        return f"any_value({expression})"

    def bool_or(self, expression: _Any) -> str:
        return f"bool_or({expression})"

    def array_construct(self, inputs: list[_Any] | None = None, data_type: _Any = None) -> str:
        return "[" + ", ".join(str(value) for value in inputs or []) + "]"

    def right(self, string_text: _Any, length_expression: _Any) -> str:
        return f"right({string_text}, {length_expression})"

    def length(self, expression: _Any) -> str:
        return f"length({expression})"

    def position(self, substring_text: _Any, string_text: _Any) -> str:
        return f"position({substring_text} in {string_text})"

    def replace(self, field: _Any, old_chars: _Any, new_chars: _Any) -> str:
        return f"replace({field}, {old_chars}, {new_chars})"

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return _generic_function(name)


class _Target:
    """`target`: the default DuckDB target of profiles.yml.example."""

    name = "duckdb"
    type = "duckdb"
    schema = "main"
    database = "fxa_metrics"
    profile_name = "fxa_metrics"
    threads = 1


class _Exceptions:
    """`exceptions`: compiler errors surface as template errors, warnings are ignored."""

    def raise_compiler_error(self, message: str) -> None:
        raise RuntimeError(message)

    def warn(self, message: str) -> str:
        return ""


class _Modules:
    """`modules`: the Python modules dbt exposes to Jinja."""

    datetime = _datetime
    re = _re


adapter = _Adapter()
dbt = _Dbt()
target = _Target()
exceptions = _Exceptions()
modules = _Modules()
execute = True
run_started_at = _datetime.datetime(2024, 1, 1, tzinfo=_datetime.UTC)
invocation_id = "sqlfluff"


# sqlfluff's dbt builtin `var` returns the placeholder "item" for every name; the run-date
# contract (macros/run_day.sql) checks that a day is YYYY-MM-DD, so the day vars get a real day
# (the day-mode branch of each model is what gets linted, as with the placeholder before).
_DAY_VARS = {"submission_date": "2024-03-15", "subplat_date": "2024-03-08"}


def var(name: str, default: _Any = None) -> _Any:
    return _DAY_VARS.get(name, "item")


def env_var(name: str, default: str | None = None) -> str:
    """dbt's env_var: the environment value, else the default, else the variable's name."""
    return _os.environ.get(name, default if default is not None else name)


def log(message: _Any, info: bool = False) -> str:
    """dbt's log(): renders nothing."""
    return ""


def print(message: _Any) -> str:  # noqa: A001 - dbt's Jinja name
    """dbt's print(): renders nothing."""
    return ""


def _jinja_settings(env: _Any) -> tuple[_Any, ...]:
    """What a Jinja environment's compiled code depends on besides the source text."""
    return (
        type(env),
        tuple(sorted(env.extensions)),
        env.block_start_string,
        env.block_end_string,
        env.variable_start_string,
        env.variable_end_string,
        env.comment_start_string,
        env.comment_end_string,
        env.line_statement_prefix,
        env.line_comment_prefix,
        env.trim_blocks,
        env.lstrip_blocks,
        env.newline_sequence,
        env.keep_trailing_newline,
        env.optimized,
        env.undefined,
        env.finalize,
        env.autoescape,
        env.is_async,
    )


def _cache_macro_compilation() -> None:
    """Compile each macro file once per lint process instead of twice per linted SQL file.

    sqlfluff's jinja templater reads every file of `load_macros_from_path` and compiles it with
    Jinja twice for each SQL file it lints (two passes, for macros calling macros of other
    files): about a third of the lint time of this project. The compiled Python code depends
    only on the macro source and the environment's settings, identical for every file, so it is
    cached by those; every linted file still gets new macro objects bound to its own context
    (`Template.from_code` + `module`), exactly as `env.from_string` would give. sqlfluff
    executes this package once per linted file (and per worker process): the patch is applied
    once per process, guarded by an attribute on the templater class.
    """
    try:
        from jinja2.exceptions import UndefinedError
        from jinja2.runtime import Macro
        from sqlfluff.core.templaters.builtins.dbt import DbtMacroWrapper
        from sqlfluff.core.templaters.jinja import JinjaTemplater
    except ImportError:  # another sqlfluff layout: lint as before, only slower
        return
    if getattr(JinjaTemplater, "_fxa_metrics_compiled_macros", None) is not None:
        return
    compiled: dict[tuple[_Any, ...], _Any] = {}

    def extract_macros_from_template(
        template: str, env: _Any, ctx: dict[str, _Any]
    ) -> dict[str, _Any]:
        key = (template, *_jinja_settings(env))
        code = compiled.get(key)
        if code is None:
            code = compiled[key] = env.compile(template)  # TemplateSyntaxError as before
        macro_template = env.template_class.from_code(env, code, env.make_globals(ctx))
        context: dict[str, _Any] = {}
        try:
            for name in macro_template.module.__dict__:
                attr = getattr(macro_template.module, name)
                if isinstance(attr, Macro):
                    context[name] = DbtMacroWrapper(attr)
        except UndefinedError:
            pass  # as sqlfluff: a macro file referencing an undefined variable surfaces later
        return context

    JinjaTemplater._fxa_metrics_compiled_macros = compiled
    JinjaTemplater._extract_macros_from_template = staticmethod(extract_macros_from_template)


_cache_macro_compilation()
