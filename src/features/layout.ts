import { assertUnreachable, SegueError } from '../core/errors.js'
import { AUDIO_FEATURES, type AudioFeature, type Track } from '../core/track.js'
import type { FeatureGroup } from './config.js'
import { applyNumeric, type NumericParams } from './numeric-column.js'
import { encodeTerms, termsOf, type TermGroup, type Vocabulary } from './text-terms.js'

/** Where a numeric column's raw value comes from: an audio feature or an engineered era value. */
export type NumericSource = AudioFeature | 'release_year' | 'track_age'

/**
 * One piece of the output vector. The vector is the concatenation of slots, grouped into contiguous blocks
 * (audio, genre, artist, era), each block later multiplied by its block scale and weight.
 *
 * `key` is a pitch class 0..11 on a circle (B is next to C), so it is encoded as (sin, cos) of its angle
 * rather than scaled as a number; Spotify's -1 ("no key detected") maps to (0, 0), the circle's centre.
 * Each of sin and cos has variance 1/2 over uniformly spread keys, so the pair weighs like one unit column.
 */
export type Slot =
  | { kind: 'numeric'; name: string; group: 'audio' | 'era'; source: NumericSource; params: NumericParams }
  | { kind: 'key-circle' }
  | { kind: 'terms'; group: TermGroup; encoding: 'onehot' | 'tfidf'; vocab: Vocabulary }

/** Era facts fitted on training tracks: the imputed year for tracks without one, and "now" for track age. */
export interface EraParams {
  medianYear: number
  referenceYear: number
}

export function slotWidth(slot: Slot): number {
  switch (slot.kind) {
    case 'numeric':
      return 1
    case 'key-circle':
      return 2
    case 'terms':
      return slot.vocab.terms.length
    default:
      return assertUnreachable(slot)
  }
}

export function slotGroup(slot: Slot): FeatureGroup {
  return slot.kind === 'key-circle' ? 'audio' : slot.group
}

export function slotColumnNames(slot: Slot): string[] {
  switch (slot.kind) {
    case 'numeric':
      return [slot.name]
    case 'key-circle':
      return ['key_sin', 'key_cos']
    case 'terms':
      return slot.vocab.terms.map((t) => `${slot.group}:${t}`)
    default:
      return assertUnreachable(slot)
  }
}

/** The value of an audio feature, checked: a NaN here would silently poison every distance. */
export function audioValue(track: Track, feature: AudioFeature): number {
  const v = track.features[AUDIO_FEATURES.indexOf(feature)]
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new SegueError('E_BAD_ARGUMENT', `track '${track.id}': audio feature '${feature}' is ${String(v)}, expected a finite number`)
  }
  return v
}

/** The raw value of a numeric source in original units (years for release_year, years for track_age). */
export function sourceValue(track: Track, source: NumericSource, era: EraParams): number {
  if (source === 'release_year') return yearOf(track, era)
  if (source === 'track_age') return Math.max(0, era.referenceYear - yearOf(track, era))
  return audioValue(track, source)
}

/** The release year, or the fitted median year where it is unknown. */
export function yearOf(track: Track, era: EraParams): number {
  const y = track.releaseYear
  return y !== null && Number.isFinite(y) ? y : era.medianYear
}

/** Writes one slot's unweighted values for a track at out[offset ...]; out must be zero there beforehand. */
export function writeSlot(slot: Slot, track: Track, era: EraParams, out: Float64Array, offset: number): void {
  switch (slot.kind) {
    case 'numeric':
      out[offset] = applyNumeric(slot.params, sourceValue(track, slot.source, era))
      return
    case 'key-circle':
      writeKeyCircle(audioValue(track, 'key'), out, offset)
      return
    case 'terms':
      encodeTerms(slot.vocab, slot.encoding, termsOf(slot.group, track), out, offset)
      return
    default:
      assertUnreachable(slot)
  }
}

function writeKeyCircle(key: number, out: Float64Array, offset: number): void {
  if (key < 0) return
  const angle = (2 * Math.PI * key) / 12
  out[offset] = Math.sin(angle)
  out[offset + 1] = Math.cos(angle)
}

/** Total width of a list of slots. */
export function layoutDims(slots: readonly Slot[]): number {
  return slots.reduce((sum, s) => sum + slotWidth(s), 0)
}

/** The unweighted row of a track (before block scales and weights) into out, which is cleared first. */
export function writeRawRow(slots: readonly Slot[], era: EraParams, track: Track, out: Float64Array): void {
  out.fill(0)
  let offset = 0
  for (const slot of slots) {
    writeSlot(slot, track, era, out, offset)
    offset += slotWidth(slot)
  }
}
