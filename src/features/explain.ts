import { assertUnreachable } from '../core/errors.js'
import type { Track } from '../core/track.js'
import { audioValue, slotWidth, sourceValue, type Slot } from './layout.js'
import type { FittedPipeline } from './fit.js'
import { termsOf } from './text-terms.js'

/** One reason two tracks are close (or far): raw values in original units and a share of the distance. */
export interface FeatureExplanation {
  /** An audio feature, 'release_year', 'track_age', or a shared term such as 'genre:rock' or 'artist:Adele'. */
  feature: string
  a: number
  b: number
  /** Squared difference of the weighted output dims of this feature: its part of the squared euclidean distance. */
  contribution: number
}

/**
 * Every numeric feature (key counts once for its sin/cos pair) and every vocabulary term the two tracks share
 * (a: 1, b: 1), closest first; ties keep the column order. Terms carried by only one track are left out
 * since they push apart rather than explain closeness, and so are shared terms of a group weighted 0.
 */
export interface ExplainPair {
  a: Track
  b: Track
  /** The weighted output vectors of a and b. */
  va: Float32Array
  vb: Float32Array
}

export function explainPair(fitted: FittedPipeline, factors: Float64Array, pair: ExplainPair, top: number, terms = true): FeatureExplanation[] {
  const out: FeatureExplanation[] = []
  let offset = 0
  for (const slot of fitted.slots) {
    if (terms || slot.kind !== 'terms') out.push(...explainSlot(slot, offset, { fitted, pair, weighted: factors[offset] > 0 }))
    offset += slotWidth(slot)
  }
  return out.sort((x, y) => x.contribution - y.contribution).slice(0, top)
}

interface SlotContext {
  fitted: FittedPipeline
  pair: ExplainPair
  /** Whether the slot's group has a weight above 0 (shared terms of a zero-weight group explain nothing). */
  weighted: boolean
}

function explainSlot(slot: Slot, offset: number, { fitted, pair, weighted }: SlotContext): FeatureExplanation[] {
  const sq = (from: number, width: number) => squaredDiff(pair.va, pair.vb, from, width)
  switch (slot.kind) {
    case 'numeric': {
      const [a, b] = [pair.a, pair.b].map((t) => sourceValue(t, slot.source, fitted.era))
      return [{ feature: slot.name, a, b, contribution: sq(offset, 1) }]
    }
    case 'key-circle':
      return [{ feature: 'key', a: audioValue(pair.a, 'key'), b: audioValue(pair.b, 'key'), contribution: sq(offset, 2) }]
    case 'terms': {
      if (!weighted) return []
      const inB = new Set(termsOf(slot.group, pair.b))
      const shared = termsOf(slot.group, pair.a).filter((t) => inB.has(t) && slot.vocab.index.has(t))
      return shared.map((t) => ({ feature: `${slot.group}:${t}`, a: 1, b: 1, contribution: sq(offset + slot.vocab.index.get(t)!, 1) }))
    }
    default:
      return assertUnreachable(slot)
  }
}

function squaredDiff(va: Float32Array, vb: Float32Array, from: number, width: number): number {
  let sum = 0
  for (let d = from; d < from + width; d++) sum += (va[d] - vb[d]) ** 2
  return sum
}
