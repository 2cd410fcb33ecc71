import type { Track } from '../core/track.js'
import type { Impression, OnlineDayStats } from './impressions.js'

/** What the store knows of the catalogue it holds. */
export interface CatalogueInfo {
  /** Content checksum over every track: equal checksums mean identical catalogues. */
  version: string
  tracks: number
  updatedAt: string
}

/** One entry of the import log. */
export interface ImportRecord {
  source: string
  layout: string
  at: string
  changed: boolean
  report: unknown
}

export interface ImportOutcome {
  /** Tracks that were new or differed from the stored ones. */
  added: number
  updated: number
  unchanged: number
  info: CatalogueInfo
}

/** A listener of the app. Only a hash of their access token is kept. */
export interface ListenerRecord {
  id: string
  name: string | null
  /** SHA-256 of the listener's bearer token, hex. */
  tokenHash: string
  createdAt: string
}

export const FEEDBACK_KINDS = ['play', 'like', 'skip', 'dislike'] as const
export type FeedbackKind = (typeof FEEDBACK_KINDS)[number]

export interface NewFeedback {
  trackId: string
  kind: FeedbackKind
  /** ISO time; the store fills in now when absent. */
  at?: string
}

/** A stored feedback event; `seq` grows with every event the store accepts. */
export interface FeedbackEvent {
  seq: number
  listenerId: string
  trackId: string
  kind: FeedbackKind
  at: string
}

/** The answer of Store.feedbackAfter. */
export interface FeedbackTail {
  /** seq of the listener's oldest stored event; null when they have none. */
  first: number | null
  /** Their events with a seq above the one asked for, oldest first. */
  events: FeedbackEvent[]
}

/**
 * Where segue keeps the catalogue, the import log, listeners and their feedback. SQLite is the embedded
 * default; PostgreSQL stands behind the same interface so several server instances can share one database.
 * Every method is asynchronous because a networked store must be; a promise that resolves means the write is
 * durable (committed), so a server may acknowledge it.
 */
export interface Store {
  /** Where the data lives, for messages (a file path or a URL without its password). */
  readonly location: string
  /**
   * Adds or replaces tracks by id in one transaction: either every track lands or none does, so a failed
   * import leaves the previous catalogue intact. With `replace`, tracks absent from `tracks` are removed.
   */
  upsertTracks(tracks: readonly Track[], opts?: { replace?: boolean; record?: Omit<ImportRecord, 'at' | 'changed'> }): Promise<ImportOutcome>
  getTrack(id: string): Promise<Track | null>
  /** Every track, in id order. */
  allTracks(): Promise<Track[]>
  countTracks(): Promise<number>
  catalogueInfo(): Promise<CatalogueInfo | null>
  imports(): Promise<ImportRecord[]>

  /** Adds a listener; E_CONFLICT when the id is taken. */
  createListener(listener: ListenerRecord): Promise<void>
  getListener(id: string): Promise<ListenerRecord | null>
  /** Removes the listener and every event of theirs in one transaction; false when there was no such listener. */
  deleteListener(id: string): Promise<boolean>
  /** Appends events in one transaction and returns them as stored; E_NOT_FOUND for an unknown listener. */
  appendFeedback(listenerId: string, events: readonly NewFeedback[]): Promise<FeedbackEvent[]>
  /** A listener's events, oldest first; with `limit`, only the most recent ones. */
  feedback(listenerId: string, opts?: { limit?: number }): Promise<FeedbackEvent[]>
  /**
   * A listener's events after `afterSeq`, oldest first, with the seq of their first event ever (null when they
   * have none): what a cache of the listener's folded history needs to catch up exactly. Events are only ever
   * removed all together (deleteListener), so an unchanged `first` means the cached events are all still there.
   * Served by the (listener_id, seq) index: the cost depends on the new events, not on the whole history.
   */
  feedbackAfter(listenerId: string, afterSeq: number): Promise<FeedbackTail>
  /** A listener's setting by key (their picked mood, their onboarding answers), or null when unset. */
  listenerSetting(listenerId: string, key: string): Promise<string | null>
  /** Sets a listener's setting, or with null clears it; E_NOT_FOUND for an unknown listener. Removed with the listener. */
  setListenerSetting(listenerId: string, key: string, value: string | null): Promise<void>

  /** Answers a trivial query (readiness); E_STORE when the store cannot. */
  ping(): Promise<void>
  /**
   * Records tracks shown to listeners (online evaluation) in one transaction, one row per listener, track, model
   * and day (a repeat extends its row); listeners that no longer exist are left out. Returns the rows written.
   */
  recordImpressions(impressions: readonly Impression[]): Promise<number>
  /** Per day (UTC) and model, from `sinceDay` (YYYY-MM-DD) on: tracks shown and how many were then played, liked... */
  onlineStats(sinceDay: string): Promise<OnlineDayStats[]>
  /** Removes impressions of days before `beforeDay` (YYYY-MM-DD); returns how many went. */
  pruneImpressions(beforeDay: string): Promise<number>

  close(): Promise<void>
}
