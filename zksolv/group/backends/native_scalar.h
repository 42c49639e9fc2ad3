/* Scalars modulo the group order n of secp256k1 (SPEC.md §2.1), for the kernel's range-proof
 * arithmetic (SPEC.md §5.5; bench/RESULTS.md, "Audit per range-proof bit").
 *
 * PUBLIC DATA ONLY. This is variable-time code in the sense of SPEC.md §2.3: it is not
 * checked by tests/ctime, and sc_inv / sc_batch_inv / sc_pow loop on their inputs. It takes
 * challenges, proof scalars and verifier weights, never a prover's nonce or blinding.
 *
 * Representation: `sc` holds four 64-bit limbs, least significant first. Unless a function
 * says otherwise, values are in MONTGOMERY FORM, a·R mod n with R = 2^256, fully reduced
 * (every limb vector < n). Montgomery form makes a product one interleaved multiply-and-
 * reduce (CIOS, Koç–Acar–Kaliski 1996) with no 512-bit division; sums and differences are
 * the same in both forms. Convert at the boundary:
 *
 *   int  sc_from_be(sc *r, const unsigned char in[32])  big-endian bytes → Montgomery form;
 *                                                        returns 0 (r undefined) if in ≥ n
 *   void sc_to_be(unsigned char out[32], const sc *a)   Montgomery form → big-endian bytes
 *   void sc_from_u64(sc *r, uint64_t v)                 a small integer → Montgomery form
 *
 * Arithmetic (inputs and outputs in Montgomery form; r may alias a or b):
 *
 *   sc_add(r, a, b)   r = a + b        sc_sub(r, a, b)   r = a − b        sc_neg(r, a)  r = −a
 *   sc_dbl(r, a)      r = 2a           sc_mul(r, a, b)   r = a·b          sc_sqr(r, a)  r = a²
 *   sc_is_zero(a)     1 iff a ≡ 0      sc_eq(a, b)       1 iff a ≡ b
 *   sc_pow(r, a, e)   r = a^e, e four limbs (plain integer, not Montgomery), least first
 *   sc_inv(r, a)      r = a^(n−2) = a⁻¹ (0 maps to 0)
 *   sc_batch_inv(out, in, count, prefix)
 *                     out[i] = in[i]⁻¹ by Montgomery's trick (one sc_inv); `prefix` is
 *                     caller scratch of `count` entries; out may alias in. Returns 0 and
 *                     leaves out undefined if any in[i] ≡ 0, 1 otherwise.
 *   sc_powers(out, base, count)
 *                     out[i] = base^i for i < count (out[0] = 1).
 *   sc_inner(r, a, b, count)
 *                     r = Σ a[i]·b[i].
 *
 * Constants: SC_ZERO, SC_ONE (1 in Montgomery form, i.e. R mod n).
 *
 * Exported for the tests (tests/test_native_scalar.py), on big-endian 32-byte plain
 * integers, at the end of this file: zk_sc_op, zk_sc_batch_inv, zk_sc_powers, zk_sc_inner.
 *
 * Self-contained apart from <stdint.h>, <stddef.h> and <stdlib.h> (malloc in the test
 * entries); native.c includes it once.
 */
#ifndef ZKSOLV_NATIVE_SCALAR_H
#define ZKSOLV_NATIVE_SCALAR_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

typedef struct { uint64_t d[4]; } sc;

/* n = FFFFFFFF FFFFFFFF FFFFFFFF FFFFFFFE BAAEDCE6 AF48A03B BFD25E8C D0364141 */
static const sc SC_N = {{0xBFD25E8CD0364141ULL, 0xBAAEDCE6AF48A03BULL,
                         0xFFFFFFFFFFFFFFFEULL, 0xFFFFFFFFFFFFFFFFULL}};
static const uint64_t SC_N0INV = 0x4B0DFF665588B13FULL;                   /* −n⁻¹ mod 2^64 */
static const sc SC_R2 = {{0x896CF21467D7D140ULL, 0x741496C20E7CF878ULL,   /* R² mod n */
                          0xE697F5E45BCD07C6ULL, 0x9D671CD581C69BC5ULL}};
static const sc SC_ONE = {{0x402DA1732FC9BEBFULL, 0x4551231950B75FC4ULL, 1, 0}};  /* R mod n */
static const sc SC_ZERO = {{0, 0, 0, 0}};
static const uint64_t SC_N_MINUS_2[4] = {0xBFD25E8CD036413FULL, 0xBAAEDCE6AF48A03BULL,
                                         0xFFFFFFFFFFFFFFFEULL, 0xFFFFFFFFFFFFFFFFULL};

/* r = a − b over 256 bits; returns the borrow (1 if a < b). */
static inline uint64_t sc_sub_raw(sc *r, const sc *a, const sc *b) {
    unsigned __int128 t;
    uint64_t borrow = 0;
    for (int i = 0; i < 4; i++) {
        t = (unsigned __int128)a->d[i] - b->d[i] - borrow;
        r->d[i] = (uint64_t)t;
        borrow = (uint64_t)(t >> 64) & 1;
    }
    return borrow;
}

