import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "@tessera/volume";
import { agglomerateFeatureTable } from "./agglomerate-feature-table.js";
import { agglomerateFlat } from "./agglomerate-flat.js";
import { type BlockEdgeFeatures, mergeBlockEdgeFeatures } from "./block-edge-features.js";
import { graphFile } from "./block-graph.js";
import { runGrid } from "./block-run.js";
import type { EdgeFeatureTable } from "./edge-features.js";
import { readEdgeFeaturesFile } from "./edge-features-file.js";
import { EdgeRunWriter, mergeEdgeRuns } from "./edge-runs.js";
import { SegmentBlockError } from "./errors.js";
import type { FlatEdges } from "./flat-edges.js";
import { FragmentIndex } from "./fragment-index.js";
import { readGraphFile, readGraphNodes } from "./graph-file.js";
import { LookupWriter, lookupFile } from "./lookup-file.js";
import { modelInputWarning } from "./model-input-check.js";
import type { SegmentRun } from "./options.js";
import { featuresFile, loadRunModel } from "./run-model.js";
import type { AgglomerationSummary } from "./run-steps.js";

/**
 * Global agglomeration of a blockwise run, out of core: number every fragment the block graphs list,
 * join the fragments linked across block faces, stream the edges of each block graph (renamed to
 * the joined fragments) into sorted runs on disk, merge the runs into one compact edge list, and
 * agglomerate it at all thresholds in one pass. Writes `lookup.bin` (fragment → consecutive segment
 * id per threshold, in chunks) and `agglomeration.json` (thresholds, merges, segment counts).
 *
 * Memory: about 75 bytes per edge of the merged graph plus 40 per fragment, or the sort buffer
 * (about 48 bytes × `run.sortRunEdges`) while the runs are written; block graphs are read one at a
 * time. Sorted runs live in `<graph>/agglomerate-runs/` (removed afterwards; one agglomeration per
 * graph folder at a time). The result equals that of merging all
 * block graphs in memory ({@link mergeRegionGraphs} in block order) and calling {@link agglomerate}.
 *
 * With `run.agglomerate.model` set, the learned agglomeration instead ({@link agglomerateRunWithModel}).
 */
