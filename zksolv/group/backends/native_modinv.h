/* A variable-time inversion mod p by Bernstein–Yang divsteps (SPEC.md §2.3: the fold's
 * points and challenges are public, so the affine ladders' one inversion a step may take
 * time that depends on its input).
 *
 * Included by native.c after the scalar field elements (fe, fe_mul, fe_normalize).
 * Bernstein & Yang, "Fast constant-time gcd computation and modular inversion" (2019),
 * with the variable-time shortcut of their §11 written out here: a divstep is
 *     δ > 0 and g odd:  (δ, f, g) → (1 − δ, g, (g − f)/2)
 *     g odd otherwise:  (δ, f, g) → (1 + δ, f, (g + f)/2)
 *     g even:           (δ, f, g) → (1 + δ, f, g/2).
 * Starting from (1, p, x) the steps reach g = 0 with f = ±gcd = ±1 in at most
 * ⌊(49·256 + 57)/17⌋ = 741 steps. They run in batches of 62 on the low 64 bits of f and g
 * only, giving a 2×2 matrix T (entries |·| ≤ 2^62) with 2^62·(f', g') = T·(f, g); T is then
 * applied to the full f, g, and to d, e with f ≡ d·x, g ≡ e·x (mod p), so at the end
 * 1/x = ±d. Within a batch, runs of g-even steps go at once (count trailing zeros), and up
 * to six steps without a swap at once (g += w·f with w = −g/f mod 2^k).
 *
 * Numbers are five signed 62-bit limbs, Σ v_i·2^(62·i): v_0..v_3 in [0, 2^62) once carried,
 * v_4 signed. Only for public inputs: the time depends on x.
 */

/* ---- Bernstein–Yang divsteps ------------------------------------------------------- */

#define M62 0x3FFFFFFFFFFFFFFFULL

typedef struct { int64_t v[5]; } modinv_num;

/* 2^62·(f', g') = (u·f + v·g, q·f + r·g) after a batch. */
typedef struct { int64_t u, v, q, r; } modinv_matrix;

/* p = 2^256 − 2^32 − 977 in the limbs above, and p^(−1) mod 2^62. */
static const modinv_num MODINV_P = {{0x3FFFFFFEFFFFFC2FLL, 0x3FFFFFFFFFFFFFFFLL,
                                     0x3FFFFFFFFFFFFFFFLL, 0x3FFFFFFFFFFFFFFFLL, 0xFF}};
#define MODINV_P_INV62 0x27C7F6E22DDACACFULL

/* Batches before giving up on the divsteps (they need 12 at most: 741 / 62); a spent
 * budget falls back to fe_inv (Fermat), so the result is right whatever happens. */
enum { MODINV_BATCHES_MAX = 16 };

/* The low 64 bits of a (limbs carried). */
static inline uint64_t modinv_low64(const modinv_num *a) {
    return (uint64_t)a->v[0] | ((uint64_t)a->v[1] << 62);
}

/* 62 divsteps from η = −δ on the low bits of f (odd) and g; T into *t, returns the new η.
 * Invariant: 2^(62−i)·(f, g) = T·(f₀, g₀) with i steps left; the bits of f and g that the
 * next steps look at are right (64 − (62 − i) of them known, at most i needed). */
static int64_t modinv_divsteps62(int64_t eta, uint64_t f, uint64_t g, modinv_matrix *t) {
    uint64_t u = 1, v = 0, q = 0, r = 1;
    int i = 62;
    for (;;) {
        /* g even: g/2 and δ + 1 for each trailing zero (scaling f's row instead) */
        int zeros = __builtin_ctzll(g | (~0ULL << i));
        g >>= zeros; u <<= zeros; v <<= zeros;
        eta -= zeros; i -= zeros;
        if (i == 0) break;
        if (eta < 0) {   /* δ > 0, g odd: (f, g) ← (g, −f), δ ← −δ; the step's (g+f)/2 next */
            uint64_t x;
            eta = -eta;
            x = f; f = g; g = -x;
            x = u; u = q; q = -x;
            x = v; v = r; r = -x;
        }
        /* δ ≤ 0 for the next η + 1 steps: none swaps, each adds f if g is odd; k of them
         * make g + w·f with w ≡ −g/f (mod 2^k), 1/f ≡ f·(2 − f²) (mod 2^6) for odd f */
        int k = (int)(eta + 1 < i ? eta + 1 : i);
        if (k > 6) k = 6;
        uint64_t w = (f * g * (f * f - 2)) & (~0ULL >> (64 - k));
        g += f * w; q += u * w; r += v * w;
    }
    t->u = (int64_t)u; t->v = (int64_t)v; t->q = (int64_t)q; t->r = (int64_t)r;
    return eta;
}

/* (f, g) ← T·(f, g)/2^62, exact: the low 62 bits are zero by the choice of T. */
static void modinv_update_fg(modinv_num *f, modinv_num *g, const modinv_matrix *t) {
    __int128 cf = (__int128)t->u * f->v[0] + (__int128)t->v * g->v[0];
    __int128 cg = (__int128)t->q * f->v[0] + (__int128)t->r * g->v[0];
    cf >>= 62; cg >>= 62;
    for (int i = 1; i < 5; i++) {
        cf += (__int128)t->u * f->v[i] + (__int128)t->v * g->v[i];
        cg += (__int128)t->q * f->v[i] + (__int128)t->r * g->v[i];
        f->v[i - 1] = (int64_t)((uint64_t)cf & M62);
        g->v[i - 1] = (int64_t)((uint64_t)cg & M62);
        cf >>= 62; cg >>= 62;
    }
    f->v[4] = (int64_t)cf; g->v[4] = (int64_t)cg;
}

