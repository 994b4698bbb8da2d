"""Unit tests of the SQL-level column tracer on small queries (no dbt, no database)."""

from __future__ import annotations

import pytest

from fxa_metrics_tools.lineage.tracer import LineageError, trace_query

SCHEMA = {
    "db": {
        "raw": {
            "subscriptions": {
                "id": "VARCHAR",
                "customer_id": "VARCHAR",
                "cancel_at_period_end": "BOOLEAN",
                "amount": "INT",
                "valid_from": "TIMESTAMP",
            },
            "customers": {"id": "VARCHAR", "country": "VARCHAR"},
            "apple": {"original_transaction_id": "VARCHAR", "auto_renew_status": "BOOLEAN"},
            "history": {"id": "VARCHAR", "valid_from": "TIMESTAMP", "subscription": "UNKNOWN"},
        }
    }
}


def edges(result, column: str) -> set[tuple[str, str, str]]:
    """(input column, kind, function) of one output column path."""
    return {(f"{e.relation}.{e.column}", e.kind, e.function) for e in result[column].edges}


def history_fields(relation: str, column: str) -> list[str] | None:
    if relation.endswith("raw.history") and column == "subscription":
        return ["id", "auto_renew", "plan", "plan.amount"]
    return None


def test_cte_chain_rename_and_expression() -> None:
    sql = """
        with source as (select * from db.raw.subscriptions),
        renamed as (select id as subscription_id, amount / 100 as plan_amount from source)
        select subscription_id as sid, plan_amount from renamed
    """
    result = trace_query(sql, SCHEMA)
    assert edges(result, "sid") == {("db.raw.subscriptions.id", "renamed", "")}
    assert edges(result, "plan_amount") == {("db.raw.subscriptions.amount", "expression", "")}
    assert result["plan_amount"].edges[0].expression == "source.amount / 100"


def test_select_star_is_expanded_from_the_schema() -> None:
    result = trace_query("select * from db.raw.customers", SCHEMA)
    assert set(result) == {"*", "id", "country"}
    assert edges(result, "country") == {("db.raw.customers.country", "passed_through", "")}


def test_star_with_unknown_schema_reports_unresolved() -> None:
    result = trace_query("select a.x from db.raw.unknown as a", SCHEMA)
    # the column is qualified by its alias, so it is still traced to the relation
    assert edges(result, "x") == {("db.raw.unknown.x", "passed_through", "")}
    with pytest.raises(LineageError, match="cannot parse"):
        trace_query("select from where", SCHEMA)


def test_join_keeps_each_column_with_its_own_table() -> None:
    sql = """
        select subscriptions.id, customers.country, subscriptions.id || customers.id as pair
        from db.raw.subscriptions as subscriptions
        left join db.raw.customers as customers
            on subscriptions.customer_id = customers.id
    """
    result = trace_query(sql, SCHEMA)
    assert edges(result, "country") == {("db.raw.customers.country", "passed_through", "")}
    assert edges(result, "pair") == {
        ("db.raw.subscriptions.id", "expression", ""),
        ("db.raw.customers.id", "expression", ""),
    }
    assert result["*"].edges and {e.relation for e in result["*"].edges} == {
        "db.raw.subscriptions",
        "db.raw.customers",
    }


def test_union_reaches_every_branch_by_position() -> None:
    sql = """
        with stripe as (
            select id, not cancel_at_period_end as auto_renew, 'Stripe' as provider
            from db.raw.subscriptions
        ),
        apple as (
            select original_transaction_id as id, auto_renew_status, 'Apple'
            from db.raw.apple
        )
        select * from stripe union all select * from apple
    """
    result = trace_query(sql, SCHEMA)
    assert edges(result, "auto_renew") == {
        ("db.raw.subscriptions.cancel_at_period_end", "expression", ""),
        ("db.raw.apple.auto_renew_status", "renamed", ""),
    }
    assert sorted(result["provider"].literals) == ["'Apple'", "'Stripe'"]
    assert not result["provider"].edges


def test_window_function_kind_and_inputs() -> None:
    sql = """
        select
            id,
            row_number() over (partition by customer_id order by valid_from) as number,
            lag(amount) over (partition by customer_id order by valid_from) + 1 as previous
        from db.raw.subscriptions
    """
    result = trace_query(sql, SCHEMA)
    assert edges(result, "number") == {
        ("db.raw.subscriptions.customer_id", "window", "row_number"),
        ("db.raw.subscriptions.valid_from", "window", "row_number"),
    }
    assert ("db.raw.subscriptions.amount", "window", "lag") in edges(result, "previous")


def test_aggregate_kind_through_ctes_and_count_star() -> None:
    sql = """
        with per_customer as (
            select customer_id, sum(amount) as total, count(*) as versions
            from db.raw.subscriptions
            group by customer_id
        )
        select customer_id, total * 2 as doubled, versions from per_customer
    """
    result = trace_query(sql, SCHEMA)
    # the strongest step wins: aggregated inside, then an expression outside
    assert edges(result, "doubled") == {("db.raw.subscriptions.amount", "aggregate", "sum")}
    assert edges(result, "versions") == {("db.raw.subscriptions.*", "aggregate", "count")}
    assert edges(result, "customer_id") == {
        ("db.raw.subscriptions.customer_id", "passed_through", "")
    }


