import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { cpus } from 'node:os'
import { packageRoot } from '../../src/core/paths.js'

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/** Runs `fn` `rounds` times and returns each round's seconds. */
export async function timeRounds(rounds: number, fn: () => unknown | Promise<unknown>): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < rounds; i++) {
    const t0 = process.hrtime.bigint()
    await fn()
    out.push(Number(process.hrtime.bigint() - t0) / 1e9)
  }
  return out
}

export type Row = Record<string, string | number | boolean | null>

/** Prints rows as a table and saves them, with machine facts, to bench/results/<name>.json. */
export function report(name: string, rows: Row[], notes: Record<string, unknown> = {}): void {
  console.log(`\n== ${name}`)
  console.table(rows)
  const dir = join(packageRoot(), 'bench', 'results')
  mkdirSync(dir, { recursive: true })
  const machine = { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown' }
  writeFileSync(join(dir, `${name}.json`), JSON.stringify({ name, date: new Date().toISOString(), machine, notes, rows }, null, 2) + '\n')
}
