import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { PostgresStore } from '../../src/store/postgres.js'
import { SqliteStore } from '../../src/store/sqlite.js'
import type { Store } from '../../src/store/store.js'
import { startPgCluster } from '../helpers/pg-cluster.js'

const listener = (id: string) => ({ id, name: null, tokenHash: 'f'.repeat(64), createdAt: '2026-12-02T23:00:00.000Z' })

/** The listener settings (the picked mood lives there) as both stores keep them. */
async function settingsContract(store: Store): Promise<void> {
  await store.createListener(listener('a'))
  await store.createListener(listener('b'))
  assert.equal(await store.listenerSetting('a', 'mood'), null)
  await store.setListenerSetting('a', 'mood', 'Calm')
  await store.setListenerSetting('b', 'mood', 'Sad')
  assert.equal(await store.listenerSetting('a', 'mood'), 'Calm')
  await store.setListenerSetting('a', 'mood', 'Happy')
  assert.equal(await store.listenerSetting('a', 'mood'), 'Happy', 'a second set replaces the first')
  assert.equal(await store.listenerSetting('a', 'onboarding'), null, 'keys are apart')
  await store.setListenerSetting('a', 'mood', null)
  assert.equal(await store.listenerSetting('a', 'mood'), null, 'null clears it')
  await store.setListenerSetting('a', 'mood', null)
  assert.equal(await store.listenerSetting('b', 'mood'), 'Sad', 'other listeners keep theirs')
  await assert.rejects(store.setListenerSetting('nobody', 'mood', 'Calm'), { code: 'E_NOT_FOUND' })
  await store.deleteListener('b')
  await store.createListener(listener('b'))
  assert.equal(await store.listenerSetting('b', 'mood'), null, 'deleting a listener deletes their settings')
}

test('sqlite: listener settings are set, replaced, cleared and deleted with the listener', async () => {
  const store = new SqliteStore(':memory:')
  try { await settingsContract(store) } finally { await store.close() }
})

const cluster = await startPgCluster()
if ('skip' in cluster) test('postgres: listener settings', { skip: cluster.skip }, () => {})
else {
  after(() => cluster.stop())
  test('postgres: listener settings are set, replaced, cleared and deleted with the listener', async () => {
    const store = await PostgresStore.connect(await cluster.createDatabase('settings'))
    try { await settingsContract(store) } finally { await store.close() }
  })
}
