// Shared by duckdb_check.mjs and fill_expected.mjs: run a velostream test query on DuckDB and
// render the rows exactly as velo_sqllogictest renders ours.
import { DuckDBInstance } from '@duckdb/node-api';

// velostream's `'path' WITH (delimiter = ';', header = false)` becomes DuckDB's read_csv(...).
const kCsvOptions = { delimiter: 'delim', header: 'header', quote: 'quote', null_string: 'nullstr' };

export function translate(sql) {
  let s = sql.replace(/;\s*$/, '');
  s = s.replace(/'([^']+\.csv)'\s+WITH\s*\(([^)]*)\)/gi, (m, path, opts) => {
    const args = opts.split(',').map((kv) => {
      const [k, v] = kv.split('=').map((x) => x.trim());
      const key = kCsvOptions[k.toLowerCase()];
      if (!key) throw new Error(`no DuckDB equivalent for option ${k}`);
      return `${key} = ${v}`;
    });
    return `read_csv('${path}', ${args.join(', ')})`;
  });
  return s.replace(/'file:\/\//g, "'");
}

function renderNumber(v, type) {
  if (/DOUBLE|FLOAT/.test(type)) {
    if (Number.isNaN(v)) return 'NaN';
    if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
    if (Number.isInteger(v) && Math.abs(v) < 1e15) return v.toFixed(1);
  }
  return String(v);
}

export function render(v, type) {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return renderNumber(v, type);
  const s = v.toString();
  return s === '' ? '(empty)' : s;
}

export async function openDuckDB() {
  const instance = await DuckDBInstance.create(':memory:');
  return instance.connect();
}

export async function runOnDuckDB(conn, sql) {
  const reader = await conn.runAndReadAll(translate(sql));
  const types = reader.columnTypes().map((t) => t.toString());
  return reader.getRows().map((r) => r.map((v, i) => render(v, types[i])).join('\t'));
}
