/*
 * Multi-label marching-cubes kernel of @tessera/mesh, compiled to WebAssembly by build.sh beside
 * this file (clang + wasm-ld, no libc). It does what `compactLabels()` (src/compact-labels.ts) and
 * `march()` (src/mc-march.ts) do; those TypeScript paths stay the reference and the worker-thread
 * path, and the meshes are identical:
 *
 * - compaction: the host streams the label volume into this module's memory a slab of rows at a
 *   time; each row is copied into a padded grid of compact ids (1.. in order of first appearance,
 *   0 for background), looking a label up only where it changes along x;
 * - the march: walk the cells of the grid in raster order, 8 (16-bit ids) or 4 (32-bit ids) at a
 *   time, skip cells whose eight corners are one label, and for each non-background label of a
 *   cell append the triangles of its corner configuration, sharing crossing vertices through a
 *   cache keyed by lattice edge and side.
 *
 * The case tables are not typed in here: the host copies the ones src/mc-tables.ts derives into
 * the buffers below (mc_init). Output lives in this module's memory as per-label chains of chunks
 * (header: next chunk, element count; then the elements), which the host copies out. Triangles
 * and vertices are first written to a per-label stage of a few kilobytes, all stages side by side,
 * and moved to the label's chunks in one copy when it fills: the march's scattered small writes
 * then land on a few megabytes instead of hundreds of far-apart chunks.
 */
#include <stdint.h>
#include <wasm_simd128.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef int16_t i16;
typedef uint32_t u32;
typedef int32_t i32;
typedef uint64_t u64;

#define MAX_ENTRIES 4096
#define EXPORT(name) __attribute__((export_name(#name))) name
#define NOINLINE __attribute__((noinline))
#define PAGE 65536u

/* ---- tables (filled by the host, then completed by mc_init) ---- */
static u16 tri_start[257];
static u8 tri_edges[MAX_ENTRIES];
static u8 edge_a[12];
static u8 edge_axis[12];
static u8 entry_side[MAX_ENTRIES];
static i32 edge_dz[12];
static double edge_x[12], edge_y[12], edge_z[12];
/* per plane parity: cache slot of an entry from its cell's point, and its written-list group */
static i32 entry_base[2][MAX_ENTRIES];
static u8 entry_group[2][MAX_ENTRIES];
static u8 entry_shift[MAX_ENTRIES]; /* slots per lattice point: 1 << entry_shift (8 or 2) */
static u32 n_entries;

u32 EXPORT(mc_tri_start)(void) { return (u32)(uintptr_t)tri_start; }
u32 EXPORT(mc_tri_edges)(void) { return (u32)(uintptr_t)tri_edges; }
u32 EXPORT(mc_edge_a)(void) { return (u32)(uintptr_t)edge_a; }
u32 EXPORT(mc_edge_axis)(void) { return (u32)(uintptr_t)edge_axis; }
u32 EXPORT(mc_max_entries)(void) { return MAX_ENTRIES; }

/** Complete the tables once the host has filled tri_start, tri_edges, edge_a, edge_axis. */
void EXPORT(mc_init)(void) {
  for (int e = 0; e < 12; e++) {
    int a = edge_a[e], axis = edge_axis[e];
    edge_dz[e] = (a >> 2) & 1;
    edge_x[e] = (double)(a & 1) + (axis == 0 ? 0.5 : 0.0);
    edge_y[e] = (double)((a >> 1) & 1) + (axis == 1 ? 0.5 : 0.0);
    edge_z[e] = (double)((a >> 2) & 1) + (axis == 2 ? 0.5 : 0.0);
  }
  n_entries = tri_start[256];
  for (u32 m = 0; m < 256; m++)
    for (u32 t = tri_start[m]; t < tri_start[m + 1]; t++)
      entry_side[t] = ((m >> edge_a[tri_edges[t]]) & 1) ? 0 : 1;
}

/* ---- arena: bump allocation over the module's memory, reset per job ---- */
extern u8 __heap_base;
static u32 top;

static int ensure(u32 end) {
  const u32 have = (u32)__builtin_wasm_memory_size(0);
  const u32 need = (u32)(((uint64_t)end + PAGE - 1) / PAGE);
  if (need <= have) return 0;
  if (need > 65536u) return -1;
  /* grow by at least an eighth, so that growing output does not grow page by page */
  u32 want = have + have / 8;
  if (want < need) want = need;
  if (want > 65536u) want = 65536u;
  if (__builtin_wasm_memory_grow(0, want - have) != (__SIZE_TYPE__)-1) return 0;
  return __builtin_wasm_memory_grow(0, need - have) != (__SIZE_TYPE__)-1 ? 0 : -1;
}

