/* The range prover's scalar work on secrets, constant-time (SPEC.md §2.3, §5.3, §6.2).
 *
 * Included by native.c after native_ct.h (it uses ct_barrier). Scalars mod n are four 64-bit
 * limbs, little-endian, in Montgomery form (a·2^256 mod n, fully reduced): multiplication is
 * CIOS Montgomery with a fixed number of limb steps and the final subtraction of n taken by
 * mask, additions and subtractions likewise. Nothing here branches on or indexes memory by a
 * secret (the prover's nonces, bits, s_L, s_R, l, r and the inner-product argument's a, b);
 * loop counts and indices depend on the public sizes only. Challenges (y, z, x, w, u) are
 * public but go through the same code. tests/ctime/prove_ctime.c checks this under valgrind.
 * The vectors' elementwise loops run eight elements at a time on lane words (native_ctsc8.h:
 * IFMA where the CPU has it; the portable set is what valgrind checks), writing the same
 * bytes as one at a time (tests/test_ctsc_lanes.py).
 *
 * The nonce stream (SPEC.md §6.2) is HMAC-SHA512(key, u64be(c)) read big-endian mod n; SHA-512
 * (FIPS 180-4) is written out below: additions, rotations and shifts only, no tables indexed
 * by data.
 *
 * Names carry "ctsc" and "zk_pv_": native_scalar.h's scalars (`sc`) are variable-time, for the
 * verifier's public data; these must never be mixed up with them.
 */

typedef struct { uint64_t v[4]; } ctsc;

static const uint64_t CTSC_N[4] = {0xBFD25E8CD0364141ULL, 0xBAAEDCE6AF48A03BULL,
                                   0xFFFFFFFFFFFFFFFEULL, 0xFFFFFFFFFFFFFFFFULL};
#define CTSC_N0INV 0x4B0DFF665588B13FULL   /* −n⁻¹ mod 2^64 */
static const ctsc CTSC_R2 = {{0x896CF21467D7D140ULL, 0x741496C20E7CF878ULL,   /* 2^512 mod n */
                              0xE697F5E45BCD07C6ULL, 0x9D671CD581C69BC5ULL}};
static const ctsc CTSC_R3 = {{0x7BC0CFE0E9FF41EDULL, 0x0017648444D4322CULL,   /* 2^768 mod n */
                              0xB1B31347F1D0B2DAULL, 0x555D800C18EF116DULL}};
static const ctsc CTSC_ONE = {{0x402DA1732FC9BEBFULL, 0x4551231950B75FC4ULL, 1, 0}};   /* 1 */
static const ctsc CTSC_RAW_ONE = {{1, 0, 0, 0}};   /* 2^−256: multiplying by it leaves the form */

/* r = t − n if t + top·2^256 ≥ n, else t, by mask (t + top·2^256 < 2n). */
static inline void ctsc_reduce_top(ctsc *r, const uint64_t t[4], uint64_t top) {
    uint64_t d[4], borrow = 0;
    for (int i = 0; i < 4; i++) {
        u128 x = (u128)t[i] - CTSC_N[i] - borrow;
        d[i] = (uint64_t)x;
        borrow = (uint64_t)(x >> 64) & 1;
    }
    uint64_t keep_d = 0 - ct_barrier(top | (borrow ^ 1));
    for (int i = 0; i < 4; i++) r->v[i] = (d[i] & keep_d) | (t[i] & ~keep_d);
}

/* r = a·b·2^−256 mod n (CIOS), for a < 2^256 and b < n: the result is below n. */
static void ctsc_mul(ctsc *r, const ctsc *a, const ctsc *b) {
    uint64_t t[6] = {0};
    for (int i = 0; i < 4; i++) {
        u128 c = 0;
        for (int j = 0; j < 4; j++) {
            c += (u128)a->v[j] * b->v[i] + t[j];
            t[j] = (uint64_t)c;
            c >>= 64;
        }
        c += t[4];
        t[4] = (uint64_t)c;
        t[5] = (uint64_t)(c >> 64);
        uint64_t q = t[0] * CTSC_N0INV;
        c = ((u128)q * CTSC_N[0] + t[0]) >> 64;
        for (int j = 1; j < 4; j++) {
            c += (u128)q * CTSC_N[j] + t[j];
            t[j - 1] = (uint64_t)c;
            c >>= 64;
        }
        c += t[4];
        t[3] = (uint64_t)c;
        t[4] = t[5] + (uint64_t)(c >> 64);
    }
    ctsc_reduce_top(r, t, t[4]);
}

static void ctsc_add(ctsc *r, const ctsc *a, const ctsc *b) {
    uint64_t t[4];
    u128 c = 0;
    for (int i = 0; i < 4; i++) {
        c += (u128)a->v[i] + b->v[i];
        t[i] = (uint64_t)c;
        c >>= 64;
    }
    ctsc_reduce_top(r, t, (uint64_t)c);
}

/* r = a − b, n added back by mask when it borrows. */
static void ctsc_sub(ctsc *r, const ctsc *a, const ctsc *b) {
    uint64_t t[4], borrow = 0;
    for (int i = 0; i < 4; i++) {
        u128 x = (u128)a->v[i] - b->v[i] - borrow;
        t[i] = (uint64_t)x;
        borrow = (uint64_t)(x >> 64) & 1;
    }
    uint64_t add_n = 0 - ct_barrier(borrow);
    u128 c = 0;
    for (int i = 0; i < 4; i++) {
        c += (u128)t[i] + (CTSC_N[i] & add_n);
        r->v[i] = (uint64_t)c;
        c >>= 64;
    }
}

/* A 32-byte big-endian number's words, not in Montgomery form ("plain"): any value below
 * 2^256, reduced mod n. A Montgomery form times a plain scalar (ctsc_mul) is the plain
 * product, so a plain factor saves the multiplication out of the form (ctsc_to_be). */
static void ctsc_plain_from_be(ctsc *r, const unsigned char *in) {
    ctsc x;
    for (int i = 0; i < 4; i++) {
        x.v[i] = 0;
        for (int j = 0; j < 8; j++) x.v[i] = (x.v[i] << 8) | in[(3 - i) * 8 + j];
    }
    ctsc_reduce_top(r, x.v, 0);   /* 2^256 < 2n: one subtraction */
}

/* Montgomery form of a 32-byte big-endian number (any value below 2^256, reduced mod n). */
static void ctsc_from_be(ctsc *r, const unsigned char *in) {
    ctsc x;
    ctsc_plain_from_be(&x, in);
    ctsc_mul(r, &x, &CTSC_R2);
}

