import { isUtf8 } from 'node:buffer'
import { readFile, stat } from 'node:fs/promises'
import { promisify } from 'node:util'
import { gunzip } from 'node:zlib'
import { SegueError } from '../../core/errors.js'
import { throwIfAborted } from '../../core/progress.js'
import { RowCells, RowProblem, SkipLog } from '../row-cells.js'
import type { ReadListensOptions, TableReport } from './read-table.js'

/*
 * Small tab-separated dumps that never quote (HetRec's five tables: at most a few MB once inflated), read whole
 * and split by hand. csv-parse's stream spent most of a `segue evaluate` start on them (per-field callbacks,
 * stream plumbing, a Transform for the encoding); splitting the decoded text at tabs and line breaks is several
 * times cheaper and reads the same rows, with the same located skips, as readTable with quote: false.
 */

const gunzipAsync = promisify(gunzip)

/** How to read one such file: the phase given to onProgress, and the row reader built from its header. */
export interface TsvLayout<T> {
  phase: string
  /** Called once with the header; throws E_INPUT_FORMAT when it is not what the file needs. Rows throw RowProblem. */
  rowReader(header: readonly string[]): (cells: RowCells) => T
}

/** Lines between two abort checks and progress reports. */
const LINES_PER_TICK = 8192

/**
 * Reads a tab-separated file with a header row (plain or .gz) through `layout`. Blank lines are dropped;
 * lines end with LF or CRLF; each line is decoded as UTF-8 where valid and as Latin-1 otherwise. Malformed
 * rows are skipped and counted, or with `strict` the first one throws E_INPUT_ROW naming file, line, column
 * and value.
 */
export async function readTsvTable<T>(path: string, layout: TsvLayout<T>, opts: ReadListensOptions = {}): Promise<{ values: T[]; report: TableReport }> {
  throwIfAborted(opts.signal, `reading ${path}`)
  const { bytes, size } = await fileBytes(path)
  const progress = (done: number) => opts.onProgress?.({ phase: layout.phase, done, total: size })
  progress(0)
  const text = decode(bytes)
  const log = new SkipLog(path, opts.strict ?? false)
  const values: T[] = []
  let read: ((cells: RowCells) => T) | undefined
  let cells: RowCells | undefined
  let rows = 0
  let line = 0
  for (let start = 0; start < text.length; ) {
    const end = lineEnd(text, start)
    const fields = splitLine(text, start, end)
    start = end + 1
    if (++line % LINES_PER_TICK === 0) {
      throwIfAborted(opts.signal, `reading ${path}`)
      progress(Math.floor((size * start) / text.length))
    }
    if (fields === null) continue
    if (read === undefined || cells === undefined) {
      read = layout.rowReader(fields)
      cells = new RowCells(fields)
      continue
    }
    rows++
    const value = readRow(fields, line, cells, read, log)
    if (value !== undefined) values.push(value)
  }
  if (read === undefined) throw new SegueError('E_INPUT_FORMAT', `${path}: file is empty`, { location: { file: path } })
  progress(size)
  return { values, report: { file: path, rows, kept: values.length, skipped: log.skipped, skipReasons: log.reasons } }
}

function readRow<T>(fields: string[], line: number, cells: RowCells, read: (cells: RowCells) => T, log: SkipLog): T | undefined {
  try {
    cells.load(fields)
    return read(cells)
  } catch (err) {
    if (!(err instanceof RowProblem)) throw err
    log.record(err, line)
    return undefined
  }
}

/** Index of the LF ending the line that starts at `start` (the text's length for a last line without one). */
function lineEnd(text: string, start: number): number {
  const end = text.indexOf('\n', start)
  return end < 0 ? text.length : end
}

/** The tab-separated fields of text[start, end) less a closing CR; null for a blank line (as csv-parse drops them). */
function splitLine(text: string, start: number, end: number): string[] | null {
  const stop = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end
  const fields = text.slice(start, stop).split('\t')
  return fields.length === 1 && fields[0].trim() === '' ? null : fields
}

/** The file's bytes, inflated when it ends in .gz, and its size on disk (what progress counts). */
async function fileBytes(path: string): Promise<{ bytes: Buffer; size: number }> {
  let raw: Buffer
  try {
    const info = await stat(path)
    if (!info.isFile()) throw new SegueError('E_INPUT_FILE', `${path}: not a regular file`, { location: { file: path } })
    raw = await readFile(path)
  } catch (err) {
    throw fileError(path, err)
  }
  if (!path.endsWith('.gz')) return { bytes: raw, size: raw.length }
  try {
    return { bytes: await gunzipAsync(raw), size: raw.length }
  } catch (err) {
    throw new SegueError('E_INPUT_FILE', `${path}: not valid gzip (${(err as Error).message})`, { location: { file: path }, cause: err })
  }
}

function fileError(path: string, err: unknown): SegueError {
  if (err instanceof SegueError) return err
  const code = (err as NodeJS.ErrnoException).code
  const why = code === 'ENOENT' ? 'file not found' : `cannot read file (${(err as Error).message})`
  return new SegueError('E_INPUT_FILE', `${path}: ${why}`, { location: { file: path }, cause: err })
}

/** UTF-8 text, line by line Latin-1 where a line is not valid UTF-8 (HetRec's tags.dat is Latin-1); no BOM. */
function decode(bytes: Buffer): string {
  const text = isUtf8(bytes) ? bytes.toString('utf8') : decodeLines(bytes)
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
}

function decodeLines(bytes: Buffer): string {
  const parts: string[] = []
  for (let start = 0; start < bytes.length; ) {
    const next = bytes.indexOf(0x0a, start)
    const end = next < 0 ? bytes.length : next + 1
    const line = bytes.subarray(start, end)
    parts.push(line.toString(isUtf8(line) ? 'utf8' : 'latin1'))
    start = end
  }
  return parts.join('')
}