/** Forget every allocation of the previous job. */
void EXPORT(mc_reset)(void) { top = ((u32)(uintptr_t)&__heap_base + 15u) & ~15u; }

/** `bytes` of memory aligned to 16, or 0 when the memory cannot grow that far. */
u32 EXPORT(mc_alloc)(u32 bytes) {
  uint64_t end = (uint64_t)top + bytes;
  if (end > 0xfffffff0u || ensure((u32)end) != 0) return 0;
  u32 p = top;
  top = ((u32)end + 15u) & ~15u;
  return p;
}

/** Forget every allocation from `at` on (an address mc_alloc returned, or the end of one). */
void EXPORT(mc_release)(u32 at) { top = (at + 15u) & ~15u; }

/* ---- compaction: label values -> compact ids 1.. in order of first appearance, padded grid ---- */

#define EMPTY 0xffffffffu  /* hash slot unused */
#define UNSEEN 0xfffffffeu /* a wanted label not met yet */

static u64 *hkeys; /* open addressing, linear probing; key: the label's bits, zero-extended */
static u32 *hvals; /* compact id, EMPTY or UNSEEN */
static u32 hmask, hcount;
static double *id_values; /* per compact id: the label as a number */
static u32 *id_runs;      /* per compact id: label changes along x touching it */
static u32 n_ids, id_cap, id_limit, want_mode, signed_bits;

/** During and after a compaction: the label of each compact id (f64) and its x-changes (u32). */
u32 EXPORT(mc_ids)(void) { return (u32)(uintptr_t)id_values; }
u32 EXPORT(mc_runs)(void) { return (u32)(uintptr_t)id_runs; }

static inline u32 hash(u64 k) { return (u32)((k * 0x9e3779b97f4a7c15ull) >> 32); }

/** A table of `slots` (a power of two) holding the current entries; -1 when out of memory. */
static int table(u32 slots) {
  u64 *keys = (u64 *)(uintptr_t)mc_alloc(slots * 8u);
  u32 *vals = (u32 *)(uintptr_t)mc_alloc(slots * 4u);
  if (!keys || !vals) return -1;
  __builtin_memset(vals, 0xff, slots * 4u);
  u64 *old_keys = hkeys;
  u32 *old_vals = hvals;
  const u32 old_slots = hkeys ? hmask + 1u : 0u;
  hkeys = keys;
  hvals = vals;
  hmask = slots - 1u;
  for (u32 i = 0; i < old_slots; i++) {
    if (old_vals[i] == EMPTY) continue;
    u32 h = hash(old_keys[i]) & hmask;
    while (hvals[h] != EMPTY) h = (h + 1u) & hmask;
    hkeys[h] = old_keys[i];
    hvals[h] = old_vals[i];
  }
  return 0;
}

/** Add `key` (known absent) with value `val`; -1 when out of memory. */
static int insert(u64 key, u32 val) {
  if ((hcount + 1u) * 2u > hmask + 1u && table((hmask + 1u) * 2u) != 0) return -1;
  u32 h = hash(key) & hmask;
  while (hvals[h] != EMPTY) h = (h + 1u) & hmask;
  hkeys[h] = key;
  hvals[h] = val;
  hcount++;
  return 0;
}

/** A new compact id for `key`; -1: out of memory, -2: more ids than the grid's type holds. */
static i32 new_id(u64 key) {
  if (n_ids > id_limit) return -2;
  if (n_ids == id_cap) {
    const u32 cap = id_cap * 2u;
    double *v = (double *)(uintptr_t)mc_alloc(cap * 8u);
    u32 *r = (u32 *)(uintptr_t)mc_alloc(cap * 4u);
    if (!v || !r) return -1;
    __builtin_memcpy(v, id_values, id_cap * 8u);
    __builtin_memcpy(r, id_runs, id_cap * 4u);
    id_values = v;
    id_runs = r;
    id_cap = cap;
  }
  const u32 id = n_ids++;
  /* the label as JavaScript reads it: sign-extended from its width for signed types */
  id_values[id] = signed_bits ? (double)((int64_t)(key << (64u - signed_bits)) >> (64u - signed_bits))
                              : (double)key;
  id_runs[id] = 0;
  return (i32)id;
}

