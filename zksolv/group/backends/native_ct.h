/* Constant-time arithmetic on secrets (SPEC.md §2.3, §5.3): the prover's A and S.
 *
 * Included by native.c after its field and group code. Everything that touches a secret
 * (a scalar, a value's bits) does so without a branch or a memory index that depends on
 * it: digits are recoded with arithmetic, tables are read whole and the wanted entry kept
 * by masks, points are added with complete formulas (Renes–Costello–Batina 2016, a = 0:
 * Algorithms 7, 8 and 9), which have no exceptional cases to branch on, and the result is
 * made affine and normalized branch-free. The points themselves are public: their tables
 * are built on the variable-time path. tests/ctime/ctime.c checks all this under valgrind.
 *
 * Points here are homogeneous projective (X : Y : Z), x = X/Z, y = Y/Z; the identity is
 * (0 : 1 : 0), which the complete formulas handle like any other point.
 */

typedef struct { fe x, y, z; } gep;

/* Window and block: measured (bench/ctime.py --sweep; bench/RESULTS.md, "Constant-time
 * prover"), overridable at compile time only for that sweep. A block's tables (CT_BLOCK ×
 * CT_HALF affine points) stay in cache while every window sweeps them. */
#ifndef ZK_CT_WINDOW
#define ZK_CT_WINDOW 5
#endif
#ifndef ZK_CT_BLOCK
#define ZK_CT_BLOCK 128
#endif
enum { CT_WINDOW = ZK_CT_WINDOW, CT_HALF = 1 << (CT_WINDOW - 1), CT_BLOCK = ZK_CT_BLOCK };
enum { CT_WINDOWS = 256 / CT_WINDOW + 1 };   /* one more for the signed digits' last carry */

/* An opaque copy of x: keeps the compiler from turning mask arithmetic back into branches. */
static inline uint64_t ct_barrier(uint64_t x) {
    __asm__ volatile("" : "+r"(x));
    return x;
}

/* All ones if a == b, else zero, without comparing. */
static inline uint64_t ct_eq_mask(uint64_t a, uint64_t b) {
    uint64_t x = ct_barrier(a ^ b);
    return ((x | (0 - x)) >> 63) - 1;
}

/* r = mask ? a : r, limb by limb (mask all ones or zero). */
static inline void fe_cmov(fe *r, const fe *a, uint64_t mask) {
    for (int i = 0; i < 5; i++) r->n[i] = (r->n[i] & ~mask) | (a->n[i] & mask);
}

static inline void gep_cmov(gep *r, const gep *a, uint64_t mask) {
    fe_cmov(&r->x, &a->x, mask);
    fe_cmov(&r->y, &a->y, mask);
    fe_cmov(&r->z, &a->z, mask);
}

/* fe_normalize without its branch: subtract p exactly when r ≥ p, by mask. */
static void fe_normalize_ct(fe *r) {
    fe_carry(r);
    fe_carry(r);
    uint64_t t[5];
    t[0] = r->n[0] + R256;   /* r + 2^256 − p: reaches bit 256 iff r ≥ p */
    for (int i = 0; i < 4; i++) { t[i + 1] = r->n[i + 1] + (t[i] >> 52); t[i] &= M52; }
    uint64_t over = 0 - ct_barrier(t[4] >> 48);
    t[4] &= M48;
    for (int i = 0; i < 5; i++) r->n[i] = (r->n[i] & ~over) | (t[i] & over);
}

/* All ones if a ≡ 0 (mod p), else zero. */
static uint64_t fe_zero_mask_ct(const fe *a) {
    fe t = *a;
    fe_normalize_ct(&t);
    return ct_eq_mask(t.n[0] | t.n[1] | t.n[2] | t.n[3] | t.n[4], 0);
}

static void fe_to_be_ct(unsigned char *out, const fe *a) {
    fe t = *a;
    fe_normalize_ct(&t);
    fe_pack_be(out, &t);
}

static void gep_set_inf(gep *r) {
    memset(r, 0, sizeof *r);
    r->y = FE_ONE;
}

static void fe_mul_b3(fe *r, const fe *a) { fe_mul_small(r, a, 21); }   /* 3·b, b = 7 */

/* The steps RCB Algorithms 7 and 8 share, from t0 = X1X2, t1 = Y1Y2, zz = Z1Z2,
 * xy = X1Y2 + X2Y1, yz = Y1Z2 + Y2Z1 and xz = X1Z2 + X2Z1 (Z2 = 1 for an affine b). */
