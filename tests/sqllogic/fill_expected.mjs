// Authoring aid: fills the expected rows of `query` blocks that have none with DuckDB's answer
// (velo-only blocks are left alone). Review the diff before committing: the expectation must be
// what a correct engine returns, DuckDB is our oracle for it.
//   node tests/sqllogic/fill_expected.mjs tests/sql/aggregates.test
import { readFileSync, writeFileSync } from 'node:fs';
import { openDuckDB, runOnDuckDB } from './duckdb_common.mjs';

const conn = await openDuckDB();
for (const file of process.argv.slice(2)) {
  const lines = readFileSync(file, 'utf8').split('\n');
  const out = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (!line.startsWith('query ')) { out.push(line); i++; continue; }
    const veloOnly = line.includes('velo-only');
    out.push(line); i++;
    const sql = [];
    while (i < lines.length && lines[i].trim() !== '----') { sql.push(lines[i]); out.push(lines[i]); i++; }
    out.push(lines[i]); i++;  // ----
    const expected = [];
    while (i < lines.length && lines[i].trim() !== '') { expected.push(lines[i]); i++; }
    if (expected.length === 0 && !veloOnly) {
      try {
        let rows = await runOnDuckDB(conn, sql.join('\n'));
        if (line.includes('rowsort')) rows.sort();
        out.push(...rows);
      } catch (e) {
        console.error(`${file}: ${sql.join(' ')}: ${e.message.split('\n')[0]}`);
      }
    } else {
      out.push(...expected);
    }
  }
  writeFileSync(file, out.join('\n'));
}
