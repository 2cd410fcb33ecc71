import type { FastifyReply, FastifyRequest } from 'fastify'
import { isSegueError, type ErrorCode } from '../core/errors.js'
import type { SegueService } from '../service/service.js'
import type { ListenerRecord } from '../store/store.js'
import { addressKey, rateLimited } from './limits.js'
import { LocalRateCounter, type RateCounter } from './limits-shared.js'

/** The answers that mean a request did not prove it is the listener: these count against its address. */
const AUTH_FAILURES = new Set<ErrorCode>(['E_UNAUTHORIZED', 'E_FORBIDDEN', 'E_NOT_FOUND'])

export type ListenerRequest = FastifyRequest<{ Params: { id: string } }>

/**
 * The preHandler of listener routes: checks the bearer token against the listener in the path and keeps the
 * record in `into` for the handler. Failed attempts are counted per client address; past `maxFailures` in a
 * window the address gets 429 before any token is looked at, so tokens and ids cannot be guessed in bulk.
 */
export function authenticator(
  service: SegueService,
  limits: { authFailures: number; windowMs: number },
  into: WeakMap<FastifyRequest, ListenerRecord>,
  failures: RateCounter = new LocalRateCounter(limits.windowMs),
): (req: ListenerRequest, reply: FastifyReply) => Promise<void> {
  return async (req, reply) => {
    const address = addressKey(req.ip)
    const seen = await failures.count(address)
    if (seen.count >= limits.authFailures) {
      reply.header('retry-after', seen.secondsLeft)
      throw rateLimited('failed authentications from this address', limits.authFailures, limits.windowMs)
    }
    try {
      into.set(req, await service.authenticate(req.params.id, bearer(req)))
    } catch (err) {
      if (isSegueError(err) && AUTH_FAILURES.has(err.code)) await failures.hit(address)
      throw err
    }
  }
}

/**
 * `auth`, then one write counted for the listener it let in; past `writes` in a window, 429. Only authenticated
 * listeners have a budget: a request that fails authentication never reaches one (it counts against its address
 * instead), so nobody can use up or reset a listener's budget without their token.
 */
export function withWriteLimit(
  auth: (req: ListenerRequest, reply: FastifyReply) => Promise<void>,
  limits: { writes: number; windowMs: number },
  authenticated: WeakMap<FastifyRequest, ListenerRecord>,
  writes: RateCounter = new LocalRateCounter(limits.windowMs),
): (req: ListenerRequest, reply: FastifyReply) => Promise<void> {
  return async (req, reply) => {
    await auth(req, reply)
    const counted = await writes.hit(authenticated.get(req)!.id)
    if (counted.count > limits.writes) {
      reply.header('retry-after', counted.secondsLeft)
      throw rateLimited('writes for this listener', limits.writes, limits.windowMs)
    }
  }
}

/** The token of an `Authorization: Bearer <token>` header. */
export function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization
  const m = h ? /^Bearer\s+(\S+)$/i.exec(h) : null
  return m?.[1]
}
