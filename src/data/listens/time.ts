import { RowProblem } from '../row-cells.js'

/** Unix seconds past this are surely milliseconds (year 2286): reject rather than guess the unit. */
const MAX_UNIX_SECONDS = 1e10

const UNIX_RE = /^\d+(?:\.\d+)?$/

/** YYYY-MM-DD, optionally T or space, hh:mm[:ss[.fff]], optionally Z or ±hh[:]mm. */
const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/

/**
 * An ISO 8601 date or date-time as unix seconds, or undefined when `text` is not one. Parsed here rather
 * than by Date.parse, which accepts 30 February and reads a date-time without a zone as local time: a
 * missing zone is taken as UTC so that results do not depend on the machine.
 */
export function isoToUnix(text: string): number | undefined {
  const m = ISO_RE.exec(text)
  if (m === null) return undefined
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map((x) => Number(x ?? 0))
  const ms = Date.UTC(y, mo - 1, d, h, mi, s) + Math.round(Number(m[7] ?? 0) * 1000)
  // Date.UTC rolls 30 February over into March; a date that does not come back unchanged was not real.
  const back = new Date(Date.UTC(y, mo - 1, d))
  const realDate = back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d
  if (!realDate || h > 23 || mi > 59 || s > 59) return undefined
  return (ms - zoneOffsetMs(m[8])) / 1000
}

function zoneOffsetMs(zone: string | undefined): number {
  if (zone === undefined || zone === 'Z') return 0
  const sign = zone[0] === '-' ? -1 : 1
  const digits = zone.slice(1).replace(':', '')
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000
}

/** An ISO 8601 cell as unix seconds; RowProblem otherwise. */
export function parseIsoCell(text: string, column: string): number {
  const t = isoToUnix(text.trim())
  if (t === undefined) throw new RowProblem('not an ISO 8601 date-time', column, text)
  return t
}

/** Unix seconds or an ISO 8601 string, as unix seconds; RowProblem otherwise. */
export function parseTimeCell(text: string, column: string): number {
  const raw = text.trim()
  if (raw === '') throw new RowProblem('required value is empty', column, raw)
  if (!UNIX_RE.test(raw)) return parseIsoCell(raw, column)
  const t = Number(raw)
  if (t > MAX_UNIX_SECONDS) throw new RowProblem('too large for unix seconds (milliseconds?)', column, raw)
  return t
}
