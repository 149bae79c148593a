"""The engines of the SQL differential test (sql_engines.py), each started in a temporary
directory: DuckDB in process (npm @duckdb/node-api, through duckdb_score.mjs), a throw-away
PostgreSQL 15 cluster (initdb/pg_ctl on a loopback port, as a non-root user), and a two-shard
ClickHouse cluster (two clickhouse-server processes, the data split across them, the query run
on a Distributed table). start() returns an engine, or a string saying why it cannot run."""
import csv
import json
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PG_BIN = "/usr/lib/postgresql/15/bin"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def conversions(fields, dialect):
    """SELECT list turning text columns (NULL where empty) into the card's typed columns."""
    dbl = {"postgres": "DOUBLE PRECISION", "duckdb": "DOUBLE"}.get(dialect)
    out = []
    for name, ty in fields:
        q = f'"{name}"' if dialect != "clickhouse" else f"`{name}`"
        c = f"nullIf({q}, '')" if dialect == "clickhouse" else q
        if ty == "number":
            e = f"toFloat64OrNull({c})" if dialect == "clickhouse" else f"CAST({c} AS {dbl})"
        elif ty == "bool":
            t, f_ = ("1", "0") if dialect == "clickhouse" else ("true", "false")
            e = (f"CASE WHEN lower({c}) IN ('true', 'yes', '1') THEN {t} WHEN lower({c}) IN ('false', 'no', '0') THEN {f_} END")
            if dialect == "clickhouse":
                e = f"CAST({e} AS Nullable(UInt8))"
        elif ty == "date":
            e = f"toDate({c})" if dialect == "clickhouse" else f"CAST({c} AS DATE)"
            if dialect == "clickhouse":  # both CASE branches are evaluated: parse without failing
                e = f"toDateOrNull({c})"
        else:
            e = c
        out.append(f"{e} AS {q}")
    return ",\n  ".join(out)


class DuckDB:
    def __init__(self, modules, work):
        self.modules, self.work = modules, work
        self.tables = {}

    def load_table(self, name, fields, data):
        """Another table the query reads (the history table), typed as `fields`."""
        self.tables[name] = (f"CREATE OR REPLACE TABLE {name} AS SELECT\n  {conversions(fields, 'duckdb')}\n"
                             f"FROM read_csv('{os.path.abspath(data)}', header = true, all_varchar = true)")

    def describe(self):
        return "DuckDB, npm @duckdb/node-api"

    def score(self, fields, data, query):
        job = os.path.join(self.work, "duckdb_job.json")
        out = os.path.join(self.work, "duckdb_out.jsonl")
        load = (f"CREATE OR REPLACE TABLE accounts AS SELECT\n  {conversions(fields, 'duckdb')}\n"
                f"FROM read_csv('{os.path.abspath(data)}', header = true, all_varchar = true)")
        with open(job, "w") as f:
            json.dump({"load": list(self.tables.values()) + [load], "query": query, "out": out}, f)
        p = subprocess.run(["node", os.path.join(HERE, "duckdb_score.mjs"), self.modules, job], capture_output=True, text=True)
        if p.returncode != 0:
            raise SystemExit(f"FAIL: duckdb on {data}: {p.stderr}")
        with open(out) as f:
            return [json.loads(line) for line in f if line.strip()]

    def stop(self):
        pass


def start_duckdb(work):
    if not shutil.which("node"):
        return "node is not installed (DuckDB runs through npm @duckdb/node-api)"
    modules = os.environ.get("HEALTHC_SQL_NODE_MODULES") or os.path.join(os.path.dirname(work), "sql_node")
    if not os.path.isdir(os.path.join(modules, "node_modules", "@duckdb", "node-api")):
        if not shutil.which("npm"):
            return "npm is not installed, so @duckdb/node-api cannot be"
        p = subprocess.run(["npm", "install", "--prefix", modules, "--no-audit", "--no-fund", "@duckdb/node-api"],
                           capture_output=True, text=True, timeout=300)
        if p.returncode != 0:
            return f"npm install @duckdb/node-api failed: {p.stderr.strip()[-300:]}"
    return DuckDB(modules, work)


