/*
 * The SGEMM driver: GotoBLAS/BLIS-style blocking and packing around the
 * per-ISA register-blocked microkernels (sgemm_<isa>.c, sgemm_kernels.h).
 *
 * Each task (a rectangle of C; one per thread) runs
 *
 *   for ic in rows, step mc:                 a block of A rows
 *     for pc in k, step kc:                  a k block
 *       pack op(A)[ic.., pc..] into h x kc panels (h <= mr)      -> L2
 *       for jc in columns, step nc:
 *         pack op(B)[pc.., jc..] into kc x nr panels             -> L2
 *         for each A panel:                  stays in L1
 *           for each B panel:                streams from L2
 *             microkernel: the h x nr tile of C
 *
 * or, when B is row-major (not transposed) and suitably laid out, without
 * packing B at all: each full nr-wide panel of B is read in place (kc rows,
 * ldb apart) by every A panel in turn while it sits in L1/L2 (see run_task).
 *
 * The first k block folds beta * C in (beta == 0 never reads C), later ones
 * accumulate, and the last applies the epilogue (bias, then activation) while
 * the tile is still in registers. A panels are balanced (a 64-row block with
 * mr = 12 is six panels of 10-11 rows, not five of 12 and one of 4); B panels
 * are nr wide except the last, which is rounded up to the vector length only.
 * k, m and n blocks are balanced too (k = 576 is three blocks of 192).
 *
 * Threads: C is cut into tm x tn tasks (tm * tn <= threads) by a small cost
 * model: compute, plus packing, which a split duplicates (a split along n
 * repacks A in every task, one along m repacks B). Each task packs into its
 * own workspace slice, picked by the `thread` index dk_pool_for passes, so
 * tasks share nothing but A and B (read) and write disjoint parts of C. The
 * arithmetic per element of C does not depend on the split, so results are
 * bit-identical for any thread count.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../base/cpu.h"
#include "sgemm_kernels.h"

#if defined(__x86_64__)
#include <xmmintrin.h>
#define DK_PACK_SSE 1
#elif defined(__aarch64__)
#include <arm_neon.h>
#define DK_PACK_NEON 1
#endif

#define DK_ALIGN_FLOATS 16 /* 64 bytes */
#define DK_PACK_AHEAD 4    /* rows of B prefetched ahead while packing */

static size_t min_sz(size_t x, size_t y) { return x < y ? x : y; }
static size_t div_up(size_t x, size_t y) { return (x + y - 1) / y; }
static size_t round_up(size_t x, size_t y) { return div_up(x, y) * y; }

static const dk_sgemm_isa_cfg *const all_cfgs[] = {
    &dk_sgemm_cfg_scalar,
#if defined(__x86_64__)
    &dk_sgemm_cfg_avx2,
    &dk_sgemm_cfg_avx512,
#endif
#if defined(__aarch64__)
    &dk_sgemm_cfg_neon,
#endif
};

static const dk_sgemm_isa_cfg *cfg_for(dk_isa isa) {
    switch (isa) {
#if defined(__x86_64__)
    case DK_ISA_AVX512: return &dk_sgemm_cfg_avx512;
    case DK_ISA_AVX2: return &dk_sgemm_cfg_avx2;
#endif
#if defined(__aarch64__)
    case DK_ISA_NEON: return &dk_sgemm_cfg_neon;
#endif
    default: return &dk_sgemm_cfg_scalar;
    }
}

/* Floats of packed A that one task of `g` may need: mc x kc. */
static size_t a_region(const dk_sgemm_isa_cfg *g, size_t m, size_t k) {
    return round_up(min_sz(m, g->mc) * min_sz(k, g->kc), DK_ALIGN_FLOATS);
}

/* One thread's slice: packed A, then packed B (kc x nc, nc rounded up to the vector length). */
static size_t slice_floats_cfg(const dk_sgemm_isa_cfg *g, size_t m, size_t n, size_t k) {
    return a_region(g, m, k) +
           round_up(min_sz(k, g->kc) * round_up(min_sz(n, g->nc), g->vl), DK_ALIGN_FLOATS);
}

