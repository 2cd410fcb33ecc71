import type { Command } from 'commander'
import { readFileSync } from 'node:fs'
import { SegueError, isSegueError } from '../core/errors.js'
import type { PostgresStore } from '../store/postgres.js'
import type { ModelVersion, ServerSeen } from '../rollout/versions.js'
import type { Globals, Print } from './shared.js'

interface StoreOption { store?: string }

/**
 * `segue models list | publish <file> | rollback <name>`: versioned model artifacts in PostgreSQL, which every
 * server follows (src/rollout). Publishing or rolling back is one command; servers swap within seconds.
 */
export function registerModelsCommand(program: Command, globals: () => Globals, print: Print): void {
  const models = program.command('models').description('published model versions every server follows (needs --store postgres://...)')
  const storeOption = ['--store <url>', 'the PostgreSQL database the servers share (env SEGUE_STORE)', process.env.SEGUE_STORE] as const

  models.command('list').description('every published version, the active one marked, and which version each server serves')
    .option(...storeOption)
    .action((o: StoreOption) => withPool(o, async (store) => {
      const { listModelVersions, serversSeen } = await import('../rollout/versions.js')
      const { SERVER_SEEN_WITHIN_S } = await import('../rollout/watcher.js')
      const [versions, servers] = await Promise.all([listModelVersions(store.pool), serversSeen(store.pool, SERVER_SEEN_WITHIN_S)])
      print(globals(), { versions, servers }, () => formatList(versions, servers))
    }))

  models.command('publish <file>').description('publish a trained model artifact (segue train writes them under <home>/models) as the next version')
    .option(...storeOption)
    .option('--name <name>', "the model name servers follow (default: the artifact's model, e.g. als)")
    .action((file: string, o: StoreOption & { name?: string }) => withPool(o, async (store) => {
      const [{ describeTrained }, { publishModel }] = await Promise.all([import('../rollout/artifact.js'), import('../rollout/versions.js')])
      const bytes = readArtifact(file)
      // Damaged files and other kinds of artifact are refused here, before any server sees them.
      const info = describeTrained(bytes, file)
      const name = o.name ?? info.model
      const version = await publishModel(store.pool, name, bytes, { ...info, file })
      print(globals(), { name, version, model: info.model, params: info.params }, () => `published ${name} v${version} (${info.model} ${JSON.stringify(info.params)}, ${bytes.length} bytes); servers following ${name} swap to it`)
    }))

  models.command('rollback <name>').description('make the version before the active one active again; every server swaps back')
    .option(...storeOption)
    .action((name: string, o: StoreOption) => withPool(o, async (store) => {
      const { rollbackModel } = await import('../rollout/versions.js')
      const version = await rollbackModel(store.pool, name)
      print(globals(), { name, version }, () => `rolled ${name} back to v${version}; servers following ${name} swap to it`)
    }))
}

/** Connects to the shared database for one command; SQLite is refused, since only PostgreSQL can tell the servers. */
async function withPool(o: StoreOption, work: (store: PostgresStore) => Promise<void>): Promise<void> {
  const { isPostgresUrl } = await import('../store/open.js')
  if (!o.store || !isPostgresUrl(o.store)) {
    throw new SegueError('E_BAD_ARGUMENT', `model rollout needs --store postgres://... (the database the servers share)${o.store ? `; '${o.store}' is a SQLite file, whose server serves the model it fits itself` : ''}`)
  }
  const { PostgresStore } = await import('../store/postgres.js')
  const store = await PostgresStore.connect(o.store)
  try {
    await work(store)
  } catch (err) {
    if (isSegueError(err)) throw err
    throw new SegueError('E_STORE', `model rollout on ${store.location} failed: ${(err as Error).message}`)
  } finally {
    await store.close()
  }
}

function readArtifact(file: string): Buffer {
  try {
    return readFileSync(file)
  } catch (err) {
    throw new SegueError('E_INPUT_FILE', `${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`, { location: { file } })
  }
}

function formatList(versions: ModelVersion[], servers: ServerSeen[]): string {
  if (versions.length === 0) return 'no model versions published yet (segue models publish <file>)'
  const lines = versions.map((v) => {
    const mark = v.active ? '*' : ' '
    const model = typeof v.meta.model === 'string' ? v.meta.model : '?'
    return `${mark} ${v.name} v${v.version}  ${v.createdAt}  ${model}  ${(v.size / 1e6).toFixed(2)} MB  sha256 ${v.sha256.slice(0, 12)}  by ${v.publishedBy}`
  })
  const seen = servers.map((s) => `  ${s.serverId}  ${s.name} ${s.version === null ? 'start-up model' : `v${s.version}`}  seen ${s.seenAt}${s.error ? `  refused: ${s.error}` : ''}`)
  return [...lines, '(* active)', '', servers.length ? 'servers:' : 'no server is following these models right now', ...seen].join('\n')
}
