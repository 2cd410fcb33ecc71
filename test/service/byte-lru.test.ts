import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ByteLru, stringBytes } from '../../src/service/byte-lru.js'

test('ByteLru drops the least recently used entries once their sizes pass the budget', () => {
  const lru = new ByteLru<string, number>(100)
  lru.set('a', 1, 40)
  lru.set('b', 2, 40)
  assert.equal(lru.get('a'), 1) // a is now the most recently used
  lru.set('c', 3, 40) // 120 > 100: b, the oldest, goes
  assert.deepEqual([lru.peek('a'), lru.peek('b'), lru.peek('c')], [1, undefined, 3])
  assert.equal(lru.bytes, 80)
  assert.equal(lru.size, 2)
  lru.set('d', 4, 70) // a and c must both go for 70 to fit
  assert.deepEqual([lru.peek('a'), lru.peek('c'), lru.peek('d')], [undefined, undefined, 4])
  assert.equal(lru.bytes, 70)
})

test('ByteLru: replacing an entry counts its new size only; peek leaves the order; one larger than the budget is not kept', () => {
  const lru = new ByteLru<string, string>(100)
  lru.set('a', 'x', 30)
  lru.set('b', 'y', 30)
  lru.set('a', 'x2', 60)
  assert.equal(lru.bytes, 90)
  assert.equal(lru.peek('b'), 'y') // b stays the oldest
  lru.set('c', 'z', 20)
  assert.deepEqual([lru.peek('a'), lru.peek('b'), lru.peek('c')], ['x2', undefined, 'z'])
  lru.set('c', 'huge', 101)
  assert.equal(lru.peek('c'), undefined, 'an entry over the whole budget is dropped, not kept with its old value')
  assert.equal(lru.bytes, 60)
  assert.equal(lru.delete('a'), true)
  assert.equal(lru.bytes, 0)
  lru.set('d', 'w', 10)
  lru.clear()
  assert.equal(lru.size + lru.bytes, 0)
})

test('ByteLru refuses a budget or size that is not a number of bytes', () => {
  assert.throws(() => new ByteLru(0), /budget/)
  assert.throws(() => new ByteLru(Number.NaN), /budget/)
  const lru = new ByteLru<string, number>(10)
  assert.throws(() => lru.set('a', 1, -1), /size/)
  assert.throws(() => lru.set('a', 1, Number.NaN), /size/)
})

test('stringBytes counts one byte a character for Latin-1 text and two otherwise', () => {
  assert.equal(stringBytes('abcd'), 16 + 4)
  assert.equal(stringBytes('Beyoncé'), 16 + 7)
  assert.equal(stringBytes('Sigur Rós — Hoppípolla'), 16 + 2 * 22)
})
