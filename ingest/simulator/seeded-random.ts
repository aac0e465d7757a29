/** A source of uniform numbers in [0, 1): `Math.random` or a seeded generator. */
export type Random = () => number;

/** Mulberry32: a tiny, fast seeded generator, so a simulated fleet can be reproduced run for run. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Roughly normal noise (mean 0, sd 1) from the sum of uniforms; enough for wandering headings and speeds. */
export function gaussian(random: Random): number {
  return random() + random() + random() + random() + random() + random() - 3;
}
