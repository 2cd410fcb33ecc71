/** SQL both stores share. */

/**
 * A listener's first seq and their events after a seq, in one statement: the one-row subquery keeps `first`
 * even when no event is newer. Both sides are lookups in the (listener_id, seq) index.
 */
export const FEEDBACK_AFTER = `
SELECT m.first, f.seq, f.track_id, f.kind, f.at
FROM (SELECT min(seq) AS first FROM feedback WHERE listener_id = $1) m
LEFT JOIN feedback f ON f.listener_id = $1 AND f.seq > $2
ORDER BY f.seq`
