import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SegueService } from '../../src/service/service.js'
import { fixturesDir } from '../helpers/paths.js'

// The engine fixture: nine tracks around a seed, content only (no listening data).
const SEED = 'seed0000000000000000001'
let service: SegueService

before(async () => {
  service = await SegueService.start({
    home: mkdtempSync(join(tmpdir(), 'segue-foryou-')),
    catalogue: join(fixturesDir, 'engine', 'catalogue.csv'),
    listening: null,
  })
})
after(() => service?.close())

test('when personal picks run short, popular tracks fill in after them, never ahead', async () => {
  const { listener } = await service.createListener(null)
  await service.feedback(listener.id, SEED, 'like')
  const r = await service.recommendations(listener.id, { model: 'content', n: 10, seeds: [] })
  assert.equal(r.coldStart, false)
  assert.ok(r.items.length > 0)
  const kinds = r.items.map((i) => i.reasons[0].kind)
  const firstPopular = kinds.indexOf('popular')
  assert.ok(firstPopular === -1 || kinds.slice(firstPopular).every((k) => k === 'popular'), kinds.join(', '))
  assert.equal(kinds[0], 'like')
  assert.ok(!r.items.some((i) => i.track.id === SEED))
})

test('without listening data only the content model is offered, and asking for another is refused', async () => {
  assert.deepEqual(service.models(), { default: 'content', models: [{ name: 'content', label: 'Sounds like', description: service.models().models[0].description }] })
  const { listener } = await service.createListener(null)
  await assert.rejects(() => service.recommendations(listener.id, { model: 'hybrid', n: 5, seeds: [] }), /needs listening data/)
})
