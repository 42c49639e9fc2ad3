/* The public MSM over points whose window multiples are kept (SPEC.md §2.3): the
 * inner-product argument's first two rounds, whose L and R are over the original G, H and U
 * of a proof size (bench/RESULTS.md, "The inner-product argument's public MSMs"; "The kept
 * MSM's lanes own buckets").
 *
 * Included by native.c after native_msm8.h and native_msm_runs.h. For every point P_k the
 * table holds 2^(c·j)·P_k for the KEPT_WINDOWS windows j, affine: entry (q, j) is eight
 * points' multiples, point 8q + i as the cache line at 8·i: x then y, each as four 64-bit
 * words (the sorted-run fill loads one point's line at a time, the tables aligned to a line
 * inside their buffer). All windows then share one set of buckets and nothing doubles:
 * Σ_k k_k·P_k = Σ_k Σ_j d_kj·(2^(c·j)·P_k). Lane i of the fill owns the buckets b ≡ i
 * (mod 8) (native_msm_runs.h), so the bucket sums at the end are an eighth of what a whole
 * bucket set a lane cost, and c = 13 (20 windows) pays where c = 10 (26) did before; 11, 12
 * and 14 measured slower than 13 on 4,097 and 8,193 terms (ZK_KEPT_C builds another).
 *
 * Variable-time: public points and scalars only.
 */

#ifndef ZK_KEPT_C
#define ZK_KEPT_C 13
#endif
enum { KEPT_C = ZK_KEPT_C, KEPT_WINDOWS = 256 / KEPT_C + 1, KEPT_QWORDS = 64 };   /* (x, y × 4 words) × 8 */
_Static_assert(KEPT_C >= 4 && KEPT_C <= 15, "eight lanes of buckets; digits fit int16_t");

/* Bytes of the tables of n points. */
size_t zk_msm_kept_bytes(size_t n) {
    return (n + 7) / 8 * KEPT_WINDOWS * KEPT_QWORDS * sizeof(uint64_t) + 64;
}

/* The tables start at the first cache line of their buffer: a lane's point is one line. */
static uint64_t *kept_lines(const uint64_t *buffer) {
    return (uint64_t *)(((uintptr_t)buffer + 63) & ~(uintptr_t)63);
}

/* Point k's window multiples, affine, into lane k % 8 of its group's entries (fe's 52-bit
 * limbs repacked as 64-bit words by fe_limbs_to_words; runs_unpack undoes it). */
static void kept_point(uint64_t *tables, size_t k, const ge *p, gej *jt, ge *aff, fe *prefix) {
    gej_set_ge(&jt[0], p);
    for (unsigned j = 1; j < KEPT_WINDOWS; j++) {
        jt[j] = jt[j - 1];
        for (unsigned s = 0; s < KEPT_C; s++) gej_double(&jt[j], &jt[j]);
    }
    gej_to_ge_batch(aff, jt, KEPT_WINDOWS, prefix);
    for (unsigned j = 0; j < KEPT_WINDOWS; j++) {
        fe x = aff[j].x, y = aff[j].y;
        fe_normalize(&x);
        fe_normalize(&y);
        uint64_t *at = tables + ((k / 8) * KEPT_WINDOWS + j) * KEPT_QWORDS + 8 * (k % 8);
        fe_limbs_to_words(at, &x);
        fe_limbs_to_words(at + 4, &y);
    }
}

/* The tables of n points (64 bytes each, x ‖ y on the curve, as zk_msm takes them) into
 * `tables` (zk_msm_kept_bytes(n) bytes). Returns 0. */
int zk_msm_kept_tables(const unsigned char *points, size_t n, uint64_t *tables) {
    memset(tables, 0, zk_msm_kept_bytes(n));
    tables = kept_lines(tables);
    gej jt[KEPT_WINDOWS];
    ge aff[KEPT_WINDOWS];
    fe prefix[KEPT_WINDOWS];
    for (size_t k = 0; k < n; k++) {
        ge p;
        ge_from_bytes(&p, points + 64 * k);
        kept_point(tables, k, &p, jt, aff, prefix);
    }
    return 0;
}

