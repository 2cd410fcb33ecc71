import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { SegueService, type ServiceOptions } from '../../src/service/service.js'

/** A service over the bundled real data (114k catalogue, HetRec Last.fm 2K) in a fresh home. */
export async function startBundledService(opts: ServiceOptions = {}): Promise<SegueService> {
  return SegueService.start({ home: mkdtempSync(join(tmpdir(), 'segue-service-')), ...opts })
}

export interface Answer {
  status: number
  /** Parsed JSON; routes answer many shapes, so tests check it field by field. */
  body: any
  headers: Record<string, unknown>
}

/** A small client over `app.inject()`: no socket. */
export function client(app: FastifyInstance) {
  const call = async (method: 'GET' | 'POST' | 'DELETE', url: string, opts: { body?: unknown; token?: string; raw?: string; headers?: Record<string, string> } = {}): Promise<Answer> => {
    const headers: Record<string, string> = { ...opts.headers }
    if (opts.token) headers.authorization = `Bearer ${opts.token}`
    if (opts.body !== undefined || opts.raw !== undefined) headers['content-type'] ??= 'application/json'
    const res = await app.inject({ method, url, headers, payload: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)) })
    return { status: res.statusCode, body: res.body === '' ? null : JSON.parse(res.body), headers: res.headers }
  }
  return {
    get: (url: string, token?: string) => call('GET', url, { token }),
    post: (url: string, body?: unknown, token?: string) => call('POST', url, { body, token }),
    postRaw: (url: string, raw: string, headers?: Record<string, string>) => call('POST', url, { raw, headers }),
    del: (url: string, token?: string) => call('DELETE', url, { token }),
    /** A new listener: its id and token. */
    async listener(name?: string): Promise<{ id: string; token: string }> {
      const r = await call('POST', '/api/listeners', { body: name === undefined ? {} : { name } })
      if (r.status !== 201) throw new Error(`creating a listener failed: ${r.status} ${JSON.stringify(r.body)}`)
      return { id: r.body.listener.id, token: r.body.token }
    },
  }
}
