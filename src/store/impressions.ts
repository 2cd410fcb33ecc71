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

/**
 * The rows to write for a batch: one per (day, model, listener, track), from its first showing to a day after its
 * last, as the table keeps them (PostgreSQL's ON CONFLICT cannot touch one row twice in a statement).
 */
export function impressionRows(impressions: readonly Impression[]): ImpressionRow[] {
  const rows = new Map<string, ImpressionRow>()
  for (const i of impressions) {
    const row = impressionRow(i)
    const key = JSON.stringify([row.day, row.model, row.listener_id, row.track_id])
    const seen = rows.get(key)
    if (!seen) rows.set(key, row)
    else rows.set(key, { ...seen, at: min(seen.at, row.at), until_at: max(seen.until_at, row.until_at) })
  }
  return [...rows.values()]
}

const min = (a: string, b: string) => (a < b ? a : b)
const max = (a: string, b: string) => (a > b ? a : b)

/**
 * One row per listener, track, model and day (a list reloaded ten times is one row, not 200). The name is not
 * plain "impressions": a table of that name with a row per showing was tried first and may exist in a home.
 */
export const IMPRESSIONS_TABLE = 'impressions_daily'

/** A pair shown again the same day extends its row: the window runs from the first showing to a day after the last. */
const ON_REPEAT = `ON CONFLICT (day, model, listener_id, track_id) DO UPDATE SET
  at = CASE WHEN excluded.at < ${IMPRESSIONS_TABLE}.at THEN excluded.at ELSE ${IMPRESSIONS_TABLE}.at END,
  until_at = CASE WHEN excluded.until_at > ${IMPRESSIONS_TABLE}.until_at THEN excluded.until_at ELSE ${IMPRESSIONS_TABLE}.until_at END`

/** SQLite, one row per run (named parameters); a listener who no longer exists gets nothing. */
export const INSERT_IMPRESSION_SQLITE = `INSERT INTO ${IMPRESSIONS_TABLE} (listener_id, track_id, model, at, day, until_at)
SELECT @listener_id, @track_id, @model, @at, @day, @until_at WHERE EXISTS (SELECT 1 FROM listeners WHERE id = @listener_id)
${ON_REPEAT}`

/** PostgreSQL, a whole batch as six text arrays; the join leaves out listeners deleted since the list was served. */
export const INSERT_IMPRESSIONS_PG = `INSERT INTO ${IMPRESSIONS_TABLE} (listener_id, track_id, model, at, day, until_at)
SELECT i.listener_id, i.track_id, i.model, i.at, i.day, i.until_at
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS i(listener_id, track_id, model, at, day, until_at)
JOIN listeners l ON l.id = i.listener_id
${ON_REPEAT}`

/** Removes the days before $1. */
export const PRUNE_IMPRESSIONS = `DELETE FROM ${IMPRESSIONS_TABLE} WHERE day < $1`

/** The table; removed with the listener (ON DELETE CASCADE), like their feedback. Valid in both dialects. */
export const IMPRESSIONS_SCHEMA = `
CREATE TABLE IF NOT EXISTS ${IMPRESSIONS_TABLE} (
  listener_id TEXT NOT NULL REFERENCES listeners(id) ON DELETE CASCADE,
  track_id TEXT NOT NULL,
  model TEXT NOT NULL,
  at TEXT NOT NULL,
  day TEXT NOT NULL,
  until_at TEXT NOT NULL,
  -- Counting shown pairs per day and model reads this key alone, in order.
  PRIMARY KEY (day, model, listener_id, track_id)
);
-- The join from feedback probes this index, which also serves the cascade when a listener is deleted.
CREATE INDEX IF NOT EXISTS ${IMPRESSIONS_TABLE}_by_pair ON ${IMPRESSIONS_TABLE} (listener_id, track_id, at);
`

const answered = (kind: string, column: string) => `MAX(CASE WHEN f.kind = '${kind}' THEN 1 ELSE 0 END) AS ${column}`
const total = (column: string) => `CAST(COALESCE(a.${column}, 0) AS INTEGER) AS ${column}`

/**
 * Per day and model, from day `$1` on: the distinct (listener, track) pairs shown, and of those the ones with a
 * play / like / skip / dislike within the window after an impression of that pair (the windows of one day's
 * impressions overlap, so this is "from the first time shown that day to a day after the last").
 * A track shown again the same day counts once; one shown by two models counts for each.
 *
 * The answers are found from the feedback side (events since `$1`, each probing the pair index), not by
 * joining every impression with its listener's whole history: feedback is a small fraction of what is shown.
 * CROSS JOIN keeps that order in SQLite (which otherwise may drive from impressions); PostgreSQL plans it freely.
 */
export const ONLINE_STATS_SQL = `
WITH pairs AS (
  SELECT f.kind, i.day, i.model, i.listener_id, i.track_id
  FROM feedback f CROSS JOIN ${IMPRESSIONS_TABLE} i
  WHERE f.at >= $1 AND i.listener_id = f.listener_id AND i.track_id = f.track_id
    AND i.at <= f.at AND f.at < i.until_at AND i.day >= $1
), answered AS (
  SELECT day, model, listener_id, track_id, ${answered('play', 'played')}, ${answered('like', 'liked')},
    ${answered('skip', 'skipped')}, ${answered('dislike', 'disliked')}
  FROM pairs f GROUP BY day, model, listener_id, track_id
), answers AS (
  SELECT day, model, SUM(played) AS played, SUM(liked) AS liked, SUM(skipped) AS skipped, SUM(disliked) AS disliked
  FROM answered GROUP BY day, model
), shown AS (
  SELECT day, model, COUNT(*) AS shown FROM ${IMPRESSIONS_TABLE} WHERE day >= $1 GROUP BY day, model
)
SELECT s.day, s.model, CAST(s.shown AS INTEGER) AS shown, ${total('played')}, ${total('liked')}, ${total('skipped')}, ${total('disliked')}
FROM shown s LEFT JOIN answers a ON a.day = s.day AND a.model = s.model
ORDER BY s.day, s.model
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
