import type { Blob } from '../../core/artifact.js'
import { rowIndices } from '../../core/csr.js'
import { Rng } from '../../core/rng.js'
import type { Interactions } from '../../data/interactions.js'
import { randomHoldout } from '../../eval/splits.js'
import { BaseRecommender, type FittedBase, type TrainResult } from '../../models/shared/base.js'
import { assertFinite } from '../../models/shared/finite.js'
import { savedOptions } from '../../models/shared/options.js'
import { requireItem, resolveProfile, type Profile } from '../../models/shared/profile.js'
import { savedBlob } from '../../models/shared/saved.js'
import { itemPopularity } from '../../models/shared/popularity-vector.js'
import type { FitOptions, ModelArtifact, RecommendOptions, Recommender, Scored, UserRef } from '../../models/types.js'
import type { EpochRecord } from '../trainer.js'
import { candidateList, describeItems, FEATURES, loadStage, stageModel, type CandidateList, type Stage } from './candidates.js'
import { rerankOptions, type RerankOptions } from './rerank-options.js'
import { scoreList, userVector, type FrozenScorer } from './rerank-serving.js'
import { checkCodes, resolveSide, type SideField, type SideInputs } from './side.js'
import type { TrainingList } from './rerank-network.js'

export const NEURAL_HYBRID_KIND = 'neural-hybrid'

interface State extends FittedBase {
  stage: Stage
  scorer: FrozenScorer
  fields: SideField[]
  userCodes: Int32Array
  history: EpochRecord[]
  stoppedBy: string
  /** False when the network did not beat the classic stage's own order on the held-out lists: the list keeps that order. */
  useNetwork: boolean
}

/**
 * The neural hybrid as a two-stage ranker: a classic model (EASE by default) proposes each listener's top
 * candidates, widened by the tracks nearest the listener's mean content; a small network re-ranks them from
 * the classic score and rank, a second classic model's score and rank, popularity, content match, and the
 * element-wise product of a user embedding (history, side fields such as gender and age group) and an item
 * embedding (id plus content: genres, release year, tags, audio features). It trains listwise (ListNet, Cao et
 * al. 2007) on plays held out of the classic model's fit, so it learns when to trust the classic score; the
 * classic models are then refitted on everything for serving. This is the usual candidate-generation +
 * ranking split (Covington et al. 2016, "Deep Neural Networks for YouTube Recommendations").
 * A new listener is served from seeds (the classic stage folds them in) or side fields alone
 * (recommendForListener); a never-played track reaches the list through content and is scored by its content
 * projection. Training runs through the shared deep loop (src/deep/trainer.ts: Adam, clipping, reduce-on-
 * plateau, early stopping on validation NDCG@10, best weights); serving uses typed arrays only.
 */
export class NeuralHybridRecommender extends BaseRecommender<State> {
  readonly name = NEURAL_HYBRID_KIND
  protected readonly scale = 'binary' as const
  readonly config: RerankOptions
  /** Training runs (checkpoints, resume, progress lines) for `segue train`; unused by plain fit(). */
  trainRun: { checkpointDir?: string; resume?: boolean; progress?: boolean } = {}

  constructor(options: Partial<RerankOptions> = {}, private readonly side: SideInputs = {}) {
    super()
    this.config = rerankOptions(options)
  }

  /** The per-epoch history of the last fit (loss, 1 - validation NDCG@10, NDCG@10, learning rate). */
  get history(): EpochRecord[] {
    return this.fitted().history
  }

  /** Whether the network re-ranks (it beat the classic order on the lists held out in fit), or the classic order stands. */
  get usesNetwork(): boolean {
    return this.fitted().useNetwork
  }

  /** Why the last fit stopped: 'epochs', 'early-stop', or 'no-labels' (too little data to hold any out). */
  get stoppedBy(): string {
    return this.fitted().stoppedBy
  }