/** The compact id of label `key`, registering it at its first appearance; negative as new_id. */
static NOINLINE i32 lookup(u64 key) {
  u32 h = hash(key) & hmask;
  for (;;) {
    const u32 v = hvals[h];
    if (v == EMPTY) break;
    if (hkeys[h] == key) {
      if (v != UNSEEN) return (i32)v;
      const i32 id = new_id(key);
      if (id >= 0) hvals[h] = (u32)id;
      return id;
    }
    h = (h + 1u) & hmask;
  }
  /* first appearance: a new id, or background when only wanted labels are kept */
  const i32 id = want_mode ? 0 : new_id(key);
  if (id < 0) return id;
  return insert(key, (u32)id) != 0 ? -1 : id;
}

/*
 * One row of `nx` labels of T into `nx` ids of G, as compactLabels does: look labels up only where
 * the value changes, count id changes in id_runs. N values at a time (NS vectors of labels, ND of
 * ids) are compared with the last label at once and written with its id, up to the first change.
 */
#define COMPACT_ROW(NAME, T, G, N, NS, ND, SPLAT, EQ, BITMASK, ID_SPLAT)                         \
  static i32 NAME(const T *s, G *d, u32 nx) {                                                    \
    T last = 0;                                                                                  \
    u32 id = 0;                                                                                  \
    v128_t same = SPLAT(0), ids = ID_SPLAT(0);                                                   \
    u32 x = 0;                                                                                   \
    while (x < nx) {                                                                             \
      if (x + N <= nx) {                                                                         \
        u32 equal = 0;                                                                           \
        for (u32 k = 0; k < NS; k++)                                                             \
          equal |= (u32)BITMASK(EQ(wasm_v128_load(s + x + k * (N / NS)), same)) << (k * (N / NS)); \
        for (u32 k = 0; k < ND; k++) wasm_v128_store(d + x + k * (N / ND), ids);                 \
        if (equal == (1u << N) - 1u) {                                                           \
          x += N;                                                                                \
          continue;                                                                              \
        }                                                                                        \
        x += (u32)__builtin_ctz(~equal); /* the first change */                                  \
      }                                                                                          \
      const T v = s[x];                                                                          \
      if (v != last) {                                                                           \
        last = v;                                                                                \
        const i32 next = lookup((u64)v);                                                         \
        if (next < 0) return next;                                                               \
        if ((u32)next != id) {                                                                   \
          id_runs[id]++;                                                                         \
          id_runs[next]++;                                                                       \
          id = (u32)next;                                                                        \
        }                                                                                        \
        same = SPLAT(last);                                                                      \
        ids = ID_SPLAT((G)id);                                                                   \
      }                                                                                          \
      d[x++] = (G)id;                                                                            \
    }                                                                                            \
    return 0;                                                                                    \
  }

COMPACT_ROW(row8_16, u8, u16, 16, 1, 2, wasm_u8x16_splat, wasm_i8x16_eq, wasm_i8x16_bitmask, wasm_u16x8_splat)
COMPACT_ROW(row16_16, u16, u16, 8, 1, 1, wasm_u16x8_splat, wasm_i16x8_eq, wasm_i16x8_bitmask, wasm_u16x8_splat)
COMPACT_ROW(row32_16, u32, u16, 8, 2, 1, wasm_u32x4_splat, wasm_i32x4_eq, wasm_i32x4_bitmask, wasm_u16x8_splat)
COMPACT_ROW(row32_32, u32, u32, 4, 1, 1, wasm_u32x4_splat, wasm_i32x4_eq, wasm_i32x4_bitmask, wasm_u32x4_splat)
COMPACT_ROW(row64_16, u64, u16, 8, 4, 1, wasm_u64x2_splat, wasm_i64x2_eq, wasm_i64x2_bitmask, wasm_u16x8_splat)
COMPACT_ROW(row64_32, u64, u32, 4, 2, 1, wasm_u64x2_splat, wasm_i64x2_eq, wasm_i64x2_bitmask, wasm_u32x4_splat)

/* the compaction in progress: volume nz×ny×nx at (lz, ly, lx) in a P×Q×R grid */
static u32 c_bytes, c_gbytes, c_nz, c_ny, c_nx, c_lz, c_ly, c_lx, c_P, c_Q, c_R;
static u8 *c_grid;
static u32 c_z, c_y; /* the next input row */

static void zero_ids(u32 from, u32 count) {
  __builtin_memset(c_grid + (uint64_t)from * c_gbytes, 0, (uint64_t)count * c_gbytes);
}

