/* Eight field elements at once on AVX-512 IFMA, for generator folding (SPEC.md §2.3).
 *
 * Included by native.c after its scalar field and group code. Lane i of every vector
 * belongs to point i of a group of eight; the fold's NAF digits are shared by all points,
 * so all lanes follow the same control flow. Compiled for IFMA by function attributes
 * only and used only when the CPU reports the feature at run time (`ifma_usable`).
 *
 * IFMA multiplies the low 52 bits of its operands, so elements here are kept "tight":
 * n_0..n_3 < 2^52 and n_4 < 2^48 + 2^11 (fe8_carry's output; a normalized element's n_4 is
 * below 2^48). The lazy sums (fe8_sub_lazy) count on that bound of n_4.
 */
/* Chains a lane computation runs in lockstep at most (gej8_double_n and the rest below);
 * outside the lanes too, since the fold's blocks are cut in whole sets of them. */
enum { CHAINS_MAX = 2 };

/* ZK_NO_IFMA builds the kernel as a compiler without these lanes would (the tests check that
 * it still builds). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(ZK_NO_IFMA)
#include <immintrin.h>
#define ZK_HAVE_IFMA 1
#define IFMA static inline __attribute__((target("avx512f,avx512ifma"), always_inline))
#define IFMA_FN static __attribute__((target("avx512f,avx512ifma")))

typedef struct { __m512i v[5]; } fe8;
typedef struct { fe8 x, y; } ge8;
typedef struct { fe8 x, y, z; } gej8;

IFMA __m512i bcast(uint64_t x) { return _mm512_set1_epi64((long long)x); }

/* Bits ≥ 256 of limb 4 fold back as ·R256, then one carry pass: any limbs below 2^63 in,
 * tight out (the last carry into n_4 is below 2^12). */
IFMA void fe8_carry(fe8 *r) {
    __m512i top = _mm512_srli_epi64(r->v[4], 48);
    r->v[4] = _mm512_and_si512(r->v[4], bcast(M48));
    r->v[0] = _mm512_madd52lo_epu64(r->v[0], top, bcast(R256));   /* top·R256 < 2^49 */
    for (int i = 0; i < 4; i++) {
        __m512i c = _mm512_srli_epi64(r->v[i], 52);
        r->v[i] = _mm512_and_si512(r->v[i], bcast(M52));
        r->v[i + 1] = _mm512_add_epi64(r->v[i + 1], c);
    }
}

IFMA void fe8_add(fe8 *r, const fe8 *a, const fe8 *b) {
    for (int i = 0; i < 5; i++) r->v[i] = _mm512_add_epi64(a->v[i], b->v[i]);
    fe8_carry(r);
}

/* a − b as a + 4p − b; 4p's limbs exceed a tight b's. */
IFMA void fe8_sub(fe8 *r, const fe8 *a, const fe8 *b) {
    static const uint64_t four_p[5] = {4 * 0xFFFFEFFFFFC2FULL, 4 * M52, 4 * M52, 4 * M52,
                                       4 * M48};
    for (int i = 0; i < 5; i++)
        r->v[i] = _mm512_sub_epi64(_mm512_add_epi64(a->v[i], bcast(four_p[i])), b->v[i]);
    fe8_carry(r);
}

/* Sums that feed only other sums, before one carry (fe8_carry takes limbs below 2^63).
 * A tight element's limbs: n_0..n_3 < 2^52, n_4 < 2^48 + 2^11 (fe8_carry's n_4 is below
 * 2^48 plus the last carry, < 2^11). Each use below states the bound its carry receives. */
IFMA void fe8_add_lazy(fe8 *r, const fe8 *a, const fe8 *b) {
    for (int i = 0; i < 5; i++) r->v[i] = _mm512_add_epi64(a->v[i], b->v[i]);
}

/* a + 2^s·p − b, no carry, where b is (limb by limb) at most k tight elements summed and
 * 2^s the least power of two above k: then b's limbs never exceed 2^s·p's, since
 * (k + 1)·(2^52 − 2^32 − 977) ≥ k·2^52 and (k + 1)·(2^48 − 1) ≥ k·(2^48 + 2^11) for
 * k < 2^19. Limbs out below a's + 2k·2^52. */