/* (d, e) ← T·(d, e)/2^62 mod p: m·p added first (m ∈ [0, 2^62), m ≡ −(T·d)/p mod 2^62) so
 * that the division is exact. |d|, |e| grow by less than p a batch: below 17p < 2^261 within
 * MODINV_BATCHES_MAX, so every limb sum stays below 2^127. */
static void modinv_update_de(modinv_num *d, modinv_num *e, const modinv_matrix *t) {
    __int128 cd = (__int128)t->u * d->v[0] + (__int128)t->v * e->v[0];
    __int128 ce = (__int128)t->q * d->v[0] + (__int128)t->r * e->v[0];
    uint64_t md = (0 - (uint64_t)cd * MODINV_P_INV62) & M62;
    uint64_t me = (0 - (uint64_t)ce * MODINV_P_INV62) & M62;
    cd += (__int128)md * MODINV_P.v[0];
    ce += (__int128)me * MODINV_P.v[0];
    cd >>= 62; ce >>= 62;
    for (int i = 1; i < 5; i++) {
        cd += (__int128)t->u * d->v[i] + (__int128)t->v * e->v[i] + (__int128)md * MODINV_P.v[i];
        ce += (__int128)t->q * d->v[i] + (__int128)t->r * e->v[i] + (__int128)me * MODINV_P.v[i];
        d->v[i - 1] = (int64_t)((uint64_t)cd & M62);
        e->v[i - 1] = (int64_t)((uint64_t)ce & M62);
        cd >>= 62; ce >>= 62;
    }
    d->v[4] = (int64_t)cd; e->v[4] = (int64_t)ce;
}

static int modinv_is_zero(const modinv_num *a) {
    return (a->v[0] | a->v[1] | a->v[2] | a->v[3] | a->v[4]) == 0;
}

/* A normalized fe (below p, 52-bit limbs) as limbs of 62 bits. */
static void modinv_from_fe(modinv_num *r, const fe *a) {
    const uint64_t *n = a->n;
    r->v[0] = (int64_t)((n[0] | n[1] << 52) & M62);
    r->v[1] = (int64_t)((n[1] >> 10 | n[2] << 42) & M62);
    r->v[2] = (int64_t)((n[2] >> 20 | n[3] << 32) & M62);
    r->v[3] = (int64_t)((n[3] >> 30 | n[4] << 22) & M62);
    r->v[4] = (int64_t)(n[4] >> 40);
}

/* ±d mod p as an fe (loose), d carried: d = L + h·2^248 with L < 2^248; the low 8 bits of h
 * stay in place, the rest folds as 2^256 ≡ R256, |h| < 2^14 here. */
static void modinv_to_fe(fe *r, const modinv_num *d, int negate) {
    const uint64_t *v = (const uint64_t *)d->v;
    int64_t top = d->v[4] >> 8;
    fe low = {{v[0] & M52, (v[0] >> 52 | v[1] << 10) & M52, (v[1] >> 42 | v[2] << 20) & M52,
               (v[2] >> 32 | v[3] << 30) & M52, v[3] >> 22 | (v[4] & 0xFF) << 40}};
    fe fold = {{(uint64_t)(top < 0 ? -top : top) * R256, 0, 0, 0, 0}};
    if (top < 0) fe_sub(r, &low, &fold);
    else fe_add(r, &low, &fold);
    if (negate) fe_neg(r, r);
}

/* r·x = 1, or both 0: one multiplication that keeps a wrong inverse from ever leaving
 * fe_inv_var (it then takes fe_inv, Fermat), whatever a slip in the steps above. */
static int modinv_checks(const fe *r, const fe *x) {
    fe product;
    if (fe_is_zero(x)) return fe_is_zero(r);
    fe_mul(&product, r, x);
    return fe_equal(&product, &FE_ONE);
}

/* 1/a (0 for 0) in variable time, the value fe_inv gives; a loose. */
static void fe_inv_var(fe *r, const fe *a) {
    fe x = *a;
    fe_normalize(&x);
    modinv_num f = MODINV_P, g, d = {{0}}, e = {{1}};
    modinv_from_fe(&g, &x);
    int64_t eta = -1;   /* δ = 1 */
    for (int batch = 0; batch < MODINV_BATCHES_MAX; batch++) {
        modinv_matrix t;
        eta = modinv_divsteps62(eta, modinv_low64(&f), modinv_low64(&g), &t);
        modinv_update_de(&d, &e, &t);
        modinv_update_fg(&f, &g, &t);
        if (modinv_is_zero(&g)) {
            modinv_to_fe(r, &d, f.v[4] < 0);   /* f = ±1 (or p for a = 0, with d = 0) */
            if (modinv_checks(r, &x)) return;
            break;
        }
    }
    fe_inv(r, &x);
}
