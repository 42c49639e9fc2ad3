/* Constant-time check of the range prover's scalar work in the kernel (native_prove.h;
 * SPEC.md §2.3), as ctime.c checks A and S: run under valgrind's memcheck by
 * tests/test_ctime_prove.py, with the secrets marked undefined, so that any branch or memory
 * address that depends on them is reported.
 *
 *     prove_ctime KERNEL.so INPUT [vartime]
 *
 * INPUT holds, in order (u32 little-endian sizes, scalars 32 bytes big-endian):
 *   u32 keylen, the nonce key (secret), u32 nbits, u32 m, m values of nbits/8 bytes
 *   little-endian (secret), y, z, x, w, y⁻¹, then for each of the log2(nbits·m) rounds of the
 *   inner-product argument g, h, u, u⁻¹ (public), then 64 bytes (secret) for the wide load,
 *   then u32 npts and npts points (64 bytes x ‖ y) for S over kept tables, then u32 npairs.
 * The secret run: the nonces s_L ‖ s_R from the key's HMAC stream (counter 0), l(X), r(X),
 * t1, t2, l, r, t_x, every round's MSM scalars and folds, the final a and b (twice: their
 * vector steps on the portable lane words of native_ctsc8.h, then the kernel's choice, one
 * at a time under valgrind), and the wide load. Output on stdout (each declassified first,
 * as it is published or goes to an MSM):
 *   nonces' status (1 byte), twice: t1 ‖ t2, t_x, each round's L and R scalars, a, b; then
 *   the wide load's status (1 byte) and value, then Σ s_i·P_i over the points' kept tables
 *   (zk_msm_secret_tabled, the first npts nonces as scalars): status (1 byte) and point,
 *   then the same sum on the portable lane words (zk_msm_secret_tabled_lanes, native_ct8.h),
 *   then npairs sums s_2i·P_0 + s_2i+1·P_1 (the V_j's form) over P_0's and P_1's comb tables
 *   (zk_pairs_secret_comb, native_ct8.h) on the portable lane words, then on the one-lane
 *   path: status (1 byte) and npairs points, each; then the
 *   first NONCE_LANES nonces again on the portable lane words (zk_pv_nonces_lanes,
 *   native_sha8.h): status (1 byte) and the nonces, then A over the points' kept tables
 *   (zk_bits_commit_tabled, B = P_0, G = P_1 … P_8b, H = P_8b+1 … P_16b, the first b bytes of
 *   the values as b values of 8 bits, α the first nonce) on the portable lane words, then on
 *   the one-lane path: status (1 byte) and point, each.
 * With "vartime" the nonces go through the variable-time zk_msm instead (the canary).
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <valgrind/memcheck.h>

typedef int (*nonces_fn)(const unsigned char *, size_t, uint64_t, size_t, void *);
typedef int (*powers_fn)(const unsigned char *, size_t, void *);
typedef int (*poly_fn)(const unsigned char *, size_t, size_t, const void *, const void *,
                       const unsigned char *, void *, void *, void *, unsigned char *);
typedef int (*eval_fn)(const void *, const void *, const unsigned char *, size_t, void *);
typedef int (*inner_fn)(const void *, const void *, size_t, unsigned char *);
typedef int (*round_fn)(const void *, const void *, size_t, const void *, const unsigned char *,
                        const unsigned char *, const unsigned char *, unsigned char *,
                        unsigned char *);
typedef int (*fold_fn)(void *, void *, size_t, const unsigned char *, const unsigned char *);
typedef int (*store_fn)(const void *, size_t, unsigned char *);
typedef int (*wide_fn)(const unsigned char *, size_t, void *);
typedef int (*msm_fn)(const unsigned char *, const unsigned char *, size_t, unsigned char *);
typedef int (*poly_lanes_fn)(const unsigned char *, size_t, size_t, const void *, const void *,
                             const unsigned char *, void *, void *, void *, unsigned char *, int);
typedef int (*eval_lanes_fn)(const void *, const void *, const unsigned char *, size_t, void *,
                             int);
typedef int (*inner_lanes_fn)(const void *, const void *, size_t, unsigned char *, int);
typedef int (*round_lanes_fn)(const void *, const void *, size_t, const void *,
                              const unsigned char *, const unsigned char *, const unsigned char *,
                              unsigned char *, unsigned char *, int);
typedef int (*fold_lanes_fn)(void *, void *, size_t, const unsigned char *, const unsigned char *,
                             int);

static unsigned char *input, *input_end, *cursor;

static unsigned char *take(size_t bytes) {
    if ((size_t)(input_end - cursor) < bytes) { fprintf(stderr, "prove_ctime: input too short\n"); exit(2); }
    cursor += bytes;
    return cursor - bytes;
}

static uint32_t take_u32(void) {
    uint32_t v;
    memcpy(&v, take(4), 4);
    return v;
}

static void slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) { fprintf(stderr, "prove_ctime: cannot open %s\n", path); exit(2); }
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    input = malloc(len > 0 ? (size_t)len : 1);
    if (!input || fread(input, 1, (size_t)len, f) != (size_t)len) exit(2);
    fclose(f);
    cursor = input;
    input_end = input + len;
}

/* Write bytes that are published (or handed to an MSM) from here on: declassified. */
static void emit(void *data, size_t bytes) {
    VALGRIND_MAKE_MEM_DEFINED(data, bytes);
    fwrite(data, 1, bytes, stdout);
}