IFMA void fe8_sub_lazy(fe8 *r, const fe8 *a, const fe8 *b, unsigned k) {
    static const uint64_t p_limbs[5] = {0xFFFFEFFFFFC2FULL, M52, M52, M52, M48};
    unsigned s = 32 - (unsigned)__builtin_clz(k);
    for (int i = 0; i < 5; i++)
        r->v[i] = _mm512_sub_epi64(_mm512_add_epi64(a->v[i], bcast(p_limbs[i] << s)), b->v[i]);
}

/* 2a as a + a: vpaddq runs beside the madd52, a shift would queue with them. */
IFMA void fe8_dbl_lazy(fe8 *r, const fe8 *a) { fe8_add_lazy(r, a, a); }

/* Columns c_0..c_9 (each below 2^57) of a product, reduced to a tight element. */
IFMA void fe8_reduce(fe8 *r, __m512i c[10]) {
    /* c_5..c_8 split to 52 bits and their carries q_5..q_8 (< 2^5) side by side, not one
     * after the other; q_8 joins c_9 (< 2^47 for tight inputs, so still below 2^52), and
     * q_k for k < 8, of weight 2^(52(k+1)), folds as q_k·R260 (< 2^42: its low half) into
     * column k − 4. */
    const __m512i r260 = bcast(R260), m52 = bcast(M52), zero = _mm512_setzero_si512();
    __m512i q[4], f[5];
    for (int k = 5; k < 9; k++) {
        q[k - 5] = _mm512_srli_epi64(c[k], 52);
        c[k] = _mm512_and_si512(c[k], m52);
    }
    c[9] = _mm512_add_epi64(c[9], q[3]);
    /* c_(k+5)·2^(52(k+5)) ≡ c_(k+5)·R260·2^(52k): low halves into c_k, high halves into f,
     * separate chains joined by additions. */
    for (int k = 0; k < 5; k++) c[k] = _mm512_madd52lo_epu64(c[k], c[k + 5], r260);
    f[0] = zero;
    for (int k = 0; k < 4; k++) f[k + 1] = _mm512_madd52hi_epu64(zero, c[k + 5], r260);
    for (int k = 0; k < 3; k++) f[k + 1] = _mm512_madd52lo_epu64(f[k + 1], q[k], r260);
    __m512i over = _mm512_madd52hi_epu64(zero, c[9], r260);   /* weight 2^260 again, < 2^32 */
    f[0] = _mm512_madd52lo_epu64(f[0], over, r260);
    f[1] = _mm512_madd52hi_epu64(f[1], over, r260);
    for (int i = 0; i < 5; i++) r->v[i] = _mm512_add_epi64(c[i], f[i]);   /* each < 2^59 */
    fe8_carry(r);
}

/* Column k of a product gathers up to nine madd52 results; summed in one chain that is
 * nine dependent madd52 (each waits for the last), the product's latency. So the low
 * halves and the high halves go into two sets of columns, two chains of at most five,
 * joined by one addition each (vpaddq, not on the madd52 port). The sums are the same. */
IFMA void fe8_mul(fe8 *r, const fe8 *a, const fe8 *b) {
    __m512i c[10], h[10];
    for (int k = 0; k < 10; k++) c[k] = h[k] = _mm512_setzero_si512();
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 5; j++) {
            c[i + j] = _mm512_madd52lo_epu64(c[i + j], a->v[i], b->v[j]);
            h[i + j + 1] = _mm512_madd52hi_epu64(h[i + j + 1], a->v[i], b->v[j]);
        }
    for (int k = 1; k < 10; k++) c[k] = _mm512_add_epi64(c[k], h[k]);
    fe8_reduce(r, c);
}

/* The cross products once, doubled by adding each column to itself (vpaddq runs beside the
 * madd52; a shift would queue with them), then the squares. Halves apart as fe8_mul. */
