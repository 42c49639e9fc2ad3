/* The fold's tables of odd multiples built on IFMA lanes (SPEC.md §2.3).
 *
 * Included by native.c after native_msm8.h. Eight points go in the lanes; their multiples
 * P, 3P, …, 15P are made Jacobian, then affine with one inversion per lane for a whole
 * block (Montgomery's trick, each lane its own chain), and handed to ladder8 in lane form.
 */
#if ZK_HAVE_IFMA

/* The eight affine points at `bytes` (64 bytes each, x ‖ y below p) in lanes. */
static void ge8_load(ge8 *r, const unsigned char *bytes) {
    uint64_t x[5][8], y[5][8];
    for (int i = 0; i < 8; i++) {
        fe fx, fy;
        fe_from_be(&fx, bytes + 64 * i);
        fe_from_be(&fy, bytes + 64 * i + 32);
        for (int l = 0; l < 5; l++) { x[l][i] = fx.n[l]; y[l][i] = fy.n[l]; }
    }
    memcpy(r->x.v, x, sizeof x);
    memcpy(r->y.v, y, sizeof y);
}

IFMA void fe8_one(fe8 *r) {
    for (int l = 0; l < 5; l++) r->v[l] = bcast(FE_ONE.n[l]);
}

/* a^(p−2) in every lane, by fe_inv's 4-bit fixed window; 0 maps to 0. */
IFMA_FN void fe8_inv(fe8 *r, const fe8 *a) {
    static const uint64_t e[4] = {0xFFFFFFFEFFFFFC2DULL, ~0ULL, ~0ULL, ~0ULL};
    fe8 table[16];
    fe8_one(&table[0]);
    for (int i = 1; i < 16; i++) fe8_mul(&table[i], &table[i - 1], a);
    fe8 acc = table[0];
    for (int nib = 63; nib >= 0; nib--) {
        for (int s = 0; s < 4; s++) fe8_sqr(&acc, &acc);
        unsigned d = (unsigned)(e[nib / 16] >> (4 * (nib % 16))) & 15;
        if (d) fe8_mul(&acc, &acc, &table[d]);
    }
    *r = acc;
}

/* ---- n ≤ CHAINS_MAX independent chains in lockstep ------------------------------------
 * One field operation is issued for every chain before the next: a lane multiplication's
 * latency is ≈ 3.7× its throughput, and a lone chain of dependent operations leaves the
 * ports idle (bench/RESULTS.md, "The fold ladders in lockstep"). Each chain computes what
 * the one-chain function of native_ifma.h / native_msm8.h named in its comment computes,
 * operation for operation, so results are bit-identical. n is a constant at every call
 * site (these are always inlined), so the loops unroll. r may alias a. */
enum { CHAINS_MAX = 2 };
#define EACH_CHAIN(c, n) for (int c = 0; c < (n); c++)

/* gej8_double (dbl-2009-l) for n chains. */
IFMA void gej8_double_n(gej8 *r, const gej8 *a, int n) {
    fe8 A[CHAINS_MAX], B[CHAINS_MAX], C[CHAINS_MAX], D[CHAINS_MAX], E[CHAINS_MAX],
        F[CHAINS_MAX], t[CHAINS_MAX], y3[CHAINS_MAX], z3[CHAINS_MAX];
    EACH_CHAIN(c, n) fe8_sqr(&A[c], &a[c].x);
    EACH_CHAIN(c, n) fe8_sqr(&B[c], &a[c].y);
    EACH_CHAIN(c, n) fe8_sqr(&C[c], &B[c]);
    EACH_CHAIN(c, n) fe8_add(&t[c], &a[c].x, &B[c]);
    EACH_CHAIN(c, n) fe8_sqr(&t[c], &t[c]);
    EACH_CHAIN(c, n) fe8_sub(&t[c], &t[c], &A[c]);
    EACH_CHAIN(c, n) fe8_sub(&t[c], &t[c], &C[c]);
    EACH_CHAIN(c, n) fe8_shl(&D[c], &t[c], 1);
    EACH_CHAIN(c, n) fe8_shl(&E[c], &A[c], 1);
    EACH_CHAIN(c, n) fe8_add(&E[c], &E[c], &A[c]);
    EACH_CHAIN(c, n) fe8_sqr(&F[c], &E[c]);
    EACH_CHAIN(c, n) fe8_mul(&z3[c], &a[c].y, &a[c].z);
    EACH_CHAIN(c, n) fe8_shl(&z3[c], &z3[c], 1);
    EACH_CHAIN(c, n) fe8_shl(&t[c], &D[c], 1);
    EACH_CHAIN(c, n) fe8_sub(&r[c].x, &F[c], &t[c]);   /* a[c] is not read after here */
    EACH_CHAIN(c, n) fe8_sub(&t[c], &D[c], &r[c].x);
    EACH_CHAIN(c, n) fe8_mul(&y3[c], &E[c], &t[c]);
    EACH_CHAIN(c, n) fe8_shl(&C[c], &C[c], 3);
    EACH_CHAIN(c, n) fe8_sub(&r[c].y, &y3[c], &C[c]);
    EACH_CHAIN(c, n) r[c].z = z3[c];
}

