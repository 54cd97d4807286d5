import { ResourcePool } from "./resource-pool.js";

/** Where a task runs: node indices of the allocation and the GPU ids it holds on each. */
export interface Placement {
  nodes: number[];
  /** GPU ids on each node (same order as `nodes`). */
  gpuIds: number[][];
  /** Cores and GPUs taken on each node. */
  cpusPerNode: number;
  gpusPerNode: number;
}

/**
 * Free cores and GPUs of every node of an allocation. A task takes `nodes` distinct nodes with
 * `cpusPerNode` cores and `gpusPerNode` GPUs free on each (first fit, the launcher's own node first,
 * so that serial tasks run there directly while it has room).
 */
export class NodePool {
  private readonly pools: ResourcePool[];

  constructor(
    readonly nodeCount: number,
    readonly cpusPerNode: number,
    readonly gpusPerNode: number,
    private readonly head = 0,
  ) {
    this.pools = Array.from({ length: nodeCount }, () => new ResourcePool(cpusPerNode, gpusPerNode));
  }

  /** Whether a task of this shape could ever run in this allocation. */
  fitsAtAll(nodes: number, cpusPerNode: number, gpusPerNode: number): boolean {
    return nodes <= this.nodeCount && cpusPerNode <= this.cpusPerNode && gpusPerNode <= this.gpusPerNode;
  }

  /** Take a placement when one is free now, else undefined (nothing taken). */
  take(nodes: number, cpusPerNode: number, gpusPerNode: number): Placement | undefined {
    const chosen: number[] = [];
    for (let k = 0; k < this.nodeCount && chosen.length < nodes; k++) {
      const i = (this.head + k) % this.nodeCount;
      const pool = this.pools[i];
      if (pool.cpus >= cpusPerNode && pool.gpus >= gpusPerNode) chosen.push(i);
    }
    if (chosen.length < nodes) return undefined;
    const gpuIds = chosen.map((i) => this.pools[i].take(cpusPerNode, gpusPerNode) as number[]);
    return { nodes: chosen, gpuIds, cpusPerNode, gpusPerNode };
  }

  /** Give a placement back. */
  give(p: Placement): void {
    for (let k = 0; k < p.nodes.length; k++) this.pools[p.nodes[k]].give(p.cpusPerNode, p.gpuIds[k]);
  }
}