/* r = a + (b & mask) over 256 bits; returns the carry. */
static inline uint64_t sc_add_masked(sc *r, const sc *a, const sc *b, uint64_t mask) {
    unsigned __int128 t;
    uint64_t carry = 0;
    for (int i = 0; i < 4; i++) {
        t = (unsigned __int128)a->d[i] + (b->d[i] & mask) + carry;
        r->d[i] = (uint64_t)t;
        carry = (uint64_t)(t >> 64);
    }
    return carry;
}

/* r = t − n if t ≥ n (t given as 256 bits plus a carry bit `hi`), else t: for t < 2n. */
static inline void sc_final_sub(sc *r, const sc *t, uint64_t hi) {
    sc s;
    uint64_t borrow = sc_sub_raw(&s, t, &SC_N);
    uint64_t keep = (uint64_t)0 - (borrow & (hi ^ 1));   /* all ones: t < n, keep t */
    for (int i = 0; i < 4; i++) r->d[i] = (t->d[i] & keep) | (s.d[i] & ~keep);
}

static inline void sc_add(sc *r, const sc *a, const sc *b) {
    sc t;
    uint64_t carry = sc_add_masked(&t, a, b, ~(uint64_t)0);
    sc_final_sub(r, &t, carry);
}

static inline void sc_sub(sc *r, const sc *a, const sc *b) {
    sc t;
    uint64_t borrow = sc_sub_raw(&t, a, b);
    sc_add_masked(r, &t, &SC_N, (uint64_t)0 - borrow);
}

static inline void sc_neg(sc *r, const sc *a) { sc_sub(r, &SC_ZERO, a); }

static inline void sc_dbl(sc *r, const sc *a) { sc_add(r, a, a); }

static inline int sc_is_zero(const sc *a) { return (a->d[0] | a->d[1] | a->d[2] | a->d[3]) == 0; }

static inline int sc_eq(const sc *a, const sc *b) {
    return ((a->d[0] ^ b->d[0]) | (a->d[1] ^ b->d[1]) | (a->d[2] ^ b->d[2]) | (a->d[3] ^ b->d[3])) == 0;
}

/* r = a·b·R⁻¹ mod n (CIOS). With a, b < n the running value stays below 2n < 2^257. */
static inline void sc_mul(sc *r, const sc *a, const sc *b) {
    uint64_t t[6] = {0, 0, 0, 0, 0, 0};
    for (int i = 0; i < 4; i++) {
        unsigned __int128 c = 0;
        for (int j = 0; j < 4; j++) {
            c = (unsigned __int128)a->d[j] * b->d[i] + t[j] + (uint64_t)(c >> 64);
            t[j] = (uint64_t)c;
        }
        c = (unsigned __int128)t[4] + (uint64_t)(c >> 64);
        t[4] = (uint64_t)c;
        t[5] = (uint64_t)(c >> 64);
        uint64_t m = t[0] * SC_N0INV;
        c = (unsigned __int128)m * SC_N.d[0] + t[0];
        for (int j = 1; j < 4; j++) {
            c = (unsigned __int128)m * SC_N.d[j] + t[j] + (uint64_t)(c >> 64);
            t[j - 1] = (uint64_t)c;
        }
        c = (unsigned __int128)t[4] + (uint64_t)(c >> 64);
        t[3] = (uint64_t)c;
        t[4] = t[5] + (uint64_t)(c >> 64);
    }
    sc v = {{t[0], t[1], t[2], t[3]}};
    sc_final_sub(r, &v, t[4]);
}

static inline void sc_sqr(sc *r, const sc *a) { sc_mul(r, a, a); }

static inline void sc_from_u64(sc *r, uint64_t v) {
    sc plain = {{v, 0, 0, 0}};
    sc_mul(r, &plain, &SC_R2);
}

static int sc_from_be(sc *r, const unsigned char in[32]) {
    sc plain, ignored;
    for (int i = 0; i < 4; i++) {
        uint64_t limb = 0;
        for (int b = 0; b < 8; b++) limb = (limb << 8) | in[32 - 8 * (i + 1) + b];
        plain.d[i] = limb;
    }
    if (!sc_sub_raw(&ignored, &plain, &SC_N)) return 0;   /* no borrow: plain ≥ n */
    sc_mul(r, &plain, &SC_R2);
    return 1;
}

static void sc_to_be(unsigned char out[32], const sc *a) {
    static const sc one_plain = {{1, 0, 0, 0}};
    sc plain;
    sc_mul(&plain, a, &one_plain);
    for (int i = 0; i < 4; i++)
        for (int b = 0; b < 8; b++) out[32 - 8 * (i + 1) + b] = (unsigned char)(plain.d[i] >> (56 - 8 * b));
}

/* Left-to-right square and multiply; variable-time in e (public exponents only). */
static void sc_pow(sc *r, const sc *a, const uint64_t e[4]) {
    sc acc = SC_ONE, base = *a;
    for (int i = 255; i >= 0; i--) {
        sc_sqr(&acc, &acc);
        if ((e[i / 64] >> (i % 64)) & 1) sc_mul(&acc, &acc, &base);
    }
    *r = acc;
}

