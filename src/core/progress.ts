/** A progress report from long work: `done` of `total` units (total 0 when unknown). */
export interface Progress {
  phase: string
  done: number
  total: number
}

export type ProgressFn = (p: Progress) => void

/** Options every long-running operation accepts. */
export interface LongWorkOptions {
  onProgress?: ProgressFn
  /** Aborting stops the work at the next safe point with E_INTERRUPTED; nothing partial is kept. */
  signal?: AbortSignal
}

import { SegueError } from './errors.js'

export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new SegueError('E_INTERRUPTED', `${what} was interrupted`)
}
