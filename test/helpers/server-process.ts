import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { repoRoot } from './paths.js'

export interface ServerProcess {
  url: string
  child: ChildProcess
  /** Everything the server wrote to stderr so far, for failure messages. */
  stderr(): string
  /** SIGTERM and wait for the exit (SIGKILL after 10 s). */
  stop(): Promise<void>
}

/**
 * Starts `segue serve` as a child process on a free port and resolves once it prints its address. Rejects,
 * with the server's stderr, when it exits or takes longer than `timeoutMs`.
 */
export function startServer(home: string, serveArgs: readonly string[] = [], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<ServerProcess> {
  const cli = join(repoRoot, 'dist', 'src', 'cli', 'main.js')
  const child = spawn(process.execPath, [cli, '--no-progress', '--home', home, 'serve', '--port', '0', ...serveArgs], {
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let err = ''
  child.stderr!.setEncoding('utf8')
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`the server did not start within ${opts.timeoutMs ?? 180_000} ms:\n${err}`))
    }, opts.timeoutMs ?? 180_000)
    const onExit = (code: number | null, signal: string | null) => {
      clearTimeout(timer)
      reject(new Error(`the server exited (${code ?? signal}) before it was ready:\n${err}`))
    }
    child.once('exit', onExit)
    child.stderr!.on('data', (chunk: string) => {
      err += chunk
      const m = /ready in [\d.]+ s: open (http:\/\/\S+)/.exec(err)
      if (!m) return
      clearTimeout(timer)
      child.off('exit', onExit)
      resolve({
        url: m[1],
        child,
        stderr: () => err,
        stop: () => stopChild(child),
      })
    })
  })
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000)
    child.once('exit', () => {
      clearTimeout(kill)
      resolve()
    })
    child.kill('SIGTERM')
  })
}
