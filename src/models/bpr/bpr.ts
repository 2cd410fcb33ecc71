import { SegueError } from '../../core/errors.js'
import { Rng } from '../../core/rng.js'
import type { Interactions } from '../../data/interactions.js'
import { resolveMfBackend, type MfBackend } from '../../kernels/mf-backend.js'
import { sharedF32, type SharedCsr } from '../../kernels/mf-pool.js'
import { sampleTriples } from '../../kernels/mf-sample.js'
import { SharedBprMemory } from '../../kernels/mf-wasm-shared.js'
import { checkFinite, factorArtifact, factorMeta, FactorModel, nextVersion, restoreState, shareCsr } from '../als/factor-model.js'
import { nonNegative, positiveInt } from '../als/options.js'
import { yieldToEventLoop } from '../shared/fit-guard.js'
import { mergeOptions } from '../shared/options.js'
import type { FitOptions, FitReport, ModelArtifact } from '../types.js'

export const BPR_KIND = 'bpr'
export const BPR_VERSION = 1
/** Triples sampled per kernel call: large enough to amortise the call, small enough to stay in cache. */
const CHUNK = 16384

/** Options of BPR; defaults follow `implicit` except factors (64 here, 100 there). */
export interface BprOptions {
  /** Latent factors (default 64). An item bias is learnt besides them. */
  factors: number
  /** SGD step size (default 0.01). */
  learningRate: number
  /** L2 penalty on every updated parameter (default 0.01). */
  regularization: number
  /** Passes; each draws as many triples as there are observed (user, item) pairs (default 100). */
  epochs: number
  /** Kernel backend (default 'auto'). */
  backend: MfBackend
  /**
   * Threads (default 0: all cores). With more than one, threads update the shared factors without locks
   * (Hogwild, Recht et al. 2011): fast, but the result depends on thread timing. One thread is deterministic
   * for a seed.
   */
  threads: number
}

/** learningRate and epochs chosen by `segue tune` on a validation split of the HetRec Last.fm 2K training part. */
export const BPR_DEFAULTS: BprOptions = { factors: 64, learningRate: 0.05, regularization: 0.01, epochs: 300, backend: 'auto', threads: 0 }

interface Training {
  u: Float32Array
  v: Float32Array
  bias: Float32Array
  csr: SharedCsr
  users: number
  items: number
}

/**
 * Bayesian Personalised Ranking (Rendle et al. 2009): SGD on ln σ(x_ui - x_uj) over triples of a user, an item
 * they played and one drawn uniformly from those they did not. Scores are u·v_i + b_i; serving stores them as
 * (k + 1)-dimensional factors (u, 1) and (v_i, b_i), so the shared dot-product code ranks BPR too. A new
 * listener is folded in by the ALS-style least-squares solve against those item factors.
 */
export class BprRecommender extends FactorModel {
  readonly name = 'bpr'
  readonly options: BprOptions

  constructor(options: Partial<BprOptions> = {}) {
    const o = mergeOptions<BprOptions>('bpr', BPR_DEFAULTS, options)
    positiveInt('factors', o.factors)
    positiveInt('epochs', o.epochs, true)
    nonNegative('learningRate', o.learningRate)
    nonNegative('regularization', o.regularization)
    super(o.backend, o.threads)
    this.options = o
  }

  protected foldInRegularization(): number {
    return Math.max(this.options.regularization, 0.01)
  }

  protected confidence(r: number): number {
    return 1 + r
  }

  protected async learn(data: Interactions, opts: FitOptions): Promise<FitReport> {
    const t0 = performance.now()
    const seed = opts.seed ?? 0
    const train = initialFactors(data, this.options.factors, new Rng(seed))
    const wasm = resolveMfBackend(this.options.backend) === 'wasm' ? new SharedBprMemory({ ...train, indptr: train.csr.indptr, indices: train.csr.indices, k: this.options.factors }, Math.max(1, this.threads)) : null
    const losses: number[] = []
    try {
      for (let epoch = 1; epoch <= this.options.epochs; epoch++) {
        if (opts.signal?.aborted) throw new SegueError('E_INTERRUPTED', `bpr: fit aborted after ${epoch - 1} epochs`)
        const loss = wasm ? await this.epochWasm(wasm, train, seed, epoch) : await this.epochTs(train, seed, epoch)
        if (!Number.isFinite(loss)) throw new SegueError('E_BAD_ARGUMENT', `bpr: the loss became NaN or infinite in epoch ${epoch}; try a smaller learningRate or a larger regularization`)
        losses.push(loss)
        opts.onProgress?.({ iteration: epoch, total: this.options.epochs, seconds: (performance.now() - t0) / 1000, loss })
        await yieldToEventLoop()
      }
      wasm?.copyOut(train.u, train.v, train.bias)
    } finally {
      wasm?.release()
    }
    checkFinite('bpr', 'user factors', this.options.epochs, train.u, 'try a smaller learningRate or a larger regularization')
    checkFinite('bpr', 'item factors', this.options.epochs, train.v, 'try a smaller learningRate or a larger regularization')
    this.state = servingState(train, this.options.factors, data)
    return { seconds: (performance.now() - t0) / 1000, iterations: this.options.epochs, loss: losses }
  }

