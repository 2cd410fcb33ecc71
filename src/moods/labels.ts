import { SegueError, inputError } from '../core/errors.js'
import { AUDIO_FEATURES, type Track } from '../core/track.js'
import { FEATURE_RULES } from '../data/catalogue-layouts.js'
import { csvRows } from '../data/csv-rows.js'
import { RowCells, RowProblem } from '../data/row-cells.js'
import { normalizeText } from '../search/normalize.js'
import { MOODS, moodOf, type Mood } from './moods.js'

/** What the labelled-file reader matches rows against. */
export interface LabelCatalogue {
  readonly tracks: readonly Track[]
  readonly rowOf: ReadonlyMap<string, number>
}

export interface LabelledRow {
  mood: Mood
  /** Audio features in AUDIO_FEATURES order (NaN where the file lacks a column the catalogue was not asked for). */
  features: ArrayLike<number>
  /** The catalogue row, when the track is in the catalogue. */
  row?: number
  /** The file's line, for messages. */
  line: number
}

export interface LabelsReport {
  file: string
  rows: number
  byId: number
  byName: number
  /** Rows outside the catalogue learnt from the file's own audio-feature columns. */
  fromFeatures: number
  /** Rows neither in the catalogue nor carrying audio features: left out, counted. */
  unmatched: number
  unmatchedExamples: string[]
  /** Later rows for a track already labelled: left out (the first label wins). */
  duplicates: number
  perMood: Record<Mood, number>
}

export interface ReadLabelsOptions {
  /** The mood column's name (default 'mood'). */
  moodColumn?: string
  /** Extra label names -> moods (lower-case keys), beside the built-in quadrant names. */
  mapping?: Readonly<Record<string, Mood>>
  /** The features the model needs: rows outside the catalogue count when the file carries all of them. */
  features: readonly string[]
}

const ID_COLUMNS = ['track_id', 'id', 'spotify_id']
const TITLE_COLUMNS = ['name', 'title', 'track_name']
const ARTIST_COLUMNS = ['artist', 'artists', 'artist_name']

/**
 * Reads a user's labelled tracks: a CSV with a mood column and a track id, or title and artist, and optionally
 * the audio-feature columns in the catalogue's units. Any malformed row (unknown mood, a feature that is not a
 * number or out of the catalogue's range) stops the read with E_INPUT_ROW naming file, line, column and value;
 * nothing is learnt from a file with a bad row. Rows that match nothing are counted, not fatal.
 */
export async function readLabels(file: string, catalogue: LabelCatalogue, opts: ReadLabelsOptions): Promise<{ rows: LabelledRow[]; report: LabelsReport }> {
  const source = csvRows(file, { phase: 'read labels' })
  try {
    const header = await source.next()
    if (header.done === true) throw new SegueError('E_INPUT_FORMAT', `${file}: file is empty`, { location: { file } })
    const reader = new LabelReader(file, header.value.fields, catalogue, opts)
    for await (const row of source) reader.add(row.fields, row.line)
    return reader.finish()
  } finally {
    await source.return(undefined)
  }
}

class LabelReader {
  private readonly cells: RowCells
  private readonly moodColumn: string
  private readonly idColumn?: string
  private readonly titleColumn?: string
  private readonly artistColumn?: string
  private readonly hasFeatures: boolean
  private byName?: Map<string, number>
  private readonly seen = new Set<string>()
  readonly rows: LabelledRow[] = []
  readonly report: LabelsReport

  constructor(private readonly file: string, header: string[], private readonly catalogue: LabelCatalogue, private readonly opts: ReadLabelsOptions) {
    this.cells = new RowCells(header)
    this.moodColumn = (opts.moodColumn ?? 'mood').toLowerCase()
    this.idColumn = ID_COLUMNS.find((c) => this.cells.has(c))
    this.titleColumn = TITLE_COLUMNS.find((c) => this.cells.has(c))
    this.artistColumn = ARTIST_COLUMNS.find((c) => this.cells.has(c))
    this.hasFeatures = opts.features.every((f) => this.cells.has(f))
    this.checkHeader()
    this.report = {
      file, rows: 0, byId: 0, byName: 0, fromFeatures: 0, unmatched: 0, unmatchedExamples: [], duplicates: 0,
      perMood: Object.fromEntries(MOODS.map((m) => [m, 0])) as Record<Mood, number>,
    }
  }

  private checkHeader(): void {
    const refuse = (why: string) => new SegueError('E_INPUT_FORMAT', `${this.file}: ${why}`, { location: { file: this.file, line: 1 } })
    if (!this.cells.has(this.moodColumn)) throw refuse(`no '${this.moodColumn}' column (name it with --mood-column)`)
    const byName = this.titleColumn !== undefined && this.artistColumn !== undefined
    if (this.idColumn === undefined && !byName && !this.hasFeatures) {
      throw refuse(`needs a track id column (${ID_COLUMNS.join('/')}), or title (${TITLE_COLUMNS.join('/')}) and artist (${ARTIST_COLUMNS.join('/')}) columns, or the audio features ${this.opts.features.join(', ')}`)
    }
  }

