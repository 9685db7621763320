"""Backups: the `warehouse_backup` job (logic in ingest/ops/backup.py), run by `leadwh backup` or
from the UI (Jobs -> warehouse_backup). Its op holds the warehouse pool's slot, so a backup waits
for a running build (and a build for the backup) instead of failing on DuckDB's file lock."""

from pathlib import Path

import dagster as dg

from ingest.ops.backup import backup
from orchestration.defs.resources import WarehouseResource
from orchestration.names import BACKUP_JOB, WAREHOUSE_POOL


class BackupConfig(dg.Config):
    """to: the folder that receives the backup's folder (default $LEADWH_HOME/backups)."""

    to: str = ""


@dg.op(pool=WAREHOUSE_POOL, description="Copy the warehouse file and its HMAC key, checked.")
def back_up_warehouse(
    context: dg.OpExecutionContext, config: BackupConfig, warehouse: WarehouseResource
) -> dict:
    paths = warehouse.paths
    result = backup(paths, Path(config.to).expanduser() if config.to else paths.home / "backups")
    size = sum(result.files.values())
    context.log.info(
        f"backed up {len(result.tables)} tables ({size / 2**20:,.1f} MB) to {result.folder}"
        f" in {result.seconds} s"
    )
    return {"folder": result.folder, "bytes": size, "tables": len(result.tables)}


@dg.job(name=BACKUP_JOB, description="A checked copy of the warehouse file and its HMAC key.")
def warehouse_backup():
    back_up_warehouse()


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(jobs=[warehouse_backup])
