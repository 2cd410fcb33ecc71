import type { FastifyInstance } from 'fastify'
import { createApp, type AppOptions } from './app.js'
import type { SegueService } from '../service/service.js'

export interface ListenOptions extends AppOptions {
  /** Default 8737; 0 picks a free port. */
  port?: number
  /** Default 127.0.0.1: the app is for this machine unless asked otherwise. */
  host?: string
}

/** Serves the API and web app on a socket; resolves with the app and its address once listening. */
export async function listen(service: SegueService, opts: ListenOptions = {}): Promise<{ app: FastifyInstance; url: string }> {
  const app = await createApp(service, opts)
  const address = await app.listen({ port: opts.port ?? 8737, host: opts.host ?? '127.0.0.1' })
  return { app, url: address }
}
