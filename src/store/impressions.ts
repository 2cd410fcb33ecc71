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
  return { listener_id: i.listenerId, track_id: i.trackId, model: i.model, at: i.at, day: i.at.slice(0, 10), until_at: untilOf(i.at) }
}

/** The end of the attribution window of a showing at `at`. */
function untilOf(at: string): string {
  return new Date(Date.parse(at) + ATTRIBUTION_WINDOW_MS).toISOString()
}

/**
 * The rows to write for a batch: one per (day, model, listener, track), from its first showing to a day after its
 * last, as the table keeps them (PostgreSQL's ON CONFLICT cannot touch one row twice in a statement).
 */
export function impressionRows(impressions: readonly Impression[]): ImpressionRow[] {
  const rows = new Map<string, ImpressionRow>()
  // A batch's impressions share few times (one per list served), so each time's window end is computed once.
  let lastAt = ''
  let lastUntil = ''
  for (const i of impressions) {
    if (i.at !== lastAt) {
      lastAt = i.at
      lastUntil = untilOf(i.at)
    }
    const day = i.at.slice(0, 10)
    // Length-prefixed, so no choice of strings makes two different rows' keys equal.
    const key = `${day.length}:${day}${i.model.length}:${i.model}${i.listenerId.length}:${i.listenerId}${i.trackId}`
    const seen = rows.get(key)
    if (!seen) rows.set(key, { listener_id: i.listenerId, track_id: i.trackId, model: i.model, at: i.at, day, until_at: lastUntil })
    else rows.set(key, { ...seen, at: min(seen.at, i.at), until_at: max(seen.until_at, lastUntil) })
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
const ON_REPEAT = `ON CONFLICT (listener_id, track_id, day, model) DO UPDATE SET
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

const COLUMNS = 'listener_id, track_id, model, at, day, until_at'

/**
 * The table under `name`. Its key leads with the pair: the join from feedback probes it, and so does the cascade
 * when a listener is deleted. A write is then one row in one randomly placed key (plus the appended row and the
 * day index, whose new entries go to its end). The first layout keyed (day, model, listener, track) and added an
 * index on (listener, track, at): two randomly placed entries per row, and at thousands of new pairs a second
 * (lists served from new seeds) the pages they dirtied made the impression writes about a quarter of a
 * recommendations request's CPU; this one costs about 0.4-0.6 of that per row.
 */
const tableSql = (name: string) => `CREATE TABLE IF NOT EXISTS ${name} (
  listener_id TEXT NOT NULL REFERENCES listeners(id) ON DELETE CASCADE,
  track_id TEXT NOT NULL,
  model TEXT NOT NULL,
  at TEXT NOT NULL,
  day TEXT NOT NULL,
  until_at TEXT NOT NULL,
  PRIMARY KEY (listener_id, track_id, day, model)
);`

/** The table; removed with the listener (ON DELETE CASCADE), like their feedback. Valid in both dialects. */
export const IMPRESSIONS_SCHEMA = `
${tableSql(IMPRESSIONS_TABLE)}
-- Counting shown pairs per day and model reads this index alone, in order; pruning old days reads it too.
CREATE INDEX IF NOT EXISTS ${IMPRESSIONS_TABLE}_by_day ON ${IMPRESSIONS_TABLE} (day, model);
`

/** An index only the first layout had: where it exists, the table is rebuilt (IMPRESSIONS_REBUILD) before use. */
export const FIRST_LAYOUT_INDEX = `${IMPRESSIONS_TABLE}_by_pair`

/**
 * Rebuilds a table of the first layout into the current one, rows unchanged (both dialects; run in a
 * transaction, before IMPRESSIONS_SCHEMA, which adds the day index).
 */
export const IMPRESSIONS_REBUILD = `
DROP TABLE IF EXISTS ${IMPRESSIONS_TABLE}_rebuilt;
${tableSql(`${IMPRESSIONS_TABLE}_rebuilt`)}
INSERT INTO ${IMPRESSIONS_TABLE}_rebuilt (${COLUMNS}) SELECT ${COLUMNS} FROM ${IMPRESSIONS_TABLE};
DROP TABLE ${IMPRESSIONS_TABLE};
ALTER TABLE ${IMPRESSIONS_TABLE}_rebuilt RENAME TO ${IMPRESSIONS_TABLE};
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
