import type { Store } from '../store/store.js'
import { ATTRIBUTION_WINDOW_MS, type OnlineDayStats } from '../store/impressions.js'

export const ANSWERS = ['played', 'liked', 'skipped', 'disliked'] as const
export type Answer = (typeof ANSWERS)[number]

/** Counts and their shares of `shown` (0 to 1). */
export interface OnlineFigures {
  model: string
  shown: number
  played: number
  liked: number
  skipped: number
  disliked: number
  /** Each answer's count divided by shown. */
  rates: Record<Answer, number>
}

export interface OnlineReport {
  days: number
  /** First day counted, YYYY-MM-DD (UTC). */
  since: string
  /** How long after being shown feedback still counts as the answer, in hours. */
  windowHours: number
  /** Per model over all the days. */
  models: OnlineFigures[]
  /** Per day and model, oldest day first. */
  daily: (OnlineFigures & { day: string })[]
}

const DAY_MS = 24 * 60 * 60 * 1000

/** The first UTC day of a period of `days` days ending today (days = 1: today only). */
export function sinceDay(days: number, now = new Date()): string {
  return new Date(now.getTime() - (days - 1) * DAY_MS).toISOString().slice(0, 10)
}

/** Shares: count / shown, 0 when nothing was shown. */
function figures(model: string, c: Omit<OnlineDayStats, 'day' | 'model'>): OnlineFigures {
  const rate = (n: number) => (c.shown === 0 ? 0 : n / c.shown)
  const counts = { shown: c.shown, played: c.played, liked: c.liked, skipped: c.skipped, disliked: c.disliked }
  return { model, ...counts, rates: { played: rate(c.played), liked: rate(c.liked), skipped: rate(c.skipped), disliked: rate(c.disliked) } }
}

/** Per-model totals of daily rows, models in name order. */
function totals(rows: readonly OnlineDayStats[]): OnlineFigures[] {
  const sums = new Map<string, Omit<OnlineDayStats, 'day' | 'model'>>()
  for (const r of rows) {
    const s = sums.get(r.model) ?? { shown: 0, played: 0, liked: 0, skipped: 0, disliked: 0 }
    sums.set(r.model, { shown: s.shown + r.shown, played: s.played + r.played, liked: s.liked + r.liked, skipped: s.skipped + r.skipped, disliked: s.disliked + r.disliked })
  }
  return [...sums].sort(([a], [b]) => a.localeCompare(b)).map(([model, s]) => figures(model, s))
}

/** Online evaluation over the last `days` days: of what each model showed, the share played, liked, skipped, disliked. */
export async function onlineReport(store: Pick<Store, 'onlineStats'>, days: number, now = new Date()): Promise<OnlineReport> {
  const since = sinceDay(days, now)
  const rows = await store.onlineStats(since)
  return {
    days,
    since,
    windowHours: ATTRIBUTION_WINDOW_MS / 3_600_000,
    models: totals(rows),
    daily: rows.map((r) => ({ day: r.day, ...figures(r.model, r) })),
  }
}
