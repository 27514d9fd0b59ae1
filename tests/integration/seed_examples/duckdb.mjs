// DuckDB as the independent reader/writer of the seed-example test.
//   node duckdb.mjs query "SQL"   prints each result row as a JSON array of strings (NULL: null)
//   node duckdb.mjs run "SQL"     runs a statement (e.g. COPY ... TO 'x.parquet')
import { DuckDBInstance } from '@duckdb/node-api';

const [command, sql] = process.argv.slice(2);
const instance = await DuckDBInstance.create(':memory:');
const conn = await instance.connect();
if (command === 'run') {
  await conn.run(sql);
} else {
  const r = await conn.runAndReadAll(sql);
  const lines = r.getRows().map((row) => JSON.stringify(row.map((v) => (v === null ? null : String(v)))));
  process.stdout.write(lines.join('\n') + (lines.length ? '\n' : ''));
}
