import * as tf from '@tensorflow/tfjs-core'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { loadArtifact, saveArtifact, type Blob } from '../core/artifact.js'
import { SegueError } from '../core/errors.js'
import { Rng } from '../core/rng.js'

/**
 * The one epoch loop every deep model in segue trains with: Adam with global-norm gradient clipping, early
 * stopping on the validation loss, reduce-on-plateau of the learning rate, the best weights kept (in memory,
 * and atomically on disk when a checkpoint folder is given), Ctrl-C after the current batch, and resume.
 *
 * Repeatability: the loop draws nothing at random itself; models take a seed for their initial weights and
 * callers shuffle per epoch from (seed, epoch) (see `shuffledBatches`), so a resumed run repeats exactly the
 * epochs an uninterrupted run would have made, on one thread.
 */

/** What the loop needs from a model. */
export interface TrainableModel<B> {
  /** The trainable variables, in a fixed order (checkpoints store them in this order). */
  variables(): tf.Variable[]
  /** The training loss of one batch (called inside a gradient tape). */
  loss(batch: B): tf.Scalar
  /** Loss (and optionally a metric, higher is better) on held-out data, after each epoch. */
  validate(): { loss: number; metric?: number }
}

/** One line of the training history. */
export interface EpochRecord {
  /** 1-based. */
  epoch: number
  /** Mean training loss over the epoch's batches. */
  loss: number
  valLoss: number
  metric?: number
  /** Learning rate used during this epoch. */
  lr: number
  samplesPerSec: number
  seconds: number
}

export interface PlateauOptions {
  /** Multiplies the learning rate when the validation loss has not improved for `patience` epochs. */
  factor: number
  patience: number
  /** The learning rate never goes below this. */
  minLr?: number
}

export interface TrainOptions {
  epochs: number
  learningRate: number
  /** Samples per batch, used only for samples/s when `samplesOf` is not given. */
  batchSize?: number
  /** Stops after this many epochs without a better validation loss; false turns it off. */
  patience?: number | false
  /** Reduce-on-plateau; false turns it off. */
  plateau?: PlateauOptions | false
  /** Global-norm gradient clipping threshold; false turns it off. */
  clipNorm?: number | false
  /** Recorded in the checkpoint; a resume with another seed is refused. */
  seed: number
  /** Where `last.ckpt` (to resume) and `best.ckpt` (the best weights) are written. */
  checkpointDir?: string
  /** Continue from `checkpointDir/last.ckpt` when it exists. */
  resume?: boolean
  /** Aborting stops after the current batch; the partial epoch is discarded and the best weights restored. */
  signal?: AbortSignal
  onEpoch?: (e: EpochRecord) => void
  /** Per-epoch line on stderr (default true). */
  progress?: boolean
  /** Adam's moment decay rates and epsilon (Kingma & Ba 2015 defaults). */
  adam?: { beta1: number; beta2: number; epsilon: number }
}

export interface FitResult {
  history: EpochRecord[]
  best: EpochRecord
  stoppedBy: 'epochs' | 'early-stop' | 'interrupted'
  /** The epoch the run started from (0 unless resumed). */
  resumedFrom: number
}

export interface FitSpec<B> {
  name: string
  model: TrainableModel<B>
  /** The batches of one epoch (called once per epoch, 1-based). */
  batches: (epoch: number) => Iterable<B>
  /** Samples in a batch (for samples/s); defaults to options.batchSize, else 1. */
  samplesOf?: (batch: B) => number
  options: TrainOptions
}

/** Early stopping waits this long by default: long enough for a plateau cut (3) to have a chance to help. */
export const DEFAULT_PATIENCE = 6
/** Halve the rate after 3 flat epochs: the usual Keras-style ReduceLROnPlateau setting. */
export const DEFAULT_PLATEAU: PlateauOptions = { factor: 0.5, patience: 3, minLr: 1e-6 }
/** A global norm of 5 leaves ordinary steps alone and stops the rare exploding one. */
export const DEFAULT_CLIP_NORM = 5
const DEFAULT_ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }
/** An improvement smaller than this fraction of the best loss does not count (noise, not progress). */
const MIN_RELATIVE_IMPROVEMENT = 1e-4
const CHECKPOINT_KIND = 'deep-checkpoint'
const CHECKPOINT_VERSION = 1
const REMEDIES = 'try a smaller learningRate, a smaller clipNorm, or check the inputs for NaN'

