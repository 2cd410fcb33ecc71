import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api'
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { SegueError } from '../core/errors.js'
import type { ListeningData } from '../listening/source.js'
import { dataKey } from '../listening/trained.js'
import { alsOptions, confidenceOf, type AlsOptions } from '../models/als/options.js'
import { EXPORT_FORMAT, EXPORT_MANIFEST, INTERACTIONS_DIR, ITEMS_DIR, USERS_DIR, type ExportManifest, type SparkAlsParams } from './layout.js'
import { sqlPath, withDuckDb } from './duckdb.js'

/**
 * Interactions per part file. Spark reads each file (below its 128 MB split size) as one task, so files of
 * about a million rows (~10 MB with snappy) let a cluster read in parallel without thousands of tiny files.
 */
export const ROWS_PER_PART = 1_000_000

export interface ExportOptions {
  /** ALS parameters over segue's defaults (as `--param` gives them): they decide confidence and Spark's params. */
  params?: Record<string, unknown>
  /** Interactions per part file (default ROWS_PER_PART). */
  rowsPerPart?: number
}

export interface ExportReport {
  dir: string
  manifest: ExportManifest
  seconds: number
}

/**
 * Writes the listening data as Parquet for Spark (layout in ./layout.ts): one row per (user, item) entry of
 * the interaction matrix with segue's ALS confidence, and the id maps. Interactions are split into part files
 * by contiguous ranges of users rather than hive-style `key=value` directories: Spark's ALS hashes users and
 * items into its own blocks whatever the input layout, so a partition column would buy nothing, while several
 * files give parallel reads.
 */
export async function exportParquet(listening: ListeningData, dir: string, opts: ExportOptions = {}): Promise<ExportReport> {
  const t0 = performance.now()
  const params = opts.params ?? {}
  const als = alsOptions(params as Partial<AlsOptions>)
  prepareDir(dir)
  const data = listening.data
  const cuts = partCuts(data.matrix.indptr, opts.rowsPerPart ?? ROWS_PER_PART)
  const parts = await withDuckDb(async (c) => {
    await stageInteractions(c, listening, als)
    await stageIds(c, listening)
    await copyTo(c, 'SELECT user, user_id FROM users ORDER BY user', join(dir, USERS_DIR, 'part-00000.parquet'))
    await copyTo(c, 'SELECT item, item_id, name FROM items ORDER BY item', join(dir, ITEMS_DIR, 'part-00000.parquet'))
    return writeParts(c, dir, cuts)
  })
  const manifest = manifestOf(listening, als, params, parts)
  writeFileSync(join(dir, EXPORT_MANIFEST), JSON.stringify(manifest, null, 2) + '\n')
  return { dir, manifest, seconds: (performance.now() - t0) / 1000 }
}

/** Creates the export directory; an existing one must be empty or a previous export, whose files are replaced. */
function prepareDir(dir: string): void {
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    if (!existsSync(join(dir, EXPORT_MANIFEST))) {
      throw new SegueError('E_BAD_ARGUMENT', `${dir}: not empty and not a previous segue export (no ${EXPORT_MANIFEST}); choose an empty or new directory`)
    }
    for (const d of [INTERACTIONS_DIR, USERS_DIR, ITEMS_DIR, EXPORT_MANIFEST]) rmSync(join(dir, d), { recursive: true, force: true })
  }
  for (const d of [INTERACTIONS_DIR, USERS_DIR, ITEMS_DIR]) mkdirSync(join(dir, d), { recursive: true })
}

/** User ranges [from, to) of the part files: a new part starts once the current one holds rowsPerPart rows. */
export function partCuts(indptr: Int32Array, rowsPerPart: number): [number, number][] {
  if (!(Number.isInteger(rowsPerPart) && rowsPerPart > 0)) throw new SegueError('E_BAD_ARGUMENT', `rowsPerPart must be a positive integer, got ${rowsPerPart}`)
  const users = indptr.length - 1
  const cuts: [number, number][] = []
  let from = 0
  for (let u = 0; u < users; u++) {
    if (indptr[u + 1] - indptr[from] >= rowsPerPart) {
      cuts.push([from, u + 1])
      from = u + 1
    }
  }
  if (from < users || cuts.length === 0) cuts.push([from, users])
  return cuts
}

