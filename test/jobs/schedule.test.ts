import { test } from 'node:test'
import assert from 'node:assert/strict'
import { scheduleCron } from '../../src/jobs/schedule.js'

test('--every intervals become cron strings that fire at the same times every day', () => {
  assert.equal(scheduleCron('6h'), '0 */6 * * *')
  assert.equal(scheduleCron('1h'), '0 * * * *')
  assert.equal(scheduleCron('24h'), '0 0 * * *')
  assert.equal(scheduleCron('1d'), '0 0 * * *')
  assert.equal(scheduleCron('30m'), '*/30 * * * *')
  assert.equal(scheduleCron('60min'), '0 * * * *')
  assert.equal(scheduleCron(' 15 3 * * 1 '), '15 3 * * 1')
})

test('--every refuses intervals cron cannot repeat evenly, naming the value', () => {
  for (const bad of ['5h', '7m', '2d', '0h', 'often', '6 hours', '* * *']) {
    assert.throws(() => scheduleCron(bad), (err: Error & { code?: string }) => err.code === 'E_BAD_ARGUMENT' && err.message.includes(`'${bad}'`), bad)
  }
})
