import { existsSync, readFileSync } from 'node:fs'
import { writeFileAtomic } from '../core/artifact.js'
import type { Track } from '../core/track.js'
import { type FeatureGroup, type PipelineConfig, resolveConfig } from './config.js'
import { explainPair, type FeatureExplanation } from './explain.js'
import { fitPipeline, type FittedPipeline } from './fit.js'
import { layoutDims, slotColumnNames, slotGroup, slotWidth, writeRawRow } from './layout.js'
import type { NumericParams } from './numeric-column.js'
import { decodePipeline, encodePipeline } from './pipeline-artifact.js'

export { DEFAULT_PIPELINE, type FeatureGroup, type PipelineConfig } from './config.js'
export type { FeatureExplanation } from './explain.js'

export interface PipelineColumn {
  name: string
  group: FeatureGroup
}

/**
 * Turns tracks into dense float32 vectors for nearest-neighbour search. Fitted once on a catalogue, then
 * applied to any track; every fitted number is saved with it so that a loaded pipeline transforms bit for
 * bit as the fitted one did.
 *
 * Output: audio block, genre block, artist block, era block (absent blocks take no dims). Dense blocks are
 * divided by the square root of their total variance on the training tracks, term blocks have unit-norm rows,
 * and each block is then multiplied by its weight: at equal weights a typical audio difference and a wholly
 * different genre weigh the same in squared euclidean distance, and weight 0 zeroes the block. Audio and era columns are centred by the scaler (except under 'minmax'); prefer 'standard' or
 * 'robust' when the index uses cosine, which measures angles from the origin.
 */
export interface ExplainOptions {
  /** The two tracks' transformed rows where the caller holds them (an engine's matrix): saves re-encoding. */
  vectors?: { a: Float32Array; b: Float32Array }
  /** Include shared genre and artist terms (default true); without them only numeric features are named. */
  terms?: boolean
}

export class FeaturePipeline {
  readonly dims: number
  readonly config: PipelineConfig
  private readonly fitted: FittedPipeline
  /** Per output dim: block scale times group weight. */
  private readonly factors: Float64Array
  private readonly scratch: Float64Array

  private constructor(fitted: FittedPipeline) {
    this.fitted = fitted
    this.config = fitted.config
    this.dims = layoutDims(fitted.slots)
    this.factors = new Float64Array(this.dims)
    this.scratch = new Float64Array(this.dims)
    let offset = 0
    for (const slot of fitted.slots) {
      const group = slotGroup(slot)
      this.factors.fill(fitted.blockScale[group] * this.config.weights[group], offset, offset + slotWidth(slot))
      offset += slotWidth(slot)
    }
  }

  /** Fits scalers, caps, vocabularies and block scales on `tracks`; throws E_BAD_ARGUMENT on a bad config. */
  static fit(tracks: readonly Track[], config: Partial<PipelineConfig> = {}): FeaturePipeline {
    return new FeaturePipeline(fitPipeline(tracks, resolveConfig(config)))
  }

  /** The name and group of each output dim, e.g. 'energy', 'key_sin', 'genre:rock', 'artist:Adele', 'release_year'. */
  columns(): PipelineColumn[] {
    return this.fitted.slots.flatMap((slot) => slotColumnNames(slot).map((name) => ({ name, group: slotGroup(slot) })))
  }

  /**
   * The same fitted pipeline with other group weights: weights act after fitting, so trying weightings (in a
   * hyper-parameter search, say) needs no refit. Throws E_BAD_ARGUMENT on a negative or unknown weight.
   */
  withWeights(weights: Partial<Record<FeatureGroup, number>>): FeaturePipeline {
    const config = resolveConfig({ ...this.config, weights: { ...this.config.weights, ...weights } })
    return new FeaturePipeline({ ...this.fitted, config })
  }

  /** The fitted block scale of a group before its weight: 1 / sqrt(total variance) for audio and era, 1 for terms. */
  blockScale(group: FeatureGroup): number {
    return this.fitted.blockScale[group]
  }

  /** Fitted log/clip/scale parameters of a numeric column ('energy', 'release_year', ...), if it exists. */
  numericParams(name: string): Readonly<NumericParams> | undefined {
    const slot = this.fitted.slots.find((s) => s.kind === 'numeric' && s.name === name)
    return slot?.kind === 'numeric' ? slot.params : undefined
  }

  /** n x dims, row-major. */
  transform(tracks: readonly Track[]): Float32Array {
    const out = new Float32Array(tracks.length * this.dims)
    tracks.forEach((t, i) => this.writeRow(t, out, i * this.dims))
    return out
  }

  transformOne(track: Track): Float32Array {
    const out = new Float32Array(this.dims)
    this.writeRow(track, out, 0)
    return out
  }

  /**
   * Which features made two tracks close: each audio (and era) feature with both raw values in original units
   * and its share of the squared euclidean distance, plus the genres and artists they share; closest first.
   */
  explain(a: Track, b: Track, top = Infinity, opts: ExplainOptions = {}): FeatureExplanation[] {
    const v = opts.vectors
    const pair = { a, b, va: v?.a ?? this.transformOne(a), vb: v?.b ?? this.transformOne(b) }
    return explainPair(this.fitted, this.factors, pair, top, opts.terms ?? true)
  }

  /** The artifact bytes (kind 'feature-pipeline', version 1); `key` names what the pipeline was fitted on. */
  toBytes(key: string): Buffer {
    return encodePipeline(this.fitted, key)
  }

  /** Null when the key differs; throws E_ARTIFACT_CORRUPT on damage, E_ARTIFACT_VERSION on another format. */
  static fromBytes(bytes: Uint8Array, expectedKey: string, source = 'feature pipeline'): FeaturePipeline | null {
    const fitted = decodePipeline(bytes, expectedKey, source)
    return fitted === null ? null : new FeaturePipeline(fitted)
  }

  /** Written atomically: a reader never sees half a file. */
  save(path: string, key: string): void {
    writeFileAtomic(path, this.toBytes(key))
  }

  /**
   * Null when there is no file at `path` or it was saved under another key (both mean: fit again); throws
   * E_ARTIFACT_CORRUPT when the file is damaged.
   */
  static load(path: string, expectedKey: string): FeaturePipeline | null {
    if (!existsSync(path)) return null
    return FeaturePipeline.fromBytes(readFileSync(path), expectedKey, path)
  }

  private writeRow(track: Track, out: Float32Array, offset: number): void {
    writeRawRow(this.fitted.slots, this.fitted.era, track, this.scratch)
    for (let d = 0; d < this.dims; d++) out[offset + d] = this.scratch[d] * this.factors[d]
  }
}
