import type { ImportReport } from '../data/read-catalogue.js'
import type { CatalogueStats, SimilarResult } from '../engine.js'
import type { SearchHit } from '../search/track-search.js'
import type { ImportOutcome } from '../store/store.js'
import type { Track } from '../core/track.js'

const trackLine = (t: Track) => `${t.name} — ${t.artists.join(', ') || '(unknown artist)'}`

export function formatImport(r: ImportReport, o: ImportOutcome): string {
  const lines = [
    `read ${r.file} (${r.layout}): ${r.rows} rows -> ${r.tracks} tracks (${r.merged} rows merged into tracks listed under several genres)`,
    `store: ${o.added} added, ${o.updated} updated, ${o.unchanged} unchanged; catalogue now ${o.info.tracks} tracks (version ${o.info.version.slice(0, 12)})`,
  ]
  const imputed = Object.entries(r.imputed).filter(([, n]) => n > 0)
  if (imputed.length) lines.push(`imputed missing values with the column median: ${imputed.map(([c, n]) => `${c} ${n}`).join(', ')}`)
  if (r.skipped > 0) {
    lines.push(`skipped ${r.skipped} malformed rows; first reasons:`)
    for (const reason of r.skipReasons.slice(0, 5)) lines.push(`  ${reason}`)
  }
  return lines.join('\n')
}

export function formatSearch(hits: SearchHit[]): string {
  if (hits.length === 0) return 'no matches'
  return hits.map((h, i) => `${String(i + 1).padStart(2)}. ${trackLine(h.track)}  [${h.track.id}]`).join('\n')
}

export function formatSimilar(r: SimilarResult): string {
  const head = `tracks like ${trackLine(r.seed)} [${r.seed.id}]${r.resolvedBy === 'search' ? ' (best match for your text)' : ''}, ${r.metric}, ${r.mode}`
  const rows = r.items.map((it, i) => {
    const why = it.because.map((b) => `${b.feature} ${fmt(b.seed)}~${fmt(b.track)}`).join(', ')
    const genres = it.sharedGenres.length ? `; genres ${it.sharedGenres.join(', ')}` : ''
    return `${String(i + 1).padStart(2)}. ${trackLine(it.track)}  score ${it.score.toFixed(3)}  [${it.track.id}]\n      close on ${why}${genres}`
  })
  return [head, ...rows].join('\n')
}

export function formatStats(s: CatalogueStats, topGenres: number): string {
  const lines = [
    `${s.tracks} tracks, ${s.artists} artists, ${s.genres.length} genres${s.releaseYears ? `, released ${s.releaseYears.min}-${s.releaseYears.max}` : ''}`,
    `catalogue version ${s.version ?? '-'}`,
    '',
    `${'feature'.padEnd(18)}${'min'.padStart(11)}${'median'.padStart(11)}${'mean'.padStart(11)}${'max'.padStart(11)}`,
    ...s.features.map((f) => `${f.name.padEnd(18)}${fmt(f.min).padStart(11)}${fmt(f.median).padStart(11)}${fmt(f.mean).padStart(11)}${fmt(f.max).padStart(11)}`),
  ]
  if (s.genres.length) {
    lines.push('', `top genres: ${s.genres.slice(0, topGenres).map((g) => `${g.name} (${g.tracks})`).join(', ')}`)
  }
  return lines.join('\n')
}

function fmt(x: number): string {
  if (Number.isInteger(x)) return String(x)
  return Math.abs(x) >= 100 ? x.toFixed(1) : Math.abs(x) >= 0.01 ? x.toFixed(3) : x.toExponential(2)
}