/* Independent of the active ISA, so that a workspace sized before dk_isa_force() still fits. */
static size_t slice_floats(size_t m, size_t n, size_t k) {
    size_t most = 0;
    for (size_t i = 0; i < sizeof all_cfgs / sizeof all_cfgs[0]; i++) {
        size_t s = slice_floats_cfg(all_cfgs[i], m, n, k);
        if (s > most) most = s;
    }
    return most;
}

size_t dk_sgemm_workspace_floats(size_t m, size_t n, size_t k, int threads) {
    if (m == 0 || n == 0 || k == 0) return 0;
    if (threads < 1) threads = 1;
    return (size_t)threads * slice_floats(m, n, k);
}

/* C = beta * C, then the epilogue: the whole call when k == 0 or alpha == 0. */
static void scale_only(size_t m, size_t n, float beta, float *c, size_t ldc, const dk_epilogue *ep) {
    for (size_t i = 0; i < m; i++) {
        float *row = c + i * ldc;
        if (beta == 0.0f) {
            for (size_t j = 0; j < n; j++) row[j] = 0.0f;
        } else if (beta != 1.0f) {
            for (size_t j = 0; j < n; j++) row[j] *= beta;
        }
        if (ep != NULL) {
            if (ep->bias != NULL) {
                if (ep->bias_per_column) {
                    for (size_t j = 0; j < n; j++) row[j] += ep->bias[j];
                } else {
                    for (size_t j = 0; j < n; j++) row[j] += ep->bias[i];
                }
            }
            dk_activation_apply(ep->activation, ep->alpha, row, n);
        }
    }
}

typedef struct sgemm_ctx {
    const dk_sgemm_isa_cfg *g;
    int trans_a, trans_b;
    size_t m, n, k;
    float alpha, beta;
    const float *a, *b;
    size_t lda, ldb, ldc;
    float *c;
    const dk_epilogue *ep;
    float *workspace;
    size_t slice;    /* floats per thread */
    size_t b_offset; /* where packed B starts in a slice */
    size_t tm, tn;   /* the task grid */
    int direct_ok;      /* B may be read in place (b_in_place_ok) */
    int b_rows_aligned; /* every row of B starts on a cache line */
    const float *packed_a; /* dk_sgemm_packed: A already in panels (see dk_sgemm_pack_a), or NULL */
    const dk_sgemm_b_source *b_source; /* dk_sgemm_implicit: B's panels come from here, or NULL */
} sgemm_ctx;

/* The rows of a block of mc, split into div_up(mc, mr) panels whose heights differ by at most one. */
typedef struct panels {
    size_t count, base, extra;
} panels;

static panels split_panels(size_t mc, size_t mr) {
    panels p;
    p.count = div_up(mc, mr);
    p.base = mc / p.count;
    p.extra = mc % p.count;
    return p;
}
static size_t panel_height(panels p, size_t q) { return p.base + (q < p.extra); }
static size_t panel_start(panels p, size_t q) { return q * p.base + min_sz(q, p.extra); }

/*
 * dst[p * stride + i] = src[i * ld + p] for i < rows, p < kc: a transposing
 * copy, 4 x 4 blocks at a time in registers (SSE is baseline on x86_64).
 */
