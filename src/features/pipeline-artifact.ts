import { decodeArtifact, encodeArtifact, type Blob } from '../core/artifact.js'
import { assertUnreachable, SegueError } from '../core/errors.js'
import { FEATURE_GROUPS, type FeatureGroup, validateConfig, type PipelineConfig } from './config.js'
import type { FittedPipeline } from './fit.js'
import type { NumericSource, Slot } from './layout.js'
import { makeVocabulary, type TermGroup } from './text-terms.js'

export const PIPELINE_ARTIFACT = { kind: 'feature-pipeline', version: 1 } as const

/**
 * Layout of a saved pipeline. Strings and structure go in the header's JSON meta; every fitted number goes
 * in a float64 blob, so values (including the infinite fences of uncapped columns) come back bit for bit.
 *   numeric     f64, 4 per numeric slot: lo, hi, center, scale
 *   idf:genre   f64, one per genre term (idf:artist likewise)
 *   blockScale  f64, one per group in FEATURE_GROUPS order
 *   era         f64: medianYear, referenceYear
 */
type SlotMeta =
  | { kind: 'numeric'; name: string; group: 'audio' | 'era'; source: NumericSource; log: boolean }
  | { kind: 'key-circle' }
  | { kind: 'terms'; group: TermGroup; encoding: 'onehot' | 'tfidf'; terms: string[] }

interface PipelineMeta {
  config: PipelineConfig
  slots: SlotMeta[]
}

export function encodePipeline(fitted: FittedPipeline, key: string): Buffer {
  const numeric: number[] = []
  const blobs: Record<string, Blob> = {}
  const slots = fitted.slots.map((slot): SlotMeta => {
    switch (slot.kind) {
      case 'numeric': {
        const { log, lo, hi, center, scale } = slot.params
        numeric.push(lo, hi, center, scale)
        return { kind: 'numeric', name: slot.name, group: slot.group, source: slot.source, log }
      }
      case 'key-circle':
        return slot
      case 'terms':
        blobs[`idf:${slot.group}`] = slot.vocab.idf
        return { kind: 'terms', group: slot.group, encoding: slot.encoding, terms: slot.vocab.terms }
      default:
        return assertUnreachable(slot)
    }
  })
  blobs.numeric = Float64Array.from(numeric)
  blobs.blockScale = Float64Array.from(FEATURE_GROUPS, (g) => fitted.blockScale[g])
  blobs.era = Float64Array.from([fitted.era.medianYear, fitted.era.referenceYear])
  const meta: PipelineMeta = { config: fitted.config, slots }
  return encodeArtifact({ ...PIPELINE_ARTIFACT, key, meta: meta as unknown as Record<string, unknown> }, blobs)
}

/** Null when the artifact was built from something else (its key differs); throws E_ARTIFACT_CORRUPT on damage. */
export function decodePipeline(bytes: Uint8Array, expectedKey: string, source: string): FittedPipeline | null {
  const art = decodeArtifact(bytes, PIPELINE_ARTIFACT, source)
  if (art.header.key !== expectedKey) return null
  try {
    return rebuild(art.header.meta as unknown as PipelineMeta, art.blobs as Record<string, Float64Array>)
  } catch (cause) {
    throw new SegueError('E_ARTIFACT_CORRUPT', `${source}: feature pipeline parameters are inconsistent`, { cause })
  }
}

function rebuild(meta: PipelineMeta, blobs: Record<string, Float64Array>): FittedPipeline {
  validateConfig(meta.config)
  const numeric = blobs.numeric
  let n = 0
  const slots = meta.slots.map((s): Slot => {
    switch (s.kind) {
      case 'numeric': {
        const [lo, hi, center, scale] = numeric.subarray(4 * n, 4 * n + 4)
        n += 1
        return { kind: 'numeric', name: s.name, group: s.group, source: s.source, params: { log: s.log, lo, hi, center, scale } }
      }
      case 'key-circle':
        return s
      case 'terms':
        return { kind: 'terms', group: s.group, encoding: s.encoding, vocab: makeVocabulary(s.terms, idfFor(s, blobs)) }
      default:
        return assertUnreachable(s)
    }
  })
  if (4 * n !== numeric.length) throw new Error('numeric parameter count does not match the slots')
  const scales = blobs.blockScale
  const blockScale = Object.fromEntries(FEATURE_GROUPS.map((g, i) => [g, scales[i]])) as Record<FeatureGroup, number>
  return { config: meta.config, slots, era: { medianYear: blobs.era[0], referenceYear: blobs.era[1] }, blockScale }
}

function idfFor(s: { group: TermGroup; terms: string[] }, blobs: Record<string, Float64Array>): Float64Array {
  const idf = blobs[`idf:${s.group}`]
  if (!(idf instanceof Float64Array) || idf.length !== s.terms.length) throw new Error(`idf of ${s.group} does not match its terms`)
  return idf
}
