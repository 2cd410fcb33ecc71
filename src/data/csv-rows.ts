import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { createGunzip } from 'node:zlib'
import { parse } from 'csv-parse'
import { SegueError, inputError } from '../core/errors.js'
import { throwIfAborted, type LongWorkOptions, type ProgressFn } from '../core/progress.js'

/** One record of a CSV file with the physical 1-based line it starts on (the header is line 1). */
export interface CsvRow {
  fields: string[]
  line: number
}

export interface CsvRowsOptions extends LongWorkOptions {
  /** The phase name given to onProgress. */
  phase: string
}

/** Rows between two abort checks: often enough to stop promptly, rare enough to cost nothing. */
const ABORT_CHECK_EVERY = 256

/**
 * Streams the records of a CSV file, header included. Blank lines are dropped. Line numbers are counted
 * here rather than taken from csv-parse's `info.lines`, which counts a CRLF inside a quoted field twice.
 * A CSV syntax error (a quote never closed) ends the read in every mode: past it the parser cannot tell
 * where any later row starts, so skipping would only mis-read what follows.
 */
export async function* csvRows(path: string, opts: CsvRowsOptions): AsyncGenerator<CsvRow> {
  throwIfAborted(opts.signal, `reading ${path}`)
  const total = await regularFileSize(path)
  const input = createReadStream(path)
  // relax_quotes keeps a stray quote inside an unquoted field (`5'10" tall`) as text instead of failing.
  const parser = parse({ bom: true, relax_column_count: true, relax_quotes: true })
  input.on('error', (err) => parser.destroy(fileError(path, err)))
  if (path.endsWith('.gz')) {
    // Progress still follows the compressed bytes read, which is what the file size measures.
    const gunzip = createGunzip()
    gunzip.on('error', (err) => parser.destroy(new SegueError('E_INPUT_FILE', `${path}: not valid gzip (${err.message})`, { location: { file: path }, cause: err })))
    input.pipe(gunzip).pipe(parser)
  } else {
    input.pipe(parser)
  }
  const tick = progressTicker(opts.onProgress, opts.phase, total)
  let nextLine = 1
  let count = 0
  try {
    for await (const fields of parser as AsyncIterable<string[]>) {
      const line = nextLine
      nextLine += 1 + lineBreaks(fields)
      if (fields.length === 1 && fields[0].trim() === '') continue
      if (++count % ABORT_CHECK_EVERY === 0) throwIfAborted(opts.signal, `reading ${path}`)
      tick(input.bytesRead)
      yield { fields, line }
    }
  } catch (err) {
    throw asReadError(err, path, nextLine)
  } finally {
    input.destroy()
    parser.destroy()
  }
  opts.onProgress?.({ phase: opts.phase, done: total, total })
}

async function regularFileSize(path: string): Promise<number> {
  try {
    const info = await stat(path)
    if (!info.isFile()) throw new SegueError('E_INPUT_FILE', `${path}: not a regular file`, { location: { file: path } })
    return info.size
  } catch (err) {
    throw fileError(path, err)
  }
}

function fileError(path: string, err: unknown): SegueError {
  if (err instanceof SegueError) return err
  const code = (err as NodeJS.ErrnoException).code
  const why = code === 'ENOENT' ? 'file not found' : `cannot read file (${(err as Error).message})`
  return new SegueError('E_INPUT_FILE', `${path}: ${why}`, { location: { file: path }, cause: err })
}

function asReadError(err: unknown, path: string, line: number): SegueError {
  if (err instanceof SegueError) return err
  const code = (err as { code?: string }).code ?? ''
  if (code.startsWith('CSV_')) {
    return inputError('E_INPUT_ROW', { file: path, line }, `CSV syntax error: ${(err as Error).message}`)
  }
  return fileError(path, err)
}

/** Line breaks inside quoted fields; CRLF counts once, as an editor shows it. */
function lineBreaks(fields: string[]): number {
  let n = 0
  for (const f of fields) {
    if (f.indexOf('\n') < 0 && f.indexOf('\r') < 0) continue
    n += f.replace(/\r\n/g, '\n').split(/[\n\r]/).length - 1
  }
  return n
}

/** Calls onProgress about once per percent of the file, so a fast reader does not flood a progress bar. */
function progressTicker(onProgress: ProgressFn | undefined, phase: string, total: number): (done: number) => void {
  if (onProgress === undefined) return () => {}
  const step = Math.max(1, Math.floor(total / 100))
  let next = step
  return (done) => {
    if (done < next) return
    // The next percent boundary, not done + step: reads come in 64 KiB chunks, which would drift the steps.
    next = (Math.floor(done / step) + 1) * step
    onProgress({ phase, done, total })
  }
}
