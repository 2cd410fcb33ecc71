import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fixturesDir } from '../helpers/paths.js'
import { startServer } from '../helpers/server-process.js'

const CATALOGUE = join(fixturesDir, 'engine', 'catalogue.csv')
const TRACKS = ['seed0000000000000000001', 'alpha000000000000000002']
const KINDS = ['play', 'like', 'skip', 'dislike'] as const

async function json(res: Response): Promise<any> {
  return res.json()
}

test('a server killed with SIGKILL right after acknowledging feedback loses none of the acknowledged events', { timeout: 180_000 }, async () => {
  const home = mkdtempSync(join(tmpdir(), 'segue-durable-'))
  const args = ['--catalogue', CATALOGUE, '--no-collaborative']
  const first = await startServer(home, args)
  const acked: { seq: number; trackId: string; kind: string }[] = []
  let listener: { id: string; token: string }
  try {
    const created = await json(await fetch(`${first.url}/api/listeners`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }))
    listener = { id: created.listener.id, token: created.token }
    const post = (i: number) =>
      fetch(`${first.url}/api/listeners/${listener.id}/feedback`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${listener.token}` },
        body: JSON.stringify({ trackId: TRACKS[i % 2], kind: KINDS[i % 4] }),
      })
    // Eight writers at once; the moment the 120th acknowledgement arrives the server is killed, with
    // other writes still in flight. Those may or may not land; every acknowledged one must.
    let next = 0
    let killed = false
    const writer = async () => {
      while (!killed) {
        const res = await post(next++).catch(() => null)
        if (res === null || killed) return
        const body = await res.text()
        assert.equal(res.status, 201, body)
        acked.push(JSON.parse(body).event)
        if (acked.length >= 120 && !killed) {
          killed = true
          first.child.kill('SIGKILL')
        }
      }
    }
    await Promise.all(Array.from({ length: 8 }, writer))
    if (first.child.signalCode === null) await new Promise((resolve) => first.child.once('exit', resolve))
    assert.equal(first.child.signalCode, 'SIGKILL')
  } finally {
    await first.stop()
  }

  const second = await startServer(home, args)
  try {
    const history = await json(await fetch(`${second.url}/api/listeners/${listener.id}/history?limit=1000`, { headers: { authorization: `Bearer ${listener.token}` } }))
    const stored = new Map(history.events.map((e: { seq: number; trackId: string; kind: string }) => [e.seq, e]))
    assert.ok(acked.length >= 120)
    for (const e of acked) assert.deepEqual(stored.get(e.seq), { ...e, track: (stored.get(e.seq) as { track: unknown } | undefined)?.track }, `acknowledged event ${e.seq} is missing`)
    // The store is usable after the crash: a new event lands after the survivors.
    const res = await fetch(`${second.url}/api/listeners/${listener.id}/feedback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${listener.token}` },
      body: JSON.stringify({ trackId: TRACKS[0], kind: 'like' }),
    })
    assert.equal(res.status, 201)
    assert.ok((await json(res)).event.seq > Math.max(...acked.map((e) => e.seq)))
  } finally {
    await second.stop()
  }
})
