/*
 * int8 conv_transpose2d (groups 1, dilation 1) by sub-pixel phases, so that
 * nothing is computed on the zeros a transposed convolution inserts between
 * input pixels. Output row oy is reached by the taps ky = oy + pt (mod sh)
 * only: the output rows with (oy + pt) mod sh = ry form phase ry, and for
 * them the taps ky = ry, ry + sh, ... make an ordinary stride-1
 * convolution over the original input, of th = ceil((kh - ry) / sh) rows,
 * whose window may start above the input (padding) or inside it (a
 * negative padding, hence dk_q8_im2col_window). Columns likewise; a phase is
 * a pair (ry, rx). Each output element belongs to exactly one phase, so its
 * whole sum is one GEMM dot product, requantized once, as the definition
 * (docs/FORMAT.md, "Per op") wants.
 *
 * Per image, phase and block of that phase's output pixels: int8 im2col
 * (padding = the input zero point), one dk_q8_gemm with the phase's packed
 * weights as A (DK_Q8_WEIGHTS_LEFT), then the requantized block is scattered
 * to its strided places in y (with stride 1 there is one phase, whose
 * pixels are y's: the GEMM writes y directly). A 1x1, stride-1, unpadded
 * one multiplies the input itself. A phase that no tap reaches (stride above
 * the kernel) runs with one zero weight, which gives rq(bias) as defined.
 * Threading follows int8_conv2d.c: (image, phase, block) tasks in parallel,
 * or one after the other with im2col split over channels and the GEMM on
 * the pool; results are the same bits either way.
 *
 * A 1x1 input without padding (a generator's first layer, from the latent)
 * gives each output exactly one tap, so the phases would mostly multiply
 * padding: there the op is a dense layer, y[n, (oc, ky, kx)] over x[n, :],
 * one DK_Q8_WEIGHTS_RIGHT GEMM with the bias and multipliers of oc repeated
 * kh * kw times.
 *
 * The packed buffer: a 64-byte header, then per phase (ry * sw + rx) a
 * dk_q8_gemm_pack'ed [m, c * th * tw] matrix (each slot sized for the largest
 * phase), then m * kmax bytes where pack gathers a phase's taps before
 * packing them (scratch, so that packing allocates nothing).
 *
 * The dense form packs one [m * kh * kw, c] matrix, then the gathered
 * weights and the repeated bias, multipliers and shifts (scratch again).
 *
 * Workspace (bytes), per task: col = round64(kmax * nc) (0 when direct),
 * out = round64(m * nc) (0 with stride 1), gemm(t) =
 * round64(dk_q8_gemm_workspace_bytes(LEFT, m, kmax, nc, t)); sequential
 * col + out + gemm(threads), parallel threads * (col + out + gemm(1)): the larger.
 */
#include "int8_internal.h"

#include <string.h>

#define Q8_CONVT_MAGIC 0x54514B44u /* "DKQT" */
#define Q8_COL_BUDGET ((size_t)1 << 18)

enum { KIND_PHASES = 0, KIND_DENSE = 1 };

typedef struct convt_header {
    uint32_t magic, kind;
    int32_t x_zero;
    uint32_t kh, kw, sh, sw; /* a kernel or stride of 2^32 or more is never packed (see dk_q8_conv_transpose2d_pack) */
    uint64_t c, m;
    uint64_t phase_bytes; /* stride of the per-phase packed GEMMs */
} convt_header;

_Static_assert(sizeof(convt_header) <= DK_Q8_CONV_HEADER, "header fits its 64 bytes");

/* One phase: its taps, its output pixels (oy0 + j * sh, ox0 + i * sw) and its window over x. */
typedef struct phase {
    size_t ry, rx, th, tw;
    size_t k;        /* GEMM depth: c * th * tw, at least 1 (a zero weight when no tap reaches) */
    size_t oy0, ox0, hp, wp;
    dk_q8_window win;
} phase;

/* Taps of residue r along one axis of kernel k and stride s. */
static size_t taps_of(size_t r, size_t k, size_t s) { return r < k ? (k - r + s - 1) / s : 0; }

static void phase_axis(size_t r, size_t k, size_t s, size_t pad, size_t out, size_t *taps, size_t *o0, size_t *count,
                       ptrdiff_t *start) {
    *taps = taps_of(r, k, s);
    *o0 = (r + s - pad % s) % s; /* the first output o >= 0 with (o + pad) mod s = r */
    *count = *o0 < out ? (out - *o0 + s - 1) / s : 0;
    /* output j of the phase takes tap ky = r + s * (taps - 1 - t) from input (o0 + pad - r) / s + j - (taps - 1) + t */
    *start = (ptrdiff_t)((*o0 + pad - r) / s) - (ptrdiff_t)*taps + 1;
}

