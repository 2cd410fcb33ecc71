import { isSegueError } from '../core/errors.js'
import type { Store } from '../store/store.js'
import { scrubSecrets } from '../store/redact.js'
import { opsMetrics } from './metrics.js'

/** One check's answer: ok, or why not. */
export interface CheckResult {
  name: string
  ok: boolean
  detail: string
}

/** A check answers null when ready, else the reason in a listener-free, operator-readable sentence. */
export type Check = () => Promise<string | null>

/**
 * A readiness probe must answer well within a load balancer's check interval (haproxy's default 2 s), so a
 * store that hangs counts as down after this long instead of holding the probe.
 */
export const STORE_CHECK_TIMEOUT_MS = 1_500

/**
 * What "ready to serve" means for one server: every named check passes. Built-in checks (the store answers,
 * the models are loaded) are added by routes-ops; other parts add their own gates, e.g. the worker's
 * "no published collaborative model yet" or the rollout's first load, through {@link readinessOf}.
 */
export class Readiness {
  private readonly checks = new Map<string, Check>()
  private readonly notes = new Map<string, () => string>()

  /** A line that never holds readiness back but is shown as an ok check's detail (e.g. "content only until..."). */
  note(name: string, fn: () => string): void {
    this.notes.set(name, fn)
  }

  /** Adds or replaces a check. */
  check(name: string, fn: Check): void {
    this.checks.set(name, fn)
  }

  /** A gate closed with `reason` until {@link open} is called with the same name. */
  wait(name: string, reason: string): void {
    this.checks.set(name, async () => reason)
  }

  open(name: string): void {
    this.checks.delete(name)
  }

  /** Not ready while `work` runs ("loading: <reason>"); ready once it resolves; its failure is the reason after. */
  track(name: string, work: Promise<unknown>, reason: string): void {
    let state: string | null = reason
    this.check(name, async () => state)
    work.then(
      () => (state = null),
      (err: Error) => (state = `failed: ${scrubSecrets(err.message)}`),
    )
  }

  /** Runs every check at once; a check that throws counts as failed with its message. */
  async evaluate(): Promise<{ ready: boolean; checks: CheckResult[] }> {
    const checks = await Promise.all(
      [...this.checks].map(async ([name, fn]): Promise<CheckResult> => {
        try {
          const reason = await fn()
          return { name, ok: reason === null, detail: reason ?? 'ok' }
        } catch (err) {
          return { name, ok: false, detail: scrubSecrets((err as Error).message) }
        }
      }),
    )
    const notes = [...this.notes].map(([name, fn]): CheckResult => ({ name, ok: true, detail: fn() }))
    return { ready: checks.every((c) => c.ok), checks: [...checks, ...notes] }
  }
}

const byOwner = new WeakMap<object, Readiness>()

/** The readiness of one service (one per server process, one per app in tests). */
export function readinessOf(owner: object): Readiness {
  let r = byOwner.get(owner)
  if (!r) byOwner.set(owner, (r = new Readiness()))
  return r
}

/** A check that the store answers a trivial query within {@link STORE_CHECK_TIMEOUT_MS}. */
export function storeCheck(store: Pick<Store, 'ping'>): Check {
  return async () => {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`the store did not answer within ${STORE_CHECK_TIMEOUT_MS} ms`), STORE_CHECK_TIMEOUT_MS)
    })
    const answer = store.ping().then(
      () => null,
      (err: unknown) => `the store is unreachable: ${isSegueError(err) ? err.message : scrubSecrets(String((err as Error)?.message ?? err))}`,
    )
    try {
      const reason = await Promise.race([answer, timeout])
      if (reason !== null) opsMetrics.storeError('ping')
      return reason
    } finally {
      clearTimeout(timer)
    }
  }
}