IFMA void fe8_sqr(fe8 *r, const fe8 *a) {
    __m512i c[10], h[10];
    for (int k = 0; k < 10; k++) c[k] = h[k] = _mm512_setzero_si512();
    for (int i = 0; i < 5; i++)
        for (int j = i + 1; j < 5; j++) {
            c[i + j] = _mm512_madd52lo_epu64(c[i + j], a->v[i], a->v[j]);
            h[i + j + 1] = _mm512_madd52hi_epu64(h[i + j + 1], a->v[i], a->v[j]);
        }
    for (int k = 1; k < 10; k++) {
        c[k] = _mm512_add_epi64(c[k], h[k]);
        c[k] = _mm512_add_epi64(c[k], c[k]);
    }
    for (int i = 0; i < 5; i++) {
        c[2 * i] = _mm512_madd52lo_epu64(c[2 * i], a->v[i], a->v[i]);
        c[2 * i + 1] = _mm512_madd52hi_epu64(c[2 * i + 1], a->v[i], a->v[i]);
    }
    fe8_reduce(r, c);
}

/* Lanes where a tight element is 0 mod p: its value is then 0, p or 2p. */
IFMA __mmask8 fe8_zero_lanes(const fe8 *a) {
    static const uint64_t zero[5] = {0, 0, 0, 0, 0},
        one_p[5] = {0xFFFFEFFFFFC2FULL, M52, M52, M52, M48},
        two_p[5] = {0xFFFFDFFFFF85EULL, M52, M52, M52, 0x1FFFFFFFFFFFFULL};
    const uint64_t *forms[3] = {zero, one_p, two_p};
    __mmask8 any = 0;
    for (int f = 0; f < 3; f++) {
        __mmask8 eq = 0xFF;
        for (int i = 0; i < 5; i++) eq &= _mm512_cmpeq_epi64_mask(a->v[i], bcast(forms[f][i]));
        any |= eq;
    }
    return any;
}

/* ---- n ≤ CHAINS_MAX independent chains in lockstep ------------------------------------
 * One field operation is issued for every chain before the next: a lane multiplication's
 * latency is well above its throughput, and a lone chain of dependent operations leaves the
 * ports idle (bench/RESULTS.md, "The fold ladders in lockstep"). Each chain does the same
 * operations as the one-chain call (n = 1), so results are bit-identical; n is a constant at
 * every call site (these are always inlined), so the loops unroll. r may alias a. */
#define EACH_CHAIN(c, n) for (int c = 0; c < (n); c++)

/* dbl-2009-l as in gej_double, for n chains; no lane is the identity. Sums feeding only sums
 * are lazy: the bounds at each carry are in the comments (A, B, C, F, products: tight). */
IFMA void gej8_double_n(gej8 *r, const gej8 *a, int n) {
    fe8 A[CHAINS_MAX], B[CHAINS_MAX], C[CHAINS_MAX], D[CHAINS_MAX], E[CHAINS_MAX],
        F[CHAINS_MAX], t[CHAINS_MAX], u[CHAINS_MAX], x3[CHAINS_MAX], y3[CHAINS_MAX],
        z3[CHAINS_MAX];
    EACH_CHAIN(c, n) fe8_sqr(&A[c], &a[c].x);
    EACH_CHAIN(c, n) fe8_sqr(&B[c], &a[c].y);
    EACH_CHAIN(c, n) fe8_sqr(&C[c], &B[c]);
    EACH_CHAIN(c, n) fe8_add(&t[c], &a[c].x, &B[c]);
    EACH_CHAIN(c, n) fe8_sqr(&t[c], &t[c]);
    EACH_CHAIN(c, n) fe8_add_lazy(&u[c], &A[c], &C[c]);   /* u_0..3 < 2^53, u_4 < 2^49 + 2^12 ≤ 4p's */
    EACH_CHAIN(c, n) fe8_sub_lazy(&t[c], &t[c], &u[c], 2);   /* < 2^52 + 2^55 */
    EACH_CHAIN(c, n) { fe8_dbl_lazy(&D[c], &t[c]); fe8_carry(&D[c]); }   /* D = 2(t − A − C) < 2^57 */
    EACH_CHAIN(c, n) { fe8_dbl_lazy(&E[c], &A[c]); fe8_add_lazy(&E[c], &E[c], &A[c]); }
    EACH_CHAIN(c, n) fe8_carry(&E[c]);                    /* 3A < 2^54 */
    EACH_CHAIN(c, n) fe8_sqr(&F[c], &E[c]);
    EACH_CHAIN(c, n) fe8_mul(&z3[c], &a[c].y, &a[c].z);
    EACH_CHAIN(c, n) { fe8_dbl_lazy(&z3[c], &z3[c]); fe8_carry(&z3[c]); }
    EACH_CHAIN(c, n) fe8_dbl_lazy(&t[c], &D[c]);          /* 2D: < 2^53, t_4 < 2^49 + 2^12 ≤ 4p's */
    EACH_CHAIN(c, n) { fe8_sub_lazy(&x3[c], &F[c], &t[c], 2); fe8_carry(&x3[c]); }
    EACH_CHAIN(c, n) fe8_sub(&t[c], &D[c], &x3[c]);
    EACH_CHAIN(c, n) fe8_mul(&y3[c], &E[c], &t[c]);
    EACH_CHAIN(c, n) { fe8_dbl_lazy(&t[c], &C[c]); fe8_dbl_lazy(&t[c], &t[c]); fe8_dbl_lazy(&t[c], &t[c]); }   /* 8C < 2^55 */
    EACH_CHAIN(c, n) { fe8_sub_lazy(&y3[c], &y3[c], &t[c], 8); fe8_carry(&y3[c]); }   /* < 2^52 + 2^56 */
    EACH_CHAIN(c, n) { r[c].x = x3[c]; r[c].y = y3[c]; r[c].z = z3[c]; }
}

