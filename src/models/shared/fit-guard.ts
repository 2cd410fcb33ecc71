import { SegueError } from '../../core/errors.js'
import { throwIfAborted } from '../../core/progress.js'

/**
 * Refuses a second fit while one runs (as tfjs does): two fits interleaving would swap in whichever model
 * finished last, silently. The guard also yields once before the work starts, so a caller that starts two
 * fits back to back sees the second refused rather than both running to completion one after the other.
 */
export class FitGuard {
  private busy = false

  async run<T>(model: string, signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
    if (this.busy) throw new SegueError('E_BAD_ARGUMENT', `${model}: a fit is already running; await it before fitting again`)
    this.busy = true
    try {
      await yieldToEventLoop()
      throwIfAborted(signal, `${model} fit`)
      return await work()
    } finally {
      this.busy = false
    }
  }
}

/** Lets timers, I/O and abort signals through during long synchronous work. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/**
 * Calls `onProgress` and yields to the event loop at most every `everyMs`, and checks the abort signal:
 * long loops call `tick(done)` each step and pay almost nothing for it.
 */
export function progressTicker(
  model: string,
  total: number,
  opts: { signal?: AbortSignal; onProgress?: (p: { iteration: number; total: number; seconds: number }) => void },
  everyMs = 100,
): { tick: (done: number) => Promise<void>; seconds: () => number } {
  const start = performance.now()
  let last = start
  const seconds = () => (performance.now() - start) / 1000
  const tick = async (done: number) => {
    const now = performance.now()
    if (now - last < everyMs && done < total) return
    last = now
    opts.onProgress?.({ iteration: done, total, seconds: seconds() })
    await yieldToEventLoop()
    throwIfAborted(opts.signal, `${model} fit`)
  }
  return { tick, seconds }
}