static void gep_add_finish(gep *r, fe t0, fe t1, const fe *zz, const fe *xy, const fe *yz,
                           fe xz) {
    fe t2, x3, z3;
    fe_add(&x3, &t0, &t0); fe_add(&t0, &x3, &t0);                 /* 3·X1X2 */
    fe_mul_b3(&t2, zz);
    fe_add(&z3, &t1, &t2); fe_sub(&t1, &t1, &t2);
    fe_mul_b3(&xz, &xz);
    fe_mul(&x3, yz, &xz); fe_mul(&t2, xy, &t1); fe_sub(&r->x, &t2, &x3);
    fe_mul(&xz, &xz, &t0); fe_mul(&t1, &t1, &z3); fe_add(&r->y, &t1, &xz);
    fe_mul(&t0, &t0, xy); fe_mul(&z3, &z3, yz); fe_add(&r->z, &z3, &t0);
}

/* r = a + b, complete (RCB Algorithm 7): 12M, any inputs, the identity included. */
static void gep_add(gep *r, const gep *a, const gep *b) {
    fe t0, t1, t2, xy, yz, xz, u, v;
    fe_mul(&t0, &a->x, &b->x); fe_mul(&t1, &a->y, &b->y); fe_mul(&t2, &a->z, &b->z);
    fe_add(&u, &a->x, &a->y); fe_add(&v, &b->x, &b->y); fe_mul(&xy, &u, &v);
    fe_add(&u, &t0, &t1); fe_sub(&xy, &xy, &u);
    fe_add(&u, &a->y, &a->z); fe_add(&v, &b->y, &b->z); fe_mul(&yz, &u, &v);
    fe_add(&u, &t1, &t2); fe_sub(&yz, &yz, &u);
    fe_add(&u, &a->x, &a->z); fe_add(&v, &b->x, &b->z); fe_mul(&xz, &u, &v);
    fe_add(&u, &t0, &t2); fe_sub(&xz, &xz, &u);
    gep_add_finish(r, t0, t1, &t2, &xy, &yz, xz);
}

/* r = a + b for an affine b that is not the identity (RCB Algorithm 8): 11M, complete
 * in a, so a may be the identity, b or −b. */
static void gep_add_ge(gep *r, const gep *a, const ge *b) {
    fe t0, t1, xy, yz, xz, u, v;
    fe_mul(&t0, &a->x, &b->x); fe_mul(&t1, &a->y, &b->y);
    fe_add(&u, &b->x, &b->y); fe_add(&v, &a->x, &a->y); fe_mul(&xy, &u, &v);
    fe_add(&u, &t0, &t1); fe_sub(&xy, &xy, &u);
    fe_mul(&yz, &b->y, &a->z); fe_add(&yz, &yz, &a->y);
    fe_mul(&xz, &b->x, &a->z); fe_add(&xz, &xz, &a->x);
    gep_add_finish(r, t0, t1, &a->z, &xy, &yz, xz);
}

/* r = 2·a, complete (RCB Algorithm 9): 6M + 2S. */
static void gep_double(gep *r, const gep *a) {
    fe t0, t1, t2, x3, y3, z3;
    fe_sqr(&t0, &a->y);
    fe_mul_small(&z3, &t0, 8);
    fe_mul(&t1, &a->y, &a->z);
    fe_sqr(&t2, &a->z); fe_mul_b3(&t2, &t2);
    fe_mul(&x3, &t2, &z3);
    fe_add(&y3, &t0, &t2);
    fe_mul(&z3, &t1, &z3);
    fe_mul_small(&t1, &t2, 3);
    fe_sub(&t0, &t0, &t1);
    fe_mul(&y3, &t0, &y3); fe_add(&y3, &x3, &y3);
    fe_mul(&t1, &a->x, &a->y);
    fe_mul(&x3, &t0, &t1); fe_dbl(&x3, &x3);
    r->x = x3; r->y = y3; r->z = z3;
}

/* Affine x ‖ y of a into 64 bytes, zeros for the identity; 1 unless the identity. One
 * inversion by a public exponent, normalization by masks: no branch on the point. */
static int gep_write_ct(unsigned char *out, const gep *a) {
    fe zi, x, y;
    fe_inv(&zi, &a->z);   /* 0 for the identity, making x = y = 0 */
    fe_mul(&x, &a->x, &zi);
    fe_mul(&y, &a->y, &zi);
    fe_to_be_ct(out, &x);
    fe_to_be_ct(out + 32, &y);
    return (int)(1 & ~fe_zero_mask_ct(&a->z));
}