  protected async train(data: Interactions, opts: FitOptions): Promise<TrainResult<State>> {
    const o = this.config
    const seed = opts.seed ?? 0
    const side = resolveSide(this.side, data.users, data.items)
    const content = unitRows(side.content, side.contentDims)
    const fitOpts: FitOptions = { seed, signal: opts.signal, threads: opts.threads }
    const say = (m: string) => this.trainRun.progress && process.stderr.write(`neural-hybrid: ${m}\n`)
    let scorerOut: Awaited<ReturnType<typeof import('./rerank-network.js').trainScorer>> | undefined
    const lists: TrainingList[] = []
    for (let fold = 0; fold < o.folds; fold++) {
      const labelled = labelledLists(data, o, seed + 7 * fold)
      if (!labelled) break
      say(`fold ${fold + 1}/${o.folds}: fitting ${o.candidateModel}${o.secondModel === 'none' ? '' : ` and ${o.secondModel}`} on ${Math.round((1 - o.holdout) * 100)}% of each listener's plays`)
      const inner = await this.fitStage(labelled.train, content, side.contentDims, fitOpts)
      lists.push(...trainingLists(inner, labelled.train, labelled.test, side.userCodes, side.fields.length))
    }
    if (lists.length > 0) {
      const { train, valid } = splitLists(lists, o.validation, data.users.size, new Rng(seed + 1))
      const onEpoch = (e: EpochRecord) => opts.onProgress?.({ iteration: e.epoch, total: o.epochs, seconds: e.seconds, loss: e.loss })
      const { trainScorer } = await import('./rerank-network.js')
      say(`training the re-ranker on ${train.length} lists (${valid.length} for validation)`)
      scorerOut = await trainScorer({ items: data.items.size, fields: side.fields, contentDims: side.contentDims, content }, train.filter((l) => l.positives.length > 0), valid, o, { seed, signal: opts.signal, onEpoch, ...this.trainRun })
    }
    say(`refitting ${o.candidateModel} on every play for serving`)
    const stage = await this.fitStage(data, content, side.contentDims, fitOpts)
    const scorer = scorerOut?.scorer ?? (await untrainedScorer(data.items.size, side.fields, side.contentDims, content, o, seed))
    coldItems(scorer, data)
    assertFinite(scorer.itemVecs, this.name, 'item vectors', 'try a smaller learningRate or clipNorm')
    const state: State = {
      data, popularity: itemPopularity(data.matrix), stage, scorer, fields: side.fields, userCodes: side.userCodes,
      history: scorerOut?.history ?? [], stoppedBy: scorerOut?.stoppedBy ?? 'no-labels',
      useNetwork: scorerOut !== undefined && (o.validation === 0 || scorerOut.bestNdcg > scorerOut.classicNdcg),
    }
    if (!state.useNetwork) say('the network did not beat the classic order on the held-out lists: serving the classic order')
    return { state, iterations: state.history.length, loss: state.history.map((h) => h.loss) }
  }

  private async fitStage(data: Interactions, content: Float32Array, contentDims: number, fitOpts: FitOptions): Promise<Stage> {
    const o = this.config
    const first = stageModel(o.candidateModel)
    await first.fit(data, fitOpts)
    let second: Recommender | undefined
    if (o.secondModel !== 'none') {
      second = stageModel(o.secondModel)
      await second.fit(data, fitOpts)
    }
    return stageOf(first, second, data, content, contentDims, o)
  }

  override recommend(user: UserRef, opts: RecommendOptions = {}): Scored[] {
    const state = this.fitted()
    const profile = this.profile(state, user)
    return this.rerank(state, user, profile, this.codesOf(state, profile), opts)
  }

  /** A new listener described by side fields (codes per field, 0 unknown) and any plays so far. */
  recommendForListener(history: ArrayLike<number>, codes: ArrayLike<number>, opts: RecommendOptions = {}): Scored[] {
    const state = this.fitted()
    const profile = resolveProfile({ history }, state.data.matrix, this.scale, this.name)
    return this.rerank(state, { history: profile.items }, profile, checkCodes(codes, state.fields, 'new listener'), opts)
  }

  /** The network's scores of the given items for a user (the path that re-ranks another stage's list). */
  scoreCandidates(user: UserRef, candidates: ArrayLike<number>): Float32Array {
    const state = this.fitted()
    for (let c = 0; c < candidates.length; c++) requireItem(candidates[c], state.data.matrix.cols, this.name)
    const profile = this.profile(state, user)
    const list = describeItems(state.stage, user, profile.items, Int32Array.from(candidates))
    if (!state.useNetwork) return classicOrder(list)
    return scoreList(state.scorer, list, userVector(state.scorer, profile.items, this.codesOf(state, profile), this.config.historyCap))
  }

  private rerank(state: State, ref: UserRef, profile: Profile, codes: ArrayLike<number>, opts: RecommendOptions): Scored[] {
    const n = opts.n ?? 10
    if (n <= 0) return []
    const list = candidateList(state.stage, ref, profile.items, opts)
    const scores = state.useNetwork ? scoreList(state.scorer, list, userVector(state.scorer, profile.items, codes, this.config.historyCap)) : classicOrder(list)
    const order = Array.from(list.items.keys()).sort((a, b) => scores[b] - scores[a] || list.items[a] - list.items[b])
    return order.slice(0, n).map((c) => ({ item: list.items[c], score: scores[c] }))
  }

