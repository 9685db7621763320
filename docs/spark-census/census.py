"""Run every compiled model (and data test) alone on Spark, its upstream read from the DuckDB-built
tables exported to Parquet; compare model row counts to DuckDB. Prints one JSON line per node."""

import glob
import json
import os
import re
import sys
import time

import duckdb
from pyspark.sql import SparkSession

root = "/tmp/spark-parquet"
spark = (
    SparkSession.builder.master("local[2]")
    .config("spark.sql.parquet.inferTimestampNTZ.enabled", "false")
    .config("spark.sql.session.timeZone", "UTC")
    .config("spark.sql.ansi.enabled", "false")
    .config("spark.sql.shuffle.partitions", "4")
    .config("spark.ui.enabled", "false")
    .config("spark.driver.memory", "2g")
    .getOrCreate()
)
spark.sparkContext.setLogLevel("ERROR")
for d in sorted(glob.glob(f"{root}/*/*")):
    s, t = d.split("/")[-2:]
    spark.sql(f"create database if not exists {s}")
    spark.sql(f"create table if not exists {s}.{t} using parquet location '{d}'")
duck = duckdb.connect("/tmp/spark-home/warehouse.duckdb", read_only=True)
files = sorted(glob.glob("/tmp/spark-target/compiled/models/**/*.sql", recursive=True))
if len(sys.argv) > 1:
    files = [f for f in files if any(a in f for a in sys.argv[1:])]
for f in files:
    sql = open(f).read()
    kind = "test" if ".yml/" in f else "model"
    name = os.path.basename(f)[:-4]
    t0 = time.time()
    out = {"kind": kind, "name": name, "path": f.split("/compiled/models/")[1]}
    try:
        df = spark.sql(sql)
        n = df.count()
        out["status"] = "ok"
        out["rows"] = n
        if kind == "model":
            schema = f.split("/compiled/models/")[1].split("/")[0]
            try:
                out["duckdb_rows"] = duck.sql(f"select count(*) from {schema}.{name}").fetchall()[
                    0
                ][0]
            except Exception:
                out["duckdb_rows"] = None
    except Exception as e:
        msg = str(e)
        m = re.search(r"\[([A-Z_\.]+)\]", msg)
        out["status"] = "error"
        out["error_class"] = m.group(1) if m else type(e).__name__
        out["error"] = msg.split("\n")[0][:400]
        ctx = re.search(r"== SQL.*?==\n(.*?)\n", msg, re.S)
        if ctx:
            out["at"] = ctx.group(1)[:200]
    out["seconds"] = round(time.time() - t0, 2)
    print(json.dumps(out), flush=True)