/**
 * Start compacting an `nz×ny×nx` label volume (`bytes` 1, 2, 4 or 8 per value; `is_signed`:
 * signed values, for the labels' numbers) into the `P×Q×R` grid at `grid` of `grid_bytes` (2 or 4)
 * per id, the volume at (lz, ly, lx), the rest background (0). With `only_wanted`, only the labels
 * among the `n_want` distinct values at `want` (u64, each as the bits it has in the labels' type)
 * get ids; the others are background. Then pass the rows to mc_compact_rows. Returns 0, or -1
 * when out of memory.
 */
i32 EXPORT(mc_compact_begin)(u32 bytes, u32 is_signed, u32 nz, u32 ny, u32 nx, u32 lz, u32 ly,
                             u32 lx, u32 P, u32 Q, u32 R, u32 only_wanted, u32 want, u32 n_want,
                             u32 grid, u32 grid_bytes) {
  c_bytes = bytes, c_gbytes = grid_bytes, c_nz = nz, c_ny = ny, c_nx = nx, c_lz = lz, c_ly = ly;
  c_lx = lx, c_P = P, c_Q = Q, c_R = R, c_grid = (u8 *)(uintptr_t)grid, c_z = 0, c_y = 0;
  hkeys = 0;
  hvals = 0;
  hcount = 0;
  n_ids = 0;
  id_cap = 1024;
  id_values = (double *)(uintptr_t)mc_alloc(id_cap * 8u);
  id_runs = (u32 *)(uintptr_t)mc_alloc(id_cap * 4u);
  if (!id_values || !id_runs || table(4096) != 0) return -1;
  id_limit = grid_bytes == 2 ? 0xffffu : 0xfffffffeu;
  signed_bits = is_signed ? bytes * 8u : 0u;
  want_mode = only_wanted != 0;
  const u64 *w = (const u64 *)(uintptr_t)want;
  for (u32 i = 0; i < n_want; i++)
    if (insert(w[i], UNSEEN) != 0) return -1;
  if (new_id(0) != 0 || insert(0, 0) != 0) return -1;
  zero_ids(0, lz * Q * R); /* the planes in front of the volume */
  if (nz == 0 || ny == 0) zero_ids(lz * Q * R, (P - lz) * Q * R);
  return 0;
}

/**
 * Compact the next `rows` rows of the volume (x-rows in raster order, `nx` values each, at `src`),
 * zeroing the padding around them. Returns the number of ids so far (with 0; then mc_ids and
 * mc_runs describe them), -1 when out of memory, -2 when a 16-bit grid cannot hold the ids
 * (start again with a 32-bit one).
 */
i32 EXPORT(mc_compact_rows)(u32 src, u32 rows) {
  const u32 Q = c_Q, R = c_R, S = Q * R, nx = c_nx;
  const u8 *s = (const u8 *)(uintptr_t)src;
  for (u32 r = 0; r < rows; r++, s += nx * c_bytes) {
    const u32 pz = c_z + c_lz, py = c_y + c_ly;
    if (c_y == 0) zero_ids(pz * S, c_ly * R); /* rows in front of the plane's first */
    const u32 row = pz * S + py * R;
    zero_ids(row, c_lx);
    zero_ids(row + c_lx + nx, R - c_lx - nx);
    u8 *d = c_grid + (uint64_t)(row + c_lx) * c_gbytes;
    i32 status;
    switch (c_bytes * 8u + c_gbytes) {
      case 8 + 2: status = row8_16((const u8 *)s, (u16 *)d, nx); break;
      case 16 + 2: status = row16_16((const u16 *)s, (u16 *)d, nx); break;
      case 32 + 2: status = row32_16((const u32 *)s, (u16 *)d, nx); break;
      case 32 + 4: status = row32_32((const u32 *)s, (u32 *)d, nx); break;
      case 64 + 2: status = row64_16((const u64 *)s, (u16 *)d, nx); break;
      case 64 + 4: status = row64_32((const u64 *)s, (u32 *)d, nx); break;
      default: status = -1; /* 8- and 16-bit labels have at most 65536 ids: a 16-bit grid */
    }
    if (status != 0) return status;
    if (++c_y == c_ny) {
      zero_ids(row + R, (Q - py - 1) * R); /* rows behind the plane's last */
      c_y = 0;
      if (++c_z == c_nz) zero_ids((pz + 1) * S, (c_P - pz - 1) * S); /* planes behind the volume */
    }
  }
  return (i32)n_ids;
}