static void pack_transpose(const float *src, size_t ld, size_t rows, size_t kc, float *dst, size_t stride) {
    size_t i = 0;
#if defined(DK_PACK_SSE) || defined(DK_PACK_NEON)
    for (; i + 4 <= rows; i += 4) {
        const float *s0 = src + i * ld, *s1 = s0 + ld, *s2 = s1 + ld, *s3 = s2 + ld;
        float *d = dst + i;
        size_t p = 0;
        for (; p + 4 <= kc; p += 4) {
#if defined(DK_PACK_SSE)
            __m128 r0 = _mm_loadu_ps(s0 + p), r1 = _mm_loadu_ps(s1 + p);
            __m128 r2 = _mm_loadu_ps(s2 + p), r3 = _mm_loadu_ps(s3 + p);
            __m128 t0 = _mm_unpacklo_ps(r0, r1), t1 = _mm_unpackhi_ps(r0, r1);
            __m128 t2 = _mm_unpacklo_ps(r2, r3), t3 = _mm_unpackhi_ps(r2, r3);
            _mm_storeu_ps(d + p * stride, _mm_movelh_ps(t0, t2));
            _mm_storeu_ps(d + (p + 1) * stride, _mm_movehl_ps(t2, t0));
            _mm_storeu_ps(d + (p + 2) * stride, _mm_movelh_ps(t1, t3));
            _mm_storeu_ps(d + (p + 3) * stride, _mm_movehl_ps(t3, t1));
#else
            float32x4x2_t t01 = vtrnq_f32(vld1q_f32(s0 + p), vld1q_f32(s1 + p));
            float32x4x2_t t23 = vtrnq_f32(vld1q_f32(s2 + p), vld1q_f32(s3 + p));
            vst1q_f32(d + p * stride, vcombine_f32(vget_low_f32(t01.val[0]), vget_low_f32(t23.val[0])));
            vst1q_f32(d + (p + 1) * stride, vcombine_f32(vget_low_f32(t01.val[1]), vget_low_f32(t23.val[1])));
            vst1q_f32(d + (p + 2) * stride, vcombine_f32(vget_high_f32(t01.val[0]), vget_high_f32(t23.val[0])));
            vst1q_f32(d + (p + 3) * stride, vcombine_f32(vget_high_f32(t01.val[1]), vget_high_f32(t23.val[1])));
#endif
        }
        for (; p < kc; p++) {
            d[p * stride] = s0[p];
            d[p * stride + 1] = s1[p];
            d[p * stride + 2] = s2[p];
            d[p * stride + 3] = s3[p];
        }
    }
#endif
    for (; i < rows; i++) {
        const float *s = src + i * ld;
        for (size_t p = 0; p < kc; p++) dst[p * stride + i] = s[p];
    }
}

/* op(A)[i0 .. i0+mc, p0 .. p0+kc) into balanced panels, each h x kc stored k-major. */
static void pack_a(const sgemm_ctx *x, size_t i0, size_t mc, size_t p0, size_t kc, float *dst) {
    panels ps = split_panels(mc, x->g->mr);
    for (size_t q = 0; q < ps.count; q++) {
        size_t h = panel_height(ps, q), r = i0 + panel_start(ps, q);
        if (!x->trans_a) {
            /* Row i of the panel is contiguous in A. */
            pack_transpose(x->a + r * x->lda + p0, x->lda, h, kc, dst, h);
        } else {
            const float *s = x->a + p0 * x->lda + r;
            for (size_t p = 0; p < kc; p++, s += x->lda) memcpy(dst + p * h, s, h * sizeof(float));
        }
        dst += h * kc;
    }
}

/* Zeroes columns [from, w) of a kc x w panel: the padding of a ragged last panel. */
static void zero_panel_tail(float *panel, size_t kc, size_t from, size_t w) {
    for (size_t p = 0; from < w && p < kc; p++) memset(panel + p * w + from, 0, (w - from) * sizeof(float));
}

