/* zksolv native kernel: secp256k1 arithmetic, variable-time on public data and, in
 * native_ct.h, constant-time on the prover's secrets (SPEC.md §2.3).
 *
 * Plain C, no Python headers: loaded with ctypes by zksolv/group/backends/native.py.
 * Points cross the boundary as 64 bytes, x ‖ y big-endian affine; scalars as 32 bytes
 * big-endian, already reduced mod n by the caller. Every entry point returns 0 where the
 * result is the identity (which has no affine form), 1 otherwise.
 *
 * Field elements are five 52-bit limbs (libsecp256k1's layout) kept loosely reduced, so
 * additions need no carry chains; only fe_normalize makes them unique. Since
 * p = 2^256 − (2^32 + 977), bits above 256 fold back multiplied by 2^32 + 977.
 *
 * Nothing in this file is constant-time; the secret paths (zk_msm_secret,
 * zk_bits_commit_secret) are in native_ct.h, and single multiplications by secret scalars
 * stay on libsecp256k1.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef unsigned __int128 u128;
typedef struct { uint64_t n[5]; } fe;          /* Σ n_i·2^(52·i) */
typedef struct { fe x, y; int inf; } ge;       /* affine */
typedef struct { fe x, y, z; int inf; } gej;   /* Jacobian: (X/Z², Y/Z³) */

#define M52 0xFFFFFFFFFFFFFULL
#define M48 0xFFFFFFFFFFFFULL
#define R256 0x1000003D1ULL      /* 2^256 mod p */
#define R260 0x1000003D10ULL     /* 2^260 mod p */
static const fe FE_ONE = {{1, 0, 0, 0, 0}};

/* ---- scratch memory ----------------------------------------------------------------
 * A fold or an MSM needs megabytes of temporaries. Taken fresh from malloc on every call,
 * they come back as new pages (page faults, zeroing) whenever malloc has returned them to
 * the system, which a Dask worker's MALLOC_TRIM_THRESHOLD_ makes happen on every call.
 * So each thread keeps one buffer of up to SCRATCH_KEEP bytes from call to call (freed
 * when the thread ends); a larger request gets memory of its own, freed after the call. */
#include <pthread.h>

enum { SCRATCH_KEEP = 16 << 20, SCRATCH_ALIGN = 64 };

typedef struct { size_t cap; _Alignas(SCRATCH_ALIGN) unsigned char data[]; } scratch_block;

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

static void scratch_key_make(void) { pthread_key_create(&scratch_key, free); }

static scratch_block *scratch_new(size_t bytes) {
    scratch_block *s = aligned_alloc(SCRATCH_ALIGN, (sizeof *s + bytes + SCRATCH_ALIGN - 1)
                                                    / SCRATCH_ALIGN * SCRATCH_ALIGN);
    if (s) s->cap = bytes;
    return s;
}

/* At least `bytes` of 64-byte-aligned memory for this call, or NULL; give it back with
 * scratch_put. Not reentrant: one call's scratch at a time per thread. */
static void *scratch_get(size_t bytes) {
    if (bytes > SCRATCH_KEEP) {
        scratch_block *own = scratch_new(bytes);
        return own ? own->data : NULL;
    }
    pthread_once(&scratch_once, scratch_key_make);
    scratch_block *s = pthread_getspecific(scratch_key);
    if (!s || s->cap < bytes) {
        free(s);
        s = scratch_new(bytes);
        pthread_setspecific(scratch_key, s);
        if (!s) return NULL;
    }
    return s->data;
}

static void scratch_put(void *data) {
    if (!data) return;
    scratch_block *s = (scratch_block *)((unsigned char *)data - offsetof(scratch_block, data));
    if (s->cap > SCRATCH_KEEP) free(s);
}

/* The next `count` × `size` bytes of a scratch buffer, keeping 64-byte alignment. */
static void *carve(unsigned char **cursor, size_t count, size_t size) {
    void *out = *cursor;
    *cursor += (count * size + SCRATCH_ALIGN - 1) / SCRATCH_ALIGN * SCRATCH_ALIGN;
    return out;
}

static size_t carved(size_t count, size_t size) {
    return (count * size + SCRATCH_ALIGN - 1) / SCRATCH_ALIGN * SCRATCH_ALIGN;
}
static const fe FE_BETA = {{0x96c28719501eeULL, 0x7512f58995c13ULL, 0xc3434e99cf049ULL,
                            0x7106e64479eaULL, 0x7ae96a2b657cULL}};

/* Every fe leaving a function below is "loose": n_0..n_3 < 2^53 and n_4 < 2^49, a value
 * below 2^257 congruent to the element; every function accepts loose inputs. */

/* Carry each limb into the next, bits above 256 folding back as 2^256 ≡ R256. */
static inline void fe_carry(fe *r) {
    uint64_t c;
    c = r->n[0] >> 52; r->n[0] &= M52; r->n[1] += c;
    c = r->n[1] >> 52; r->n[1] &= M52; r->n[2] += c;
    c = r->n[2] >> 52; r->n[2] &= M52; r->n[3] += c;
    c = r->n[3] >> 52; r->n[3] &= M52; r->n[4] += c;
    c = r->n[4] >> 48; r->n[4] &= M48; r->n[0] += c * R256;
}

static inline void fe_add(fe *r, const fe *a, const fe *b) {
    for (int i = 0; i < 5; i++) r->n[i] = a->n[i] + b->n[i];
    fe_carry(r);
}

/* a − b as a + 4p − b: 4p's limbs exceed any loose b's. */
static inline void fe_sub(fe *r, const fe *a, const fe *b) {
    r->n[0] = a->n[0] + 4 * 0xFFFFEFFFFFC2FULL - b->n[0];
    r->n[1] = a->n[1] + 4 * M52 - b->n[1];
    r->n[2] = a->n[2] + 4 * M52 - b->n[2];
    r->n[3] = a->n[3] + 4 * M52 - b->n[3];
    r->n[4] = a->n[4] + 4 * M48 - b->n[4];
    fe_carry(r);
}

static inline void fe_mul_small(fe *r, const fe *a, uint64_t k) {   /* k ≤ 32 */
    for (int i = 0; i < 5; i++) r->n[i] = a->n[i] * k;
    fe_carry(r);
}

static inline void fe_dbl(fe *r, const fe *a) { fe_mul_small(r, a, 2); }