IFMA void gej8_double(gej8 *r, const gej8 *a) { gej8_double_n(r, a, 1); }

/* madd-2007-bl as in gej_add_ge, for n chains. Lanes where H ≡ 0 (a = ±b: doubling or the
 * identity) come out wrong and are flagged in bad[c], for the caller to redo on the scalar
 * path. Sums feeding only sums are lazy, bounds at each carry in the comments. */
IFMA void gej8_add_ge8_n(gej8 *r, const gej8 *a, const ge8 *b, __mmask8 *bad, int n) {
    fe8 z1z1[CHAINS_MAX], u2[CHAINS_MAX], s2[CHAINS_MAX], h[CHAINS_MAX], hh[CHAINS_MAX],
        i[CHAINS_MAX], j[CHAINS_MAX], rr[CHAINS_MAX], v[CHAINS_MAX], t[CHAINS_MAX],
        x3[CHAINS_MAX], y3[CHAINS_MAX], z3[CHAINS_MAX];
    EACH_CHAIN(c, n) fe8_sqr(&z1z1[c], &a[c].z);
    EACH_CHAIN(c, n) fe8_mul(&u2[c], &b[c].x, &z1z1[c]);
    EACH_CHAIN(c, n) fe8_mul(&s2[c], &b[c].y, &a[c].z);
    EACH_CHAIN(c, n) fe8_mul(&s2[c], &s2[c], &z1z1[c]);
    EACH_CHAIN(c, n) fe8_sub(&h[c], &u2[c], &a[c].x);
    EACH_CHAIN(c, n) bad[c] |= fe8_zero_lanes(&h[c]);
    EACH_CHAIN(c, n) fe8_sub_lazy(&rr[c], &s2[c], &a[c].y, 1);   /* < 2^52 + 2^53 */
    EACH_CHAIN(c, n) { fe8_dbl_lazy(&rr[c], &rr[c]); fe8_carry(&rr[c]); }   /* 2(s2 − y) < 2^56 */
    EACH_CHAIN(c, n) fe8_sqr(&hh[c], &h[c]);
    EACH_CHAIN(c, n) { fe8_dbl_lazy(&i[c], &hh[c]); fe8_dbl_lazy(&i[c], &i[c]); fe8_carry(&i[c]); }   /* 4hh < 2^54 */
    EACH_CHAIN(c, n) fe8_mul(&j[c], &h[c], &i[c]);
    EACH_CHAIN(c, n) fe8_mul(&v[c], &a[c].x, &i[c]);
    EACH_CHAIN(c, n) fe8_sqr(&x3[c], &rr[c]);
    EACH_CHAIN(c, n) { fe8_dbl_lazy(&t[c], &v[c]); fe8_add_lazy(&t[c], &t[c], &j[c]); }   /* j + 2v: < 3·2^52, t_4 < 3·2^48 + 3·2^11 */
    EACH_CHAIN(c, n) { fe8_sub_lazy(&x3[c], &x3[c], &t[c], 3); fe8_carry(&x3[c]); }   /* < 2^52 + 2^55 */
    EACH_CHAIN(c, n) fe8_sub(&t[c], &v[c], &x3[c]);
    EACH_CHAIN(c, n) fe8_mul(&y3[c], &rr[c], &t[c]);
    EACH_CHAIN(c, n) { fe8_mul(&t[c], &a[c].y, &j[c]); fe8_dbl_lazy(&t[c], &t[c]); }   /* < 2^53, t_4 < 2^49 + 2^12 ≤ 4p's */
    EACH_CHAIN(c, n) { fe8_sub_lazy(&y3[c], &y3[c], &t[c], 2); fe8_carry(&y3[c]); }
    EACH_CHAIN(c, n) fe8_add(&z3[c], &a[c].z, &h[c]);
    EACH_CHAIN(c, n) fe8_sqr(&z3[c], &z3[c]);
    EACH_CHAIN(c, n) fe8_add_lazy(&t[c], &z1z1[c], &hh[c]);   /* < 2^53, t_4 < 2^49 + 2^12 ≤ 4p's */
    EACH_CHAIN(c, n) { fe8_sub_lazy(&z3[c], &z3[c], &t[c], 2); fe8_carry(&z3[c]); }
    EACH_CHAIN(c, n) { r[c].x = x3[c]; r[c].y = y3[c]; r[c].z = z3[c]; }
}

