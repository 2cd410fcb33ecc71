import type { Blob } from '../../core/artifact.js'
import type { Interactions } from '../../data/interactions.js'
import { BaseRecommender, type FittedBase, type TrainResult } from '../../models/shared/base.js'
import { assertFinite } from '../../models/shared/finite.js'
import { requireItem, resolveProfile, type Profile } from '../../models/shared/profile.js'
import { savedOptions } from '../../models/shared/options.js'
import { savedBlob } from '../../models/shared/saved.js'
import { itemPopularity } from '../../models/shared/popularity-vector.js'
import type { FitOptions, ModelArtifact, RecommendOptions, Scored, UserRef } from '../../models/types.js'
import { selectTopN } from '../../rerank/select.js'
import type { EpochRecord } from '../trainer.js'
import { neuralHybridOptions, type NeuralHybridOptions } from './options.js'
import { forward, scoreCandidates, scoreItems, type FrozenTower } from './serving.js'
import { checkCodes, resolveSide, type SideField, type SideInputs } from './side.js'
import type { Frozen } from './training.js'

/** The two-tower network alone (no classic first stage): kept for its ILS-penalty ablation; not registered. */
export const NEURAL_TWO_TOWER_KIND = 'neural-two-tower'

interface State extends FittedBase {
  frozen: Frozen
  fields: SideField[]
  userCodes: Int32Array
  dims: number
  sideDims: number
  history: EpochRecord[]
  stoppedBy: string
}

/**
 * The listwise neural hybrid: a user tower (user-id embedding, the mean of the history's item embeddings, side
 * fields such as gender and age group) and an item tower (item-id embedding, content such as genres, release
 * year, tags or audio features), each Linear + BatchNorm + ReLU and a residual block, scored by their dot
 * product. Trained with ListNet's top-one loss (Cao et al. 2007) over each user's candidate list (positives
 * plus sampled negatives), optionally plus a soft intra-list-similarity penalty (losses.ts) that trades
 * accuracy for lists of unlike items. Id embeddings are dropped at random while training, so a new listener is
 * served from their history and side fields and a new track from its content. Trained by the shared deep loop
 * (src/deep/trainer.ts: Adam, clipping, reduce-on-plateau, early stopping, best weights); served from
 * typed arrays with no TensorFlow.js call, so recommend() is synchronous and a loaded model needs no backend.
 */
export class NeuralTwoTowerRecommender extends BaseRecommender<State> {
  readonly name = NEURAL_TWO_TOWER_KIND
  protected readonly scale = 'binary' as const
  readonly config: NeuralHybridOptions
  /** Training runs (checkpoints, resume, progress lines) for `segue train`; unused by plain fit(). */
  trainRun: { checkpointDir?: string; resume?: boolean; progress?: boolean } = {}

  constructor(options: Partial<NeuralHybridOptions> = {}, private readonly side: SideInputs = {}) {
    super()
    this.config = neuralHybridOptions(options)
  }

  /** The per-epoch history of the last fit (loss, validation loss, sampled NDCG@10, learning rate). */
  get history(): EpochRecord[] {
    return this.fitted().history
  }

  /** Why the last fit stopped: 'epochs' or 'early-stop'. */
  get stoppedBy(): string {
    return this.fitted().stoppedBy
  }

  protected async train(data: Interactions, opts: FitOptions): Promise<TrainResult<State>> {
    const side = resolveSide(this.side, data.users, data.items)
    const onEpoch = (e: EpochRecord) => opts.onProgress?.({ iteration: e.epoch, total: this.config.epochs, seconds: e.seconds, loss: e.loss })
    // Loaded here, not at the top: listing or serving models must not load TensorFlow.js.
    const { trainNetwork } = await import('./training.js')
    const out = await trainNetwork(data, side, this.config, { seed: opts.seed ?? 0, signal: opts.signal, onEpoch, ...this.trainRun })
    assertFinite(out.frozen.itemVecs, this.name, 'item vectors', 'try a smaller learningRate or clipNorm')
    const state: State = {
      data,
      popularity: itemPopularity(data.matrix),
      frozen: out.frozen,
      fields: side.fields,
      userCodes: side.userCodes,
      dims: this.config.dims,
      sideDims: this.config.sideDims,
      history: out.history,
      stoppedBy: out.stoppedBy,
    }
    return { state, iterations: out.history.length, loss: out.history.map((h) => h.loss) }
  }

  protected scoreProfile(state: State, profile: Profile): Float32Array {
    return scoreItems(state.frozen.itemVecs, state.frozen.itemBias, this.userVector(state, profile))
  }

