/*
 * Multi-label marching-cubes kernel of @tessera/mesh, compiled to WebAssembly by build.sh beside
 * this file (clang + wasm-ld, no libc). It does in one pass what `march()` in src/mc-march.ts does
 * (that TypeScript path stays the reference and the worker-thread path): walk the cells of a padded
 * grid of compact label ids in raster order, skip cells whose eight corners are one label, and for
 * each non-background label of a cell append the triangles of its corner configuration, sharing
 * crossing vertices through a cache keyed by lattice edge and side. Vertices and triangles are
 * emitted in the same order as the TypeScript path, so the meshes are identical.
 *
 * The case tables are not typed in here: the host copies the ones src/mc-tables.ts derives into
 * the buffers below (mc_init). Output lives in this module's memory as per-label chains of chunks
 * (header: next chunk, element count; then the elements), which the host copies out.
 */
#include <stdint.h>
#include <wasm_simd128.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef int32_t i32;

#define MAX_ENTRIES 4096
#define EXPORT(name) __attribute__((export_name(#name))) name
#define PAGE 65536u

/* ---- tables (filled by the host, then completed by mc_init) ---- */
static u16 tri_start[257];
static u8 tri_edges[MAX_ENTRIES];
static u8 edge_a[12];
static u8 edge_axis[12];
static u8 entry_side[MAX_ENTRIES];
static i32 edge_dz[12];
static double edge_x[12], edge_y[12], edge_z[12];
static i32 entry_base[2][MAX_ENTRIES]; /* per plane parity: cache slot of an entry from its cell's point */
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

/* ---- output: per label, chains of chunks ---- */
typedef struct {
  u32 next;  /* next chunk, 0 at the end */
  u32 count; /* elements in this chunk (its capacity until the chunk is closed) */
} Chunk;