IFMA void gej8_add_ge8(gej8 *r, const gej8 *a, const ge8 *b, __mmask8 *bad) {
    gej8_add_ge8_n(r, a, b, bad, 1);
}

/* Lane i of `out` from fe number i of `in` (each normalized first: loose is not tight). */
static void fe8_gather(fe8 *out, const fe *const in[8]) {
    uint64_t lanes[5][8];
    for (int i = 0; i < 8; i++) {
        fe t = *in[i];
        fe_normalize(&t);
        for (int l = 0; l < 5; l++) lanes[l][i] = t.n[l];
    }
    memcpy(out->v, lanes, sizeof lanes);
}

static void fe8_scatter(fe *const out[8], const fe8 *in) {
    uint64_t lanes[5][8];
    memcpy(lanes, in->v, sizeof lanes);
    for (int i = 0; i < 8; i++)
        for (int l = 0; l < 5; l++) out[i]->n[l] = lanes[l][i];
}

/* acc[c] ← acc[c] + d·T_c for n chains in lockstep (T_c, chain c's table at tab8[c]; λ·T_c if
 * endo; negated if the sign says so). */
IFMA void add_digit8_n(gej8 *acc, int *empty, const ge8 *const tab8[], int d, int negate,
                       int endo, const fe8 *beta, __mmask8 *bad, int n) {
    ge8 q[CHAINS_MAX];
    EACH_CHAIN(c, n) q[c] = tab8[c][(abs(d) - 1) / 2];
    if (endo) EACH_CHAIN(c, n) fe8_mul(&q[c].x, &q[c].x, beta);
    if ((d < 0) != negate) {
        fe8 zero;
        for (int i = 0; i < 5; i++) zero.v[i] = _mm512_setzero_si512();
        EACH_CHAIN(c, n) fe8_sub(&q[c].y, &zero, &q[c].y);
    }
    if (*empty) {
        EACH_CHAIN(c, n) {
            acc[c].x = q[c].x; acc[c].y = q[c].y;
            for (int i = 0; i < 5; i++) acc[c].z.v[i] = bcast(FE_ONE.n[i]);
        }
        *empty = 0;
    } else {
        gej8_add_ge8_n(acc, acc, q, bad, n);
    }
}

IFMA void add_digit8(gej8 *acc, int *empty, const ge8 tab8[8], int d, int negate, int endo,
                     const fe8 *beta, __mmask8 *bad) {
    const ge8 *tab[1] = {tab8};
    add_digit8_n(acc, empty, tab, d, negate, endo, beta, bad, 1);
}

