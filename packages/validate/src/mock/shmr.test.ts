import { describe, expect, it } from "vitest";
import { MockGalaxyError } from "./errors.js";
import { behroozi13, moster13, stellarMassRelation } from "./shmr.js";

/*
 * Truth: /usr/bin/python3 + numpy evaluating the published equations with the published parameters,
 * typed in independently of shmr.ts:
 *   def moster(lm, z):  # eq. 2, eqs. 11-14, Table 1
 *       s = z/(1+z); M1 = 11.590 + 1.195*s; N = 0.0351 - 0.0247*s; b = 1.376 - 0.826*s; g = 0.608 + 0.329*s
 *       x = 10**(lm - M1); return np.log10(2*N*10**lm/(x**-b + x**g))
 *   def f(x, al, de, ga): return -np.log10(10**(al*x)+1) + de*np.log10(1+np.exp(x))**ga/(1+np.exp(10**-x))
 *   def behroozi(lm, z):  # eqs. 3-4, section 5
 *       a = 1/(1+z); nu = np.exp(-4*a*a)
 *       le = -1.777 + (-0.006*(a-1) + 0*z)*nu - 0.119*(a-1); lm1 = 11.514 + (-1.793*(a-1) - 0.251*z)*nu
 *       al = -1.412 + 0.731*(a-1)*nu; de = 3.508 + (2.608*(a-1) - 0.043*z)*nu; ga = 0.316 + (1.319*(a-1) + 0.279*z)*nu
 *       return le + lm1 + f(lm-lm1, al, de, ga) - f(0, al, de, ga)
 * log10 M* [Msun] at log10 Mh [Msun]:
 */
const PY: Array<[number, number, number, number]> = [
  // z, log Mh, Moster, Behroozi
  [0, 10.5, 7.843520411831099, 7.944951285626652],
  [0, 11.0, 9.006120613271143, 8.669828153357349],
  [0, 12.0, 10.534979387607596, 10.428106376900988],
  [0, 13.0, 10.988365283785406, 10.953686080028755],
  [0, 14.5, 11.577056380411458, 11.305428832812455],
  [0.5, 12.0, 10.431318437845519, 10.461957538503516],
  [1, 11.0, 8.510690543991386, 8.496993539488646],
  [1, 13.0, 11.013783023533199, 11.032704488297071],
  [2, 12.0, 10.162428364666704, 10.337077976278906],
  [4, 10.5, 7.523309615706088, 7.591519415954962],
  [4, 14.5, 11.284185581397251, 11.067540590883814],
];

/** Peak of the ratio M* : Mh on a 0.001-dex grid of log Mh in [10, 14]. */
function peak(f: (lm: number) => number): { logM: number; ratio: number } {
  let best = { logM: 0, ratio: 0 };
  for (let lm = 10; lm <= 14; lm += 0.001) {
    const r = 10 ** (f(lm) - lm);
    if (r > best.ratio) best = { logM: lm, ratio: r };
  }
  return best;
}

describe("stellar-to-halo-mass relations", () => {
  it("match the published equations evaluated independently in Python (1e-12 dex)", () => {
    for (const [z, lm, ms, bs] of PY) {
      expect(moster13(z)(lm)).toBeCloseTo(ms, 12);
      expect(behroozi13(z)(lm)).toBeCloseTo(bs, 12);
      expect(stellarMassRelation("moster13", z)(lm)).toBe(moster13(z)(lm));
    }
  });

  it("Moster 2013: at M1 the ratio is N (eq. 2: m/M = 2N/(1 + 1)), a hand check", () => {
    expect(10 ** (moster13(0)(11.59) - 11.59)).toBeCloseTo(0.0351, 10);
    const s = 1 / 2; // z = 1: z/(1+z)
    const logM1 = 11.59 + 1.195 * s;
    expect(10 ** (moster13(1)(logM1) - logM1)).toBeCloseTo(0.0351 - 0.0247 * s, 10);
  });

  it("Moster 2013: peak efficiency as quoted in the abstract (23% at 10^11.8 at z=0; 9% at 10^12.5 at z=4)", () => {
    // star formation efficiency = (M*/Mh) / (Ωb/Ωm), WMAP7 as used by Moster 2013: 0.0456/0.272
    const fb = 0.0456 / 0.272;
    const p0 = peak(moster13(0));
    expect(p0.logM).toBeGreaterThan(11.7);
    expect(p0.logM).toBeLessThan(11.9); // measured 11.769
    expect(p0.ratio / fb).toBeGreaterThan(0.21);
    expect(p0.ratio / fb).toBeLessThan(0.25); // measured 0.226 (ratio 0.0379)
    const p4 = peak(moster13(4));
    expect(p4.logM).toBeGreaterThan(12.4);
    expect(p4.logM).toBeLessThan(12.6); // measured 12.492
    expect(p4.ratio / fb).toBeGreaterThan(0.08);
    expect(p4.ratio / fb).toBeLessThan(0.1); // measured 0.092
  });

  it("Behroozi 2013: halos near 1e12 Msun are the most efficient at all redshifts (abstract)", () => {
    for (const z of [0, 1, 2, 4]) {
      const p = peak(behroozi13(z));
      expect(p.logM).toBeGreaterThan(11.8);
      expect(p.logM).toBeLessThan(12.3); // measured 11.972 (z=0), 12.143 (z=1), 12.085 (z=4)
      expect(p.ratio).toBeGreaterThan(0.015);
      expect(p.ratio).toBeLessThan(0.04); // measured 0.0268 at z=0
    }
  });

  it("rejects an unknown relation or a bad redshift, naming the field", () => {
    expect(() => stellarMassRelation("yang08" as never, 0)).toThrow(MockGalaxyError);
    expect(() => moster13(-1)).toThrow(/field: redshift/);
  });
});
