/* The GLV split of a public scalar (SPEC.md §2.3), for zk_msm's lanes: k ≡ k1 + k2·λ (mod n)
 * by Babai rounding on the reduced basis (a1, b1), (a2, b2) of {(i, j) : i + j·λ ≡ 0 mod n},
 * exactly as native.py's glv_split:
 *     c1 = ⌊(b2·k + ⌊n/2⌋) / n⌋,  c2 = ⌊(−b1·k + ⌊n/2⌋) / n⌋,
 *     k1 = k − c1·a1 − c2·a2,     k2 = −c1·b1 − c2·b2.
 * Babai's bound |k1| ≤ (a1 + a2)/2, |k2| ≤ (−b1 + b2)/2 keeps both below 2^128 for any k.
 *
 * Variable-time (public scalars only). Numbers are little-endian arrays of 64-bit words.
 * Included by native.c after its scalar helpers.
 */

static const uint64_t GLV_N[4] = {0xbfd25e8cd0364141ULL, 0xbaaedce6af48a03bULL,
                                  0xfffffffffffffffeULL, 0xffffffffffffffffULL};
static const uint64_t GLV_N_COMPLEMENT[3] = {0x402da1732fc9bebfULL, 0x4551231950b75fc4ULL, 1};   /* 2^256 − n */
static const uint64_t GLV_HALF_N[4] = {0xdfe92f46681b20a0ULL, 0x5d576e7357a4501dULL,
                                       0xffffffffffffffffULL, 0x7fffffffffffffffULL};   /* ⌊n/2⌋ */
static const uint64_t GLV_A1[2] = {0xe86c90e49284eb15ULL, 0x3086d221a7d46bcdULL};   /* = b2 */
static const uint64_t GLV_MINUS_B1[2] = {0x6f547fa90abfe4c3ULL, 0xe4437ed6010e8828ULL};
static const uint64_t GLV_A2[3] = {0x57c1108d9d44cfd8ULL, 0x14ca50f7a8e2f3f6ULL, 1};

/* r[0 .. na+nb) = a·b (r must not overlap a or b). */
static void words_mul(uint64_t *r, const uint64_t *a, int na, const uint64_t *b, int nb) {
    memset(r, 0, (size_t)(na + nb) * sizeof *r);
    for (int i = 0; i < na; i++) {
        u128 carry = 0;
        for (int j = 0; j < nb; j++) {
            u128 t = (u128)a[i] * b[j] + r[i + j] + carry;
            r[i + j] = (uint64_t)t;
            carry = t >> 64;
        }
        r[i + nb] = (uint64_t)carry;
    }
}

/* r += a (a has na ≤ nr words); the carry out of r's top word is dropped (mod 2^(64·nr)). */
static void words_add(uint64_t *r, int nr, const uint64_t *a, int na) {
    u128 carry = 0;
    for (int i = 0; i < nr; i++) {
        carry += (u128)r[i] + (i < na ? a[i] : 0);
        r[i] = (uint64_t)carry;
        carry >>= 64;
    }
}

/* r −= a (a has na ≤ nr words), mod 2^(64·nr). */
static void words_sub(uint64_t *r, int nr, const uint64_t *a, int na) {
    uint64_t borrow = 0;
    for (int i = 0; i < nr; i++) {
        uint64_t ai = i < na ? a[i] : 0, o = r[i];
        r[i] = o - ai - borrow;
        borrow = (o < ai) || (o - ai < borrow);
    }
}

/* Whether a 5-word r is at least n. */
static int words_at_least_n(const uint64_t r[5]) {
    if (r[4]) return 1;
    for (int i = 3; i >= 0; i--)
        if (r[i] != GLV_N[i]) return r[i] > GLV_N[i];
    return 1;
}

/* ⌊(m·k + ⌊n/2⌋) / n⌋ for a 2-word m and k < n: with X = q·2^256 + lo, X − q·n =
 * lo + q·(2^256 − n) ≥ 0 and below 3·2^256, so a few subtractions of n finish the quotient
 * (below 2^128 since m is). */
