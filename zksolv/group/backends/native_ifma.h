/* Eight field elements at once on AVX-512 IFMA, for generator folding (SPEC.md §2.3).
 *
 * Included by native.c after its scalar field and group code. Lane i of every vector
 * belongs to point i of a group of eight; the fold's NAF digits are shared by all points,
 * so all lanes follow the same control flow. Compiled for IFMA by function attributes
 * only and used only when the CPU reports the feature at run time (`ifma_usable`).
 *
 * IFMA multiplies the low 52 bits of its operands, so elements here are kept "tight":
 * n_0..n_3 < 2^52 and n_4 < 2^49 (a value below 2^257; the limbs are then unique).
 */
#if defined(__x86_64__) && defined(__GNUC__)
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

IFMA void fe8_shl(fe8 *r, const fe8 *a, unsigned s) {   /* a·2^s, s ≤ 3 */
    for (int i = 0; i < 5; i++) r->v[i] = _mm512_slli_epi64(a->v[i], s);
    fe8_carry(r);
}

/* Columns c_0..c_9 (each below 2^57) of a product, reduced to a tight element. */
IFMA void fe8_reduce(fe8 *r, __m512i c[10]) {
    for (int k = 5; k < 9; k++) {   /* c_5..c_8 to 52 bits; c_9 < 2^47 for tight inputs */
        c[k + 1] = _mm512_add_epi64(c[k + 1], _mm512_srli_epi64(c[k], 52));
        c[k] = _mm512_and_si512(c[k], bcast(M52));
    }
    const __m512i r260 = bcast(R260);
    __m512i over = _mm512_setzero_si512();   /* weight 2^260 again, below 2^37 */
    for (int k = 0; k < 5; k++) {            /* c_(k+5)·2^(52(k+5)) ≡ c_(k+5)·R260·2^(52k) */
        c[k] = _mm512_madd52lo_epu64(c[k], c[k + 5], r260);
        if (k < 4) c[k + 1] = _mm512_madd52hi_epu64(c[k + 1], c[k + 5], r260);
        else over = _mm512_madd52hi_epu64(over, c[k + 5], r260);
    }
    c[0] = _mm512_madd52lo_epu64(c[0], over, r260);
    c[1] = _mm512_madd52hi_epu64(c[1], over, r260);
    for (int i = 0; i < 5; i++) r->v[i] = c[i];
    fe8_carry(r);
}

IFMA void fe8_mul(fe8 *r, const fe8 *a, const fe8 *b) {
    __m512i c[10];
    for (int k = 0; k < 10; k++) c[k] = _mm512_setzero_si512();
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 5; j++) {
            c[i + j] = _mm512_madd52lo_epu64(c[i + j], a->v[i], b->v[j]);
            c[i + j + 1] = _mm512_madd52hi_epu64(c[i + j + 1], a->v[i], b->v[j]);
        }
    fe8_reduce(r, c);
}

/* The cross products once, doubled by a shift, then the squares. */
IFMA void fe8_sqr(fe8 *r, const fe8 *a) {
    __m512i c[10];
    for (int k = 0; k < 10; k++) c[k] = _mm512_setzero_si512();
    for (int i = 0; i < 5; i++)
        for (int j = i + 1; j < 5; j++) {
            c[i + j] = _mm512_madd52lo_epu64(c[i + j], a->v[i], a->v[j]);
            c[i + j + 1] = _mm512_madd52hi_epu64(c[i + j + 1], a->v[i], a->v[j]);
        }
    for (int k = 0; k < 10; k++) c[k] = _mm512_slli_epi64(c[k], 1);
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

/* dbl-2009-l as in gej_double; no lane is the identity. */
IFMA void gej8_double(gej8 *r, const gej8 *a) {
    fe8 A, B, C, D, E, F, t, x3, y3, z3;
    fe8_sqr(&A, &a->x);
    fe8_sqr(&B, &a->y);
    fe8_sqr(&C, &B);
    fe8_add(&t, &a->x, &B); fe8_sqr(&t, &t); fe8_sub(&t, &t, &A); fe8_sub(&t, &t, &C);
    fe8_shl(&D, &t, 1);
    fe8_shl(&E, &A, 1); fe8_add(&E, &E, &A);
    fe8_sqr(&F, &E);
    fe8_mul(&z3, &a->y, &a->z); fe8_shl(&z3, &z3, 1);
    fe8_shl(&t, &D, 1); fe8_sub(&x3, &F, &t);
    fe8_sub(&t, &D, &x3); fe8_mul(&y3, &E, &t);
    fe8_shl(&C, &C, 3);
    fe8_sub(&y3, &y3, &C);
    r->x = x3; r->y = y3; r->z = z3;
}

/* madd-2007-bl as in gej_add_ge. Lanes where H ≡ 0 (a = ±b: doubling or the identity)
 * come out wrong and are flagged in *bad, for the caller to redo on the scalar path. */
IFMA void gej8_add_ge8(gej8 *r, const gej8 *a, const ge8 *b, __mmask8 *bad) {
    fe8 z1z1, u2, s2, h, hh, i, j, rr, v, t, x3, y3, z3;
    fe8_sqr(&z1z1, &a->z);
    fe8_mul(&u2, &b->x, &z1z1);
    fe8_mul(&s2, &b->y, &a->z); fe8_mul(&s2, &s2, &z1z1);
    fe8_sub(&h, &u2, &a->x);
    *bad |= fe8_zero_lanes(&h);
    fe8_sub(&rr, &s2, &a->y); fe8_shl(&rr, &rr, 1);
    fe8_sqr(&hh, &h);
    fe8_shl(&i, &hh, 2);
    fe8_mul(&j, &h, &i);
    fe8_mul(&v, &a->x, &i);
    fe8_sqr(&x3, &rr); fe8_sub(&x3, &x3, &j); fe8_sub(&x3, &x3, &v); fe8_sub(&x3, &x3, &v);
    fe8_sub(&t, &v, &x3); fe8_mul(&y3, &rr, &t);
    fe8_mul(&t, &a->y, &j); fe8_shl(&t, &t, 1); fe8_sub(&y3, &y3, &t);
    fe8_add(&z3, &a->z, &h); fe8_sqr(&z3, &z3); fe8_sub(&z3, &z3, &z1z1); fe8_sub(&z3, &z3, &hh);
    r->x = x3; r->y = y3; r->z = z3;
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

/* acc ← acc + d·T (T, the group's table; λ·T if endo; negated if the sign says so). */
IFMA void add_digit8(gej8 *acc, int *empty, const ge8 tab8[8], int d, int negate, int endo,
                     const fe8 *beta, __mmask8 *bad) {
    ge8 q = tab8[(abs(d) - 1) / 2];
    if (endo) fe8_mul(&q.x, &q.x, beta);
    if ((d < 0) != negate) {
        fe8 zero;
        for (int i = 0; i < 5; i++) zero.v[i] = _mm512_setzero_si512();
        fe8_sub(&q.y, &zero, &q.y);
    }
    if (*empty) {
        acc->x = q.x; acc->y = q.y;
        for (int i = 0; i < 5; i++) acc->z.v[i] = bcast(FE_ONE.n[i]);
        *empty = 0;
    } else {
        gej8_add_ge8(acc, acc, &q, bad);
    }
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

static int ifma_usable(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512ifma");
}
#else
#define ZK_HAVE_IFMA 0
#endif