/* ---- output: per label, chains of chunks, filled through a small stage ---- */
typedef struct {
  u32 next;  /* next chunk, 0 at the end */
  u32 count; /* elements in this chunk (its capacity until the chunk is closed) */
} Chunk;

typedef struct {
  float *pcur, *pend; /* positions: write cursor and end of the current chunk */
  u32 *icur, *iend;   /* indices: same */
  Chunk *ptail, *itail;
  u32 phead, ihead;           /* first chunks (0: none yet) */
  u32 nv, ni;                 /* vertices and indices so far, staged ones included */
  float *spcur, *spend, *sp;  /* staged positions: cursor, end, start */
  u32 *sicur, *siend, *si;    /* staged indices: same */
} Label;

static Label *labels;
static u32 n_labels;
static u32 *summary;

/** After a march, per compact id k: summary[4k..4k+3] = first position chunk, first index chunk,
 * vertices, indices. */
u32 EXPORT(mc_summary)(void) { return (u32)(uintptr_t)summary; }

static int new_chunk(Chunk **tail, u32 *head, u32 elems, void **cur, void **end) {
  u32 p = mc_alloc(8u + elems * 4u);
  if (p == 0) return -1;
  Chunk *c = (Chunk *)(uintptr_t)p;
  c->next = 0;
  c->count = elems;
  if (*tail) {
    (*tail)->count = (u32)(((u8 *)*cur - ((u8 *)*tail + 8)) / 4); /* close the previous chunk */
    (*tail)->next = p;
  } else {
    *head = p;
  }
  *tail = c;
  *cur = (u8 *)c + 8;
  *end = (u8 *)*cur + elems * 4u;
  return 0;
}

/* Chunks double the label's storage, so that a label has few of them. */
static int grow_positions(Label *l) {
  u32 have = l->nv * 3u;
  u32 elems = have < 768u ? 768u : have;
  if (elems > (1u << 24)) elems = 1u << 24;
  return new_chunk(&l->ptail, &l->phead, elems, (void **)&l->pcur, (void **)&l->pend);
}

static int grow_indices(Label *l) {
  u32 have = l->ni;
  u32 elems = have < 1536u ? 1536u : have;
  if (elems > (1u << 24)) elems = 1u << 24;
  return new_chunk(&l->itail, &l->ihead, elems, (void **)&l->icur, (void **)&l->iend);
}

/** Move a label's staged indices to its chunks. */
static NOINLINE int drain_indices(Label *l) {
  const u32 *from = l->si;
  u32 n = (u32)(l->sicur - from);
  while (n != 0) {
    if (l->icur == l->iend && grow_indices(l) != 0) return -1;
    const u32 room = (u32)(l->iend - l->icur), k = n < room ? n : room;
    __builtin_memcpy(l->icur, from, k * 4u);
    l->icur += k;
    from += k;
    n -= k;
  }
  l->sicur = l->si;
  return 0;
}

/** Move a label's staged positions to its chunks. */
static NOINLINE int drain_positions(Label *l) {
  const float *from = l->sp;
  u32 n = (u32)(l->spcur - from);
  while (n != 0) {
    if (l->pcur == l->pend && grow_positions(l) != 0) return -1;
    const u32 room = (u32)(l->pend - l->pcur), k = n < room ? n : room;
    __builtin_memcpy(l->pcur, from, k * 4u);
    l->pcur += k;
    from += k;
    n -= k;
  }
  l->spcur = l->sp;
  return 0;
}

/* ---- the march ---- */
/* Vertex-id cache (-1: none): per lattice point (y, x) 8 slots for the two planes of the layer,
 * by plane parity [x-edge side 0/1, y-edge side 0/1], then from Q*R*8 on 2 slots for the
 * layer's z-edges [side 0/1]. */
static i32 *cache;
static i32 *written[3]; /* slots written, by group: plane parity 0, parity 1, z-edges */
static u32 n_written[3];
static double g_ox, g_oy, g_oz, g_rx, g_ry, g_rz; /* origin and spacing of the march */

/** Drain every label's stage, close its last chunks and write the per-label summary. */
static int finish(void) {
  for (u32 k = 0; k < n_labels; k++) {
    Label *l = &labels[k];
    if (drain_indices(l) != 0 || drain_positions(l) != 0) return -1;
    if (l->ptail) l->ptail->count = (u32)(l->pcur - (float *)((u8 *)l->ptail + 8));
    if (l->itail) l->itail->count = (u32)(l->icur - (u32 *)((u8 *)l->itail + 8));
    summary[4 * k] = l->phead;
    summary[4 * k + 1] = l->ihead;
    summary[4 * k + 2] = l->nv;
    summary[4 * k + 3] = l->ni;
  }
  return 0;
}