/* A plain scalar (below n) as 32 bytes big-endian. */
static void ctsc_plain_to_be(unsigned char *out, const ctsc *a) {
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 8; j++) out[(3 - i) * 8 + j] = (unsigned char)(a->v[i] >> (56 - 8 * j));
}

static void ctsc_to_be(unsigned char *out, const ctsc *a) {
    ctsc x;
    ctsc_mul(&x, &CTSC_RAW_ONE, a);
    ctsc_plain_to_be(out, &x);
}

/* All ones if a ≡ 0, else zero. */
static uint64_t ctsc_zero_mask(const ctsc *a) {
    return ct_eq_mask(a->v[0] | a->v[1] | a->v[2] | a->v[3], 0);
}

/* ---- eight elements at a time on lane words (native_ctsc8.h) ------------------------ */

/* n in 52-bit limbs, as the lanes hold scalars. */
static const uint64_t CTSC_N52[5] = {0x25E8CD0364141ULL, 0xE6AF48A03BBFDULL, 0xFFFFFFEBAAEDCULL,
                                     0xFFFFFFFFFFFFFULL, 0xFFFFFFFFFFFFULL};

/* A scalar's four 64-bit words as five 52-bit limbs (public constants only). */
static void ctsc_limbs52(uint64_t limbs[5], const ctsc *a) {
    limbs[0] = a->v[0] & M52;
    limbs[1] = (a->v[0] >> 52 | a->v[1] << 12) & M52;
    limbs[2] = (a->v[1] >> 40 | a->v[2] << 24) & M52;
    limbs[3] = (a->v[2] >> 28 | a->v[3] << 36) & M52;
    limbs[4] = a->v[3] >> 16;
}

/* ctsc_plain_to_be's bytes, a word at a time. */
static inline void ctsc_plain_to_be_words(unsigned char *out, const ctsc *a) {
    for (int i = 0; i < 4; i++) {
        uint64_t be = __builtin_bswap64(a->v[3 - i]);
        memcpy(out + 8 * i, &be, 8);
    }
}

/* r = 16·a mod n (a below n): four doublings, each ctsc_mul's a·2 as well. */
static void ctsc_times16(ctsc *r, const ctsc *a) {
    *r = *a;
    for (int k = 0; k < 4; k++) ctsc_add(r, r, r);
}

/* The eight lanes' sums of 2^−260 products (the lanes' Montgomery form) added up and taken
 * to ctsc_mul's 2^−256 form: 16·Σ mod n. */
static void ctsc_lanes_sum16(ctsc *r, const ctsc lanes[8]) {
    ctsc sum = lanes[0];
    for (int l = 1; l < 8; l++) ctsc_add(&sum, &sum, &lanes[l]);
    ctsc_times16(r, &sum);
}

/* What zk_pv_poly's lanes read: the buffers, and a_L's public constants for a bit 0 and 1
 * (l0 = a − z and 16·(a − 1 + z), computed by the one-at-a-time code's own steps). */
struct ctsc_poly_args {
    const unsigned char *values;
    size_t nbits, count;
    const ctsc *s, *ypow;
    ctsc *l0, *r0, *r1;
    ctsc l0_if0, l0_if1, t16_if0, t16_if1;
};

/* Eight consecutive ctsc as four lane words (word w of element l in lane l of w[w]) and
 * back: element by element on the portable set, by two rounds of two-source permutes on the
 * IFMA one (four 64-byte loads hold two elements each). Addresses public. */
static inline void lp_ctsc_words(lp_v8 w[4], const ctsc *p) {
    for (int k = 0; k < 4; k++) LP_EACH(w[k], p[i_].v[k]);
}

static inline void lp_ctsc_unwords(ctsc *p, const lp_v8 w[4]) {
    for (int l = 0; l < 8; l++)
        for (int k = 0; k < 4; k++) p[l].v[k] = w[k].l[l];
}

#if ZK_HAVE_IFMA
/* Two words of two elements each (x = e0's four words ‖ e1's, y = e2's ‖ e3's) to two words
 * of one limb pair each (lo = word 0 of e0..e3 ‖ word 1 of e0..e3, hi = words 2 and 3); the
 * same permutes take lo, hi back to x, y. */
IFMA void li_ctsc_pairs(li_v8 *lo, li_v8 *hi, li_v8 x, li_v8 y) {
    const __m512i even = _mm512_setr_epi64(0, 4, 8, 12, 1, 5, 9, 13);
    const __m512i odd = _mm512_setr_epi64(2, 6, 10, 14, 3, 7, 11, 15);
    *lo = _mm512_permutex2var_epi64(x, even, y);
    *hi = _mm512_permutex2var_epi64(x, odd, y);
}

/* Halves: (x's first four ‖ y's first four) and (x's last four ‖ y's last four). */
IFMA void li_ctsc_halves(li_v8 *lo, li_v8 *hi, li_v8 x, li_v8 y) {
    const __m512i first = _mm512_setr_epi64(0, 1, 2, 3, 8, 9, 10, 11);
    const __m512i last = _mm512_setr_epi64(4, 5, 6, 7, 12, 13, 14, 15);
    *lo = _mm512_permutex2var_epi64(x, first, y);
    *hi = _mm512_permutex2var_epi64(x, last, y);
}

IFMA void li_ctsc_words(li_v8 w[4], const ctsc *p) {
    const uint64_t *q = p->v;
    li_v8 a, b, c, d;
    li_ctsc_pairs(&a, &b, li_load(q), li_load(q + 8));        /* e0..3: words 0,1 | 2,3 */
    li_ctsc_pairs(&c, &d, li_load(q + 16), li_load(q + 24));  /* e4..7 */
    li_ctsc_halves(&w[0], &w[1], a, c);
    li_ctsc_halves(&w[2], &w[3], b, d);
}

IFMA void li_ctsc_unwords(ctsc *p, const li_v8 w[4]) {
    uint64_t *q = p->v;
    li_v8 a, b, c, d, x, y;
    li_ctsc_halves(&a, &c, w[0], w[1]);   /* e0..3 words 0,1 and e4..7 words 0,1 */
    li_ctsc_halves(&b, &d, w[2], w[3]);
    li_ctsc_pairs(&x, &y, a, b);
    li_store(q, x);
    li_store(q + 8, y);
    li_ctsc_pairs(&x, &y, c, d);
    li_store(q + 16, x);
    li_store(q + 24, y);
}
#endif

#include "native_set_lp.h"
#define CS8(name) cs8p_##name
#include "native_ctsc8.h"
#if ZK_HAVE_IFMA
#include "native_set_li.h"
#define CS8(name) cs8i_##name
#include "native_ctsc8.h"
#endif