static void phase_of(const dk_conv2d_params *p, size_t index, phase *f) {
    f->ry = index / p->sw;
    f->rx = index % p->sw;
    ptrdiff_t top, left;
    phase_axis(f->ry, p->kh, p->sh, p->pt, p->ho, &f->th, &f->oy0, &f->hp, &top);
    phase_axis(f->rx, p->kw, p->sw, p->pl, p->wo, &f->tw, &f->ox0, &f->wp, &left);
    f->k = f->th * f->tw == 0 ? 1 : p->c * f->th * f->tw;
    const dk_q8_window w = {p->h, p->w, f->hp, f->wp, 1, 1, f->th, f->tw, 1, 1, top, left};
    f->win = w;
}

typedef struct convt_plan {
    size_t phases, kmax; /* sh * sw; the largest phase's GEMM depth */
    size_t n;            /* the largest phase's pixels */
    int contiguous;      /* stride 1: the one phase's pixels are y's */
    int direct;          /* and 1x1 unpadded: x is the GEMM's B */
    size_t nc, blocks;   /* pixels per block, blocks per (image, phase) */
    size_t col, out;     /* bytes of one column buffer and one output block, rounded to 64 */
} convt_plan;

/* 0, or -1 for what this kernel does not take (groups, dilation, sizes that overflow). */
static int make_plan(const dk_conv2d_params *p, convt_plan *q) {
    size_t taps, kmax, n;
    if (p->groups != 1 || p->dh != 1 || p->dw != 1 || p->sh == 0 || p->sw == 0 || p->c == 0 || p->m == 0 ||
        !dk_ops_mul(p->sh, p->sw, &q->phases) ||
        !dk_ops_mul(taps_of(0, p->kh, p->sh), taps_of(0, p->kw, p->sw), &taps) || !dk_ops_mul(p->c, taps, &kmax) ||
        !dk_ops_mul((p->ho + p->sh - 1) / p->sh, (p->wo + p->sw - 1) / p->sw, &n) || kmax > SIZE_MAX / 64 ||
        !dk_ops_mul(p->m, kmax, &taps) || taps > SIZE_MAX / 2)
        return -1;
    q->kmax = kmax;
    q->n = n;
    q->contiguous = p->sh == 1 && p->sw == 1;
    q->direct = q->contiguous && p->kh == 1 && p->kw == 1 && p->pt == 0 && p->pl == 0 && p->pb == 0 && p->pr == 0;
    q->nc = n;
    if (!q->direct && kmax * n > Q8_COL_BUDGET) {
        size_t nc = (Q8_COL_BUDGET / kmax) & ~(size_t)15;
        if (nc < 64) nc = 64;
        if (nc < n) q->nc = nc;
    }
    q->blocks = (n + q->nc - 1) / q->nc;
    q->col = q->direct ? 0 : dk_q8_round64(kmax * q->nc);
    q->out = q->contiguous ? 0 : dk_q8_round64(p->m * q->nc);
    return 0;
}

/* A 1x1 input, unpadded: output (ky, kx) of channel oc is tap (ky, kx) alone. */
static int dense_form(const dk_conv2d_params *p) {
    return p->h == 1 && p->w == 1 && p->pt == 0 && p->pl == 0 && p->pb == 0 && p->pr == 0 && p->oph == 0 && p->opw == 0;
}

/* The dense form's rows, m * kh * kw; 0 on overflow. */
static size_t dense_rows(const dk_conv2d_params *p) {
    size_t taps, rows;
    return dk_ops_mul(p->kh, p->kw, &taps) && dk_ops_mul(p->m, taps, &rows) && rows <= SIZE_MAX / 64 ? rows : 0;
}

/* The dense form's bytes after the header: the packed matrix, then pack's scratch (SIZE_MAX on overflow). */
static size_t dense_bytes(const dk_conv2d_params *p) {
    const size_t rows = dense_rows(p);
    size_t a;
    if (rows == 0 || !dk_ops_mul(rows, p->c, &a) || a > SIZE_MAX / 4) return SIZE_MAX;
    const size_t packed = dk_q8_gemm_packed_bytes(rows, p->c);
    if (packed > SIZE_MAX / 4) return SIZE_MAX;
    return dk_q8_round64(packed) + dk_q8_round64(a) + dk_q8_round64(3 * 4 * rows);
}

