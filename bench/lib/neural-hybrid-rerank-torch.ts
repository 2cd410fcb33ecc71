// The registered neural-hybrid's training throughput (lists/s): its ListNet re-ranker (rerank-network.ts's
// trainScorer, the very loop `train --model neural-hybrid` runs) against the same network in PyTorch, for
// bench/deep.bench.ts. Shapes are MovieLens 100K's (the README's first dataset): 1,682 items, three side fields
// (gender 3, age group 8, occupation 22 codes), 30 content dims, and segue's defaults (RERANK_DEFAULTS: lists of
// candidates + contentCandidates = 110, FEATURES = 8 features, dims 8, hidden 16, sideDims 4, history cap 50,
// batch 32, Adam at 0.002, global-norm clip 5, item dropout 0.5, history dropout 0.1, L2 1e-4 on the id rows).
// Synthetic, seeded lists: random candidates, features in [0, 1), 1-5 positives, 20-149 history items.
// TRAIN_LISTS / VALID_LISTS are about what 943 listeners x 2 folds give with validation 0.15. Each epoch ends with
// a validation pass over VALID_LISTS (scores, then every list sorted), as segue's does; lists/s counts training
// lists over the whole epoch on both sides. PyTorch runs the same shapes on batches made before its clock starts;
// segue's epoch includes assembling its batches in JS (padding, dropouts, history sampling): part of segue's cost.
import { spawnSync } from 'node:child_process'
import { Rng } from '../../src/core/rng.js'
import { FEATURES } from '../../src/deep/neural-hybrid/candidates.js'
import { RERANK_DEFAULTS } from '../../src/deep/neural-hybrid/rerank-options.js'
import { trainScorer, type ScorerShape, type TrainingList } from '../../src/deep/neural-hybrid/rerank-network.js'

const O = RERANK_DEFAULTS
export const RR = {
  items: 1682,
  fields: [{ name: 'gender', size: 3 }, { name: 'age group', size: 8 }, { name: 'occupation', size: 22 }],
  contentDims: 30,
  listLength: O.candidates + O.contentCandidates,
  trainLists: 1600,
  validLists: 280,
  epochs: 3,
}

function syntheticLists(rng: Rng, n: number): TrainingList[] {
  return Array.from({ length: n }, (_, user) => {
    const items = Int32Array.from({ length: RR.listLength }, () => rng.int(RR.items))
    const feats = Float32Array.from({ length: RR.listLength * FEATURES }, () => rng.next())
    const positives = Int32Array.from({ length: 1 + rng.int(5) }, () => rng.int(RR.listLength))
    const history = Int32Array.from({ length: 20 + rng.int(130) }, () => rng.int(RR.items))
    const codes = Int32Array.from(RR.fields, (f) => 1 + rng.int(f.size - 1))
    return { items, feats, user, positives: Int32Array.from(new Set(positives)), relevant: new Set(Array.from(positives, (c) => items[c])), history, codes }
  })
}

/** segue's per-epoch lists/s through trainScorer (no early stop: patience beyond the epochs). */
export async function segueRerankRates(): Promise<number[]> {
  const rng = new Rng(13)
  const shape: ScorerShape = { items: RR.items, fields: RR.fields, contentDims: RR.contentDims, content: Float32Array.from({ length: RR.items * RR.contentDims }, () => rng.next()) }
  const train = syntheticLists(rng, RR.trainLists)
  const valid = syntheticLists(rng, RR.validLists)
  const rates: number[] = []
  await trainScorer(shape, train, valid, { ...O, epochs: RR.epochs, patience: RR.epochs + 1 }, { seed: 1, onEpoch: (e) => rates.push(e.samplesPerSec) })
  return rates
}