static int simd_on(void);

/* The lane set a zk_pv_*_lanes call runs on: `lanes` 0 the portable words (→ 0), 1 the IFMA
 * ones (→ 1, or −2 where the CPU lacks them), −1 the IFMA ones where the CPU has them (→ 1)
 * else one element at a time (→ −1); anything else one at a time (→ −1). */
static int ctsc_lane_set(int lanes) {
    if (lanes == 0) return 0;
#if ZK_HAVE_IFMA
    if (lanes == 1) return ifma_usable() ? 1 : -2;
    if (lanes == -1) return simd_on() ? 1 : -1;
#else
    if (lanes == 1) return -2;
#endif
    return -1;
}

/* Groups of eight a lane set takes of `count` elements: none where it is one at a time. */
static size_t ctsc_groups(int set, size_t count) { return set >= 0 ? count / 8 : 0; }

#if ZK_HAVE_IFMA
#define CTSC_LANES(set, name, ...) \
    do { if ((set) == 1) cs8i_##name(__VA_ARGS__); else cs8p_##name(__VA_ARGS__); } while (0)
#else
#define CTSC_LANES(set, name, ...) cs8p_##name(__VA_ARGS__)
#endif

/* ---- vectors crossing the boundary -------------------------------------------------- */

/* count scalars, 32 bytes big-endian each, into Montgomery form. */
int zk_pv_load(const unsigned char *in, size_t count, ctsc *out) {
    for (size_t i = 0; i < count; i++) ctsc_from_be(&out[i], in + 32 * i);
    return 1;
}

/* zk_pv_store with its groups of eight on lane set `lanes`, as zk_pv_inner_lanes. */
int zk_pv_store_lanes(const ctsc *in, size_t count, unsigned char *out, int lanes) {
    int set = ctsc_lane_set(lanes);
    if (set == -2) return -2;
    size_t i = 8 * ctsc_groups(set, count);
    if (i) CTSC_LANES(set, store, in, i / 8, out);
    for (; i < count; i++) ctsc_to_be(out + 32 * i, &in[i]);
    return 1;
}

/* count scalars out of Montgomery form, 32 bytes big-endian each (below n). */
int zk_pv_store(const ctsc *in, size_t count, unsigned char *out) {
    return zk_pv_store_lanes(in, count, out, -1);
}

/* zk_pv_powers with eight chains a k^8 apart on lane set `lanes` (as zk_pv_inner_lanes): the
 * first eight and those past the last group one at a time. */
int zk_pv_powers_lanes(const unsigned char *k_be, size_t count, ctsc *out, int lanes) {
    int set = ctsc_lane_set(lanes);
    if (set == -2) return -2;
    size_t groups = ctsc_groups(set, count), i = 0;
    ctsc k, acc = CTSC_ONE;
    ctsc_from_be(&k, k_be);
    if (groups > 1) {
        for (; i < 8; i++) {
            out[i] = acc;
            ctsc_mul(&acc, &acc, &k);
        }
        ctsc k8_16;   /* acc = k^8 */
        ctsc_times16(&k8_16, &acc);
        CTSC_LANES(set, powers, out, groups, &k8_16);
        i = 8 * groups;
        if (i < count) ctsc_mul(&acc, &out[i - 1], &k);
    }
    for (; i < count; i++) {
        out[i] = acc;
        ctsc_mul(&acc, &acc, &k);
    }
    return 1;
}

/* 1, k, k², … (count of them) for a public k, 32 bytes big-endian. */
int zk_pv_powers(const unsigned char *k_be, size_t count, ctsc *out) {
    return zk_pv_powers_lanes(k_be, count, out, -1);
}

/* zk_pv_inner with its groups of eight on lane set `lanes` (ctsc_lane_set; the rest one at
 * a time). For the tests and the valgrind check; zk_pv_inner chooses. −2 as ctsc_lane_set. */
int zk_pv_inner_lanes(const ctsc *a, const ctsc *b, size_t count, unsigned char *out,
                      int lanes) {
    int set = ctsc_lane_set(lanes);
    if (set == -2) return -2;
    size_t i = 8 * ctsc_groups(set, count);
    ctsc acc = {{0, 0, 0, 0}}, t;
    if (i) CTSC_LANES(set, inner, &acc, a, b, i / 8);
    for (; i < count; i++) {
        ctsc_mul(&t, &a[i], &b[i]);
        ctsc_add(&acc, &acc, &t);
    }
    ctsc_to_be(out, &acc);
    return 1;
}

/* <a, b>, 32 bytes big-endian. */
int zk_pv_inner(const ctsc *a, const ctsc *b, size_t count, unsigned char *out) {
    return zk_pv_inner_lanes(a, b, count, out, -1);
}

/* zk_pv_eval on lane set `lanes`, as zk_pv_inner_lanes. */
int zk_pv_eval_lanes(const ctsc *p, const ctsc *q, const unsigned char *x_be, size_t count,
                     ctsc *out, int lanes) {
    int set = ctsc_lane_set(lanes);
    if (set == -2) return -2;
    size_t i = 8 * ctsc_groups(set, count);
    ctsc x, t;
    ctsc_from_be(&x, x_be);
    if (i) {
        ctsc x16;
        ctsc_times16(&x16, &x);
        CTSC_LANES(set, eval, p, q, &x16, i / 8, out);
    }
    for (; i < count; i++) {
        ctsc_mul(&t, &q[i], &x);
        ctsc_add(&out[i], &p[i], &t);
    }
    return 1;
}

/* out_i = p_i + x·q_i (l = l(x), r = r(x) of SPEC.md §5.3). */
int zk_pv_eval(const ctsc *p, const ctsc *q, const unsigned char *x_be, size_t count, ctsc *out) {
    return zk_pv_eval_lanes(p, q, x_be, count, out, -1);
}

/* ---- l(X), r(X) and t(X) (SPEC.md §5.3) ----------------------------------------------- */

/* Value j's indices k ≥ k0 one at a time (z2k = z^(2+j)·2^k0, advanced past them). */
static void poly_one_at_a_time(const struct ctsc_poly_args *p, size_t j, size_t k0,
                               const ctsc *z, ctsc *z2k, ctsc *t1, ctsc *t2) {
    const ctsc *s = p->s, *ypow = p->ypow;
    ctsc *l0 = p->l0, *r0 = p->r0, *r1 = p->r1;
    for (size_t k = k0; k < p->nbits; k++) {
        size_t i = j * p->nbits + k;
        uint64_t bit = (p->values[j * (p->nbits / 8) + k / 8] >> (k % 8)) & 1;
        ctsc a = {{0, 0, 0, 0}}, t, u;
        uint64_t take = 0 - ct_barrier(bit);
        for (int w = 0; w < 4; w++) a.v[w] = CTSC_ONE.v[w] & take;
        ctsc_sub(&l0[i], &a, z);
        ctsc_sub(&t, &a, &CTSC_ONE);
        ctsc_add(&t, &t, z);
        ctsc_mul(&t, &t, &ypow[i]);
        ctsc_add(&r0[i], &t, z2k);
        ctsc_mul(&r1[i], &s[p->count + i], &ypow[i]);
        ctsc_mul(&u, &l0[i], &r1[i]); ctsc_add(t1, t1, &u);
        ctsc_mul(&u, &s[i], &r0[i]); ctsc_add(t1, t1, &u);
        ctsc_mul(&u, &s[i], &r1[i]); ctsc_add(t2, t2, &u);
        ctsc_add(z2k, z2k, z2k);   /* ·2: ctsc_mul by two gives the same (reduced) value */
    }
}

/* The lanes' constants: l0 = a − z and 16·(a − 1 + z) for a = 0 and a = 1 (in form). */
static void poly_lane_consts(struct ctsc_poly_args *p, const ctsc *z) {
    static const ctsc zero = {{0, 0, 0, 0}};
    ctsc t;
    ctsc_sub(&p->l0_if0, &zero, z);
    ctsc_sub(&p->l0_if1, &CTSC_ONE, z);
    ctsc_sub(&t, &zero, &CTSC_ONE);
    ctsc_add(&t, &t, z);
    ctsc_times16(&p->t16_if0, &t);
    ctsc_sub(&t, &CTSC_ONE, &CTSC_ONE);
    ctsc_add(&t, &t, z);
    ctsc_times16(&p->t16_if1, &t);
}

/* zk_pv_poly with each value's whole bytes of bits on lane set `lanes` (eight indices a
 * group, a byte's bits its lanes' a_i), as zk_pv_inner_lanes. */
int zk_pv_poly_lanes(const unsigned char *values, size_t nbits, size_t m, const ctsc *s,
                     const ctsc *ypow, const unsigned char *z_be, ctsc *l0, ctsc *r0, ctsc *r1,
                     unsigned char *t_out, int lanes) {
    int set = ctsc_lane_set(lanes);
    if (set == -2) return -2;
    struct ctsc_poly_args p = {.values = values, .nbits = nbits, .count = nbits * m, .s = s,
                               .ypow = ypow, .l0 = l0, .r0 = r0, .r1 = r1};   /* consts: below */
    ctsc z, zj, t1 = {{0, 0, 0, 0}}, t2 = t1;
    ctsc_from_be(&z, z_be);
    ctsc_mul(&zj, &z, &z);                                   /* z^(2+j) for j = 0 */
    size_t k0 = set >= 0 ? 8 * (nbits / 8) : 0;            /* indices a value's lanes take */
    if (k0) poly_lane_consts(&p, &z);
    for (size_t j = 0; j < m; j++) {
        ctsc z2k = zj;                                       /* z^(2+j)·2^k */
        if (k0) CTSC_LANES(set, poly_value, &p, j, &z2k, &t1, &t2);
        poly_one_at_a_time(&p, j, k0, &z, &z2k, &t1, &t2);
        ctsc_mul(&zj, &zj, &z);
    }
    ctsc_to_be(t_out, &t1);
    ctsc_to_be(t_out + 32, &t2);
    return 1;
}

/* With a_L the bits of m secret values (nbits/8 bytes each, little-endian; least significant
 * bit first, value after value, read by public shifts and indices), y^i in `ypow` and s_L, s_R
 * in s (s_L then s_R, N = nbits·m each):
 *   l0_i = a_i − z,  r0_i = y^i·(a_i − 1 + z) + z^(2+j)·2^k,  r1_i = y^i·s_R,i  (i = j·nbits + k),
 * and t1 = <l0, r1> + <s_L, r0>, t2 = <s_L, r1> into t_out (64 bytes, big-endian). */
int zk_pv_poly(const unsigned char *values, size_t nbits, size_t m, const ctsc *s,
                  const ctsc *ypow, const unsigned char *z_be, ctsc *l0, ctsc *r0, ctsc *r1,
                  unsigned char *t_out) {
    return zk_pv_poly_lanes(values, nbits, m, s, ypow, z_be, l0, r0, r1, t_out, -1);
}

/* ---- the inner-product argument's scalars (SPEC.md §5.3; ipa.py's convention) --------- */

/* zk_pv_ipa_round with its first indices in groups of eight on lane set `lanes`, as
 * zk_pv_inner_lanes. */
int zk_pv_ipa_round_lanes(const ctsc *a, const ctsc *b, size_t half, const ctsc *yinv,
                          const unsigned char *g_be, const unsigned char *h_be,
                          const unsigned char *w_be, unsigned char *l_out,
                          unsigned char *r_out, int lanes) {
    int set = ctsc_lane_set(lanes);
    if (set == -2) return -2;
    size_t i = 8 * ctsc_groups(set, half);
    ctsc g, h, w, cl = {{0, 0, 0, 0}}, cr = cl, t, f;
    ctsc_plain_from_be(&g, g_be);   /* plain factors: every product below comes out plain */
    ctsc_plain_from_be(&h, h_be);
    ctsc_plain_from_be(&w, w_be);
    if (i) {
        ctsc g16, h256;
        ctsc_times16(&g16, &g);
        ctsc_times16(&h256, &h);
        ctsc_times16(&h256, &h256);
        CTSC_LANES(set, ipa_round, a, b, half, i / 8, yinv, &g16, &h256, l_out, r_out, &cl,
                   &cr);
    }
    for (; i < half; i++) {
        ctsc_mul(&t, &a[i], &g);                 ctsc_plain_to_be(l_out + 32 * i, &t);
        ctsc_mul(&t, &a[half + i], &g);          ctsc_plain_to_be(r_out + 32 * i, &t);
        ctsc_mul(&f, &yinv[i], &h);
        ctsc_mul(&t, &b[half + i], &f);          ctsc_plain_to_be(l_out + 32 * (half + i), &t);
        ctsc_mul(&f, &yinv[half + i], &h);
        ctsc_mul(&t, &b[i], &f);                 ctsc_plain_to_be(r_out + 32 * (half + i), &t);
        ctsc_mul(&t, &a[i], &b[half + i]);       ctsc_add(&cl, &cl, &t);
        ctsc_mul(&t, &a[half + i], &b[i]);       ctsc_add(&cr, &cr, &t);
    }
    ctsc_mul(&cl, &cl, &w);
    ctsc_mul(&cr, &cr, &w);
    ctsc_plain_to_be(l_out + 64 * half, &cl);
    ctsc_plain_to_be(r_out + 64 * half, &cr);
    return 1;
}

/* One round's MSM scalars over vectors a, b of length 2·half, 32 bytes big-endian each:
 *   l_out = a_lo,i·g ‖ b_hi,i·h·y⁻ⁱ ‖ <a_lo, b_hi>·w,   r_out = a_hi,i·g ‖ b_lo,i·h·y^−(half+i)
 *   ‖ <a_hi, b_lo>·w, with y⁻ⁱ in yinv and the public factors g, h, w big-endian. */
int zk_pv_ipa_round(const ctsc *a, const ctsc *b, size_t half, const ctsc *yinv,
                 const unsigned char *g_be, const unsigned char *h_be,
                 const unsigned char *w_be, unsigned char *l_out, unsigned char *r_out) {
    return zk_pv_ipa_round_lanes(a, b, half, yinv, g_be, h_be, w_be, l_out, r_out, -1);
}

/* zk_pv_ipa_fold with its first indices in groups of eight on lane set `lanes`, as
 * zk_pv_inner_lanes. */
int zk_pv_ipa_fold_lanes(ctsc *a, ctsc *b, size_t half, const unsigned char *u_be,
                         const unsigned char *uinv_be, int lanes) {
    int set = ctsc_lane_set(lanes);
    if (set == -2) return -2;
    size_t i = 8 * ctsc_groups(set, half);
    ctsc u, ui, t, s;
    ctsc_from_be(&u, u_be);
    ctsc_from_be(&ui, uinv_be);
    if (i) {
        ctsc u16, ui16;
        ctsc_times16(&u16, &u);
        ctsc_times16(&ui16, &ui);
        CTSC_LANES(set, ipa_fold, a, b, half, i / 8, &u16, &ui16);
    }
    for (; i < half; i++) {
        ctsc_mul(&t, &a[i], &u); ctsc_mul(&s, &a[half + i], &ui); ctsc_add(&a[i], &t, &s);
        ctsc_mul(&t, &b[i], &ui); ctsc_mul(&s, &b[half + i], &u); ctsc_add(&b[i], &t, &s);
    }
    return 1;
}

/* a ← u·a_lo + u⁻¹·a_hi and b ← u⁻¹·b_lo + u·b_hi, in place: the first half of each holds
 * the folded vector afterwards. */
int zk_pv_ipa_fold(ctsc *a, ctsc *b, size_t half, const unsigned char *u_be,
                const unsigned char *uinv_be) {
    return zk_pv_ipa_fold_lanes(a, b, half, u_be, uinv_be, -1);
}

/* ---- SHA-512 (FIPS 180-4 §6.4) and the nonce stream (SPEC.md §6.2) -------------------- */

static const uint64_t SHA512_K[80] = {
    0x428a2f98d728ae22ULL, 0x7137449123ef65cdULL, 0xb5c0fbcfec4d3b2fULL, 0xe9b5dba58189dbbcULL,
    0x3956c25bf348b538ULL, 0x59f111f1b605d019ULL, 0x923f82a4af194f9bULL, 0xab1c5ed5da6d8118ULL,
    0xd807aa98a3030242ULL, 0x12835b0145706fbeULL, 0x243185be4ee4b28cULL, 0x550c7dc3d5ffb4e2ULL,
    0x72be5d74f27b896fULL, 0x80deb1fe3b1696b1ULL, 0x9bdc06a725c71235ULL, 0xc19bf174cf692694ULL,
    0xe49b69c19ef14ad2ULL, 0xefbe4786384f25e3ULL, 0x0fc19dc68b8cd5b5ULL, 0x240ca1cc77ac9c65ULL,
    0x2de92c6f592b0275ULL, 0x4a7484aa6ea6e483ULL, 0x5cb0a9dcbd41fbd4ULL, 0x76f988da831153b5ULL,
    0x983e5152ee66dfabULL, 0xa831c66d2db43210ULL, 0xb00327c898fb213fULL, 0xbf597fc7beef0ee4ULL,
    0xc6e00bf33da88fc2ULL, 0xd5a79147930aa725ULL, 0x06ca6351e003826fULL, 0x142929670a0e6e70ULL,
    0x27b70a8546d22ffcULL, 0x2e1b21385c26c926ULL, 0x4d2c6dfc5ac42aedULL, 0x53380d139d95b3dfULL,
    0x650a73548baf63deULL, 0x766a0abb3c77b2a8ULL, 0x81c2c92e47edaee6ULL, 0x92722c851482353bULL,
    0xa2bfe8a14cf10364ULL, 0xa81a664bbc423001ULL, 0xc24b8b70d0f89791ULL, 0xc76c51a30654be30ULL,
    0xd192e819d6ef5218ULL, 0xd69906245565a910ULL, 0xf40e35855771202aULL, 0x106aa07032bbd1b8ULL,
    0x19a4c116b8d2d0c8ULL, 0x1e376c085141ab53ULL, 0x2748774cdf8eeb99ULL, 0x34b0bcb5e19b48a8ULL,
    0x391c0cb3c5c95a63ULL, 0x4ed8aa4ae3418acbULL, 0x5b9cca4f7763e373ULL, 0x682e6ff3d6b2b8a3ULL,
    0x748f82ee5defb2fcULL, 0x78a5636f43172f60ULL, 0x84c87814a1f0ab72ULL, 0x8cc702081a6439ecULL,
    0x90befffa23631e28ULL, 0xa4506cebde82bde9ULL, 0xbef9a3f7b2c67915ULL, 0xc67178f2e372532bULL,
    0xca273eceea26619cULL, 0xd186b8c721c0c207ULL, 0xeada7dd6cde0eb1eULL, 0xf57d4f7fee6ed178ULL,
    0x06f067aa72176fbaULL, 0x0a637dc5a2c898a6ULL, 0x113f9804bef90daeULL, 0x1b710b35131c471bULL,
    0x28db77f523047d84ULL, 0x32caab7b40c72493ULL, 0x3c9ebe0a15c9bebcULL, 0x431d67c49c100d4cULL,
    0x4cc5d4becb3e42b6ULL, 0x597f299cfc657e2aULL, 0x5fcb6fab3ad6faecULL, 0x6c44198c4a475817ULL
};
static const uint64_t SHA512_IV[8] = {
    0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL,
    0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL, 0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL};

static inline uint64_t rotr64(uint64_t x, int r) { return (x >> r) | (x << (64 - r)); }

static uint64_t load_be64(const unsigned char *p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = (v << 8) | p[i];
    return v;
}

static void store_be64(unsigned char *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (56 - 8 * i));
}

