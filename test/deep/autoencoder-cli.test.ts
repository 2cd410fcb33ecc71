import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { gunzipSync } from 'node:zlib'
import { bundledCatalogue, packageRoot } from '../../src/core/paths.js'

// The CLI from source (tsx), over a real slice of the bundled catalogue: every 80th row (about 1,100 tracks).
const run = promisify(execFile)
const CLI = join(packageRoot(), 'src', 'cli', 'main.ts')

async function segue(home: string, ...args: string[]): Promise<any> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', CLI, '--home', home, '--json', '--no-progress', ...args], { cwd: packageRoot(), maxBuffer: 1 << 24 })
  return JSON.parse(stdout)
}

test('segue train --model autoencoder trains, resumes, draws its curve, and similar --model uses it', { timeout: 300_000 }, async () => {
  const home = mkdtempSync(join(tmpdir(), 'segue-ae-cli-'))
  const lines = gunzipSync(readFileSync(bundledCatalogue())).toString('utf8').split('\n')
  const csv = join(home, 'slice.csv')
  writeFileSync(csv, [lines[0], ...lines.slice(1).filter((l, i) => l && i % 80 === 0)].join('\n') + '\n')
  await segue(home, 'import', csv)

  const first = await segue(home, 'train', '--model', 'autoencoder', '--epochs', '1', '--param', 'batchSize=64')
  assert.equal(first.history.length, 1)
  assert.equal(first.stoppedBy, 'epochs')
  const curve = join(home, 'curve.svg')
  const resumed = await segue(home, 'train', '--model', 'autoencoder', '--epochs', '2', '--resume', '--param', 'batchSize=64', '--out', curve)
  assert.equal(resumed.resumedFrom, 1)
  assert.deepEqual(resumed.history.map((h: { epoch: number }) => h.epoch), [1, 2])
  assert.equal(resumed.history[0].loss, first.history[0].loss, 'epoch 1 comes from the checkpoint')
  assert.ok(existsSync(curve) && readFileSync(curve, 'utf8').includes('<svg'))

  const similar = await segue(home, 'similar', 'Hello', '--model', 'autoencoder', '--k', '5')
  assert.equal(similar.model, 'autoencoder')
  assert.equal(similar.items.length, 5)
  await assert.rejects(segue(home, 'train', '--model', 'autoencoder', '--epochs', '1', '--param', 'depth=3'), /unknown parameter 'depth'/)
})
