// The neural hybrid's training throughput (lists/s) against the same network in PyTorch, for bench/deep.bench.ts.
// Seeded synthetic plays (NH.users listeners x NH.items items, NH.plays each, uniform), no side fields or content:
// user tower [id embedding, mean of up to 50 history embeddings] and item tower [id embedding], each
// Linear -> BatchNorm -> ReLU -> residual (Linear -> BatchNorm -> ReLU -> Linear) -> Linear, dims 32, hidden 64;
// every item a candidate (masked full softmax, ListNet), 5 positives per list, batch 128, Adam, clip 5, id dropout,
// L2 1e-4 on the id rows a batch uses; each epoch ends with a validation pass over 512 lists (BatchNorm moments
// from one forward pass, scores from another, every list ranked), as segue's epoch does with validation 0.
// PyTorch runs the same shapes on random batches made before the clock starts; segue's epoch includes building
// its batches in JS (sampling lists, history and masks), which is part of segue's cost.
import { spawnSync } from 'node:child_process'
import { buildInteractions, type RawInteraction } from '../../src/data/interactions.js'
import { Rng } from '../../src/core/rng.js'
import { resolveSide } from '../../src/deep/neural-hybrid/side.js'
import { neuralHybridOptions } from '../../src/deep/neural-hybrid/options.js'
import { trainNetwork } from '../../src/deep/neural-hybrid/training.js'

export const NH = { users: 2000, items: 2000, plays: 40, dims: 32, hidden: 64, positives: 5, historyCap: 50, batch: 128, epochs: 2, l2: 1e-4, validLists: 512 }

/** segue's per-epoch lists/s through fitModel. */
export async function segueNeuralHybridRates(): Promise<number[]> {
  const rng = new Rng(11)
  const events: RawInteraction[] = []
  for (let u = 0; u < NH.users; u++) for (let k = 0; k < NH.plays; k++) events.push({ user: `u${u}`, item: `i${rng.int(NH.items)}`, value: 1 })
  const data = buildInteractions(events, 'implicit')
  const o = neuralHybridOptions({ dims: NH.dims, hidden: NH.hidden, positives: NH.positives, historyCap: NH.historyCap, batch: NH.batch, epochs: NH.epochs, l2: NH.l2, negatives: 0, validation: 0, patience: 100 })
  const rates: number[] = []
  await trainNetwork(data, resolveSide({}, data.users, data.items), o, { seed: 1, onEpoch: (e) => rates.push(e.samplesPerSec) })
  return rates
}

