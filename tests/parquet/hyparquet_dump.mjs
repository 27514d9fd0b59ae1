// Prints Parquet files' rows as read by hyparquet (an independent pure-JS reader), in the canonical
// JSON form of duckdb_dump.mjs so the C++ writer tests compare all readers with one routine.
// Usage: node hyparquet_dump.mjs <file.parquet>...
// Per file: {"file":path,"columns":[[name, parquet type], ...]} then one JSON array per row, or
// {"file":path,"error":message}.
//   bigints as bare integer literals, NaN/±Infinity as strings, DECIMAL {"$dec":"unscaled","s":scale},
//   BLOB {"$hex":"..."}, DATE {"$date":days}, TIMESTAMP {"$ts":micros}, MAP {"$map":[[k,v],...]},
//   STRUCT plain object, LIST array; {"$skip":"why"} for a column hyparquet cannot represent.
// Notes on how hyparquet is driven:
//  - compressors from hyparquet-compressors (zstd, gzip, brotli, lz4); snappy is built in.
//  - utf8:false so un-annotated BYTE_ARRAY (our BYTES) comes back as bytes; STRING-annotated
//    columns are still decoded as UTF-8 by hyparquet.
//  - DATE/TIMESTAMP go through hyparquet's `parsers` hooks, which receive the exact stored value.
//  - DECIMAL: hyparquet converts to a JS number, which is lossy past 2^53. We take the scale from
//    hyparquet's parsed schema, drop the annotation from the metadata we hand back to it and
//    rebuild the exact unscaled value from the physical value hyparquet decoded.
//  - INTERVAL: hyparquet throws "parquet interval not supported", so such columns are not read
//    and print as {"$skip":...}.
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead, parquetSchema } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';

const kParsers = {
  timestampFromMilliseconds: (v) => ({ $ts: BigInt(v) * 1000n }),
  timestampFromMicroseconds: (v) => ({ $ts: BigInt(v) }),
  timestampFromNanoseconds: (v) => {
    const n = BigInt(v);
    const q = n / 1000n;
    return { $ts: n % 1000n < 0n ? q - 1n : q };
  },
  dateFromDays: (v) => ({ $date: Number(v) }),
};

function isList(node) {
  const e = node.element;
  return e.converted_type === 'LIST' || e.logical_type?.type === 'LIST';
}
function isMap(node) {
  const e = node.element;
  return (
    e.converted_type === 'MAP' ||
    e.converted_type === 'MAP_KEY_VALUE' ||
    e.logical_type?.type === 'MAP'
  );
}

function hexOf(bytes) {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function signedBigIntOf(bytes) {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  if (bytes.length && bytes[0] & 0x80) v -= 1n << BigInt(8 * bytes.length);
  return v;
}

function encNumber(v) {
  if (Number.isNaN(v)) return '"NaN"';
  if (v === Infinity) return '"Infinity"';
  if (v === -Infinity) return '"-Infinity"';
  return JSON.stringify(v);
}

/// Encodes value `v` of schema node `node`; `decimals` maps leaf elements to their scale.
function enc(node, v, decimals) {
  if (v === null || v === undefined) return 'null';
  if (isList(node)) {
    if (!Array.isArray(v)) throw new Error(`list ${node.element.name} is not an array`);
    const elem = node.children[0].children.length === 1 && node.children[0].element.repetition_type === 'REPEATED'
      ? node.children[0].children[0]
      : node.children[0];
    return '[' + v.map((x) => enc(elem, x, decimals)).join(',') + ']';
  }
  if (isMap(node)) {
    const kv = node.children[0];
    const [kn, vn] = kv.children;
    const entries = v instanceof Map ? [...v.entries()] : Object.entries(v);
    return '{"$map":[' + entries.map(([k, x]) => `[${enc(kn, k, decimals)},${enc(vn, x, decimals)}]`).join(',') + ']}';
  }
  if (node.children.length) {
    return '{' + node.children.map((c) => `${JSON.stringify(c.element.name)}:${enc(c, v[c.element.name], decimals)}`).join(',') + '}';
  }
  const e = node.element;
  if (decimals.has(e)) {
    const s = decimals.get(e);
    const u = v instanceof Uint8Array ? signedBigIntOf(v) : BigInt(v);
    return `{"$dec":"${u.toString()}","s":${s}}`;
  }
  if (typeof v === 'object' && '$ts' in v) return `{"$ts":${v.$ts.toString()}}`;
  if (typeof v === 'object' && '$date' in v) return `{"$date":${v.$date}}`;
  switch (typeof v) {
    case 'boolean': return v ? 'true' : 'false';
    case 'bigint': return v.toString();
    case 'number': return encNumber(v);
    case 'string': return JSON.stringify(v);
  }
  if (v instanceof Uint8Array) return `{"$hex":"${hexOf(v)}"}`;
  throw new Error(`unexpected value for ${e.name}: ${String(v)}`);
}

function leaves(node, out) {
  if (!node.children.length) out.push(node);
  for (const c of node.children) leaves(c, out);
  return out;
}

async function dump(path) {
  const file = await asyncBufferFromFile(path);
  const metadata = await parquetMetadataAsync(file);
  const tree = parquetSchema(metadata);
  const decimals = new Map();
  const skip = new Map();
  for (const col of tree.children) {
    for (const leaf of leaves(col, [])) {
      const e = leaf.element;
      if (e.converted_type === 'INTERVAL') skip.set(col.element.name, 'hyparquet: parquet interval not supported');
      if (e.converted_type === 'DECIMAL' || e.logical_type?.type === 'DECIMAL') {
        decimals.set(e, e.scale ?? e.logical_type?.scale ?? 0);
        delete e.converted_type;
        delete e.logical_type;
      }
    }
  }
  const names = tree.children.map((c) => c.element.name);
  const read = names.filter((n) => !skip.has(n));
  const out = [JSON.stringify({ file: path, columns: tree.children.map((c) => [c.element.name, c.element.type ?? c.element.converted_type ?? 'STRUCT']) })];
  let rows = [];
  if (read.length) {
    await parquetRead({
      file, metadata, compressors, utf8: false, parsers: kParsers, columns: read, rowFormat: 'object',
      onComplete: (r) => { rows = r; },
    });
  } else {
    rows = Array.from({ length: Number(metadata.num_rows) }, () => ({}));
  }
  for (const row of rows) {
    out.push('[' + tree.children.map((c) => {
      const name = c.element.name;
      if (skip.has(name)) return JSON.stringify({ $skip: skip.get(name) });
      return enc(c, row[name], decimals);
    }).join(',') + ']');
  }
  return out.join('\n') + '\n';
}

for (const path of process.argv.slice(2)) {
  try {
    process.stdout.write(await dump(path));
  } catch (e) {
    process.stdout.write(JSON.stringify({ file: path, error: String(e.stack || e.message || e) }) + '\n');
    process.exitCode = 2;
  }
}
