// Affinity-graph watershed kernel of @tessera/segment, compiled to WebAssembly by build.sh.
// The same three steps as the TypeScript version in src/affinity-watershed.ts (which stays the
// reference and the fallback): steepest-ascent direction bits, plateau division by breadth-first
// search from the exits (waterz's direction order), basins by one union-find pass. The caller lays
// out the buffers with ws_alloc and copies the affinities in and the labels out.
#include <stddef.h>
#include <stdint.h>

extern unsigned char __heap_base;
static uintptr_t heap_top;

// Direction bits, waterz's order.
enum { MZ = 1, MY = 2, MX = 4, PZ = 8, PY = 16, PX = 32, QUEUED = 64 };

// Bump allocator over the module's memory (grown as needed); ws_reset frees everything.
__attribute__((export_name("ws_reset"))) void ws_reset(void) {
  heap_top = ((uintptr_t)&__heap_base + 15) & ~(uintptr_t)15;
}

// Returns 0 when the memory cannot grow that far.
__attribute__((export_name("ws_alloc"))) uintptr_t ws_alloc(uint32_t bytes) {
  if (heap_top == 0) ws_reset();
  uint64_t end = ((uint64_t)heap_top + bytes + 15) & ~(uint64_t)15;
  if (end > 0xffff0000u) return 0;
  size_t pages = (size_t)((end + 65535) >> 16);
  size_t have = __builtin_wasm_memory_size(0);
  if (pages > have && __builtin_wasm_memory_grow(0, pages - have) == (size_t)-1) return 0;
  uintptr_t at = heap_top;
  heap_top = (uintptr_t)end;
  return at;
}

// Index of the first NaN or infinite float among `count`, or -1.
__attribute__((export_name("ws_first_nonfinite"))) int32_t ws_first_nonfinite(const uint32_t* words,
                                                                              uint32_t count) {
  uint32_t bad = 0;
  for (uint32_t i = 0; i < count; i++) bad |= ((words[i] >> 23) & 0xff) + 1;
  if ((bad & 0x100) == 0) return -1;
  for (uint32_t i = 0; i < count; i++)
    if (((words[i] >> 23) & 0xff) == 0xff) return (int32_t)i;
  return -1;
}

// Direction bits of one voxel from its six edges: the maximal ones and every one >= high, when the
// maximum exceeds low (else 0, background). As no edge exceeds the maximum m, "maximal or >= high"
// is ">= min(m, high)". Branch-free, so the row loop below vectorises.
static inline uint8_t direction_bits(float mz, float my, float mx, float pz, float py, float px, float low,
                                     float high) {
  float m = mz;
  m = my > m ? my : m;
  m = mx > m ? mx : m;
  m = pz > m ? pz : m;
  m = py > m ? py : m;
  m = px > m ? px : m;
  const float t = m < high ? m : high;
  const int d = (mz >= t) | ((my >= t) << 1) | ((mx >= t) << 2) | ((pz >= t) << 3) | ((py >= t) << 4) |
                ((px >= t) << 5);
  return (uint8_t)(m > low ? d : 0);
}

// Direction bits of every voxel, a row at a time; a neighbour row outside the volume is read from
// `none` (X + 1 values of -inf), so edges leaving the volume are never followed.
static void steepest(const float* aff, uint8_t* dirs, int Z, int Y, int X, float low, float high,
                     float* none) {
  const int XY = X * Y;
  const int n = XY * Z;
  const float inf = __builtin_inff();
  for (int x = 0; x <= X; x++) none[x] = -inf;
  for (int z = 0; z < Z; z++) {
    for (int y = 0; y < Y; y++) {
      const int row = z * XY + y * X;
      const float* mz = z > 0 ? aff + row : none;
      const float* my = y > 0 ? aff + n + row : none;
      const float* pz = z < Z - 1 ? aff + row + XY : none;
      const float* py = y < Y - 1 ? aff + n + row + X : none;
      const float* ax = aff + 2 * n + row;
      uint8_t* out = dirs + row;
      if (X == 1) {
        out[0] = direction_bits(mz[0], my[0], -inf, pz[0], py[0], -inf, low, high);
        continue;
      }
      out[0] = direction_bits(mz[0], my[0], -inf, pz[0], py[0], ax[1], low, high);
      for (int x = 1; x < X - 1; x++)
        out[x] = direction_bits(mz[x], my[x], ax[x], pz[x], py[x], ax[x + 1], low, high);
      out[X - 1] = direction_bits(mz[X - 1], my[X - 1], ax[X - 1], pz[X - 1], py[X - 1], -inf, low, high);
    }
  }
}

