/** A stable, well-spread colour for a segment id, as `[r, g, b]` in 0..1. */
export function segmentColor(id: number): [number, number, number] {
  // golden-ratio hue steps keep consecutive ids far apart on the colour wheel
  const hue = (id * 0.618033988749895) % 1;
  const s = 0.65;
  const l = 0.45 + 0.2 * ((id * 0.381966) % 1 > 0.5 ? 1 : 0);
  const k = (n: number) => (n + hue * 12) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => l - a * Math.max(-1, Math.min(k(n) - 3, 9 - k(n), 1));
  return [f(0), f(8), f(4)];
}
