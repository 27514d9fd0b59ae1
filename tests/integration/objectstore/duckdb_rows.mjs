// DuckDB (an independent Parquet reader) prints a Parquet file's rows as CSV, ordered by id:
// the oracle for files velo wrote to the object stores. Usage: node duckdb_rows.mjs file.parquet
import { DuckDBInstance } from '@duckdb/node-api';

const instance = await DuckDBInstance.create(':memory:');
const conn = await instance.connect();
const r = await conn.runAndReadAll(
    `SELECT id, name, amount FROM read_parquet('${process.argv[2]}') ORDER BY id`);
const lines = r.getRows().map((row) => row.map(String).join(','));
process.stdout.write(lines.join('\n') + '\n');