// Plateau division: breadth-first from the voxels pointing to a neighbour that does not point back
// (seeds in C order, neighbours in bit order); a reached voxel keeps one direction, its last exit
// in bit order.
static void divide(uint8_t* dirs, int n, int X, int XY, int32_t* queue) {
  // seeds, branch-free: a set bit whose neighbour lacks the opposite bit (the opposite of bit k is
  // bit k ± 3, so shifting the neighbour's bits by 3 lines them up); the guard bands make every read safe
  int tail = 0;
  for (int i = 0; i < n; i++) {
    const int d = dirs[i];
    const int exits = (d & MZ & ~(dirs[i - XY] >> 3)) | (d & MY & ~(dirs[i - X] >> 3)) |
                      (d & MX & ~(dirs[i - 1] >> 3)) | (d & PZ & ~(dirs[i + XY] << 3)) |
                      (d & PY & ~(dirs[i + X] << 3)) | (d & PX & ~(dirs[i + 1] << 3));
    const int seed = exits != 0;
    queue[tail] = i;
    tail += seed;
    dirs[i] = (uint8_t)(d | (seed << 6));
  }
  // branch-free over the six directions in bit order: a direction not set reads its neighbour (in
  // the volume or in the guard bands around dirs) and writes the same byte back
  for (int head = 0; head < tail; head++) {
    const int i = queue[head];
    const int d = dirs[i];
    int to_set = 0;
#define VISIT(K, OFFSET, BACK)                                 \
  {                                                            \
    const int set = (d >> (K)) & 1;                            \
    const int j = i + (OFFSET);                                \
    const int dj = dirs[j];                                    \
    const int back = (dj & (BACK)) != 0;                       \
    const int add = set & back & ((dj & QUEUED) == 0);         \
    to_set = (set & !back) ? 1 << (K) : to_set;                \
    queue[tail] = j;                                           \
    tail += add;                                               \
    dirs[j] = (uint8_t)(dj | (add << 6));                      \
  }
    VISIT(0, -XY, PZ)
    VISIT(1, -X, PY)
    VISIT(2, -1, PX)
    VISIT(3, XY, MZ)
    VISIT(4, X, MY)
    VISIT(5, 1, MX)
#undef VISIT
    dirs[i] = (uint8_t)to_set;
  }
}

static uint32_t find(uint32_t* parent, uint32_t p) {
  while (parent[p] != p) {
    const uint32_t g = parent[parent[p]];
    parent[p] = g;
    p = g;
  }
  return p;
}

static void unite(uint32_t* parent, uint32_t a, uint32_t b) {
  a = find(parent, a);
  b = find(parent, b);
  if (a < b) parent[b] = a;
  else if (b < a) parent[a] = b;
}

// Basins: components of the pointer graph (a voxel joins a neighbour it points to or that points to
// it), by one C-order pass over the -z/-y/-x neighbours with provisional labels and a union-find that
// keeps the smaller label; then numbered in C order of their first voxel. Returns the count.
static uint32_t basins(const uint8_t* dirs, int n, int X, int XY, uint32_t* labels, uint32_t* parent) {
  uint32_t next = 1;
  for (int i = 0; i < n; i++) {
    const int d = dirs[i];
    if (d == 0) {
      labels[i] = 0;
      continue;
    }
    uint32_t l = 0;
    if ((d & MX) || (i > 0 && (dirs[i - 1] & PX))) l = labels[i - 1];
    if ((d & MY) || (i >= X && (dirs[i - X] & PY))) {
      const uint32_t m = labels[i - X];
      if (l == 0) l = m;
      else if (m != l) unite(parent, l, m);
    }
    if ((d & MZ) || (i >= XY && (dirs[i - XY] & PZ))) {
      const uint32_t m = labels[i - XY];
      if (l == 0) l = m;
      else if (m != l) unite(parent, l, m);
    }
    if (l == 0) {
      l = next++;
      parent[l] = l;
    }
    labels[i] = l;
  }
  // roots are the smallest label of their set and were made first: compress, then number the roots
  // in label order (= C order of first voxels), members take their root's number
  for (uint32_t p = 1; p < next; p++) parent[p] = parent[parent[p]];
  uint32_t count = 0;
  parent[0] = 0;  // background (the memory is reused, not zeroed)
  for (uint32_t p = 1; p < next; p++) {
    const uint32_t r = parent[p];
    parent[p] = r == p ? ++count : parent[r];
  }
  for (int i = 0; i < n; i++) labels[i] = parent[labels[i]];
  return count;
}

// The watershed of Z×Y×X affinities (3 channels z, y, x at aff) into labels (0 background, basins
// 1..count in C order of their first voxel). guarded_dirs: n + 2·Y·X bytes (the direction bits sit
// between two guard bands of Y·X bytes); labels: n words, also the search queue (its slot past the
// last entry is written); parent: n + 1 words; none: X + 1 floats of scratch. Returns the number of
// basins.
__attribute__((export_name("ws_watershed"))) uint32_t ws_watershed(const float* aff, int Z, int Y, int X,
                                                                 float low, float high, uint8_t* guarded_dirs,
                                                                 uint32_t* labels, uint32_t* parent,
                                                                 float* none) {
  const int n = Z * Y * X;
  uint8_t* dirs = guarded_dirs + X * Y;
  steepest(aff, dirs, Z, Y, X, low, high, none);
  divide(dirs, n, X, X * Y, (int32_t*)labels);
  return basins(dirs, n, X, X * Y, labels, parent);
}