/* op(B)[p0 .. p0+kc, j0 .. j0+nc) into kc x w panels (w = nr, the last rounded up to vl, zero padded). */
static void pack_b(const sgemm_ctx *x, size_t p0, size_t kc, size_t j0, size_t nc, float *dst) {
    const size_t nrmax = x->g->nr, vl = x->g->vl;
    const float *b = x->b;
    size_t ldb = x->ldb;
    if (x->b_source != NULL) {
        size_t full = nc / nrmax, tail = nc - full * nrmax, wt = round_up(tail, vl);
        dk_sgemm_panels out = {dst, kc, nrmax, full, wt};
        x->b_source->fill(x->b_source->context, p0, j0, j0 + nc, &out);
        zero_panel_tail(dst + full * nrmax * kc, kc, tail, wt);
        return;
    }
    if (!x->trans_b) {
        /* Row by row of B: each row's nc floats are one contiguous read (software
         * prefetched a few rows ahead), scattered into the nc / nr panels. */
        size_t full = nc / nrmax, tail = nc - full * nrmax, wt = round_up(tail, vl);
        float *tdst = dst + full * nrmax * kc;
        for (size_t p = 0; p < kc; p++) {
            const float *s = b + (p0 + p) * ldb + j0;
            float *d = dst + p * nrmax;
#if defined(__GNUC__) || defined(__clang__)
            if (p + DK_PACK_AHEAD < kc) {
                const char *ahead = (const char *)(s + DK_PACK_AHEAD * ldb);
                for (size_t off = 0; off < nc * sizeof(float); off += 64) __builtin_prefetch(ahead + off, 0, 3);
            }
#endif
            if (nrmax == 32) {
                for (size_t q = 0; q < full; q++, s += 32, d += 32 * kc) memcpy(d, s, 32 * sizeof(float));
            } else {
                for (size_t q = 0; q < full; q++, s += nrmax, d += nrmax * kc) memcpy(d, s, nrmax * sizeof(float));
            }
            if (tail) memcpy(tdst + p * wt, s, tail * sizeof(float));
        }
        zero_panel_tail(tdst, kc, tail, wt);
        return;
    }
    for (size_t jr = 0; jr < nc; jr += nrmax) {
        size_t nr = min_sz(nrmax, nc - jr), w = round_up(nr, vl);
        /* Column j of the panel is row j0+jr+j of B, contiguous in k. */
        pack_transpose(b + (j0 + jr) * ldb + p0, ldb, nr, kc, dst, w);
        zero_panel_tail(dst, kc, nr, w);
        dst += w * kc;
    }
}

/*
 * The A panels of one block of rows [ic, ic + mc): either packed by run_task
 * into apack (balanced over the block), or pre-packed over the whole of A
 * (balanced over all m rows, each panel h x k k-major from row r at r * k,
 * so its k block pc is the h x kc panel at r * k + pc * h).
 */
typedef struct a_block {
    const float *packed; /* pre-packed A, or NULL */
    panels ps;           /* packed: the global panels; else the block's */
    size_t q0, count;    /* packed: first global panel of the block, and how many */
    size_t ic, k;
} a_block;

static size_t block_panels(const a_block *b) { return b->packed ? b->count : b->ps.count; }

/* Panel q of the block: its height, its first row relative to ic, and its kc x h data for k block pc. */
static const float *block_panel(const a_block *b, const float *apack, size_t q, size_t pc, size_t kc, size_t *h,
                                size_t *ri) {
    if (b->packed) {
        size_t gq = b->q0 + q, r = panel_start(b->ps, gq);
        *h = panel_height(b->ps, gq);
        *ri = r - b->ic;
        return b->packed + r * b->k + pc * *h;
    }
    *h = panel_height(b->ps, q);
    *ri = panel_start(b->ps, q);
    return apack + *ri * kc;
}

