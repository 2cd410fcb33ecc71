import { hostname } from 'node:os'
import type pg from 'pg'
import { publishModel } from '../rollout/versions.js'

/** The seam to src/rollout: a trained artifact becomes the active version every server loads. */
export function publishVersion(pool: pg.Pool, name: string, bytes: Uint8Array, meta: Record<string, unknown>): Promise<number> {
  return publishModel(pool, name, bytes, meta, { publishedBy: `segue worker@${hostname()}` })
}
