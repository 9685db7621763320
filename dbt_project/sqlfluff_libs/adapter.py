"""sqlfluff's jinja templater: adapter.dispatch renders a plain function call for linting (a
dict argument, such as parse_json's spec, as a JSON string literal)."""

import json


def _sql(arg):
    return "'" + json.dumps(arg) + "'" if isinstance(arg, dict) else str(arg)


def dispatch(macro_name, macro_namespace=None):
    return lambda *args: f"{macro_name}({', '.join(_sql(arg) for arg in args)})"
