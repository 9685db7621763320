"""sqlfluff's jinja templater: a fixed start of the dbt run for linting."""


def strftime(fmt):
    return "2026-01-01 00:00:00.000000"
