import { gaussianBlur2d } from "./blur.js";
import { checkNumber, checkSeed, checkTuple, optionError } from "./options.js";
import { hash32, Rng } from "./prng.js";
import { textureNoise2d } from "./smooth-noise.js";

/** Options of {@link emPhantom}. Lengths are in nanometres unless the name says pixels (`Px`). */
export interface EmPhantomOptions {
  /** Volume shape `[z, y, x]` in voxels (each ≥ 1; y and x ≥ 2). */
  shape: readonly [number, number, number];
  /** Voxel size `[z, y, x]` in nm. Default `[40, 8, 8]` (serial-section EM: thick sections). */
  resolutionNm?: readonly [number, number, number];
  /** Seed of the generator (safe integer). Default 0. The same seed and options give identical output. */
  seed?: number;
  /** Mean neurite diameter in a section, nm. Default 320 (40 px at 8 nm). */
  cellDiameterNm?: number;
  /** Spread of neurite calibres: standard deviation of the log radius, 0 (all equal) to 1. Default 0.35. */
  sizeVariability?: number;
  /**
   * How much neurites run oblique to the z axis: RMS in-plane drift of a centre line per unit of
   * z distance (tan of the tilt angle), 0 to 3. Default 0.4.
   */
  tilt?: number;
  /** Length along z over which a centre line's direction changes, nm. Default 2000. */
  wanderLengthNm?: number;
  /** Probability per µm of z that a neurite branches (a second centre line of the same cell splits off). Default 0.05. */
  branchRatePerUm?: number;
  /** Probability per µm of z that a neurite ends (tapers off); the same number start in gaps. Default 0.03. */
  endRatePerUm?: number;
  /**
   * Membrane thickness in pixels (of the coarser in-plane axis): voxels closer than half of it to
   * an interface between two cells are membrane. In [2, 8]. Default 2.5 (2 to 3 px across).
   */
  membraneThicknessPx?: number;
  /** Mean grey level of cytoplasm (0–255). Default 175. */
  cytoplasmLevel?: number;
  /** Standard deviation of the per-cell mean grey level. Default 10. */
  cellContrast?: number;
  /** Grey level of membranes. Default 50. */
  membraneLevel?: number;
  /** Standard deviation of the cytoplasm texture (smooth noise). Default 14. */
  textureAmplitude?: number;
  /** Correlation length of the cytoplasm texture, px. Default 1.5. */
  textureScalePx?: number;
  /** Dark organelles (mitochondria-like blobs, elongated along the neurite) started per cell per µm of z. Default 0.4. */
  organelleRatePerUm?: number;
  /** Grey level of organelles. Default 95. */
  organelleLevel?: number;
  /** In-plane Gaussian blur of the image, px (0 = none). Default 1. */
  blurSigmaPx?: number;
  /** Standard deviation of additive Gaussian noise in grey levels (0 = none). Default 10. */
  noiseSigma?: number;
}

/** Output of {@link emPhantom}: ground-truth labels and boundaries with the EM-like image, all C order `z, y, x`. */
export interface EmPhantom {
  /** `[z, y, x]` as requested. */
  shape: [number, number, number];
  /** Voxel size `[z, y, x]` in nm. */
  resolutionNm: [number, number, number];
  /**
   * Cell ids 1..cellCount for every voxel (membrane voxels belong to their nearest cell). Each id is
   * one 6-connected component in 3D; ids are numbered in order of first appearance in C order.
   */
  labels: Uint32Array;
  /** 1 on membrane voxels (within half the membrane thickness of an in-plane interface between two cells), 0 elsewhere. */
  boundaries: Uint8Array;
  /** EM-like grey levels: textured bright cytoplasm, dark membranes and organelles, blur and noise. */
  image: Uint8Array;
  /** Number of distinct cells (the largest label). */
  cellCount: number;
}

const FN = "emPhantom";

