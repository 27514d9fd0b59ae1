"""Helpers for run.sh: RisingWave's fixed Nexmark input -> JSON Lines + velostream DDL, and the
comparison of velo's JSON Lines output with the expected rows of a RisingWave qN.slt.part file.

  nexmark_rw.py prepare RW_DIR OUT_DIR        writes OUT_DIR/{person,auction,bid}.jsonl, tables.sql
  nexmark_rw.py compare EXPECTED.slt ACTUAL.jsonl   prints a diff, exits 1 when the rows differ
  nexmark_rw.py check-query VIEW.slt QUERY.sql      our query must be the view's SELECT unless
                                                    it starts with `-- adapted:` comments
  nexmark_rw.py selftest                            the comparison rejects what it must reject

Only the input is converted; the expected rows are read from the upstream file every run.
"""
import collections
import decimal
import json
import re
import sys

TABLES = ("person", "auction", "bid")
# RisingWave type -> velostream type (create_tables.slt.part uses only these).
TYPES = {"BIGINT": "BIGINT", "VARCHAR": "VARCHAR", "TIMESTAMP": "TIMESTAMP"}


def parse_create_tables(text):
    """{table: [(column, type)]} from the CREATE TABLE statements."""
    tables = {}
    for m in re.finditer(r"CREATE TABLE (\w+) \((.*?)\n\);", text, re.S):
        columns = []
        for line in m.group(2).splitlines():
            c = re.match(r'\s*"?(\w+)"?\s+(\w+),?\s*$', line)
            if c and c.group(1).upper() != "PRIMARY":
                columns.append((c.group(1), c.group(2).upper()))
        tables[m.group(1)] = columns
    return tables


def sql_tokens(text):
    """Tokens of an INSERT statement: ('str', v), ('num', v), ('null', None), ('word', w) or a
    punctuation character."""
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch == "'":
            j, out = i + 1, []
            while True:
                if text[j] == "'":
                    if j + 1 < n and text[j + 1] == "'":  # '' is an escaped quote
                        out.append("'")
                        j += 2
                        continue
                    break
                out.append(text[j])
                j += 1
            yield ("str", "".join(out))
            i = j + 1
        elif ch.isdigit() or (ch == "-" and text[i + 1].isdigit()):
            m = re.match(r"-?\d+(\.\d+)?", text[i:])
            yield ("num", m.group(0))
            i += len(m.group(0))
        elif ch.isalpha() or ch == "_":
            m = re.match(r"\w+", text[i:])
            w = m.group(0)
            yield ("null", None) if w.upper() == "NULL" else ("word", w)
            i += len(w)
        else:
            yield ch
            i += 1


def parse_insert(text):
    """(table, [columns], [rows]) of one `INSERT INTO t (cols) VALUES (...), ...;` file."""
    toks = list(sql_tokens(text))
    words = [t[1].upper() if isinstance(t, tuple) and t[0] == "word" else None for t in toks]
    at = words.index("INTO")
    table = toks[at + 1][1]
    i = at + 3  # past '('
    columns = []
    while toks[i] != ")":
        if toks[i] != ",":
            columns.append(toks[i][1])
        i += 1
    i = words.index("VALUES", i) + 1
    rows, row = [], None
    for t in toks[i:]:
        if t == "(":
            row = []
        elif t == ")":
            rows.append(row)
            row = None
        elif isinstance(t, tuple) and row is not None:
            row.append(t)
    return table, columns, rows


def json_value(token, sql_type):
    kind, v = token
    if kind == "null":
        return None
    if sql_type == "BIGINT":
        return int(v)
    return v  # VARCHAR and TIMESTAMP ('2015-07-15 00:00:00.005') stay text


def prepare(rw_dir, out_dir):
    tables = parse_create_tables(open(f"{rw_dir}/nexmark/create_tables.slt.part").read())
    ddl = []
    for name in TABLES:
        table, columns, rows = parse_insert(open(f"{rw_dir}/nexmark/insert_{name}.slt.part").read())
        types = dict(tables[table])
        with open(f"{out_dir}/{table}.jsonl", "w") as f:
            for row in rows:
                assert len(row) == len(columns), (table, row)
                obj = {c: json_value(t, types[c]) for c, t in zip(columns, row)}
                f.write(json.dumps(obj) + "\n")
        cols = ", ".join(f"{c} {TYPES[t]}" for c, t in tables[table])
        ddl.append(f"CREATE SOURCE {table} ({cols})\n  WITH (type = 'file', "
                   f"path = '{out_dir}/{table}.jsonl', format = 'json');\n")
        print(f"{table}: {len(rows)} rows")
    open(f"{out_dir}/tables.sql", "w").write("".join(ddl))


# ---- comparison ------------------------------------------------------------------------------
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
TIME = re.compile(r"^(\d\d:\d\d:\d\d)(\.\d+)?$")
ISO_TIMESTAMP = re.compile(r"^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d(\.\d+)?)Z?$")
SIGNIFICANT_DIGITS = 12