/* The k block [pc, pc + kc) of one block of A rows against columns [c0, c1) of B. */
static void run_block(const sgemm_ctx *x, const a_block *ab, size_t mc, size_t pc, size_t kc, size_t c0, size_t c1,
                      float *apack, float *bpack, size_t nstep, dk_sgemm_out *outp) {
    const dk_sgemm_isa_cfg *g = x->g;
    const dk_epilogue *ep = x->ep;
    const size_t ic = ab->ic, np = block_panels(ab);
    dk_sgemm_out out = *outp;
    int last = pc + kc == x->k;
    out.beta = pc == 0 ? x->beta : 1.0f;
    out.activation = last && ep != NULL ? ep->activation : DK_ACT_NONE;
    const float *bias = last && ep != NULL ? ep->bias : NULL;
    size_t h, ri;
    /*
     * Full-width B panels straight from B (kc rows, ldb apart), each used
     * by every A panel while it is in L1/L2; only the ragged last panel is
     * packed (zero padded). This saves packing B, which costs most when
     * few A panels share each B panel. Rows that straddle cache lines
     * make every kernel load a split one, though, so then only small
     * blocks of A (few panels) go this way.
     */
    if (x->direct_ok && (x->b_rows_aligned || mc <= 128)) {
        for (size_t jr = c0; jr < c1; jr += g->nr) {
            size_t nr = min_sz(g->nr, c1 - jr);
            const float *bp = x->b + pc * x->ldb + jr;
            size_t bs = x->ldb;
            if (nr < g->nr) {
                pack_b(x, pc, kc, jr, nr, bpack);
                bp = bpack;
                bs = round_up(nr, g->vl);
            }
            out.bias = bias != NULL && out.bias_per_column ? bias + jr : NULL;
            for (size_t q = 0; q < np; q++) {
                const float *ap = block_panel(ab, apack, q, pc, kc, &h, &ri);
                if (bias != NULL && !out.bias_per_column) out.bias = bias + ic + ri;
                g->kernel(kc, ap, bp, bs, h, nr, x->c + (ic + ri) * x->ldc + jr, x->ldc, &out);
            }
        }
        return;
    }
    for (size_t jc = c0; jc < c1; jc += nstep) {
        size_t nc = min_sz(nstep, c1 - jc);
        pack_b(x, pc, kc, jc, nc, bpack);
        for (size_t q = 0; q < np; q++) {
            const float *ap = block_panel(ab, apack, q, pc, kc, &h, &ri);
            float *crow = x->c + (ic + ri) * x->ldc + jc;
            for (size_t jr = 0; jr < nc; jr += g->nr) {
                size_t nr = min_sz(g->nr, nc - jr);
                out.bias = bias == NULL ? NULL : out.bias_per_column ? bias + jc + jr : bias + ic + ri;
                g->kernel(kc, ap, bpack + jr * kc, round_up(nr, g->vl), h, nr, crow + jr, x->ldc, &out);
            }
        }
    }
}

/*
 * Rows [r0, r1) x columns [c0, c1) of C, packing into ws. With pre-packed A,
 * [r0, r1) are the rows of the global panels [q0, q1).
 */
static void run_task(const sgemm_ctx *x, size_t r0, size_t r1, size_t q0, size_t q1, size_t c0, size_t c1,
                     float *ws) {
    const dk_sgemm_isa_cfg *g = x->g;
    float *apack = ws, *bpack = ws + x->b_offset;
    size_t mtot = r1 - r0, ntot = c1 - c0, k = x->k;
    /* Balanced blocks: no tiny last block in any dimension. */
    size_t mstep = round_up(div_up(mtot, div_up(mtot, g->mc)), g->mr);
    size_t kstep = div_up(k, div_up(k, g->kc));
    size_t nstep = round_up(div_up(ntot, div_up(ntot, g->nc)), g->nr);
    const dk_epilogue *ep = x->ep;
    dk_sgemm_out out;
    memset(&out, 0, sizeof out);
    out.alpha = x->alpha;
    out.bias_per_column = ep != NULL && ep->bias_per_column;
    out.act_alpha = ep != NULL ? ep->alpha : 0.0f;
    a_block ab;
    ab.packed = x->packed_a;
    ab.k = k;
    if (x->packed_a != NULL) {
        ab.ps = split_panels(x->m, g->mr);
        size_t nq = q1 - q0, qstep = div_up(nq, div_up(mtot, g->mc));
        for (size_t qa = q0; qa < q1; qa += qstep) {
            size_t qb = min_sz(qa + qstep, q1);
            ab.q0 = qa;
            ab.count = qb - qa;
            ab.ic = panel_start(ab.ps, qa);
            size_t mc = panel_start(ab.ps, qb) - ab.ic;
            for (size_t pc = 0; pc < k; pc += kstep)
                run_block(x, &ab, mc, pc, min_sz(kstep, k - pc), c0, c1, apack, bpack, nstep, &out);
        }
        return;
    }
    for (size_t ic = r0; ic < r1; ic += mstep) {
        size_t mc = min_sz(mstep, r1 - ic);
        ab.ps = split_panels(mc, g->mr);
        ab.ic = ic;
        for (size_t pc = 0; pc < k; pc += kstep) {
            size_t kc = min_sz(kstep, k - pc);
            pack_a(x, ic, mc, pc, kc, apack);
            run_block(x, &ab, mc, pc, kc, c0, c1, apack, bpack, nstep, &out);
        }
    }
}