/* Fold nine column sums c_0..c_8 (each below 2^109 for loose inputs) into a loose element. */
static inline void fe_reduce(fe *r, const u128 c[9]) {
    uint64_t h[5];
    u128 t = c[5];
    h[0] = (uint64_t)t & M52; t >>= 52; t += c[6];
    h[1] = (uint64_t)t & M52; t >>= 52; t += c[7];
    h[2] = (uint64_t)t & M52; t >>= 52; t += c[8];
    h[3] = (uint64_t)t & M52; t >>= 52;
    h[4] = (uint64_t)t;                               /* below 2^58 for loose inputs */
    t = c[0] + (u128)h[0] * R260; uint64_t r0 = (uint64_t)t & M52; t >>= 52;
    t += c[1] + (u128)h[1] * R260; uint64_t r1 = (uint64_t)t & M52; t >>= 52;
    t += c[2] + (u128)h[2] * R260; r->n[2] = (uint64_t)t & M52; t >>= 52;
    t += c[3] + (u128)h[3] * R260; r->n[3] = (uint64_t)t & M52; t >>= 52;
    t += c[4] + (u128)h[4] * R260; r->n[4] = (uint64_t)t & M48; t >>= 48;
    t = t * R256 + r0;                                /* bits ≥ 256 fold back */
    r->n[0] = (uint64_t)t & M52;
    r->n[1] = r1 + (uint64_t)(t >> 52);
}

static inline __attribute__((always_inline)) void fe_mul(fe *r, const fe *a, const fe *b) {
    u128 c[9] = {0};
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 5; j++) c[i + j] += (u128)a->n[i] * b->n[j];
    fe_reduce(r, c);
}

static inline __attribute__((always_inline)) void fe_sqr(fe *r, const fe *a) {
    u128 c[9] = {0};
    for (int i = 0; i < 5; i++) {
        c[2 * i] += (u128)a->n[i] * a->n[i];
        for (int j = i + 1; j < 5; j++) c[i + j] += (u128)(a->n[i] * 2) * a->n[j];
    }
    fe_reduce(r, c);
}

/* The unique representative in [0, p), limbs fully carried. */
static void fe_normalize(fe *r) {
    fe_carry(r);
    fe_carry(r);   /* the fold of the first can carry once more; the second leaves < 2^256 */
    if (r->n[4] == M48 && r->n[3] == M52 && r->n[2] == M52 && r->n[1] == M52 &&
        r->n[0] >= 0xFFFFEFFFFFC2FULL) {
        r->n[0] += R256;   /* r − p = r + R256 − 2^256: carry up, then drop bit 256 */
        for (int i = 0; i < 4; i++) { r->n[i + 1] += r->n[i] >> 52; r->n[i] &= M52; }
        r->n[4] &= M48;
    }
}

static int fe_is_zero(const fe *a) {
    fe t = *a;
    fe_normalize(&t);
    return (t.n[0] | t.n[1] | t.n[2] | t.n[3] | t.n[4]) == 0;
}

static int fe_equal(const fe *a, const fe *b) {
    fe d;
    fe_sub(&d, a, b);
    return fe_is_zero(&d);
}

static inline void fe_neg(fe *r, const fe *a) {
    static const fe zero = {{0, 0, 0, 0, 0}};
    fe_sub(r, &zero, a);
}

/* a^e for a public exponent e (four little-endian 64-bit words), 4-bit fixed window. */
static void fe_pow(fe *r, const fe *a, const uint64_t e[4]) {
    fe table[16];
    table[0] = FE_ONE;
    for (int i = 1; i < 16; i++) fe_mul(&table[i], &table[i - 1], a);
    fe acc = FE_ONE;
    for (int nib = 63; nib >= 0; nib--) {
        for (int s = 0; s < 4; s++) fe_sqr(&acc, &acc);
        unsigned d = (unsigned)(e[nib / 16] >> (4 * (nib % 16))) & 15;
        if (d) fe_mul(&acc, &acc, &table[d]);
    }
    *r = acc;
}

static void fe_inv(fe *r, const fe *a) {   /* a^(p−2); 0 maps to 0 */
    static const uint64_t e[4] = {0xFFFFFFFEFFFFFC2DULL, ~0ULL, ~0ULL, ~0ULL};
    fe_pow(r, a, e);
}

static int fe_sqrt(fe *r, const fe *a) {   /* a^((p+1)/4); 1 iff a is a square */
    static const uint64_t e[4] = {0xFFFFFFFFBFFFFF0CULL, ~0ULL, ~0ULL, 0x3FFFFFFFFFFFFFFFULL};
    fe s, check;
    fe_pow(&s, a, e);
    fe_sqr(&check, &s);
    *r = s;
    return fe_equal(&check, a);
}

static void fe_from_be(fe *r, const unsigned char *in) {
    uint64_t w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = 0;
        for (int j = 0; j < 8; j++) w[i] = (w[i] << 8) | in[(3 - i) * 8 + j];
    }
    r->n[0] = w[0] & M52;
    r->n[1] = (w[0] >> 52 | w[1] << 12) & M52;
    r->n[2] = (w[1] >> 40 | w[2] << 24) & M52;
    r->n[3] = (w[2] >> 28 | w[3] << 36) & M52;
    r->n[4] = w[3] >> 16;
}

/* A normalized element's limbs (each n_l < 2^52, n_4 < 2^48) as its four 64-bit words, least
 * significant first (the layout of the kernel's packed tables, and of fe_pack_be's bytes). */
static void fe_limbs_to_words(uint64_t w[4], const fe *a) {
    w[0] = a->n[0] | a->n[1] << 52;
    w[1] = a->n[1] >> 12 | a->n[2] << 40;
    w[2] = a->n[2] >> 24 | a->n[3] << 28;
    w[3] = a->n[3] >> 36 | a->n[4] << 16;
}

/* 32 big-endian bytes of an element already normalized. */
static void fe_pack_be(unsigned char *out, const fe *a) {
    uint64_t w[4];
    fe_limbs_to_words(w, a);
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 8; j++) out[(3 - i) * 8 + j] = (unsigned char)(w[i] >> (56 - 8 * j));
}

static void fe_to_be(unsigned char *out, const fe *a) {
    fe t = *a;
    fe_normalize(&t);
    fe_pack_be(out, &t);
}

#include "native_modinv.h"

/* ---- group ------------------------------------------------------------------------- */

static void ge_from_bytes(ge *r, const unsigned char *in) {
    fe_from_be(&r->x, in);
    fe_from_be(&r->y, in + 32);
    r->inf = 0;
}

static void gej_set_ge(gej *r, const ge *a) {
    r->x = a->x; r->y = a->y; r->z = FE_ONE; r->inf = a->inf;
}

