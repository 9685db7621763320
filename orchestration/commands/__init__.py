"""The `leadwh` commands, one module per concern; `orchestration.cli` parses the arguments.

- `arguments`: the argument types (whole numbers, days, times, sizes, a query), each a one-line
  error when the value is off;
- `output`: what a command says on stdout and warns on stderr;
- `warehouse`: `simulate` and `build`;
- `sql`: `sql`, one read query on the serving file;
- `dagster_jobs`: `export`, `pull` and `sync`, each a Dagster job run in this process.

A command is `cmd_<name>(args, paths) -> exit status`.
"""
