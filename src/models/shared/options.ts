import { SegueError } from '../../core/errors.js'

/**
 * Parameters every model accepts, because shared callers (the CLI, hyper-parameter search) pass them to
 * whichever model they build: `seed`. A deterministic model accepts it and has no use for it.
 */
export const COMMON_PARAMS: readonly string[] = ['seed']

/**
 * Merges user options over documented defaults (ml-kmeans style) and refuses unknown keys, so a typo such as
 * `{ kk: 50 }` is an error rather than a silently ignored setting. Common parameters are dropped here.
 */
export function mergeOptions<T extends object>(model: string, defaults: Required<T>, given: Partial<T> = {}): Required<T> {
  given = Object.fromEntries(Object.entries(given).filter(([key]) => !COMMON_PARAMS.includes(key))) as Partial<T>
  for (const key of Object.keys(given)) {
    if (!(key in defaults)) {
      throw new SegueError('E_BAD_ARGUMENT', `${model}: unknown option '${key}' (known: ${Object.keys(defaults).join(', ') || 'none'})`)
    }
  }
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined))
  return { ...defaults, ...defined } as Required<T>
}

/** Refuses a numeric option outside [min, max], naming the model and the option. */
export function requireRange(model: string, name: string, value: number, min: number, max = Infinity, integer = false): void {
  if (!(value >= min && value <= max) || (integer && !Number.isInteger(value))) {
    const kind = integer ? 'an integer' : 'a number'
    throw new SegueError('E_BAD_ARGUMENT', `${model}: option '${name}' must be ${kind} in [${min}, ${max}], got ${value}`)
  }
}

/** The options a saved model was fitted with (its artifact's meta), to construct the model that loads it. */
export function savedOptions<T>(saved: { meta: Record<string, unknown> }): Partial<T> {
  return (saved.meta.options ?? {}) as Partial<T>
}
