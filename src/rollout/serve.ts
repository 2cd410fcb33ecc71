import type { SegueService } from '../service/service.js'
import { PostgresStore } from '../store/postgres.js'
import { ModelWatcher } from './watcher.js'

/**
 * Follows published model versions when the server can: its store is PostgreSQL (the versions and the
 * notifications live there) and it has listening data for a collaborative model. Otherwise null, and the server serves
 * the model it started with, as before. SEGUE_SERVER_ID names the server in GET /api/models.
 */
export async function startRollout(service: SegueService, log: (m: string) => void): Promise<ModelWatcher | null> {
  if (!(service.store instanceof PostgresStore) || !(service.collaborativeTarget ?? service.collaborative)) return null
  const w = await ModelWatcher.start(service, service.store.pool, { serverId: process.env.SEGUE_SERVER_ID || undefined, log })
  const s = w.current
  log(`model rollout: following ${s.name} as ${w.serverId}; serving ${s.version === null ? 'the model loaded at start (none published yet)' : `v${s.version}`}`)
  return w
}
