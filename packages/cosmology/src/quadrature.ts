/** Nodes and weights of n-point Gauss–Legendre quadrature on [-1, 1] (Newton on P_n). */
export function gaussLegendre(n: number): { nodes: Float64Array; weights: Float64Array } {
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let dp = 0;
    for (let iter = 0; iter < 100; iter++) {
      let p0 = 1;
      let p1 = x;
      for (let k = 2; k <= n; k++) {
        const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      dp = (n * (x * p1 - p0)) / (x * x - 1);
      const dx = p1 / dp;
      x -= dx;
      if (Math.abs(dx) < 1e-16) break;
    }
    nodes[i] = x;
    weights[i] = 2 / ((1 - x * x) * dp * dp);
  }
  return { nodes, weights };
}

const GL8 = gaussLegendre(8);

/**
 * ∫ f over [a, b] by `panels` equal panels of 8-point Gauss–Legendre (exact for polynomials of degree
 * 15 on each panel; for smooth integrands the error falls as (panel width)^16).
 */
export function integrate(f: (x: number) => number, a: number, b: number, panels = 64): number {
  const h = (b - a) / panels;
  const { nodes, weights } = GL8;
  let sum = 0;
  for (let p = 0; p < panels; p++) {
    const mid = a + (p + 0.5) * h;
    let s = 0;
    for (let i = 0; i < 8; i++) s += weights[i] * f(mid + 0.5 * h * nodes[i]);
    sum += 0.5 * h * s;
  }
  return sum;
}

/** The points and weights of {@link integrate}'s rule on [a, b], to integrate many functions on one grid. */
export function quadratureGrid(a: number, b: number, panels: number): { x: Float64Array; w: Float64Array } {
  const h = (b - a) / panels;
  const { nodes, weights } = GL8;
  const x = new Float64Array(panels * 8);
  const w = new Float64Array(panels * 8);
  for (let p = 0; p < panels; p++) {
    const mid = a + (p + 0.5) * h;
    for (let i = 0; i < 8; i++) {
      x[p * 8 + i] = mid + 0.5 * h * nodes[i];
      w[p * 8 + i] = 0.5 * h * weights[i];
    }
  }
  return { x, w };
}
