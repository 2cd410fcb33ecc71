import type { Store } from '../store/store.js'
import type { Impression } from '../store/impressions.js'
import { opsMetrics } from './metrics.js'

/** Daily figures do not mind a few seconds' delay, and one write every 2 s costs the store nothing. */
export const FLUSH_EVERY_MS = 2_000
/** This many pairs waiting are written at once rather than waiting for the timer (about 25 different lists of 20). */
export const FLUSH_AT = 500
/**
 * At most this many pairs wait in memory (about 4 MB) when the store is slow or down; more are dropped
 * and counted (segue_impressions_dropped_total): evaluation loses a few rows, serving loses nothing.
 */
export const MAX_BUFFERED = 20_000
/** Impressions are kept this many days: the longest period GET /api/stats/online reports on. */
export const KEEP_DAYS = 90
/** How often a server removes older impressions; with several servers each does, and the DELETE is idempotent. */
export const PRUNE_EVERY_MS = 6 * 60 * 60 * 1000
const DAY_MS = 24 * 60 * 60 * 1000

export interface RecorderOptions {
  flushEveryMs?: number
  flushAt?: number
  maxBuffered?: number
  keepDays?: number
  pruneEveryMs?: number
}

/**
 * Collects what listeners are shown and writes it to the store in batches, off the request path. It keeps one
 * entry per (day, model, listener, track) with its first and last showing, which is all the store keeps of them
 * (one row from the first showing to a day after the last): a list served again and again (a listener reloading,
 * a cached answer) neither grows the buffer nor adds rows to write. A failed write drops its batch (counted)
 * instead of retrying without bound.
 */
export class ImpressionRecorder {
  /** Pairs shown since the last flush, by day, model, listener and track. */
  private pending = new Map<string, ShownSpan>()
  private writing: Promise<void> = Promise.resolve()
  private readonly timer: NodeJS.Timeout
  private readonly opts: Required<RecorderOptions>
  /** When older impressions were last removed; 0: on the first flush. */
  private prunedAt = 0
  private closed = false

  constructor(
    private readonly store: Pick<Store, 'recordImpressions' | 'pruneImpressions'>,
    opts: RecorderOptions = {},
  ) {
    this.opts = { flushEveryMs: FLUSH_EVERY_MS, flushAt: FLUSH_AT, maxBuffered: MAX_BUFFERED, keepDays: KEEP_DAYS, pruneEveryMs: PRUNE_EVERY_MS, ...opts }
    this.timer = setInterval(() => void this.flush(), this.opts.flushEveryMs)
    this.timer.unref()
  }

  /** Notes that `listenerId` was shown `trackIds` by `model` now. Never throws, never waits. */
  shown(listenerId: string, model: string, trackIds: readonly string[], at = new Date().toISOString()): void {
    if (this.closed) return
    // NUL is refused in ids at the schema edge, so it cannot join two keys into one.
    const prefix = `${at.slice(0, 10)}\0${model}\0${listenerId}\0`
    let dropped = 0
    for (const trackId of trackIds) {
      const key = prefix + trackId
      const span = this.pending.get(key)
      if (span) {
        if (at < span.first) span.first = at
        if (at > span.last) span.last = at
      } else if (this.pending.size < this.opts.maxBuffered) this.pending.set(key, { listenerId, trackId, model, first: at, last: at })
      else dropped++
    }
    opsMetrics.impressionsDropped(dropped)
    if (this.pending.size >= this.opts.flushAt) void this.flush()
  }

  /** Writes what is buffered; resolves once it (and any write before it) is done. */
  flush(): Promise<void> {
    const batch = impressionsOfSpans(this.pending.values())
    this.pending = new Map()
    this.writing = this.writing.then(() => (batch.length === 0 ? undefined : this.write(batch)))
    return this.writing
  }

  /** Writes what is left and stops the timer. */
  async close(): Promise<void> {
    this.closed = true
    clearInterval(this.timer)
    await this.flush()
  }

  private async write(batch: Impression[]): Promise<void> {
    try {
      await this.store.recordImpressions(batch)
    } catch {
      opsMetrics.storeError('record impressions')
      opsMetrics.impressionsDropped(batch.length)
    }
    await this.pruneNow()
  }

  /** Removes impressions older than keepDays, at most once per pruneEveryMs; a failure waits for the next turn. */
  private async pruneNow(): Promise<void> {
    const now = Date.now()
    if (now - this.prunedAt < this.opts.pruneEveryMs) return
    this.prunedAt = now
    const before = new Date(now - this.opts.keepDays * DAY_MS).toISOString().slice(0, 10)
    await this.store.pruneImpressions(before).catch(() => opsMetrics.storeError('prune impressions'))
  }
}

/** One pair's showings since the last flush. */
interface ShownSpan {
  listenerId: string
  trackId: string
  model: string
  first: string
  last: string
}

/** Each span as the impressions that make its row: the first showing, and the last when later. */
function impressionsOfSpans(spans: Iterable<ShownSpan>): Impression[] {
  const out: Impression[] = []
  for (const { listenerId, trackId, model, first, last } of spans) {
    out.push({ listenerId, trackId, model, at: first })
    if (last !== first) out.push({ listenerId, trackId, model, at: last })
  }
  return out
}

const byOwner = new WeakMap<object, ImpressionRecorder>()

/** The recorder of one service, made on first use. */
export function impressionsOf(owner: object, store: Pick<Store, 'recordImpressions' | 'pruneImpressions'>): ImpressionRecorder {
  let r = byOwner.get(owner)
  if (!r) byOwner.set(owner, (r = new ImpressionRecorder(store)))
  return r
}
