import { existsSync } from 'node:fs'
import { loadArtifact, saveArtifact } from '../core/artifact.js'
import { SegueError } from '../core/errors.js'
import type { HnswParams } from './hnsw-backend.js'
import { type HnswIndex, checkParams, loadHnswIndex } from './hnsw-index.js'

/** Bump when the saved layout changes; older files are then refused with E_ARTIFACT_VERSION and rebuilt. */
export const HNSW_ARTIFACT = { kind: 'hnsw-index', version: 1 } as const

/**
 * Saves the index atomically as a checksummed artifact. `key` says what it was built from (catalogue checksum,
 * feature pipeline, parameters); the meta holds the backend, metric, dims and graph parameters.
 */
export function saveHnswArtifact(path: string, index: HnswIndex, key: string): void {
  saveArtifact(path, { ...HNSW_ARTIFACT, key, meta: { ...index.params } }, { graph: index.serialize() })
}

/**
 * Reopens a saved index, or returns null when there is nothing to reuse (no file, or a file built from
 * something else than `expectedKey`) so the caller rebuilds. Damage throws E_ARTIFACT_CORRUPT, an older
 * format E_ARTIFACT_VERSION.
 */
export function loadHnswArtifact(path: string, expectedKey: string): HnswIndex | null {
  if (!existsSync(path)) return null
  // The graph is written straight back out for the native loader, so a view of the file's bytes will do.
  const { header, blobs } = loadArtifact(path, HNSW_ARTIFACT, { copy: false })
  if (header.key !== expectedKey) return null
  const corrupt = (why: string) => new SegueError('E_ARTIFACT_CORRUPT', `${path}: ${why}`)
  const graph = blobs.graph
  if (!(graph instanceof Uint8Array)) throw corrupt('has no graph blob')
  const params = header.meta as unknown as HnswParams
  checkParams(params, (why) => corrupt(`meta: ${why}`))
  return loadHnswIndex(graph, params)
}