static size_t phase_bytes(const dk_conv2d_params *p, const convt_plan *q) {
    return dk_q8_round64(dk_q8_gemm_packed_bytes(p->m, q->kmax));
}

size_t dk_q8_conv_transpose2d_packed_bytes(const dk_conv2d_params *p) {
    convt_plan q;
    size_t all;
    if (p == NULL || make_plan(p, &q) != 0 || dk_q8_gemm_packed_bytes(p->m, q.kmax) >= SIZE_MAX - 64 ||
        !dk_ops_mul(phase_bytes(p, &q), q.phases, &all) || all > SIZE_MAX - DK_Q8_CONV_HEADER - p->m * q.kmax - 64)
        return SIZE_MAX;
    if (dense_form(p)) {
        const size_t dense = dense_bytes(p);
        return dense > SIZE_MAX - DK_Q8_CONV_HEADER ? SIZE_MAX : DK_Q8_CONV_HEADER + dense;
    }
    return DK_Q8_CONV_HEADER + all + dk_q8_round64(p->m * q.kmax);
}

/* Phase f's weights as a GEMM's A: row oc, column (ci * th + a) * tw + b holds w[ci, oc, ry + sh (th-1-a), rx + sw (tw-1-b)]. */
static void gather_phase(const dk_conv2d_params *p, const phase *f, const int8_t *w, int8_t *a) {
    if (f->th * f->tw == 0) {
        memset(a, 0, p->m);
        return;
    }
    for (size_t oc = 0; oc < p->m; oc++)
        for (size_t ci = 0; ci < p->c; ci++)
            for (size_t i = 0; i < f->th; i++)
                for (size_t j = 0; j < f->tw; j++) {
                    const size_t ky = f->ry + p->sh * (f->th - 1 - i), kx = f->rx + p->sw * (f->tw - 1 - j);
                    a[oc * f->k + (ci * f->th + i) * f->tw + j] = w[((ci * p->m + oc) * p->kh + ky) * p->kw + kx];
                }
}

/* The dense form: A [m * kh * kw, c] = w transposed, and each channel's constants once per tap. */
static int pack_dense(const dk_conv2d_params *p, const int8_t *w, const dk_q8_quant *q, uint8_t *body) {
    const size_t taps = p->kh * p->kw, rows = dense_rows(p);
    int8_t *a = (int8_t *)(body + dk_q8_round64(dk_q8_gemm_packed_bytes(rows, p->c)));
    int32_t *bias = (int32_t *)((uint8_t *)a + dk_q8_round64(rows * p->c)), *mult = bias + rows, *shift = mult + rows;
    for (size_t r = 0; r < rows; r++) {
        for (size_t ci = 0; ci < p->c; ci++) a[r * p->c + ci] = w[ci * rows + r];
        bias[r] = q->bias != NULL ? q->bias[r / taps] : 0;
        mult[r] = q->multiplier[r / taps];
        shift[r] = q->shift[r / taps];
    }
    dk_q8_quant rq = *q;
    rq.bias = bias;
    rq.multiplier = mult;
    rq.shift = shift;
    return dk_q8_gemm_pack(DK_Q8_WEIGHTS_RIGHT, rows, p->c, a, p->c, &rq, body);
}

int dk_q8_conv_transpose2d_pack(const dk_conv2d_params *p, const int8_t *w, const dk_q8_quant *q, void *packed) {
    if (p == NULL || w == NULL || q == NULL || q->multiplier == NULL || q->shift == NULL || packed == NULL ||
        dk_q8_conv_transpose2d_packed_bytes(p) == SIZE_MAX || p->kh > UINT32_MAX || p->kw > UINT32_MAX ||
        p->sh > UINT32_MAX || p->sw > UINT32_MAX)
        return -1;
    convt_plan pl;
    (void)make_plan(p, &pl);
    convt_header h;
    memset(&h, 0, sizeof h);
    h.magic = Q8_CONVT_MAGIC;
    h.x_zero = q->x_zero;
    h.c = p->c;
    h.m = p->m;
    h.kh = (uint32_t)p->kh;
    h.kw = (uint32_t)p->kw;
    h.sh = (uint32_t)p->sh;
    h.sw = (uint32_t)p->sw;
    h.phase_bytes = phase_bytes(p, &pl);
    uint8_t *body = (uint8_t *)packed + DK_Q8_CONV_HEADER;
    if (dense_form(p)) {
        h.kind = KIND_DENSE;
        if (pack_dense(p, w, q, body) != 0) return -1;
        memcpy(packed, &h, sizeof h);
        return 0;
    }
    int8_t *gathered = (int8_t *)(body + pl.phases * h.phase_bytes);
    for (size_t i = 0; i < pl.phases; i++) {
        phase f;
        phase_of(p, i, &f);
        gather_phase(p, &f, w, gathered);
        if (dk_q8_gemm_pack(DK_Q8_WEIGHTS_LEFT, p->m, f.k, gathered, f.k, q, body + i * h.phase_bytes) != 0) return -1;
    }
    memcpy(packed, &h, sizeof h);
    return 0;
}