/* gej8_add_ge8 (madd-2007-bl) for n chains; lanes where H ≡ 0 flagged in bad[c]. */
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
    EACH_CHAIN(c, n) fe8_sub(&rr[c], &s2[c], &a[c].y);
    EACH_CHAIN(c, n) fe8_shl(&rr[c], &rr[c], 1);
    EACH_CHAIN(c, n) fe8_sqr(&hh[c], &h[c]);
    EACH_CHAIN(c, n) fe8_shl(&i[c], &hh[c], 2);
    EACH_CHAIN(c, n) fe8_mul(&j[c], &h[c], &i[c]);
    EACH_CHAIN(c, n) fe8_mul(&v[c], &a[c].x, &i[c]);
    EACH_CHAIN(c, n) fe8_sqr(&x3[c], &rr[c]);
    EACH_CHAIN(c, n) fe8_sub(&x3[c], &x3[c], &j[c]);
    EACH_CHAIN(c, n) fe8_sub(&x3[c], &x3[c], &v[c]);
    EACH_CHAIN(c, n) fe8_sub(&x3[c], &x3[c], &v[c]);
    EACH_CHAIN(c, n) fe8_sub(&t[c], &v[c], &x3[c]);
    EACH_CHAIN(c, n) fe8_mul(&y3[c], &rr[c], &t[c]);
    EACH_CHAIN(c, n) fe8_mul(&t[c], &a[c].y, &j[c]);
    EACH_CHAIN(c, n) fe8_shl(&t[c], &t[c], 1);
    EACH_CHAIN(c, n) fe8_sub(&y3[c], &y3[c], &t[c]);
    EACH_CHAIN(c, n) fe8_add(&z3[c], &a[c].z, &h[c]);
    EACH_CHAIN(c, n) fe8_sqr(&z3[c], &z3[c]);
    EACH_CHAIN(c, n) fe8_sub(&z3[c], &z3[c], &z1z1[c]);
    EACH_CHAIN(c, n) fe8_sub(&z3[c], &z3[c], &hh[c]);
    EACH_CHAIN(c, n) { r[c].x = x3[c]; r[c].y = y3[c]; r[c].z = z3[c]; }
}

/* t[j] = (2j + 1)·P in every lane, Jacobian. */
IFMA_FN void odd_multiples8(gej8 t[8], const ge8 *p) {
    gej8 twice;
    t[0].x = p->x;
    t[0].y = p->y;
    fe8_one(&t[0].z);
    gej8_double(&twice, &t[0]);
    for (int j = 1; j < 8; j++) gej8_add_any(&t[j], &t[j - 1], &twice);
}

/* Affine forms of `count` Jacobian lane points, one inversion a lane; `prefix` is room for
 * `count` elements. Returns 0, writing nothing usable, if a lane holds the identity. */
IFMA_FN int gej8_to_ge8_batch(ge8 *out, const gej8 *in, size_t count, fe8 *prefix) {
    fe8 acc, inv;
    fe8_one(&acc);
    for (size_t k = 0; k < count; k++) {
        prefix[k] = acc;
        fe8_mul(&acc, &acc, &in[k].z);
    }
    if (fe8_zero_lanes(&acc)) return 0;
    fe8_inv(&inv, &acc);
    for (size_t k = count; k-- > 0;) {
        fe8 zi, zi2, zi3;
        fe8_mul(&zi, &inv, &prefix[k]);      /* 1/Z_k in every lane */
        fe8_mul(&inv, &inv, &in[k].z);
        fe8_sqr(&zi2, &zi);
        fe8_mul(&zi3, &zi2, &zi);
        fe8_mul(&out[k].x, &in[k].x, &zi2);
        fe8_mul(&out[k].y, &in[k].y, &zi3);
    }
    return 1;
}
#endif
