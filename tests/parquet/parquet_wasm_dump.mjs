// Prints Parquet files' rows as read by parquet-wasm (the Rust `parquet` crate compiled to
// WebAssembly, an independent reader), in the canonical JSON form of duckdb_dump.mjs so the C++
// writer tests compare all readers with one routine.
// Usage: node parquet_wasm_dump.mjs <file.parquet>...
// Per file: {"file":path,"columns":[[name, arrow type], ...]} then one JSON array per row, or
// {"file":path,"error":message}.
//   bigints as bare integer literals, NaN/±Infinity as strings, DECIMAL {"$dec":"unscaled","s":scale},
//   BLOB {"$hex":"..."}, DATE {"$date":days}, TIMESTAMP {"$ts":micros}, INTERVAL
//   {"$iv":[months,days,micros]} ({"$ivdt":[days,micros]} for arrow's DayTime unit), MAP {"$map":[[k,v],...]}, STRUCT plain object, LIST array.
// parquet-wasm returns Arrow IPC; apache-arrow parses it and values are read straight from the
// Arrow buffers (not through arrow-js's lossy getters for decimals and timestamps).
import { readFileSync } from 'node:fs';
import { readParquet } from 'parquet-wasm/node';
import { DateUnit, IntervalUnit, TimeUnit, Type, tableFromIPC } from 'apache-arrow';

function floorDiv(a, b) {
  const q = a / b;
  return a % b < 0n ? q - 1n : q;
}

function encNumber(v) {
  if (Number.isNaN(v)) return '"NaN"';
  if (v === Infinity) return '"Infinity"';
  if (v === -Infinity) return '"-Infinity"';
  return JSON.stringify(v);
}

function hexOf(bytes) {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function bytesAt(data, i) {
  const b = Number(data.valueOffsets[i]);
  const e = Number(data.valueOffsets[i + 1]);
  return data.values.subarray(b, e);
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/// Value `i` of Arrow `data` in canonical form.
function enc(data, i) {
  if (!data.getValid(i)) return 'null';
  const t = data.type;
  switch (t.typeId) {
    case Type.Null: return 'null';
    case Type.Bool: {
      const p = data.offset + i;
      return (data.values[p >> 3] >> (p & 7)) & 1 ? 'true' : 'false';
    }
    case Type.Int: return typeof data.values[i] === 'bigint' ? data.values[i].toString() : String(data.values[i]);
    case Type.Float: return encNumber(data.values[i]);
    case Type.Decimal: {
      const words = data.stride;  // 32-bit little-endian words per value
      let v = 0n;
      for (let w = words - 1; w >= 0; --w) v = (v << 32n) | BigInt(data.values[i * words + w] >>> 0);
      if (data.values[i * words + words - 1] & 0x80000000) v -= 1n << BigInt(32 * words);
      return `{"$dec":"${v.toString()}","s":${t.scale}}`;
    }
    case Type.Utf8:
    case Type.LargeUtf8: return JSON.stringify(decoder.decode(bytesAt(data, i)));
    case Type.Binary:
    case Type.LargeBinary: return `{"$hex":"${hexOf(bytesAt(data, i))}"}`;
    case Type.FixedSizeBinary:
      return `{"$hex":"${hexOf(data.values.subarray(i * t.byteWidth, (i + 1) * t.byteWidth))}"}`;
    case Type.Date:
      if (t.unit === DateUnit.DAY) return `{"$date":${data.values[i]}}`;
      return `{"$date":${floorDiv(BigInt(data.values[i]), 86400000n)}}`;
    case Type.Timestamp: {
      const v = BigInt(data.values[i]);
      const us = t.unit === TimeUnit.SECOND ? v * 1000000n
        : t.unit === TimeUnit.MILLISECOND ? v * 1000n
          : t.unit === TimeUnit.MICROSECOND ? v : floorDiv(v, 1000n);
      return `{"$ts":${us.toString()}}`;
    }
    case Type.Interval: {
      const v = data.values;
      if (t.unit === IntervalUnit.YEAR_MONTH) return `{"$iv":[${v[i]},0,0]}`;
      // arrow-rs reads Parquet INTERVAL as Interval(DayTime), which has no months field: only
      // days and milliseconds survive, printed as {"$ivdt":[days,micros]} (the test skips months).
      if (t.unit === IntervalUnit.DAY_TIME) return `{"$ivdt":[${v[2 * i]},${BigInt(v[2 * i + 1]) * 1000n}]}`;
      // MONTH_DAY_NANO: int32 months, int32 days, int64 nanos.
      const dv = new DataView(v.buffer, v.byteOffset + 16 * i, 16);
      const nanos = dv.getBigInt64(8, true);
      return `{"$iv":[${dv.getInt32(0, true)},${dv.getInt32(4, true)},${floorDiv(nanos, 1000n)}]}`;
    }
    case Type.List:
    case Type.LargeList: {
      const b = Number(data.valueOffsets[i]);
      const e = Number(data.valueOffsets[i + 1]);
      const out = [];
      for (let k = b; k < e; ++k) out.push(enc(data.children[0], k));
      return '[' + out.join(',') + ']';
    }
    case Type.FixedSizeList: {
      const n = t.listSize;
      const out = [];
      for (let k = i * n; k < (i + 1) * n; ++k) out.push(enc(data.children[0], k));
      return '[' + out.join(',') + ']';
    }
    case Type.Struct:
      return '{' + t.children.map((f, k) => `${JSON.stringify(f.name)}:${enc(data.children[k], i)}`).join(',') + '}';
    case Type.Map: {
      const b = Number(data.valueOffsets[i]);
      const e = Number(data.valueOffsets[i + 1]);
      const entries = data.children[0];
      const out = [];
      for (let k = b; k < e; ++k) out.push(`[${enc(entries.children[0], k)},${enc(entries.children[1], k)}]`);
      return '{"$map":[' + out.join(',') + ']}';
    }
    default:
      throw new Error(`unsupported arrow type ${String(t)}`);
  }
}

function dump(path) {
  const wasmTable = readParquet(new Uint8Array(readFileSync(path)));
  const table = tableFromIPC(wasmTable.intoIPCStream());
  const fields = table.schema.fields;
  const out = [JSON.stringify({ file: path, columns: fields.map((f) => [f.name, String(f.type)]) })];
  for (const batch of table.batches) {
    const cols = fields.map((_, c) => batch.getChildAt(c).data[0]);
    for (let r = 0; r < batch.numRows; ++r) out.push('[' + cols.map((d) => enc(d, r)).join(',') + ']');
  }
  return out.join('\n') + '\n';
}

for (const path of process.argv.slice(2)) {
  try {
    process.stdout.write(dump(path));
  } catch (e) {
    process.stdout.write(JSON.stringify({ file: path, error: String(e.stack || e.message || e) }) + '\n');
    process.exitCode = 2;
  }
}