interface Site {
  lineage: number;
  y: number;
  x: number;
  r: number;
  w: number;
  /** Weight change per section while fading in (> 0) or out (< 0); 0 when steady. */
  dw: number;
  dying: boolean;
  by: number;
  bx: number;
  brightness: number;
}

interface Organelle {
  site: Site;
  oy: number;
  ox: number;
  ra: number;
  rb: number;
  cos: number;
  sin: number;
  z0: number;
  z1: number;
  level: number;
}

/**
 * Synthetic serial-section EM volume with exact ground truth.
 *
 * Cells are neurites: each is a disc of random calibre whose centre moves smoothly from section to
 * section (a shared smooth random flow plus a per-neurite drift), discs are kept from overlapping,
 * and every section is partitioned by the power diagram (Laguerre–Voronoi) of the discs, so cells
 * touch and tile the plane. Neurites end by tapering, new ones start in gaps, and some branch
 * (a second centre line with the same cell id splits off). Labels are the 3D 6-connected
 * components of the resulting regions, so every id is one connected object.
 *
 * Boundaries mark voxels within `membraneThicknessPx / 2` pixels of an in-plane interface between
 * two different cells (so every voxel with a 4-neighbour of another label is a boundary voxel, and a
 * straight membrane is 2–3 px thick at the default 2.5). Near the y/x edges of the volume a membrane
 * of a cell just outside the field of view can be marked without a label change in view. The image has textured cytoplasm with
 * per-cell brightness, dark membranes, dark organelles, blur and additive Gaussian noise.
 * Labels and boundaries do not depend on the image options.
 *
 * Runs in about 3 s per 256³ voxels on one core.
 *
 * @example
 * ```ts
 * const { labels, boundaries, image, cellCount } = emPhantom({ shape: [64, 256, 256], seed: 1 });
 * ```
 * @throws RangeError naming the option when an option is out of range.
 */
