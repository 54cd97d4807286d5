// Connected-components kernel of @tessera/segment, compiled to WebAssembly by build.sh. The same
// run-based algorithm as the TypeScript version in src/connected-components.ts (which stays the
// reference and the fallback): runs of equal non-zero labels along x, a union-find over runs that
// keeps the earliest run as root, components numbered in C order of their first voxel.
#include <stddef.h>
#include <stdint.h>

extern unsigned char __heap_base;
static uintptr_t heap_top;

// Bump allocator over the module's memory (grown as needed); cc_reset frees everything.
__attribute__((export_name("cc_reset"))) void cc_reset(void) {
  heap_top = ((uintptr_t)&__heap_base + 15) & ~(uintptr_t)15;
}

// Returns 0 when the memory cannot grow that far.
__attribute__((export_name("cc_alloc"))) uintptr_t cc_alloc(uint32_t bytes) {
  if (heap_top == 0) cc_reset();
  uint64_t end = ((uint64_t)heap_top + bytes + 15) & ~(uint64_t)15;
  if (end > 0xffff0000u) return 0;
  size_t pages = (size_t)((end + 65535) >> 16);
  size_t have = __builtin_wasm_memory_size(0);
  if (pages > have && __builtin_wasm_memory_grow(0, pages - have) == (size_t)-1) return 0;
  uintptr_t at = heap_top;
  heap_top = (uintptr_t)end;
  return at;
}

static uint32_t find(uint32_t* parent, uint32_t i) {
  while (parent[i] != i) {
    const uint32_t g = parent[parent[i]];
    parent[i] = g;
    i = g;
  }
  return i;
}

// Union the runs of row r with the overlapping runs (ends widened by ext) of the earlier row q that
// carry the same label. A run still on its own points straight to the root it meets (roots are the
// earliest runs, so an earlier row's root is smaller).
static void link_rows(const uint32_t* row_begin, const uint32_t* start, const uint32_t* end,
                      const uint32_t* value, uint32_t* parent, uint32_t r, uint32_t q, uint32_t ext) {
  uint32_t j0 = row_begin[q];
  const uint32_t j_end = row_begin[q + 1];
  for (uint32_t i = row_begin[r], i_end = row_begin[r + 1]; i < i_end; i++) {
    const uint32_t s = start[i];
    const uint32_t e = end[i] + ext;
    while (j0 < j_end && end[j0] + ext <= s) j0++;
    const uint32_t v = value[i];
    for (uint32_t j = j0; j < j_end && start[j] < e; j++) {
      if (value[j] != v) continue;
      const uint32_t rj = find(parent, j);
      if (parent[i] == i) {
        parent[i] = rj;
        continue;
      }
      const uint32_t ri = find(parent, i);
      if (ri < rj) parent[rj] = ri;
      else if (rj < ri) parent[ri] = rj;
    }
  }
}

// Label the components of `labels` (Z×Y×X, 0 = background) in place: ids 1..count in C order of
// their first voxel. connectivity 6, 18 or 26. Returns the count, or -1 when memory ran out.
__attribute__((export_name("cc_label"))) int32_t cc_label(uint32_t* labels, uint32_t Z, uint32_t Y,
                                                        uint32_t X, uint32_t connectivity) {
  const uint32_t rows = Z * Y;
  uint32_t* row_begin = (uint32_t*)cc_alloc(4 * (rows + 1));
  if (!row_begin) return -1;
  // count the runs, then size the run arrays exactly
  uint32_t runs = 0;
  for (uint32_t r = 0; r < rows; r++) {
    const uint32_t* row = labels + (size_t)r * X;
    uint32_t previous = 0;
    for (uint32_t x = 0; x < X; x++) {
      const uint32_t v = row[x];
      runs += v != 0 && v != previous;
      previous = v;
    }
  }
  uint32_t* start = (uint32_t*)cc_alloc(4 * runs);
  uint32_t* end = start ? (uint32_t*)cc_alloc(4 * runs) : 0;
  uint32_t* value = end ? (uint32_t*)cc_alloc(4 * runs) : 0;
  uint32_t* parent = value ? (uint32_t*)cc_alloc(4 * runs) : 0;
  if (runs > 0 && !parent) return -1;
  uint32_t k = 0;
  for (uint32_t r = 0; r < rows; r++) {
    row_begin[r] = k;
    const uint32_t* row = labels + (size_t)r * X;
    uint32_t x = 0;
    while (x < X) {
      const uint32_t v = row[x];
      if (v == 0) {
        x++;
        continue;
      }
      uint32_t e = x + 1;
      while (e < X && row[e] == v) e++;
      start[k] = x;
      end[k] = e;
      value[k] = v;
      parent[k] = k;
      k++;
      x = e;
    }
  }
  row_begin[rows] = k;
  const uint32_t edge_ext = connectivity == 6 ? 0 : 1;
  const uint32_t corner_ext = connectivity == 26 ? 1 : 0;
  for (uint32_t z = 0; z < Z; z++) {
    for (uint32_t y = 0; y < Y; y++) {
      const uint32_t r = z * Y + y;
      if (row_begin[r] == row_begin[r + 1]) continue;
      if (y > 0) link_rows(row_begin, start, end, value, parent, r, r - 1, edge_ext);
      if (z > 0) {
        const uint32_t q = r - Y;
        link_rows(row_begin, start, end, value, parent, r, q, edge_ext);
        if (connectivity != 6) {
          if (y > 0) link_rows(row_begin, start, end, value, parent, r, q - 1, corner_ext);
          if (y < Y - 1) link_rows(row_begin, start, end, value, parent, r, q + 1, corner_ext);
        }
      }
    }
  }
  // number the roots in run order (= C order of first voxels) and write the output over the input
  int32_t count = 0;
  uint32_t* ids = value;  // the labels of the runs are no longer needed
  for (uint32_t i = 0; i < k; i++) {
    const uint32_t root = find(parent, i);
    ids[i] = root == i ? (uint32_t)++count : ids[root];
  }
  for (uint32_t r = 0; r < rows; r++) {
    uint32_t* row = labels + (size_t)r * X;
    uint32_t x = 0;
    for (uint32_t i = row_begin[r]; i < row_begin[r + 1]; i++) {
      for (; x < start[i]; x++) row[x] = 0;
      const uint32_t id = ids[i];
      for (; x < end[i]; x++) row[x] = id;
    }
    for (; x < X; x++) row[x] = 0;
  }
  return count;
}
