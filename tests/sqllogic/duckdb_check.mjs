// Confirms that the expected answers in tests/sql/*.test are DuckDB's answers too.
// Input: JSON Lines written by `velo_sqllogictest --dump-cases`. Each case's SQL is translated
// to DuckDB's dialect (file:// URIs become plain paths); a case whose SQL DuckDB cannot run is
// counted as "not comparable" and listed, never as a pass.
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';

const casesPath = process.argv[2];
const cases = readFileSync(casesPath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));

function translate(sql) {
  return sql.replace(/'file:\/\//g, "'").replace(/;\s*$/, '');
}

function formatValue(v, type) {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') {
    if (Number.isInteger(v) && type && /DOUBLE|FLOAT/.test(type)) return v.toFixed(1);
    return String(v);
  }
  const s = String(v);
  return s === '' ? '(empty)' : s;
}

const instance = await DuckDBInstance.create(':memory:');
const conn = await instance.connect();
let same = 0, different = 0, incomparable = 0;
for (const c of cases) {
  let rows;
  try {
    const reader = await conn.runAndReadAll(translate(c.sql));
    const types = reader.columnTypes().map((t) => t.toString());
    rows = reader.getRowsJS().map((r) => r.map((v, i) => formatValue(reader.value ? v : v, types[i])).join('\t'));
    // DECIMAL/DATE/TIMESTAMP values render best through DuckDB's own string form.
    const strRows = reader.getRows().map((r) => r.map((v, i) => (v === null ? 'NULL' : (typeof v === 'object' ? v.toString() : formatValue(v, types[i])))).join('\t'));
    rows = strRows;
  } catch (e) {
    incomparable++;
    console.log(`not comparable ${c.file}:${c.line}: ${String(e.message).split('\n')[0]}`);
    continue;
  }
  let expected = c.expected.slice();
  if (c.sort === 'rowsort') {
    rows.sort();
    expected.sort();
  }
  if (JSON.stringify(rows) === JSON.stringify(expected)) {
    same++;
  } else {
    different++;
    console.log(`DIFFERENT ${c.file}:${c.line}\n${c.sql}\n-- expected (velo):\n${expected.join('\n')}\n-- duckdb:\n${rows.join('\n')}`);
  }
}
console.log(`duckdb check: ${same} same, ${different} different, ${incomparable} not comparable`);
process.exit(different === 0 ? 0 : 1);