export function emPhantom(options: EmPhantomOptions): EmPhantom {
  if (options === null || typeof options !== "object") throw optionError(FN, "options", "an object", options);
  const shape = checkTuple(FN, "shape", options.shape, 3, { min: 1, integer: true }) as [
    number,
    number,
    number,
  ];
  const [Z, Y, X] = shape;
  if (Y < 2 || X < 2) throw optionError(FN, "shape", "[z, y, x] with y ≥ 2 and x ≥ 2", shape);
  if (Z * Y * X > 2 ** 31 - 1) throw optionError(FN, "shape", "at most 2^31 − 1 voxels", shape);
  const res = checkTuple(FN, "resolutionNm", options.resolutionNm ?? [40, 8, 8], 3, {
    min: 0,
    minExclusive: true,
  }) as [number, number, number];
  const seed = checkSeed(FN, options.seed ?? 0);
  const num = (name: keyof EmPhantomOptions, def: number, min: number, max: number, minExclusive = false) =>
    checkNumber(FN, name, options[name] ?? def, { min, max, minExclusive });
  const D = num("cellDiameterNm", 320, 0, Infinity, true);
  const sizeVar = num("sizeVariability", 0.35, 0, 1);
  const tilt = num("tilt", 0.4, 0, 3);
  const wanderLen = num("wanderLengthNm", 2000, 0, Infinity, true);
  const branchRate = num("branchRatePerUm", 0.05, 0, 100);
  const endRate = num("endRatePerUm", 0.03, 0, 100);
  const thickness = num("membraneThicknessPx", 2.5, 2, 8);
  const cytoLevel = num("cytoplasmLevel", 175, 0, 255);
  const cellContrast = num("cellContrast", 10, 0, 255);
  const membraneLevel = num("membraneLevel", 50, 0, 255);
  const textureAmp = num("textureAmplitude", 14, 0, 255);
  const textureScale = num("textureScalePx", 1.5, 0, 1000);
  const organelleRate = num("organelleRatePerUm", 0.4, 0, 100);
  const organelleLevel = num("organelleLevel", 95, 0, 255);
  const blurSigma = num("blurSigmaPx", 1, 0, 100);
  const noiseSigma = num("noiseSigma", 10, 0, 1000);

  const [rz, ry, rx] = res;
  const nSec = Y * X;
  const labels = new Uint32Array(Z * nSec);
  const boundaries = new Uint8Array(Z * nSec);
  const image = new Uint8Array(Z * nSec);

  // ---- geometry state -------------------------------------------------------------------------
  const rng = new Rng(hash32(seed, 0x5eed));
  const r0 = 0.42 * D; // disc radius; the power cells around packed discs are ~D across
  const margin = 2 * D;
  const yLo = -margin;
  const yHi = (Y - 1) * ry + margin;
  const xLo = -margin;
  const xHi = (X - 1) * rx + margin;
  const fadeSections = Math.max(1, Math.round((0.5 * D) / rz));
  const perSectionUm = rz / 1000;
  const pack = 0.95;
  let nextLineage = 0;
  const drawRadius = () => {
    const g = Math.max(-2.5, Math.min(2.5, rng.normal()));
    return r0 * Math.exp(sizeVar * g - 0.5 * sizeVar * sizeVar);
  };
  const newSite = (y: number, x: number, r: number, fadeIn: boolean): Site => {
    const s: Site = {
      lineage: nextLineage++,
      y,
      x,
      r,
      w: fadeIn ? -4 * r * r : r * r,
      dw: fadeIn ? (5 * r * r) / fadeSections : 0,
      dying: false,
      by: 0.3 * tilt * rng.normal(),
      bx: 0.3 * tilt * rng.normal(),
      brightness: cellContrast * rng.normal(),
    };
    return s;
  };
  let sites: Site[] = [];
  const fits = (y: number, x: number, r: number) => {
    for (const s of sites) {
      const dy = s.y - y;
      const dx = s.x - x;
      const m = pack * (s.r + r);
      if (dy * dy + dx * dx < m * m) return false;
    }
    return true;
  };
  const area = (yHi - yLo) * (xHi - xLo);
  const target = Math.ceil(area / (Math.PI * r0 * r0));
  for (let a = 0; a < 40 * target; a++) {
    const r = drawRadius();
    const y = rng.range(yLo, yHi);
    const x = rng.range(xLo, xHi);
    if (fits(y, x, r)) sites.push(newSite(y, x, r, false));
  }

  // Smooth random flow: a few sinusoidal modes per component, RMS magnitude ≈ tilt.
  const modes = 6;
  const flow = new Float64Array(2 * modes * 5);
  for (let c = 0; c < 2; c++) {
    for (let m = 0; m < modes; m++) {
      const o = (c * modes + m) * 5;
      const lam = D * rng.range(4, 12);
      const th = rng.range(0, 2 * Math.PI);
      flow[o] = ((2 * Math.PI) / lam) * Math.cos(th);
      flow[o + 1] = ((2 * Math.PI) / lam) * Math.sin(th);
      flow[o + 2] = (2 * Math.PI) / (wanderLen * rng.range(0.5, 2));
      flow[o + 3] = rng.range(0, 2 * Math.PI);
      flow[o + 4] = tilt / Math.sqrt(modes);
    }
  }
  const flowAt = (c: number, y: number, x: number, z: number) => {
    let v = 0;
    for (let m = 0; m < modes; m++) {
      const o = (c * modes + m) * 5;
      v += flow[o + 4] * Math.sin(flow[o] * y + flow[o + 1] * x + flow[o + 2] * z + flow[o + 3]);
    }
    return v;
  };

  const organelles: Organelle[] = [];

  // ---- per-section scratch ----------------------------------------------------------------------
  const tile = 16;
  const tilesY = Math.ceil(Y / tile);
  const tilesX = Math.ceil(X / tile);
  const siteOf = new Int32Array(nSec); // active-site index per pixel
  const dist = new Float32Array(nSec); // distance (nm) to the nearest interface with another cell
  const lin = new Int32Array(nSec);
  const linPrev = new Int32Array(nSec);
  const prov = new Int32Array(nSec);
  const provParent = new Int32Array(nSec + 1);
  const provId = new Int32Array(nSec + 1);
  const intensity = new Float32Array(nSec);
  const blurred = new Float32Array(nSec);
  const tex = new Float32Array(nSec);
  const maxRes = Math.max(ry, rx);
  const halfT = 0.5 * thickness * maxRes;
  const tileMargin = Math.max(halfT, maxRes) + maxRes;
  let cand = new Int32Array(1024);
  const candStart = new Int32Array(tilesY * tilesX + 1);
  const cy = new Float64Array(256);
  const cx = new Float64Array(256);
  const cw = new Float64Array(256);
  const cl = new Int32Array(256);
  const cidx = new Int32Array(256);
  let owned = new Uint8Array(1024);
  let slot = new Int32Array(1024);
  let sy = new Float64Array(1024);
  let sx = new Float64Array(1024);
  let sw = new Float64Array(1024);
  let sl = new Int32Array(1024);
  let dTile = new Float64Array(1024);
  const inv = new Float64Array(256 * 256);

  // Global union-find over per-section 2D components.
  let parent = new Int32Array(4096);
  let nodeCount = 0;
  const find = (a: number) => {
    let r = a;
    while (parent[r] !== r) r = parent[r];
    while (parent[a] !== r) {
      const n = parent[a];
      parent[a] = r;
      a = n;
    }
    return r;
  };
  const union = (a: number, b: number) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) {
      if (ra < rb) parent[rb] = ra;
      else parent[ra] = rb;
    }
  };

  for (let z = 0; z < Z; z++) {
    const zNm = z * rz;
    // ---- candidate sites per tile (conservative: any site that may win within the tile grown by the margin)
    const act = sites;
    const nAct = act.length;
    if (owned.length < nAct) {
      owned = new Uint8Array(nAct * 2);
      slot = new Int32Array(nAct * 2);
      sy = new Float64Array(nAct * 2);
      sx = new Float64Array(nAct * 2);
      sw = new Float64Array(nAct * 2);
      sl = new Int32Array(nAct * 2);
      dTile = new Float64Array(nAct * 2);
    }
    for (let j = 0; j < nAct; j++) {
      const s = act[j];
      sy[j] = s.y;
      sx[j] = s.x;
      sw[j] = s.w;
      sl[j] = s.lineage;
    }
    let nc = 0;
    for (let ty = 0; ty < tilesY; ty++) {
      for (let tx = 0; tx < tilesX; tx++) {
        const t = ty * tilesX + tx;
        candStart[t] = nc;
        const y0 = ty * tile;
        const x0 = tx * tile;
        const y1 = Math.min(Y, y0 + tile) - 1;
        const x1 = Math.min(X, x0 + tile) - 1;
        const ccy = 0.5 * (y0 + y1) * ry;
        const ccx = 0.5 * (x0 + x1) * rx;
        const hy = 0.5 * (y1 - y0) * ry;
        const hx = 0.5 * (x1 - x0) * rx;
        const h = Math.sqrt(hy * hy + hx * hx) + tileMargin;
        let U = Infinity;
        for (let j = 0; j < nAct; j++) {
          const dy = sy[j] - ccy;
          const dx = sx[j] - ccx;
          const d = Math.sqrt(dy * dy + dx * dx);
          dTile[j] = d;
          const u = (d + h) * (d + h) - sw[j];
          if (u < U) U = u;
        }
        for (let j = 0; j < nAct; j++) {
          const d = dTile[j] > h ? dTile[j] - h : 0;
          if (d * d - sw[j] <= U) {
            if (nc >= cand.length) {
              const grown = new Int32Array(cand.length * 2);
              grown.set(cand);
              cand = grown;
            }
            cand[nc++] = j;
          }
        }
      }
    }
    candStart[tilesY * tilesX] = nc;

    // ---- pass 1: nearest site (power distance) per pixel; pass 2: distance to the nearest
    // interface with another cell that owns pixels in this section
    owned.fill(0, 0, nAct);
    const grid: TileGrid = { Y, X, ry, rx, tile, tilesY, tilesX, cand, candStart };
    const scratch: Scratch = { cy, cx, cw, cl, cidx, inv };
    nearestSites(grid, sy, sx, sw, siteOf, owned, scratch);
    interfaceDistance(grid, sy, sx, sw, sl, siteOf, owned, slot, lin, dist, scratch);

    // ---- 2D connected components of the lineage map (4-connectivity), then link to section z−1
    let nProv = 0;
    const pfind = (a: number) => {
      while (provParent[a] !== a) {
        provParent[a] = provParent[provParent[a]];
        a = provParent[a];
      }
      return a;
    };
    for (let y = 0; y < Y; y++) {
      const row = y * X;
      for (let x = 0; x < X; x++) {
        const i = row + x;
        const l = lin[i];
        const left = x > 0 && lin[i - 1] === l ? prov[i - 1] : -1;
        const up = y > 0 && lin[i - X] === l ? prov[i - X] : -1;
        if (left < 0 && up < 0) {
          provParent[nProv] = nProv;
          prov[i] = nProv++;
        } else if (up < 0) {
          prov[i] = left;
        } else {
          prov[i] = up;
          if (left >= 0 && left !== up) {
            const a = pfind(left);
            const b = pfind(up);
            if (a !== b) provParent[Math.max(a, b)] = Math.min(a, b);
          }
        }
      }
    }
    let nComp = 0;
    for (let p = 0; p < nProv; p++) {
      const r = pfind(p);
      provId[p] = r === p ? nComp++ : provId[r];
    }
    const base = nodeCount;
    nodeCount += nComp;
    if (nodeCount > parent.length) {
      const grown = new Int32Array(Math.max(nodeCount, parent.length * 2));
      grown.set(parent);
      parent = grown;
    }
    for (let k = base; k < nodeCount; k++) parent[k] = k;
    const zoff = z * nSec;
    const poff = zoff - nSec;
    let lastA = -1;
    let lastB = -1;
    for (let i = 0; i < nSec; i++) {
      const node = base + provId[prov[i]];
      labels[zoff + i] = node;
      if (z > 0 && linPrev[i] === lin[i]) {
        const a = labels[poff + i];
        if (a !== lastA || node !== lastB) {
          union(a, node);
          lastA = a;
          lastB = node;
        }
      }
      boundaries[zoff + i] = dist[i] <= halfT ? 1 : 0;
    }
    linPrev.set(lin);

    // ---- image of this section
    const irng = new Rng(hash32(seed, 0x1a6e, z));
    textureNoise2d(irng, Y, X, textureScale, tex);
    for (let i = 0; i < nSec; i++) {
      if (dist[i] <= halfT) intensity[i] = membraneLevel + 0.3 * textureAmp * tex[i];
      else intensity[i] = cytoLevel + act[siteOf[i]].brightness + textureAmp * tex[i];
    }
    const edge = halfT + maxRes;
    for (const o of organelles) {
      if (z < o.z0 || z > o.z1 || !sites.includes(o.site)) continue;
      const mid = 0.5 * (o.z0 + o.z1);
      const half = 0.5 * (o.z1 - o.z0) + 0.5;
      const f = Math.sqrt(Math.max(0, 1 - ((z - mid) / half) ** 2));
      const ra = o.ra * f;
      const rb = o.rb * f;
      if (ra <= 0 || rb <= 0) continue;
      const oy = o.site.y + o.oy;
      const ox = o.site.x + o.ox;
      const ext = Math.max(ra, rb) + maxRes;
      const ya = Math.max(0, Math.floor((oy - ext) / ry));
      const yb = Math.min(Y - 1, Math.ceil((oy + ext) / ry));
      const xa = Math.max(0, Math.floor((ox - ext) / rx));
      const xb = Math.min(X - 1, Math.ceil((ox + ext) / rx));
      const lineage = o.site.lineage;
      for (let y = ya; y <= yb; y++) {
        for (let x = xa; x <= xb; x++) {
          const i = y * X + x;
          if (lin[i] !== lineage || dist[i] <= edge) continue;
          const dy = y * ry - oy;
          const dx = x * rx - ox;
          const u = (dy * o.cos + dx * o.sin) / ra;
          const v = (-dy * o.sin + dx * o.cos) / rb;
          const q = u * u + v * v;
          if (q < 1) intensity[i] = o.level + 0.5 * textureAmp * tex[i];
        }
      }
    }
    const src = blurSigma > 0 ? gaussianBlur2d(intensity, Y, X, blurSigma, blurred) : intensity;
    for (let i = 0; i < nSec; i++) {
      let v = src[i];
      if (noiseSigma > 0) v += noiseSigma * irng.normal();
      image[zoff + i] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
    }

    // ---- advance the neurites to the next section
    if (z === Z - 1) break;
    const next: Site[] = [];
    for (const s of sites) {
      s.y += rz * (flowAt(0, s.y, s.x, zNm) + s.by);
      s.x += rz * (flowAt(1, s.y, s.x, zNm) + s.bx);
      if (s.dw !== 0) {
        s.w += s.dw;
        if (s.dw > 0 && s.w >= s.r * s.r) {
          s.w = s.r * s.r;
          s.dw = 0;
        }
        if (s.dying && s.w <= -4 * s.r * s.r) continue; // ended
      }
      if (s.y < yLo || s.y > yHi || s.x < xLo || s.x > xHi) continue; // left the field
      if (!s.dying && rng.uniform() < endRate * perSectionUm) {
        s.dying = true;
        s.dw = -(5 * s.r * s.r) / fadeSections;
      }
      next.push(s);
      if (!s.dying && s.dw === 0 && rng.uniform() < branchRate * perSectionUm) {
        const th = rng.range(0, 2 * Math.PI);
        const uy = Math.cos(th);
        const ux = Math.sin(th);
        const child = newSite(s.y + 0.3 * s.r * uy, s.x + 0.3 * s.r * ux, 0.8 * s.r, false);
        nextLineage--;
        child.lineage = s.lineage;
        child.brightness = s.brightness;
        child.w = s.w;
        child.by = s.by + 0.6 * tilt * uy;
        child.bx = s.bx + 0.6 * tilt * ux;
        s.by -= 0.3 * tilt * uy;
        s.bx -= 0.3 * tilt * ux;
        next.push(child);
      }
      if (!s.dying && rng.uniform() < organelleRate * perSectionUm) {
        const len = Math.max(1, Math.round((rng.range(0.5, 2) * D) / rz));
        const th = rng.range(0, Math.PI);
        const ra = s.r * rng.range(0.15, 0.35);
        organelles.push({
          site: s,
          oy: rng.range(-0.35, 0.35) * s.r,
          ox: rng.range(-0.35, 0.35) * s.r,
          ra,
          rb: ra * rng.range(0.5, 1),
          cos: Math.cos(th),
          sin: Math.sin(th),
          z0: z + 1,
          z1: z + len,
          level: organelleLevel + 0.5 * cellContrast * rng.normal(),
        });
      }
    }
    sites = next;
    // New neurites start where there is room, and as many as end at random.
    const births = Math.ceil(0.02 * target) + (rng.uniform() < endRate * perSectionUm * target ? 1 : 0);
    for (let a = 0; a < 10 * births; a++) {
      const r = drawRadius();
      const y = rng.range(yLo, yHi);
      const x = rng.range(xLo, xHi);
      if (fits(y, x, 0.8 * r)) sites.push(newSite(y, x, r, true));
    }
    // Keep discs from overlapping (two relaxation sweeps).
    for (let sweep = 0; sweep < 2; sweep++) {
      for (let a = 0; a < sites.length; a++) {
        const sa = sites[a];
        for (let b = a + 1; b < sites.length; b++) {
          const sb = sites[b];
          const dy = sb.y - sa.y;
          const dx = sb.x - sa.x;
          const m = pack * (sa.r + sb.r);
          const d2 = dy * dy + dx * dx;
          if (d2 >= m * m) continue;
          const d = Math.sqrt(d2) || 1e-9;
          const push = (0.25 * (m - d)) / d;
          sa.y -= push * dy;
          sa.x -= push * dx;
          sb.y += push * dy;
          sb.x += push * dx;
        }
      }
    }
    organelles.splice(0, organelles.length, ...organelles.filter((o) => o.z1 > z && sites.includes(o.site)));
  }

  // ---- final ids: 3D components, numbered in order of first appearance
  const rootId = new Int32Array(nodeCount);
  for (let k = 0; k < nodeCount; k++) rootId[k] = find(k);
  const idOf = new Uint32Array(nodeCount);
  let cellCount = 0;
  for (let i = 0; i < labels.length; i++) {
    const r = rootId[labels[i]];
    let id = idOf[r];
    if (id === 0) {
      id = ++cellCount;
      idOf[r] = id;
    }
    labels[i] = id;
  }
  return { shape: [Z, Y, X], resolutionNm: [rz, ry, rx], labels, boundaries, image, cellCount };
}

