import { SegueError } from '../../core/errors.js'
import type { IdMap } from '../../core/ids.js'

/**
 * What the neural hybrid may know beyond the plays, keyed by raw ids so one SideInputs serves every split of a
 * dataset. All parts are optional: without them the model is a plain two-tower recommender over ids.
 */
export interface SideInputs {
  /** Categorical user fields (gender, age group, occupation...): codes 1..size-1 per user; 0 means unknown. */
  users?: { fields: readonly SideField[]; codes: ReadonlyMap<string, ArrayLike<number>> }
  /** Item content (genres, release-year bucket, tags, audio features) fed to the item tower. */
  itemContent?: FeatureTable
  /** Vectors whose cosine is the similarity the ILS penalty lowers (genres, artist one-hot, features). */
  diversity?: FeatureTable
}

export interface SideField {
  name: string
  /** Number of codes including 0 (unknown). */
  size: number
}

export interface FeatureTable {
  dims: number
  rows: ReadonlyMap<string, ArrayLike<number>>
}

/** SideInputs resolved to dense ids of one Interactions. */
export interface DenseSide {
  fields: SideField[]
  /** users x fields codes. */
  userCodes: Int32Array
  contentDims: number
  /** items x contentDims (zeros where an item has none). */
  content: Float32Array
  diversityDims: number
  /** items x diversityDims, rows L2-normalised. */
  diversity: Float32Array
}

export function resolveSide(side: SideInputs, users: IdMap, items: IdMap): DenseSide {
  const fields = [...(side.users?.fields ?? [])]
  const userCodes = new Int32Array(users.size * fields.length)
  if (side.users) {
    for (let u = 0; u < users.size; u++) {
      const codes = side.users.codes.get(users.rawId(u))
      if (codes) userCodes.set(checkCodes(codes, fields, users.rawId(u)), u * fields.length)
    }
  }
  const content = denseTable(side.itemContent, items, false)
  const diversity = denseTable(side.diversity, items, true)
  return { fields, userCodes, contentDims: side.itemContent?.dims ?? 0, content, diversityDims: side.diversity?.dims ?? 0, diversity }
}

/** Codes of a new listener's side fields, checked against the fitted fields. */
export function checkCodes(codes: ArrayLike<number>, fields: readonly SideField[], who: string): Int32Array {
  if (codes.length !== fields.length) {
    throw new SegueError('E_BAD_ARGUMENT', `neural-hybrid: user '${who}' has ${codes.length} side codes, the model has ${fields.length} fields`)
  }
  return Int32Array.from(codes, (c, f) => {
    if (!Number.isInteger(c) || c < 0 || c >= fields[f].size) {
      throw new SegueError('E_BAD_ARGUMENT', `neural-hybrid: side field '${fields[f].name}' of '${who}' must be an integer in [0, ${fields[f].size}), got ${c}`)
    }
    return c
  })
}

function denseTable(table: FeatureTable | undefined, items: IdMap, normalise: boolean): Float32Array {
  if (!table) return new Float32Array(0)
  const out = new Float32Array(items.size * table.dims)
  for (let i = 0; i < items.size; i++) {
    const row = table.rows.get(items.rawId(i))
    if (!row) continue
    if (row.length !== table.dims) throw new SegueError('E_BAD_ARGUMENT', `neural-hybrid: item '${items.rawId(i)}' has ${row.length} features, expected ${table.dims}`)
    let norm = 0
    for (let k = 0; k < row.length; k++) norm += row[k] * row[k]
    const scale = normalise ? (norm > 0 ? 1 / Math.sqrt(norm) : 0) : 1
    for (let k = 0; k < row.length; k++) out[i * table.dims + k] = row[k] * scale
  }
  return out
}
