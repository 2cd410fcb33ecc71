import type { Blob } from '../../core/artifact.js'
import type { Csr } from '../../core/csr.js'
import { SegueError } from '../../core/errors.js'
import { IdMap } from '../../core/ids.js'
import type { Interactions } from '../../data/interactions.js'
import type { ModelArtifact } from '../types.js'

/** The header every model built on BaseRecommender writes into its artifact's meta. */
export interface SavedMeta {
  options: Record<string, unknown>
  users: number
  items: number
  kind: Interactions['kind']
  /** Raw ids in dense order, so a loaded model converts ids exactly as the fitted one did. */
  userIds: string[]
  itemIds: string[]
}

export const SAVED_VERSION = 1

/** Checks an artifact's kind and version before anything in it is used. */
export function checkSaved(a: ModelArtifact, kind: string): SavedMeta {
  if (a.kind !== kind) throw new SegueError('E_ARTIFACT_CORRUPT', `expected a saved '${kind}' model, got '${a.kind}'`)
  if (a.version !== SAVED_VERSION) {
    throw new SegueError('E_ARTIFACT_VERSION', `saved '${kind}' model has format version ${a.version}, this segue reads ${SAVED_VERSION}`)
  }
  return a.meta as unknown as SavedMeta
}

/** A named blob of the expected type, or E_ARTIFACT_CORRUPT naming it. */
export function savedBlob<T extends Blob>(a: ModelArtifact, name: string, type: abstract new (...args: never[]) => T, length?: number): T {
  const b = a.blobs[name]
  if (!(b instanceof type) || (length !== undefined && b.length !== length)) {
    throw new SegueError('E_ARTIFACT_CORRUPT', `saved '${a.kind}' model: blob '${name}' is missing, of the wrong type or size`)
  }
  return b
}

/** The training interactions a saved model carries (seen items, user rows, id maps). */
export function savedInteractions(a: ModelArtifact, meta: SavedMeta): Interactions {
  const matrix: Csr = {
    rows: meta.users,
    cols: meta.items,
    indptr: savedBlob(a, 'indptr', Int32Array, meta.users + 1),
    indices: savedBlob(a, 'indices', Int32Array),
    data: savedBlob(a, 'data', Float32Array),
  }
  if (meta.userIds.length !== meta.users || meta.itemIds.length !== meta.items) {
    throw new SegueError('E_ARTIFACT_CORRUPT', `saved '${a.kind}' model: id lists do not match its ${meta.users} users and ${meta.items} items`)
  }
  return { users: IdMap.from(meta.userIds), items: IdMap.from(meta.itemIds), matrix, kind: meta.kind }
}
