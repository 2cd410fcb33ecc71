import type { DuckDBConnection } from '@duckdb/node-api'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { csrFromTriples } from '../core/csr.js'
import { SegueError } from '../core/errors.js'
import { IdMap } from '../core/ids.js'
import type { Interactions } from '../data/interactions.js'
import type { ListeningData, ListeningFormat } from '../listening/source.js'
import { dataKey, type TrainedModel } from '../listening/trained.js'
import { ALS_KIND, ALS_VERSION, AlsRecommender } from '../models/als/als.js'
import {
  DEFAULT_MODEL_SUBDIR, EXPORT_FORMAT, EXPORT_MANIFEST, INTERACTIONS_DIR, ITEM_FACTORS_DIR, ITEMS_DIR, SPARK_ALS_MODEL_CLASS,
  SPARK_METADATA_FILE, TRAINED_FROM_FILE, USER_FACTORS_DIR, USERS_DIR, type ExportManifest,
} from './layout.js'
import { partFiles, readingFile, sqlPath, withDuckDb } from './duckdb.js'

/** Factors of a Spark ALSModel directory, as dense row-major matrices indexed by the ids Spark was given. */
export interface SparkAlsFactors {
  rank: number
  /** The model's metadata/part-00000 JSON (class, sparkVersion, uid, paramMap, rank, ...). */
  metadata: Record<string, unknown>
  userFactors: Float32Array
  itemFactors: Float32Array
}

export interface ImportResult {
  trained: TrainedModel
  manifest: ExportManifest
  spark: SparkAlsFactors
  exportDir: string
}

/**
 * A Spark ALSModel saved by `model.save(modelDir)` from an export of segue's (see ./layout.ts), as a segue ALS
 * model that recommends, explains and folds in as one trained here: Spark's factors with the export's
 * interactions (for leaving out what a listener played and for explanations) and ALS options (confidence and λ
 * of the fold-in). The export defaults to the model directory's parent, where train_als.py puts the model.
 */
export async function importSparkAls(modelDir: string, exportDir = dirname(resolve(modelDir))): Promise<ImportResult> {
  const manifest = readManifest(exportDir)
  checkTrainedFrom(modelDir, manifest)
  // The Spark side first: a wrong model directory fails before the export's interactions are read.
  const spark = await readSparkAls(modelDir, manifest.users, manifest.items)
  const listening = await readExport(exportDir, manifest)
  const options = { ...manifest.model.options, factors: spark.rank }
  const params = spark.rank === manifest.model.options.factors ? manifest.model.params : { ...manifest.model.params, factors: spark.rank }
  const m = listening.data.matrix
  const model = AlsRecommender.load({
    kind: ALS_KIND,
    version: ALS_VERSION,
    meta: { options, users: manifest.users, items: manifest.items, factors: spark.rank },
    blobs: { userFactors: spark.userFactors, itemFactors: spark.itemFactors, seenIndptr: m.indptr, seenIndices: m.indices, seenValues: m.data },
  })
  return { trained: { name: 'als', params, model, listening, origin: 'loaded' }, manifest, spark, exportDir }
}

/** The export's manifest, checked to be one. */
export function readManifest(exportDir: string): ExportManifest {
  const file = join(exportDir, EXPORT_MANIFEST)
  if (!existsSync(file)) {
    throw new SegueError('E_INPUT_FILE', `${file}: not found; give the directory \`segue export --parquet\` wrote (--export <dir>)`, { location: { file } })
  }
  const m = parseJson(file, readFileSync(file, 'utf8')) as Partial<ExportManifest>
  if (m.kind !== EXPORT_FORMAT.kind) throw new SegueError('E_INPUT_FORMAT', `${file}: not a segue export manifest`, { location: { file } })
  if (m.version !== EXPORT_FORMAT.version) throw new SegueError('E_ARTIFACT_VERSION', `${file}: export version ${m.version}, this segue reads ${EXPORT_FORMAT.version}`, { location: { file } })
  return m as ExportManifest
}