static void gej_set_inf(gej *r) { memset(r, 0, sizeof *r); r->inf = 1; }

/* dbl-2009-l (a = 0): 2M + 5S. secp256k1 has no point of order two, so Y ≠ 0. */
static void gej_double(gej *r, const gej *a) {
    if (a->inf) { gej_set_inf(r); return; }
    fe A, B, C, D, E, F, t;
    fe_sqr(&A, &a->x);
    fe_sqr(&B, &a->y);
    fe_sqr(&C, &B);
    fe_add(&t, &a->x, &B); fe_sqr(&t, &t); fe_sub(&t, &t, &A); fe_sub(&t, &t, &C); fe_dbl(&D, &t);
    fe_mul_small(&E, &A, 3);
    fe_sqr(&F, &E);
    fe z3;
    fe_mul(&z3, &a->y, &a->z); fe_dbl(&z3, &z3);
    fe x3;
    fe_dbl(&t, &D); fe_sub(&x3, &F, &t);
    fe y3;
    fe_sub(&t, &D, &x3); fe_mul(&y3, &E, &t);
    fe_mul_small(&C, &C, 8);
    fe_sub(&y3, &y3, &C);
    r->x = x3; r->y = y3; r->z = z3; r->inf = 0;
}

/* madd-2007-bl: r = a + b with b affine; 7M + 4S, special cases handled. */
static void gej_add_ge(gej *r, const gej *a, const ge *b) {
    if (b->inf) { *r = *a; return; }
    if (a->inf) { gej_set_ge(r, b); return; }
    fe z1z1, u2, s2, h, hh, i, j, rr, v, t;
    fe_sqr(&z1z1, &a->z);
    fe_mul(&u2, &b->x, &z1z1);
    fe_mul(&s2, &b->y, &a->z); fe_mul(&s2, &s2, &z1z1);
    fe_sub(&h, &u2, &a->x);
    fe_sub(&rr, &s2, &a->y);
    if (fe_is_zero(&h)) {
        if (fe_is_zero(&rr)) gej_double(r, a);
        else gej_set_inf(r);
        return;
    }
    fe_dbl(&rr, &rr);
    fe_sqr(&hh, &h);
    fe_mul_small(&i, &hh, 4);
    fe_mul(&j, &h, &i);
    fe_mul(&v, &a->x, &i);
    fe x3, y3, z3;
    fe_sqr(&x3, &rr); fe_sub(&x3, &x3, &j); fe_sub(&x3, &x3, &v); fe_sub(&x3, &x3, &v);
    fe_sub(&t, &v, &x3); fe_mul(&y3, &rr, &t);
    fe_mul(&t, &a->y, &j); fe_dbl(&t, &t); fe_sub(&y3, &y3, &t);
    fe_add(&z3, &a->z, &h); fe_sqr(&z3, &z3); fe_sub(&z3, &z3, &z1z1); fe_sub(&z3, &z3, &hh);
    r->x = x3; r->y = y3; r->z = z3; r->inf = 0;
}

/* add-2007-bl: r = a + b, both Jacobian; 11M + 5S, special cases handled. */
static void gej_add(gej *r, const gej *a, const gej *b) {
    if (b->inf) { *r = *a; return; }
    if (a->inf) { *r = *b; return; }
    fe z1z1, z2z2, u1, u2, s1, s2, h, i, j, rr, v, t;
    fe_sqr(&z1z1, &a->z);
    fe_sqr(&z2z2, &b->z);
    fe_mul(&u1, &a->x, &z2z2);
    fe_mul(&u2, &b->x, &z1z1);
    fe_mul(&s1, &a->y, &b->z); fe_mul(&s1, &s1, &z2z2);
    fe_mul(&s2, &b->y, &a->z); fe_mul(&s2, &s2, &z1z1);
    fe_sub(&h, &u2, &u1);
    fe_sub(&rr, &s2, &s1);
    if (fe_is_zero(&h)) {
        if (fe_is_zero(&rr)) gej_double(r, a);
        else gej_set_inf(r);
        return;
    }
    fe_dbl(&rr, &rr);
    fe_dbl(&i, &h); fe_sqr(&i, &i);
    fe_mul(&j, &h, &i);
    fe_mul(&v, &u1, &i);
    fe x3, y3, z3;
    fe_sqr(&x3, &rr); fe_sub(&x3, &x3, &j); fe_sub(&x3, &x3, &v); fe_sub(&x3, &x3, &v);
    fe_sub(&t, &v, &x3); fe_mul(&y3, &rr, &t);
    fe_mul(&t, &s1, &j); fe_dbl(&t, &t); fe_sub(&y3, &y3, &t);
    fe_add(&z3, &a->z, &b->z); fe_sqr(&z3, &z3); fe_sub(&z3, &z3, &z1z1); fe_sub(&z3, &z3, &z2z2);
    fe_mul(&z3, &z3, &h);
    r->x = x3; r->y = y3; r->z = z3; r->inf = 0;
}

/* Affine forms of many Jacobian points with one inversion (Montgomery's trick); `prefix`
 * is room for n elements. */
static void gej_to_ge_batch(ge *out, const gej *in, size_t n, fe *prefix) {
    fe acc = FE_ONE;
    for (size_t k = 0; k < n; k++) {
        prefix[k] = acc;
        if (!in[k].inf) fe_mul(&acc, &acc, &in[k].z);
    }
    fe inv;
    fe_inv(&inv, &acc);
    for (size_t k = n; k-- > 0;) {
        out[k].inf = in[k].inf;
        if (in[k].inf) continue;
        fe zi, zi2, zi3;
        fe_mul(&zi, &inv, &prefix[k]);        /* 1/Z_k */
        fe_mul(&inv, &inv, &in[k].z);          /* 1/(Z_0 ⋯ Z_{k−1}) */
        fe_sqr(&zi2, &zi);
        fe_mul(&zi3, &zi2, &zi);
        fe_mul(&out[k].x, &in[k].x, &zi2);
        fe_mul(&out[k].y, &in[k].y, &zi3);
    }
}

static int ge_write(unsigned char *out, const ge *a) {
    if (a->inf) { memset(out, 0, 64); return 0; }
    fe_to_be(out, &a->x);
    fe_to_be(out + 32, &a->y);
    return 1;
}

static int gej_write(unsigned char *out, const gej *a) {
    ge g;
    fe prefix;
    gej_to_ge_batch(&g, a, 1, &prefix);
    return ge_write(out, &g);
}

/* ---- scalars ----------------------------------------------------------------------- */

