// DuckDB side of bench/parquet_scan.sh: creates the 10M-row benchmark file if missing and times
// the same queries velo runs. Usage: node duckdb_bench.mjs <file.parquet> [threads]
import { DuckDBInstance } from '@duckdb/node-api';
import { existsSync } from 'node:fs';

const file = process.argv[2];
const threads = process.argv[3] || '2';
const instance = await DuckDBInstance.create(':memory:', { threads });
const conn = await instance.connect();
if (!existsSync(file)) {
  const t0 = performance.now();
  await conn.run(`COPY (SELECT i AS id, (i % 1000)::INTEGER AS k, i * 0.001 AS x,
      ((i % 100000) / 100)::DECIMAL(12,2) AS amount, 'customer_' || (i % 10000) AS name,
      DATE '2020-01-01' + (i % 1500)::INTEGER AS day,
      TIMESTAMP '2024-01-01' + to_microseconds(i * 1000) AS ts, (i % 3 = 0) AS flag,
      (i % 7)::BIGINT AS cat, CASE WHEN i % 10 = 0 THEN NULL ELSE i % 500 END AS maybe
      FROM range(10000000) t(i)) TO '${file}' (FORMAT parquet)`);
  console.log(`generated ${file} in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
}
const queries = {
  scan_filter_agg: `SELECT count(*), sum(x), sum(amount), sum(maybe) FROM read_parquet('${file}') WHERE k < 100`,
  selective: `SELECT count(*), sum(x) FROM read_parquet('${file}') WHERE id BETWEEN 5000000 AND 5001000`,
};
for (const [name, sql] of Object.entries(queries)) {
  let best = Infinity;
  let result;
  for (let i = 0; i < 3; ++i) {
    const t0 = performance.now();
    const r = await conn.runAndReadAll(sql);
    best = Math.min(best, performance.now() - t0);
    result = r.getRows()[0].map(String).join(', ');
  }
  console.log(`duckdb ${name}: ${best.toFixed(1)} ms (${(10e6 / best / 1000).toFixed(1)} M rows/s) -> ${result}`);
}