/** train_als.py records the export's data key beside the model; a model trained on other data is refused. */
function checkTrainedFrom(modelDir: string, manifest: ExportManifest): void {
  const file = join(modelDir, TRAINED_FROM_FILE)
  if (!existsSync(file)) return
  const from = parseJson(file, readFileSync(file, 'utf8')) as { dataKey?: unknown }
  if (from.dataKey !== manifest.dataKey) {
    throw new SegueError('E_BAD_ARGUMENT', `${file}: the model was trained on an export with data key ${String(from.dataKey)}, but ${manifest.source} exports as ${manifest.dataKey}; train again on this export`, { location: { file } })
  }
}

/** The exported interactions and id maps as listening data, checked to be exactly what was exported. */
export async function readExport(exportDir: string, manifest = readManifest(exportDir)): Promise<ListeningData> {
  const data = await withDuckDb(async (c) => {
    const users = IdMap.from(await readIds(c, join(exportDir, USERS_DIR), 'user', 'user_id', manifest.users))
    const itemRows = await readIdRows(c, join(exportDir, ITEMS_DIR), 'item', 'item_id', manifest.items, ', name')
    const items = IdMap.from(itemRows.map((r) => r[1] as string))
    const names = new Map(itemRows.filter((r) => r[2] !== null).map((r) => [r[1] as string, r[2] as string]))
    const interactions = await readInteractions(c, join(exportDir, INTERACTIONS_DIR), users, items, manifest)
    return { interactions, names }
  })
  if (dataKey(data.interactions) !== manifest.dataKey) {
    throw new SegueError('E_ARTIFACT_CORRUPT', `${join(exportDir, INTERACTIONS_DIR)}: the interactions do not match ${EXPORT_MANIFEST} (data key differs); export again`)
  }
  return {
    data: data.interactions, source: manifest.source, format: manifest.format as ListeningFormat, itemNames: data.names,
    itemKind: manifest.itemKind, report: { export: exportDir },
  }
}

async function readIds(c: DuckDBConnection, dir: string, intCol: string, idCol: string, expected: number): Promise<string[]> {
  return (await readIdRows(c, dir, intCol, idCol, expected, '')).map((r) => r[1] as string)
}

/** Rows (int, raw id, ...) of an id map, checked to number 0..expected-1 without gaps. */
async function readIdRows(c: DuckDBConnection, dir: string, intCol: string, idCol: string, expected: number, extra: string): Promise<unknown[][]> {
  const rows: unknown[][] = []
  for (const file of partFiles(dir, `${intCol} id map`)) {
    rows.push(...await readingFile(file, async () => (await c.runAndReadAll(`SELECT ${intCol}, ${idCol}${extra} FROM read_parquet(${sqlPath(file)})`)).getRowsJS()))
  }
  rows.sort((a, b) => (a[0] as number) - (b[0] as number))
  const gap = rows.findIndex((r, i) => r[0] !== i)
  if (rows.length !== expected || gap >= 0) {
    throw new SegueError('E_INPUT_FORMAT', `${dir}: the ${intCol} id map should number 0..${expected - 1} once each, found ${rows.length} rows${gap >= 0 ? ` (${intCol} ${gap} missing)` : ''}`, { location: { file: dir } })
  }
  return rows
}

/** The exported interactions, streamed chunk by chunk into typed arrays (an export can hold many millions). */
async function readInteractions(c: DuckDBConnection, dir: string, users: IdMap, items: IdMap, m: ExportManifest): Promise<Interactions> {
  const r = new Int32Array(m.interactions), col = new Int32Array(m.interactions), v = new Float32Array(m.interactions)
  let n = 0
  for (const file of partFiles(dir, 'interactions')) {
    await readingFile(file, async () => {
      const result = await c.stream(`SELECT user, item, plays FROM read_parquet(${sqlPath(file)})`)
      for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
        if (n + chunk.rowCount > m.interactions) throw new SegueError('E_INPUT_FORMAT', `${file}: more interactions than the ${m.interactions} of ${EXPORT_MANIFEST}`, { location: { file } })
        r.set(chunk.getColumnValues(0) as number[], n)
        col.set(chunk.getColumnValues(1) as number[], n)
        v.set(chunk.getColumnValues(2) as number[], n)
        n += chunk.rowCount
      }
    })
  }
  if (n !== m.interactions) throw new SegueError('E_INPUT_FORMAT', `${dir}: ${n} interactions, ${EXPORT_MANIFEST} says ${m.interactions}`, { location: { file: dir } })
  return { users, items, matrix: csrFromTriples(users.size, items.size, r, col, v), kind: m.dataKind }
}