typedef struct {
  float *pcur, *pend; /* positions: write cursor and end of the current chunk */
  u32 *icur, *iend;   /* indices: same */
  Chunk *ptail, *itail;
  u32 phead, ihead;   /* first chunks (0: none yet) */
  u32 nv, ni;         /* vertices and indices so far */
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

static int grow_positions(Label *l) {
  u32 have = l->nv * 3u;
  u32 elems = have < 768u ? 768u : have; /* double the label's storage */
  if (elems > (1u << 24)) elems = 1u << 24;
  return new_chunk(&l->ptail, &l->phead, elems, (void **)&l->pcur, (void **)&l->pend);
}

static int grow_indices(Label *l) {
  u32 have = l->ni;
  u32 elems = have < 1536u ? 1536u : have;
  if (elems > (1u << 24)) elems = 1u << 24;
  return new_chunk(&l->itail, &l->ihead, elems, (void **)&l->icur, (void **)&l->iend);
}

/* ---- the march ---- */
static i32 *cache;       /* Q*R*16 vertex ids (-1: none), layout as in mc-march.ts */
static i32 *written[3];  /* slots written, by group: plane parity 0, parity 1, z-edges */
static u32 n_written[3];
static i32 edge_off[12];

/** Close every label's last chunks and write the per-label summary. */
static void finish(void) {
  for (u32 k = 0; k < n_labels; k++) {
    Label *l = &labels[k];
    if (l->ptail) l->ptail->count = (u32)(l->pcur - (float *)((u8 *)l->ptail + 8));
    if (l->itail) l->itail->count = (u32)(l->icur - (u32 *)((u8 *)l->itail + 8));
    summary[4 * k] = l->phead;
    summary[4 * k + 1] = l->ihead;
    summary[4 * k + 2] = l->nv;
    summary[4 * k + 3] = l->ni;
  }
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

#define MARCH(NAME, T, LANES, SPLAT)                                                                            \
  i32 EXPORT(NAME)(u32 cid_ptr, u32 P, u32 Q, u32 R, u32 nlab, u32 owner_ptr, u32 me, double ox, double oy, \
           double oz, double rx, double ry, double rz) {                                           \
    const T *cid = (const T *)(uintptr_t)cid_ptr;                                                   \
    const u8 *owner = (const u8 *)(uintptr_t)owner_ptr;                                            \
    const u32 S = Q * R;                                                                            \
    if (setup(Q, R, nlab) != 0) return -1;                                                          \
    for (u32 cz = 0; cz + 1 < P; cz++) {                                                            \
      begin_layer(cz, cz == 0);                                                                     \
      const i32 *eb = entry_base[cz & 1u];                                                          \
      const double gz = oz + (double)cz;                                                            \
      for (u32 cy = 0; cy + 1 < Q; cy++) {                                                          \
        u32 base = cz * S + cy * R;                                                                 \
        u32 a0 = cid[base], a2 = cid[base + R], a4 = cid[base + S], a6 = cid[base + S + R];         \
        int flat = a0 == a2 && a0 == a4 && a0 == a6;                                                \
        const u32 row = cy * R;                                                                     \
        for (u32 cx = 0; cx + 1 < R; cx++, base++) {                                                \
          if (flat && cx + LANES <= R) {                                                            \
            /* LANES points of all four rows equal to the left face: LANES - 1 uniform cells */     \
            const v128_t l = SPLAT(a0);                                                             \
            const v128_t same = wasm_v128_and(                                                      \
                wasm_v128_and(EQ(wasm_v128_load(cid + base), l), EQ(wasm_v128_load(cid + base + R), l)), \
                wasm_v128_and(EQ(wasm_v128_load(cid + base + S), l),                                \
                              EQ(wasm_v128_load(cid + base + S + R), l)));                          \
            if (wasm_v128_any_true(wasm_v128_not(same)) == 0) {                                     \
              cx += LANES - 2;                                                                      \
              base += LANES - 2;                                                                    \
              continue;                                                                             \
            }                                                                                       \
          }                                                                                         \
          const u32 a1 = cid[base + 1], a3 = cid[base + R + 1], a5 = cid[base + S + 1],             \
                    a7 = cid[base + S + R + 1];                                                     \
          if (flat && a1 == a0 && a3 == a0 && a5 == a0 && a7 == a0) continue;                       \
          const u32 c[8] = {a0, a1, a2, a3, a4, a5, a6, a7};                                        \
          const u32 pos = row + cx;                                                                 \
          if (cell(c, pos, cy, R, eb, owner, me, ox, oy, gz, rx, ry, rz) != 0) return -1;           \
          flat = a1 == a3 && a1 == a5 && a1 == a7;                                                  \
          a0 = a1;                                                                                  \
          a2 = a3;                                                                                  \
          a4 = a5;                                                                                  \
          a6 = a7;                                                                                  \
        }                                                                                           \
      }                                                                                             \
    }                                                                                               \
    finish();                                                                                       \
    return 0;                                                                                       \
  }

static int setup(u32 Q, u32 R, u32 nlab) {
  n_labels = nlab;
  labels = (Label *)(uintptr_t)mc_alloc(nlab * (u32)sizeof(Label));
  summary = (u32 *)(uintptr_t)mc_alloc(nlab * 16u);
  cache = (i32 *)(uintptr_t)mc_alloc(Q * R * 16u * 4u);
  for (int g = 0; g < 3; g++) written[g] = (i32 *)(uintptr_t)mc_alloc(Q * R * 4u * 4u);
  if (!labels || !summary || !cache || !written[0] || !written[1] || !written[2]) return -1;
  __builtin_memset(labels, 0, nlab * sizeof(Label));
  __builtin_memset(cache, 0xff, Q * R * 16u * 4u);
  n_written[0] = n_written[1] = n_written[2] = 0;
  for (int e = 0; e < 12; e++) {
    int a = edge_a[e], axis = edge_axis[e];
    edge_off[e] = (i32)((((a >> 1) & 1) * R + (a & 1)) * 16u) + (axis == 2 ? 8 : axis * 2);
  }
  for (int parity = 0; parity < 2; parity++)
    for (u32 t = 0; t < n_entries; t++) {
      int e = tri_edges[t];
      entry_base[parity][t] =
          edge_off[e] + (edge_axis[e] == 2 ? 0 : ((parity + edge_dz[e]) & 1) * 4) + entry_side[t];
    }
  return 0;
}

static inline __attribute__((always_inline)) int cell(const u32 *c, u32 pos, u32 cy, u32 R,
                                                      const i32 *eb, const u8 *owner, u32 me,
                                                      double ox, double oy, double gz, double rx,
                                                      double ry, double rz) {
  const double gx = (ox + (double)pos) - (double)(cy * R);
  const double gy = oy + (double)cy;
  const u32 cell16 = pos * 16u;
  u32 rest = 0;
  for (int i = 0; i < 8; i++) rest |= (c[i] != 0) << i;
  while (rest != 0) {
    const u32 L = c[__builtin_ctz(rest)];
    u32 mask = 0;
    for (int i = 0; i < 8; i++) mask |= (c[i] == L) << i;
    rest &= ~mask;
    if (owner && owner[L] != me) continue;
    const u32 t0 = tri_start[mask], t1 = tri_start[mask + 1];
    Label *l = &labels[L];
    if ((u32)(l->iend - l->icur) < t1 - t0 && grow_indices(l) != 0) return -1;
    u32 *I = l->icur;
    for (u32 t = t0; t < t1; t++) {
      const u32 slot = (u32)eb[t] + cell16;
      i32 v = cache[slot];
      if (v < 0) {
        if (l->pend - l->pcur < 3 && grow_positions(l) != 0) return -1;
        const int e = tri_edges[t];
        v = (i32)l->nv++;
        float *p = l->pcur;
        p[0] = (float)((gx + edge_x[e]) * rx);
        p[1] = (float)((gy + edge_y[e]) * ry);
        p[2] = (float)((gz + edge_z[e]) * rz);
        l->pcur = p + 3;
        cache[slot] = v;
        const u32 g = (slot & 12u) >> 2;
        written[g][n_written[g]++] = (i32)slot;
      }
      *I++ = (u32)v;
    }
    l->ni += t1 - t0;
    l->icur = I;
  }
  return 0;
}

#define EQ wasm_i16x8_eq
MARCH(mc_march16, u16, 8, wasm_u16x8_splat)
#undef EQ
#define EQ wasm_i32x4_eq
MARCH(mc_march32, u32, 4, wasm_u32x4_splat)
#undef EQ
