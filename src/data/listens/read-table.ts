import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { SegueError } from '../../core/errors.js'
import type { LongWorkOptions } from '../../core/progress.js'
import { csvRows, type CsvRow, type TextEncodingName } from '../csv-rows.js'
import { RowCells, RowProblem, SkipLog, normaliseHeader } from '../row-cells.js'

/** Options every listening-data reader takes. */
export interface ReadListensOptions extends LongWorkOptions {
  /**
   * Default false: malformed rows are skipped and counted. When true, the first malformed row stops the
   * read with E_INPUT_ROW, whose message and `location` name the file, line, column and value.
   */
  strict?: boolean
}

/** How the reading of one file went. `rows = kept + skipped` always holds. */
export interface TableReport {
  file: string
  /** Data rows read; header and blank lines excluded. */
  rows: number
  /** Rows turned into records. */
  kept: number
  /** Malformed rows skipped (lenient mode only). */
  skipped: number
  /** The first 10 skip reasons, each naming file:line, column and value. */
  skipReasons: string[]
}

/** The physical layout of one tabular file and how to read one row of it. */
export interface TableLayout<T> {
  /** The phase name given to onProgress. */
  phase: string
  delimiter: string
  /** Default true; false for dumps that never quote (see CsvRowsOptions.quote). */
  quote?: boolean
  encoding?: TextEncodingName
  /** Column names of a file without a header row; absent when the file's first row is its header. */
  columns?: readonly string[]
  /**
   * Called once with the header (or `columns`); returns how to read each row. It throws SegueError
   * E_INPUT_FORMAT when the header is not what the layout needs, and the row reader throws RowProblem.
   */
  rowReader(header: readonly string[]): (cells: RowCells) => T
}

/** Streams a tabular file through `layout`, skipping (or, when strict, throwing on) malformed rows. */
export async function readTable<T>(
  path: string,
  layout: TableLayout<T>,
  opts: ReadListensOptions = {},
): Promise<{ values: T[]; report: TableReport }> {
  const { delimiter, quote, encoding, phase } = layout
  const rows = csvRows(path, { delimiter, quote, encoding, phase, onProgress: opts.onProgress, signal: opts.signal })
  try {
    const header = layout.columns !== undefined ? [...layout.columns] : await headerOf(rows, path)
    const read = layout.rowReader(header)
    const cells = new RowCells(header)
    const log = new SkipLog(path, opts.strict ?? false)
    const values: T[] = []
    let count = 0
    for await (const row of rows) {
      count++
      const value = readRow(row, cells, read, log)
      if (value !== undefined) values.push(value)
    }
    return { values, report: { file: path, rows: count, kept: values.length, skipped: log.skipped, skipReasons: log.reasons } }
  } finally {
    await rows.return(undefined)
  }
}

async function headerOf(rows: AsyncGenerator<CsvRow>, path: string): Promise<string[]> {
  const first = await rows.next()
  if (first.done === true) throw new SegueError('E_INPUT_FORMAT', `${path}: file is empty`, { location: { file: path } })
  return first.value.fields
}

function readRow<T>(row: CsvRow, cells: RowCells, read: (cells: RowCells) => T, log: SkipLog): T | undefined {
  try {
    cells.load(row.fields)
    return read(cells)
  } catch (err) {
    if (!(err instanceof RowProblem)) throw err
    log.record(err, row.line)
    return undefined
  }
}

/**
 * E_INPUT_FORMAT unless the header names every one of `names`. Both are compared as normaliseHeader
 * leaves them (lower case), which is also how RowCells looks columns up.
 */
export function requireColumns(header: readonly string[], names: readonly string[], file: string): void {
  const found = normaliseHeader([...header])
  const missing = normaliseHeader([...names]).filter((n) => !found.includes(n))
  if (missing.length > 0) {
    throw new SegueError('E_INPUT_FORMAT', `${file}: header lacks column(s) ${missing.join(', ')} (found: ${found.join(', ')})`, {
      location: { file },
    })
  }
}

/**
 * `dir/name`, or `dir/name.gz` when only the compressed copy exists (the bundled demo data). When neither
 * exists the plain path is returned, so the error names the file the caller would expect.
 */
export function plainOrGz(dir: string, name: string): string {
  const plain = join(dir, name)
  return !existsSync(plain) && existsSync(plain + '.gz') ? plain + '.gz' : plain
}