#define SHA512_ROUND(a, b, c, d, e, f, g, h, t) do {                                       \
        uint64_t t1 = h + (rotr64(e, 14) ^ rotr64(e, 18) ^ rotr64(e, 41))                     \
                      + ((e & f) ^ (~e & g)) + SHA512_K[t] + w[t];                            \
        uint64_t t2 = (rotr64(a, 28) ^ rotr64(a, 34) ^ rotr64(a, 39))                          \
                      + ((a & b) ^ (a & c) ^ (b & c));                                          \
        d += t1;                                                                                \
        h = t1 + t2;                                                                            \
    } while (0)

/* One block into the state h (FIPS 180-4 §6.4.2); the eight working variables rotate by
 * renaming, eight rounds at a time. */
static void sha512_block(uint64_t h[8], const unsigned char block[128]) {
    uint64_t w[80];
    for (int t = 0; t < 16; t++) w[t] = load_be64(block + 8 * t);
    for (int t = 16; t < 80; t++) {
        uint64_t s0 = rotr64(w[t - 15], 1) ^ rotr64(w[t - 15], 8) ^ (w[t - 15] >> 7);
        uint64_t s1 = rotr64(w[t - 2], 19) ^ rotr64(w[t - 2], 61) ^ (w[t - 2] >> 6);
        w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    uint64_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
    for (int t = 0; t < 80; t += 8) {
        SHA512_ROUND(a, b, c, d, e, f, g, k, t);
        SHA512_ROUND(k, a, b, c, d, e, f, g, t + 1);
        SHA512_ROUND(g, k, a, b, c, d, e, f, t + 2);
        SHA512_ROUND(f, g, k, a, b, c, d, e, t + 3);
        SHA512_ROUND(e, f, g, k, a, b, c, d, t + 4);
        SHA512_ROUND(d, e, f, g, k, a, b, c, t + 5);
        SHA512_ROUND(c, d, e, f, g, k, a, b, t + 6);
        SHA512_ROUND(b, c, d, e, f, g, k, a, t + 7);
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += k;
}

/* The last block of a message whose first 128·blocks bytes are hashed, `tail` bytes left. */
static void sha512_final(uint64_t h[8], const unsigned char *tail, size_t len, size_t blocks) {
    unsigned char block[128] = {0};
    memcpy(block, tail, len);   /* len ≤ 111: one block holds the padding */
    block[len] = 0x80;
    store_be64(block + 120, (uint64_t)(128 * blocks + len) * 8);
    sha512_block(h, block);
}

/* The state after one block of key ⊕ pad (HMAC's inner or outer key, RFC 2104). */
static void hmac_pad_state(uint64_t h[8], const unsigned char *key, size_t keylen,
                           unsigned char pad) {
    unsigned char block[128];
    for (size_t i = 0; i < 128; i++) block[i] = (unsigned char)((i < keylen ? key[i] : 0) ^ pad);
    memcpy(h, SHA512_IV, 8 * sizeof h[0]);
    sha512_block(h, block);
}

/* The HMAC stream eight counters at a time (native_sha8.h), on both sets of lane words. */
#include "native_set_lp.h"
#define SHA8(name) sha8p_##name
#include "native_sha8.h"
#if ZK_HAVE_IFMA
#include "native_set_li.h"
#define SHA8(name) sha8i_##name
#include "native_sha8.h"
#endif

/* The 512-bit number h[0] ‖ … ‖ h[7] (most significant word first) mod n, in Montgomery
 * form; all ones if it is 0 mod n, else zero. */
static uint64_t ctsc_from_wide(ctsc *r, const uint64_t h[8]) {
    ctsc hi = {{h[3], h[2], h[1], h[0]}}, lo = {{h[7], h[6], h[5], h[4]}};
    ctsc_mul(&hi, &hi, &CTSC_R3);   /* hi·2^256 in Montgomery form */
    ctsc_mul(&lo, &lo, &CTSC_R2);
    ctsc_add(r, &hi, &lo);
    return ctsc_zero_mask(r);
}

/* zk_pv_load_wide with its groups of eight on lane set `lanes`, as zk_pv_inner_lanes. */
int zk_pv_load_wide_lanes(const unsigned char *in, size_t count, ctsc *out, int lanes) {
    int set = ctsc_lane_set(lanes);
    if (set == -2) return -2;
    uint64_t h[64], any_zero = 0;
    size_t i = 0, groups = ctsc_groups(set, count);
    ctsc r3_16, r2_16;   /* ctsc_from_wide's factors for the lanes' 2^260 form */
    ctsc_times16(&r3_16, &CTSC_R3);
    ctsc_times16(&r2_16, &CTSC_R2);
    for (; i < 8 * groups; i += 8) {
        for (int k = 0; k < 64; k++) h[k] = load_be64(in + 64 * i + 8 * k);
        CTSC_LANES(set, from_wide, out + i, h, &r3_16, &r2_16);
        for (int k = 0; k < 8; k++) any_zero |= ctsc_zero_mask(&out[i + k]);
    }
    for (; i < count; i++) {
        for (int k = 0; k < 8; k++) h[k] = load_be64(in + 64 * i + 8 * k);
        any_zero |= ctsc_from_wide(&out[i], h);
    }
    return (int)(1 & ~ct_barrier(any_zero));
}

/* count 64-byte big-endian numbers mod n (the OS CSPRNG's wide draws), into Montgomery form.
 * Returns 1, or 0 if some is 0 mod n, as zk_pv_nonces. */
int zk_pv_load_wide(const unsigned char *in, size_t count, ctsc *out) {
    return zk_pv_load_wide_lanes(in, count, out, -1);
}

static int simd_on(void);

/* zk_pv_nonces with its eight-counter batches on lane set `lanes`: 0 the portable words, 1
 * the IFMA ones (−2 where the CPU lacks them), −1 the IFMA ones where the CPU has them, else
 * one counter at a time; what is left past the last batch goes one at a time. For the tests
 * and the valgrind check; zk_pv_nonces chooses. */
int zk_pv_nonces_lanes(const unsigned char *key, size_t keylen, uint64_t c0, size_t count,
                       ctsc *out, int lanes) {
    if (keylen > 128) return -2;
#if ZK_HAVE_IFMA
    if (lanes == 1 && !ifma_usable()) return -2;
    if (lanes == -1) lanes = simd_on() ? 1 : -1;
#else
    if (lanes == 1) return -2;
#endif
    uint64_t inner[8], outer[8], h[8], digests[64], any_zero = 0;
    hmac_pad_state(inner, key, keylen, 0x36);
    hmac_pad_state(outer, key, keylen, 0x5c);
    ctsc r3_16, r2_16;   /* ctsc_from_wide's factors for the lanes' 2^260 form */
    ctsc_times16(&r3_16, &CTSC_R3);
    ctsc_times16(&r2_16, &CTSC_R2);
    size_t i = 0;
    for (; lanes >= 0 && count - i >= 8; i += 8) {
#if ZK_HAVE_IFMA
        if (lanes == 1) sha8i_hmac_counters(digests, inner, outer, c0 + 1 + i);
        else
#endif
        sha8p_hmac_counters(digests, inner, outer, c0 + 1 + i);
        CTSC_LANES(lanes, from_wide, out + i, digests, &r3_16, &r2_16);
        for (int k = 0; k < 8; k++) any_zero |= ctsc_zero_mask(&out[i + k]);
    }
    for (; i < count; i++) {
        unsigned char msg[64];
        store_be64(msg, c0 + 1 + i);
        memcpy(h, inner, sizeof h);
        sha512_final(h, msg, 8, 1);
        for (int k = 0; k < 8; k++) store_be64(msg + 8 * k, h[k]);
        memcpy(h, outer, sizeof h);
        sha512_final(h, msg, 64, 1);
        any_zero |= ctsc_from_wide(&out[i], h);
    }
    return (int)(1 & ~ct_barrier(any_zero));
}

/* Nonces c0+1 … c0+count of the stream HMAC-SHA512(key, u64be(c)) mod n, into Montgomery
 * form; the key (secret) at most 128 bytes: eight counters at a time on IFMA lanes where the
 * CPU has them. Returns 1, or 0 if some nonce is 0 (probability ≈ count·2^−256): the caller
 * then draws the stream itself, skipping it, as SPEC.md §6.2 says. The zero test is a mask:
 * the one bit it reveals is that rare event's. */
int zk_pv_nonces(const unsigned char *key, size_t keylen, uint64_t c0, size_t count, ctsc *out) {
    return zk_pv_nonces_lanes(key, keylen, c0, count, out, -1);
}

/* ---- S over generators whose tables are kept (SPEC.md §2.3, §5.3) -------------------- */

/* Bytes of the tables zk_msm_secret keeps for n points: CT_HALF affine multiples each. */
size_t zk_ct_tables_bytes(size_t n) { return n * CT_HALF * sizeof(ge); }

/* The tables of n public points (none the identity), built on the variable-time path as
 * zk_msm_secret builds them, into `tables` (zk_ct_tables_bytes(n) bytes), each entry
 * normalized (the lanes of native_ct8.h need tight limbs). −1 on no memory. */
int zk_ct_tables(const unsigned char *points, size_t n, ge *tables) {
    size_t block = n < CT_BLOCK ? (n ? n : 1) : CT_BLOCK;
    unsigned char *room = scratch_get(2 * carved(block, sizeof(fe))), *cursor = room;
    if (!room) return -1;
    fe *den = carve(&cursor, block, sizeof(fe)), *prefix = carve(&cursor, block, sizeof(fe));
    for (size_t at = 0; at < n; at += block) {
        size_t count = n - at < block ? n - at : block;
        ct_tables(tables + CT_HALF * at, den, prefix, points + 64 * at, count);
    }
    scratch_put(room);
    for (size_t k = 0; k < CT_HALF * n; k++) {
        fe_normalize(&tables[k].x);
        fe_normalize(&tables[k].y);
    }
    return 0;
}

/* The one-lane Straus over kept tables (ct_block), where there are no IFMA lanes. */
static int ct_msm_tabled(const ge *tables, const unsigned char *scalars, size_t n,
                         unsigned char *out) {
    size_t block = n < CT_BLOCK ? (n ? n : 1) : CT_BLOCK;
    int *digits = scratch_get(carved(CT_WINDOWS * block, sizeof(int)));
    if (!digits) return -1;
    gep acc;
    gep_set_inf(&acc);
    for (size_t at = 0; at < n; at += block) {
        size_t count = n - at < block ? n - at : block;
        for (size_t k = 0; k < count; k++) ct_digits(digits + k * CT_WINDOWS, scalars + 32 * (at + k));
        ct_block(&acc, tables + CT_HALF * at, digits, count);
    }
    scratch_put(digits);
    return gep_write_ct(out, &acc);
}


/* zk_msm_secret over points given by their kept tables, without rebuilding them: on eight
 * IFMA lanes where the CPU has them (native_ct8.h), else the same constant-time Straus as
 * zk_msm_secret (ct_digits, ct_block: native_ct.h), block by block. */
int zk_msm_secret_tabled(const ge *tables, const unsigned char *scalars, size_t n,
                         unsigned char *out) {
#if ZK_HAVE_IFMA
    if (simd_on()) return ct8i_msm_tabled(tables, scalars, n, out);
#endif
    return ct_msm_tabled(tables, scalars, n, out);
}

/* zk_msm_secret_tabled on the lanes of one set, for the tests and the valgrind check:
 * `lanes` 0 the portable words, 1 the IFMA ones (−2 where the CPU lacks them). */
int zk_msm_secret_tabled_lanes(const ge *tables, const unsigned char *scalars, size_t n,
                               unsigned char *out, int lanes) {
    if (lanes == 0) return ct8p_msm_tabled(tables, scalars, n, out);
#if ZK_HAVE_IFMA
    if (ifma_usable()) return ct8i_msm_tabled(tables, scalars, n, out);
#endif
    return -2;
}

/* S's lane digits (the layout of ct8_lane_digits) of `count` scalars into `out`
 * (CT_WINDOWS · 8·⌈count/8⌉ words), for the tests: `set` 0 eight at a time on the portable
 * lane words, 1 on the IFMA ones (−2 where the CPU lacks them), 2 one at a time by
 * ct_digits. */
int zk_ct_lane_digits(int set, const unsigned char *scalars, size_t count, uint64_t *out) {
    if (set == 0) { ct8p_lane_digits(out, scalars, count); return 0; }
    if (set == 2) {
        int digits[CT_WINDOWS];
        ct8_lane_digits(out, digits, scalars, count);
        return 0;
    }
#if ZK_HAVE_IFMA
    if (ifma_usable()) { ct8i_lane_digits(out, scalars, count); return 0; }
#endif
    return -2;
}

/* S's lane tables (ct8_lane_tables' layout) of `count` points from their kept tables, for
 * the tests: `set` 0 one qword at a time (ct8_lane_tables), 1 transposed in IFMA registers
 * (−2 where the CPU lacks them). */
int zk_ct_lane_tables(int set, const ge *tables, size_t count, uint64_t *out) {
    if (set == 0) { ct8_lane_tables(out, tables, count); return 0; }
#if ZK_HAVE_IFMA
    if (ifma_usable()) { li_lane_tables(out, tables, count); return 0; }
#endif
    return -2;
}

/* ---- two-term sums over comb tables: the V_j, T1, T2, commit() (SPEC.md §3.2) ------- */

/* Bytes of the comb tables of two points (zk_comb_tables). */
size_t zk_comb_tables_bytes(void) { return 2 * CT_WINDOWS * CT_HALF * sizeof(ge); }

/* The comb tables of two public points (neither the identity): the kept tables
 * (zk_ct_tables) of 2^(CT_WINDOW·w)·P_p for p < 2, w < CT_WINDOWS, point p's at
 * tables + CT_HALF·CT_WINDOWS·p. A scalar's signed digits d_w (ct_digits) then give
 * k·P = Σ_w d_w·2^(CT_WINDOW·w)·P with one entry a digit and no doubling. −1 on no memory. */
int zk_comb_tables(const unsigned char *points, ge *tables) {
    unsigned char *shifted = malloc(2 * CT_WINDOWS * 64);
    if (!shifted) return -1;
    for (int p = 0; p < 2; p++) {
        ge base;
        gej q;
        ge_from_bytes(&base, points + 64 * p);
        gej_set_ge(&q, &base);
        for (unsigned w = 0; w < CT_WINDOWS; w++) {
            gej_write(shifted + 64 * (p * CT_WINDOWS + w), &q);
            for (int s = 0; s < CT_WINDOW; s++) gej_double(&q, &q);
        }
    }
    int status = zk_ct_tables(shifted, 2 * CT_WINDOWS, tables);
    free(shifted);
    return status;
}

/* k·P_0 + k'·P_1 on the one-lane path from the comb tables: one entry a digit. */
static int comb_pair(const ge *comb, const unsigned char *scalars, unsigned char *out) {
    int digits[CT_WINDOWS];
    gep acc;
    gep_set_inf(&acc);
    for (int p = 0; p < 2; p++) {
        ct_digits(digits, scalars + 32 * p);
        for (unsigned w = 0; w < CT_WINDOWS; w++)
            ct_add_digit(&acc, comb + CT_HALF * (p * CT_WINDOWS + w), digits[w]);
    }
    return gep_write_ct(out, &acc);
}

/* The two-term sums k_2i·P_0 + k_2i+1·P_1 for i < count over the comb tables of P_0, P_1
 * (zk_comb_tables; the V_j = [v_j]G + [γ_j]H: SPEC.md §3.2, §5.3), each written to
 * out + 64·i as zk_msm_secret writes (zeros for the identity): eight sums a time, one a
 * lane, where the CPU has IFMA lanes and there are two sums or more; else one by one on one
 * lane. `lanes` 0 or 1 forces the portable or the IFMA lane words (−2 where the CPU lacks
 * them; for the tests and the valgrind check), −1 chooses. Returns 0. */
int zk_pairs_secret_comb(const ge *comb, const unsigned char *scalars, size_t count,
                         unsigned char *out, int lanes) {
    if (lanes == 0) { ct8p_pairs_comb(comb, scalars, count, out); return 0; }
#if ZK_HAVE_IFMA
    if (lanes == 1 ? ifma_usable() : (count >= 2 && simd_on())) {
        ct8i_pairs_comb(comb, scalars, count, out);
        return 0;
    }
#endif
    if (lanes == 1) return -2;
    for (size_t i = 0; i < count; i++) comb_pair(comb, scalars + 64 * i, out + 64 * i);
    return 0;
}

/* A's bit terms one at a time, as zk_bits_commit_secret, from the kept tables. */
static void bits_tabled_one_lane(gep *acc, const ge *tables_g, const ge *tables_h,
                                 const unsigned char *values, size_t terms) {
    for (size_t k = 0; k < terms; k++) {
        uint64_t take_g = 0 - ct_barrier((uint64_t)(values[k / 8] >> (k % 8) & 1));
        ge q = tables_g[CT_HALF * k], neg_h = tables_h[CT_HALF * k];
        fe_neg(&neg_h.y, &neg_h.y);
        fe_cmov(&q.x, &neg_h.x, ~take_g);
        fe_cmov(&q.y, &neg_h.y, ~take_g);
        gep_add_ge(acc, acc, &q);
    }
}

/* zk_bits_commit_secret's A = α·B + Σ_i (a_i·G_i + (a_i − 1)·H_i) over S's kept tables
 * (the tables of B, G_0 … G_{N−1}, H_0 … H_{N−1}, N = nbits·m; SPEC.md §5.3): the bit terms
 * eight a time, one a lane, on lane set `lanes` (0 portable, 1 IFMA: −2 where the CPU lacks
 * it), or with −1 on the IFMA lanes where the CPU has them, else one at a time; α·B by the
 * one-lane Straus. Constant-time in α and the values; returns as zk_msm_secret. */
int zk_bits_commit_tabled(const ge *tables, const unsigned char *alpha,
                          const unsigned char *values, size_t nbits, size_t m,
                          unsigned char *out, int lanes) {
    size_t terms = nbits * m;
    const ge *tables_g = tables + CT_HALF, *tables_h = tables + CT_HALF * (1 + terms);
    gep acc;
    int digits[CT_WINDOWS];
#if ZK_HAVE_IFMA
    if (lanes == 1 && !ifma_usable()) return -2;
    if (lanes == -1) lanes = simd_on() ? 1 : -1;
    if (lanes == 1) ct8i_bits_tabled(&acc, tables_g, tables_h, values, terms);
    else
#else
    if (lanes == 1) return -2;
#endif
    if (lanes == 0) ct8p_bits_tabled(&acc, tables_g, tables_h, values, terms);
    else {
        gep_set_inf(&acc);
        bits_tabled_one_lane(&acc, tables_g, tables_h, values, terms);
    }
    ct_digits(digits, alpha);
    ct_block(&acc, tables, digits, 1);
    return gep_write_ct(out, &acc);
}