def canonical_token(tok):
    """One whitespace-separated piece of a row, in a form independent of decimal scale and
    float rounding (AVG is DECIMAL in RisingWave, DOUBLE here) and of trailing zeros in
    fractional seconds."""
    if NUMBER.match(tok):
        with decimal.localcontext() as ctx:
            ctx.prec = SIGNIFICANT_DIGITS
            d = +decimal.Decimal(tok)
        return format(d.normalize(), "f")
    m = TIME.match(tok)
    if m:
        frac = (m.group(2) or "").rstrip("0")
        return m.group(1) + ("" if frac == "." else frac)
    return tok


def render_value(v):
    """A velo JSON value as sqllogictest prints it."""
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "t" if v else "f"
    if isinstance(v, str):
        m = ISO_TIMESTAMP.match(v)
        if m:
            return f"{m.group(1)} {m.group(2)}"
        return v if v != "" else "(empty)"
    if isinstance(v, (list, dict)):
        return json.dumps(v)
    return str(v)


def canonical_row(text):
    # sqllogictest-rs joins a row's values with spaces and collapses whitespace.
    return tuple(canonical_token(t) for t in text.split())


def read_expected(path):
    """(select text, sort mode, [row lines]) of the first `query` record of a .slt file."""
    lines = open(path).read().splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith("query "))
    header = lines[start].split()
    sort_mode = header[2] if len(header) > 2 else "nosort"
    sep = lines.index("----", start)
    rows = []
    for l in lines[sep + 1:]:
        if not l.strip():
            break
        rows.append(l)
    return " ".join(lines[start + 1:sep]), sort_mode, rows


def read_actual(path):
    rows = []
    for line in open(path):
        if line.strip():
            pairs = json.loads(line, parse_float=decimal.Decimal, object_pairs_hook=list)
            rows.append(" ".join(render_value(v) for _, v in pairs))
    return rows


def diff_rows(expected, actual):
    """Rows of `expected` missing from `actual` and extra rows of `actual` (multisets of
    canonical rows), each shown as written."""
    shown = {}
    for r in expected + actual:
        shown.setdefault(canonical_row(r), r)
    want = collections.Counter(canonical_row(r) for r in expected)
    got = collections.Counter(canonical_row(r) for r in actual)
    missing = sorted(shown[r] for r in (want - got).elements())
    extra = sorted(shown[r] for r in (got - want).elements())
    return missing, extra


def compare(expected_path, actual_path):
    select, sort_mode, expected = read_expected(expected_path)
    if not re.match(r"(?i)^\s*select \* from \w+", select):
        print(f"  unexpected check query: {select}")
        return 1
    actual = read_actual(actual_path)
    missing, extra = diff_rows(expected, actual)
    if not missing and not extra:
        print(f"  {len(actual)} rows match ({sort_mode}, compared as sorted multisets)")
        return 0
    print(f"  expected {len(expected)} rows, got {len(actual)}")
    for row in missing:
        print("  - " + row)
    for row in extra:
        print("  + " + row)
    return 1


def squash(sql):
    return " ".join(re.sub(r"--[^\n]*", "", sql).split()).rstrip(";").strip()


def check_query(view_path, query_path):
    """0 when the query is the view's SELECT (comments and whitespace aside) or says, in a
    leading `-- adapted:` comment, why it is not; an `-- expect: not supported yet` query must
    be the view's SELECT unchanged."""
    view = re.search(r"CREATE MATERIALIZED VIEW \w+\s+AS\s+(.*)", open(view_path).read(),
                     re.S | re.I).group(1)
    query = open(query_path).read()
    if squash(query) == squash(view) or query.startswith("-- adapted:"):
        return 0
    if query.startswith("-- expect:"):
        print(f"  {query_path} is marked '-- expect:' but is not the view's SELECT unchanged")
    else:
        print(f"  {query_path} differs from the view but does not start with '-- adapted:'")
    return 1


def selftest():
    expected = ["1000\t1001\t1761.520\t2015-07-15 00:00:02.001", "1001 k  y NULL",
                "1000 4193850.5714285714285714285714", "2015-07-15 12:00"]
    same = ["1000 1001 1761.52 2015-07-15 00:00:02.001", "1001\tk y\tNULL",
            "1000 4193850.5714285714", "2015-07-15\t12:00"]
    assert diff_rows(expected, list(reversed(same))) == ([], []), "equal rows must match"
    assert render_value("2015-07-15T00:00:02.001Z") == "2015-07-15 00:00:02.001"
    assert canonical_token("00:00:01.000") == "00:00:01"
    changed = ["1000 1001 1761.53 2015-07-15 00:00:02.001", "1001 k y (empty)",
               "1000 4193850.5715", "2015-07-15 12:01"]
    for bad in [same[:-1], same + same[:1]] + [same[:i] + [c] + same[i + 1:]
                                               for i, c in enumerate(changed)]:
        assert diff_rows(expected, bad) != ([], []), f"must differ: {bad}"
    print("comparison self-test: ok")


if __name__ == "__main__":
    if sys.argv[1] == "prepare":
        prepare(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "compare":
        sys.exit(compare(sys.argv[2], sys.argv[3]))
    elif sys.argv[1] == "check-query":
        sys.exit(check_query(sys.argv[2], sys.argv[3]))
    elif sys.argv[1] == "selftest":
        selftest()
    else:
        sys.exit(f"unknown command {sys.argv[1]}")