/** Options of {@link emPhantom2d}: those of {@link emPhantom} with a 2D shape and resolution. */
export interface EmPhantom2dOptions extends Omit<EmPhantomOptions, "shape" | "resolutionNm"> {
  /** Image shape `[y, x]`. */
  shape: readonly [number, number];
  /** Pixel size `[y, x]` in nm. Default `[8, 8]`. */
  resolutionNm?: readonly [number, number];
}

/** One EM-like section: {@link emPhantom} with a single section (shape `[1, y, x]`), returned with a 2D shape. */
export function emPhantom2d(options: EmPhantom2dOptions): Omit<EmPhantom, "shape" | "resolutionNm"> & {
  shape: [number, number];
  resolutionNm: [number, number];
} {
  if (options === null || typeof options !== "object")
    throw optionError("emPhantom2d", "options", "an object", options);
  const shape = checkTuple("emPhantom2d", "shape", options.shape, 2, { min: 2, integer: true });
  const res = checkTuple("emPhantom2d", "resolutionNm", options.resolutionNm ?? [8, 8], 2, {
    min: 0,
    minExclusive: true,
  });
  const out = emPhantom({ ...options, shape: [1, shape[0], shape[1]], resolutionNm: [40, res[0], res[1]] });
  return { ...out, shape: [shape[0], shape[1]], resolutionNm: [res[0], res[1]] };
}

