import type { FastifyRateLimitStoreCtor } from '@fastify/rate-limit'
import type pg from 'pg'
import type { Store } from '../store/store.js'
import { WindowCounter } from './limits.js'
import { PgWindowCounter, pgRateLimitStore } from './limits-pg.js'

/** A key's count in the current window, and the Retry-After (whole seconds, at least 1) until it turns. */
export interface WindowCount {
  count: number
  secondsLeft: number
}

/** Fixed-window request counts per key, in this process or shared by every server of one store. */
export interface RateCounter {
  readonly windowMs: number
  /** Counts one more for `key`; returns its count in this window, this one included. */
  hit(key: string): Promise<WindowCount>
  /** The count for `key` in this window. */
  count(key: string): Promise<WindowCount>
}

/** The in-process WindowCounter behind the RateCounter interface: one server's own counts (SQLite). */
export class LocalRateCounter implements RateCounter {
  private readonly counter: WindowCounter

  constructor(readonly windowMs: number) {
    this.counter = new WindowCounter(windowMs)
  }

  async hit(key: string): Promise<WindowCount> {
    return { count: this.counter.hit(key), secondsLeft: this.counter.secondsLeft() }
  }

  async count(key: string): Promise<WindowCount> {
    return { count: this.counter.count(key), secondsLeft: this.counter.secondsLeft() }
  }
}

/** Where a server's rate limits are counted: made once per app from its store. */
export interface RateCounting {
  /** 'postgres': shared by every server on the database; 'process': this server alone. */
  readonly where: 'postgres' | 'process'
  counter(scope: string, windowMs: number): RateCounter
  /** A `store` for @fastify/rate-limit, or undefined for its own in-process one. */
  readonly pluginStore?: FastifyRateLimitStoreCtor
}

/**
 * Limits are counted in PostgreSQL when the store is PostgreSQL (so N servers give the limits of one), and in
 * this process otherwise (SQLite is one server's file).
 */
export function rateCounting(store: Store): RateCounting {
  const pool = postgresPool(store)
  if (!pool) return { where: 'process', counter: (_scope, windowMs) => new LocalRateCounter(windowMs) }
  return {
    where: 'postgres',
    counter: (scope, windowMs) => new PgWindowCounter(pool, `${scope}:${windowMs}`, windowMs),
    pluginStore: pgRateLimitStore(pool),
  }
}

/** The primary's pool of a PostgreSQL store (or of a replicated one), else null. */
export function postgresPool(store: Store): pg.Pool | null {
  const pool = (store as { pool?: unknown }).pool
  return pool && typeof (pool as pg.Pool).query === 'function' ? (pool as pg.Pool) : null
}
