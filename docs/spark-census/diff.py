"""For each model that runs on Spark: write its rows to Parquet, then compare with DuckDB's table
row by row (EXCEPT ALL both ways, columns cast to text). Prints one JSON line per model."""

import glob
import json
import os
import shutil

import duckdb
from pyspark.sql import SparkSession

root = "/tmp/spark-parquet"
out = "/tmp/spark-out"
spark = (
    SparkSession.builder.master("local[2]")
    .config("spark.sql.parquet.inferTimestampNTZ.enabled", "false")
    .config("spark.sql.session.timeZone", "UTC")
    .config("spark.sql.ansi.enabled", "false")
    .config("spark.sql.shuffle.partitions", "4")
    .config("spark.ui.enabled", "false")
    .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
    .config("spark.driver.memory", "2g")
    .getOrCreate()
)
spark.sparkContext.setLogLevel("ERROR")
for d in sorted(glob.glob(f"{root}/*/*")):
    s, t = d.split("/")[-2:]
    spark.sql(f"create database if not exists {s}")
    spark.sql(f"create table if not exists {s}.{t} using parquet location '{d}'")
duck = duckdb.connect("/tmp/spark-home/warehouse.duckdb", read_only=True)
files = [
    f
    for f in sorted(glob.glob("/tmp/spark-target/compiled/models/**/*.sql", recursive=True))
    if ".yml/" not in f
]
for f in files:
    name = os.path.basename(f)[:-4]
    schema = f.split("/compiled/models/")[1].split("/")[0]
    r = {"name": name}
    try:
        p = f"{out}/{name}"
        shutil.rmtree(p, ignore_errors=True)
        spark.sql(open(f).read()).write.parquet(p)
        cols = [c[0] for c in duck.sql(f"select * from {schema}.{name} limit 0").description]

        projection = ", ".join(f'cast("{c}" as varchar) as "{c}"' for c in cols)
        a = f"select {projection} from {schema}.{name}"
        b = f"select {projection} from read_parquet('{p}/*.parquet')"
        r["only_duckdb"] = duck.sql(f"select count(*) from ({a} except all {b})").fetchall()[0][0]
        r["only_spark"] = duck.sql(f"select count(*) from ({b} except all {a})").fetchall()[0][0]
        if r["only_duckdb"] or r["only_spark"]:
            bad = []
            for c in cols:
                column = f'select cast("{c}" as varchar)'
                n = duck.sql(
                    f"select count(*) from ({column} from {schema}.{name}"
                    f" except all {column} from read_parquet('{p}/*.parquet'))"
                ).fetchall()[0][0]
                if n:
                    bad.append([c, n])
            r["columns"] = bad
    except Exception as e:
        r["error"] = str(e).split("\n")[0][:300]
    print(json.dumps(r), flush=True)