interface TileGrid {
  Y: number;
  X: number;
  ry: number;
  rx: number;
  tile: number;
  tilesY: number;
  tilesX: number;
  cand: Int32Array;
  candStart: Int32Array;
}

interface Scratch {
  cy: Float64Array;
  cx: Float64Array;
  cw: Float64Array;
  cl: Int32Array;
  cidx: Int32Array;
  inv: Float64Array;
}

/** For each pixel, the candidate site with the smallest power distance |p − s|² − w. */
function nearestSites(
  g: TileGrid,
  sy: Float64Array,
  sx: Float64Array,
  sw: Float64Array,
  siteOf: Int32Array,
  owned: Uint8Array,
  { cy, cx, cw, cidx }: Scratch,
): void {
  const { Y, X, ry, rx, tile, tilesY, tilesX, cand, candStart } = g;
  for (let ty = 0; ty < tilesY; ty++) {
    for (let tx = 0; tx < tilesX; tx++) {
      const t = ty * tilesX + tx;
      const c0 = candStart[t];
      const n = Math.min(256, candStart[t + 1] - c0);
      for (let c = 0; c < n; c++) {
        const j = cand[c0 + c];
        cy[c] = sy[j];
        cx[c] = sx[j];
        cw[c] = sw[j];
        cidx[c] = j;
      }
      const y0 = ty * tile;
      const x0 = tx * tile;
      const y1 = Math.min(Y, y0 + tile);
      const x1 = Math.min(X, x0 + tile);
      for (let y = y0; y < y1; y++) {
        const py = y * ry;
        const row = y * X;
        for (let x = x0; x < x1; x++) {
          const px = x * rx;
          let best = 0;
          let bestPd = Infinity;
          for (let c = 0; c < n; c++) {
            const dy = py - cy[c];
            const dx = px - cx[c];
            const pd = dy * dy + dx * dx - cw[c];
            if (pd < bestPd) {
              bestPd = pd;
              best = c;
            }
          }
          const j = cidx[best];
          siteOf[row + x] = j;
          owned[j] = 1;
        }
      }
    }
  }
}

