import type { Track } from '../core/track.js'

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

/**
 * Where segue keeps the catalogue and the import log. SQLite is the embedded default; a networked
 * implementation (PostgreSQL) can stand behind the same interface.
 */
export interface Store {
  /**
   * Adds or replaces tracks by id in one transaction: either every track lands or none does, so a failed
   * import leaves the previous catalogue intact. With `replace`, tracks absent from `tracks` are removed.
   */
  upsertTracks(tracks: readonly Track[], opts?: { replace?: boolean; record?: Omit<ImportRecord, 'at' | 'changed'> }): ImportOutcome
  getTrack(id: string): Track | null
  allTracks(): Track[]
  countTracks(): number
  catalogueInfo(): CatalogueInfo | null
  imports(): ImportRecord[]
  close(): void
}
