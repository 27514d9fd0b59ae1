// Confirms that the expected answers in tests/sql/*.test are DuckDB's answers too.
// Input: JSON Lines written by `velo_sqllogictest --dump-cases`. A case whose SQL DuckDB cannot
// run is counted as "not comparable" and listed, never as a pass. Known, documented differences
// are marked `velo-only` in the .test files and are not dumped.
import { readFileSync } from 'node:fs';
import { openDuckDB, runOnDuckDB } from './duckdb_common.mjs';

const cases = readFileSync(process.argv[2], 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const conn = await openDuckDB();
let same = 0, different = 0, incomparable = 0;
for (const c of cases) {
  let rows;
  try {
    rows = await runOnDuckDB(conn, c.sql);
  } catch (e) {
    incomparable++;
    console.log(`not comparable ${c.file}:${c.line}: ${String(e.message).split('\n')[0]}`);
    continue;
  }
  // R columns compare as numbers without trailing fraction zeros (140.30 = 140.3), as the
  // velo runner does: DuckDB prints DOUBLEs where velostream may keep an exact DECIMAL.
  const canon = (row) => row.split('\t').map((v, i) => ((c.types || '')[i] === 'R' && /^-?[0-9]*\.[0-9]+$/.test(v)
    ? v.replace(/0+$/, '').replace(/\.$/, '') : v)).join('\t');
  rows = rows.map(canon);
  const expected = c.expected.map(canon);
  if (c.sort === 'rowsort') {
    rows.sort();
    expected.sort();
  }
  if (JSON.stringify(rows) === JSON.stringify(expected)) {
    same++;
  } else {
    different++;
    console.log(`DIFFERENT ${c.file}:${c.line}\n${c.sql}-- expected (velo):\n${expected.join('\n')}\n-- duckdb:\n${rows.join('\n')}`);
  }
}
console.log(`duckdb check: ${same} same, ${different} different, ${incomparable} not comparable`);
process.exit(different === 0 ? 0 : 1);
