import { SegueError } from '../../core/errors.js'

/**
 * Throws when `values` holds NaN or an infinity, naming what was checked and what to try (as LightFM's
 * _check_finite does): a non-finite weight poisons every score computed from it, far from the cause.
 */
export function assertFinite(values: ArrayLike<number>, model: string, what: string, hint: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new SegueError('E_BAD_ARGUMENT', `${model}: ${what} has a non-finite value (${values[i]}) at ${i}; ${hint}`)
    }
  }
}

/** Scores may be -Infinity (the model's "no opinion", ranked by backfill) but never NaN or +Infinity. */
export function assertScores(scores: Float32Array, model: string): void {
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i]
    if (s !== s || s === Infinity) {
      throw new SegueError('E_BAD_ARGUMENT', `${model}: score of item ${i} is ${s}; the fitted model is damaged, refit it`)
    }
  }
}