/* [lo, hi) of part `i` of `parts` near-equal parts of `total`, cut at multiples of `unit`. */
static void split_range(size_t total, size_t parts, size_t i, size_t unit, size_t *lo, size_t *hi) {
    size_t units = div_up(total, unit);
    size_t b = units / parts, e = units % parts;
    size_t u0 = i * b + min_sz(i, e), u1 = u0 + b + (i < e);
    *lo = min_sz(u0 * unit, total);
    *hi = min_sz(u1 * unit, total);
}

static void task_fn(void *context, size_t index, int thread) {
    const sgemm_ctx *x = context;
    size_t r0, r1, c0, c1;
    /* Column cuts on 64-byte multiples, so B panels read in place stay line-aligned. */
    split_range(x->n, x->tn, index % x->tn, 16, &c0, &c1);
    size_t q0 = 0, q1 = 0;
    if (x->packed_a != NULL) {
        /* Pre-packed A is cut at its panels. */
        panels ps = split_panels(x->m, x->g->mr);
        split_range(ps.count, x->tm, index / x->tn, 1, &q0, &q1);
        r0 = panel_start(ps, q0);
        r1 = panel_start(ps, q1);
    } else {
        split_range(x->m, x->tm, index / x->tn, 1, &r0, &r1);
    }
    if (r0 < r1 && c0 < c1) run_task(x, r0, r1, q0, q1, c0, c1, x->workspace + (size_t)thread * x->slice);
}

/*
 * Picks the task grid tm x tn (tm * tn <= threads) with the least estimated
 * time of the slowest task, in rough cycles: its share of the flops, plus its
 * packing (a split along n repacks A in every task, one along m repacks B),
 * plus a wake-up cost for going parallel at all.
 */
static void plan_tasks(const sgemm_ctx *x, int threads, size_t *tm_out, size_t *tn_out) {
    const dk_sgemm_isa_cfg *g = x->g;
    double best = 0.0;
    *tm_out = *tn_out = 1;
    /* Rough cycles per float packed (a transposing copy costs more than a straight
     * one), or just streamed when B is read in place. */
    double pa = x->packed_a != NULL ? 0.0 : x->trans_a ? 0.2 : 0.4;
    size_t mmax = x->packed_a != NULL ? div_up(x->m, g->mr) : x->m;
    double pb = x->trans_b ? 0.4 : x->direct_ok ? 0.1 : 0.25;
    for (size_t t = 1; t <= (size_t)threads; t++) {
        for (size_t tm = 1; tm <= t; tm++) {
            if (t % tm != 0) continue;
            size_t tn = t / tm;
            if (tm > mmax || tn > div_up(x->n, 16)) continue;
            double rows = (double)div_up(x->m, tm);
            double cols = (double)round_up(div_up(x->n, tn), 16);
            double kk = (double)x->k;
            double repack_b = (double)div_up((size_t)rows, g->mc);
            double cost = rows * cols * kk / 14.0 + pa * rows * kk + pb * repack_b * cols * kk +
                          (t > 1 ? 30000.0 : 0.0);
            if (t == 1 || cost < best) {
                best = cost;
                *tm_out = tm;
                *tn_out = tn;
            }
        }
    }
}

/*
 * Whether a row-major B may feed the kernels in place (see run_task): a B
 * panel row must be at least a cache line (nr >= 16 floats), and rows must
 * not be a multiple of a large power of two apart, or a panel's kc rows would
 * crowd into a few cache sets (packing is what keeps them all in cache then).
 */
static int b_in_place_ok(const dk_sgemm_isa_cfg *g, int trans_b, size_t ldb) {
    return !trans_b && g->nr >= 16 && (ldb & 127) != 0;
}

