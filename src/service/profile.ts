import type { CatalogueView } from '../engine.js'
import type { FeedbackEvent } from '../store/store.js'

/** Why a track is in a listener's profile: a seed they picked for this request, or their own feedback. */
export type PositiveKind = 'seed' | 'like' | 'play'

export interface Positive {
  row: number
  kind: PositiveKind
  /** Larger means more telling; recent feedback counts more than old. */
  weight: number
}

/** What segue knows of a listener's taste, on catalogue rows. */
export interface Profile {
  /** Tracks the listener likes, played or picked as seeds, heaviest first. */
  positives: Positive[]
  /** Tracks skipped (weight 0.5) or disliked (weight 1): never offered again, and their sound counts against. */
  negatives: { row: number; weight: number }[]
  /** Every track the listener has given feedback on or picked: not offered as something new. */
  heard: Set<number>
  /** duplicateKeys of heard tracks, so another release of the same recording is not offered either. */
  heardKeys: Set<string>
}

const KIND_WEIGHT: Record<PositiveKind, number> = { seed: 1, like: 1, play: 0.35 }
/** Each older event counts this much less than the next one, down to RECENCY_FLOOR. */
const RECENCY_DECAY = 0.93
const RECENCY_FLOOR = 0.25

/**
 * Folds a listener's events (oldest first) and this request's seeds into a profile. For each track the last
 * like, skip or dislike decides whether it is a positive or a negative; plays add weight to tracks that are
 * not negative. Seeds always count fully. Tracks the catalogue no longer holds are ignored.
 */
export function buildProfile(view: CatalogueView, events: readonly FeedbackEvent[], seeds: readonly string[] = []): Profile {
  const verdict = new Map<number, { kind: 'like' | 'skip' | 'dislike' | 'play'; weight: number }>()
  const age = (i: number) => Math.max(RECENCY_FLOOR, RECENCY_DECAY ** (events.length - 1 - i))
  events.forEach((e, i) => {
    const row = view.rowOf.get(e.trackId)
    if (row === undefined) return
    const prior = verdict.get(row)
    if (e.kind === 'play') {
      if (!prior) verdict.set(row, { kind: 'play', weight: KIND_WEIGHT.play * age(i) })
      else if (prior.kind === 'play' || prior.kind === 'like') prior.weight = Math.max(prior.weight, KIND_WEIGHT[prior.kind] * age(i))
      return
    }
    verdict.set(row, { kind: e.kind, weight: e.kind === 'like' ? KIND_WEIGHT.like * age(i) : e.kind === 'dislike' ? 1 : 0.5 })
  })
  const positives: Positive[] = []
  const negatives: { row: number; weight: number }[] = []
  for (const [row, v] of verdict) {
    if (v.kind === 'skip' || v.kind === 'dislike') negatives.push({ row, weight: v.weight })
    else positives.push({ row, kind: v.kind, weight: v.weight })
  }
  for (const id of seeds) {
    const row = view.rowOf.get(id)
    if (row === undefined || verdict.get(row)?.kind === 'dislike' || verdict.get(row)?.kind === 'skip') continue
    const at = positives.findIndex((p) => p.row === row)
    if (at >= 0) positives.splice(at, 1)
    positives.push({ row, kind: 'seed', weight: KIND_WEIGHT.seed })
  }
  positives.sort((a, b) => b.weight - a.weight || a.row - b.row)
  const heard = new Set<number>([...verdict.keys(), ...positives.map((p) => p.row)])
  const heardKeys = new Set([...heard].map((row) => view.dupKeys[row]))
  return { positives, negatives, heard, heardKeys }
}

/** True when a row may be offered to the listener: not heard, and not another release of a heard track. */
export function isFresh(view: CatalogueView, p: Profile, row: number): boolean {
  return !p.heard.has(row) && !p.heardKeys.has(view.dupKeys[row])
}