static void sc_inv(sc *r, const sc *a) { sc_pow(r, a, SC_N_MINUS_2); }

static int sc_batch_inv(sc *out, const sc *in, size_t count, sc *prefix) {
    sc acc = SC_ONE, inv;
    for (size_t i = 0; i < count; i++) {
        if (sc_is_zero(&in[i])) return 0;
        prefix[i] = acc;
        sc_mul(&acc, &acc, &in[i]);
    }
    sc_inv(&inv, &acc);
    for (size_t i = count; i-- > 0;) {
        sc x = in[i];                 /* read before out[i] may overwrite it (aliasing) */
        sc_mul(&out[i], &prefix[i], &inv);
        sc_mul(&inv, &inv, &x);
    }
    return 1;
}

static void sc_powers(sc *out, const sc *base, size_t count) {
    sc acc = SC_ONE;
    for (size_t i = 0; i < count; i++) {
        out[i] = acc;
        sc_mul(&acc, &acc, base);
    }
}

static void sc_inner(sc *r, const sc *a, const sc *b, size_t count) {
    sc acc = SC_ZERO, t;
    for (size_t i = 0; i < count; i++) {
        sc_mul(&t, &a[i], &b[i]);
        sc_add(&acc, &acc, &t);
    }
    *r = acc;
}

/* ---- exported for the tests: plain big-endian integers in and out ------------------- */

/* op: 0 add, 1 sub, 2 mul, 3 neg, 4 inv (0 ↦ 0), 5 pow (b is the plain exponent, any
 * 256-bit value). Returns 0 if an operand that is a scalar is ≥ n, else 1. */
int zk_sc_op(int op, const unsigned char *a, const unsigned char *b, unsigned char *out) {
    sc x, y, r;
    if (!sc_from_be(&x, a)) return 0;
    if (op == 5) {
        uint64_t e[4];
        for (int i = 0; i < 4; i++) {
            e[i] = 0;
            for (int k = 0; k < 8; k++) e[i] = (e[i] << 8) | b[32 - 8 * (i + 1) + k];
        }
        sc_pow(&r, &x, e);
    } else if (op == 3 || op == 4) {
        if (op == 3) sc_neg(&r, &x); else sc_inv(&r, &x);
    } else {
        if (!sc_from_be(&y, b)) return 0;
        if (op == 0) sc_add(&r, &x, &y);
        else if (op == 1) sc_sub(&r, &x, &y);
        else sc_mul(&r, &x, &y);
    }
    sc_to_be(out, &r);
    return 1;
}

/* Loads `count` big-endian scalars into a new array; NULL if one is ≥ n or no memory
 * (*bad set to 1 for the former). */
static sc *sc_load_all(const unsigned char *in, size_t count, int *bad) {
    sc *v = malloc((count ? count : 1) * sizeof *v);
    *bad = 0;
    if (!v) return NULL;
    for (size_t i = 0; i < count; i++)
        if (!sc_from_be(&v[i], in + 32 * i)) { free(v); *bad = 1; return NULL; }
    return v;
}

static void sc_store_all(unsigned char *out, const sc *v, size_t count) {
    for (size_t i = 0; i < count; i++) sc_to_be(out + 32 * i, &v[i]);
}

/* Returns 1, or 0 if an input is ≥ n or ≡ 0, −1 on no memory. */
int zk_sc_batch_inv(const unsigned char *in, size_t count, unsigned char *out) {
    int bad, ok;
    sc *v = sc_load_all(in, count, &bad);
    if (!v) return bad ? 0 : -1;
    sc *prefix = malloc((count ? count : 1) * sizeof *prefix);
    if (!prefix) { free(v); return -1; }
    ok = sc_batch_inv(v, v, count, prefix);
    if (ok) sc_store_all(out, v, count);
    free(prefix);
    free(v);
    return ok;
}

/* out[i] = base^i, i < count. Returns 1, 0 if base ≥ n, −1 on no memory. */
int zk_sc_powers(const unsigned char *base, size_t count, unsigned char *out) {
    sc b;
    if (!sc_from_be(&b, base)) return 0;
    sc *v = malloc((count ? count : 1) * sizeof *v);
    if (!v) return -1;
    sc_powers(v, &b, count);
    sc_store_all(out, v, count);
    free(v);
    return 1;
}

/* out = Σ a[i]·b[i]. Returns 1, 0 if an input is ≥ n, −1 on no memory. */
int zk_sc_inner(const unsigned char *a, const unsigned char *b, size_t count, unsigned char *out) {
    int bad_a = 0, bad_b = 0;
    sc r, *x = sc_load_all(a, count, &bad_a), *y = x ? sc_load_all(b, count, &bad_b) : NULL;
    if (!x || !y) { free(x); return (bad_a || (x && bad_b)) ? 0 : -1; }
    sc_inner(&r, x, y, count);
    sc_to_be(out, &r);
    free(x);
    free(y);
    return 1;
}

#endif
