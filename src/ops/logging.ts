import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { LogController, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify'
import { destination, type DestinationStream, type LoggerOptions } from 'pino'
import { scrubSecrets } from '../store/redact.js'
import { parseLogLevel } from './log-level.js'

/** The header a request id arrives in (from a proxy such as haproxy) and is returned in. */
export const REQUEST_ID_HEADER = 'x-request-id'

/**
 * An incoming id is kept when it is short and plain (a UUID, haproxy's unique-id, a trace id); anything else
 * is replaced, so a client cannot put newlines, markup or a megabyte into every log line of its request.
 */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/

/** The server's logging: off (tests), or pino JSON lines at a level, to stdout unless a stream is given. */
export type LogSetting = boolean | { level: string; stream?: DestinationStream }

/** Query parameters whose values never reach a log line. */
const SECRET_PARAMS = /^(token|access_token|password|secret|key|api_key)$/i

/** The request id to use: the incoming x-request-id when it is sane, else a new UUID. */
export function requestId(req: IncomingMessage): string {
  const given = req.headers[REQUEST_ID_HEADER]
  return typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : randomUUID()
}

/** A URL for a log line: secret-looking query values become ***, and no connection string survives. */
export function loggableUrl(url: string): string {
  const q = url.indexOf('?')
  if (q < 0) return scrubSecrets(url)
  const params = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=')
      const key = eq < 0 ? pair : pair.slice(0, eq)
      return eq >= 0 && SECRET_PARAMS.test(safeDecode(key)) ? `${key}=***` : pair
    })
  return scrubSecrets(`${url.slice(0, q)}?${params.join('&')}`)
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

/**
 * pino settings: the request is logged as method, URL (scrubbed) and address only, never its headers, so a
 * bearer token cannot reach a log line; errors lose any connection string; headers are redacted as well in
 * case a later serializer adds them.
 */
function pinoOptions(level: string): LoggerOptions {
  return {
    level: parseLogLevel(level),
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization'], censor: '***' },
    serializers: {
      req: (req: { method: string; url: string; ip?: string; socket?: { remoteAddress?: string } }) => ({
        method: req.method,
        url: loggableUrl(req.url),
        remoteAddress: req.ip ?? req.socket?.remoteAddress,
      }),
      err: (err: Error & { code?: string }) => ({
        type: err.name,
        code: err.code,
        message: scrubSecrets(err.message),
        stack: err.stack === undefined ? undefined : scrubSecrets(err.stack),
      }),
    },
  }
}

/** The fastify options that set up logging and request ids for `setting`. */
export function loggingOptions(setting: LogSetting = false): Pick<FastifyServerOptions, 'logger' | 'genReqId' | 'logController'> {
  const logger = setting === false ? false : setting === true
    ? { ...pinoOptions('info'), stream: stdoutLog() }
    : { ...pinoOptions(setting.level), stream: setting.stream ?? stdoutLog() }
  return { logger: logger as FastifyServerOptions['logger'], genReqId: requestId, logController: new OneLinePerRequest({ requestIdLogLabel: 'requestId' }) }
}

let stdoutStream: ReturnType<typeof destination> | undefined

/**
 * Log lines to stdout without blocking the request thread: pino's default destination writes each line with a
 * synchronous write(2), about a fifth of a similar-tracks request's CPU under load. Asynchronous writes join
 * the lines that arrive while one write is in flight, so a busy server writes in batches and an idle one
 * still writes each line at once. What is still queued when the process exits is written synchronously then
 * (a SIGKILL can lose the last lines, as with any buffered log). One stream for the process, shared by every app.
 */
function stdoutLog(): DestinationStream {
  if (stdoutStream) return stdoutStream
  const stream = destination({ dest: 1, sync: false })
  process.once('exit', () => stream.flushSync())
  stdoutStream = stream
  return stream
}

/**
 * Fastify's request logging in one info line per request instead of two: "request completed" carries the request
 * (method, scrubbed URL, address) beside the status and time, so the arrival line is only written at debug (where
 * a request that never completes can be found). Two pino lines were about 6% of a cached request's CPU.
 */
class OneLinePerRequest extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    if (!this.isLogDisabled(request)) request.log.debug({ req: request }, 'incoming request')
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return
    if (error) reply.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored')
    else reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed')
  }
}
