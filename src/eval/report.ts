import { writeFileAtomic } from '../core/artifact.js'
import type { EvaluationResult, MetricSummary } from './evaluate.js'
import { ALL_METRICS, type MetricName } from './metric-names.js'

export interface TableOptions {
  /** Columns to show, in order (default: every metric any result has). */
  metrics?: readonly MetricName[]
  /** Digits after the point (default 4). */
  decimals?: number
  /** Which users' numbers to show (default 'overall'). */
  segment?: 'overall' | 'cold' | 'active'
}

/**
 * A plain-text table for the terminal: one row per model, one column per metric, numbers right-aligned with
 * fixed decimals; '-' where a model has no value (e.g. RMSE for a model that does not predict ratings).
 */
export function formatTable(results: readonly EvaluationResult[], opts: TableOptions = {}): string {
  const pick = (r: EvaluationResult) => summaryOf(r, opts.segment ?? 'overall')
  const metrics = opts.metrics ?? ALL_METRICS.filter((name) => results.some((r) => pick(r)?.metrics[name] !== undefined))
  const header = ['model', 'k', 'users', ...metrics]
  const rows = results.map((r) => {
    const s = pick(r)
    const cells = metrics.map((name) => formatNumber(s?.metrics[name], opts.decimals ?? 4))
    return [r.model, String(r.k), s ? String(s.users) : '-', ...cells]
  })
  return alignColumns([header, ...rows])
}

function summaryOf(r: EvaluationResult, segment: 'overall' | 'cold' | 'active'): MetricSummary | undefined {
  return segment === 'overall' ? r.overall : r.segments?.[segment]
}

function formatNumber(v: number | undefined, decimals: number): string {
  return v === undefined || Number.isNaN(v) ? '-' : v.toFixed(decimals)
}

/** Pads every column to its widest cell: the first column left-aligned (names), the rest right-aligned. */
function alignColumns(table: readonly string[][]): string {
  const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)))
  const line = (row: readonly string[]) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')
  const rule = widths.map((w) => '-'.repeat(w)).join('  ')
  return [line(table[0]), rule, ...table.slice(1).map(line)].join('\n') + '\n'
}

/**
 * The results as JSON text. NaN and infinities (undefined metrics) become null, since JSON has no NaN and a
 * reader should see "no value" rather than a parse error.
 */
export function reportJson(results: readonly EvaluationResult[]): string {
  const body = { createdAt: new Date().toISOString(), results }
  return JSON.stringify(body, (_key, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n'
}

/** Writes reportJson(results) to `path` atomically (a reader never sees half a report). */
export function writeReportJson(path: string, results: readonly EvaluationResult[]): void {
  writeFileAtomic(path, Buffer.from(reportJson(results), 'utf8'))
}