static void begin_layer(u32 cz, int first) {
  /* plane cz + 1 reuses the slots of plane cz - 1; z-edges are per layer */
  for (int g = 0; g < 3; g++) {
    if (!first && g == (int)(cz & 1u)) continue; /* plane cz: still shared with the layer below */
    i32 *list = written[g];
    for (u32 i = 0, n = n_written[g]; i < n; i++) cache[list[i]] = -1;
    n_written[g] = 0;
  }
}

static int setup(u32 Q, u32 R, u32 nlab, double ox, double oy, double oz, double rx, double ry,
                 double rz) {
  g_ox = ox, g_oy = oy, g_oz = oz, g_rx = rx, g_ry = ry, g_rz = rz;
  n_labels = nlab;
  /* stages of up to 4 KiB of indices and 3 KiB of positions per label, 7 MiB in all at most */
  u32 stage = 1024u;
  while (stage > 16u && (uint64_t)stage * nlab > (1u << 20)) stage >>= 1;
  const u32 pstage = stage / 4u * 3u;
  labels = (Label *)(uintptr_t)mc_alloc(nlab * (u32)sizeof(Label));
  summary = (u32 *)(uintptr_t)mc_alloc(nlab * 16u);
  u32 *istage = (u32 *)(uintptr_t)mc_alloc(nlab * stage * 4u);
  float *pstages = (float *)(uintptr_t)mc_alloc(nlab * pstage * 4u);
  cache = (i32 *)(uintptr_t)mc_alloc(Q * R * 10u * 4u);
  for (int g = 0; g < 3; g++) written[g] = (i32 *)(uintptr_t)mc_alloc(Q * R * 4u * 4u);
  if (!labels || !summary || !istage || !pstages || !cache || !written[0] || !written[1] || !written[2])
    return -1;
  __builtin_memset(labels, 0, nlab * sizeof(Label));
  for (u32 k = 0; k < nlab; k++) {
    Label *l = &labels[k];
    l->si = l->sicur = istage + k * stage;
    l->siend = l->si + stage;
    l->sp = l->spcur = pstages + k * pstage;
    l->spend = l->sp + pstage;
  }
  __builtin_memset(cache, 0xff, Q * R * 10u * 4u);
  n_written[0] = n_written[1] = n_written[2] = 0;
  for (int parity = 0; parity < 2; parity++)
    for (u32 t = 0; t < n_entries; t++) {
      const int e = tri_edges[t], a = edge_a[e], axis = edge_axis[e];
      const u32 point = ((a >> 1) & 1) * R + (a & 1); /* the edge's lower corner from the cell's */
      const u32 plane = (parity + edge_dz[e]) & 1;    /* the parity of the edge's plane */
      entry_base[parity][t] = axis == 2 ? (i32)(Q * R * 8u + point * 2u + entry_side[t])
                                        : (i32)(point * 8u + plane * 4u + axis * 2u + entry_side[t]);
      entry_group[parity][t] = axis == 2 ? 2 : (u8)plane;
      entry_shift[t] = axis == 2 ? 1 : 3;
    }
  return 0;
}

/**
 * A new vertex of label l for cache slot `slot` (group g) on edge e of cell (pos = cy * R + cx,
 * cy, cz), positioned as the TypeScript path computes it, so that the floats are identical.
 */
static NOINLINE i32 emit_vertex(Label *l, u32 slot, u32 g, u32 e, u32 pos, u32 cy, u32 R, u32 cz) {
  if (l->spend - l->spcur < 3 && drain_positions(l) != 0) return -1;
  const double gx = (g_ox + (double)pos) - (double)(cy * R);
  const double gy = g_oy + (double)cy;
  const double gz = g_oz + (double)cz;
  float *p = l->spcur;
  p[0] = (float)((gx + edge_x[e]) * g_rx);
  p[1] = (float)((gy + edge_y[e]) * g_ry);
  p[2] = (float)((gz + edge_z[e]) * g_rz);
  l->spcur = p + 3;
  const i32 v = (i32)l->nv++;
  cache[slot] = v;
  written[g][n_written[g]++] = (i32)slot;
  return v;
}