const TORCH_NH = `
import sys, json, time, torch
from torch import nn
threads, users, items, dims, hidden, P, L, B, steps, V = [int(a) for a in sys.argv[1:11]]
l2 = float(sys.argv[11])
torch.manual_seed(42); torch.set_num_threads(threads)
class Tower(nn.Module):
    def __init__(s, i):
        super().__init__()
        s.l1 = nn.Linear(i, hidden, bias=False); s.n1 = nn.BatchNorm1d(hidden, eps=1e-3)
        s.l2 = nn.Linear(hidden, hidden, bias=False); s.n2 = nn.BatchNorm1d(hidden, eps=1e-3)
        s.l3 = nn.Linear(hidden, hidden); s.o = nn.Linear(hidden, dims)
    def forward(s, x):
        h = torch.relu(s.n1(s.l1(x)))
        return s.o(h + s.l3(torch.relu(s.n2(s.l2(h)))))
ue, he, ie = nn.Embedding(users, dims), nn.Embedding(items, dims), nn.Embedding(items, dims)
bias = nn.Parameter(torch.zeros(items))
ut, it = Tower(2 * dims), Tower(dims)
params = [*ue.parameters(), *he.parameters(), *ie.parameters(), bias, *ut.parameters(), *it.parameters()]
opt = torch.optim.Adam(params, lr=0.01, eps=1e-7)
def batch():
    u = torch.randint(0, users, (B,)); h = torch.randint(0, items, (B, L)); pos = torch.randint(0, items, (B, P))
    target = torch.zeros(B, items).scatter_(1, pos, 1.0 / P); mask = torch.zeros(B, items)
    return u, h, target, mask
def validate(u, h, target, mask):
    with torch.no_grad():
        ut(torch.cat([ue(u), he(h).mean(1)], 1)); it(ie.weight)  # the BatchNorm statistics' pass
        scores = ut(torch.cat([ue(u), he(h).mean(1)], 1)) @ it(ie.weight).T + bias + mask
        (-(target * torch.log_softmax(scores, 1)).sum(1).mean()).item()
        torch.argsort(scores, 1, descending=True)
rates = []
for rnd in range(2):
    data = [batch() for _ in range(steps)]
    B0 = B; B = V; valid = batch(); B = B0
    t0 = time.perf_counter()
    for u, h, target, mask in data:
        keep_u = (torch.rand(B, 1) >= 0.5).float(); keep_i = (torch.rand(items, 1) >= 0.25).float()
        uid = ue(u) * keep_u; hr = he(h); iid = ie.weight * keep_i; b = bias * keep_i.squeeze(1)
        uv = ut(torch.cat([uid, hr.mean(1)], 1)); iv = it(iid)
        scores = uv @ iv.T + b + mask
        loss = -(target * torch.log_softmax(scores, 1)).sum(1).mean()
        loss = loss + l2 / B * ((uid ** 2).sum() + (hr ** 2).sum() + (iid ** 2).sum() + (b ** 2).sum())
        opt.zero_grad(); loss.backward(); nn.utils.clip_grad_norm_(params, 5.0); opt.step()
        loss.item()
    validate(*valid)
    rates.append(steps * B / (time.perf_counter() - t0))
print(json.dumps({"rates": rates, "version": torch.__version__}))
`

/** PyTorch's lists/s on the same shapes, or why it could not run. */
export function torchNeuralHybridRates(python: string, threads: number): { ok: true; rates: number[]; version: string } | { ok: false; reason: string } {
  const steps = Math.ceil((NH.users * NH.plays) / NH.positives / NH.batch)
  const args = [threads, NH.users, NH.items, NH.dims, NH.hidden, NH.positives, NH.historyCap, NH.batch, steps, NH.validLists, NH.l2].map(String)
  const r = spawnSync(python, ['-c', TORCH_NH, ...args], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: String(threads) }, maxBuffer: 1 << 20 })
  if (r.error) return { ok: false, reason: `${python}: ${r.error.message}` }
  if (r.status !== 0) return { ok: false, reason: (r.stderr.trim().split('\n').at(-1) ?? `exit ${r.status}`).slice(0, 200) }
  const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { rates: number[]; version: string }
  return { ok: true, rates: out.rates, version: out.version }
}

/** Rows for bench/deep.bench.ts: segue's median lists/s beside PyTorch's on 1 thread (ratio = PyTorch / segue). */
export async function neuralHybridRows(python: string, rounds: number, skipped: Record<string, string>): Promise<Record<string, string | number | null>[]> {
  const ours: number[] = []
  const theirs: number[] = []
  for (let r = 0; r < rounds; r++) {
    ours.push(...(await segueNeuralHybridRates()))
    const t = torchNeuralHybridRates(python, 1)
    if (t.ok) theirs.push(...t.rates)
    else skipped['torch (neural hybrid)'] = t.reason
  }
  const mine = median(ours)
  const ref = theirs.length ? median(theirs) : null
  return [{ case: 'neural-hybrid training (lists of 5 positives, every item a candidate), PyTorch on 1 thread', segue: Math.round(mine), reference: ref === null ? null : Math.round(ref), unit: 'lists/s', ratio: ref === null ? null : Number((ref / mine).toFixed(2)) }]
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s.length ? s[Math.floor(s.length / 2)] : NaN
}
