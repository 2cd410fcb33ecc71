import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The package root: the nearest folder above this file holding package.json. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir)
    if (up === dir) throw new Error('segue: cannot find package root')
    dir = up
  }
  return dir
}

/** The shared real datasets (../shared/data beside the checkout), or SEGUE_SHARED_DATA. */
export function sharedDataDir(): string {
  return process.env.SEGUE_SHARED_DATA ?? resolve(packageRoot(), '..', 'shared', 'data')
}

export function bundledDataDir(): string {
  return join(packageRoot(), 'data')
}

/** The catalogue bundled with segue: the Spotify 114k tracks dataset (see data/NOTICE.md). */
export function bundledCatalogue(): string {
  return join(bundledDataDir(), 'spotify-tracks-114k', 'dataset.csv.gz')
}