#if ZK_HAVE_IFMA
/* Each lane's two sums over its local buckets B_k (k < per_lane), as running sums:
 * weighted[i] = Σ_k (k + 1)·B_ik and total[i] = Σ_k B_ik. */
IFMA_FN void kept_lane_sums(gej weighted[8], gej total[8], const uint64_t *buckets,
                            unsigned per_lane) {
    gej8 window, running;
    bucket8_running_sums(&window, &running, buckets, per_lane);
    gej8_store_lanes(weighted, &window);
    gej8_store_lanes(total, &running);
}

/* Σ_b b·B_b from the lanes' sums: lane i's local bucket k is bucket b = 8k + i + 1 =
 * 8(k + 1) − (7 − i), so the MSM is 8·Σ_i weighted[i] − Σ_i (7 − i)·total[i]; the second
 * sum as running sums of total[0..6]. */
static void kept_combine(gej *acc, const gej weighted[8], const gej total[8]) {
    gej w, t, running;
    gej_set_inf(&w);
    gej_set_inf(&t);
    gej_set_inf(&running);
    for (int i = 0; i < 8; i++) gej_add(&w, &w, &weighted[i]);
    for (int s = 0; s < 3; s++) gej_double(&w, &w);
    for (int i = 0; i < 7; i++) {
        gej_add(&running, &running, &total[i]);
        gej_add(&t, &t, &running);
    }
    fe_neg(&t.y, &t.y);
    gej_add(acc, &w, &t);
}
#endif

/* Σ k_i·P_i for the n points whose tables are at `tables` and n big-endian 32-byte scalars
 * (below n; zeros cost almost nothing, eight at a time). Writes as zk_msm; returns −1 on
 * no memory, −2 where the CPU has no IFMA lanes (or they are off): use zk_msm there. */
int zk_msm_kept(const uint64_t *tables, size_t n, const unsigned char *scalars,
                unsigned char *out) {
#if ZK_HAVE_IFMA
    if (!simd_on()) return -2;
    size_t slots = (n + 7) / 8 * KEPT_WINDOWS;
    unsigned half = 1u << (KEPT_C - 1), per_lane = half / 8;   /* lane i: buckets ≡ i mod 8 */
    unsigned char *room = scratch_get(carved(8 * slots, sizeof(int16_t))
                                      + carved(per_lane + 1, BUCKET_QWORDS * sizeof(uint64_t))
                                      + runs_room_bytes(slots, half));
    if (!room) return -1;
    unsigned char *cursor = room;
    int16_t *digits = carve(&cursor, 8 * slots, sizeof(int16_t));
    uint64_t *buckets = carve(&cursor, per_lane + 1, BUCKET_QWORDS * sizeof(uint64_t));
    memset(digits, 0, 8 * slots * sizeof(int16_t));
    memset(buckets, 0, (per_lane + 1) * BUCKET_QWORDS * sizeof(uint64_t));
    static const unsigned char zero[32];
    for (size_t k = 0; k < n; k++) {
        if (!memcmp(scalars + 32 * k, zero, 32)) continue;   /* its digits stay 0 */
        int d[KEPT_WINDOWS];
        signed_digits(d, scalars + 32 * k, KEPT_C, KEPT_WINDOWS);
        for (unsigned j = 0; j < KEPT_WINDOWS; j++)
            digits[((k / 8) * KEPT_WINDOWS + j) * 8 + k % 8] = (int16_t)d[j];
    }
    const run_layout lay = {KEPT_QWORDS, 8};   /* slot = entry; its point j's line at 8·j */
    int status = runs_fill(buckets, half, kept_lines(tables), digits, slots, &lay, cursor);
    gej weighted[8], total[8], acc;
    if (!status) {
        kept_lane_sums(weighted, total, buckets, per_lane);
        kept_combine(&acc, weighted, total);
    }
    scratch_put(room);
    return status ? status : gej_write(out, &acc);
#else
    (void)tables; (void)n; (void)scalars; (void)out;
    return -2;
#endif
}
