// The tail sampler's verdict, recomputed: which trace ids the collector's
// probabilistic policy keeps, and how many kept traces chance allows.

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK64 = (1n << 64n) - 1n;
const HASH_SALT = 'default-hash-seed';

/**
 * What tail_sampling's `probabilistic` policy decides for a trace id (hex):
 * FNV-1a 64 of the default salt and the 16 id bytes, kept when at most
 * percentage% of 2^64-1 (processor/tailsamplingprocessor/internal/sampling/probabilistic.go, v0.161.0).
 */
export function probabilisticKeeps(traceIdHex, percentage) {
  let hash = FNV_OFFSET;
  const bytes = [...Buffer.from(HASH_SALT, 'utf8'), ...Buffer.from(traceIdHex, 'hex')];
  for (const b of bytes) hash = ((hash ^ BigInt(b)) * FNV_PRIME) & MASK64;
  // floor((2^64 - 1) * percentage / 100), with the float64 value of the ratio as Go computes it.
  const [mantissa, exponent] = float64Parts(percentage / 100);
  const threshold = (MASK64 * mantissa) >> exponent;
  return hash <= threshold;
}

/** x = mantissa / 2^exponent exactly, for a positive float64 below 1. */
function float64Parts(x) {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const exp = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  return [(1n << 52n) | frac, BigInt(1075 - exp)];
}

/**
 * The central interval of Binomial(n, p) holding at least `confidence` of the
 * mass: [lo, hi] with P(X < lo) ≤ (1-confidence)/2 and P(X > hi) ≤ (1-confidence)/2.
 */
export function binomialInterval(n, p, confidence) {
  const tail = (1 - confidence) / 2;
  // pmf by the recurrence in log space (n is a few hundred to a few thousand).
  const logPmf = [];
  let log = n * Math.log1p(-p);
  logPmf.push(log);
  for (let k = 1; k <= n; k++) {
    log += Math.log((n - k + 1) / k) + Math.log(p / (1 - p));
    logPmf.push(log);
  }
  const pmf = logPmf.map(Math.exp);
  let lo = 0;
  let below = 0;
  while (lo < n && below + pmf[lo] <= tail) below += pmf[lo++];
  let hi = n;
  let above = 0;
  while (hi > 0 && above + pmf[hi] <= tail) above += pmf[hi--];
  return [lo, hi];
}
