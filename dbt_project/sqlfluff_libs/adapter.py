"""sqlfluff's jinja templater: adapter.dispatch renders a plain function call for linting."""


def dispatch(macro_name, macro_namespace=None):
    return lambda *args: f"{macro_name}({', '.join(str(arg) for arg in args)})"