def test_struct_constructor_fields_are_traced_one_by_one() -> None:
    sql = """
        with built as (
            select
                id,
                struct_pack(
                    id := id,
                    auto_renew := not coalesce(cancel_at_period_end, false),
                    plan := struct_pack(amount := amount / 100),
                    provider := 'Stripe'
                ) as subscription
            from db.raw.subscriptions
        )
        select * from built
    """
    result = trace_query(sql, SCHEMA)
    assert {"subscription.id", "subscription.auto_renew", "subscription.plan.amount"} <= set(result)
    assert edges(result, "subscription.auto_renew") == {
        ("db.raw.subscriptions.cancel_at_period_end", "expression", "")
    }
    assert result["subscription.auto_renew"].edges[0].expression == (
        "NOT COALESCE(subscriptions.cancel_at_period_end, FALSE)"
    )
    assert edges(result, "subscription.plan.amount") == {
        ("db.raw.subscriptions.amount", "expression", "")
    }
    assert result["subscription.provider"].literals == ["'Stripe'"]
    # the whole struct reads every field's inputs
    assert {e.column for e in result["subscription"].edges} == {
        "id",
        "cancel_at_period_end",
        "amount",
    }


def test_duckdb_struct_literal_and_bigquery_struct() -> None:
    duckdb_sql = "select {'renews': cancel_at_period_end} as s from db.raw.subscriptions"
    assert edges(trace_query(duckdb_sql, SCHEMA), "s.renews") == {
        ("db.raw.subscriptions.cancel_at_period_end", "renamed", "")
    }
    bigquery_sql = "select struct(cancel_at_period_end as renews) as s from raw.subscriptions"
    result = trace_query(bigquery_sql, {"raw": SCHEMA["db"]["raw"]}, dialect="bigquery")
    assert edges(result, "s.renews") == {("raw.subscriptions.cancel_at_period_end", "renamed", "")}


def test_struct_access_and_insert_on_an_input_struct() -> None:
    sql = """
        select
            subscription.auto_renew as is_auto_renewing,
            subscription['plan'].amount as plan_amount,
            struct_insert(subscription, mrr := subscription.plan.amount / 12) as subscription
        from db.raw.history
    """
    result = trace_query(sql, SCHEMA, field_lookup=history_fields)
    assert edges(result, "is_auto_renewing") == {
        ("db.raw.history.subscription.auto_renew", "renamed", "")
    }
    assert edges(result, "plan_amount") == {
        ("db.raw.history.subscription.plan.amount", "renamed", "")
    }
    # fields kept by struct_insert pass through, the inserted one is an expression
    assert edges(result, "subscription.auto_renew") == {
        ("db.raw.history.subscription.auto_renew", "passed_through", "")
    }
    assert edges(result, "subscription.mrr") == {
        ("db.raw.history.subscription.plan.amount", "expression", "")
    }


def test_value_picking_aggregate_follows_the_struct_field() -> None:
    sql = """
        select id, arg_max(subscription, valid_from) as subscription
        from db.raw.history
        group by id
    """
    result = trace_query(sql, SCHEMA, field_lookup=history_fields)
    assert edges(result, "subscription.auto_renew") == {
        ("db.raw.history.subscription.auto_renew", "aggregate", "arg_max")
    }
    # the whole struct also depends on the ordering column
    assert ("db.raw.history.valid_from", "aggregate", "arg_max") in edges(result, "subscription")


def test_struct_field_missing_from_constructor_is_reported() -> None:
    sql = """
        with s as (select struct_pack(a := id) as subscription from db.raw.subscriptions)
        select subscription.b as b from s
    """
    result = trace_query(sql, SCHEMA)
    assert not result["b"].edges
    assert result["b"].unresolved == ["struct has no field b ({'a': subscriptions.id})"]


def test_scalar_subquery_columns_are_followed() -> None:
    sql = """
        select id, (select max(country) from db.raw.customers) as any_country
        from db.raw.subscriptions
    """
    result = trace_query(sql, SCHEMA)
    assert ("db.raw.customers.country", "aggregate", "max") in edges(result, "any_country")


def test_unnest_of_generate_series_traces_its_bounds() -> None:
    sql = """
        with bounds as (
            select min(valid_from) as first_at, max(valid_from) as last_at
            from db.raw.subscriptions
        ),
        days as (
            select cast(series.day_at as date) as day
            from bounds
            cross join unnest(generate_series(bounds.first_at, bounds.last_at, interval 1 day))
                as series (day_at)
        )
        select day from days
    """
    result = trace_query(sql, SCHEMA)
    assert edges(result, "day") == {("db.raw.subscriptions.valid_from", "aggregate", "min")}
    assert result["day"].literals == [] and result["day"].unresolved == []


def test_aggregate_of_literals_only_depends_on_the_rows_it_sums() -> None:
    sql = """
        with offsets as (select 0 as day_offset union all select 1 as day_offset),
        rows_ as (select subscriptions.id, offsets.day_offset
                  from db.raw.subscriptions cross join offsets)
        select id, sum(1 << day_offset) as bits from rows_ group by id
    """
    result = trace_query(sql, SCHEMA)
    assert edges(result, "bits") == {("db.raw.subscriptions.*", "aggregate", "sum")}
    assert sorted(result["bits"].literals) == ["0", "1"]


def test_diamonds_of_ctes_are_traced_once_each() -> None:
    # 30 levels, each joining the previous level twice: 2**30 paths without memoisation
    ctes = ["l0 as (select id, amount from db.raw.subscriptions)"]
    for level in range(1, 31):
        ctes.append(
            f"l{level} as (select a.id, a.amount + b.amount as amount "
            f"from l{level - 1} as a inner join l{level - 1} as b on a.id = b.id)"
        )
    sql = "with " + ",\n".join(ctes) + "\nselect id, amount from l30"
    result = trace_query(sql, SCHEMA)
    assert edges(result, "amount") == {("db.raw.subscriptions.amount", "expression", "")}
    assert edges(result, "*") == {("db.raw.subscriptions.*", "passed_through", "")}
