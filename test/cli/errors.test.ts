import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { repoRoot } from '../helpers/paths.js'

const CLI = join(repoRoot, 'dist', 'src', 'cli', 'main.js')

// README: "Errors are one line and a non-zero exit". Commander's own refusals (a bad choice, a bad number, an
// unknown option) are checked before any command runs, so an empty home is enough.
test('a refused option prints one line, naming the value and what is allowed, and no help', () => {
  const home = mkdtempSync(join(tmpdir(), 'segue-cli-errors-'))
  const cases: [string[], RegExp][] = [
    [['similar', 'x', '--metric', 'foo'], /^segue: option '--metric <m>' argument 'foo' is invalid\. Allowed choices are cosine, euclidean, manhattan\.$/],
    [['similar', 'x', '--k', 'abc'], /^segue: .*'abc'.*whole number from 1 to 1000/],
    [['search', 'x', '--bogus'], /^segue: unknown option '--bogus'$/],
  ]
  try {
    for (const [args, expected] of cases) {
      const r = spawnSync(process.execPath, [CLI, '--home', home, ...args], { encoding: 'utf8' })
      assert.notEqual(r.status, 0, args.join(' '))
      assert.equal(r.stdout, '', 'nothing on stdout')
      const lines = r.stderr.trimEnd().split('\n')
      assert.equal(lines.length, 1, `one line for ${args.join(' ')}, got:\n${r.stderr}`)
      assert.match(lines[0], expected)
    }
  } finally {
    rmSync(home, { recursive: true, force: true })
  }
})