/**
 * The factors of a Spark ALSModel directory: the rank from metadata/part-00000 and every row of the
 * userFactors and itemFactors part files, checked to cover ids 0..n-1 once each with `rank` finite numbers.
 */
export async function readSparkAls(modelDir: string, users: number, items: number): Promise<SparkAlsFactors> {
  const metadata = readSparkMetadata(modelDir)
  const rank = metadata.rank as number
  return withDuckDb(async (c) => ({
    rank,
    metadata,
    userFactors: await readFactors(c, join(modelDir, USER_FACTORS_DIR), rank, users, 'user'),
    itemFactors: await readFactors(c, join(modelDir, ITEM_FACTORS_DIR), rank, items, 'item'),
  }))
}

export function readSparkMetadata(modelDir: string): Record<string, unknown> {
  const file = join(modelDir, SPARK_METADATA_FILE)
  if (!existsSync(file)) {
    throw new SegueError('E_INPUT_FILE', `${file}: not found; give the directory Spark's ALSModel.save(path) wrote`, { location: { file } })
  }
  const line = readFileSync(file, 'utf8').split('\n').find((l) => l.trim() !== '') ?? ''
  const meta = parseJson(file, line) as Record<string, unknown>
  if (meta.class !== SPARK_ALS_MODEL_CLASS) {
    throw new SegueError('E_INPUT_FORMAT', `${file}: class '${String(meta.class)}', expected ${SPARK_ALS_MODEL_CLASS}`, { location: { file } })
  }
  if (!Number.isInteger(meta.rank) || (meta.rank as number) < 1) {
    throw new SegueError('E_INPUT_FORMAT', `${file}: no positive integer 'rank'`, { location: { file } })
  }
  return meta
}

async function readFactors(c: DuckDBConnection, dir: string, rank: number, n: number, what: string): Promise<Float32Array> {
  const out = new Float32Array(n * rank)
  const seen = new Uint8Array(n)
  for (const file of partFiles(dir, `${what} factors`)) {
    const rows = await readingFile(file, async () => (await c.runAndReadAll(`SELECT id, features FROM read_parquet(${sqlPath(file)})`)).getRowsJS())
    for (const [id, features] of rows as [number, (number | null)[] | null][]) {
      const bad = (why: string) => new SegueError('E_INPUT_FORMAT', `${file}: ${what} id ${id}: ${why}`, { location: { file, value: String(id) } })
      if (!Number.isInteger(id) || id < 0 || id >= n) throw bad(`outside the export's ${n} ${what}s (0..${n - 1})`)
      if (seen[id]) throw bad('appears twice')
      if (!Array.isArray(features) || features.length !== rank) throw bad(`features has ${features?.length ?? 'no'} values, the model's rank is ${rank}`)
      if (!features.every((x) => typeof x === 'number' && Number.isFinite(x))) throw bad('features holds a null, NaN or infinite value')
      out.set(features as number[], id * rank)
      seen[id] = 1
    }
  }
  const missing = seen.indexOf(0)
  if (missing >= 0) throw new SegueError('E_INPUT_FORMAT', `${dir}: no factors for ${what} id ${missing} (${seen.filter((s) => s === 0).length} of ${n} missing); was the model trained on this export?`, { location: { file: dir } })
  return out
}

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text)
  } catch (cause) {
    throw new SegueError('E_INPUT_FORMAT', `${file}: not valid JSON (${(cause as Error).message})`, { location: { file }, cause })
  }
}

/** The Spark model directory train_als.py writes inside an export, for `--spark` left out. */
export function defaultModelDir(exportDir: string): string {
  return join(exportDir, DEFAULT_MODEL_SUBDIR)
}

