import { SegueError } from '../../core/errors.js'
import type { RawInteraction } from '../interactions.js'
import { RowProblem, type NumericRule, type RowCells } from '../row-cells.js'
import { listensResult, requiredNumber, wholeId, type ListensReport, type ReadListensResult } from './events.js'
import { plainOrGz, readTable, type ReadListensOptions, type TableLayout } from './read-table.js'

/*
 * MovieLens 100K (GroupLens): u.data and the fold files are tab-separated user, item, rating, unix time;
 * u.user is id|age|gender|occupation|zip. No header rows, no quoting, ASCII.
 */

/** Whole stars in 100K; half stars allowed so the later MovieLens sets read too. */
const RATING_RULE: NumericRule = { min: 0.5, max: 5 }
const UNIX_RULE: NumericRule = { min: 0, max: 1e10, integer: true }
const AGE_RULE: NumericRule = { min: 0, max: 150, integer: true }

export interface MovieLensUser {
  id: string
  age: number
  gender: 'M' | 'F'
  occupation: string
  /** Kept as text: some are Canadian postcodes ('T8H1N') and leading zeros matter. */
  zip: string
}

/** The official splits: five-fold cross-validation u1..u5, and ua/ub (ten ratings per user held out). */
export type MovieLensFold = 1 | 2 | 3 | 4 | 5 | 'a' | 'b'

const RATINGS_LAYOUT: TableLayout<RawInteraction> = {
  phase: 'read ratings',
  delimiter: '\t',
  quote: false,
  columns: ['user', 'item', 'rating', 'time'],
  rowReader: () => (c) => ({
    user: wholeId(c, 'user'),
    item: wholeId(c, 'item'),
    value: requiredNumber(c, 'rating', RATING_RULE),
    time: requiredNumber(c, 'time', UNIX_RULE),
  }),
}

const USERS_LAYOUT: TableLayout<MovieLensUser> = {
  phase: 'read users',
  delimiter: '|',
  quote: false,
  columns: ['id', 'age', 'gender', 'occupation', 'zip'],
  rowReader: () => (c) => ({
    id: wholeId(c, 'id'),
    age: requiredNumber(c, 'age', AGE_RULE),
    gender: gender(c),
    occupation: c.required('occupation'),
    zip: c.trimmed('zip'),
  }),
}

/** u.data (or any fold file): user, item, rating as value, time. */
export async function readMovieLensRatings(path: string, opts: ReadListensOptions = {}): Promise<ReadListensResult> {
  const { values, report } = await readTable(path, RATINGS_LAYOUT, opts)
  return listensResult(values, report)
}

/** u.user: the demographics of each user. */
export async function readMovieLensUsers(path: string, opts: ReadListensOptions = {}) {
  const { values, report } = await readTable(path, USERS_LAYOUT, opts)
  return { users: values, report }
}

/** One official split from a MovieLens 100K folder: u<k>.base as train, u<k>.test as test. */
export async function movieLensFold(
  dir: string,
  k: MovieLensFold,
  opts: ReadListensOptions = {},
): Promise<{ train: RawInteraction[]; test: RawInteraction[]; report: { train: ListensReport; test: ListensReport } }> {
  if (![1, 2, 3, 4, 5, 'a', 'b'].includes(k)) {
    throw new SegueError('E_BAD_ARGUMENT', `MovieLens fold must be 1 to 5, 'a' or 'b', got '${String(k)}'`)
  }
  const train = await readMovieLensRatings(plainOrGz(dir, `u${k}.base`), opts)
  const test = await readMovieLensRatings(plainOrGz(dir, `u${k}.test`), opts)
  return { train: train.events, test: test.events, report: { train: train.report, test: test.report } }
}

function gender(c: RowCells): 'M' | 'F' {
  const g = c.trimmed('gender')
  if (g !== 'M' && g !== 'F') throw new RowProblem("not a gender (expected 'M' or 'F')", 'gender', g)
  return g
}
