// Worker thread of SearchThread: rebuilds the dictionary from the shared bytes once, then answers search jobs
// (candidate documents and scores) until terminated.
import { parentPort, workerData } from 'node:worker_threads'
import { SearchCore } from './search-core.js'
import { TEXT_SEPARATOR, type SearchJob, type SearchReply, type SharedSearch } from './search-thread.js'

const { shared, termCount } = workerData as { shared: SharedSearch; termCount: number }
const port = parentPort
if (!port) throw new Error('search-worker.js must run as a worker thread')

const { dictionary, popularityBoost, texts, ...arrays } = shared
// TextDecoder refuses views of shared memory, so texts are decoded from private copies.
const terms = termCount === 0 ? [] : new TextDecoder().decode(dictionary.slice()).split('\n')
const lines = new TextDecoder().decode(texts.slice()).split('\n')
const core = new SearchCore({ terms, ...arrays }, popularityBoost, (doc) => {
  const [name, ...artists] = lines[doc].split(TEXT_SEPARATOR)
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
