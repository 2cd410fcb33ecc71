import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { createApp } from '../../src/server/app.js'
import { SegueService } from '../../src/service/service.js'
import { PostgresStore } from '../../src/store/postgres.js'
import { fixturesDir } from '../helpers/paths.js'
import { startPgCluster } from '../helpers/pg-cluster.js'
import { client } from '../helpers/service.js'

// Against a real PostgreSQL: NUL is refused before the store (PostgreSQL cannot store it), and no answer, from
// the HTTP API or from the store itself, ever names the database's user, password, host, port or URL.
const cluster = await startPgCluster()
const CATALOGUE = join(fixturesDir, 'engine', 'catalogue.csv')
/** A role and password that must never appear anywhere; the cluster trusts local connections, so any password works. */
const USER = 'leaky_operator'
const PASSWORD = 'hunter2-s3cret'

if ('skip' in cluster) {
  test('hostile input against PostgreSQL', { skip: cluster.skip }, () => {})
} else {
  const pgc = cluster
  after(() => pgc.stop())

  const port = new URL(cluster.url()).port
  /** Every part of the connection URL, each of which must stay out of every message. */
  const secrets = (url: string) => [url, USER, PASSWORD, `127.0.0.1:${port}`, '127.0.0.1', `:${port}`, 'postgres://']
  const assertNoSecrets = (message: string, url: string) => {
    for (const s of secrets(url)) assert.ok(!message.includes(s), `"${s}" leaked in: ${message}`)
  }

  async function leakyUrl(db: string): Promise<string> {
    const admin = new pg.Client({ connectionString: pgc.url() })
    await admin.connect()
    await admin.query(`DO $$ BEGIN CREATE ROLE ${USER} LOGIN SUPERUSER; EXCEPTION WHEN duplicate_object THEN NULL; END $$`)
    await admin.end()
    const url = new URL(await pgc.createDatabase(db))
    url.username = USER
    url.password = PASSWORD
    return url.toString()
  }

  test('NUL in an id or a name is 400 before PostgreSQL; store failures are 503 naming no part of the URL', { timeout: 120_000 }, async () => {
    const url = await leakyUrl('hostile')
    const service = await SegueService.start({ home: mkdtempSync(join(tmpdir(), 'segue-hostile-pg-')), store: url, catalogue: CATALOGUE, listening: null })
    const app = await createApp(service, { webRoot: null })
    try {
      const api = client(app)
      const me = await api.listener('real')
      for (const r of [await api.get('/api/listeners/ab%00cd', me.token), await api.post('/api/listeners', { name: 'a\u0000b' })]) {
        assert.equal(r.status, 400, JSON.stringify(r.body))
        assert.equal(r.body.error.code, 'E_VALIDATION')
        assertNoSecrets(r.body.error.message, url)
      }

      // The store's own edge: a NUL that gets past some other shell is E_STORE with a redacted message.
      await assert.rejects(service.store.getListener('ab\u0000cd'), (e: Error & { code?: string }) => {
        assert.equal(e.code, 'E_STORE')
        assertNoSecrets(e.message, url)
        return true
      })

      await cluster.stop()
      for (const r of [await api.get(`/api/listeners/${me.id}`, me.token), await api.post('/api/listeners', { name: 'x' })]) {
        assert.equal(r.status, 503, JSON.stringify(r.body))
        assert.equal(r.body.error.code, 'E_STORE')
        assertNoSecrets(r.body.error.message, url)
      }
      await assert.rejects(PostgresStore.connect(url), (e: Error & { code?: string }) => {
        assert.equal(e.code, 'E_STORE')
        assert.match(e.message, /cannot connect to PostgreSQL/)
        assertNoSecrets(e.message, url)
        return true
      })
    } finally {
      await app.close()
      await service.close().catch(() => {})
    }
  })
}