/* A big-endian 32-byte scalar as four 64-bit words, least significant first, and a fifth,
 * zero, for scalar_bits to read past the top. */
static void scalar_words(uint64_t w[5], const unsigned char *k) {
    for (int i = 0; i < 4; i++) {
        uint64_t v = 0;
        for (int j = 0; j < 8; j++) v = v << 8 | k[(3 - i) * 8 + j];
        w[i] = v;
    }
    w[4] = 0;
}

/* The `width` (< 32) bits of a scalar's words from bit `pos` (0 = lowest), bits past 255
 * zero. Only `pos`, which is public, chooses a branch or a shift: the constant-time digits
 * (ct_digits) take their windows here too. No branch on whether the window straddles two
 * words (a pattern the predictor misses): the next word's bits are shifted in always, by
 * 64 − s in two steps so that s = 0 shifts them out. */
static unsigned scalar_bits(const uint64_t w[5], unsigned pos, unsigned width) {
    if (pos >= 256) return 0;
    unsigned i = pos / 64, s = pos % 64;
    uint64_t v = w[i] >> s | (w[i + 1] << 1) << (63 - s);
    return (unsigned)(v & ((1ULL << width) - 1));
}

/* Signed base-2^c digits d_w ∈ [−2^(c−1), 2^(c−1)] with k = Σ d_w·2^(c·w); `windows` of them. */
static void signed_digits_words(int *d, const uint64_t words[5], unsigned c, unsigned windows) {
    int carry = 0;
    for (unsigned w = 0; w < windows; w++) {
        int v = (int)scalar_bits(words, w * c, c) + carry;
        carry = v > (1 << (c - 1));
        d[w] = v - (carry << c);
    }
}

/* The same for a big-endian 32-byte scalar. */
static void signed_digits(int *d, const unsigned char *k, unsigned c, unsigned windows) {
    uint64_t words[5];
    scalar_words(words, k);
    signed_digits_words(d, words, c, windows);
}

/* Width-5 NAF of a big-endian 32-byte magnitude; returns the number of digits. */
static int wnaf5(int *naf, const unsigned char *k) {
    uint64_t v[5] = {0};
    for (int i = 0; i < 32; i++) v[(31 - i) / 8] |= (uint64_t)k[i] << (8 * ((31 - i) % 8));
    int len = 0;
    while (v[0] | v[1] | v[2] | v[3] | v[4]) {
        int d = 0;
        if (v[0] & 1) {
            d = (int)(v[0] & 31);
            if (d > 16) d -= 32;
            /* v −= d */
            if (d > 0) {
                uint64_t borrow = (uint64_t)d;
                for (int i = 0; i < 5 && borrow; i++) { uint64_t o = v[i]; v[i] -= borrow; borrow = v[i] > o; }
            } else {
                uint64_t carry = (uint64_t)(-d);
                for (int i = 0; i < 5 && carry; i++) { v[i] += carry; carry = v[i] < carry; }
            }
        }
        naf[len++] = d;
        for (int i = 0; i < 4; i++) v[i] = (v[i] >> 1) | (v[i + 1] << 63);
        v[4] >>= 1;
    }
    return len;
}

/* ---- exported ---------------------------------------------------------------------- */

/* Field operations on 32-byte big-endian inputs below 2^256, for the tests. op: 0 add,
 * 1 sub, 2 mul, 3 inv, 4 sqrt (returns 0 for a non-square). Output is fully reduced. */
int zk_fe_op(int op, const unsigned char *a, const unsigned char *b, unsigned char *out) {
    fe x, y, r;
    fe_from_be(&x, a);
    fe_from_be(&y, b);
    int ok = 1;
    switch (op) {
        case 0: fe_add(&r, &x, &y); break;
        case 1: fe_sub(&r, &x, &y); break;
        case 2: fe_mul(&r, &x, &y); break;
        case 3: fe_inv(&r, &x); break;
        default: ok = fe_sqrt(&r, &x); break;
    }
    fe_to_be(out, &r);
    return ok;
}

/* fe_inv_var of n 32-byte big-endian inputs below 2^256 (p or more allowed: a loose
 * element), fully reduced, for the tests (native_modinv.h). */
int zk_fe_inv_var(const unsigned char *in, size_t n, unsigned char *out) {
    for (size_t i = 0; i < n; i++) {
        fe x, r;
        fe_from_be(&x, in + 32 * i);
        fe_inv_var(&r, &x);
        fe_to_be(out + 32 * i, &r);
    }
    return 0;
}

/* The point with x-coordinate x and y of the given parity; 0 if x ≥ p (a non-canonical
 * encoding) or x³ + 7 is not a square. */
int zk_lift_x(const unsigned char *x32, int odd, unsigned char *out) {
    fe x, y, rhs;
    static const fe seven = {{7, 0, 0, 0}};
    unsigned char canonical[32];
    fe_from_be(&x, x32);
    fe_to_be(canonical, &x);
    if (memcmp(canonical, x32, 32) != 0) return 0;
    fe_sqr(&rhs, &x); fe_mul(&rhs, &rhs, &x); fe_add(&rhs, &rhs, &seven);
    if (!fe_sqrt(&y, &rhs)) return 0;
    fe_normalize(&y);
    if ((int)(y.n[0] & 1) != (odd & 1)) fe_neg(&y, &y);
    fe_to_be(out, &x);
    fe_to_be(out + 32, &y);
    return 1;
}

int zk_sum(const unsigned char *points, size_t n, unsigned char *out) {
    gej acc;
    gej_set_inf(&acc);
    for (size_t k = 0; k < n; k++) {
        ge p;
        ge_from_bytes(&p, points + 64 * k);
        gej_add_ge(&acc, &acc, &p);
    }
    return gej_write(out, &acc);
}

/* ---- hash_to_curve's map (RFC 9380 §6.6.2, §6.6.3; SPEC.md §2.4) -------------------- */

/* The suite's constants as h2c.py packs them (32 bytes each): A', B', Z, √(−Z³), then the
 * isogeny's x_num (4), x_den (3), y_num (4) and y_den (4) coefficients, lowest first. */
enum { H2C_CONSTS = 19 };

typedef struct { fe a, b, z, sqrt_mz3, x_num[4], x_den[3], y_num[4], y_den[4], c1, c2; } h2c_consts;

