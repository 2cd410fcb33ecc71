import { assertUnreachable } from '../core/errors.js'
import type { ScalerKind } from './config.js'
import { mean, quantileSorted, sortedCopy, std } from './stats.js'

/** A fitted affine scaler: scaled = (x - center) / scale. */
export interface ScalerParams {
  center: number
  scale: number
}

/**
 * Fits a scaler on training values. A column without spread (std, IQR or range of 0) gets scale 1 rather than
 * a division by zero: it is then merely shifted, and a constant column cannot move any distance anyway.
 */
export function fitScaler(kind: ScalerKind, values: Float64Array): ScalerParams {
  const { center, spread } = centerAndSpread(kind, values)
  return { center, scale: spread > 0 ? spread : 1 }
}

function centerAndSpread(kind: ScalerKind, values: Float64Array): { center: number; spread: number } {
  switch (kind) {
    case 'standard':
      return { center: mean(values), spread: std(values) }
    case 'robust': {
      const sorted = sortedCopy(values)
      const iqr = quantileSorted(sorted, 0.75) - quantileSorted(sorted, 0.25)
      return { center: quantileSorted(sorted, 0.5), spread: iqr }
    }
    case 'minmax': {
      const sorted = sortedCopy(values)
      const min = sorted.length > 0 ? sorted[0] : 0
      const max = sorted.length > 0 ? sorted[sorted.length - 1] : 0
      return { center: min, spread: max - min }
    }
    default:
      return assertUnreachable(kind)
  }
}

export function applyScaler(p: ScalerParams, x: number): number {
  return (x - p.center) / p.scale
}
