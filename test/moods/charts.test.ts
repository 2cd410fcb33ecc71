import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildChart, CHARTS } from '../../src/viz/charts.js'
import { toSvg } from '../../src/viz/render.js'
import { moodScale } from '../../src/viz/theme.js'
import { MOOD_INFO, MOODS } from '../../src/moods/moods.js'
import type { MoodChartData } from '../../src/moods/chart-data.js'
import { moodChartSpecs } from '../../src/moods/charts.js'

/** Hand-made chart data: one point and one histogram per mood, a 2 x 2 listener confusion. */
const data: MoodChartData = {
  moods: MOODS.map((m) => ({ name: m, colour: MOOD_INFO[m].colour, description: MOOD_INFO[m].description })),
  scatter: { explainedVariance: [0.4, 0.2], points: MOODS.map((m, i) => ({ id: m, pc1: i, pc2: -i, mood: m })) },
  elbow: [2, 3, 4].map((k) => ({ k, inertia: 100 / k })),
  silhouette: [2, 3, 4].map((k) => ({ k, silhouette: 0.1 * k })),
  chosenK: 4,
  elbowK: 3,
  confusions: [{ title: 'listener mood Calm (5-fold CV)', labels: ['not Calm', 'Calm'], counts: [[5, 1], [2, 8]] }],
  distributions: MOODS.map((m, i) => ({ feature: 'energy', mood: m, binStart: [0, 0.5], count: [i, 4 - i] })),
}

test('mood colours have one source: the chart scale gives each mood its moods.ts colour', async () => {
  assert.deepEqual(moodScale(), { domain: [...MOODS], range: MOODS.map((m) => MOOD_INFO[m].colour) })
  const svg = (await toSvg(buildChart('moods-scatter', { tracks: [], moods: data }))).toLowerCase()
  for (const m of MOODS) assert.ok(svg.includes(MOOD_INFO[m].colour.toLowerCase()), `${m}'s point is drawn in ${MOOD_INFO[m].colour}`)
})

test('the mood charts are in the CHARTS registry, say when they have no data, and every spec draws', async () => {
  for (const name of ['moods-scatter', 'moods-elbow', 'moods-silhouette', 'moods-confusion-song', 'moods-distributions']) {
    assert.ok(CHARTS[name], name)
    assert.match(JSON.stringify(buildChart(name, { tracks: [] })), /segue moods report/, `${name} without data says how to get it`)
  }
  const specs = moodChartSpecs(data)
  assert.deepEqual(Object.keys(specs), ['moods-scatter', 'moods-elbow', 'moods-silhouette', 'moods-distributions', 'moods-confusion-listener-mood-calm-5-fold-cv'])
  for (const [name, spec] of Object.entries(specs)) assert.match(await toSvg(spec), /^<svg/, name)
  assert.match(JSON.stringify(specs['moods-elbow']), /knee at k = 3/)
})
