import { rowData, rowIndices, type Csr } from '../../core/csr.js'
import { SegueError, assertUnreachable } from '../../core/errors.js'
import type { UserRef } from '../types.js'

/**
 * How raw values (play counts, ratings) enter a model. Play counts are heavy-tailed (one listener's top
 * artist can have 100,000 plays), so most models learn from a damped or binary version of them.
 */
export type ValueScale = 'raw' | 'log1p' | 'binary'

export function scaleValue(v: number, scale: ValueScale): number {
  switch (scale) {
    case 'raw':
      return v
    case 'log1p':
      return Math.log1p(Math.max(v, 0))
    case 'binary':
      return v > 0 ? 1 : 0
    default:
      return assertUnreachable(scale)
  }
}

/** A copy of `m` with every stored value scaled; the sparsity pattern is kept. */
export function scaleMatrix(m: Csr, scale: ValueScale): Csr {
  if (scale === 'raw') return m
  const data = new Float32Array(m.data.length)
  for (let i = 0; i < data.length; i++) data[i] = scaleValue(m.data[i], scale)
  return { ...m, data }
}

/**
 * Whom a recommendation is for, in the model's terms: the items (sorted, distinct) and their scaled weights,
 * plus the dense user id when the user is known (kNN models leave the user out of their own neighbours).
 */
export interface Profile {
  items: Int32Array
  weights: Float32Array
  user?: number
}

/**
 * Resolves a UserRef against the training matrix: a known user's row, or an ad-hoc history folded in.
 * Unknown users and items are E_NOT_FOUND here, at the edge, rather than an index error deep in the maths.
 */
export function resolveProfile(ref: UserRef, matrix: Csr, scale: ValueScale, model: string): Profile {
  if ('user' in ref) {
    const u = ref.user
    if (!Number.isInteger(u) || u < 0 || u >= matrix.rows) {
      throw new SegueError('E_NOT_FOUND', `${model}: unknown user ${u} (the model knows users 0..${matrix.rows - 1})`)
    }
    const weights = Float32Array.from(rowData(matrix, u), (v) => scaleValue(v, scale))
    return { items: rowIndices(matrix, u), weights, user: u }
  }
  return historyProfile(ref.history, ref.weights, matrix.cols, scale, model)
}

/** Sorts a history, sums repeated items, and checks every item is one the model knows. */
function historyProfile(
  history: ArrayLike<number>,
  weights: ArrayLike<number> | undefined,
  items: number,
  scale: ValueScale,
  model: string,
): Profile {
  if (weights && weights.length !== history.length) {
    throw new SegueError('E_BAD_ARGUMENT', `${model}: history has ${history.length} items but ${weights.length} weights`)
  }
  const summed = new Map<number, number>()
  for (let i = 0; i < history.length; i++) {
    const item = history[i]
    if (!Number.isInteger(item) || item < 0 || item >= items) {
      throw new SegueError('E_NOT_FOUND', `${model}: unknown item ${item} in history (the model knows items 0..${items - 1})`)
    }
    summed.set(item, (summed.get(item) ?? 0) + (weights ? weights[i] : 1))
  }
  const sorted = Int32Array.from(summed.keys()).sort()
  return { items: sorted, weights: Float32Array.from(sorted, (item) => scaleValue(summed.get(item)!, scale)) }
}

/** Checks a dense item id before similarItems/explain use it. */
export function requireItem(item: number, items: number, model: string): void {
  if (!Number.isInteger(item) || item < 0 || item >= items) {
    throw new SegueError('E_NOT_FOUND', `${model}: unknown item ${item} (the model knows items 0..${items - 1})`)
  }
}