static void emit_status(int status) {
    unsigned char b = (unsigned char)status;
    emit(&b, 1);
}

static void *sym(void *kernel, const char *name) {
    void *f = dlsym(kernel, name);
    if (!f) { fprintf(stderr, "prove_ctime: kernel lacks %s\n", name); exit(2); }
    return f;
}

/* The canary: the secret nonces as scalars of the variable-time MSM over copies of G. */
static void canary(void *kernel, const void *s, size_t count) {
    static const unsigned char gx[32] = {0x79, 0xBE, 0x66, 0x7E, 0xF9, 0xDC, 0xBB, 0xAC, 0x55, 0xA0, 0x62, 0x95, 0xCE, 0x87, 0x0B, 0x07, 0x02, 0x9B, 0xFC, 0xDB, 0x2D, 0xCE, 0x28, 0xD9, 0x59, 0xF2, 0x81, 0x5B, 0x16, 0xF8, 0x17, 0x98};
    static const unsigned char gy[32] = {0x48, 0x3A, 0xDA, 0x77, 0x26, 0xA3, 0xC4, 0x65, 0x5D, 0xA4, 0xFB, 0xFC, 0x0E, 0x11, 0x08, 0xA8, 0xFD, 0x17, 0xB4, 0x48, 0xA6, 0x85, 0x54, 0x19, 0x9C, 0x47, 0xD0, 0x8F, 0xFB, 0x10, 0xD4, 0xB8};
    unsigned char *points = malloc(64 * count), *scalars = malloc(32 * count), out[64];
    for (size_t i = 0; i < count; i++) { memcpy(points + 64 * i, gx, 32); memcpy(points + 64 * i + 32, gy, 32); }
    ((store_fn)sym(kernel, "zk_pv_store"))(s, count, scalars);
    emit_status(((msm_fn)sym(kernel, "zk_msm"))(points, scalars, count, out));
    emit(out, 64);
    free(points);
    free(scalars);
}

/* l(X), r(X), t1, t2, l, r, t_x, every round's MSM scalars and folds, the final a and b
 * (native_prove.h), with the vector steps on lane set `lanes` (zk_pv_*_lanes: 0 the portable
 * lane words of native_ctsc8.h, the IFMA lanes' algorithm; −1 the kernel's choice). */
