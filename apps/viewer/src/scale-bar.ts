/** A scale bar: its length on screen and its label. */
export interface ScaleBar {
  /** Bar width in CSS pixels. */
  pixels: number;
  /** Length it stands for, in nm. */
  nm: number;
  /** Human label, e.g. `500 nm`, `2 µm`. */
  label: string;
}

/**
 * The longest "nice" length (1, 2 or 5 × 10^k nm) whose bar fits in `maxPixels`, given how many
 * nm one CSS pixel spans at the focus of the view.
 */
export function scaleBar(nmPerPixel: number, maxPixels = 120): ScaleBar {
  const target = nmPerPixel * maxPixels;
  const exp = Math.floor(Math.log10(target));
  let nm = 10 ** exp;
  for (const m of [5, 2, 1]) {
    if (m * 10 ** exp <= target) {
      nm = m * 10 ** exp;
      break;
    }
  }
  const label = nm >= 1000 ? `${nm / 1000} µm` : `${nm} nm`;
  return { pixels: nm / nmPerPixel, nm, label };
}