static void glv_round_div_n(uint64_t c[2], const uint64_t m[2], const uint64_t k[4]) {
    uint64_t x[6], r[5], qd[5];
    words_mul(x, m, 2, k, 4);
    words_add(x, 6, GLV_HALF_N, 4);
    c[0] = x[4];
    c[1] = x[5];
    words_mul(qd, c, 2, GLV_N_COMPLEMENT, 3);
    memcpy(r, x, 4 * sizeof *r);
    r[4] = 0;
    words_add(r, 5, qd, 5);
    while (words_at_least_n(r)) {
        words_sub(r, 5, GLV_N, 4);
        if (++c[0] == 0) c[1]++;
    }
}

/* A 5-word two's-complement value's magnitude into `mag` (2 words) and its sign; returns 0
 * if the magnitude does not fit 128 bits (never, by Babai's bound). */
static int glv_magnitude(uint64_t mag[2], int *neg, uint64_t v[5]) {
    *neg = (int)(v[4] >> 63);
    if (*neg) {
        uint64_t zero[5] = {0};
        words_sub(zero, 5, v, 5);
        memcpy(v, zero, sizeof zero);
    }
    mag[0] = v[0];
    mag[1] = v[1];
    return !(v[2] | v[3] | v[4]);
}

/* k (4 words, below n) into |k1|, |k2| (2 words each) and their signs; 0 if a half did not
 * fit 128 bits. */
static int glv_split_words(uint64_t k1[2], int *neg1, uint64_t k2[2], int *neg2,
                           const uint64_t k[4]) {
    uint64_t c1[2], c2[2], t[5], v1[5] = {k[0], k[1], k[2], k[3], 0}, v2[5] = {0};
    glv_round_div_n(c1, GLV_A1, k);   /* b2 = a1 */
    glv_round_div_n(c2, GLV_MINUS_B1, k);
    words_mul(t, c1, 2, GLV_A1, 2);   /* k1 = k − c1·a1 − c2·a2 */
    words_sub(v1, 5, t, 4);
    words_mul(t, c2, 2, GLV_A2, 3);
    words_sub(v1, 5, t, 5);
    words_mul(t, c1, 2, GLV_MINUS_B1, 2);   /* k2 = c1·(−b1) − c2·b2 */
    words_add(v2, 5, t, 4);
    words_mul(t, c2, 2, GLV_A1, 2);
    words_sub(v2, 5, t, 4);
    return glv_magnitude(k1, neg1, v1) & glv_magnitude(k2, neg2, v2);
}

/* A big-endian 32-byte scalar as 4 words, reduced below n (one subtraction: it is < 2^256). */
static void glv_scalar_words(uint64_t k[4], const unsigned char *be) {
    uint64_t w[5];
    scalar_words(w, be);
    if (words_at_least_n(w)) words_sub(w, 4, GLV_N, 4);
    memcpy(k, w, 4 * sizeof *k);
}

/* 2 words as 16 bytes big-endian after 16 zero bytes. */
static void glv_half_bytes(unsigned char *out, const uint64_t h[2]) {
    memset(out, 0, 16);
    for (int i = 0; i < 16; i++) out[16 + i] = (unsigned char)(h[1 - i / 8] >> (8 * (7 - i % 8)));
}

/* The test hook: a 32-byte big-endian k below n into |k1| ‖ |k2| (32 bytes each, big-endian)
 * at `out`; returns neg1 | neg2 << 1, −1 for k ≥ n, −2 if a half did not fit (never). */
int zk_glv_split(const unsigned char *k, unsigned char *out) {
    uint64_t w[5], reduced[4], k1[2], k2[2];
    int neg1, neg2;
    scalar_words(w, k);
    if (words_at_least_n(w)) return -1;
    glv_scalar_words(reduced, k);
    if (!glv_split_words(k1, &neg1, k2, &neg2, reduced)) return -2;
    glv_half_bytes(out, k1);
    glv_half_bytes(out + 32, k2);
    return neg1 | neg2 << 1;
}
