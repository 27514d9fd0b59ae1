// DuckDB (an independent Parquet reader) summarises the ids of a hive-partitioned Parquet
// download of the crash test: how many, how many distinct, the range, and rows whose region
// folder is not the region the generator gave that id. Usage: node crash_ids.mjs DIR
import { DuckDBInstance } from '@duckdb/node-api';

const instance = await DuckDBInstance.create(':memory:');
const conn = await instance.connect();
const regions = "['north','south','east','west','centre','isles']";
const r = await conn.runAndReadAll(
    `SELECT count(*), count(DISTINCT id), min(id), max(id),
            count(*) FILTER (WHERE region <> list_extract(${regions}, ((id * 7) % 6 + 1)::INT)),
            count(*) FILTER (WHERE note <> 'n' || (id % 977)::VARCHAR)
     FROM read_parquet('${process.argv[2]}/**/*.parquet', hive_partitioning = true)`);
const [count, distinct, lo, hi, wrongRegion, wrongNote] = r.getRows()[0].map(String);
process.stdout.write(JSON.stringify({ count, distinct, lo, hi, wrongRegion, wrongNote }) + '\n');