/**
 * For each pixel, the lineage of its site and the Euclidean distance (nm) to the nearest power
 * bisector with a site of another lineage that owns pixels in this section.
 */
function interfaceDistance(
  g: TileGrid,
  sy: Float64Array,
  sx: Float64Array,
  sw: Float64Array,
  sl: Int32Array,
  siteOf: Int32Array,
  owned: Uint8Array,
  slot: Int32Array,
  lin: Int32Array,
  dist: Float32Array,
  { cy, cx, cw, cl, cidx, inv }: Scratch,
): void {
  const { Y, X, ry, rx, tile, tilesY, tilesX, cand, candStart } = g;
  for (let ty = 0; ty < tilesY; ty++) {
    for (let tx = 0; tx < tilesX; tx++) {
      const t = ty * tilesX + tx;
      const c0 = candStart[t];
      const m = Math.min(256, candStart[t + 1] - c0);
      let n = 0;
      for (let c = 0; c < m; c++) {
        const j = cand[c0 + c];
        if (!owned[j]) continue;
        cy[n] = sy[j];
        cx[n] = sx[j];
        cw[n] = sw[j];
        cl[n] = sl[j];
        cidx[n] = j;
        slot[j] = n;
        n++;
      }
      for (let a = 0; a < n; a++) {
        for (let b = 0; b < n; b++) {
          const dy = cy[a] - cy[b];
          const dx = cx[a] - cx[b];
          const d = Math.sqrt(dy * dy + dx * dx);
          inv[a * n + b] = d > 0 ? 1 / (2 * d) : 0;
        }
      }
      const y0 = ty * tile;
      const x0 = tx * tile;
      const y1 = Math.min(Y, y0 + tile);
      const x1 = Math.min(X, x0 + tile);
      for (let y = y0; y < y1; y++) {
        const py = y * ry;
        const row = y * X;
        for (let x = x0; x < x1; x++) {
          const px = x * rx;
          const i = row + x;
          const best = slot[siteOf[i]];
          const by = py - cy[best];
          const bx = px - cx[best];
          const bestPd = by * by + bx * bx - cw[best];
          const lb = cl[best];
          let dd = Infinity;
          const ib = best * n;
          for (let c = 0; c < n; c++) {
            if (cl[c] !== lb) {
              const dy = py - cy[c];
              const dx = px - cx[c];
              const v = (dy * dy + dx * dx - cw[c] - bestPd) * inv[ib + c];
              if (v < dd) dd = v;
            }
          }
          lin[i] = lb;
          dist[i] = dd;
        }
      }
    }
  }
}