/* ---- S: Straus's interleaved fixed-window MSM, secret scalars ----------------------- */

/* Signed base-2^CT_WINDOW digits of a secret scalar, d ∈ [−CT_HALF, CT_HALF], with the
 * carry computed by arithmetic, not comparison. */
static void ct_digits(int *d, const unsigned char *k) {
    uint64_t words[5];
    scalar_words(words, k);
    int carry = 0;
    for (unsigned w = 0; w < CT_WINDOWS; w++) {
        int v = (int)scalar_bits(words, w * CT_WINDOW, CT_WINDOW) + carry;   /* 0 … 2^c */
        carry = (int)((uint32_t)(CT_HALF - v) >> 31);                    /* v > CT_HALF */
        d[w] = v - carry * (1 << CT_WINDOW);
    }
}

/* a_k ← 1/a_k for n nonzero elements with one inversion (Montgomery's trick). */
static void fe_inv_batch(fe *a, size_t n, fe *prefix) {
    fe acc = FE_ONE, inv, t;
    for (size_t k = 0; k < n; k++) { prefix[k] = acc; fe_mul(&acc, &acc, &a[k]); }
    fe_inv(&inv, &acc);
    for (size_t k = n; k-- > 0;) {
        fe_mul(&t, &inv, &prefix[k]);
        fe_mul(&inv, &inv, &a[k]);
        a[k] = t;
    }
}

/* P, 2P, …, CT_HALF·P of n public points, affine: round j adds P to every (j − 1)·P with
 * one shared inversion. Variable-time, as the points are public; no denominator is zero,
 * since secp256k1 has prime order (2y ≠ 0, and jP ≠ ±P for 1 < j < CT_HALF). */
static void ct_tables(ge *table, fe *den, fe *prefix, const unsigned char *points, size_t n) {
    for (size_t k = 0; k < n; k++) ge_from_bytes(&table[CT_HALF * k], points + 64 * k);
    for (int j = 1; j < CT_HALF; j++) {
        for (size_t k = 0; k < n; k++) {
            const ge *p = &table[CT_HALF * k], *q = p + j - 1;
            if (j == 1) fe_dbl(&den[k], &p->y);
            else fe_sub(&den[k], &q->x, &p->x);
        }
        fe_inv_batch(den, n, prefix);
        for (size_t k = 0; k < n; k++) {
            const ge *p = &table[CT_HALF * k], *q = p + j - 1;
            ge *r = &table[CT_HALF * k + j];
            fe lam, t;
            if (j == 1) { fe_sqr(&t, &p->x); fe_mul_small(&t, &t, 3); }   /* 3x² / 2y */
            else fe_sub(&t, &q->y, &p->y);                                /* Δy / Δx */
            fe_mul(&lam, &t, &den[k]);
            fe_sqr(&r->x, &lam);
            fe_sub(&r->x, &r->x, &p->x);
            fe_sub(&r->x, &r->x, &q->x);
            fe_sub(&t, &q->x, &r->x);
            fe_mul(&r->y, &lam, &t);
            fe_sub(&r->y, &r->y, &q->y);
            r->inf = 0;
        }
    }
}

/* acc += d·P from P's table, reading every entry; a zero digit leaves acc as it was. */
static void ct_add_digit(gep *acc, const ge *table, int d) {
    uint64_t sign = (uint64_t)(uint32_t)d >> 31;           /* 1 iff d < 0 */
    uint64_t mag = (uint64_t)((d ^ -(int)sign) + (int)sign);
    ge q;
    memset(&q, 0, sizeof q);
    for (int j = 0; j < CT_HALF; j++) {
        uint64_t take = ct_eq_mask(mag, (uint64_t)j + 1);
        fe_cmov(&q.x, &table[j].x, take);
        fe_cmov(&q.y, &table[j].y, take);
    }
    fe neg_y;
    fe_neg(&neg_y, &q.y);
    fe_cmov(&q.y, &neg_y, 0 - ct_barrier(sign));
    gep sum;
    gep_add_ge(&sum, acc, &q);
    gep_cmov(acc, &sum, ~ct_eq_mask(mag, 0));
}

/* acc += Σ k_i·P_i over one block of points, their tables and digits ready. */
static void ct_block(gep *acc, const ge *table, const int *digits, size_t n) {
    gep part;
    gep_set_inf(&part);
    for (unsigned w = CT_WINDOWS; w-- > 0;) {
        for (int s = 0; s < CT_WINDOW; s++) gep_double(&part, &part);
        for (size_t k = 0; k < n; k++)
            ct_add_digit(&part, table + CT_HALF * k, digits[k * CT_WINDOWS + w]);
    }
    gep_add(acc, acc, &part);
}

