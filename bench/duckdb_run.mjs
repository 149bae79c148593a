// Runs bench/b2b_duckdb.sql with DuckDB (npm @duckdb/node-api, a benchmark-only dependency):
// COPY (query) TO OUT as CSV with a header, then exits. scripts/bench.sh times the process.
//
//   node bench/duckdb_run.mjs MODULES_DIR QUERY.sql IN.csv OUT.csv [THREADS]
//
// MODULES_DIR is where `npm install --prefix DIR @duckdb/node-api` put node_modules (the
// package is not a dependency of the repository, so it is not resolved from here).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const [modulesDir, queryFile, input, output, threads = '2'] = process.argv.slice(2);
if (!output) {
  console.error('usage: node duckdb_run.mjs MODULES_DIR QUERY.sql IN.csv OUT.csv [THREADS]');
  process.exit(2);
}
const require = createRequire(path.resolve(modulesDir, 'node_modules') + '/');
const { DuckDBInstance } = require('@duckdb/node-api');

const quote = (s) => `'${s.replaceAll("'", "''")}'`;
const query = readFileSync(queryFile, 'utf8')
  .replaceAll("'{{input}}'", quote(path.resolve(input)))
  .replace(/;\s*$/, '');

try {
  const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  const connection = await instance.connect();
  await connection.run(`COPY (${query}) TO ${quote(path.resolve(output))} (FORMAT csv, HEADER true)`);
  connection.closeSync();
  instance.closeSync();
} catch (e) {
  console.error(`duckdb_run: ${e.message}`);
  process.exit(1);
}