/** Loop state that a checkpoint carries besides the weights. */
interface LoopState {
  epoch: number
  step: number
  lr: number
  bestLoss: number
  bestEpoch: number
  sinceBest: number
  sincePlateau: number
  history: EpochRecord[]
}

/** Trains `model` in place; on return its variables hold the best weights seen. */
export async function fitModel<B>(spec: FitSpec<B>): Promise<FitResult> {
  const { model, options } = spec
  const vars = model.variables()
  const adam = new Adam(vars, options.adam ?? DEFAULT_ADAM)
  const state = initialState(options)
  const resumedFrom = options.resume ? resumeFrom(spec, adam, state) : 0
  let best = snapshot(vars)
  let stoppedBy: FitResult['stoppedBy'] = 'epochs'
  try {
    for (let epoch = state.epoch + 1; epoch <= options.epochs; epoch++) {
      const record = runEpoch(spec, adam, state, epoch)
      if (record === undefined) {
        stoppedBy = 'interrupted'
        break
      }
      if (improve(state, record)) {
        disposeAll(best)
        best = snapshot(vars)
        if (options.checkpointDir) writeCheckpoint(join(options.checkpointDir, 'best.ckpt'), spec, adam, state)
      }
      updateSchedules(state, options)
      if (options.checkpointDir) writeCheckpoint(join(options.checkpointDir, 'last.ckpt'), spec, adam, state)
      report(spec, record)
      if (shouldStopEarly(state, options)) {
        stoppedBy = 'early-stop'
        break
      }
      await new Promise((r) => setImmediate(r)) // lets a Ctrl-C handler run between epochs
    }
    restore(vars, best)
  } finally {
    disposeAll(best)
    adam.dispose()
  }
  const bestRecord = state.history.find((h) => h.epoch === state.bestEpoch)
  if (!bestRecord) throw new SegueError('E_INTERRUPTED', `${spec.name}: interrupted before the first epoch finished; nothing was trained`)
  return { history: state.history, best: bestRecord, stoppedBy, resumedFrom }
}

function initialState(options: TrainOptions): LoopState {
  if (!(options.learningRate > 0)) throw new SegueError('E_BAD_ARGUMENT', `learningRate must be > 0, got ${options.learningRate}`)
  if (!Number.isInteger(options.epochs) || options.epochs < 1) throw new SegueError('E_BAD_ARGUMENT', `epochs must be a whole number >= 1, got ${options.epochs}`)
  return { epoch: 0, step: 0, lr: options.learningRate, bestLoss: Infinity, bestEpoch: 0, sinceBest: 0, sincePlateau: 0, history: [] }
}

/** One epoch of batches; undefined when interrupted (the partial epoch is not recorded). */
function runEpoch<B>(spec: FitSpec<B>, adam: Adam, state: LoopState, epoch: number): EpochRecord | undefined {
  const { model, options } = spec
  const started = performance.now()
  let lossSum = 0
  let batches = 0
  let samples = 0
  for (const batch of spec.batches(epoch)) {
    lossSum += trainStep(model, adam, batch, state, options)
    batches++
    samples += spec.samplesOf?.(batch) ?? options.batchSize ?? 1
    if (options.signal?.aborted) return undefined
  }
  const loss = lossSum / Math.max(1, batches)
  const val = model.validate()
  checkFinite(spec.name, epoch, loss, val.loss)
  const seconds = (performance.now() - started) / 1000
  const record: EpochRecord = { epoch, loss, valLoss: val.loss, lr: state.lr, samplesPerSec: samples / Math.max(seconds, 1e-9), seconds }
  if (val.metric !== undefined) record.metric = val.metric
  state.epoch = epoch
  state.history.push(record)
  options.onEpoch?.(record)
  return record
}

