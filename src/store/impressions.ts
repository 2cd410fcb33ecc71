/**
 * Impressions for online evaluation (as Gorse does it): which tracks each listener was shown, by which model,
 * when; joined with the feedback they gave afterwards. The SQL here is shared by the SQLite and PostgreSQL
 * stores: times are ISO-8601 TEXT in both (as feedback's are), so every comparison is a string comparison.
 */

/** One track shown to one listener by one model. */
export interface Impression {
  listenerId: string
  trackId: string
  model: string
  /** ISO time the list was served. */
  at: string
}

/** Of the distinct tracks one model showed on one day (UTC), how many the listener then played, liked... */
export interface OnlineDayStats {
  /** YYYY-MM-DD, UTC. */
  day: string
  model: string
  shown: number
  played: number
  liked: number
  skipped: number
  disliked: number
}

/**
 * Feedback counts as the answer to an impression when it comes within this long after it: a day covers
 * "saw it on the list, played it that evening"; later plays are more likely found again some other way.
 */
export const ATTRIBUTION_WINDOW_MS = 24 * 60 * 60 * 1000

/** The row a store writes: the day and the end of the attribution window precomputed, so SQL only compares text. */
export interface ImpressionRow {
  listener_id: string
  track_id: string
  model: string
  at: string
  day: string
  until_at: string
}

export function impressionRow(i: Impression): ImpressionRow {
  const until = new Date(Date.parse(i.at) + ATTRIBUTION_WINDOW_MS).toISOString()
  return { listener_id: i.listenerId, track_id: i.trackId, model: i.model, at: i.at, day: i.at.slice(0, 10), until_at: until }
}

/** The table; removed with the listener (ON DELETE CASCADE), like their feedback. Valid in both dialects. */
export const IMPRESSIONS_SCHEMA = `
CREATE TABLE IF NOT EXISTS impressions (
  listener_id TEXT NOT NULL REFERENCES listeners(id) ON DELETE CASCADE,
  track_id TEXT NOT NULL,
  model TEXT NOT NULL,
  at TEXT NOT NULL,
  day TEXT NOT NULL,
  until_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS impressions_day ON impressions (day);
CREATE INDEX IF NOT EXISTS impressions_listener ON impressions (listener_id);
`

const answered = (kind: string, column: string) => `MAX(CASE WHEN f.kind = '${kind}' THEN 1 ELSE 0 END) AS ${column}`

/**
 * Per day and model, from day `$1` on: the distinct (listener, track) pairs shown, and of those the ones with a
 * play / like / skip / dislike between the first time shown that day and the window after the last time.
 * A track shown again the same day counts once; one shown by two models counts for each.
 */
export const ONLINE_STATS_SQL = `
WITH shown AS (
  SELECT listener_id, track_id, model, day, MIN(at) AS first_at, MAX(until_at) AS last_until
  FROM impressions WHERE day >= $1
  GROUP BY listener_id, track_id, model, day
), answered AS (
  SELECT s.day, s.model, ${answered('play', 'played')}, ${answered('like', 'liked')},
    ${answered('skip', 'skipped')}, ${answered('dislike', 'disliked')}
  FROM shown s LEFT JOIN feedback f
    ON f.listener_id = s.listener_id AND f.track_id = s.track_id AND f.at >= s.first_at AND f.at < s.last_until
  GROUP BY s.listener_id, s.track_id, s.model, s.day
)
SELECT day, model, CAST(COUNT(*) AS INTEGER) AS shown, CAST(SUM(played) AS INTEGER) AS played,
  CAST(SUM(liked) AS INTEGER) AS liked, CAST(SUM(skipped) AS INTEGER) AS skipped, CAST(SUM(disliked) AS INTEGER) AS disliked
FROM answered GROUP BY day, model ORDER BY day, model
`

/** Rows as either driver returns them (PostgreSQL may give integers as strings) turned into numbers. */
export function toDayStats(rows: readonly Record<string, unknown>[]): OnlineDayStats[] {
  return rows.map((r) => ({
    day: String(r.day),
    model: String(r.model),
    shown: Number(r.shown),
    played: Number(r.played),
    liked: Number(r.liked),
    skipped: Number(r.skipped),
    disliked: Number(r.disliked),
  }))
}
