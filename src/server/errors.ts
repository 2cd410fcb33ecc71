import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod'
import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import { isSegueError, type ErrorCode } from '../core/errors.js'
import { scrubSecrets } from '../store/redact.js'

/**
 * Every error the server answers has one shape, `{ error: { code, message, path? } }`: from the routes' error
 * handler, from fastify's own refusals before routing (a URL that does not decode), and from node's HTTP parser
 * (a malformed request line, Content-Length beside Transfer-Encoding, headers over the size limit).
 */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; path?: string }
}

const STATUS: Partial<Record<ErrorCode, number>> = {
  E_NOT_FOUND: 404,
  E_BAD_ARGUMENT: 400,
  E_VALIDATION: 400,
  E_CONFLICT: 409,
  E_UNAUTHORIZED: 401,
  E_FORBIDDEN: 403,
  E_RATE_LIMITED: 429,
  E_TOO_LARGE: 413,
  E_EMPTY_CATALOGUE: 503,
  E_NOT_READY: 503,
  E_STORE: 503,
}

const body = (code: ErrorCode, message: string, path?: string): ErrorBody => ({ error: path === undefined ? { code, message } : { code, message, path } })

/** The routes' error handler: validation, segue's coded errors, fastify's refusals; anything else is a logged 500. */
export function errorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  if (hasZodFastifySchemaValidationErrors(err)) {
    const issue = err.validation[0]
    const path = [err.validationContext, ...issue.instancePath.split('/').filter((p) => p !== '')].join('.')
    return reply.code(400).send(body('E_VALIDATION', `${path}: ${issue.message}`, path))
  }
  if (isSegueError(err)) {
    const status = STATUS[err.code] ?? 500
    if (status >= 500) req.log.error(err)
    // Store messages are redacted where they are made; scrubbing again keeps any other URL out as well.
    return reply.code(status).send(body(err.code, scrubSecrets(err.message)))
  }
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return reply.code(413).send(body('E_TOO_LARGE', 'the request body is larger than accepted'))
  }
  if (err.statusCode === 429) {
    // @fastify/rate-limit throws what its errorResponseBuilder made, which is already an ErrorBody.
    const limited = (err as unknown as Partial<ErrorBody>).error
    return reply.code(429).send(body('E_RATE_LIMITED', limited?.message ?? 'too many requests; try again later'))
  }
  if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
    // Fastify's own refusals: malformed JSON, wrong content type, empty body with a JSON content type.
    return reply.code(err.statusCode).send(body('E_VALIDATION', err.message, 'body'))
  }
  req.log.error(err)
  return reply.code(500).send(body('E_INTERNAL', 'an unexpected error occurred; it has been logged'))
}

/** Fastify's refusals before a route runs (its `frameworkErrors` option). */
export function frameworkErrorHandler(err: FastifyError, _req: FastifyRequest, reply: FastifyReply) {
  reply.header('x-content-type-options', 'nosniff')
  if (err.code === 'FST_ERR_BAD_URL') {
    return reply.code(400).send(body('E_VALIDATION', 'the URL has a percent-escape that is not valid UTF-8', 'url'))
  }
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    return reply.code(400).send(body('E_VALIDATION', 'a part of the URL path is longer than any id', 'params'))
  }
  return reply.code(500).send(body('E_INTERNAL', 'an unexpected error occurred before routing'))
}

/** Node's HTTP parser errors, with the status node itself would give them. */
const PARSER_STATUS: Record<string, { status: number; code: ErrorCode; message: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, code: 'E_TOO_LARGE', message: 'the request headers are larger than accepted (16 KiB)' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, code: 'E_VALIDATION', message: 'the request did not arrive in time' },
}

/**
 * The server's `clientError` listener: a request node's parser refused never reaches fastify, so the answer is
 * written to the socket here, in the one error shape, and the connection is closed (the rest of the stream
 * cannot be trusted to frame a next request).
 */
export function clientErrorHandler(err: NodeJS.ErrnoException & { reason?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  const known = PARSER_STATUS[err.code ?? '']
  const reason = typeof err.reason === 'string' && /^[\x20-\x7e]{1,100}$/.test(err.reason) ? `: ${err.reason}` : ''
  const { status, code, message } = known ?? { status: 400, code: 'E_VALIDATION', message: `the request is not valid HTTP${reason}` }
  if (socket.writable) socket.write(rawResponse(status, body(code, message, known ? undefined : 'request')))
  socket.destroy()
}

function rawResponse(status: number, payload: ErrorBody): string {
  const json = JSON.stringify(payload)
  return [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(json)}`,
    'X-Content-Type-Options: nosniff',
    'Cache-Control: no-store',
    'Connection: close',
    '',
    json,
  ].join('\r\n')
}
