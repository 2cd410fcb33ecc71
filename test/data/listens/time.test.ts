import { test } from 'node:test'
import assert from 'node:assert/strict'
import { isoToUnix } from '../../../src/data/listens/time.js'

test('ISO 8601 dates and date-times become unix seconds, a missing zone meaning UTC', () => {
  assert.equal(isoToUnix('2009-05-04T23:08:57Z'), 1241478537)
  assert.equal(isoToUnix('2009-05-04T23:08:57'), 1241478537)
  assert.equal(isoToUnix('2009-05-04 23:08:57'), 1241478537)
  assert.equal(isoToUnix('2009-05-05T01:08:57+02:00'), 1241478537)
  assert.equal(isoToUnix('2009-05-04T18:08:57-0500'), 1241478537)
  assert.equal(isoToUnix('2009-05-04T23:08:57.250Z'), 1241478537.25)
  assert.equal(isoToUnix('2009-05-04'), 1241395200)
  assert.equal(isoToUnix('2008-02-29'), 1204243200)
})

test('impossible or loose dates are refused rather than rolled over', () => {
  for (const s of ['2009-02-29', '2009-02-30T00:00:00Z', '2009-13-01', '2009-05-04T24:00:00Z', '2009-05-04T23:60', 'May 4 2009', '1241478537', '']) {
    assert.equal(isoToUnix(s), undefined, s)
  }
})