class Postgres:
    def __init__(self, tmp, port, user):
        self.tmp, self.port, self.user = tmp, port, user

    def describe(self):
        return f"PostgreSQL 15 on port {self.port}"

    def psql(self, script):
        path = os.path.join(self.tmp, "script.sql")
        with open(path, "w") as f:
            f.write(script)
        p = subprocess.run([f"{PG_BIN}/psql", "-X", "-q", "--csv", "-v", "ON_ERROR_STOP=1", "-h", self.tmp, "-p",
                            str(self.port), "-U", "postgres", "-d", "postgres", "-f", path],
                           capture_output=True, text=True)
        if p.returncode != 0:
            raise SystemExit(f"FAIL: psql: {p.stderr}")
        return p.stdout

    def load_table(self, name, fields, data):
        header, _ = read_csv(data)
        raw = ", ".join(f'"{h}" text' for h in header)
        self.psql(f"DROP TABLE IF EXISTS raw_{name}; DROP TABLE IF EXISTS {name};\n"
                  f"CREATE TABLE raw_{name} ({raw});\n"
                  f"\\copy raw_{name} FROM '{os.path.abspath(data)}' WITH (FORMAT csv, HEADER true)\n"
                  f"CREATE TABLE {name} AS SELECT\n  {conversions(fields, 'postgres')}\nFROM raw_{name};\n")

    def score(self, fields, data, query):
        header, _ = read_csv(data)
        raw = ", ".join(f'"{h}" text' for h in header)
        out = self.psql(
            "DROP TABLE IF EXISTS raw; DROP TABLE IF EXISTS accounts;\n"
            f"CREATE TABLE raw ({raw});\n"
            f"\\copy raw FROM '{os.path.abspath(data)}' WITH (FORMAT csv, HEADER true)\n"
            f"CREATE TABLE accounts AS SELECT\n  {conversions(fields, 'postgres')}\nFROM raw;\n"
            f"{query.rstrip().rstrip(';')};\n")
        rows = list(csv.DictReader(io_text(out)))
        return [{k: (v if v != "" else None) for k, v in r.items()} for r in rows]

    def stop(self):
        subprocess.run(["runuser", "-u", self.user, "--", f"{PG_BIN}/pg_ctl", "-D", os.path.join(self.tmp, "data"),
                        "-m", "immediate", "stop"], capture_output=True) if os.getuid() == 0 else subprocess.run(
            [f"{PG_BIN}/pg_ctl", "-D", os.path.join(self.tmp, "data"), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(self.tmp, ignore_errors=True)


def io_text(s):
    import io
    return io.StringIO(s)


def start_postgres(work):
    if not os.path.exists(f"{PG_BIN}/initdb"):
        return f"PostgreSQL 15 is not installed ({PG_BIN}/initdb; Debian postgresql-15)"
    tmp = tempfile.mkdtemp(prefix="healthc_pg_")
    os.chmod(tmp, 0o777)
    prefix = []
    user = pwd.getpwuid(os.getuid()).pw_name
    if os.getuid() == 0:  # initdb refuses root: the cluster belongs to nobody
        user = "nobody"
        os.chown(tmp, pwd.getpwnam(user).pw_uid, -1)
        prefix = ["runuser", "-u", user, "--"]
    data = os.path.join(tmp, "data")
    p = subprocess.run(prefix + [f"{PG_BIN}/initdb", "-D", data, "-A", "trust", "-U", "postgres", "--no-sync"],
                       capture_output=True, text=True)
    if p.returncode != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        return f"initdb failed: {p.stderr.strip()[-300:]}"
    port = free_port()
    p = subprocess.run(prefix + [f"{PG_BIN}/pg_ctl", "-D", data, "-l", os.path.join(tmp, "log"), "-w", "-o",
                                 f"-p {port} -k {tmp} -c listen_addresses='' -c fsync=off", "start"],
                       capture_output=True, text=True)
    if p.returncode != 0:
        log = open(os.path.join(tmp, "log")).read()[-500:] if os.path.exists(os.path.join(tmp, "log")) else ""
        shutil.rmtree(tmp, ignore_errors=True)
        return f"pg_ctl start failed: {p.stderr.strip()} {log}"
    return Postgres(tmp, port, user)


CH_CONFIG = """<yandex>
  <logger><level>warning</level><log>{dir}/server.log</log><errorlog>{dir}/error.log</errorlog><console>0</console></logger>
  <tcp_port>{tcp}</tcp_port>
  <http_port>{http}</http_port>
  <interserver_http_port>{inter}</interserver_http_port>
  <listen_host>127.0.0.1</listen_host>
  <path>{dir}/data/</path>
  <tmp_path>{dir}/tmp/</tmp_path>
  <user_files_path>{dir}/user_files/</user_files_path>
  <format_schema_path>{dir}/format_schemas/</format_schema_path>
  <users_config>/etc/clickhouse-server/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>536870912</mark_cache_size>
  <remote_servers>
    <two_shards>
      <shard><replica><host>127.0.0.1</host><port>{tcp1}</port></replica></shard>
      <shard><replica><host>127.0.0.1</host><port>{tcp2}</port></replica></shard>
    </two_shards>
  </remote_servers>
</yandex>
"""


class ClickHouse:
    def __init__(self, tmp, procs, ports):
        self.tmp, self.procs, self.ports = tmp, procs, ports

    def describe(self):
        return f"ClickHouse two-shard cluster on ports {self.ports[0]} and {self.ports[1]}, a Distributed table"

    def client(self, port, query, stdin=None):
        p = subprocess.run(["clickhouse-client", "--port", str(port), "--multiquery", "-q", query], input=stdin,
                           capture_output=True, text=True)
        if p.returncode != 0:
            raise SystemExit(f"FAIL: clickhouse-client: {p.stderr.strip()[:2000]}\nquery: {query[:300]}")
        return p.stdout

    def load_table(self, name, fields, data):
        """A table split over the two shards, read through a Distributed table `name`."""
        header, rows = read_csv(data)
        raw = ", ".join(f"`{h}` Nullable(String)" for h in header)
        typed = ", ".join(f"`{n}` {ch_type(t)}" for n, t in fields)
        for shard, port in enumerate(self.ports):
            # TSV, not CSV: ClickHouse's CSV reader trims unquoted cells, and a spelled member's
            # trailing space must reach the table as it is.
            esc = lambda v: v.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
            text = "\t".join(header) + "\n" + "".join("\t".join(esc(v) for v in r) + "\n" for r in rows[shard::2])
            self.client(port, f"DROP TABLE IF EXISTS raw_{name}; DROP TABLE IF EXISTS {name}; DROP TABLE IF EXISTS {name}_local;"
                              f"CREATE TABLE raw_{name} ({raw}) ENGINE = Log; CREATE TABLE {name}_local ({typed}) ENGINE = Log")
            self.client(port, f"INSERT INTO raw_{name} FORMAT TabSeparatedWithNames", stdin=text)
            self.client(port, f"INSERT INTO {name}_local SELECT {conversions(fields, 'clickhouse')} FROM raw_{name}")
        self.client(self.ports[0], f"CREATE TABLE {name} AS {name}_local ENGINE = Distributed(two_shards, default, {name}_local)")

    def score(self, fields, data, query):
        self.load_table("accounts", fields, data)
        out = self.client(self.ports[0], query.rstrip().rstrip(";") + "\nFORMAT JSONEachRow")
        return [json.loads(line) for line in out.splitlines() if line.strip()]

    def stop(self):
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(self.tmp, ignore_errors=True)


def ch_type(t):
    return {"number": "Nullable(Float64)", "bool": "Nullable(UInt8)", "date": "Nullable(Date)"}.get(t, "Nullable(String)")


def start_clickhouse(work):
    if not shutil.which("clickhouse-server") or not shutil.which("clickhouse-client"):
        return "clickhouse-server is not installed (Debian clickhouse-server, scripts/setup.sh)"
    tmp = tempfile.mkdtemp(prefix="healthc_ch_")
    tcp = [free_port(), free_port()]
    procs = []
    for i in range(2):
        d = os.path.join(tmp, f"shard{i + 1}")
        os.makedirs(d)
        with open(os.path.join(d, "config.xml"), "w") as f:
            f.write(CH_CONFIG.format(dir=d, tcp=tcp[i], http=free_port(), inter=free_port(), tcp1=tcp[0], tcp2=tcp[1]))
        procs.append(subprocess.Popen(["clickhouse-server", f"--config-file={d}/config.xml"], stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL, cwd=d))
    ch = ClickHouse(tmp, procs, tcp)
    deadline = time.time() + 30
    for port in tcp:
        while True:
            p = subprocess.run(["clickhouse-client", "--port", str(port), "-q", "SELECT 1"], capture_output=True, text=True)
            if p.returncode == 0:
                break
            if time.time() > deadline or any(x.poll() is not None for x in procs):
                ch.stop()
                return f"clickhouse-server did not start on port {port}: {p.stderr.strip()[-300:]}"
            time.sleep(0.2)
    return ch


def start(engine, work):
    return {"duckdb": start_duckdb, "postgres": start_postgres, "clickhouse": start_clickhouse}[engine](work)
