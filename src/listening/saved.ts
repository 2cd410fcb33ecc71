import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { loadArtifact, saveArtifact, type Blob } from '../core/artifact.js'
import { SegueError, isSegueError } from '../core/errors.js'
import { IdMap } from '../core/ids.js'
import type { ReadListensOptions } from '../data/listens/read-table.js'
import { loadListening, type ListeningData, type ListeningFormat } from './source.js'

/**
 * Listening data saved after its first read, so a later start skips parsing the source (HetRec's five
 * tables, tags included) and building the interaction matrix. The key is a hash of the source files' bytes
 * (hashing the few MB is far cheaper than parsing them), so an edited or replaced source is read afresh.
 * Blobs: the CSR matrix (indptr, indices, data) and times when the source has them; ids, names and the
 * reader's report go in the header.
 */
export const LISTENING_ARTIFACT = { kind: 'listening-data', version: 1 } as const

interface ListeningMeta {
  source: string
  format: ListeningFormat
  kind: 'implicit' | 'explicit'
  itemKind: 'artist' | 'item'
  users: readonly string[]
  items: readonly string[]
  itemNames: [string, string][]
  report: unknown
}

/**
 * The listening data at `source`, from the artifact at `artifactPath` when it was saved from the same bytes,
 * else read (and then saved there). A damaged or outdated artifact is reported through `warn` and replaced.
 */
export async function loadListeningSaved(
  source: string,
  artifactPath: string,
  opts: ReadListensOptions & { warn?: (m: string) => void } = {},
): Promise<{ listening: ListeningData; origin: 'loaded' | 'built' }> {
  // A missing source gets the reader's own error, naming it.
  if (!existsSync(source)) return { listening: await loadListening(source, opts), origin: 'built' }
  const key = sourceKey(source)
  const saved = readSaved(artifactPath, key, opts.warn)
  if (saved) return { listening: { ...saved, source }, origin: 'loaded' }
  const listening = await loadListening(source, opts)
  saveListening(artifactPath, key, listening)
  return { listening, origin: 'built' }
}

export function saveListening(path: string, key: string, l: ListeningData): void {
  const { matrix, times, kind, users, items } = l.data
  const meta: ListeningMeta = {
    source: l.source, format: l.format, kind, itemKind: l.itemKind,
    users: users.rawIds(), items: items.rawIds(), itemNames: [...l.itemNames], report: l.report,
  }
  const blobs: Record<string, Blob> = { indptr: matrix.indptr, indices: matrix.indices, data: matrix.data }
  if (times) blobs.times = times
  saveArtifact(path, { ...LISTENING_ARTIFACT, key, meta: meta as unknown as Record<string, unknown> }, blobs)
}

function readSaved(path: string, key: string, warn?: (m: string) => void): ListeningData | null {
  try {
    const { header, blobs } = loadArtifact(path, LISTENING_ARTIFACT)
    if (header.key !== key) throw new SegueError('E_ARTIFACT_VERSION', `${path}: listening data read from other files`)
    return rebuild(header.meta as unknown as ListeningMeta, blobs, path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    if (!isSegueError(err) || (err.code !== 'E_ARTIFACT_CORRUPT' && err.code !== 'E_ARTIFACT_VERSION')) throw err
    warn?.(`${err.message}; reading the source again`)
    return null
  }
}

function rebuild(m: ListeningMeta, blobs: Record<string, Blob>, path: string): ListeningData {
  const [indptr, indices, data] = [blobs.indptr, blobs.indices, blobs.data]
  const fits = indptr instanceof Int32Array && indices instanceof Int32Array && data instanceof Float32Array &&
    indptr.length === m.users.length + 1 && indptr[m.users.length] === indices.length && data.length === indices.length &&
    indices.every((c) => c >= 0 && c < m.items.length)
  if (!fits) throw new SegueError('E_ARTIFACT_CORRUPT', `${path}: the interaction matrix does not fit its ids`)
  const times = blobs.times instanceof Float64Array ? blobs.times : undefined
  const matrix = { rows: m.users.length, cols: m.items.length, indptr, indices, data }
  return {
    data: { users: IdMap.from(m.users), items: IdMap.from(m.items), matrix, times, kind: m.kind },
    source: m.source,
    format: m.format,
    itemNames: new Map(m.itemNames),
    itemKind: m.itemKind,
    report: m.report,
  }
}

/** A hash of every file the source is made of (a folder's files by name, or the one file), with their names. */
function sourceKey(source: string): string {
  const h = createHash('sha256').update(`${LISTENING_ARTIFACT.version}\n`)
  const files = statSync(source).isDirectory() ? readdirSync(source).sort().map((f) => join(source, f)) : [source]
  for (const f of files) {
    if (!statSync(f).isFile()) continue
    h.update(f).update('\0').update(readFileSync(f)).update('\0')
  }
  return h.digest('hex').slice(0, 32)
}
