import { SegueError } from '../core/errors.js'

const CRON_FIELDS = 5

/**
 * A retraining schedule as a cron expression (UTC): an interval such as `30m`, `6h` or `1d`, or a cron string
 * of five fields given as is. Intervals must divide the hour or the day evenly, so that runs fall at the same
 * times every day (`5h` would not), which is what cron can express.
 */
export function scheduleCron(every: string): string {
  const text = every.trim()
  if (text.split(/\s+/).length === CRON_FIELDS) return text
  const m = /^(\d+)\s*(m|min|h|d)$/i.exec(text)
  if (!m) throw bad(every, 'expected an interval like 30m, 6h or 1d, or a cron string of five fields')
  const n = Number(m[1])
  const unit = m[2].toLowerCase()
  if (unit === 'd') {
    if (n !== 1) throw bad(every, 'days: only 1d (use a cron string for other day patterns)')
    return '0 0 * * *'
  }
  if (unit === 'h') {
    if (n === 24) return '0 0 * * *'
    if (n < 1 || 24 % n !== 0) throw bad(every, 'hours must divide 24: 1, 2, 3, 4, 6, 8, 12 or 24')
    return n === 1 ? '0 * * * *' : `0 */${n} * * *`
  }
  if (n === 60) return '0 * * * *'
  if (n < 1 || 60 % n !== 0) throw bad(every, 'minutes must divide 60: 1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30 or 60')
  return n === 1 ? '* * * * *' : `*/${n} * * * *`
}

function bad(every: string, why: string): SegueError {
  return new SegueError('E_BAD_ARGUMENT', `--every '${every}': ${why}`)
}
