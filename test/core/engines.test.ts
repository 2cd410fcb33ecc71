import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import semver from 'semver'
import { repoRoot } from '../helpers/paths.js'

interface LockEntry {
  version?: string
  engines?: Record<string, string> | string[]
}
interface Lockfile {
  packages: Record<string, LockEntry>
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(join(repoRoot, file), 'utf8')) as T

/**
 * Packages of the lockfile whose `engines.node` does not admit every Node version of `declared` (npm's
 * EBADENGINE, found before an install meets it). `installed` says which lockfile paths count: optional
 * packages for other platforms are in the lockfile but never installed.
 */
function unmetEngines(lock: Lockfile, declared: string, installed: (path: string) => boolean): string[] {
  const unmet: string[] = []
  for (const [path, entry] of Object.entries(lock.packages)) {
    const wants = Array.isArray(entry.engines) ? undefined : entry.engines?.node
    if (path === '' || !wants || !installed(path)) continue
    if (!semver.subset(declared, wants)) unmet.push(`${path.replace(/^.*node_modules\//, '')}@${entry.version} wants node ${wants}`)
  }
  return unmet
}

test('every installed package admits the Node versions package.json declares', () => {
  const declared = readJson<{ engines: { node: string } }>('package.json').engines.node
  assert.ok(semver.validRange(declared), `package.json engines.node is a valid range: ${declared}`)
  const lock = readJson<Lockfile>('package-lock.json')
  const unmet = unmetEngines(lock, declared, (path) => existsSync(join(repoRoot, path)))
  assert.deepEqual(unmet, [], `package.json declares node ${declared}, but:\n${unmet.join('\n')}`)
})

test('the check catches the tree npm warned about (content-disposition@3 and cookie@2 want Node 22)', () => {
  // The two entries of the lockfile before @fastify/static 9 and the light-my-request override.
  const before: Lockfile = {
    packages: {
      '': { version: '0.1.0' },
      'node_modules/content-disposition': { version: '3.0.0', engines: { node: '>=22' } },
      'node_modules/cookie': { version: '2.0.2', engines: { node: '>=22' } },
      'node_modules/fastify': { version: '5.8.0', engines: { node: '>=20' } },
      'node_modules/@esbuild/win32-x64': { version: '0.25.0', engines: { node: '>=22' } },
    },
  }
  const installed = (path: string) => !path.includes('@esbuild/win32')
  assert.deepEqual(unmetEngines(before, '^20.19.0', installed), [
    'content-disposition@3.0.0 wants node >=22',
    'cookie@2.0.2 wants node >=22',
  ])
  assert.deepEqual(unmetEngines(before, '^22.12.0', installed), [])
})
