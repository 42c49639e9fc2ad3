/* Range-proof verification's per-proof vector work in the kernel (SPEC.md §5.5).
 *
 * A proof of N = n·m bits adds to the batch's one multi-scalar multiplication a coefficient
 * for every generator G_i and H_i, i < N (ω the proof's batch weight, s_i as in §5.5):
 *
 *     g_i += −ω·z − ω·a·s_i
 *     h_i += ω·z + y^(−i)·(ω·z^(2 + ⌊i/n⌋)·2^(i mod n) − ω·b·s_(N−1−i))
 *
 * The verifier in Python (zksolv/rangeproof/verifier.py) replays the transcript, draws the
 * weights, and does everything of size O(m + log N); this file does the O(N) part, which in
 * Python big integers was most of an audit's time. Scalars are public (challenges, proof
 * scalars, the verifier's weights): native_scalar.h's variable-time arithmetic is fine here.
 *
 * The accumulator is caller memory of 2·cap scalars (64·cap bytes, zero-initialised: zero
 * is zero in Montgomery form), g_0 … g_(cap−1) then h_0 … h_(cap−1), opaque to the caller
 * until zk_rp_export writes them out as big-endian bytes.
 */

enum { RP_MAX_ROUNDS = 32 };

/* out_i = c·s_i for the vector s of §5.5, from c·s_0 (s_0 = Π u_j⁻¹) and the squares u_j²:
 * out_i = out_(i − 2^lg)·u_(k−1−lg)² where lg = ⌊log2 i⌋ (bit lg of i set means round k−1−lg
 * took u_j, not u_j⁻¹). Seeding with c·s_0 scales the whole vector for free. */
static void rp_s_vector(sc *out, const sc *c_s0, const sc *u_sq, size_t k) {
    out[0] = *c_s0;
    for (size_t lg = 0; lg < k; lg++) {
        size_t half = (size_t)1 << lg;
        for (size_t i = 0; i < half; i++) sc_mul(&out[half + i], &out[i], &u_sq[k - 1 - lg]);
    }
}

/* g and h of the accumulator, for one proof (the formulas above), given as = ω·a·s and
 * bs = ω·b·s. Four multiplications an index. */
static void rp_accumulate(sc *g, sc *h, const sc *as, const sc *bs, size_t n, size_t m,
                          const sc *y_inv, const sc *zw, const sc *zpw) {
    size_t N = n * m;
    sc y_pow = SC_ONE, t, u;
    for (size_t j = 0, i = 0; j < m; j++) {
        sc bit = zpw[j];                       /* ω·z^(2+j)·2^(i mod n), doubled bit by bit */
        for (size_t b = 0; b < n; b++, i++) {
            sc_add(&t, &as[i], zw);
            sc_sub(&g[i], &g[i], &t);          /* g_i −= ω·z + ω·a·s_i */
            sc_sub(&t, &bit, &bs[N - 1 - i]);
            sc_mul(&u, &y_pow, &t);
            sc_add(&u, &u, zw);
            sc_add(&h[i], &h[i], &u);          /* h_i += ω·z + y^(−i)·(bit − ω·b·s_(N−1−i)) */
            sc_mul(&y_pow, &y_pow, y_inv);
            sc_dbl(&bit, &bit);
        }
    }
}

/* Adds one proof's g_i, h_i (i < n·m) into `acc` (2·cap scalars, see above). `scalars` holds
 * 5 + k + m big-endian 32-byte values, each < n: y⁻¹, ω·z, ω·a, ω·b, s_0 = Π_j u_j⁻¹,
 * u_0², …, u_(k−1)², ω·z², …, ω·z^(m+1). Returns 1; 0 (acc untouched) if k > RP_MAX_ROUNDS,
 * n or m > 2^k, n·m ≠ 2^k, n·m > cap or a value is ≥ n; −1 on no memory. */
int zk_rp_coeffs(unsigned char *acc, size_t cap, size_t n, size_t m, size_t k,
                 const unsigned char *scalars) {
    if (k > RP_MAX_ROUNDS) return 0;
    size_t full = (size_t)1 << k;
    if (n > full || m > full) return 0;   /* so that n·m below cannot wrap around */
    if (n * m != full || full > cap) return 0;
    size_t N = n * m, count = 5 + k + m;
    unsigned char *room = scratch_get(carved(count, sizeof(sc)) + 2 * carved(N, sizeof(sc)));
    if (!room) return -1;
    unsigned char *cursor = room;
    sc *in = carve(&cursor, count, sizeof(sc));
    sc *as = carve(&cursor, N, sizeof(sc));
    sc *bs = carve(&cursor, N, sizeof(sc));
    int ok = 1;
    for (size_t i = 0; i < count && ok; i++) ok = sc_from_be(&in[i], scalars + 32 * i);
    if (ok) {
        sc seed;
        sc_mul(&seed, &in[2], &in[4]);
        rp_s_vector(as, &seed, &in[5], k);
        sc_mul(&seed, &in[3], &in[4]);
        rp_s_vector(bs, &seed, &in[5], k);
        sc *g = (sc *)acc, *h = g + cap;
        rp_accumulate(g, h, as, bs, n, m, &in[0], &in[1], &in[5 + k]);
    }
    scratch_put(room);
    return ok;
}

/* Writes g_0 … g_(count−1) then h_0 … h_(count−1) of `acc` as big-endian scalars
 * (64·count bytes). Returns 1, or 0 if count > cap. */
int zk_rp_export(const unsigned char *acc, size_t cap, size_t count, unsigned char *out) {
    if (count > cap) return 0;
    const sc *g = (const sc *)acc, *h = g + cap;
    for (size_t i = 0; i < count; i++) sc_to_be(out + 32 * i, &g[i]);
    for (size_t i = 0; i < count; i++) sc_to_be(out + 32 * (count + i), &h[i]);
    return 1;
}