  private codesOf(state: State, profile: Profile): Int32Array {
    const f = state.fields.length
    return profile.user === undefined ? new Int32Array(f) : state.userCodes.subarray(profile.user * f, (profile.user + 1) * f)
  }

  /** Every item -Infinity but the re-ranked candidates (what scoreAll and AUC read). */
  protected scoreProfile(state: State, profile: Profile): Float32Array {
    const out = new Float32Array(state.data.matrix.cols).fill(-Infinity)
    const ref: UserRef = profile.user !== undefined ? { user: profile.user } : { history: profile.items }
    for (const s of this.rerank(state, ref, profile, this.codesOf(state, profile), { n: this.config.candidates + this.config.contentCandidates })) out[s.item] = s.score
    return out
  }

  /** Similar items are the classic stage's (the network scores items for listeners, not item pairs). */
  protected similarScores(state: State, item: number): Float32Array {
    const out = new Float32Array(state.data.matrix.cols).fill(-Infinity)
    for (const s of state.stage.first.similarItems(item, out.length)) out[s.item] = s.score
    return out
  }

  protected blobs(state: State): Record<string, Blob> {
    const s = state.scorer
    const nested = (prefix: string, a: ModelArtifact) => Object.fromEntries(Object.entries(a.blobs).map(([k, v]) => [`${prefix}.${k}`, v]))
    return {
      itemVecs: s.itemVecs, coldVecs: s.coldVecs, histEmb: s.histEmb, wu: s.wu, bu: s.bu, w1: s.w1, b1: s.b1, w2: s.w2, b2: s.b2, w3: s.w3, b3: s.b3,
      ...Object.fromEntries(s.sideEmb.map((e, i) => [`side${i}`, e])),
      userCodes: state.userCodes, content: state.stage.content,
      ...nested('first', state.stage.first.save()),
      ...(state.stage.second ? nested('second', state.stage.second.save()) : {}),
    }
  }

  protected options(): Record<string, unknown> {
    return { ...this.config }
  }

  override save(): ModelArtifact {
    const a = super.save()
    const s = this.fitted()
    const head = (m: Recommender) => {
      const x = m.save()
      return { kind: x.kind, version: x.version, meta: x.meta }
    }
    const stages = { first: head(s.stage.first), ...(s.stage.second ? { second: head(s.stage.second) } : {}) }
    return { ...a, meta: { ...a.meta, fields: s.fields, contentDims: s.stage.contentDims, stages, useNetwork: s.useNetwork } }
  }

  protected restoreState(base: FittedBase, a: ModelArtifact): State {
    const o = this.config
    const fields = a.meta.fields as SideField[]
    const stages = a.meta.stages as Record<string, { kind: string; version: number; meta: Record<string, unknown> }>
    const b = (name: string) => savedBlob(a, name, Float32Array)
    const nested = (prefix: string) => {
      const h = stages[prefix]
      const blobs = Object.fromEntries(Object.entries(a.blobs).filter(([k]) => k.startsWith(`${prefix}.`)).map(([k, v]) => [k.slice(prefix.length + 1), v]))
      return loadStage({ ...h, blobs })
    }
    const scorer: FrozenScorer = {
      dims: o.dims, hidden: o.hidden, sideDims: o.sideDims, fields: fields.length,
      itemVecs: b('itemVecs'), coldVecs: b('coldVecs'), histEmb: b('histEmb'), sideEmb: fields.map((_, i) => b(`side${i}`)),
      wu: b('wu'), bu: b('bu'), w1: b('w1'), b1: b('b1'), w2: b('w2'), b2: b('b2'), w3: b('w3'), b3: b('b3'),
    }
    const stage = stageOf(nested('first'), stages.second ? nested('second') : undefined, base.data, b('content'), a.meta.contentDims as number, o)
    return { ...base, stage, scorer, fields, userCodes: savedBlob(a, 'userCodes', Int32Array), history: [], stoppedBy: 'loaded', useNetwork: a.meta.useNetwork === true }
  }

  static load(a: ModelArtifact): NeuralHybridRecommender {
    return new NeuralHybridRecommender(savedOptions<RerankOptions>(a)).restore(a)
  }
}

