// How long the 114k catalogue takes to import end to end (read, validate, dedupe, impute, store), and to
// be ready for queries on the next start (load from the store, pipeline from its artifact, search index).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Engine } from '../src/engine.js'
import { readCatalogue } from '../src/data/read-catalogue.js'
import { sharedDataDir } from '../src/core/paths.js'
import { median, report, timeRounds } from './lib/report.js'

const file = join(sharedDataDir(), 'spotify-tracks-114k', 'dataset.csv')
const ROUNDS = 3

const readSecs = await timeRounds(ROUNDS, () => readCatalogue(file))
const homes: string[] = []
const importSecs = await timeRounds(ROUNDS, async () => {
  const home = mkdtempSync(join(tmpdir(), 'segue-bench-import-'))
  homes.push(home)
  const e = await Engine.open({ home })
  await e.importCatalogue(file)
  await e.close()
})
const firstReadySecs = await timeRounds(1, async () => {
  const e = await Engine.open({ home: homes[0] })
  await e.similar('Comedy Gen Hoshino', { k: 10, mode: 'exact' })
  await e.close()
})
const warmReadySecs = await timeRounds(ROUNDS, async () => {
  const e = await Engine.open({ home: homes[0] })
  await e.similar('Comedy Gen Hoshino', { k: 10, mode: 'exact' })
  await e.close()
})
for (const h of homes) rmSync(h, { recursive: true, force: true })

report('import', [
  { step: 'read + validate + dedupe (readCatalogue)', median_s: +median(readSecs).toFixed(2), rounds: ROUNDS },
  { step: 'import into a fresh SQLite store', median_s: +median(importSecs).toFixed(2), rounds: ROUNDS },
  { step: 'first query after import (fit pipeline, save it)', median_s: +firstReadySecs[0].toFixed(2), rounds: 1 },
  { step: 'first query on a later start (artifacts loaded)', median_s: +median(warmReadySecs).toFixed(2), rounds: ROUNDS },
], { file })