/* One corner of a triangle: the vertex id from the cache, or a new vertex. */
#define ENTRY(K)                                                                                 \
  {                                                                                              \
    const u32 slot = (u32)eb[t + K] + (pos << entry_shift[t + K]);                              \
    i32 v = cache[slot];                                                                         \
    if (v < 0) {                                                                                 \
      v = emit_vertex(l, slot, eg[t + K], tri_edges[t + K], pos, cy, R, cz);                     \
      if (v < 0) return -1;                                                                      \
    }                                                                                            \
    I[K] = (u32)v;                                                                               \
  }

/* The triangles of every non-background label of cell (pos, cy, cz): `nonzero` has bit i set when
 * corner i is not background, CORNER(i) is the label of corner i, MASK_OF(L) the corners of L. */
#define CELL_LABELS(CORNER, MASK_OF)                                                             \
  {                                                                                              \
    u32 rest = nonzero;                                                                          \
    while (rest != 0) {                                                                          \
      const u32 L = CORNER(__builtin_ctz(rest));                                                 \
      const u32 mask = MASK_OF(L);                                                               \
      rest &= ~mask;                                                                             \
      if (owner && owner[L] != me) continue;                                                     \
      const u32 t0 = tri_start[mask], t1 = tri_start[mask + 1];                                  \
      Label *l = &labels[L];                                                                     \
      if ((u32)(l->siend - l->sicur) < t1 - t0 && drain_indices(l) != 0) return -1;              \
      u32 *I = l->sicur;                                                                         \
      for (u32 t = t0; t < t1; t += 3, I += 3) {                                                 \
        ENTRY(0) ENTRY(1) ENTRY(2)                                                               \
      }                                                                                          \
      l->ni += t1 - t0;                                                                          \
      l->sicur = I;                                                                              \
    }                                                                                            \
  }

static inline u32 load32(const void *p) {
  u32 v;
  __builtin_memcpy(&v, p, 4);
  return v;
}

static inline u64 load64(const void *p) {
  u64 v;
  __builtin_memcpy(&v, p, 8);
  return v;
}

/* Bit i set when cell x + i of rows r0..r3 (z,y / z,y+1 / z+1,y / z+1,y+1) has corners of more
 * than one label: its eight corners compared at once for LANES cells. */
#define MIXED(EQ, BITMASK, LANES)                                                                \
  ({                                                                                             \
    const v128_t a0 = wasm_v128_load(r0 + x);                                                    \
    const v128_t same = wasm_v128_and(                                                           \
        wasm_v128_and(wasm_v128_and(EQ(a0, wasm_v128_load(r0 + x + 1)), EQ(a0, wasm_v128_load(r1 + x))), \
                      wasm_v128_and(EQ(a0, wasm_v128_load(r1 + x + 1)), EQ(a0, wasm_v128_load(r2 + x)))), \
        wasm_v128_and(wasm_v128_and(EQ(a0, wasm_v128_load(r2 + x + 1)), EQ(a0, wasm_v128_load(r3 + x))), \
                      EQ(a0, wasm_v128_load(r3 + x + 1))));                                      \
    u32 bits = ~(u32)BITMASK(same) & ((1u << LANES) - 1u);                                       \
    if (x + LANES + 1 > R) bits &= (1u << (R - 1 - x)) - 1u; /* past the row's last cell */      \
    bits;                                                                                        \
  })

/* the march in progress */
static const u8 *m_cid, *m_owner;
static u32 m_P, m_Q, m_R, m_me, m_bytes;

/**
 * Start meshing the `P×Q×R` grid (z,y,x) of `nlab` compact ids at `cid`, `grid_bytes` (2 or 4)
 * each, with at least 16 bytes of memory after it; with `owner` (nonzero), only the ids whose
 * owner byte is `me`. The vertex of lattice point i along an axis is at (i + origin) * spacing.
 * Then mesh the layers of cells in order with mc_march_layers and call mc_march_end. Returns 0,
 * or -1 when out of memory.
 */
i32 EXPORT(mc_march_begin)(u32 cid, u32 grid_bytes, u32 P, u32 Q, u32 R, u32 nlab, u32 owner, u32 me,
                           double ox, double oy, double oz, double rx, double ry, double rz) {
  m_cid = (const u8 *)(uintptr_t)cid, m_owner = (const u8 *)(uintptr_t)owner;
  m_P = P, m_Q = Q, m_R = R, m_me = me, m_bytes = grid_bytes;
  return setup(Q, R, nlab, ox, oy, oz, rx, ry, rz);
}