static size_t gemm_bytes(const dk_conv2d_params *p, const convt_plan *q, int threads) {
    return dk_q8_round64(dk_q8_gemm_workspace_bytes(DK_Q8_WEIGHTS_LEFT, p->m, q->kmax, q->nc, threads));
}

size_t dk_q8_conv_transpose2d_workspace_bytes(const dk_conv2d_params *p, int threads) {
    if (threads < 1) threads = 1;
    convt_plan q;
    size_t par = 0;
    if (p == NULL || make_plan(p, &q) != 0) return SIZE_MAX;
    if (dense_form(p)) {
        const size_t b = dk_q8_gemm_workspace_bytes(DK_Q8_WEIGHTS_RIGHT, dense_rows(p), p->c, p->n, threads);
        return dense_rows(p) == 0 || b >= SIZE_MAX - 64 ? SIZE_MAX : dk_q8_round64(b);
    }
    size_t seq = q.col + q.out + gemm_bytes(p, &q, threads);
    if (threads > 1 && !dk_ops_mul(q.col + q.out + gemm_bytes(p, &q, 1), (size_t)threads, &par)) return SIZE_MAX;
    return seq > par ? seq : par;
}

typedef struct convt_ctx {
    const dk_conv2d_params *p;
    const convt_plan *q;
    const int8_t *x;
    const uint8_t *phases; /* the packed GEMMs */
    size_t phase_bytes;
    int8_t pad;
    int8_t *y;
    uint8_t *workspace;
    size_t slice;     /* parallel tasks: bytes per thread's slice */
    const int8_t *xi; /* sequential im2col: the current image, phase and pixel block */
    const phase *f;
    size_t j0, j1;
} convt_ctx;

/* Task t: image t / (phases * blocks), its phase (filled in f) and pixels [*j0, *j1); NULL when the block is empty. */
static const int8_t *task_input(const convt_ctx *c, size_t t, phase *f, size_t *j0, size_t *j1) {
    const dk_conv2d_params *p = c->p;
    const size_t per_image = c->q->phases * c->q->blocks, img = t / per_image;
    phase_of(p, t % per_image / c->q->blocks, f);
    const size_t np = f->hp * f->wp;
    *j0 = t % c->q->blocks * c->q->nc;
    *j1 = *j0 + c->q->nc < np ? *j0 + c->q->nc : np;
    return *j0 < np ? c->x + img * p->c * p->h * p->w : NULL;
}

/* The phase's columns [j0, j1) of one image: its taps' rows, or one row of anything (times the zero weight). */
static void phase_im2col(const convt_ctx *c, const phase *f, const int8_t *xi, size_t ci0, size_t ci1, size_t j0,
                         size_t j1, int8_t *col) {
    if (f->th * f->tw == 0) {
        if (ci0 == 0) memset(col, c->pad, j1 - j0);
        return;
    }
    dk_q8_im2col_window(&f->win, xi, c->pad, ci0, ci1, j0, j1, col);
}