static void h2c_load(h2c_consts *k, const unsigned char *in) {
    fe *slots[H2C_CONSTS] = {&k->a, &k->b, &k->z, &k->sqrt_mz3};
    for (int i = 0; i < 4; i++) slots[4 + i] = &k->x_num[i];
    for (int i = 0; i < 3; i++) slots[8 + i] = &k->x_den[i];
    for (int i = 0; i < 4; i++) slots[11 + i] = &k->y_num[i];
    for (int i = 0; i < 4; i++) slots[15 + i] = &k->y_den[i];
    for (int i = 0; i < H2C_CONSTS; i++) fe_from_be(slots[i], in + 32 * i);
    fe inv_a, t;                                /* c1 = −B/A', c2 = B/(Z·A') */
    fe_inv(&inv_a, &k->a);
    fe_mul(&t, &k->b, &inv_a);
    fe_neg(&k->c1, &t);
    fe_inv(&t, &k->z);
    fe_mul(&k->c2, &k->b, &inv_a);
    fe_mul(&k->c2, &k->c2, &t);
}

static void poly_eval(fe *r, const fe *coeffs, int count, const fe *x) {   /* Horner */
    *r = coeffs[count - 1];
    for (int i = count - 2; i >= 0; i--) {
        fe_mul(r, r, x);
        fe_add(r, r, &coeffs[i]);
    }
}

/* Simplified SWU onto E' for p ≡ 3 (mod 4): as h2c.map_to_curve_sswu. */
static void sswu(fe *x, fe *y, const fe *u, const h2c_consts *k) {
    fe zu2, tv1, x1, gx1, t;
    fe_sqr(&zu2, u);
    fe_mul(&zu2, &zu2, &k->z);
    fe_sqr(&tv1, &zu2);
    fe_add(&tv1, &tv1, &zu2);
    if (fe_is_zero(&tv1)) x1 = k->c2;
    else {
        fe_inv(&t, &tv1);
        fe_add(&t, &t, &FE_ONE);
        fe_mul(&x1, &k->c1, &t);
    }
    fe_sqr(&gx1, &x1);                           /* g(x1) = (x1² + A')·x1 + B' */
    fe_add(&gx1, &gx1, &k->a);
    fe_mul(&gx1, &gx1, &x1);
    fe_add(&gx1, &gx1, &k->b);
    if (fe_sqrt(y, &gx1)) *x = x1;
    else {   /* y² = −g(x1) and g(Z·u²·x1) = Z³u⁶·g(x1): its root is √(−Z³)·u³·y */
        fe_mul(x, &zu2, &x1);
        fe_sqr(&t, u);
        fe_mul(&t, &t, u);
        fe_mul(&t, &t, &k->sqrt_mz3);
        fe_mul(y, y, &t);
    }
    fe un = *u;
    fe_normalize(&un);
    fe_normalize(y);
    if ((un.n[0] & 1) != (y->n[0] & 1)) fe_neg(y, y);   /* sgn0(y) = sgn0(u) */
}

/* The 3-isogeny E' → secp256k1: as h2c.iso_map; the identity where a denominator is 0. */
static void iso_map(ge *r, const fe *x, const fe *y, const h2c_consts *k) {
    fe xn, xd, yn, yd, inv;
    poly_eval(&xn, k->x_num, 4, x);
    poly_eval(&xd, k->x_den, 3, x);
    poly_eval(&yn, k->y_num, 4, x);
    poly_eval(&yd, k->y_den, 4, x);
    r->inf = fe_is_zero(&xd) || fe_is_zero(&yd);
    if (r->inf) return;
    fe_mul(&inv, &xd, &yd);
    fe_inv(&inv, &inv);
    fe_mul(&r->x, &xn, &yd);
    fe_mul(&r->x, &r->x, &inv);
    fe_mul(&r->y, y, &yn);
    fe_mul(&r->y, &r->y, &xd);
    fe_mul(&r->y, &r->y, &inv);
}

/* map_to_curve(u0) + map_to_curve(u1) for n pairs of field elements below p (64 bytes a
 * pair), with the suite's constants at `consts`. The identity, as in zk_fold, is written
 * as zeros and flagged 0 in `ok`. */
int zk_map_to_curve(const unsigned char *consts, const unsigned char *u, size_t n,
                    unsigned char *out, unsigned char *ok) {
    h2c_consts k;
    h2c_load(&k, consts);
    for (size_t i = 0; i < n; i++) {
        gej sum;
        gej_set_inf(&sum);
        for (int half = 0; half < 2; half++) {
            fe ui, x, y;
            ge q;
            fe_from_be(&ui, u + 64 * i + 32 * half);
            sswu(&x, &y, &ui, &k);
            iso_map(&q, &x, &y, &k);
            gej_add_ge(&sum, &sum, &q);
        }
        ok[i] = (unsigned char)gej_write(out + 64 * i, &sum);
    }
    return 0;
}

#include "native_ifma.h"
#include "native_msm8.h"
#include "native_msm_runs.h"
#include "native_fold8.h"
#include "native_ct.h"
#include "native_lanes.h"
#include "native_scalar.h"
#include "native_verify.h"
#include "native_margin.h"
#include "native_prove.h"

static int simd_state = -1;   /* −1 until first asked: then 1 where IFMA runs, else 0 */

static int simd_on(void) {
#if ZK_HAVE_IFMA
    if (simd_state < 0) simd_state = ifma_usable();
#else
    simd_state = 0;
#endif
    return simd_state;
}

/* fe8_op where the CPU has IFMA (returns 1), else nothing (returns 0). For the tests. */
int zk_fe8_op(int op, const unsigned char *a, const unsigned char *b, unsigned char *out) {
#if ZK_HAVE_IFMA
    if (ifma_usable()) { fe8_op(op, a, b, out); return 1; }
#endif
    (void)op; (void)a; (void)b; (void)out;
    return 0;
}

/* One lane field operation on raw limbs (CT8(limbs_op)'s ops) on the lane set `set`: 0 the
 * portable constant-time words, 1 the IFMA ones, 2 native_ifma.h's fe8. Returns 0, −2 for
 * an IFMA set where the CPU lacks it, −3 for a lazy sum's k (ops 4, 5) outside 1 … 63 (the
 * lazy subtraction's 2^s above k is undefined at 0). For the tests. */
int zk_fe_lanes_op(int set, int op, unsigned k, const uint64_t *a, const uint64_t *b,
                   uint64_t *out) {
    if (op >= 4 && (k == 0 || k > 63)) return -3;
    if (set == 0) { ct8p_limbs_op(op, k, a, b, out); return 0; }
#if ZK_HAVE_IFMA
    if (ifma_usable()) {
        if (set == 1) ct8i_limbs_op(op, k, a, b, out);
        else fe8_limbs_op(op, k, a, b, out);
        return 0;
    }
#endif
    return -2;
}