  /**
   * One epoch in WASM with sampling inside the kernel: on the calling thread (deterministic for a seed), or
   * split among the workers, all updating the one shared memory (Hogwild). Returns the mean -ln σ(x_uij).
   */
  private async epochWasm(mem: SharedBprMemory, t: Training, seed: number, epoch: number): Promise<number> {
    const samples = t.csr.indptr[t.users]
    if (samples === 0 || t.items < 2) return 0
    const { learningRate: lr, regularization: reg } = this.options
    const pool = this.workers()
    if (!pool) return -mem.epochHere(samples, mix(seed, epoch, 0), lr, reg) / samples
    const count = Math.ceil(samples / pool.threads)
    const jobs = Array.from({ length: pool.threads }, (_, slot) =>
      pool.run({ op: 'bprShared', memory: mem.memory, memoryId: mem.id, layout: mem.layout, slot, count, seed: mix(seed, epoch, slot), lr, reg }),
    )
    const got = await Promise.all(jobs)
    return -got.reduce((a, r) => a + (r.logLik as number), 0) / (count * pool.threads)
  }

  /** One epoch of nnz samples with the plain-TS kernel (Hogwild on SharedArrayBuffers with workers). */
  private async epochTs(t: Training, seed: number, epoch: number): Promise<number> {
    const samples = t.csr.indptr[t.users]
    if (samples === 0 || t.items < 2) return 0
    const { learningRate: lr, regularization: reg, factors: k } = this.options
    const pool = this.workers()
    if (pool) {
      const share = Math.ceil(samples / pool.threads)
      const jobs = Array.from({ length: pool.threads }, (_, w) =>
        pool.run({ op: 'bpr', u: t.u, v: t.v, bias: t.bias, k, csr: t.csr, samples: share, seed: mix(seed, epoch, w), lr, reg, chunk: CHUNK }),
      )
      const got = await Promise.all(jobs)
      return -got.reduce((a, r) => a + (r.logLik as number), 0) / (share * pool.threads)
    }
    return -this.epochHere(t, new Rng(mix(seed, epoch, 0)), samples) / samples
  }

  private epochHere(t: Training, rng: Rng, samples: number): number {
    const { learningRate: lr, regularization: reg, factors: k } = this.options
    const session = this.hold({ y: new Float32Array(0), rows: 0, k, version: nextVersion() }).bpr(t.u, t.v, t.bias, k)
    const triples = new Int32Array(CHUNK * 3)
    let logLik = 0
    for (let done = 0; done < samples; done += CHUNK) {
      const got = sampleTriples(t.csr.indptr, t.csr.indices, t.users, t.items, rng, Math.min(CHUNK, samples - done), triples)
      logLik += session.steps(triples, got, lr, reg)
    }
    session.finish()
    return logLik
  }

  save(): ModelArtifact {
    return factorArtifact(BPR_KIND, BPR_VERSION, this.options, this.fitted())
  }

  static load(a: ModelArtifact, overrides: Partial<BprOptions> = {}): BprRecommender {
    const meta = factorMeta<BprOptions>(a, BPR_KIND, BPR_VERSION)
    const model = new BprRecommender({ ...meta.options, ...overrides })
    model.state = restoreState(a, meta)
    return model
  }
}

/** Uniform in ±0.5/k, as `implicit` starts BPR; biases at zero. */
function initialFactors(data: Interactions, k: number, rng: Rng): Training {
  const m = data.matrix
  const init = (n: number) => sharedF32(n, Float32Array.from({ length: n }, () => (rng.next() - 0.5) / k))
  return { u: init(m.rows * k), v: init(m.cols * k), bias: sharedF32(m.cols), csr: shareCsr(m), users: m.rows, items: m.cols }
}

/** The (k + 1)-wide serving factors: users (u, 1), items (v, b). */
function servingState(t: Training, k: number, data: Interactions) {
  const w = k + 1
  const userFactors = sharedF32(t.users * w)
  const itemFactors = sharedF32(t.items * w)
  for (let r = 0; r < t.users; r++) {
    userFactors.set(t.u.subarray(r * k, r * k + k), r * w)
    userFactors[r * w + k] = 1
  }
  for (let i = 0; i < t.items; i++) {
    itemFactors.set(t.v.subarray(i * k, i * k + k), i * w)
    itemFactors[i * w + k] = t.bias[i]
  }
  const seen = shareCsr(data.matrix)
  return { users: t.users, items: t.items, k: w, userFactors, itemFactors, userVersion: nextVersion(), itemVersion: nextVersion(), seen }
}

/** A per-(seed, epoch, thread) stream seed, so threads and epochs never share a random sequence. */
function mix(seed: number, epoch: number, thread: number): number {
  return (Math.imul(seed + 1, 0x9e3779b1) ^ Math.imul(epoch, 0x85ebca6b) ^ Math.imul(thread + 1, 0xc2b2ae35)) >>> 0
}
