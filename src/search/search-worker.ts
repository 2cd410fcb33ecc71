// Worker thread of SearchThread: rebuilds the dictionary from the shared bytes once, then answers search jobs
// (candidate documents and scores) until terminated.
import { parentPort, workerData } from 'node:worker_threads'
import { SearchCore } from './search-core.js'
import { TEXT_SEPARATOR, type SearchJob, type SearchReply, type SharedSearch } from './search-thread.js'

const { shared, termCount } = workerData as { shared: SharedSearch; termCount: number }
const port = parentPort
if (!port) throw new Error('search-worker.js must run as a worker thread')

const { dictionary, popularityBoost, texts, ...arrays } = shared
// Buffer (unlike TextDecoder) reads shared memory as it lies, without a private copy.
const asBuffer = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength)
const terms = termCount === 0 ? [] : asBuffer(dictionary).toString('utf8').split('\n')
// Only a search's re-ranked candidates (a few dozen) need their texts: each line is decoded when asked for,
// from where it starts, rather than all 90k lines on start.
const lines = asBuffer(texts)
const lineStarts: number[] = [0]
for (let at = lines.indexOf(10); at >= 0; at = lines.indexOf(10, at + 1)) lineStarts.push(at + 1)
lineStarts.push(lines.length + 1)
const core = new SearchCore({ terms, ...arrays }, popularityBoost, (doc) => {
  const [name, ...artists] = lines.toString('utf8', lineStarts[doc], lineStarts[doc + 1] - 1).split(TEXT_SEPARATOR)
  return { name, artists }
})
port.postMessage('ready')

port.on('message', (job: SearchJob) => {
  let reply: SearchReply
  try {
    const found = core.search(job.words, job.limit)
    reply = { id: job.id, docs: Int32Array.from(found, (c) => c.doc), scores: Float64Array.from(found, (c) => c.score) }
  } catch (err) {
    reply = { id: job.id, error: err instanceof Error ? err.message : String(err) }
  }
  port.postMessage(reply)
})
