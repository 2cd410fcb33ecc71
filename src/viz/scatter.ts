/**
 * Points coloured by category (tracks on two principal components coloured by mood or cluster). Large inputs
 * are sampled first, deterministically: the same data and seed give the same picture on every machine.
 */
import { Rng } from '../core/rng.js'
import { HEIGHT, noDataSpec, round, SCHEMA, titleOf, WIDTH, type ChartSpec, type ChartText } from './spec.js'

/** Points drawn at most: enough to show cluster shapes, few enough for a ~300 kB SVG and a 200 ms render. */
export const SCATTER_CAP = 5000
/** Seed of the sample when none is given; stated on the chart. */
export const SCATTER_SEED = 42

export interface CategoryPoint {
  x: number
  y: number
  category: string
  /** Shown on hover (a track's name), optional. */
  label?: string
}

export interface ScatterInput extends ChartText {
  xTitle: string
  yTitle: string
  points: readonly CategoryPoint[]
  /** Legend title ("Mood"). */
  categoryTitle: string
  cap?: number
  seed?: number
  colorScale?: { domain: string[] }
}

/**
 * `cap` of the items, chosen uniformly without replacement by a partial Fisher-Yates shuffle seeded with
 * `seed`, returned in their original order; all of them when there are no more than `cap`.
 */
export function sampleIndices(n: number, cap: number, seed: number): number[] {
  if (n <= cap) return Array.from({ length: n }, (_, i) => i)
  const idx = Int32Array.from({ length: n }, (_, i) => i)
  const rng = new Rng(seed)
  for (let i = 0; i < cap; i++) {
    const j = i + rng.int(n - i)
    const t = idx[i]
    idx[i] = idx[j]
    idx[j] = t
  }
  return Array.from(idx.subarray(0, cap)).sort((a, b) => a - b)
}

export function scatterSpec(input: ScatterInput): ChartSpec {
  const finite = input.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y))
  if (finite.length === 0) return noDataSpec(input)
  const cap = input.cap ?? SCATTER_CAP
  const seed = input.seed ?? SCATTER_SEED
  const chosen = sampleIndices(finite.length, cap, seed).map((i) => finite[i])
  const rows = chosen.map((p) => ({ x: round(p.x), y: round(p.y), category: p.category, ...(p.label ? { label: p.label } : {}) }))
  const sampled = chosen.length < finite.length
  const note = sampled ? `${fmt(chosen.length)} of ${fmt(finite.length)} points, sampled with seed ${seed}` : undefined
  const tooltip = [
    ...(rows.some((r) => 'label' in r) ? [{ field: 'label', type: 'nominal' as const, title: 'Name' }] : []),
    { field: 'category', type: 'nominal' as const, title: input.categoryTitle },
  ]
  return {
    $schema: SCHEMA,
    title: titleOf({ title: input.title, subtitle: [input.subtitle, note].filter(Boolean).join(' · ') || undefined }),
    width: WIDTH,
    height: HEIGHT + 60,
    data: { values: rows },
    // No per-point ARIA labels: they would add ~40% to a 5,000-point SVG and its render time.
    mark: { type: 'point', aria: false },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: input.xTitle, scale: { zero: false } },
      y: { field: 'y', type: 'quantitative', title: input.yTitle, scale: { zero: false } },
      color: { field: 'category', type: 'nominal', title: input.categoryTitle, ...(input.colorScale ? { scale: input.colorScale } : {}) },
      tooltip,
    },
  }
}

function fmt(n: number): string {
  return n.toLocaleString('en-GB')
}
