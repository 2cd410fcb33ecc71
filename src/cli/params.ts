import { InvalidArgumentError } from 'commander'

export type ParamValue = number | string | boolean

/** Commander collector for repeatable `--param key=value` options. */
export function collectParam(value: string, previous: string[] = []): string[] {
  if (!/^[A-Za-z][\w.-]*=.+$/.test(value)) throw new InvalidArgumentError(`expected key=value, got '${value}'`)
  return [...previous, value]
}

/** A typed value from text: numbers and booleans as such, anything else a string. */
export function parseValue(text: string): ParamValue {
  if (text === 'true' || text === 'false') return text === 'true'
  const n = Number(text)
  return text.trim() !== '' && Number.isFinite(n) ? n : text
}

/** key=value pairs to an object of single values. */
export function parseParams(pairs: readonly string[] = []): Record<string, ParamValue> {
  return Object.fromEntries(pairs.map((p) => splitPair(p)).map(([k, v]) => [k, parseValue(v)]))
}

/** key=a,b,c pairs to a search space of candidate values per key. */
export function parseSpace(pairs: readonly string[] = []): Record<string, ParamValue[]> {
  return Object.fromEntries(pairs.map((p) => splitPair(p)).map(([k, v]) => [k, v.split(',').map(parseValue)]))
}

function splitPair(pair: string): [string, string] {
  const at = pair.indexOf('=')
  return [pair.slice(0, at), pair.slice(at + 1)]
}