/* GEMM of task t's block from b ([k, j1 - j0], row stride ldb), then its pixels to their places in y. */
static void convt_gemm(const convt_ctx *c, size_t t, dk_pool *pool, const phase *f, const int8_t *b, size_t ldb,
                       size_t j0, size_t j1, uint8_t *ws) {
    const dk_conv2d_params *p = c->p;
    const convt_plan *q = c->q;
    const size_t plane = p->ho * p->wo, img = t / (q->phases * q->blocks);
    const uint8_t *a = c->phases + (f->ry * p->sw + f->rx) * c->phase_bytes;
    int8_t *yi = c->y + img * p->m * plane;
    if (q->contiguous) {
        (void)dk_q8_gemm(pool, a, j1 - j0, b, ldb, yi + j0, plane, ws);
        return;
    }
    const size_t width = j1 - j0;
    int8_t *out = (int8_t *)ws;
    (void)dk_q8_gemm(pool, a, width, b, ldb, out, width, ws + q->out);
    for (size_t oc = 0; oc < p->m; oc++) {
        const int8_t *src = out + oc * width;
        int8_t *dst = yi + oc * plane;
        for (size_t jj = j0; jj < j1;) {
            const size_t row = jj / f->wp, i0 = jj % f->wp;
            const size_t i1 = f->wp < i0 + (j1 - jj) ? f->wp : i0 + (j1 - jj);
            int8_t *d = dst + (f->oy0 + row * p->sh) * p->wo + f->ox0;
            for (size_t i = i0; i < i1; i++) d[i * p->sw] = *src++;
            jj += i1 - i0;
        }
    }
}

static void convt_task(void *context, size_t index, int thread) {
    const convt_ctx *c = context;
    uint8_t *ws = c->workspace + (size_t)thread * c->slice;
    phase f;
    size_t j0, j1;
    const int8_t *xi = task_input(c, index, &f, &j0, &j1);
    if (xi == NULL) return;
    if (c->q->direct) {
        convt_gemm(c, index, NULL, &f, xi + j0, c->p->h * c->p->w, j0, j1, ws);
    } else {
        phase_im2col(c, &f, xi, 0, c->p->c, j0, j1, (int8_t *)ws);
        convt_gemm(c, index, NULL, &f, (const int8_t *)ws, j1 - j0, j0, j1, ws + c->q->col);
    }
}

static void im2col_task(void *context, size_t index, int thread) {
    (void)thread;
    const convt_ctx *c = context;
    phase_im2col(c, c->f, c->xi, index, index + 1, c->j0, c->j1, (int8_t *)c->workspace);
}

int dk_q8_conv_transpose2d_forward(dk_pool *pool, const dk_conv2d_params *p, const int8_t *x, const void *packed,
                                   int8_t *y, void *workspace) {
    const convt_header *h = packed;
    convt_plan q;
    if (p == NULL || h == NULL || make_plan(p, &q) != 0 || h->magic != Q8_CONVT_MAGIC || h->c != p->c ||
        h->m != p->m || h->kh != p->kh || h->kw != p->kw || h->sh != p->sh || h->sw != p->sw ||
        (h->kind == KIND_DENSE) != (dense_form(p) != 0))
        return -1;
    if (h->kind == KIND_DENSE)
        return dk_q8_gemm(pool, (const uint8_t *)packed + DK_Q8_CONV_HEADER, p->n, x, p->c, y, dense_rows(p), workspace);
    convt_ctx c;
    memset(&c, 0, sizeof c);
    c.p = p;
    c.q = &q;
    c.x = x;
    c.phases = (const uint8_t *)packed + DK_Q8_CONV_HEADER;
    c.phase_bytes = h->phase_bytes;
    c.pad = (int8_t)h->x_zero;
    c.y = y;
    c.workspace = workspace;
    const size_t tasks = p->n * q.phases * q.blocks;
    const int threads = dk_pool_threads(pool);
    if (dk_q8_parallel_tasks(tasks, threads)) {
        c.slice = q.col + q.out + gemm_bytes(p, &q, 1);
        dk_pool_for(pool, tasks, convt_task, &c);
        return 0;
    }
    uint8_t *gemm_ws = (uint8_t *)workspace + q.col;
    for (size_t t = 0; t < tasks; t++) {
        phase f;
        size_t j0, j1;
        const int8_t *xi = task_input(&c, t, &f, &j0, &j1);
        if (xi == NULL) continue;
        if (q.direct) {
            convt_gemm(&c, t, pool, &f, xi + j0, p->h * p->w, j0, j1, gemm_ws);
            continue;
        }
        if (threads > 1 && p->c > 1 && f.th * f.tw > 0) {
            c.xi = xi;
            c.f = &f;
            c.j0 = j0;
            c.j1 = j1;
            dk_pool_for(pool, p->c, im2col_task, &c);
        } else {
            phase_im2col(&c, &f, xi, 0, p->c, j0, j1, (int8_t *)workspace);
        }
        convt_gemm(&c, t, pool, &f, (const int8_t *)workspace, j1 - j0, j0, j1, gemm_ws);
    }
    return 0;
}
