import type { ScalerKind } from './config.js'
import { applyScaler, fitScaler } from './scalers.js'
import { quantileSorted, sortedCopy } from './stats.js'

/**
 * The fitted transform of one numeric column, applied in this order: log1p (if chosen), clip to [lo, hi],
 * then (v - center) / scale. Capping is fitted on the log-transformed values and scaling on the capped ones,
 * so each step sees the data the way the next step will receive it.
 */
export interface NumericParams {
  log: boolean
  lo: number
  hi: number
  center: number
  scale: number
}

export interface NumericFitOptions {
  log: boolean
  cap: boolean
  scaler: ScalerKind
}

export function fitNumeric(raw: Float64Array, opts: NumericFitOptions): NumericParams {
  const logged = opts.log ? raw.map(logOf) : raw
  const { lo, hi } = opts.cap ? iqrFences(logged) : { lo: -Infinity, hi: Infinity }
  const capped = logged.map((v) => clip(v, lo, hi))
  const { center, scale } = fitScaler(opts.scaler, capped)
  return { log: opts.log, lo, hi, center, scale }
}

export function applyNumeric(p: NumericParams, x: number): number {
  const v = p.log ? logOf(x) : x
  return applyScaler(p, clip(v, p.lo, p.hi))
}

/** The value after log and capping but before scaling (used to report clip points and by tests). */
export function preScale(p: NumericParams, x: number): number {
  return clip(p.log ? logOf(x) : x, p.lo, p.hi)
}

/**
 * Tukey's fences [Q1 - 1.5 IQR, Q3 + 1.5 IQR]. A column whose IQR is 0 (most values equal) is left uncapped:
 * its fences would collapse onto one value and erase every value that differs, which is the information.
 */
export function iqrFences(values: Float64Array): { lo: number; hi: number } {
  const sorted = sortedCopy(values)
  const q1 = quantileSorted(sorted, 0.25)
  const q3 = quantileSorted(sorted, 0.75)
  const iqr = q3 - q1
  if (!(iqr > 0)) return { lo: -Infinity, hi: Infinity }
  return { lo: q1 - 1.5 * iqr, hi: q3 + 1.5 * iqr }
}

/** log1p of a value clamped at 0: log columns are non-negative in training, so a negative input is noise. */
function logOf(x: number): number {
  return Math.log1p(Math.max(x, 0))
}

function clip(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v
}