/** The classic stage's own order as scores (its rank feature; content-only candidates after it, by content match). */
function classicOrder(list: CandidateList): Float32Array {
  return Float32Array.from(list.items, (_, c) => list.feats[c * FEATURES + 1] + 1e-4 * list.feats[c * FEATURES + 6])
}

function stageOf(first: Recommender, second: Recommender | undefined, data: Interactions, content: Float32Array, contentDims: number, o: RerankOptions): Stage {
  const m = data.matrix
  const pop = itemPopularity(m)
  let maxPop = 0
  for (const p of pop) maxPop = Math.max(maxPop, p)
  let maxHistory = 1
  for (let u = 0; u < m.rows; u++) maxHistory = Math.max(maxHistory, m.indptr[u + 1] - m.indptr[u])
  const popularity = Float32Array.from(pop, (p) => Math.log1p(p) / Math.log1p(Math.max(maxPop, 1)))
  return { first, second, popularity, content, contentDims, logMaxHistory: Math.log1p(maxHistory), candidates: o.candidates, contentCandidates: o.contentCandidates }
}

/** Users with at least this many plays give some to the re-ranker's labels (fewer leave the classic stage too little). */
const MIN_PLAYS_TO_LABEL = 3

/** The classic stage's training part and the held-out plays that label the re-ranker's lists; undefined on too little data. */
function labelledLists(data: Interactions, o: RerankOptions, seed: number): { train: Interactions; test: Interactions } | undefined {
  // Each fold is its own random hold-out of every listener's plays (its own seed).
  const m = data.matrix
  let eligible = 0
  for (let u = 0; u < m.rows; u++) if (m.indptr[u + 1] - m.indptr[u] >= MIN_PLAYS_TO_LABEL) eligible++
  if (eligible === 0) return undefined
  const split = randomHoldout(data, { fraction: o.holdout, seed })
  return split.test.matrix.indices.length > 0 ? split : undefined
}

function trainingLists(stage: Stage, train: Interactions, test: Interactions, userCodes: Int32Array, fields: number): TrainingList[] {
  const out: TrainingList[] = []
  for (let u = 0; u < test.matrix.rows; u++) {
    const held = rowIndices(test.matrix, u)
    if (held.length === 0) continue
    const history = rowIndices(train.matrix, u)
    const list = candidateList(stage, { user: u }, history)
    const relevant = new Set(held)
    const positives = Int32Array.from(Array.from(list.items.keys()).filter((c) => relevant.has(list.items[c])))
    out.push({ ...list, user: u, positives, relevant, history, codes: userCodes.subarray(u * fields, (u + 1) * fields) })
  }
  return out
}

/** Lists split by listener (every fold's list of a listener on one side), so validation never sees a training listener. */
function splitLists(lists: TrainingList[], share: number, users: number, rng: Rng): { train: TrainingList[]; valid: TrainingList[] } {
  const held = Uint8Array.from({ length: users }, () => (share > 0 && rng.next() < share ? 1 : 0))
  const train: TrainingList[] = []
  const valid: TrainingList[] = []
  for (const l of lists) (held[l.user] ? valid : train).push(l)
  return train.some((l) => l.positives.length > 0) ? { train, valid } : { train: lists, valid: [] }
}

function unitRows(x: Float32Array, dims: number): Float32Array {
  const out = new Float32Array(x.length)
  for (let r = 0; r * dims < x.length; r++) {
    let n = 0
    for (let k = 0; k < dims; k++) n += x[r * dims + k] ** 2
    const s = n > 0 ? 1 / Math.sqrt(n) : 0
    for (let k = 0; k < dims; k++) out[r * dims + k] = x[r * dims + k] * s
  }
  return out
}

/** Never-played items carry no trained id embedding: they are scored by their content projection alone. */
function coldItems(s: FrozenScorer, data: Interactions): void {
  const played = new Uint8Array(data.matrix.cols)
  for (const i of data.matrix.indices) played[i] = 1
  for (let i = 0; i < played.length; i++) if (!played[i]) s.itemVecs.set(s.coldVecs.subarray(i * s.dims, (i + 1) * s.dims), i * s.dims)
}

/** With no labels to learn from, the network's initial weights (the list keeps the classic stage's candidates). */
async function untrainedScorer(items: number, fields: SideField[], contentDims: number, content: Float32Array, o: RerankOptions, seed: number): Promise<FrozenScorer> {
  const { trainScorer } = await import('./rerank-network.js')
  const out = await trainScorer({ items, fields, contentDims, content }, [], [], { ...o, epochs: 1 }, { seed })
  return out.scorer
}
