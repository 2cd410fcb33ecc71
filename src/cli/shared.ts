import { InvalidArgumentError } from 'commander'
import type { Engine } from '../engine.js'
import type { ProgressView } from './progress.js'

/** The global options every command sees. */
export interface Globals {
  home?: string
  json?: boolean
  progress: boolean
}

/** Opens the engine for one command, with a progress view, and closes both after it. */
export type WithEngine = <T>(g: Globals, fn: (e: Engine, progress: ProgressView) => Promise<T>) => Promise<T>
/** Prints `data` as JSON under --json, else `text()`. */
export type Print = (g: Globals, data: unknown, text: () => string) => void

/** Ctrl-C aborts the work at its next safe point (nothing partial is written); a second one quits at once. */
export function interruptSignal(): AbortSignal {
  const controller = new AbortController()
  process.once('SIGINT', () => {
    process.stderr.write('\nstopping safely (Ctrl-C again to quit now)...\n')
    controller.abort()
    process.once('SIGINT', () => process.exit(130))
  })
  return controller.signal
}

/** A commander parser for a whole number from 1 to `max`. */
export function wholeNumber(max: number) {
  return (value: string) => {
    const n = Number(value)
    if (!Number.isInteger(n) || n < 1 || n > max) throw new InvalidArgumentError(`expected a whole number from 1 to ${max}`)
    return n
  }
}
