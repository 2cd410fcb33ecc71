import type { Command } from 'commander'
import { bundledCatalogue } from '../core/paths.js'
import { linkPlaylistTracks } from '../data/playlists/link.js'
import { readPlaylists, type PlaylistsReport } from '../data/playlists/read.js'
import { playlistStats, type PlaylistStats } from '../data/playlists/stats.js'
import { readCatalogue } from '../data/read-catalogue.js'
import { ProgressView } from './progress.js'
import type { Globals, Print } from './shared.js'

interface StatsOptions {
  /** A file, false for --no-catalogue, undefined for the bundled one. */
  catalogue?: string | false
  strict?: boolean
}

/** What `segue playlists stats` prints (as JSON with --json). */
export interface PlaylistsStatsOutput {
  report: PlaylistsReport
  stats: PlaylistStats
  readSeconds: number
  catalogue?: { file: string; tracks: number }
}

/** `segue playlists stats <path>`: what a playlist folder or file holds and how much the catalogue covers. */
export function registerPlaylistsCommand(program: Command, globals: () => Globals, interrupt: () => AbortSignal, print: Print): void {
  const playlists = program.command('playlists').description('playlist data: MPD slices (or their folder), challenge_set.json, the sample TSV layout')
  playlists
    .command('stats <path>')
    .description('playlists, rows, distinct tracks, repeats, lengths and catalogue coverage of playlist data')
    .option('--catalogue <file>', 'catalogue CSV to measure coverage against (default: the bundled 114k tracks)')
    .option('--no-catalogue', 'leave out catalogue coverage')
    .option('--strict', 'stop at the first malformed row or playlist')
    .action(async (path: string, o: StatsOptions) => {
      const g = globals()
      const progress = new ProgressView(g.progress && !g.json)
      try {
        const out = await playlistsStats(path, o, { onProgress: progress.update, signal: interrupt() })
        progress.stop()
        print(g, out, () => formatPlaylistsStats(out))
      } finally {
        progress.stop()
      }
    })
}

async function playlistsStats(path: string, o: StatsOptions, work: { onProgress: ProgressView['update']; signal: AbortSignal }): Promise<PlaylistsStatsOutput> {
  const started = performance.now()
  const { set, report } = await readPlaylists(path, { ...work, strict: o.strict })
  const readSeconds = (performance.now() - started) / 1000
  if (o.catalogue === false) return { report, stats: playlistStats(set), readSeconds }
  const file = o.catalogue ?? bundledCatalogue()
  const { tracks } = await readCatalogue(file, work)
  const stats = playlistStats(set, linkPlaylistTracks(set, tracks))
  return { report, stats, readSeconds, catalogue: { file, tracks: tracks.length } }
}

export function formatPlaylistsStats(out: PlaylistsStatsOutput): string {
  const { report: r, stats: s } = out
  const lines = [
    `read ${r.path} (${r.layout}, ${r.files.length} file${r.files.length === 1 ? '' : 's'}) in ${out.readSeconds.toFixed(1)} s`,
    `${n(s.playlists)} playlists, ${n(s.rows)} rows, ${n(s.tracks)} distinct tracks, ${n(s.repeats)} repeats (a track again in the same playlist)`,
    `tracks per playlist: min ${n(s.length.min)}, median ${n(s.length.median)}, max ${n(s.length.max)}`,
  ]
  if (s.catalogue !== undefined && out.catalogue !== undefined) {
    const c = s.catalogue
    lines.push(
      `catalogue ${out.catalogue.file} (${n(out.catalogue.tracks)} tracks) covers:`,
      `  by id:             ${n(c.byId)} tracks (${pct(c.byId, s.tracks)}), ${n(c.rowsById)} rows (${pct(c.rowsById, s.rows)})`,
      `  by artist + title: ${n(c.byName)} tracks (${pct(c.byName, s.tracks)}), ${n(c.rowsByName)} rows (${pct(c.rowsByName, s.rows)})`,
    )
  }
  if (r.skippedRows + r.skippedPlaylists > 0) {
    lines.push(`skipped ${n(r.skippedRows)} malformed rows and ${n(r.skippedPlaylists)} playlists; first reasons:`)
    for (const reason of r.skipReasons.slice(0, 5)) lines.push(`  ${reason}`)
  }
  return lines.join('\n')
}

const n = (x: number) => x.toLocaleString('en-GB')
const pct = (part: number, whole: number) => `${whole === 0 ? '0.0' : ((100 * part) / whole).toFixed(1)}%`
