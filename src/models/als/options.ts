import { SegueError } from '../../core/errors.js'
import type { MfBackend } from '../../kernels/mf-backend.js'
import { mergeOptions } from '../shared/options.js'

/** Options of implicit ALS; defaults follow the `implicit` library where it has one. */
export interface AlsOptions {
  /** Latent factors per user and item (default 64). */
  factors: number
  /** λ of the ridge penalty on every factor vector (default 0.01). */
  regularization: number
  /** Confidence slope: c = 1 + alpha·r, or 1 + alpha·log(1 + r/eps) under log scaling (default 1). */
  alpha: number
  /** 'linear' (Hu, Koren, Volinsky) or 'log' (their eq. 6, gentler on heavy listeners). Default 'linear'. */
  confidence: 'linear' | 'log'
  /** eps of log scaling (default 1). */
  eps: number
  /** Full passes (users then items) (default 15). */
  iterations: number
  /** Conjugate-gradient steps per row and pass, warm-started from the previous factors (default 3). */
  cgSteps: number
  /** Compute the weighted loss after each iteration for onProgress (costs about one extra pass). Default false. */
  calculateLoss: boolean
  /** Kernel backend (default 'auto': WASM SIMD when it loads). */
  backend: MfBackend
  /** Worker threads; overridden by FitOptions.threads (default 0: all cores). */
  threads: number
}

/**
 * Defaults chosen by `segue tune` on a validation split carved from the training part of the bundled HetRec
 * Last.fm 2K data (play counts up to hundreds of thousands, hence log confidence): precision@10 0.136 there,
 * against 0.119 with implicit's linear alpha=1, reg=0.01.
 */
export const ALS_DEFAULTS: AlsOptions = {
  factors: 64,
  regularization: 50,
  alpha: 2,
  confidence: 'log',
  eps: 1,
  iterations: 15,
  cgSteps: 3,
  calculateLoss: false,
  backend: 'auto',
  threads: 0,
}

export function alsOptions(given: Partial<AlsOptions>): AlsOptions {
  const o = mergeOptions<AlsOptions>('als', ALS_DEFAULTS, given)
  positiveInt('factors', o.factors)
  positiveInt('iterations', o.iterations, true)
  positiveInt('cgSteps', o.cgSteps)
  nonNegative('regularization', o.regularization)
  nonNegative('alpha', o.alpha)
  if (!(o.eps > 0)) throw new SegueError('E_BAD_ARGUMENT', `als: eps must be > 0, got ${o.eps}`)
  if (o.confidence !== 'linear' && o.confidence !== 'log') {
    throw new SegueError('E_BAD_ARGUMENT', `als: confidence must be 'linear' or 'log', got '${String(o.confidence)}'`)
  }
  return o
}

export function positiveInt(name: string, v: number, zeroOk = false): void {
  if (!Number.isInteger(v) || v < (zeroOk ? 0 : 1)) throw new SegueError('E_BAD_ARGUMENT', `${name} must be a ${zeroOk ? 'non-negative' : 'positive'} integer, got ${v}`)
}

export function nonNegative(name: string, v: number): void {
  if (!(v >= 0) || !Number.isFinite(v)) throw new SegueError('E_BAD_ARGUMENT', `${name} must be a finite number >= 0, got ${v}`)
}

/** The confidence function of the options. */
export function confidenceOf(o: AlsOptions): (r: number) => number {
  return o.confidence === 'log' ? (r) => 1 + o.alpha * Math.log1p(r / o.eps) : (r) => 1 + o.alpha * r
}
