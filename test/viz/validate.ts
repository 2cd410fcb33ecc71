// Checks that a chart spec is valid Vega-Lite: it compiles with no warning (vega-lite throws on specs it cannot
// compile and warns on ones it repairs, e.g. a channel it drops) and the Vega it compiles to parses.
import assert from 'node:assert/strict'
import { compile } from 'vega-lite'
import { parse } from 'vega'
import type { ChartSpec } from '../../src/viz/spec.js'
import { themeConfig } from '../../src/viz/theme.js'

export function assertValidSpec(spec: ChartSpec): void {
  const warnings: string[] = []
  const logger = {
    level(): number {
      return 2
    },
    error(...a: unknown[]) {
      throw new Error(a.join(' '))
    },
    warn(...a: unknown[]) {
      warnings.push(a.join(' '))
      return logger
    },
    info() {
      return logger
    },
    debug() {
      return logger
    },
  }
  const vegaSpec = compile(spec, { config: themeConfig('dark'), logger: logger as never }).spec
  assert.deepEqual(warnings, [], 'vega-lite warned while compiling')
  parse(vegaSpec)
}

/** The inline data rows of a single-view spec. */
export function valuesOf(spec: ChartSpec): Record<string, unknown>[] {
  const data = (spec as { data?: { values?: unknown } }).data
  assert.ok(data && Array.isArray(data.values), 'spec has inline data values')
  return data.values as Record<string, unknown>[]
}

/** True when the spec is the "no data" chart. */
export function isNoData(spec: ChartSpec): boolean {
  const s = spec as { mark?: { type?: string }; data?: { values?: { message?: string }[] } }
  return s.mark?.type === 'text' && typeof s.data?.values?.[0]?.message === 'string'
}
