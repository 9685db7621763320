"""Resources: where the warehouse lives, and the dbt CLI."""

import os
from contextlib import contextmanager
from pathlib import Path

import dagster as dg

from ingest.paths import ENV_VAR, Paths, get_paths
from ingest.warehouse import connect_warehouse
from orchestration.defs.project import dbt_cli


class WarehouseResource(dg.ConfigurableResource):
    """The warehouse home. Empty `home` means `$LEADWH_HOME` (default `<project>/data`)."""

    home: str = ""

    @property
    def paths(self) -> Paths:
        return get_paths({ENV_VAR: self.home} if self.home else None)

    @contextmanager
    def connect(self):
        """A read-write connection to the warehouse file (one writer at a time)."""
        path: Path = self.paths.warehouse
        path.parent.mkdir(parents=True, exist_ok=True)
        con = connect_warehouse(path)
        try:
            yield con
        finally:
            con.close()

    def export_home_to_env(self) -> None:
        """dbt's profile reads LEADWH_HOME; make it the absolute home this run uses."""
        os.environ[ENV_VAR] = str(self.paths.home)


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "warehouse": WarehouseResource(),
            "dbt": dbt_cli(),
        }
    )
