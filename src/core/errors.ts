/**
 * Every error segue raises, in one catalogue. Each has a stable code so that shells (CLI, HTTP) can
 * map it to an exit status or a response without parsing messages.
 */
export const ERROR_CODES = {
  E_INPUT_FILE: 'A file could not be opened or read',
  E_INPUT_FORMAT: 'A file does not have a layout segue knows',
  E_INPUT_ROW: 'A row of an input file is malformed',
  E_INPUT_TOO_MANY_BAD_ROWS: 'Too many rows of an input file were malformed',
  E_NOT_FOUND: 'A track, user or other record does not exist',
  E_BAD_ARGUMENT: 'An argument has a value outside what is accepted',
  E_ARTIFACT_CORRUPT: 'A saved artifact failed its checksum or could not be decoded',
  E_ARTIFACT_VERSION: 'A saved artifact was written by an incompatible version',
  E_STORE: 'The store failed to read or write',
  E_EMPTY_CATALOGUE: 'There is no catalogue yet',
  E_INTERRUPTED: 'Work was interrupted before it finished',
  E_WASM_UNAVAILABLE: 'The WebAssembly kernels could not be loaded',
  E_CONFLICT: 'A record with this id already exists',
  E_VALIDATION: 'A request does not match its schema',
  E_UNAUTHORIZED: 'A request lacks a valid access token',
  E_FORBIDDEN: 'A token does not grant access to this record',
  E_RATE_LIMITED: 'Too many requests in a short time',
  E_TOO_LARGE: 'A request body is larger than accepted',
  E_NOT_READY: 'The server is still starting',
  E_INTERNAL: 'An unexpected failure inside segue',
} as const

export type ErrorCode = keyof typeof ERROR_CODES

/** Where in an input file a problem was found. Lines are 1-based and count the header. */
export interface InputLocation {
  file: string
  line?: number
  column?: string
  value?: string
}

export class SegueError extends Error {
  readonly code: ErrorCode
  readonly location?: InputLocation

  constructor(code: ErrorCode, message: string, options: { location?: InputLocation; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'SegueError'
    this.code = code
    this.location = options.location
  }
}

/** "file:line column 'name' value 'x'": the prefix every input error message starts with. */
export function describeLocation(loc: InputLocation): string {
  let s = loc.file
  if (loc.line !== undefined) s += `:${loc.line}`
  if (loc.column !== undefined) s += ` column '${loc.column}'`
  if (loc.value !== undefined) s += ` value '${truncate(loc.value, 60)}'`
  return s
}

export function inputError(code: ErrorCode, loc: InputLocation, reason: string): SegueError {
  return new SegueError(code, `${describeLocation(loc)}: ${reason}`, { location: loc })
}

export function isSegueError(err: unknown): err is SegueError {
  return err instanceof SegueError
}

export function assertUnreachable(x: never): never {
  throw new Error(`unreachable: ${String(x)}`)
}

function truncate(s: string, max: number): string {
  return s.length <= max ? s : s.slice(0, max - 1) + '…'
}
