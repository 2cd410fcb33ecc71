import { test } from 'node:test'
import assert from 'node:assert/strict'
import { FIRST_LAYOUT_INDEX, IMPRESSIONS_TABLE } from '../../src/store/impressions.js'
import type { Store } from '../../src/store/store.js'
import { DAY, EXPECTED, loadOnlineFixture } from '../ops/online-fixture.js'

/** Raw access to the database a store opens: statements in either dialect, and whether an index exists. */
export interface RawDatabase {
  exec(sql: string): Promise<void>
  rows(sql: string): Promise<Record<string, unknown>[]>
  hasIndex(name: string): Promise<boolean>
}

const T = IMPRESSIONS_TABLE
const COLUMNS = 'listener_id, track_id, model, at, day, until_at'

/**
 * The impressions table as segue wrote it before (key (day, model, listener, track) and an index on the pair),
 * holding the rows the current table holds. Valid in both dialects.
 */
const TO_FIRST_LAYOUT = `
CREATE TABLE ${T}_first (
  listener_id TEXT NOT NULL REFERENCES listeners(id) ON DELETE CASCADE,
  track_id TEXT NOT NULL,
  model TEXT NOT NULL,
  at TEXT NOT NULL,
  day TEXT NOT NULL,
  until_at TEXT NOT NULL,
  PRIMARY KEY (day, model, listener_id, track_id)
);
INSERT INTO ${T}_first (${COLUMNS}) SELECT ${COLUMNS} FROM ${T};
DROP TABLE ${T};
ALTER TABLE ${T}_first RENAME TO ${T};
CREATE INDEX ${T}_by_pair ON ${T} (listener_id, track_id, at);
`

/** A store opened on a database whose impressions have the first layout rebuilds them: same rows, same figures. */
export function runImpressionsLayoutCase(name: string, fresh: () => Promise<{ open: () => Promise<Store>; raw: RawDatabase }>): void {
  test(`${name}: impressions written in the first table layout are rebuilt on open, rows and figures unchanged`, async () => {
    const { open, raw } = await fresh()
    const all = () => raw.rows(`SELECT ${COLUMNS} FROM ${T} ORDER BY day, model, listener_id, track_id`)
    let store = await open()
    assert.equal(await loadOnlineFixture(store), 9)
    await store.close()
    const rows = await all()
    assert.equal(rows.length, 9)

    await raw.exec(TO_FIRST_LAYOUT)
    assert.equal(await raw.hasIndex(FIRST_LAYOUT_INDEX), true)
    assert.deepEqual(await all(), rows)

    store = await open()
    assert.equal(await raw.hasIndex(FIRST_LAYOUT_INDEX), false)
    assert.deepEqual(await all(), rows)
    assert.deepEqual(await store.onlineStats(DAY), EXPECTED)
    // The rebuilt key is the one writes name: a pair shown again the same day extends its row, adds none.
    assert.equal(await store.recordImpressions([{ listenerId: 'a', trackId: 't1', model: 'hybrid', at: `${DAY}T23:00:00.000Z` }]), 1)
    const after = await all()
    assert.equal(after.length, 9)
    assert.deepEqual(after.filter((r) => r.until_at === '2026-12-01T23:00:00.000Z').map((r) => [r.listener_id, r.track_id, r.at]), [['a', 't1', `${DAY}T10:00:00.000Z`]])
    await store.close()

    // Opening again finds the current layout and leaves it as it is.
    store = await open()
    assert.deepEqual(await all(), after)
    await store.close()
  })
}