/* Whether folds run eight lanes at a time on AVX-512 IFMA. `mode` 0 turns it off, 1 back
 * on where the CPU has it, −1 only asks; returns the state after the call. For tests. */
int zk_simd(int mode) {
    if (mode == 0) simd_state = 0;
    else if (mode == 1) simd_state = -1;
    return simd_on();
}

#include "native_glv.h"

enum { MSM8_MIN = 8 };   /* from here the lane path wins (bench/backends.py) */

/* Pippenger's cost in field multiplications for window c: bucket fills plus running sums. */
static double pippenger_cost(size_t n, unsigned c) {
    return (256.0 / c + 1) * (11.0 * (double)n + 16.0 * (double)(1u << c)) + 7.0 * 256;
}

static unsigned pippenger_window(size_t n) {
    unsigned best = 2;
    for (unsigned c = 3; c <= 16; c++)
        if (pippenger_cost(n, c) < pippenger_cost(n, best)) best = c;
    return best;
}

/* The lane path's cost for window c over `points` terms of `bits`-bit scalars: bucket fills
 * plus running sums, eight windows at a time (an addition of two Jacobian points costs about
 * 1.5 mixed ones). */
static double msm8_cost(size_t points, unsigned bits, unsigned c) {
    return (double)((bits / c + 1 + 7) / 8) * ((double)points + 1.5 * (double)(1u << c));
}

/* The lane path's cheapest window by `cost` for `points` terms of `bits`-bit scalars. */
static unsigned msm8_cheapest_window(double (*cost)(size_t, unsigned, unsigned), size_t points,
                                     unsigned bits) {
    unsigned best = 4;
    for (unsigned c = 5; c <= 15; c++)   /* digits must fit int16 */
        if (cost(points, bits, c) < cost(points, bits, best)) best = c;
    return best;
}

static unsigned msm8_window(size_t n) { return msm8_cheapest_window(msm8_cost, n, 256); }

/* Window sums W_w = Σ_b (b+1)·B_b on the scalar path; `buckets` is room for 2^(c−1). */
static void msm_windows(gej *sums, const ge *pts, const int *digits, size_t n, unsigned c,
                        unsigned windows, gej *buckets) {
    unsigned half = 1u << (c - 1);
    for (unsigned w = 0; w < windows; w++) {
        for (unsigned b = 0; b < half; b++) gej_set_inf(&buckets[b]);
        for (size_t k = 0; k < n; k++) {
            int d = digits[k * windows + w];
            if (d > 0) gej_add_ge(&buckets[d - 1], &buckets[d - 1], &pts[k]);
            else if (d < 0) {
                ge neg = pts[k];
                fe_neg(&neg.y, &neg.y);
                gej_add_ge(&buckets[-d - 1], &buckets[-d - 1], &neg);
            }
        }
        gej running;   /* Σ_b (b+1)·B_b as a sum of running sums */
        gej_set_inf(&running);
        gej_set_inf(&sums[w]);
        for (unsigned b = half; b-- > 0;) {
            gej_add(&running, &running, &buckets[b]);
            gej_add(&sums[w], &sums[w], &running);
        }
    }
}

/* Scratch for the window sums of either path (msm8_room_bytes: native_msm8.h). */
static size_t msm_windows_bytes(size_t n, unsigned c, int lanes) {
#if ZK_HAVE_IFMA
    if (lanes) return msm8_room_bytes(n, c);
#endif
    (void)n; (void)lanes;
    return carved((size_t)1 << (c - 1), sizeof(gej));
}

/* Bits of the widest of n big-endian 32-byte scalars: windows above it hold only zeros. */
static unsigned widest_scalar_bits(const unsigned char *scalars, size_t n) {
    unsigned char top[32] = {0};
    for (size_t k = 0; k < n; k++)
        for (unsigned i = 0; i < 32; i++) top[i] |= scalars[32 * k + i];
    for (unsigned i = 0; i < 32; i++)
        if (top[i]) return 8 * (32 - i) - (unsigned)__builtin_clz(top[i]) + 24;
    return 0;
}

/* Σ_w 2^(c·w)·W_w by doublings from the top window, written as zk_msm writes. */
static int msm_combine(unsigned char *out, const gej *sums, unsigned c, unsigned windows) {
    gej acc;
    gej_set_inf(&acc);
    for (unsigned w = windows; w-- > 0;) {
        for (unsigned s = 0; s < c; s++) gej_double(&acc, &acc);
        gej_add(&acc, &acc, &sums[w]);
    }
    return gej_write(out, &acc);
}

#if ZK_HAVE_IFMA
enum { GLV_HALF_BITS = 128 };   /* |k1|, |k2| < 2^128 (native_glv.h) */

/* The lanes' cost as msm8_cost, in units of one term's bucket addition in one lane group,
 * refined by measurement (bench/RESULTS.md, "GLV in the public MSM"): a bucket's two running
 * sums cost about 1.9 units, and where c divides `bits` the top window holds only the
 * carries, so a group holding nothing else skips about 90 % of the terms (msm8_fill). */
static double msm8_cost_measured(size_t points, unsigned bits, unsigned c) {
    unsigned windows = bits / c + 1, groups = (windows + 7) / 8;
    double sums = 1.9 * (double)(1u << (c - 1)), cost = groups * ((double)points + sums);
    if (bits % c == 0 && windows % 8 == 1) cost -= 0.9 * (double)points;
    return cost;
}

/* The GLV terms' window: the cheapest for 2n terms of GLV_HALF_BITS-bit scalars. */
static unsigned msm8_glv_window(size_t n) {
    return msm8_cheapest_window(msm8_cost_measured, 2 * n, GLV_HALF_BITS);
}

/* Whether the lanes cost less on the 2n GLV terms at window c than on the n full scalars,
 * the splits (≈ 0.25 units a scalar more than full digits) counted. */
static int msm8_glv_pays(size_t n, unsigned bits, unsigned c) {
    double glv = msm8_cost_measured(2 * n, GLV_HALF_BITS, c) + 0.25 * (double)n;
    return glv < msm8_cost_measured(n, bits, msm8_window(n));
}

/* Every scalar's GLV halves into halves[4k ..] (|k1|, |k2|) and negs[2k ..]; returns the
 * bits of the widest half, or −1 if a split failed (never: Babai's bound). */
