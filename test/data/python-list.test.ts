import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parsePythonList, PythonListError } from '../../src/data/python-list.js'

test('parses single- and double-quoted strings with escapes', () => {
  assert.deepEqual(parsePythonList("['Guns N\\' Roses']"), ["Guns N' Roses"])
  assert.deepEqual(parsePythonList('["Sinead O\'Connor"]'), ["Sinead O'Connor"])
  assert.deepEqual(parsePythonList("['A', 'B']"), ['A', 'B'])
  assert.deepEqual(parsePythonList("['back\\\\slash', 'say \\\"hi\\\"']"), ['back\\slash', 'say "hi"'])
  assert.deepEqual(parsePythonList("['caf\\xe9', '\\u00e9t\\u00e9', 'tab\\there']"), ['café', 'été', 'tab\there'])
})

test('keeps commas and brackets inside strings, and unknown escapes as written', () => {
  assert.deepEqual(parsePythonList("['Earth, Wind & Fire', '[bracketed]']"), ['Earth, Wind & Fire', '[bracketed]'])
  assert.deepEqual(parsePythonList("['a\\d']"), ['a\\d'])
})

test('accepts empty lists, surrounding blanks and a trailing comma', () => {
  assert.deepEqual(parsePythonList('[]'), [])
  assert.deepEqual(parsePythonList('  [ ]  '), [])
  assert.deepEqual(parsePythonList("[ 'x' , ]"), ['x'])
})

test('rejects malformed literals with a position', () => {
  const bad = ["['Unclosed]", "['a' 'b']", "'a'", "[None]", "['a']x", "['a',,]", "['\\x4']", '']
  assert.throws(() => parsePythonList("['a' 'b']"), /: expected '\]' at character 6 \('''\)$/)
  for (const text of bad) assert.throws(() => parsePythonList(text), PythonListError, text)
  assert.throws(() => parsePythonList("['Unclosed]"), /: unterminated string at the end$/)
})