async function stageInteractions(c: DuckDBConnection, l: ListeningData, o: AlsOptions): Promise<void> {
  await c.run('CREATE TABLE interactions(user INTEGER NOT NULL, item INTEGER NOT NULL, plays FLOAT NOT NULL, strength FLOAT NOT NULL, confidence FLOAT NOT NULL, ts DOUBLE)')
  const { indptr, indices, data } = l.data.matrix
  const times = l.data.times
  const strength = strengthOf(o)
  const confidence = confidenceOf(o)
  await appendAll(c, 'interactions', (a) => {
    for (let u = 0; u + 1 < indptr.length; u++) {
      for (let p = indptr[u]; p < indptr[u + 1]; p++) {
        a.appendInteger(u)
        a.appendInteger(indices[p])
        a.appendFloat(data[p])
        a.appendFloat(strength(data[p]))
        a.appendFloat(confidence(data[p]))
        if (times && Number.isFinite(times[p])) a.appendDouble(times[p])
        else a.appendNull()
        a.endRow()
      }
    }
  })
}

/**
 * The value Spark reads as its rating r so that Spark's confidence 1 + alpha·r equals segue's
 * (confidenceOf): log1p(r/eps) under log scaling, r itself under linear.
 */
export function strengthOf(o: AlsOptions): (r: number) => number {
  return o.confidence === 'log' ? (r) => Math.log1p(r / o.eps) : (r) => r
}

async function stageIds(c: DuckDBConnection, l: ListeningData): Promise<void> {
  await c.run('CREATE TABLE users(user INTEGER NOT NULL, user_id VARCHAR NOT NULL)')
  await c.run('CREATE TABLE items(item INTEGER NOT NULL, item_id VARCHAR NOT NULL, name VARCHAR)')
  await appendAll(c, 'users', (a) => l.data.users.rawIds().forEach((id, i) => {
    a.appendInteger(i)
    a.appendVarchar(id)
    a.endRow()
  }))
  await appendAll(c, 'items', (a) => l.data.items.rawIds().forEach((id, i) => {
    const name = l.itemNames.get(id)
    a.appendInteger(i)
    a.appendVarchar(id)
    if (name === undefined) a.appendNull()
    else a.appendVarchar(name)
    a.endRow()
  }))
}

async function appendAll(c: DuckDBConnection, table: string, fill: (a: DuckDBAppender) => void): Promise<void> {
  const a = await c.createAppender(table)
  try {
    fill(a)
  } finally {
    a.closeSync()
  }
}

async function writeParts(c: DuckDBConnection, dir: string, cuts: [number, number][]): Promise<string[]> {
  const parts: string[] = []
  for (const [i, [from, to]] of cuts.entries()) {
    const rel = join(INTERACTIONS_DIR, `part-${String(i).padStart(5, '0')}.parquet`)
    const select = `SELECT user, item, plays, strength, confidence, to_timestamp(ts) AS timestamp FROM interactions WHERE user >= ${from} AND user < ${to} ORDER BY user, item`
    await copyTo(c, select, join(dir, rel))
    parts.push(rel)
  }
  return parts
}

async function copyTo(c: DuckDBConnection, select: string, file: string): Promise<void> {
  await c.run(`COPY (${select}) TO ${sqlPath(file)} (FORMAT parquet, COMPRESSION snappy)`)
}

function manifestOf(l: ListeningData, o: AlsOptions, params: Record<string, unknown>, parts: string[]): ExportManifest {
  const d = l.data
  const { threads: _t, backend: _b, ...options } = o
  return {
    kind: EXPORT_FORMAT.kind,
    version: EXPORT_FORMAT.version,
    createdAt: new Date().toISOString(),
    source: l.source,
    format: l.format,
    dataKind: d.kind,
    itemKind: l.itemKind,
    dataKey: dataKey(d),
    users: d.users.size,
    items: d.items.size,
    interactions: d.matrix.indices.length,
    parts,
    model: { name: 'als', params, options },
    spark: sparkParams(o, d.matrix.indices.length, d.users.size),
  }
}

/**
 * Spark's ALS scales λ by each row's interaction count (ALS-WR: λ·n_u), segue's (like `implicit`) is flat.
 * regParam = λ / (average interactions per user) gives the average listener segue's λ; heavier listeners are
 * regularised more on Spark, lighter ones less. There is no Spark setting for a flat λ.
 */
export function sparkParams(o: AlsOptions, interactions: number, users: number): SparkAlsParams {
  const perUser = users > 0 ? interactions / users : 1
  return {
    rank: o.factors, maxIter: o.iterations, regParam: o.regularization / Math.max(perUser, 1), alpha: o.alpha,
    implicitPrefs: true, userCol: 'user', itemCol: 'item', ratingCol: 'strength',
  }
}