  add(fields: string[], line: number): void {
    try {
      this.cells.load(fields)
      this.report.rows++
      this.take(line)
    } catch (err) {
      if (!(err instanceof RowProblem)) throw err
      throw inputError('E_INPUT_ROW', { file: this.file, line, column: err.column, value: err.value }, err.reason)
    }
  }

  private take(line: number): void {
    const mood = this.mood()
    const found = this.findRow()
    const key = found !== undefined ? `#${found.row}` : `@${line}`
    if (this.seen.has(key)) { this.report.duplicates++; return }
    this.seen.add(key)
    if (found !== undefined) {
      found.how === 'id' ? this.report.byId++ : this.report.byName++
      this.keep({ mood, features: this.catalogue.tracks[found.row].features, row: found.row, line })
    } else if (this.hasFeatures) {
      this.report.fromFeatures++
      this.keep({ mood, features: this.features(), line })
    } else {
      this.report.unmatched++
      if (this.report.unmatchedExamples.length < 10) this.report.unmatchedExamples.push(`${this.file}:${line} ${this.describe()}`)
    }
  }

  private keep(row: LabelledRow): void {
    this.rows.push(row)
    this.report.perMood[row.mood]++
  }

  private mood(): Mood {
    const raw = this.cells.trimmed(this.moodColumn)
    const mood = moodOf(raw, this.opts.mapping)
    if (mood === undefined) {
      throw new RowProblem(`unknown mood: expected ${MOODS.join(', ')}, a quadrant name (Angry, Relaxed, Q1..Q4) or a mapping (--map LABEL=MOOD)`, this.moodColumn, raw)
    }
    return mood
  }

  private findRow(): { row: number; how: 'id' | 'name' } | undefined {
    const id = this.idColumn === undefined ? '' : this.cells.trimmed(this.idColumn)
    const byId = id === '' ? undefined : this.catalogue.rowOf.get(id)
    if (byId !== undefined) return { row: byId, how: 'id' }
    if (this.titleColumn === undefined || this.artistColumn === undefined) return undefined
    const title = this.cells.trimmed(this.titleColumn)
    const artists = this.cells.trimmed(this.artistColumn).split(';')
    for (const artist of artists) {
      const row = this.nameIndex().get(nameKey(artist, title))
      if (row !== undefined) return { row, how: 'name' }
    }
    return undefined
  }

  /** Normalised (artist, title) -> the most popular catalogue row with it, built on first use. */
  private nameIndex(): Map<string, number> {
    if (this.byName) return this.byName
    const index = new Map<string, number>()
    this.catalogue.tracks.forEach((t, row) => {
      for (const a of t.artists) {
        const key = nameKey(a, t.name)
        const held = index.get(key)
        if (held === undefined || (t.popularity ?? 0) > (this.catalogue.tracks[held].popularity ?? 0)) index.set(key, row)
      }
    })
    return (this.byName = index)
  }

  private features(): Float64Array {
    const out = new Float64Array(AUDIO_FEATURES.length).fill(NaN)
    AUDIO_FEATURES.forEach((f, j) => {
      if (!this.opts.features.includes(f)) return
      const v = this.cells.number(f, FEATURE_RULES[f])
      if (Number.isNaN(v)) throw new RowProblem('required value is empty (a track outside the catalogue needs its audio features)', f, '')
      out[j] = v
    })
    return out
  }

  private describe(): string {
    const parts = [this.idColumn, this.artistColumn, this.titleColumn].filter((c): c is string => c !== undefined).map((c) => this.cells.trimmed(c))
    return parts.filter((p) => p !== '').join(' / ')
  }

  finish(): { rows: LabelledRow[]; report: LabelsReport } {
    if (this.rows.length === 0) {
      throw new SegueError('E_INPUT_FORMAT', `${this.file}: no labelled row matched the catalogue or carried audio features (${this.report.rows} rows read)`, { location: { file: this.file } })
    }
    return { rows: this.rows, report: this.report }
  }
}

/** Artist and title compared without case, accents, bracketed parts or a " - Remastered"-style suffix. */
export function nameKey(artist: string, title: string): string {
  const clean = (s: string) => normalizeText(s.replace(/\([^)]*\)|\[[^\]]*\]/g, ' ').replace(/ - .*$/, '')).replace(/&/g, 'and').replace(/[^\p{L}\p{N}]+/gu, ' ').trim()
  return `${clean(artist)}\0${clean(title)}`
}
