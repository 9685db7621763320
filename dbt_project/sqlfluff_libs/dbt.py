"""sqlfluff's jinja templater: what dbt's cross-database macros render to on DuckDB, enough to
lint the models (the real ones run in dbt)."""


def dateadd(datepart, interval, from_date_or_timestamp):
    return f"({from_date_or_timestamp} + interval ({interval}) {datepart})"


def datediff(first_date, second_date, datepart):
    return f"date_diff('{datepart}', {first_date}, {second_date})"


def date_trunc(datepart, date):
    return f"date_trunc('{datepart}', {date})"


def concat(fields):
    return f"({' || '.join(fields)})"


def type_string():
    return "varchar"