/* A lane ladder's result into acc[0..7]: the identity everywhere if no digit was added. */
static void ladder8_store(gej *acc, const gej8 *a, int empty) {
    if (empty) {
        for (int i = 0; i < 8; i++) gej_set_inf(&acc[i]);
        return;
    }
    fe *xs[8], *ys[8], *zs[8];
    for (int i = 0; i < 8; i++) {
        xs[i] = &acc[i].x; ys[i] = &acc[i].y; zs[i] = &acc[i].z;
        acc[i].inf = 0;
    }
    fe8_scatter(xs, &a->x);
    fe8_scatter(ys, &a->y);
    fe8_scatter(zs, &a->z);
}

/* k·hi for eight points from their tables in lane form (tab8[j]: entry j of every lane),
 * into acc[0..7]; returns the lanes that met an exceptional addition (their acc entries
 * must be recomputed). */
IFMA_FN __mmask8 ladder8(gej *acc, const ge8 tab8[8], const int *naf1, const int *naf2,
                         int len, int neg1, int neg2) {
    fe8 beta;
    const fe *betas[8] = {&FE_BETA, &FE_BETA, &FE_BETA, &FE_BETA,
                          &FE_BETA, &FE_BETA, &FE_BETA, &FE_BETA};
    fe8_gather(&beta, betas);
    gej8 a;
    int empty = 1;
    __mmask8 bad = 0;
    for (int b = len - 1; b >= 0; b--) {
        if (!empty) gej8_double(&a, &a);
        if (naf1[b]) add_digit8(&a, &empty, tab8, naf1[b], neg1, 0, &beta, &bad);
        if (naf2[b]) add_digit8(&a, &empty, tab8, naf2[b], neg2, 1, &beta, &bad);
    }
    ladder8_store(acc, &a, empty);
    return bad;
}

/* Eight field operations on 32-byte big-endian inputs (reduced mod p on the way in), for
 * the tests. op: 0 add, 1 sub, 2 mul, 3 square of a. Outputs are fully reduced. */
IFMA_FN void fe8_op(int op, const unsigned char *a, const unsigned char *b, unsigned char *out) {
    fe xa[8], xb[8], xr[8];
    const fe *pa[8], *pb[8];
    fe *pr[8];
    for (int i = 0; i < 8; i++) {
        fe_from_be(&xa[i], a + 32 * i);
        fe_from_be(&xb[i], b + 32 * i);
        pa[i] = &xa[i]; pb[i] = &xb[i]; pr[i] = &xr[i];
    }
    fe8 va, vb, vr;
    fe8_gather(&va, pa);
    fe8_gather(&vb, pb);
    switch (op) {
        case 0: fe8_add(&vr, &va, &vb); break;
        case 1: fe8_sub(&vr, &va, &vb); break;
        case 2: fe8_mul(&vr, &va, &vb); break;
        default: fe8_sqr(&vr, &va); break;
    }
    fe8_scatter(pr, &vr);
    for (int i = 0; i < 8; i++) fe_to_be(out + 32 * i, &xr[i]);
}

/* For the tests (zk_fe_lanes_op): CT8(limbs_op)'s operations on fe8, k·b summed lazily by
 * doublings and additions. */
IFMA_FN void fe8_limbs_op(int op, unsigned k, const uint64_t *a, const uint64_t *b,
                          uint64_t *out) {
    fe8 x, y, t, r;
    for (int l = 0; l < 5; l++) {
        x.v[l] = _mm512_loadu_si512(a + 8 * l);
        y.v[l] = _mm512_loadu_si512(b + 8 * l);
        t.v[l] = _mm512_setzero_si512();
    }
    for (int s = 5; s >= 0; s--) {
        fe8_dbl_lazy(&t, &t);
        if (k >> s & 1) fe8_add_lazy(&t, &t, &y);
    }
    switch (op) {
        case 0: fe8_add(&r, &x, &y); break;
        case 1: fe8_sub(&r, &x, &y); break;
        case 2: fe8_mul(&r, &x, &y); break;
        case 3: fe8_sqr(&r, &x); break;
        case 4: fe8_sub_lazy(&r, &x, &t, k); fe8_carry(&r); break;
        default: fe8_add_lazy(&r, &x, &t); fe8_carry(&r); break;
    }
    for (int l = 0; l < 5; l++) _mm512_storeu_si512(out + 8 * l, r.v[l]);
}

static int ifma_usable(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512ifma");
}
#else
#define ZK_HAVE_IFMA 0
#endif