  /** A new listener described by side fields (codes per field, 0 unknown) and any plays so far. */
  recommendForListener(history: ArrayLike<number>, codes: ArrayLike<number>, opts: RecommendOptions = {}): Scored[] {
    const state = this.fitted()
    const profile = resolveProfile({ history }, state.data.matrix, this.scale, this.name)
    const scores = scoreItems(state.frozen.itemVecs, state.frozen.itemBias, this.userVector(state, profile, checkCodes(codes, state.fields, 'new listener')))
    return selectTopN(scores, { n: opts.n ?? 10, exclude: opts.excludeSeen === false ? undefined : profile.items, filter: opts.filter, backfill: state.popularity })
  }

  /** Scores of the given candidates only, for re-ranking another stage's list (the serving path). */
  scoreCandidates(user: UserRef, candidates: ArrayLike<number>): Float32Array {
    const state = this.fitted()
    for (let c = 0; c < candidates.length; c++) requireItem(candidates[c], state.data.matrix.cols, this.name)
    return scoreCandidates(state.frozen.itemVecs, state.frozen.itemBias, this.userVector(state, this.profile(state, user)), candidates)
  }

  /** Every item's vector (items x dims), for indexes and similar-item search. */
  itemVectors(): { data: Float32Array; dims: number } {
    const state = this.fitted()
    return { data: state.frozen.itemVecs, dims: state.dims }
  }

  protected similarScores(state: State, item: number): Float32Array {
    const { itemVecs } = state.frozen
    const d = state.dims
    const q = itemVecs.subarray(item * d, item * d + d)
    const qn = Math.hypot(...q) || 1
    const out = new Float32Array(state.data.matrix.cols)
    for (let i = 0; i < out.length; i++) {
      let dot = 0
      let nn = 0
      for (let k = 0; k < d; k++) {
        dot += itemVecs[i * d + k] * q[k]
        nn += itemVecs[i * d + k] ** 2
      }
      out[i] = dot / (qn * (Math.sqrt(nn) || 1))
    }
    return out
  }

  /** The user tower's input: [id embedding or 0, mean history embedding, side-field embeddings] -> tower. */
  private userVector(state: State, profile: Profile, newCodes?: Int32Array): Float32Array {
    const { frozen, dims: d, sideDims: e, fields } = state
    const x = new Float32Array(frozen.user.input)
    if (profile.user !== undefined) x.set(frozen.userEmb.subarray(profile.user * d, (profile.user + 1) * d))
    for (const item of profile.items) for (let k = 0; k < d; k++) x[d + k] += frozen.histEmb[item * d + k] / profile.items.length
    const codes = profile.user !== undefined ? state.userCodes.subarray(profile.user * fields.length, (profile.user + 1) * fields.length) : newCodes
    fields.forEach((_, f) => {
      const c = codes?.[f] ?? 0
      x.set(frozen.sideEmb[f].subarray(c * e, (c + 1) * e), 2 * d + f * e)
    })
    return forward(frozen.user, x)
  }

  protected blobs(state: State): Record<string, Blob> {
    const f = state.frozen
    const t = f.user
    const sides = Object.fromEntries(f.sideEmb.map((s, i) => [`side${i}`, s]))
    return {
      userEmb: f.userEmb, histEmb: f.histEmb, itemVecs: f.itemVecs, itemBias: f.itemBias, userCodes: state.userCodes,
      w1: t.w1, scale1: t.scale1, shift1: t.shift1, w2: t.w2, scale2: t.scale2, shift2: t.shift2, w3: t.w3, b3: t.b3, wo: t.wo, bo: t.bo,
      ...sides,
    }
  }

  protected options(): Record<string, unknown> {
    return { ...this.config }
  }

  override save(): ModelArtifact {
    const a = super.save()
    const s = this.fitted()
    return { ...a, meta: { ...a.meta, fields: s.fields, tower: { input: s.frozen.user.input, hidden: s.frozen.user.hidden, output: s.frozen.user.output } } }
  }

  protected restoreState(base: FittedBase, a: ModelArtifact): State {
    const fields = a.meta.fields as SideField[]
    const shape = a.meta.tower as { input: number; hidden: number; output: number }
    const b = (name: string) => savedBlob(a, name, Float32Array)
    const user: FrozenTower = { ...shape, w1: b('w1'), scale1: b('scale1'), shift1: b('shift1'), w2: b('w2'), scale2: b('scale2'), shift2: b('shift2'), w3: b('w3'), b3: b('b3'), wo: b('wo'), bo: b('bo') }
    const frozen: Frozen = { userEmb: b('userEmb'), histEmb: b('histEmb'), sideEmb: fields.map((_, i) => b(`side${i}`)), user, itemVecs: b('itemVecs'), itemBias: b('itemBias') }
    return { ...base, frozen, fields, userCodes: savedBlob(a, 'userCodes', Int32Array), dims: this.config.dims, sideDims: this.config.sideDims, history: [], stoppedBy: 'loaded' }
  }

  static load(a: ModelArtifact): NeuralTwoTowerRecommender {
    return new NeuralTwoTowerRecommender(savedOptions<NeuralHybridOptions>(a)).restore(a)
  }
}