const TORCH_RERANK = `
import sys, json, time, torch
from torch import nn
threads, items, cdims, C, F, dims, hidden, sdims, H, B, ntrain, nvalid, epochs = [int(a) for a in sys.argv[1:14]]
lr, clip, l2, item_drop, hist_drop = [float(a) for a in sys.argv[14:19]]
sizes = [int(a) for a in sys.argv[19].split(',')]
torch.manual_seed(42); torch.set_num_threads(threads)
def glorot(i, o): return nn.Parameter(torch.empty(i, o).uniform_(-(6 / (i + o)) ** 0.5, (6 / (i + o)) ** 0.5))
item_emb = nn.Parameter(torch.randn(items, dims) * 0.05); hist_emb = nn.Parameter(torch.randn(items, dims) * 0.05)
side_emb = [nn.Parameter(torch.randn(s, sdims) * 0.05) for s in sizes]
wc = glorot(cdims, dims); wu = glorot(dims + len(sizes) * sdims, dims); bu = nn.Parameter(torch.zeros(dims))
w1 = glorot(F + dims, hidden); b1 = nn.Parameter(torch.zeros(hidden)); w2 = glorot(hidden, hidden); b2 = nn.Parameter(torch.zeros(hidden))
w3 = glorot(hidden, 1); b3 = nn.Parameter(torch.zeros(1))
content = torch.rand(items, cdims)
params = [item_emb, hist_emb, *side_emb, wc, wu, bu, w1, b1, w2, b2, w3, b3]
opt = torch.optim.Adam(params, lr=lr, eps=1e-7)
def make(L):
    pos = torch.randint(0, C, (L, 3))
    return dict(L=L, feats=torch.rand(L, C, F), items=torch.randint(0, items, (L, C)), hist=torch.randint(0, items, (L, H)),
                hw=torch.full((L, H), 1.0 / H), codes=[torch.randint(1, s, (L,)) for s in sizes],
                targets=torch.zeros(L, C).scatter_(1, pos, 1.0 / 3), mask=torch.zeros(L, C))
def forward(b, train):
    L = b['L']; feats = b['feats']; hw = b['hw']
    if train:
        blind = (torch.rand(L, 1) < hist_drop).float()
        feats = torch.cat([feats[:, :, :5] * (1 - blind[:, :, None]), feats[:, :, 5:6], feats[:, :, 6:] * (1 - blind[:, :, None])], 2)
        hw = hw * (1 - blind)
    h_rows = hist_emb[b['hist'].reshape(-1)]
    hist = (h_rows.view(L, H, dims) * hw[:, :, None]).sum(1)
    u = torch.tanh(torch.cat([hist, *[e[c] for e, c in zip(side_emb, b['codes'])]], 1) @ wu + bu)
    it = b['items'].reshape(-1)
    keep = (torch.rand(L * C, 1) >= item_drop).float() if train else torch.ones(L * C, 1)
    i_rows = item_emb[it] * keep
    v = i_rows + content[it] @ wc
    inter = (u[:, None, :] * v.view(L, C, dims)).reshape(L * C, dims)
    x = torch.cat([feats.reshape(L * C, F), inter], 1)
    s = (torch.relu(torch.relu(x @ w1 + b1) @ w2 + b2) @ w3 + b3).view(L, C)
    return s + b['mask'], h_rows, i_rows
rates = []
train = [make(B) for _ in range(-(-ntrain // B))]
valid = [make(B) for _ in range(-(-nvalid // B))]
for epoch in range(epochs):
    t0 = time.perf_counter()
    for b in train:
        scores, h_rows, i_rows = forward(b, True)
        loss = -(b['targets'] * torch.log_softmax(scores, 1)).sum(1).mean()
        loss = loss + l2 / b['L'] * ((h_rows ** 2).sum() + (i_rows ** 2).sum())
        opt.zero_grad(); loss.backward(); nn.utils.clip_grad_norm_(params, clip); opt.step()
        loss.item()
    with torch.no_grad():
        for b in valid: torch.argsort(forward(b, False)[0], 1, descending=True).tolist()
    rates.append(len(train) * B / (time.perf_counter() - t0))
print(json.dumps({"rates": rates, "version": torch.__version__}))
`

/** PyTorch's lists/s on the same shapes, or why it could not run. */
export function torchRerankRates(python: string, threads: number): { ok: true; rates: number[]; version: string } | { ok: false; reason: string } {
  const ints = [threads, RR.items, RR.contentDims, RR.listLength, FEATURES, O.dims, O.hidden, O.sideDims, O.historyCap, O.batch, RR.trainLists, RR.validLists, RR.epochs]
  const floats = [O.learningRate, O.clipNorm, O.l2, O.itemDropout, O.historyDropout]
  const args = [...ints, ...floats].map(String).concat(RR.fields.map((f) => f.size).join(','))
  const r = spawnSync(python, ['-c', TORCH_RERANK, ...args], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: String(threads) }, maxBuffer: 1 << 20 })
  if (r.error) return { ok: false, reason: `${python}: ${r.error.message}` }
  if (r.status !== 0) return { ok: false, reason: (r.stderr.trim().split('\n').at(-1) ?? `exit ${r.status}`).slice(0, 200) }
  const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { rates: number[]; version: string }
  return { ok: true, rates: out.rates, version: out.version }
}

/** The row for bench/deep.bench.ts: segue's median lists/s beside PyTorch's on 1 thread, rounds interleaved (ratio = PyTorch / segue). */
export async function rerankRows(python: string, rounds: number, skipped: Record<string, string>): Promise<Record<string, string | number | null>[]> {
  const ours: number[] = []
  const theirs: number[] = []
  for (let r = 0; r < rounds; r++) {
    ours.push(...(await segueRerankRates()))
    const t = torchRerankRates(python, 1)
    if (t.ok) theirs.push(...t.rates)
    else skipped['torch (neural-hybrid re-ranker)'] = t.reason
  }
  const mine = median(ours)
  const ref = theirs.length ? median(theirs) : null
  const detail = `lists of ${RR.listLength}, ${FEATURES} features, dims ${O.dims}, hidden ${O.hidden}, batch ${O.batch}, ListNet, Adam + clip ${O.clipNorm}`
  return [{ case: `neural-hybrid re-ranker training (${detail}), PyTorch on 1 thread`, segue: Math.round(mine), reference: ref === null ? null : Math.round(ref), unit: 'lists/s', ratio: ref === null ? null : Number((ref / mine).toFixed(2)) }]
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s.length ? s[Math.floor(s.length / 2)] : NaN
}
