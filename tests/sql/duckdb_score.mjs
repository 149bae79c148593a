// Runs one case of the SQL differential test on DuckDB (npm @duckdb/node-api):
//
//   node duckdb_score.mjs MODULES_DIR JOB.json
//
// JOB.json holds {load: [SQL...], query: SQL, out: PATH}: the load statements run, then the
// query, whose rows are written to PATH as JSON Lines (NULL as null).
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const [modulesDir, jobFile] = process.argv.slice(2);
const require = createRequire(path.resolve(modulesDir, 'node_modules') + '/');
const { DuckDBInstance } = require('@duckdb/node-api');
const job = JSON.parse(readFileSync(jobFile, 'utf8'));

const plain = (v) => (typeof v === 'bigint' ? Number(v) : v === undefined ? null : v);

try {
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const connection = await instance.connect();
  for (const sql of job.load) await connection.run(sql);
  const reader = await connection.runAndReadAll(job.query.replace(/;\s*$/, ''));
  const names = reader.columnNames();
  const lines = reader.getRows().map((row) => {
    const o = {};
    names.forEach((n, i) => { o[n] = plain(row[i]); });
    return JSON.stringify(o);
  });
  writeFileSync(job.out, lines.join('\n') + '\n');
  connection.closeSync();
  instance.closeSync();
} catch (e) {
  console.error(`duckdb_score: ${e.message}`);
  process.exit(1);
}
