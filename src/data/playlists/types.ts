/**
 * Playlists as listening data (the Spotify Million Playlist Dataset and its layouts): a playlist is a listener,
 * a track is an item. Tracks keep their own id, artist and title whether or not the catalogue has them, so models
 * learn from all of them and the app shows the ones it can.
 */

/** One distinct track as the playlist files name it. */
export interface PlaylistTrack {
  /** The bare 22-character Spotify id (a `spotify:track:` prefix is removed on reading). */
  id: string
  /** The first (credited) artist's name. */
  artist: string
  title: string
  album?: string
  durationMs?: number
}

/** One playlist; `tracks` holds indices into PlaylistSet.tracks in playlist order (repeats kept, as in the MPD). */
export interface Playlist {
  pid: number
  /** Empty when the source has none (some challenge playlists are shown without their title). */
  name: string
  tracks: number[]
  followers?: number
  /** Unix seconds. */
  modifiedAt?: number
}

/**
 * A challenge playlist (MPD `challenge_set.json`): some tracks shown, the rest held out by the organisers.
 * `tracks` are the shown ones (possibly none, for title-only playlists).
 */
export interface ChallengePlaylist extends Playlist {
  /** The playlist's full length. */
  numTracks: number
  /** Tracks held out (numTracks minus the shown ones). */
  numHoldouts: number
}

/** Playlists sharing one table of distinct tracks. */
export interface PlaylistSet {
  tracks: PlaylistTrack[]
  /** Track id -> index into `tracks`. */
  trackIndex: Map<string, number>
  playlists: Playlist[]
}