static int msm8_glv_halves(uint64_t *halves, int *negs, const unsigned char *scalars,
                           size_t n) {
    uint64_t lo = 0, hi = 0, k[4];
    for (size_t i = 0; i < n; i++) {
        uint64_t *h = halves + 4 * i;
        glv_scalar_words(k, scalars + 32 * i);
        if (!glv_split_words(h, &negs[2 * i], h + 2, &negs[2 * i + 1], k)) return -1;
        lo |= h[0] | h[2];
        hi |= h[1] | h[3];
    }
    if (hi) return 128 - __builtin_clzll(hi);
    return lo ? 64 - __builtin_clzll(lo) : 0;
}

/* Term j's signed digits: those of its half's magnitude, negated where the half is negative. */
static void msm8_glv_digits(int *digits, const uint64_t *halves, const int *negs, size_t terms,
                            unsigned c, unsigned windows) {
    for (size_t j = 0; j < terms; j++) {
        uint64_t words[5] = {halves[2 * j], halves[2 * j + 1], 0, 0, 0};
        int *d = digits + j * windows;
        signed_digits_words(d, words, c, windows);
        if (negs[j])
            for (unsigned w = 0; w < windows; w++) d[w] = -d[w];
    }
}

/* The 2n terms' points: P_k at 2k and λ·P_k = (β·x, y) at 2k + 1. */
static void msm8_glv_points(ge *pts, const unsigned char *points, size_t n) {
    for (size_t k = 0; k < n; k++) {
        ge_from_bytes(&pts[2 * k], points + 64 * k);
        pts[2 * k + 1] = pts[2 * k];
        fe_mul(&pts[2 * k + 1].x, &pts[2 * k + 1].x, &FE_BETA);
    }
}

/* zk_msm on the lanes by the GLV endomorphism (SPEC.md §2.3): k·P = k1·P + k2·λP, so 2n terms
 * with scalars below 2^128 and half the windows (the bucket sums and the doublings halve).
 * Returns as zk_msm, or −2 if a split failed (never). */
static int msm8_glv(const unsigned char *points, const unsigned char *scalars, size_t n,
                    unsigned c, unsigned char *out) {
    size_t terms = 2 * n;
    unsigned most = GLV_HALF_BITS / c + 1;
    unsigned char *room = scratch_get(carved(terms, 2 * sizeof(uint64_t))
                                      + carved(terms, sizeof(int))
                                      + carved(terms * most, sizeof(int))
                                      + carved(terms, sizeof(ge)) + carved(most, sizeof(gej))
                                      + msm8_room_bytes(terms, c));
    if (!room) return -1;
    unsigned char *cursor = room;
    uint64_t *halves = carve(&cursor, terms, 2 * sizeof(uint64_t));
    int *negs = carve(&cursor, terms, sizeof(int));
    int *digits = carve(&cursor, terms * most, sizeof(int));
    ge *pts = carve(&cursor, terms, sizeof(ge));
    gej *sums = carve(&cursor, most, sizeof(gej));
    int bits = msm8_glv_halves(halves, negs, scalars, n);
    if (bits < 0) { scratch_put(room); return -2; }
    unsigned windows = (unsigned)bits / c + 1;
    msm8_glv_digits(digits, halves, negs, terms, c, windows);
    msm8_glv_points(pts, points, n);
    msm8_windows(sums, pts, digits, terms, c, windows, cursor);
    int status = msm_combine(out, sums, c, windows);
    scratch_put(room);
    return status;
}
#endif

/* Σ k_i·P_i by Pippenger's bucket method with signed digits: on IFMA lanes where the CPU
 * has them, by the GLV split of the scalars where that costs less (any n ≥ 1), else eight
 * windows at a time from MSM8_MIN terms. Returns −1 on no memory. */
int zk_msm(const unsigned char *points, const unsigned char *scalars, size_t n,
           unsigned char *out) {
    int lanes = n >= MSM8_MIN && simd_on();
    unsigned bits = widest_scalar_bits(scalars, n);
#if ZK_HAVE_IFMA
    /* From one term: its 2n terms fill the lanes' groups (1.4 to 3 times faster than the
     * one-lane buckets below MSM8_MIN, bench/RESULTS.md "GLV in the public MSM"). */
    unsigned glv_c = msm8_glv_window(n);
    if (n > 0 && simd_on() && msm8_glv_pays(n, bits, glv_c)) {
        int status = msm8_glv(points, scalars, n, glv_c, out);
        if (status != -2) return status;
    }
#endif
    unsigned c = lanes ? msm8_window(n) : pippenger_window(n);
    unsigned windows = bits / c + 1;   /* small scalars: fewer windows */
    size_t m = n ? n : 1;
    unsigned char *room = scratch_get(carved(m * windows, sizeof(int)) + carved(m, sizeof(ge))
                                      + carved(windows, sizeof(gej)) + msm_windows_bytes(m, c, lanes));
    if (!room) return -1;
    unsigned char *cursor = room;
    int *digits = carve(&cursor, m * windows, sizeof(int));
    ge *pts = carve(&cursor, m, sizeof(ge));
    gej *sums = carve(&cursor, windows, sizeof(gej));
    for (size_t k = 0; k < n; k++) {
        ge_from_bytes(&pts[k], points + 64 * k);
        signed_digits(digits + k * windows, scalars + 32 * k, c, windows);
    }
#if ZK_HAVE_IFMA
    if (lanes) msm8_windows(sums, pts, digits, n, c, windows, cursor);
    else
#endif
    msm_windows(sums, pts, digits, n, c, windows, (gej *)cursor);
    int status = msm_combine(out, sums, c, windows);
    scratch_put(room);
    return status;
}

#include "native_msm_kept.h"

/* The odd multiples P, 3P, …, 15P of every P, as Jacobian points, 8 per input. */
static void odd_multiples(gej *table, const ge *pts, size_t n) {
    for (size_t k = 0; k < n; k++) {
        gej *t = table + 8 * k, twice;
        gej_set_ge(&t[0], &pts[k]);
        gej_double(&twice, &t[0]);
        for (int j = 1; j < 8; j++) gej_add(&t[j], &t[j - 1], &twice);
    }
}

static void add_digit(gej *acc, const ge *table, int d, int negate, int endo) {
    ge q = table[(abs(d) - 1) / 2];
    if (q.inf) return;
    if (endo) fe_mul(&q.x, &q.x, &FE_BETA);   /* λ·(x, y) = (β·x, y) */
    if ((d < 0) != negate) fe_neg(&q.y, &q.y);
    gej_add_ge(acc, acc, &q);
}

