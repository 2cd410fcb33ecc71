import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { EvaluationResult } from '../../src/eval/evaluate.js'
import { formatTable, writeReportJson } from '../../src/eval/report.js'

const result = (model: string, metrics: EvaluationResult['overall']['metrics']): EvaluationResult => ({
  model,
  k: 10,
  overall: { users: 3, metrics },
  fit: { seconds: 0, iterations: 1 },
  seconds: 0.5,
})

const results = [result('popularity', { ndcg: 0.25, rmse: undefined }), result('als-long-name', { ndcg: 0.5, rmse: 0.91234 })]

test('the table has models as rows, metrics as columns, fixed decimals and dashes for gaps', () => {
  const expected = [
    'model           k  users    ndcg    rmse',
    '-------------  --  -----  ------  ------',
    'popularity     10      3  0.2500       -',
    'als-long-name  10      3  0.5000  0.9123',
  ]
  assert.equal(formatTable(results), expected.join('\n') + '\n')
  assert.match(formatTable(results, { metrics: ['rmse'], decimals: 2 }), /als-long-name  10      3  0.91\n$/)
  assert.match(formatTable(results, { segment: 'cold' }), /popularity     10      -/)
})

test('JSON is written atomically, NaN becoming null', () => {
  const dir = mkdtempSync(join(tmpdir(), 'segue-report-'))
  try {
    const path = join(dir, 'out', 'report.json')
    writeReportJson(path, [result('x', { auc: NaN, mrr: 0.5 })])
    const parsed = JSON.parse(readFileSync(path, 'utf8'))
    assert.deepEqual(parsed.results[0].overall.metrics, { auc: null, mrr: 0.5 })
    assert.deepEqual(readdirSync(join(dir, 'out')), ['report.json']) // no temp file left behind
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
