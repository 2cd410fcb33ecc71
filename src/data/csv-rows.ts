import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { isUtf8 } from 'node:buffer'
import { Transform } from 'node:stream'
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
  /** The field separator. Default ','. */
  delimiter?: string
  /**
   * Default true. False reads `"` as plain text: tab-separated dumps (HetRec, Last.fm) never quote, and
   * names such as `"Weird Al" Yankovic` would otherwise open a quoted field.
   */
  quote?: boolean
  /** How bytes become text. Default 'utf8'. */
  encoding?: TextEncodingName
}

/**
 * 'utf8-or-latin1' decodes each line as UTF-8 when it is valid UTF-8 and as Latin-1 otherwise: one dump may
 * hold files in either encoding, and Latin-1 text with accents is almost never valid UTF-8.
 */
export type TextEncodingName = 'utf8' | 'latin1' | 'utf8-or-latin1'

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
  const parser = parse({
    bom: true,
    relax_column_count: true,
    relax_quotes: true,
    delimiter: opts.delimiter ?? ',',
    quote: opts.quote === false ? false : '"',
  })
  input.on('error', (err) => parser.destroy(fileError(path, err)))
  let bytes: NodeJS.ReadableStream = input
  if (path.endsWith('.gz')) {
    // Progress still follows the compressed bytes read, which is what the file size measures.
    // 1 MB output chunks instead of zlib's 16 KB: the 114k catalogue inflates in ~20 callbacks, not ~1,300 (about
    // half the CPU of the inflate step).
    const gunzip = createGunzip({ chunkSize: 1 << 20 })
    gunzip.on('error', (err) => parser.destroy(new SegueError('E_INPUT_FILE', `${path}: not valid gzip (${err.message})`, { location: { file: path }, cause: err })))
    bytes = input.pipe(gunzip)
  }
  const encoding = opts.encoding ?? 'utf8'
  if (encoding !== 'utf8') bytes = bytes.pipe(toUtf8(encoding))
  bytes.pipe(parser)
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

/** Re-encodes Latin-1 (or mixed) bytes as UTF-8, which is what csv-parse reads. */
function toUtf8(from: Exclude<TextEncodingName, 'utf8'>): Transform {
  if (from === 'latin1') {
    return new Transform({ transform: (chunk: Buffer, _enc, done) => done(null, Buffer.from(chunk.toString('latin1'))) })
  }
  // Lines are decided whole, so a chunk is cut after its last line break and the rest carried over.
  let carry: Buffer = Buffer.alloc(0)
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      const joined = carry.length === 0 ? chunk : Buffer.concat([carry, chunk])
      const cut = joined.lastIndexOf(0x0a) + 1
      carry = joined.subarray(cut)
      done(null, cut === 0 ? undefined : utf8OrLatin1(joined.subarray(0, cut)))
    },
    flush(done) {
      done(null, carry.length === 0 ? undefined : utf8OrLatin1(carry))
    },
  })
}

function utf8OrLatin1(block: Buffer): Buffer {
  if (isUtf8(block)) return block
  // Rare: only blocks holding a Latin-1 line get here, so deciding line by line costs nothing overall.
  const lines: Buffer[] = []
  for (let start = 0; start < block.length; ) {
    const next = block.indexOf(0x0a, start)
    const end = next < 0 ? block.length : next + 1
    const line = block.subarray(start, end)
    lines.push(isUtf8(line) ? line : Buffer.from(line.toString('latin1')))
    start = end
  }
  return Buffer.concat(lines)
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
