/** Free CPU cores and GPU ids of one launcher; tasks take and give back. */
export class ResourcePool {
  private freeCpus: number;
  private readonly freeGpus: number[];

  constructor(
    readonly maxCpus: number,
    readonly maxGpus: number,
  ) {
    this.freeCpus = maxCpus;
    this.freeGpus = Array.from({ length: maxGpus }, (_, i) => i);
  }

  /** Whether a task of this size could ever run here. */
  fitsAtAll(cpus: number, gpus: number): boolean {
    return cpus <= this.maxCpus && gpus <= this.maxGpus;
  }

  /** Take resources when free; returns the GPU ids, or undefined when they do not fit now. */
  take(cpus: number, gpus: number): number[] | undefined {
    if (cpus > this.freeCpus || gpus > this.freeGpus.length) return undefined;
    this.freeCpus -= cpus;
    return this.freeGpus.splice(0, gpus);
  }

  /** Give resources back. */
  give(cpus: number, gpuIds: number[]): void {
    this.freeCpus += cpus;
    this.freeGpus.push(...gpuIds);
    this.freeGpus.sort((a, b) => a - b);
  }

  /** Free cores now. */
  get cpus(): number {
    return this.freeCpus;
  }

  /** Free GPUs now. */
  get gpus(): number {
    return this.freeGpus.length;
  }

  /** Whether nothing is taken. */
  get idle(): boolean {
    return this.freeCpus === this.maxCpus && this.freeGpus.length === this.maxGpus;
  }
}
