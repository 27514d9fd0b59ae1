// Prints a Parquet file's rows as read by DuckDB (the oracle for velo's parquet tests).
// Usage: node duckdb_dump.mjs <file.parquet> [sql]
// Line 1: {"columns":[[name, duckdb type], ...]} ; then one JSON array per row.
// Values are canonical so the C++ side can compare exactly:
//   bigints as bare integer literals, NaN/±Infinity as strings, DECIMAL {"$dec":"unscaled","s":scale},
//   BLOB {"$hex":"..."}, DATE {"$date":days}, TIMESTAMP* {"$ts":micros}, TIME {"$time":micros},
//   INTERVAL {"$iv":[months,days,micros]}, MAP {"$map":[[k,v],...]}, STRUCT plain object, LIST array.
import { DuckDBInstance } from '@duckdb/node-api';

function floorDiv(a, b) {
  const q = a / b;
  return (a % b < 0n) ? q - 1n : q;
}

function enc(v) {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'boolean': return v ? 'true' : 'false';
    case 'bigint': return v.toString();
    case 'number':
      if (Number.isNaN(v)) return '"NaN"';
      if (v === Infinity) return '"Infinity"';
      if (v === -Infinity) return '"-Infinity"';
      return JSON.stringify(v);
    case 'string': return JSON.stringify(v);
  }
  const name = v.constructor ? v.constructor.name : '';
  switch (name) {
    case 'DuckDBDecimalValue': return `{"$dec":"${v.value.toString()}","s":${v.scale}}`;
    case 'DuckDBGeometryValue':
    case 'DuckDBBlobValue': return `{"$hex":"${Buffer.from(v.bytes).toString('hex')}"}`;
    case 'DuckDBDateValue': return `{"$date":${v.days}}`;
    case 'DuckDBTimestampValue':
    case 'DuckDBTimestampTZValue': return `{"$ts":${v.micros.toString()}}`;
    case 'DuckDBTimestampMillisecondsValue': return `{"$ts":${(v.millis * 1000n).toString()}}`;
    case 'DuckDBTimestampSecondsValue': return `{"$ts":${(v.seconds * 1000000n).toString()}}`;
    case 'DuckDBTimestampNanosecondsValue': return `{"$ts":${floorDiv(v.nanos, 1000n).toString()}}`;
    case 'DuckDBTimeValue': return `{"$time":${v.micros.toString()}}`;
    case 'DuckDBTimeNSValue': return `{"$time":${floorDiv(v.nanos, 1000n).toString()}}`;
    case 'DuckDBIntervalValue': return `{"$iv":[${v.months},${v.days},${v.micros.toString()}]}`;
    case 'DuckDBUUIDValue': return JSON.stringify(v.toString());
    case 'DuckDBListValue':
    case 'DuckDBArrayValue': return '[' + v.items.map(enc).join(',') + ']';
    case 'DuckDBMapValue':
      return '{"$map":[' + v.entries.map((e) => `[${enc(e.key)},${enc(e.value)}]`).join(',') + ']}';
    case 'DuckDBStructValue':
      return '{' + Object.entries(v.entries).map(([k, x]) => `${JSON.stringify(k)}:${enc(x)}`).join(',') + '}';
    default:
      return JSON.stringify(String(v));
  }
}

const file = process.argv[2];
const sql = process.argv[3] || `SELECT * FROM read_parquet('${file.replaceAll("'", "''")}')`;
const instance = await DuckDBInstance.create(':memory:');
const conn = await instance.connect();
try {
  const reader = await conn.runAndReadAll(sql);
  const names = reader.columnNames();
  const types = reader.columnTypes().map((t) => t.toString());
  const out = [JSON.stringify({ columns: names.map((n, i) => [n, types[i]]) })];
  for (const row of reader.getRows()) out.push('[' + row.map(enc).join(',') + ']');
  process.stdout.write(out.join('\n') + '\n');
} catch (e) {
  process.stdout.write(JSON.stringify({ error: String(e.message || e) }) + '\n');
  process.exitCode = 2;
}