/** One Adam step with global-norm clipping; returns the batch loss. */
function trainStep<B>(model: TrainableModel<B>, adam: Adam, batch: B, state: LoopState, options: TrainOptions): number {
  const clip = options.clipNorm === undefined ? DEFAULT_CLIP_NORM : options.clipNorm
  state.step += 1
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => model.loss(batch), adam.vars)
    const list = adam.vars.map((v) => grads[v.name])
    const clipped = clip === false ? list : clipByGlobalNorm(list, clip)
    adam.apply(clipped, state.lr, state.step)
    return value.dataSync()[0]
  })
}

/** Scales all gradients together so their joint L2 norm is at most `maxNorm` (Pascanu et al. 2013). */
export function clipByGlobalNorm(grads: tf.Tensor[], maxNorm: number): tf.Tensor[] {
  return tf.tidy(() => {
    const norm = tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g)))))
    const scale = tf.minimum(1, tf.div(maxNorm, tf.maximum(norm, 1e-12)))
    return grads.map((g) => tf.mul(g, scale))
  })
}

/** Records a better validation loss; true when this epoch is the new best. */
function improve(state: LoopState, record: EpochRecord): boolean {
  const better = record.valLoss < state.bestLoss - Math.abs(state.bestLoss) * MIN_RELATIVE_IMPROVEMENT || state.bestEpoch === 0
  if (better) {
    state.bestLoss = record.valLoss
    state.bestEpoch = record.epoch
    state.sinceBest = 0
    state.sincePlateau = 0
  } else {
    state.sinceBest += 1
    state.sincePlateau += 1
  }
  return better
}

function updateSchedules(state: LoopState, options: TrainOptions): void {
  const plateau = options.plateau === undefined ? DEFAULT_PLATEAU : options.plateau
  if (plateau === false || state.sincePlateau < plateau.patience) return
  state.lr = Math.max(plateau.minLr ?? 0, state.lr * plateau.factor)
  state.sincePlateau = 0
}

function shouldStopEarly(state: LoopState, options: TrainOptions): boolean {
  const patience = options.patience === undefined ? DEFAULT_PATIENCE : options.patience
  return patience !== false && state.sinceBest >= patience
}

function checkFinite(name: string, epoch: number, loss: number, valLoss: number): void {
  if (Number.isFinite(loss) && Number.isFinite(valLoss)) return
  throw new SegueError('E_BAD_ARGUMENT', `${name}: the loss became NaN or infinite at epoch ${epoch}; ${REMEDIES}`)
}

function report<B>(spec: FitSpec<B>, r: EpochRecord): void {
  if (spec.options.progress === false) return
  const left = spec.options.epochs - r.epoch
  const metric = r.metric === undefined ? '' : ` metric ${r.metric.toFixed(4)}`
  process.stderr.write(
    `${spec.name} epoch ${r.epoch}/${spec.options.epochs}: loss ${fmt(r.loss)} val ${fmt(r.valLoss)}${metric}` +
      ` lr ${r.lr.toExponential(2)} ${Math.round(r.samplesPerSec)} samples/s ETA ${formatSeconds(left * r.seconds)}\n`,
  )
}

function fmt(x: number): string {
  return Math.abs(x) >= 0.01 ? x.toFixed(4) : x.toExponential(3)
}

