import { rowIndices } from '../core/csr.js'
import { SegueError } from '../core/errors.js'
import { Rng } from '../core/rng.js'
import type { Interactions } from '../data/interactions.js'
import { partition, rowPositions, type Split } from './partition.js'

export type { Split } from './partition.js'

export interface HoldoutOptions {
  /** Share of each user's interactions sent to test, in (0, 1). Default 0.2. */
  fraction?: number
  seed?: number
}

/**
 * Random per-user holdout: round(fraction x n) of each user's n interactions go to test, at least one and at
 * most n - 1, so every split user keeps something to learn from. Users with fewer than 2 interactions stay in
 * train only. Deterministic for a given seed.
 */
export function randomHoldout(data: Interactions, opts: HoldoutOptions = {}): Split {
  const fraction = opts.fraction ?? 0.2
  if (!(fraction > 0 && fraction < 1)) throw new SegueError('E_BAD_ARGUMENT', `fraction must lie in (0, 1), got ${fraction}`)
  const rng = new Rng(opts.seed ?? 0)
  const toTest = new Set<number>()
  for (let u = 0; u < data.matrix.rows; u++) {
    const positions = rowPositions(data.matrix, u)
    if (positions.length < 2) continue
    const take = Math.min(positions.length - 1, Math.max(1, Math.round(fraction * positions.length)))
    for (const p of shuffled(positions, rng).slice(0, take)) toTest.add(p)
  }
  return checked(partition(data, (p) => toTest.has(p)))
}

/**
 * Leave-last-out: each user's latest interaction (by timestamp) goes to test. Ties go to the entry with the
 * larger dense item id so the choice is deterministic. Entries without a time are never chosen; users with
 * fewer than 2 interactions, or with no timed entry, stay in train only.
 */
export function leaveLastOut(data: Interactions): Split {
  const times = requireTimes(data, 'leaveLastOut')
  const toTest = new Set<number>()
  for (let u = 0; u < data.matrix.rows; u++) {
    const positions = rowPositions(data.matrix, u)
    if (positions.length < 2) continue
    const last = latestEntry(positions, times)
    if (last !== undefined) toTest.add(last)
  }
  return checked(partition(data, (p) => toTest.has(p)))
}

function latestEntry(positions: readonly number[], times: Float64Array): number | undefined {
  let best: number | undefined
  // Positions within a row ascend by item id, so `>=` lets a later tie win.
  for (const p of positions) if (!Number.isNaN(times[p]) && (best === undefined || times[p] >= times[best])) best = p
  return best
}

/** Where a temporal split cuts: a fixed time, or the q-quantile of all known timestamps. */
export type Cutoff = { after: number } | { quantile: number }

/**
 * Global temporal split: every interaction strictly after the cutoff time goes to test, the rest (and every
 * entry without a time) to train. This mimics deployment (learn from the past, predict the future), so test
 * users may have little or no training history: that is the point, and evaluate() reports them as cold.
 */
export function temporalSplit(data: Interactions, cutoff: Cutoff): Split {
  const times = requireTimes(data, 'temporalSplit')
  const t = 'after' in cutoff ? cutoff.after : quantileOf(times, cutoff.quantile)
  return checked(partition(data, (p) => times[p] > t))
}

/** The q-quantile of the known times by the lower nearest rank: the value at floor(q x (n - 1)) when sorted. */
export function quantileOf(times: Float64Array, q: number): number {
  if (!(q >= 0 && q <= 1)) throw new SegueError('E_BAD_ARGUMENT', `quantile must lie in [0, 1], got ${q}`)
  const known = times.filter((t) => !Number.isNaN(t)).sort()
  if (known.length === 0) throw new SegueError('E_BAD_ARGUMENT', 'no interaction has a timestamp')
  return known[Math.floor(q * (known.length - 1))]
}

/**
 * Per-user k-fold: each user's interactions are shuffled and dealt round-robin into k folds (from a random
 * starting fold, so small users do not all land in fold 0). Split f tests on fold f and trains on the rest, so
 * across the k splits every interaction is tested exactly once. A user with fewer than k interactions is absent
 * from some folds' test sets, and a user with one interaction has no training data in the fold that tests it.
 */
export function kFold(data: Interactions, k: number, opts: { seed?: number } = {}): Split[] {
  if (!Number.isInteger(k) || k < 2) throw new SegueError('E_BAD_ARGUMENT', `k must be an integer >= 2, got ${k}`)
  const fold = assignFolds(data, k, new Rng(opts.seed ?? 0))
  return Array.from({ length: k }, (_, f) => checked(partition(data, (p) => fold[p] === f)))
}

function assignFolds(data: Interactions, k: number, rng: Rng): Int32Array {
  const fold = new Int32Array(data.matrix.indices.length)
  for (let u = 0; u < data.matrix.rows; u++) {
    const start = rng.int(k)
    shuffled(rowPositions(data.matrix, u), rng).forEach((p, j) => (fold[p] = (start + j) % k))
  }
  return fold
}

export interface ValidationOptions extends HoldoutOptions {
  /** 'random' (default): a per-user random holdout; 'last': each user's latest interaction. */
  method?: 'random' | 'last'
}

/**
 * Carves a validation set out of a training set, for tuning: the returned `test` is the validation part, and
 * it is drawn from `train` only, so the real test set never influences model choice.
 */
export function validationSplit(train: Interactions, opts: ValidationOptions = {}): Split {
  return opts.method === 'last' ? leaveLastOut(train) : randomHoldout(train, opts)
}

/**
 * Throws E_BAD_ARGUMENT naming the first (user, item) pair, by raw ids, found in both train and test. Both must
 * share IdMaps (every split here does), else dense ids would not be comparable and the check would be void.
 */
export function assertNoLeak(train: Interactions, test: Interactions): void {
  if (train.users !== test.users || train.items !== test.items) {
    throw new SegueError('E_BAD_ARGUMENT', 'train and test must share the same user and item IdMaps')
  }
  const rows = Math.min(train.matrix.rows, test.matrix.rows)
  for (let u = 0; u < rows; u++) {
    const item = firstCommon(rowIndices(train.matrix, u), rowIndices(test.matrix, u))
    if (item === undefined) continue
    const pair = `user '${train.users.rawId(u)}', item '${train.items.rawId(item)}'`
    throw new SegueError('E_BAD_ARGUMENT', `test set leaks into train: (${pair}) is in both`)
  }
}

/** The first value in both sorted arrays (a merge walk), or undefined. */
function firstCommon(a: Int32Array, b: Int32Array): number | undefined {
  let i = 0
  let j = 0
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) return a[i]
    if (a[i] < b[j]) i++
    else j++
  }
  return undefined
}

function checked(split: Split): Split {
  assertNoLeak(split.train, split.test)
  return split
}

function requireTimes(data: Interactions, what: string): Float64Array {
  if (!data.times) throw new SegueError('E_BAD_ARGUMENT', `${what} needs timestamps, and these interactions have none`)
  return data.times
}

/** A Fisher-Yates shuffled copy. */
function shuffled<T>(xs: readonly T[], rng: Rng): T[] {
  const out = xs.slice()
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1)
    ;[out[i], out[j]] = [out[j], out[i]]
  }
  return out
}
