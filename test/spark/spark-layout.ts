import { DuckDBInstance } from '@duckdb/node-api'
import { randomUUID } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * Writes factors in exactly the layout Spark MLlib's ALSModel.save(path) produces (ALSModelWriter.saveImpl):
 * metadata/part-00000 (one line of JSON from DefaultParamsWriter, with "rank") and metadata/_SUCCESS;
 * userFactors/ and itemFactors/ as Spark's Parquet writer leaves them: part-NNNNN-<uuid>-c000.snappy.parquet
 * files (id INT, features ARRAY<FLOAT>), their hidden .crc checksums and _SUCCESS. Rows are shuffled and spread
 * over `parts` files, as Spark's partitions leave them, so only the ids tie a row to its user or item.
 */
export async function writeSparkAlsModel(
  dir: string,
  m: { rank: number; userFactors: Float32Array; itemFactors: Float32Array; parts?: number; seed?: number; metadata?: Record<string, unknown> },
): Promise<void> {
  mkdirSync(join(dir, 'metadata'), { recursive: true })
  const meta = m.metadata ?? sparkMetadata(m.rank)
  writeFileSync(join(dir, 'metadata', 'part-00000'), JSON.stringify(meta) + '\n')
  writeFileSync(join(dir, 'metadata', '_SUCCESS'), '')
  const instance = await DuckDBInstance.create(':memory:')
  const c = await instance.connect()
  try {
    for (const [name, f] of [['userFactors', m.userFactors], ['itemFactors', m.itemFactors]] as const) {
      await writeFactorDir(c, join(dir, name), f, m.rank, m.parts ?? 3, m.seed ?? 1)
    }
  } finally {
    c.closeSync()
    instance.closeSync()
  }
}

export function sparkMetadata(rank: number): Record<string, unknown> {
  return {
    class: 'org.apache.spark.ml.recommendation.ALSModel',
    timestamp: 1764730000000,
    sparkVersion: '3.5.3',
    uid: 'ALS_5f3c0e2a9b1d',
    paramMap: { itemCol: 'item', userCol: 'user', predictionCol: 'prediction', coldStartStrategy: 'drop', blockSize: 4096 },
    defaultParamMap: { itemCol: 'item', userCol: 'user', predictionCol: 'prediction', coldStartStrategy: 'nan', blockSize: 4096 },
    rank,
  }
}

type Connection = Awaited<ReturnType<DuckDBInstance['connect']>>

async function writeFactorDir(c: Connection, dir: string, f: Float32Array, rank: number, parts: number, seed: number): Promise<void> {
  mkdirSync(dir, { recursive: true })
  const n = f.length / rank
  // One row per id with its features as list text, cast by DuckDB: a float32 printed by JS parses back exactly.
  await c.run('CREATE OR REPLACE TABLE staged(id INTEGER NOT NULL, features VARCHAR NOT NULL, part INTEGER NOT NULL, pos INTEGER NOT NULL)')
  const a = await c.createAppender('staged')
  shuffled(n, seed).forEach((id, pos) => {
    a.appendInteger(id)
    a.appendVarchar(`[${Array.from(f.subarray(id * rank, (id + 1) * rank)).join(',')}]`)
    a.appendInteger(pos % parts)
    a.appendInteger(pos)
    a.endRow()
  })
  a.closeSync()
  const job = randomUUID()
  for (let p = 0; p < parts; p++) {
    const name = `part-${String(p).padStart(5, '0')}-${job}-c000.snappy.parquet`
    const select = `SELECT id, CAST(features AS FLOAT[]) AS features FROM staged WHERE part = ${p} ORDER BY pos`
    await c.run(`COPY (${select}) TO '${join(dir, name)}' (FORMAT parquet, COMPRESSION snappy)`)
    writeFileSync(join(dir, `.${name}.crc`), 'crc\0not parquet')
  }
  writeFileSync(join(dir, '_SUCCESS'), '')
  writeFileSync(join(dir, '._SUCCESS.crc'), 'crc')
}

/** 0..n-1 in a seeded random order (Fisher-Yates over a small LCG). */
function shuffled(n: number, seed: number): number[] {
  const out = Array.from({ length: n }, (_, i) => i)
  let s = seed >>> 0 || 1
  for (let i = n - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    const j = s % (i + 1)
    ;[out[i], out[j]] = [out[j], out[i]]
  }
  return out
}
