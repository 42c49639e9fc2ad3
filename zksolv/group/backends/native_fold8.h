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
