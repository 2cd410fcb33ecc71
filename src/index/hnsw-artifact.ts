import { createHash } from 'node:crypto'
import { closeSync, existsSync, fsyncSync, openSync, readSync, renameSync, rmSync, statSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { loadArtifact, noteVerified, saveArtifact, verifiedBefore } from '../core/artifact.js'
import { SegueError } from '../core/errors.js'
import type { HnswParams } from './hnsw-backend.js'
import { type HnswIndex, checkParams, loadHnswFile } from './hnsw-index.js'

/**
 * Bump when the saved layout changes; older files are then refused with E_ARTIFACT_VERSION and rebuilt.
 * Version 2: the graph lives in its own file beside the artifact (the package's format, which it can
 * memory-map), and the artifact holds its size and sha256; version 1 held the graph as a blob, which a load
 * had to read into memory, write to a temporary file and read again.
 */
export const HNSW_ARTIFACT = { kind: 'hnsw-index', version: 2 } as const

/** Bytes read per step while checksumming a graph file: one small buffer, reused, instead of the whole file. */
const HASH_CHUNK = 1 << 20

interface GraphMeta {
  /** The graph file's name, in the artifact's folder. */
  file: string
  bytes: number
  sha256: string
}

/** Where the graph of the artifact at `path` lives: beside it, `.art` replaced by `.graph`. */
export function hnswGraphPath(path: string): string {
  return join(dirname(path), `${basename(path).replace(/\.art$/, '')}.graph`)
}

/**
 * Saves the index atomically as a checksummed artifact. `key` says what it was built from (catalogue checksum,
 * feature pipeline, parameters); the meta holds the backend, metric, dims and graph parameters, and the size
 * and sha256 of the graph file (written first, flushed and renamed into place, then the artifact).
 */
export function saveHnswArtifact(path: string, index: HnswIndex, key: string): void {
  const graphPath = hnswGraphPath(path)
  const tmp = `${graphPath}.${process.pid}.${Date.now()}.tmp`
  try {
    index.saveGraph(tmp)
    flush(tmp)
    const graph: GraphMeta = { file: basename(graphPath), ...hashFile(tmp) }
    renameSync(tmp, graphPath)
    saveArtifact(path, { ...HNSW_ARTIFACT, key, meta: { ...index.params, graph } }, {})
  } finally {
    rmSync(tmp, { force: true })
  }
}

/**
 * Reopens a saved index, or returns null when there is nothing to reuse (no file, or a file built from
 * something else than `expectedKey`) so the caller rebuilds. The graph file is checksummed in small steps and
 * then memory-mapped where the package can (`view`, default true), so nothing of it is copied. Damage (to
 * either file) throws E_ARTIFACT_CORRUPT, an older format E_ARTIFACT_VERSION.
 */
export function loadHnswArtifact(path: string, expectedKey: string, opts: { view?: boolean } = {}): HnswIndex | null {
  if (!existsSync(path)) return null
  const { header } = loadArtifact(path, HNSW_ARTIFACT)
  if (header.key !== expectedKey) return null
  const corrupt = (why: string) => new SegueError('E_ARTIFACT_CORRUPT', `${path}: ${why}`)
  const { graph, ...rest } = header.meta as unknown as HnswParams & { graph?: GraphMeta }
  const params = rest as HnswParams
  checkParams(params, (why) => corrupt(`meta: ${why}`))
  if (!graph || typeof graph.file !== 'string' || basename(graph.file) !== graph.file) throw corrupt('names no graph file')
  const graphPath = join(dirname(path), graph.file)
  if (!existsSync(graphPath)) throw corrupt(`its graph file ${graph.file} is missing`)
  const stats = statSync(graphPath, { bigint: true })
  if (Number(stats.size) !== graph.bytes) throw corrupt(`its graph file ${graph.file} has ${stats.size} bytes, ${graph.bytes} were saved`)
  // Hashed once; later loads of the unchanged file trust its stamp (src/core/artifact.ts).
  if (!verifiedBefore(stats, graphPath, graph.sha256)) {
    if (hashFile(graphPath).sha256 !== graph.sha256) throw corrupt(`checksum mismatch in its graph file ${graph.file} (damaged or replaced)`)
    noteVerified(graphPath, graph.sha256, stats)
  }
  return loadHnswFile(graphPath, params, { view: opts.view ?? true })
}

/** sha256 and size of a file, read through one small buffer. */
function hashFile(path: string): { bytes: number; sha256: string } {
  const h = createHash('sha256')
  const buf = Buffer.allocUnsafe(HASH_CHUNK)
  const fd = openSync(path, 'r')
  let bytes = 0
  try {
    for (let n = readSync(fd, buf, 0, HASH_CHUNK, null); n > 0; n = readSync(fd, buf, 0, HASH_CHUNK, null)) {
      h.update(buf.subarray(0, n))
      bytes += n
    }
  } finally {
    closeSync(fd)
  }
  return { bytes, sha256: h.digest('hex') }
}

function flush(path: string): void {
  const fd = openSync(path, 'r+')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}
