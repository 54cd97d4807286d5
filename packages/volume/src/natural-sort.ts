const PIECES = /(\d+)|(\D+)/g;

/** Compare file names so that embedded numbers sort by value: `img2.png` < `img10.png`. */
export function naturalCompare(a: string, b: string): number {
  const pa = a.match(PIECES) ?? [];
  const pb = b.match(PIECES) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === y) continue;
    const nx = /^\d/.test(x);
    const ny = /^\d/.test(y);
    if (nx && ny) {
      const diff = Number(x) - Number(y);
      if (diff !== 0) return diff;
      return x.length - y.length;
    }
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}