export async function agglomerateRun(
  run: SegmentRun,
  onProgress?: (done: number, total: number) => void,
): Promise<AgglomerationSummary> {
  if (run.agglomerate.model !== undefined) return agglomerateRunWithModel(run, onProgress);
  const started = performance.now();
  const { grid } = await runGrid(run);
  const { ids, root } = await joinFragments(run, grid.count);
  const folder = join(run.graph, "agglomerate-runs");
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  const lookup = new LookupWriter(lookupFile(run), ids, run.agglomerate.thresholds.length);
  try {
    const edges = await mergedEdges(run, grid.count, ids, root, folder, onProgress);
    const n = ids.length;
    const label = new Int32Array(n);
    const segments: number[] = [];
    const result = agglomerateFlat(
      n,
      edges,
      run.agglomerate.thresholds,
      { scoring: run.agglomerate.scoring },
      (_k, _t, find) => {
        // consecutive segment ids in the order of each segment's smallest fragment id
        label.fill(0);
        let next = 1;
        for (let i = 0; i < n; i++) {
          const r = find(root[i]);
          if (label[r] === 0) label[r] = next++;
          lookup.push(label[r]);
        }
        segments.push(next - 1);
      },
    );
    lookup.commit();
    await writeFileAtomic(
      join(run.graph, "agglomeration.json"),
      `${JSON.stringify({ thresholds: result.thresholds, merges: result.merges, segments, fragments: n, edges: edges.size }, null, 2)}\n`,
    );
    return { fragments: n, edges: edges.size, segments, seconds: (performance.now() - started) / 1000 };
  } catch (error) {
    lookup.abort();
    throw error;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/**
 * The merged edge-feature table of a blockwise run with a model: the fragments listed by the block
 * graphs joined across block faces (as {@link agglomerateRun} joins them), and the
 * `block-<id>.features` partials of every block merged by joined fragment
 * ({@link mergeBlockEdgeFeatures}; no voxel reads). Region ids are the joined fragments' smallest ids.
 * Also returns the fragment list (ascending) and each fragment's joined id.
 */
export async function mergedRunFeatures(
  run: SegmentRun,
  onProgress?: (done: number, total: number) => void,
): Promise<{ table: EdgeFeatureTable; ids: Float64Array; joined: Float64Array }> {
  const { grid } = await runGrid(run);
  const { ids, root } = await joinFragments(run, grid.count);
  const joined = Float64Array.from(root, (r) => ids[r]);
  const index = new FragmentIndex(ids);
  const partials: BlockEdgeFeatures[] = [];
  for (let id = 0; id < grid.count; id++) {
    partials.push(await readEdgeFeaturesFile(featuresFile(run, id), id));
    onProgress?.(id + 1, grid.count);
  }
  const table = mergeBlockEdgeFeatures(partials, (fragment) => {
    const i = index.indexOf(fragment);
    if (i >= 0) return joined[i];
    throw new SegmentBlockError("the edge features of a block name a fragment no block graph lists", {
      path: run.graph,
      field: "fragment id",
      expected: "an id in the fragment list of some block graph (graph and features of one run)",
      found: String(fragment),
    });
  });
  return { table, ids, joined };
}

/**
 * The global step of a blockwise learned agglomeration: merge the blocks' edge-feature partials
 * ({@link mergedRunFeatures}) and agglomerate the table by the model's merge probability
 * ({@link agglomerateFeatureTable}) at every threshold of `run.agglomerate.thresholds` (merge while
 * p ≥ threshold). Writes the same `lookup.bin` (tables in the config's threshold order, consecutive
 * segment ids in the order of each segment's smallest fragment id) and `agglomeration.json` as
 * {@link agglomerateRun}, so relabel works unchanged. The whole table is held in memory (about
 * 60 + 4 × bins bytes per edge) and agglomerated in place (no second copy). `warning`: the
 * {@link modelInputWarning} of the model on this run's contacts, when there is one.
 */
export async function agglomerateRunWithModel(
  run: SegmentRun,
  onProgress?: (done: number, total: number) => void,
): Promise<AgglomerationSummary> {
  const started = performance.now();
  const { model, path } = await loadRunModel(run);
  const { table, ids, joined } = await mergedRunFeatures(run, onProgress);
  const thresholds = run.agglomerate.thresholds;
  const warning = modelInputWarning(model, table);
  // the merged table is not needed afterwards: agglomerate it in place (no second copy)
  const result = agglomerateFeatureTable(table, model, thresholds, path, { inPlace: true });
  const regions = new FragmentIndex(result.fragmentIds);
  const n = ids.length;
  const lookup = new LookupWriter(lookupFile(run), ids, thresholds.length);
  try {
    const segments: number[] = [];
    const merges: number[] = [];
    const label = new Map<number, number>();
    for (const threshold of thresholds) {
      const k = result.thresholds.indexOf(threshold);
      const segmentOf = result.segments[k];
      merges.push(result.merges[k]);
      label.clear();
      for (let i = 0; i < n; i++) {
        const r = regions.indexOf(joined[i]);
        const segment = r >= 0 ? segmentOf[r] : joined[i];
        let l = label.get(segment);
        if (l === undefined) {
          l = label.size + 1;
          label.set(segment, l);
        }
        lookup.push(l);
      }
      segments.push(label.size);
    }
    lookup.commit();
    await writeFileAtomic(
      join(run.graph, "agglomeration.json"),
      `${JSON.stringify({ thresholds, merges, segments, fragments: n, edges: table.edges, model: path, scoring: "merge probability" }, null, 2)}\n`,
    );
    return {
      fragments: n,
      edges: table.edges,
      segments,
      seconds: (performance.now() - started) / 1000,
      ...(warning ? { warning: `model ${path}: ${warning}` } : {}),
    };
  } catch (error) {
    lookup.abort();
    throw error;
  }
}

/**
 * Every fragment id listed by the block graphs, ascending, and for each the index of the smallest
 * fragment it is joined with across block faces (`root[i] ≤ i`).
 */
async function joinFragments(
  run: SegmentRun,
  blocks: number,
): Promise<{ ids: Float64Array; root: Int32Array }> {
  const perBlock: Float64Array[] = [];
  const linksPerBlock: Float64Array[] = [];
  let n = 0;
  for (let id = 0; id < blocks; id++) {
    const { fragmentIds, links } = await readGraphNodes(graphFile(run, id), id);
    perBlock.push(fragmentIds);
    linksPerBlock.push(links);
    n += fragmentIds.length;
  }
  if (n >= 2 ** 31) {
    throw new SegmentBlockError("too many fragments for one agglomeration", {
      path: run.graph,
      expected: "< 2^31 fragments",
      found: String(n),
    });
  }
  const ids = new Float64Array(n);
  let k = 0;
  for (const a of perBlock.splice(0)) {
    ids.set(a, k);
    k += a.length;
  }
  // blocks own disjoint ascending id ranges, so this is sorted already unless the files are foreign
  let ascending = true;
  for (let i = 1; i < n && ascending; i++) ascending = ids[i] > ids[i - 1];
  if (!ascending) {
    ids.sort();
    for (let i = 1; i < n; i++) {
      if (ids[i] === ids[i - 1]) {
        throw new SegmentBlockError("a fragment is listed by two block graphs", {
          path: run.graph,
          field: "fragment id",
          expected: "each fragment owned by one block",
          found: String(ids[i]),
        });
      }
    }
  }
  const index = new FragmentIndex(ids);
  // union-find over fragment indices; the root of a set is its smallest index, so parent[i] ≤ i
  const parent = new Int32Array(n);
  for (let i = 0; i < n; i++) parent[i] = i;
  const find = (i: number) => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  };
  linksPerBlock.forEach((links, block) => {
    for (let j = 0; j < links.length; j += 2) {
      const p = find(indexOrThrow(index, links[j], run, block, "a link"));
      const q = find(indexOrThrow(index, links[j + 1], run, block, "a link"));
      if (p < q) parent[q] = p;
      else if (q < p) parent[p] = q;
    }
  });
  for (let i = 0; i < n; i++) parent[i] = parent[parent[i]];
  return { ids, root: parent };
}

function indexOrThrow(
  index: FragmentIndex,
  id: number,
  run: SegmentRun,
  block: number,
  what: string,
): number {
  const i = index.indexOf(id);
  if (i >= 0) return i;
  throw new SegmentBlockError(`${what} of a block graph names a fragment no block lists`, {
    path: graphFile(run, block),
    block,
    field: "fragment id",
    expected: "an id in the fragment list of some block graph",
    found: String(id),
  });
}

/**
 * The edges of all block graphs between joined fragments (self-edges dropped), merged: sorted on
 * disk in runs, then merged in order, so each pair's statistics are summed in block order as an
 * in-memory merge would.
 */
async function mergedEdges(
  run: SegmentRun,
  blocks: number,
  ids: Float64Array,
  root: Int32Array,
  folder: string,
  onProgress?: (done: number, total: number) => void,
): Promise<FlatEdges> {
  const index = new FragmentIndex(ids);
  let writer: EdgeRunWriter | undefined;
  let bins = -1;
  for (let id = 0; id < blocks; id++) {
    const path = graphFile(run, id);
    const { graph } = await readGraphFile(path, id);
    if (bins === -1) {
      bins = graph.bins;
      writer = new EdgeRunWriter(folder, bins, run.sortRunEdges);
    } else if (graph.bins !== bins) {
      throw new SegmentBlockError("block graphs differ in histogram bins", {
        path,
        block: id,
        field: "bins",
        expected: String(bins),
        found: String(graph.bins),
      });
    }
    const first = graph.firstFace;
    if (first === undefined && graph.size > 0) {
      throw new SegmentBlockError("block graph has no first-face positions (written by an older version?)", {
        path,
        block: id,
        field: "firstFace",
        expected: "a graph file with first faces",
        found: "none",
      });
    }
    const w = writer as EdgeRunWriter;
    for (let e = 0; e < graph.size; e++) {
      const p = root[indexOrThrow(index, graph.u[e], run, id, "an edge")];
      const q = root[indexOrThrow(index, graph.v[e], run, id, "an edge")];
      if (p === q) continue;
      w.add(
        Math.min(p, q),
        Math.max(p, q),
        graph.sum[e],
        graph.count[e],
        (first as Float64Array)[e],
        graph.histogram,
        e * bins,
      );
    }
    onProgress?.(id + 1, blocks);
  }
  const w = writer ?? new EdgeRunWriter(folder, 0, 1);
  w.flush();
  return mergeEdgeRuns(w.runs, w.records, { bins: Math.max(bins, 0), folder });
}
