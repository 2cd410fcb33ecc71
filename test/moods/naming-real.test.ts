import { test } from 'node:test'
import assert from 'node:assert/strict'
import { bundledCatalogue } from '../../src/core/paths.js'
import { readCatalogue } from '../../src/data/read-catalogue.js'
import { nameClusters } from '../../src/moods/clusters.js'
import { BASE_MOOD_FEATURES, featureMatrix, fitStandardiser, standardise } from '../../src/moods/features.js'
import { kmeans } from '../../src/moods/kmeans.js'
import { MOODS } from '../../src/moods/moods.js'
import { nameByThresholds } from '../../src/moods/naming.js'

test('on the bundled 114k catalogue every mood gets a k-means cluster (k = 4, the silhouette choice)', async () => {
  const { tracks } = await readCatalogue(bundledCatalogue())
  const raw = featureMatrix(tracks.map((t) => t.features), BASE_MOOD_FEATURES)
  const s = fitStandardiser(raw)
  const named = nameClusters(kmeans(standardise(raw, s), 4, { seed: 42 }), raw, s)
  const byRule = named.names.map((_, c) => nameByThresholds(named.centres[c * raw.dims], named.centres[c * raw.dims + 1]))
  assert.ok(!byRule.includes('Calm'), `the threshold rule alone leaves Calm out here (${byRule.join(', ')}); if it no longer does, this test lost its point`)
  assert.deepEqual([...named.names].sort(), [...MOODS].sort())
  const counts = MOODS.map((m) => named.moods.filter((x) => MOODS[x] === m).length)
  for (const [i, m] of MOODS.entries()) assert.ok(counts[i] > tracks.length / 20, `${m}: ${counts[i]} tracks`)
})
