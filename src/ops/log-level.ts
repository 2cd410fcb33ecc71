import { SegueError } from '../core/errors.js'

/** pino's levels, plus "silent". Kept apart from logging.ts so the CLI can check a level without loading fastify. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

/** A level from --log-level or SEGUE_LOG_LEVEL; E_BAD_ARGUMENT naming the accepted ones otherwise. */
export function parseLogLevel(value: string): LogLevel {
  const level = value.trim().toLowerCase()
  if ((LOG_LEVELS as readonly string[]).includes(level)) return level as LogLevel
  throw new SegueError('E_BAD_ARGUMENT', `unknown log level '${value}': use one of ${LOG_LEVELS.join(', ')}`)
}
