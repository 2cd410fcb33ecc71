/**
 * A parser for the Python list-of-strings literals that pandas writes when a cell holds a list, as in
 * `['Guns N\' Roses']`, `["Sinead O'Connor"]`, `['A', 'B']` or `[]`. Only strings are accepted: the cells
 * we read never hold anything else, and refusing the rest keeps a damaged cell from passing as data.
 */

export class PythonListError extends Error {
  override name = 'PythonListError'
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\', "'": "'", '"': '"', n: '\n', t: '\t', r: '\r', '0': '\0', a: '\x07', b: '\b', f: '\f', v: '\v',
}

const HEX_ESCAPE_DIGITS: Record<string, number> = { x: 2, u: 4, U: 8 }

/** Parses a list literal into its strings; throws PythonListError saying what is wrong and where. */
export function parsePythonList(text: string): string[] {
  const cur = { text, pos: 0 }
  skipSpace(cur)
  expect(cur, '[')
  const items: string[] = []
  skipSpace(cur)
  while (peek(cur) !== ']') {
    items.push(readString(cur))
    skipSpace(cur)
    if (peek(cur) !== ',') break
    cur.pos++
    skipSpace(cur) // a trailing comma before ']' is valid Python
  }
  expect(cur, ']')
  skipSpace(cur)
  if (cur.pos < text.length) fail(cur, 'unexpected text after the closing bracket')
  return items
}

interface Cursor {
  text: string
  pos: number
}

function peek(cur: Cursor): string | undefined {
  return cur.text[cur.pos]
}

function skipSpace(cur: Cursor): void {
  while (cur.pos < cur.text.length && /\s/.test(cur.text[cur.pos])) cur.pos++
}

function expect(cur: Cursor, ch: string): void {
  if (peek(cur) !== ch) fail(cur, `expected '${ch}'`)
  cur.pos++
}

function fail(cur: Cursor, why: string): never {
  const where = cur.pos < cur.text.length ? `at character ${cur.pos + 1} ('${cur.text[cur.pos]}')` : 'at the end'
  throw new PythonListError(`${why} ${where}`)
}

function readString(cur: Cursor): string {
  const quote = peek(cur)
  if (quote !== "'" && quote !== '"') fail(cur, 'expected a quoted string')
  cur.pos++
  let out = ''
  for (;;) {
    const ch = cur.text[cur.pos]
    if (ch === undefined) fail(cur, 'unterminated string')
    cur.pos++
    if (ch === quote) return out
    out += ch === '\\' ? readEscape(cur) : ch
  }
}

/** The character(s) an escape stands for; the backslash is already consumed. */
function readEscape(cur: Cursor): string {
  const ch = cur.text[cur.pos]
  if (ch === undefined) fail(cur, 'unterminated string')
  cur.pos++
  const simple = SIMPLE_ESCAPES[ch]
  if (simple !== undefined) return simple
  const digits = HEX_ESCAPE_DIGITS[ch]
  if (digits !== undefined) return readHexEscape(cur, digits)
  // Python keeps an unknown escape such as \d as the two characters it is written with.
  return '\\' + ch
}

function readHexEscape(cur: Cursor, digits: number): string {
  const hex = cur.text.slice(cur.pos, cur.pos + digits)
  if (hex.length !== digits || !/^[0-9a-fA-F]+$/.test(hex)) fail(cur, `expected ${digits} hex digits`)
  const code = parseInt(hex, 16)
  if (code > 0x10ffff) fail(cur, 'code point out of range')
  cur.pos += digits
  return String.fromCodePoint(code)
}
