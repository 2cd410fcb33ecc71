import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { trainedEmbeddingModels } from '../deep/embeddings.js'
import { SegueError } from '../core/errors.js'
import { SERVER_SEEN_WITHIN_S, watcherOf, type ModelWatcher } from '../rollout/watcher.js'
import { activeVersions, serversSeen } from '../rollout/versions.js'
import type { SegueService } from '../service/service.js'
import { Responses } from './schemas.js'

const Served = z.object({
  name: z.string().describe('The model name versions are published under'),
  version: z.number().nullable().describe('The published version this server serves; null: the model it fitted or loaded at start'),
  loadedAt: z.string().describe('When that version was swapped in'),
  error: z.string().nullable().describe('Why the last version heard of was refused (damaged, other listening data); the server kept the one it had'),
  active: z.number().nullable().describe('The version published as active in the store; equal to version once this server has caught up'),
})
const ServerRow = z.object({
  serverId: z.string(),
  name: z.string(),
  version: z.number().nullable(),
  loadedAt: z.string().nullable(),
  seenAt: z.string().describe(`Its last heartbeat; servers silent for ${SERVER_SEEN_WITHIN_S} s are left out`),
  error: z.string().nullable(),
})
const Rollout = z.object({
  serverId: z.string().describe("This server's id"),
  models: z.array(Served),
  servers: z.array(ServerRow).describe('Every server on this database and the version each serves (heartbeats in model_servers)'),
}).nullable().describe('Model versions published through PostgreSQL (segue models publish); null when this server does not follow them (SQLite store, no collaborative model)')

const ModelsResponse = Responses.models.extend({ rollout: Rollout })

/** GET /api/models: the recommenders this server offers, and which published model version it and its peers serve. */
export function registerModelRoutes(app: FastifyInstance, service: SegueService): void {
  app.withTypeProvider<ZodTypeProvider>().get('/api/models', {
    schema: { summary: 'The recommendation models this server offers, and the model version each server serves', response: { 200: ModelsResponse } },
  }, async () => {
    const watcher = watcherOf(service)
    return {
      ...service.models(),
      similar: await trainedEmbeddingModels(service.engine),
      rollout: watcher ? await rolloutState(watcher) : null,
    }
  })
}

async function rolloutState(w: ModelWatcher): Promise<z.infer<typeof Rollout>> {
  const pool = w.pool
  try {
    const [active, servers] = await Promise.all([activeVersions(pool), serversSeen(pool, SERVER_SEEN_WITHIN_S)])
    const s = w.current
    return { serverId: w.serverId, models: [{ ...s, active: active.get(s.name) ?? null }], servers }
  } catch (err) {
    throw new SegueError('E_STORE', `reading the model versions failed: ${(err as Error).message}`)
  }
}
