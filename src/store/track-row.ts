import { createHash } from 'node:crypto'
import { AUDIO_FEATURES, type Track } from '../core/track.js'

/** A track flattened to the columns both SQL stores keep. Lists are JSON text, features a float64 blob. */
export interface TrackRow {
  id: string
  name: string
  artists: string
  artist_ids: string
  album: string | null
  genres: string
  popularity: number | null
  duration_ms: number | null
  explicit: number | null
  release_year: number | null
  release_date: string | null
  artist_followers: number | null
  features: Buffer
  hash: string
}

export function toRow(t: Track): TrackRow {
  const features = Buffer.from(Float64Array.from(t.features).buffer)
  const row: Omit<TrackRow, 'hash'> = {
    id: t.id,
    name: t.name,
    artists: JSON.stringify(t.artists),
    artist_ids: JSON.stringify(t.artistIds),
    album: t.album,
    genres: JSON.stringify(t.genres),
    popularity: t.popularity,
    duration_ms: t.durationMs,
    explicit: t.explicit === null ? null : t.explicit ? 1 : 0,
    release_year: t.releaseYear,
    release_date: t.releaseDate,
    artist_followers: t.artistFollowers,
    features,
  }
  return { ...row, hash: rowHash(row) }
}

export function fromRow(r: TrackRow): Track {
  const bytes = Uint8Array.from(r.features)
  const features = new Float64Array(bytes.buffer, 0, AUDIO_FEATURES.length)
  return {
    id: r.id,
    name: r.name,
    artists: JSON.parse(r.artists),
    artistIds: JSON.parse(r.artist_ids),
    album: r.album,
    genres: JSON.parse(r.genres),
    popularity: r.popularity,
    durationMs: r.duration_ms,
    explicit: r.explicit === null ? null : r.explicit === 1,
    releaseYear: r.release_year,
    releaseDate: r.release_date,
    artistFollowers: r.artist_followers,
    features,
  }
}

/** A content hash of one row: the same track read twice hashes the same. */
function rowHash(r: Omit<TrackRow, 'hash'>): string {
  const h = createHash('sha1')
  for (const [k, v] of Object.entries(r)) {
    h.update(k).update('\0')
    if (Buffer.isBuffer(v)) h.update(v)
    else h.update(String(v))
    h.update('\x01')
  }
  return h.digest('hex')
}

/** The catalogue version: a hash over every (id, row hash) in id order. */
export function catalogueVersion(pairs: Iterable<{ id: string; hash: string }>): string {
  const h = createHash('sha256')
  for (const p of pairs) h.update(p.id).update('\0').update(p.hash).update('\n')
  return h.digest('hex').slice(0, 32)
}
