"""Python tooling for the fxa_metrics dbt project."""