static int sgemm_impl(dk_pool *pool, int trans_a, int trans_b, size_t m, size_t n, size_t k, float alpha,
                      const float *a, size_t lda, const float *packed_a, const float *b, size_t ldb,
                      const dk_sgemm_b_source *b_source, float beta, float *c, size_t ldc,
                      const dk_epilogue *epilogue, float *workspace) {
    if (m == 0 || n == 0) return 0;
    if (k == 0 || alpha == 0.0f) {
        scale_only(m, n, beta, c, ldc, epilogue);
        return 0;
    }
    sgemm_ctx x;
    x.g = cfg_for(dk_isa_active());
    x.trans_a = trans_a;
    x.trans_b = trans_b;
    x.m = m;
    x.n = n;
    x.k = k;
    x.alpha = alpha;
    x.beta = beta;
    x.a = a;
    x.b = b;
    x.lda = lda;
    x.ldb = ldb;
    x.c = c;
    x.ldc = ldc;
    x.ep = epilogue;
    x.slice = slice_floats(m, n, k);
    x.b_offset = a_region(x.g, m, k);
    x.direct_ok = b_source == NULL && b_in_place_ok(x.g, trans_b, ldb);
    x.b_rows_aligned = (((uintptr_t)b | (ldb * sizeof(float))) & 63) == 0;
    x.packed_a = packed_a;
    x.b_source = b_source;

    int threads = dk_pool_threads(pool);
    float *owned = NULL;
    if (workspace == NULL) {
        size_t bytes = (size_t)threads * x.slice * sizeof(float);
        owned = aligned_alloc(64, round_up(bytes, 64));
        if (owned == NULL) return -1;
        workspace = owned;
    }
    x.workspace = workspace;
    plan_tasks(&x, threads, &x.tm, &x.tn);
    size_t tasks = x.tm * x.tn;
    if (tasks == 1) {
        run_task(&x, 0, m, 0, div_up(m, x.g->mr), 0, n, workspace);
    } else {
        dk_pool_for(pool, tasks, task_fn, &x);
    }
    free(owned);
    return 0;
}

int dk_sgemm(dk_pool *pool, int trans_a, int trans_b, size_t m, size_t n, size_t k, float alpha,
             const float *a, size_t lda, const float *b, size_t ldb, float beta, float *c,
             size_t ldc, const dk_epilogue *epilogue, float *workspace) {
    return sgemm_impl(pool, trans_a, trans_b, m, n, k, alpha, a, lda, NULL, b, ldb, NULL, beta, c, ldc, epilogue,
                      workspace);
}

size_t dk_sgemm_packed_a_floats(size_t m, size_t k) {
    if (k != 0 && m > SIZE_MAX / k) return SIZE_MAX;
    return m * k;
}

void dk_sgemm_pack_a(int trans_a, size_t m, size_t k, const float *a, size_t lda, float *packed) {
    if (m == 0 || k == 0) return;
    panels ps = split_panels(m, cfg_for(dk_isa_active())->mr);
    for (size_t q = 0; q < ps.count; q++) {
        size_t h = panel_height(ps, q), r = panel_start(ps, q);
        float *dst = packed + r * k;
        if (!trans_a) {
            pack_transpose(a + r * lda, lda, h, k, dst, h);
        } else {
            const float *s = a + r;
            for (size_t p = 0; p < k; p++, s += lda) memcpy(dst + p * h, s, h * sizeof(float));
        }
    }
}

int dk_sgemm_packed(dk_pool *pool, const float *packed_a, int trans_b, size_t m, size_t n, size_t k, float alpha,
                    const float *b, size_t ldb, float beta, float *c, size_t ldc, const dk_epilogue *epilogue,
                    float *workspace) {
    return sgemm_impl(pool, 0, trans_b, m, n, k, alpha, NULL, 0, packed_a, b, ldb, NULL, beta, c, ldc, epilogue,
                      workspace);
}

int dk_sgemm_implicit(dk_pool *pool, const float *a, size_t lda, const float *packed_a, const dk_sgemm_b_source *b,
                      size_t m, size_t n, size_t k, float alpha, float beta, float *c, size_t ldc,
                      const dk_epilogue *epilogue, float *workspace) {
    return sgemm_impl(pool, 0, 0, m, n, k, alpha, a, lda, packed_a, NULL, 0, b, beta, c, ldc, epilogue, workspace);
}