function formatSeconds(s: number): string {
  if (s < 60) return `${Math.round(s)}s`
  return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`
}

function snapshot(vars: tf.Variable[]): tf.Tensor[] {
  return vars.map((v) => tf.keep(v.clone()))
}

function restore(vars: tf.Variable[], values: tf.Tensor[]): void {
  vars.forEach((v, i) => v.assign(values[i]))
}

function disposeAll(ts: tf.Tensor[]): void {
  for (const t of ts) t.dispose()
}

/** Adam (Kingma & Ba 2015) with bias correction; its moments are plain variables so checkpoints can hold them. */
class Adam {
  readonly m: tf.Variable[]
  readonly v: tf.Variable[]

  constructor(
    readonly vars: tf.Variable[],
    private readonly cfg: { beta1: number; beta2: number; epsilon: number },
  ) {
    this.m = vars.map((x) => tf.variable(tf.zerosLike(x), false))
    this.v = vars.map((x) => tf.variable(tf.zerosLike(x), false))
  }

  apply(grads: tf.Tensor[], lr: number, step: number): void {
    const { beta1, beta2, epsilon } = this.cfg
    const stepSize = (lr * Math.sqrt(1 - beta2 ** step)) / (1 - beta1 ** step)
    grads.forEach((g, i) => {
      this.m[i].assign(tf.add(tf.mul(this.m[i], beta1), tf.mul(g, 1 - beta1)))
      this.v[i].assign(tf.add(tf.mul(this.v[i], beta2), tf.mul(tf.square(g), 1 - beta2)))
      this.vars[i].assign(tf.sub(this.vars[i], tf.div(tf.mul(this.m[i], stepSize), tf.add(tf.sqrt(this.v[i]), epsilon))))
    })
  }

  dispose(): void {
    disposeAll([...this.m, ...this.v])
  }
}

/** The shapes of a model's variables: a checkpoint only loads into a model of the same shape. */
function shapeKey(vars: tf.Variable[]): string {
  return vars.map((v) => v.shape.join('x')).join(',')
}

function writeCheckpoint<B>(path: string, spec: FitSpec<B>, adam: Adam, state: LoopState): void {
  const blobs: Record<string, Blob> = {}
  adam.vars.forEach((v, i) => {
    blobs[`w${i}`] = v.dataSync() as Float32Array
    blobs[`m${i}`] = adam.m[i].dataSync() as Float32Array
    blobs[`v${i}`] = adam.v[i].dataSync() as Float32Array
  })
  const meta = { name: spec.name, seed: spec.options.seed, ...state }
  saveArtifact(path, { kind: CHECKPOINT_KIND, version: CHECKPOINT_VERSION, key: shapeKey(adam.vars), meta }, blobs)
}

/** Loads `last.ckpt` into the variables, the optimizer and the loop state; returns the epoch it ended. */
function resumeFrom<B>(spec: FitSpec<B>, adam: Adam, state: LoopState): number {
  const dir = spec.options.checkpointDir
  if (!dir) throw new SegueError('E_BAD_ARGUMENT', `${spec.name}: resume needs a checkpoint folder`)
  const path = join(dir, 'last.ckpt')
  if (!existsSync(path)) return 0
  const art = loadArtifact(path, { kind: CHECKPOINT_KIND, version: CHECKPOINT_VERSION })
  if (art.header.key !== shapeKey(adam.vars)) {
    throw new SegueError('E_BAD_ARGUMENT', `${path}: holds a model of shape ${art.header.key}, this one is ${shapeKey(adam.vars)}; train without --resume`)
  }
  const meta = art.header.meta as unknown as LoopState & { seed: number }
  if (meta.seed !== spec.options.seed) {
    throw new SegueError('E_BAD_ARGUMENT', `${path}: was trained with seed ${meta.seed}, not ${spec.options.seed}; resume with the same seed`)
  }
  adam.vars.forEach((v, i) => {
    v.assign(tf.tensor(art.blobs[`w${i}`] as Float32Array, v.shape))
    adam.m[i].assign(tf.tensor(art.blobs[`m${i}`] as Float32Array, v.shape))
    adam.v[i].assign(tf.tensor(art.blobs[`v${i}`] as Float32Array, v.shape))
  })
  Object.assign(state, pickState(meta))
  return state.epoch
}

function pickState(s: LoopState): LoopState {
  const { epoch, step, lr, bestLoss, bestEpoch, sinceBest, sincePlateau, history } = s
  return { epoch, step, lr, bestLoss: bestLoss ?? Infinity, bestEpoch, sinceBest, sincePlateau, history }
}

/**
 * Index batches of a seeded shuffle of 0..n-1 that depends only on (seed, epoch), so an epoch repeats
 * exactly after a resume.
 */
export function* shuffledBatches(n: number, batchSize: number, seed: number, epoch: number): Generator<Int32Array> {
  const order = new Int32Array(n)
  for (let i = 0; i < n; i++) order[i] = i
  const rng = new Rng((seed * 0x9e3779b1 + epoch * 0x85ebca6b) >>> 0)
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1)
    const t = order[i]
    order[i] = order[j]
    order[j] = t
  }
  for (let start = 0; start < n; start += batchSize) yield order.subarray(start, Math.min(n, start + batchSize))
}
