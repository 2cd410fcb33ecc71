import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { repoRoot } from '../helpers/paths.js'
import { parseLogLevel } from '../../src/ops/log-level.js'

const cli = join(repoRoot, 'dist', 'src', 'cli', 'main.js')

test('log levels: pino\'s names in any case; anything else is E_BAD_ARGUMENT listing them', () => {
  assert.equal(parseLogLevel(' WARN '), 'warn')
  assert.throws(() => parseLogLevel('loud'), { code: 'E_BAD_ARGUMENT', message: /fatal, error, warn, info, debug, trace, silent/ })
})

test('segue serve --log-level refuses an unknown level before starting anything', { skip: existsSync(cli) ? false : 'dist/ is not built (npx tsc -p tsconfig.json)' }, () => {
  const home = mkdtempSync(join(tmpdir(), 'segue-ops-cli-'))
  const r = spawnSync(process.execPath, [cli, '--home', home, 'serve', '--port', '0', '--log-level', 'loud'], { encoding: 'utf8', timeout: 30_000 })
  assert.equal(r.status, 1)
  assert.match(r.stderr, /--log-level.*unknown log level 'loud'/)
  const env = spawnSync(process.execPath, [cli, '--home', home, 'serve', '--port', '0'], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, SEGUE_LOG_LEVEL: 'chatty' } })
  assert.equal(env.status, 1)
  assert.match(env.stderr, /unknown log level 'chatty'/)
})