/* acc = k·P by the shared NAF digits, from P's table of odd multiples. */
static void ladder(gej *acc, const ge *table, const int *naf1, const int *naf2, int len,
                   int neg1, int neg2) {
    gej_set_inf(acc);
    for (int b = len - 1; b >= 0; b--) {
        gej_double(acc, acc);
        if (naf1[b]) add_digit(acc, table, naf1[b], neg1, 0);
        if (naf2[b]) add_digit(acc, table, naf2[b], neg2, 1);
    }
}

enum { FOLD_BLOCK = 512 };   /* points a block: scratch ≈ 2.2 MB, two inversions a block */

typedef struct { int naf1[260], naf2[260], len, neg1, neg2; } fold_scalar;

/* A block's temporaries: scalar-path tables (pts, jt, table, prefix) and, on IFMA, the
 * lane tables (jt8, tab8, prefix8), one per group of eight points. */
typedef struct {
    ge *pts, *table, *aff;
    gej *jt, *res;
    fe *prefix;
#if ZK_HAVE_IFMA
    gej8 *jt8;
    ge8 *tab8;
    fe8 *prefix8;
#endif
} fold_room;

static size_t fold_room_bytes(size_t n) {
    size_t bytes = carved(n, sizeof(ge)) + carved(8 * n, sizeof(gej)) + carved(8 * n, sizeof(ge))
                   + carved(n, sizeof(gej)) + carved(n, sizeof(ge)) + carved(8 * n, sizeof(fe));
#if ZK_HAVE_IFMA
    bytes += carved(n, sizeof(gej8)) + carved(n, sizeof(ge8)) + carved(n, sizeof(fe8));
#endif
    return bytes;
}

static fold_room fold_room_carve(unsigned char *cursor, size_t n) {
    fold_room r;
    r.pts = carve(&cursor, n, sizeof(ge));
    r.jt = carve(&cursor, 8 * n, sizeof(gej));
    r.table = carve(&cursor, 8 * n, sizeof(ge));
    r.res = carve(&cursor, n, sizeof(gej));
    r.aff = carve(&cursor, n, sizeof(ge));
    r.prefix = carve(&cursor, 8 * n, sizeof(fe));
#if ZK_HAVE_IFMA
    r.jt8 = carve(&cursor, n, sizeof(gej8));   /* 8 entries a group: n / 8 groups */
    r.tab8 = carve(&cursor, n, sizeof(ge8));
    r.prefix8 = carve(&cursor, n, sizeof(fe8));
#endif
    return r;
}

/* k·hi_i into res[i] on the scalar path, from the points' tables built here. */
static void fold_scalar_path(const unsigned char *hi, size_t n, const fold_scalar *k,
                             const fold_room *r, gej *res) {
    if (n == 0) return;
    for (size_t i = 0; i < n; i++) ge_from_bytes(&r->pts[i], hi + 64 * i);
    odd_multiples(r->jt, r->pts, n);
    gej_to_ge_batch(r->table, r->jt, 8 * n, r->prefix);
    for (size_t i = 0; i < n; i++)
        ladder(&res[i], r->table + 8 * i, k->naf1, k->naf2, k->len, k->neg1, k->neg2);
}

#if ZK_HAVE_IFMA
/* k·hi_i into res[i] for the first n − n mod 8 points, eight at a time on IFMA lanes, the
 * tables too. Returns how many points it did: 0 if a table could not be made affine. */
static size_t fold_lanes(const unsigned char *hi, size_t n, const fold_scalar *k,
                         const fold_room *r) {
    size_t groups = n / 8;
    for (size_t g = 0; g < groups; g++) {
        ge8 p;
        ge8_load(&p, hi + 512 * g);
        odd_multiples8(r->jt8 + 8 * g, &p);
    }
    if (!gej8_to_ge8_batch(r->tab8, r->jt8, 8 * groups, r->prefix8)) return 0;
    for (size_t g = 0; g < groups; g++) {
        __mmask8 bad = ladder8(r->res + 8 * g, r->tab8 + 8 * g, k->naf1, k->naf2, k->len,
                               k->neg1, k->neg2);
        for (int i = 0; i < 8; i++)   /* an exceptional addition: redo that point alone */
            if (bad >> i & 1) fold_scalar_path(hi + 64 * (8 * g + i), 1, k, r, &r->res[8 * g + i]);
    }
    return 8 * groups;
}
#endif

/* zk_fold for n ≤ FOLD_BLOCK points. */
static void fold_block(const unsigned char *lo, const unsigned char *hi, size_t n,
                       const fold_scalar *k, const fold_room *r, unsigned char *out,
                       unsigned char *ok) {
    size_t done = 0;
#if ZK_HAVE_IFMA
    if (simd_on()) done = fold_lanes(hi, n, k, r);
#endif
    fold_scalar_path(hi + 64 * done, n - done, k, r, r->res + done);
    for (size_t i = 0; i < n; i++) {
        ge l;
        ge_from_bytes(&l, lo + 64 * i);
        gej_add_ge(&r->res[i], &r->res[i], &l);
    }
    gej_to_ge_batch(r->aff, r->res, n, r->prefix);
    for (size_t i = 0; i < n; i++) ok[i] = (unsigned char)ge_write(out + 64 * i, &r->aff[i]);
}

/* out_i = lo_i + k·hi_i for all i, with k = ±k1 ± k2·λ given by its GLV halves (their
 * magnitudes and signs). The identity can occur only with negligible probability; its
 * slots are zero and flagged 0 in `ok`. Returns −1 on no memory. */
int zk_fold(const unsigned char *lo, const unsigned char *hi, size_t n,
            const unsigned char *k1, int neg1, const unsigned char *k2, int neg2,
            unsigned char *out, unsigned char *ok) {
    fold_scalar k = {{0}, {0}, 0, neg1, neg2};
    int len1 = wnaf5(k.naf1, k1), len2 = wnaf5(k.naf2, k2);
    k.len = len1 > len2 ? len1 : len2;
    size_t block = n < FOLD_BLOCK ? (n ? n : 1) : FOLD_BLOCK;
    unsigned char *room = scratch_get(fold_room_bytes(block));
    if (!room) return -1;
    fold_room r = fold_room_carve(room, block);
    for (size_t at = 0; at < n; at += block) {
        size_t count = n - at < block ? n - at : block;
        fold_block(lo + 64 * at, hi + 64 * at, count, &k, &r, out + 64 * at, ok + at);
    }
    scratch_put(room);
    return 0;
}

#include "native_fold2.h"
#include "native_fold_affine.h"
