import type { RawInteraction } from '../interactions.js'
import { RowProblem, type NumericRule, type RowCells } from '../row-cells.js'
import type { TableReport } from './read-table.js'

/** How reading a file of listening events or ratings went. */
export interface ListensReport extends TableReport {
  /** Events produced (equal to `kept`). */
  events: number
  /** Distinct users and items among the events. */
  users: number
  items: number
}

/** What every listening-data reader returns. */
export interface ReadListensResult {
  events: RawInteraction[]
  report: ListensReport
}

export function listensResult(events: RawInteraction[], report: TableReport): ReadListensResult {
  const users = new Set<string>()
  const items = new Set<string>()
  for (const e of events) {
    users.add(e.user)
    items.add(e.item)
  }
  return { events, report: { ...report, events: events.length, users: users.size, items: items.size } }
}

const WHOLE_ID_RE = /^\d+$/

/**
 * A numeric id kept as the text written: ids are compared as strings at the edges, and turning '007'
 * into '7' would silently merge ids a source kept apart.
 */
export function wholeId(cells: RowCells, column: string): string {
  const v = cells.required(column)
  if (!WHOLE_ID_RE.test(v)) throw new RowProblem('not a whole-number id', column, v)
  return v
}

/** A number that must be present: RowCells.number reads an empty cell as NaN, which must not reach a matrix. */
export function requiredNumber(cells: RowCells, column: string, rule: NumericRule): number {
  const n = cells.number(column, rule)
  if (Number.isNaN(n)) throw new RowProblem('required value is empty', column, cells.trimmed(column))
  return n
}
