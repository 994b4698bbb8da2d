"""Deterministic demo data generator for fxa_metrics.

Usage: ``python -m fxa_metrics_tools.generate --scale 1 --seed 42 --format csv --out seeds/demo``

Each lineage has its own generator module exposing
``generate(scale, seed) -> dict[str, list[dict]]`` keyed by ``"<schema>/<table>"``; this command
runs them and writes the tables (``reference/<table>`` goes to ``--reference-out``).
"""

from __future__ import annotations

import argparse
import csv
import importlib
import logging
from collections.abc import Iterable
from pathlib import Path

LOG = logging.getLogger("fxa_metrics_tools.generate")

# module name -> human name; each module exposes generate(scale: int, seed: int) -> tables
GENERATORS: dict[str, str] = {
    "fxa_metrics_tools.demo_common": "SubPlat reference seeds (services, plans, VAT, FX)",
    "fxa_metrics_tools.demo_stripe": "Stripe (Fivetran) raw tables",
    "fxa_metrics_tools.demo_stores": "Apple and Google subscription histories",
    "fxa_metrics_tools.demo_fxa": "FxA server logs, accounts DB snapshots and FxA reference seeds",
    "fxa_metrics_tools.demo_glean": (
        "Glean events_stream rows for accounts_backend/accounts_frontend"
    ),
}


def write_csv(path: Path, rows: list[dict], columns: Iterable[str] | None = None) -> None:
    """Write rows as CSV with a stable column order (first row's keys unless given)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    cols = list(columns) if columns is not None else (list(rows[0].keys()) if rows else [])
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=cols, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({key: "" if row.get(key) is None else row.get(key) for key in cols})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--format", choices=["csv"], default="csv")
    parser.add_argument("--out", type=Path, default=Path("seeds/demo"))
    parser.add_argument(
        "--reference-out",
        type=Path,
        default=Path("seeds/reference"),
        help="where tables keyed 'reference/<table>' go (static reference seeds)",
    )
    parser.add_argument("--only", choices=sorted(GENERATORS), action="append")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for module_name in args.only or GENERATORS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise
            LOG.warning("skipping %s: %s not written yet", GENERATORS[module_name], module_name)
            continue
        tables = module.generate(scale=args.scale, seed=args.seed)
        for key, rows in tables.items():
            schema, table = key.split("/")
            folder = args.reference_out if schema == "reference" else args.out / schema
            write_csv(folder / f"{table}.csv", rows)
            LOG.info("%s.%s: %d rows", schema, table, len(rows))


if __name__ == "__main__":
    main()