/* Layers z0..z1 of cells (between planes cz and cz + 1) of a grid of T ids, LANES cells at a time. */
#define MARCH_LAYERS(NAME, T, LANES, EQ, BITMASK, CORNERS)                                       \
  static NOINLINE i32 NAME(u32 z0, u32 z1) {                                                     \
    const T *cid = (const T *)m_cid;                                                             \
    const u8 *owner = m_owner;                                                                   \
    const u32 me = m_me, Q = m_Q, R = m_R, S = Q * R;                                            \
    for (u32 cz = z0; cz < z1; cz++) {                                                           \
      begin_layer(cz, cz == 0);                                                                  \
      const i32 *eb = entry_base[cz & 1u];                                                       \
      const u8 *eg = entry_group[cz & 1u];                                                       \
      for (u32 cy = 0; cy + 1 < Q; cy++) {                                                       \
        const T *r0 = cid + cz * S + cy * R, *r1 = r0 + R, *r2 = r0 + S, *r3 = r2 + R;           \
        for (u32 x = 0; x + 1 < R; x += LANES) {                                                 \
          for (u32 todo = MIXED(EQ, BITMASK, LANES); todo != 0; todo &= todo - 1u) {             \
            const u32 cx = x + (u32)__builtin_ctz(todo), pos = cy * R + cx;                      \
            CORNERS                                                                              \
          }                                                                                      \
        }                                                                                        \
      }                                                                                          \
    }                                                                                            \
    return 0;                                                                                    \
  }

/* 16-bit ids: corners 0..7 (bit 0: +x, bit 1: +y, bit 2: +z) as the u16 lanes of one vector */
#define CORNERS16                                                                                \
  const v128_t c = wasm_i32x4_make((i32)load32(r0 + cx), (i32)load32(r1 + cx),                   \
                                   (i32)load32(r2 + cx), (i32)load32(r3 + cx));                  \
  u16 corner[8];                                                                                 \
  wasm_v128_store(corner, c);                                                                    \
  const u32 nonzero = ~(u32)wasm_i16x8_bitmask(wasm_i16x8_eq(c, wasm_i16x8_splat(0))) & 0xffu;   \
  CELL_LABELS(CORNER, MASK16)
#define CORNER(i) corner[i]
#define MASK16(L) (u32) wasm_i16x8_bitmask(wasm_i16x8_eq(c, wasm_i16x8_splat((i16)(L))))

/* 32-bit ids: corners 0..3 and 4..7 as the u32 lanes of two vectors */
#define CORNERS32                                                                                \
  const v128_t lo = wasm_i64x2_make((int64_t)load64(r0 + cx), (int64_t)load64(r1 + cx));         \
  const v128_t hi = wasm_i64x2_make((int64_t)load64(r2 + cx), (int64_t)load64(r3 + cx));         \
  u32 corner[8];                                                                                 \
  wasm_v128_store(corner, lo);                                                                   \
  wasm_v128_store(corner + 4, hi);                                                               \
  const v128_t zero = wasm_i32x4_splat(0);                                                       \
  const u32 nonzero = ~((u32)wasm_i32x4_bitmask(wasm_i32x4_eq(lo, zero)) |                       \
                        ((u32)wasm_i32x4_bitmask(wasm_i32x4_eq(hi, zero)) << 4)) &               \
                      0xffu;                                                                     \
  CELL_LABELS(CORNER, MASK32)
#define MASK32(L)                                                                                \
  ((u32)wasm_i32x4_bitmask(wasm_i32x4_eq(lo, wasm_i32x4_splat((i32)(L)))) |                      \
   ((u32)wasm_i32x4_bitmask(wasm_i32x4_eq(hi, wasm_i32x4_splat((i32)(L)))) << 4))

MARCH_LAYERS(layers16, u16, 8, wasm_i16x8_eq, wasm_i16x8_bitmask, CORNERS16)
MARCH_LAYERS(layers32, u32, 4, wasm_i32x4_eq, wasm_i32x4_bitmask, CORNERS32)

/**
 * Mesh layers `z0..z1` of cells (cz: between planes cz and cz + 1), continuing from the last call
 * (called in slices, so that the engine can switch to optimised code between them). Returns 0,
 * or -1 when out of memory.
 */
i32 EXPORT(mc_march_layers)(u32 z0, u32 z1) {
  if (m_P < 2u) return 0;
  if (z1 > m_P - 1u) z1 = m_P - 1u;
  return m_bytes == 2 ? layers16(z0, z1) : layers32(z0, z1);
}

/** Finish the march: returns 0, then mc_summary describes the output, or -1 when out of memory. */
i32 EXPORT(mc_march_end)(void) { return finish(); }
