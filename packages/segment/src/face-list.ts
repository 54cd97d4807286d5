/** A growable list of int32 values (voxel indices of faces), no per-item allocation. */
export class FaceList {
  items = new Int32Array(1024);
  size = 0;
  push(i: number): void {
    if (this.size === this.items.length) {
      const grown = new Int32Array(this.items.length * 2);
      grown.set(this.items);
      this.items = grown;
    }
    this.items[this.size++] = i;
  }
}
