import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { createApp } from '../../src/server/app.js'
import { SegueService } from '../../src/service/service.js'
import { fixturesDir } from '../helpers/paths.js'

let service: SegueService

before(async () => {
  service = await SegueService.start({ home: mkdtempSync(join(tmpdir(), 'segue-reqlog-')), catalogue: join(fixturesDir, 'engine', 'catalogue.csv'), listening: null })
})

after(async () => {
  await service.close()
})

/** The JSON records an app logs at `level` while answering `urls`. */
async function logged(level: string, urls: string[]): Promise<Record<string, any>[]> {
  const lines: string[] = []
  const stream = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) })
  const app = await createApp(service, { webRoot: null, logger: { level, stream } })
  try {
    for (const url of urls) await app.inject({ url, headers: { 'x-request-id': `r-${urls.indexOf(url)}` } })
  } finally {
    await app.close()
  }
  return lines.join('').trim().split('\n').map((l) => JSON.parse(l))
}

test('request log at info: one line per request with the request, its status and time; the arrival line only at debug', async () => {
  const records = await logged('info', ['/api/health', '/api/tracks/nope', '/api/nowhere?token=secret'])
  for (const [i, status, url] of [[0, 200, '/api/health'], [1, 404, '/api/tracks/nope'], [2, 404, '/api/nowhere?token=***']] as const) {
    const lines = records.filter((r) => r.requestId === `r-${i}`)
    const done = lines.filter((r) => r.msg === 'request completed')
    assert.equal(done.length, 1, JSON.stringify(lines))
    assert.equal(done[0].req.url, url)
    assert.equal(done[0].req.method, 'GET')
    assert.equal(done[0].res.statusCode, status)
    assert.equal(typeof done[0].responseTime, 'number')
    assert.ok(!lines.some((r) => r.msg === 'incoming request'), 'an arrival line at info')
  }
  assert.ok(!JSON.stringify(records).includes('secret'))

  const debug = await logged('debug', ['/api/health'])
  assert.equal(debug.filter((r) => r.requestId === 'r-0' && r.msg === 'incoming request' && r.req.url === '/api/health').length, 1)
  assert.equal(debug.filter((r) => r.requestId === 'r-0' && r.msg === 'request completed').length, 1)
})