static void scalar_work(void *kernel, int lanes, const unsigned char *values, uint32_t nbits,
                        uint32_t m, const uint64_t *s, const unsigned char *y,
                        const unsigned char *z, const unsigned char *x, const unsigned char *w,
                        const unsigned char *y_inv) {
    size_t count = (size_t)nbits * m;
    uint64_t *ypow = malloc(32 * count), *l0 = malloc(32 * count), *r0 = malloc(32 * count),
             *r1 = malloc(32 * count), *l = malloc(32 * count), *r = malloc(32 * count),
             *yinv = malloc(32 * count);
    unsigned char t[64], out32[32];
    ((powers_fn)sym(kernel, "zk_pv_powers"))(y, count, ypow);
    ((poly_lanes_fn)sym(kernel, "zk_pv_poly_lanes"))(values, nbits, m, s, ypow, z, l0, r0, r1, t,
                                                    lanes);
    emit(t, 64);
    eval_lanes_fn eval = (eval_lanes_fn)sym(kernel, "zk_pv_eval_lanes");
    eval(l0, s, x, count, l, lanes);
    eval(r0, r1, x, count, r, lanes);
    ((inner_lanes_fn)sym(kernel, "zk_pv_inner_lanes"))(l, r, count, out32, lanes);
    emit(out32, 32);

    ((powers_fn)sym(kernel, "zk_pv_powers"))(y_inv, count, yinv);
    unsigned char *lo = malloc(32 * (count + 1)), *hi = malloc(32 * (count + 1));
    for (size_t half = count / 2; half >= 1; half /= 2) {
        unsigned char *g = take(32), *h = take(32), *u = take(32), *ui = take(32);
        ((round_lanes_fn)sym(kernel, "zk_pv_ipa_round_lanes"))(l, r, half, yinv, g, h, w, lo, hi,
                                                              lanes);
        emit(lo, 32 * (2 * half + 1));
        emit(hi, 32 * (2 * half + 1));
        ((fold_lanes_fn)sym(kernel, "zk_pv_ipa_fold_lanes"))(l, r, half, u, ui, lanes);
    }
    store_fn store = (store_fn)sym(kernel, "zk_pv_store");
    store(l, 1, out32);
    emit(out32, 32);
    store(r, 1, out32);
    emit(out32, 32);
    free(ypow); free(l0); free(r0); free(r1); free(l); free(r); free(yinv); free(lo); free(hi);
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: prove_ctime KERNEL.so INPUT [vartime]\n"); return 2; }
    void *kernel = dlopen(argv[1], RTLD_NOW);
    if (!kernel) { fprintf(stderr, "prove_ctime: cannot load %s\n", argv[1]); return 2; }
    slurp(argv[2]);
    uint32_t keylen = take_u32();
    unsigned char *key = take(keylen);
    uint32_t nbits = take_u32(), m = take_u32();
    size_t count = (size_t)nbits * m;
    unsigned char *values = take((size_t)nbits / 8 * m);
    unsigned char *y = take(32), *z = take(32), *x = take(32), *w = take(32), *y_inv = take(32);
    VALGRIND_MAKE_MEM_UNDEFINED(key, keylen);
    VALGRIND_MAKE_MEM_UNDEFINED(values, (size_t)nbits / 8 * m);

    uint64_t *s = malloc(64 * count);
    emit_status(((nonces_fn)sym(kernel, "zk_pv_nonces"))(key, keylen, 0, 2 * count, s));
    if (argc > 3 && strcmp(argv[3], "vartime") == 0) { canary(kernel, s, 16); return 0; }
    unsigned char out32[32];
    store_fn store = (store_fn)sym(kernel, "zk_pv_store");
    unsigned char *rounds = cursor;   /* each pass reads the rounds' public factors */
    for (int lanes = 0; lanes >= -1; lanes--) {   /* −1 under valgrind: no IFMA, one at a time */
        cursor = rounds;
        scalar_work(kernel, lanes, values, nbits, m, s, y, z, x, w, y_inv);
    }
    unsigned char *wide = take(64);
    uint64_t one[4];
    VALGRIND_MAKE_MEM_UNDEFINED(wide, 64);
    emit_status(((wide_fn)sym(kernel, "zk_pv_load_wide"))(wide, 1, one));
    store(one, 1, out32);
    emit(out32, 32);
    uint32_t npts = take_u32();   /* S over kept tables: the first npts nonces as scalars */
    unsigned char *points = take(64 * (size_t)npts), *scalars = malloc(32 * (size_t)npts), point[64];
    uint64_t *tables = malloc(((size_t (*)(size_t))sym(kernel, "zk_ct_tables_bytes"))(npts));
    ((int (*)(const unsigned char *, size_t, void *))sym(kernel, "zk_ct_tables"))(points, npts, tables);
    /* out of the form on the portable lane words (zk_pv_store_lanes, native_ctsc8.h) */
    ((int (*)(const void *, size_t, unsigned char *, int))sym(kernel, "zk_pv_store_lanes"))(
        s, npts, scalars, 0);
    emit_status(((int (*)(const void *, const unsigned char *, size_t, unsigned char *))
                 sym(kernel, "zk_msm_secret_tabled"))(tables, scalars, npts, point));
    emit(point, 64);
    /* the same on the portable lane words (native_ct8.h: the IFMA lanes' algorithm) */
    emit_status(((int (*)(const void *, const unsigned char *, size_t, unsigned char *, int))
                 sym(kernel, "zk_msm_secret_tabled_lanes"))(tables, scalars, npts, point, 0));
    emit(point, 64);
    uint32_t npairs = take_u32();
    unsigned char *pairs = malloc(64 * (size_t)npairs), *sums = malloc(64 * (size_t)npairs);
    store(s, 2 * (size_t)npairs, pairs);
    void *comb = malloc(((size_t (*)(void))sym(kernel, "zk_comb_tables_bytes"))());
    ((int (*)(const unsigned char *, void *))sym(kernel, "zk_comb_tables"))(points, comb);
    for (int lanes = 0; lanes >= -1; lanes--) {   /* −1 under valgrind: no IFMA, one lane */
        emit_status(((int (*)(const void *, const unsigned char *, size_t, unsigned char *, int))
                     sym(kernel, "zk_pairs_secret_comb"))(comb, pairs, npairs, sums, lanes));
        emit(sums, 64 * (size_t)npairs);
    }
    enum { NONCE_LANES = 17 };   /* two batches of eight counters and one alone */
    uint64_t again[4 * NONCE_LANES];
    unsigned char nonces[32 * NONCE_LANES];
    emit_status(((int (*)(const unsigned char *, size_t, uint64_t, size_t, void *, int))
                 sym(kernel, "zk_pv_nonces_lanes"))(key, keylen, 0, NONCE_LANES, again, 0));
    store(again, NONCE_LANES, nonces);
    emit(nonces, sizeof nonces);
    size_t bytes = (npts - 1) / 16, value_bytes = (size_t)nbits / 8 * m;
    if (bytes > value_bytes) bytes = value_bytes;
    unsigned char alpha[32];
    store(s, 1, alpha);   /* stays undefined: the store copies the secret */
    for (int lanes = 0; lanes >= -1; lanes--) {
        emit_status(((int (*)(const void *, const unsigned char *, const unsigned char *, size_t,
                              size_t, unsigned char *, int))
                     sym(kernel, "zk_bits_commit_tabled"))(tables, alpha, values, 8, bytes,
                                                           point, lanes));
        emit(point, 64);
    }
    if (cursor != input_end) { fprintf(stderr, "prove_ctime: input too long\n"); return 2; }
    return 0;
}
