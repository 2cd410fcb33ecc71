import { inputError, type SegueError } from '../core/errors.js'
import { parsePythonList, PythonListError } from './python-list.js'

/** What is wrong with one cell (or, with no column, the whole row). Turned into a located error by the reader. */
export class RowProblem extends Error {
  override name = 'RowProblem'
  constructor(
    readonly reason: string,
    readonly column?: string,
    readonly value?: string,
  ) {
    super(reason)
  }
}

/** The values a numeric column may take; anything outside makes the row malformed. */
export interface NumericRule {
  min: number
  max: number
  integer?: boolean
}

/** Decimal and exponent notation only: `Number()` would also take '0x1f', 'Infinity' and blanks. */
const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/

/** pandas writes a missing value as an empty cell; 'nan' appears when a float column was stringified. */
const MISSING = new Set(['', 'nan', 'NaN', 'NAN'])

const TRUE_WORDS = new Set(['true', 'True', 'TRUE', '1'])
const FALSE_WORDS = new Set(['false', 'False', 'FALSE', '0'])

const DATE_RE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/

/** Typed access by column name to the cells of the current row. Each getter throws RowProblem on a bad cell. */
export class RowCells {
  fields: string[] = []
  /** Number of header cells; every row must have as many. */
  readonly width: number
  private readonly index: Map<string, number>

  constructor(header: string[]) {
    this.index = columnIndex(header)
    this.width = header.length
  }

  /** Points at the next row; throws RowProblem if its cell count differs from the header's. */
  load(fields: string[]): void {
    this.fields = fields
    if (fields.length !== this.width) {
      throw new RowProblem(`row has ${fields.length} columns, the header has ${this.width}`)
    }
  }

  has(column: string): boolean {
    return this.index.has(column)
  }

  /** The cell exactly as written (names keep their spacing); '' where the column is absent from the file. */
  text(column: string): string {
    const i = this.index.get(column)
    return i === undefined ? '' : this.fields[i]
  }

  /** The cell without surrounding blanks, for values that are parsed rather than shown. */
  trimmed(column: string): string {
    return this.text(column).trim()
  }

  required(column: string): string {
    const v = this.trimmed(column)
    if (v === '') throw new RowProblem('required value is empty', column, v)
    return v
  }

  /** NaN where the value is missing (to be imputed or left unknown by the caller). */
  number(column: string, rule: NumericRule): number {
    const raw = this.trimmed(column)
    if (MISSING.has(raw)) return NaN
    if (!NUMBER_RE.test(raw)) throw new RowProblem('not a number', column, raw)
    const n = Number(raw)
    if (rule.integer === true && !Number.isInteger(n)) throw new RowProblem('not a whole number', column, raw)
    if (n < rule.min || n > rule.max) throw new RowProblem(`out of range [${rule.min}, ${rule.max}]`, column, raw)
    return n
  }

  numberOrNull(column: string, rule: NumericRule): number | null {
    const n = this.number(column, rule)
    return Number.isNaN(n) ? null : n
  }

  bool(column: string): boolean | null {
    const raw = this.trimmed(column)
    if (raw === '') return null
    if (TRUE_WORDS.has(raw)) return true
    if (FALSE_WORDS.has(raw)) return false
    throw new RowProblem('not a boolean (expected True/False or 1/0)', column, raw)
  }

  /** A Python list literal of strings; an empty cell is an empty list. */
  list(column: string): string[] {
    const raw = this.trimmed(column)
    if (raw === '') return []
    try {
      return parsePythonList(raw)
    } catch (err) {
      if (err instanceof PythonListError) throw new RowProblem(`not a list literal: ${err.message}`, column, raw)
      throw err
    }
  }

  /** YYYY, YYYY-MM or YYYY-MM-DD, checked as a calendar date; null when empty. */
  date(column: string): { text: string; year: number } | null {
    const raw = this.trimmed(column)
    if (raw === '') return null
    const m = DATE_RE.exec(raw)
    if (m === null || !validDate(Number(m[1]), m[2], m[3])) {
      throw new RowProblem('not a date (expected YYYY, YYYY-MM or YYYY-MM-DD)', column, raw)
    }
    return { text: raw, year: Number(m[1]) }
  }
}

/** Header cells compared without a BOM, surrounding blanks or case: spreadsheets alter all three. */
export function normaliseHeader(header: string[]): string[] {
  return header.map((h, i) => (i === 0 ? h.replace(/^\uFEFF/, '') : h).trim().toLowerCase())
}

/** Column name -> index of its first occurrence. */
export function columnIndex(header: string[]): Map<string, number> {
  const index = new Map<string, number>()
  normaliseHeader(header).forEach((name, i) => {
    if (!index.has(name)) index.set(name, i)
  })
  return index
}

/** Years outside this span are typing slips or placeholders (such as 0000), not release dates. */
export const YEAR_RULE: NumericRule = { min: 1000, max: 2999, integer: true }

function validDate(year: number, month: string | undefined, day: string | undefined): boolean {
  if (year < YEAR_RULE.min || year > YEAR_RULE.max) return false
  if (month === undefined) return true
  const m = Number(month)
  if (m < 1 || m > 12) return false
  if (day === undefined) return true
  const d = Number(day)
  // Day 0 of the next month is the last day of this one, which handles leap years for us.
  const daysInMonth = new Date(Date.UTC(year, m, 0)).getUTCDate()
  return d >= 1 && d <= daysInMonth
}

/** Counts skipped rows and keeps the first few reasons; in strict mode the first problem is thrown instead. */
export class SkipLog {
  skipped = 0
  readonly reasons: string[] = []

  constructor(
    private readonly file: string,
    private readonly strict: boolean,
    private readonly keep = 10,
  ) {}

  record(problem: RowProblem, line: number): void {
    const err = this.locate(problem, line)
    if (this.strict) throw err
    this.skipped++
    if (this.reasons.length < this.keep) this.reasons.push(err.message)
  }

  private locate(p: RowProblem, line: number): SegueError {
    return inputError('E_INPUT_ROW', { file: this.file, line, column: p.column, value: p.value }, p.reason)
  }
}
