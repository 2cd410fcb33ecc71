import type { Store } from '../store/store.js'
import type { Impression } from '../store/impressions.js'
import { opsMetrics } from './metrics.js'

/** Daily figures do not mind a few seconds' delay, and one write every 2 s costs the store nothing. */
export const FLUSH_EVERY_MS = 2_000
/** A batch this large is written at once rather than waiting for the timer (about 25 lists of 20). */
export const FLUSH_AT = 500
/**
 * At most this many impressions wait in memory (about 3 MB) when the store is slow or down; more are dropped
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
 * Collects what listeners are shown and writes it to the store in batches, off the request path: `shown`
 * only appends the list to an array. A failed write drops its batch (counted) instead of retrying without bound.
 */
export class ImpressionRecorder {
  /** Whole lists as served (one small object per request); expanded to rows only when written. */
  private buffer: ShownList[] = []
  /** Tracks in `buffer`. */
  private buffered = 0
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
    const room = Math.max(0, this.opts.maxBuffered - this.buffered)
    const taken = trackIds.length <= room ? trackIds : trackIds.slice(0, room)
    opsMetrics.impressionsDropped(trackIds.length - taken.length)
    if (taken.length === 0) return
    this.buffer.push({ listenerId, model, at, trackIds: taken })
    this.buffered += taken.length
    if (this.buffered >= this.opts.flushAt) void this.flush()
  }

  /** Writes what is buffered; resolves once it (and any write before it) is done. */
  flush(): Promise<void> {
    const batch = distinctImpressions(this.buffer)
    this.buffer = []
    this.buffered = 0
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

export interface ShownList {
  listenerId: string
  model: string
  at: string
  trackIds: readonly string[]
}

/**
 * The impressions of `lists`, one per (day, model, listener, track) at its first showing, plus one at its last
 * when that is later: the store keeps a single row spanning the two (earliest time to a day after the latest), so
 * the rows come out the same, while a list served again and again (a cached answer reloaded) is expanded once.
 */
export function distinctImpressions(lists: readonly ShownList[]): Impression[] {
  const spans = new Map<string, { first: Impression; last: string }>()
  for (const l of lists) {
    const day = l.at.slice(0, 10)
    for (const trackId of l.trackIds) {
      // NUL is refused in ids at the schema edge, so it cannot join two keys into one.
      const key = `${day}\0${l.model}\0${l.listenerId}\0${trackId}`
      const span = spans.get(key)
      if (!span) spans.set(key, { first: { listenerId: l.listenerId, trackId, model: l.model, at: l.at }, last: l.at })
      else {
        if (l.at < span.first.at) span.first = { ...span.first, at: l.at }
        if (l.at > span.last) span.last = l.at
      }
    }
  }
  const out: Impression[] = []
  for (const { first, last } of spans.values()) out.push(first, ...(last === first.at ? [] : [{ ...first, at: last }]))
  return out
}

const byOwner = new WeakMap<object, ImpressionRecorder>()

/** The recorder of one service, made on first use. */
export function impressionsOf(owner: object, store: Pick<Store, 'recordImpressions' | 'pruneImpressions'>): ImpressionRecorder {
  let r = byOwner.get(owner)
  if (!r) byOwner.set(owner, (r = new ImpressionRecorder(store)))
  return r
}
