"""Reads an Arrow IPC stream with pyarrow (the reader upstream Agnes clients use) and re-writes it as parquet.

    read_ipc.py STREAM PARQUET [DROP_COLUMN ...]    prints {"rows", "batches", "types": {name: str(type)}, "intervals"}
"""
import json
import sys

import pyarrow as pa
import pyarrow.parquet as pq

stream, out, drop = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(stream, "rb") as handle:
    reader = pa.ipc.open_stream(handle)
    batches = list(reader)
    schema = reader.schema
table = pa.Table.from_batches(batches, schema=schema)
report = {"rows": table.num_rows, "batches": len(batches), "types": {f.name: str(f.type) for f in schema},
          "nullable": {f.name: f.nullable for f in schema}}
if "iv" in table.column_names:
    report["intervals"] = [[v.months, v.days, v.nanoseconds] if v is not None else None for v in table["iv"].to_pylist()[:4]]
pq.write_table(table.drop_columns(drop), out)
print(json.dumps(report))