static size_t ct_room_bytes(size_t block) {
    return carved(CT_HALF * block, sizeof(ge)) + 2 * carved(block, sizeof(fe))
           + carved(CT_WINDOWS * block, sizeof(int));
}

/* acc += Σ k_i·P_i, constant-time in the scalars, block by block. −1 on no memory. */
static int ct_msm_into(gep *acc, const unsigned char *points, const unsigned char *scalars,
                       size_t n) {
    size_t block = n < CT_BLOCK ? (n ? n : 1) : CT_BLOCK;
    unsigned char *room = scratch_get(ct_room_bytes(block)), *cursor = room;
    if (!room) return -1;
    ge *table = carve(&cursor, CT_HALF * block, sizeof(ge));
    fe *den = carve(&cursor, block, sizeof(fe)), *prefix = carve(&cursor, block, sizeof(fe));
    int *digits = carve(&cursor, CT_WINDOWS * block, sizeof(int));
    for (size_t at = 0; at < n; at += block) {
        size_t count = n - at < block ? n - at : block;
        ct_tables(table, den, prefix, points + 64 * at, count);
        for (size_t k = 0; k < count; k++) ct_digits(digits + k * CT_WINDOWS, scalars + 32 * (at + k));
        ct_block(acc, table, digits, count);
    }
    scratch_put(room);
    return 0;
}

/* Σ k_i·P_i for public points (none the identity) and secret scalars (32 bytes big-endian
 * each, below n, zero allowed): the constant-time `msm_secret`. Returns 1, 0 for the
 * identity (zeros written), −1 on no memory. */
int zk_msm_secret(const unsigned char *points, const unsigned char *scalars, size_t n,
                  unsigned char *out) {
    gep acc;
    gep_set_inf(&acc);
    if (ct_msm_into(&acc, points, scalars, n) < 0) return -1;
    return gep_write_ct(out, &acc);
}

/* ---- A: the value's bits select G_i or −H_i --------------------------------------- */

/* α·B + Σ_i (a_i·G_i + (a_i − 1)·H_i) with a the bits of m secret values, least significant
 * first, value after value (SPEC.md §5.3): each term is G_i or −H_i, taken by mask from a
 * bit read with public shifts and indices, and added by the complete mixed formula. The
 * values are `nbits`/8 bytes each, little-endian; α is 32 bytes big-endian below n. Points
 * are public and none is the identity. Returns as zk_msm_secret. */
int zk_bits_commit_secret(const unsigned char *base, const unsigned char *alpha,
                          const unsigned char *g, const unsigned char *h,
                          const unsigned char *values, size_t nbits, size_t m,
                          unsigned char *out) {
    gep acc;
    gep_set_inf(&acc);
    if (ct_msm_into(&acc, base, alpha, 1) < 0) return -1;
    for (size_t i = 0; i < nbits * m; i++) {
        size_t j = i / nbits, bit = i % nbits;
        uint64_t a = (values[j * (nbits / 8) + bit / 8] >> (bit % 8)) & 1;
        uint64_t take_g = 0 - ct_barrier(a);
        ge q, neg_h;
        ge_from_bytes(&q, g + 64 * i);
        ge_from_bytes(&neg_h, h + 64 * i);
        fe_neg(&neg_h.y, &neg_h.y);
        fe_cmov(&q.x, &neg_h.x, ~take_g);
        fe_cmov(&q.y, &neg_h.y, ~take_g);
        gep_add_ge(&acc, &acc, &q);
    }
    return gep_write_ct(out, &acc);
}

/* For the tests: a + b (op 0) or a·b (op 1) written through the constant-time normalization,
 * or whether a − b ≡ 0 by the constant-time test (op 2, returned). Inputs are 32-byte
 * big-endian below 2^256, so results reach every loose form and the final subtraction of p. */
int zk_fe_ct_op(int op, const unsigned char *a, const unsigned char *b, unsigned char *out) {
    fe x, y, r;
    fe_from_be(&x, a);
    fe_from_be(&y, b);
    if (op == 2) {
        fe_sub(&r, &x, &y);
        return (int)(fe_zero_mask_ct(&r) & 1);
    }
    if (op == 0) fe_add(&r, &x, &y);
    else fe_mul(&r, &x, &y);
    fe_to_be_ct(out, &r);
    return 1;
}
