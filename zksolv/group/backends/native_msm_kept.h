/* The public MSM over points whose window multiples are kept (SPEC.md §2.3): the
 * inner-product argument's first two rounds, whose L and R are over the original G, H and U
 * of a proof size (bench/RESULTS.md, "The inner-product argument's public MSMs").
 *
 * Included by native.c after native_msm8.h. For every point P_k the table holds
 * 2^(c·j)·P_k for the KEPT_WINDOWS windows j, affine, in lane order: entry (q, j) is eight
 * points' multiples, point 8q + i in lane i, so a slot's eight points are plain loads. All
 * windows then share one set of buckets a lane and nothing doubles: Σ_k k_k·P_k =
 * Σ_k Σ_j d_kj·(2^(c·j)·P_k). The eight lanes' bucket sums are added at the end.
 *
 * Variable-time: public points and scalars only.
 */

enum { KEPT_C = 10, KEPT_WINDOWS = 256 / KEPT_C + 1, KEPT_QWORDS = 80 };   /* x, y × 5 × 8 */

/* Bytes of the tables of n points. */
size_t zk_msm_kept_bytes(size_t n) {
    return (n + 7) / 8 * KEPT_WINDOWS * KEPT_QWORDS * sizeof(uint64_t);
}

/* Point k's window multiples, affine, into lane k % 8 of its group's entries. */
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
        uint64_t *at = tables + ((k / 8) * KEPT_WINDOWS + j) * KEPT_QWORDS + k % 8;
        for (int l = 0; l < 5; l++) {
            at[8 * l] = x.n[l];
            at[8 * (5 + l)] = y.n[l];
        }
    }
}

/* The tables of n points (64 bytes each, x ‖ y on the curve, as zk_msm takes them) into
 * `tables` (zk_msm_kept_bytes(n) bytes). Returns 0. */
int zk_msm_kept_tables(const unsigned char *points, size_t n, uint64_t *tables) {
    memset(tables, 0, zk_msm_kept_bytes(n));
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
/* Every slot's eight points, each signed by its digit, into its lane's bucket |d|−1;
 * digits[8s + i] is lane i's digit of slot s (entry s of the tables). */
IFMA_FN void kept_fill(uint64_t *buckets, const uint64_t *tables, const int16_t *digits,
                       size_t slots) {
    const __m512i zero = _mm512_setzero_si512();
    for (size_t s = 0; s < slots; s++) {
        __m512i d = _mm512_cvtepi16_epi64(_mm_loadu_si128((const __m128i *)(digits + 8 * s)));
        __mmask8 active = _mm512_test_epi64_mask(d, d);
        if (!active) continue;
        ge8 q;
        fe8 ny, z;
        for (int l = 0; l < 5; l++) {
            q.x.v[l] = _mm512_loadu_si512(tables + KEPT_QWORDS * s + 8 * l);
            q.y.v[l] = _mm512_loadu_si512(tables + KEPT_QWORDS * s + 8 * (5 + l));
            z.v[l] = zero;
        }
        fe8_sub(&ny, &z, &q.y);
        fe8_blend(&q.y, _mm512_cmplt_epi64_mask(d, zero), &ny);
        bucket8_add(buckets, d, active, &q);
    }
}
#endif

/* Σ k_i·P_i for the n points whose tables are at `tables` and n big-endian 32-byte scalars
 * (below n; zeros cost almost nothing, eight at a time). Writes as zk_msm; returns −1 on
 * no memory, −2 where the CPU has no IFMA lanes (or they are off): use zk_msm there. */
int zk_msm_kept(const uint64_t *tables, size_t n, const unsigned char *scalars,
                unsigned char *out) {
#if ZK_HAVE_IFMA
    if (!simd_on()) return -2;
    size_t slots = (n + 7) / 8 * KEPT_WINDOWS, half = (size_t)1 << (KEPT_C - 1);
    unsigned char *room = scratch_get(carved(8 * slots, sizeof(int16_t))
                                      + carved(half, BUCKET_QWORDS * sizeof(uint64_t)));
    if (!room) return -1;
    unsigned char *cursor = room;
    int16_t *digits = carve(&cursor, 8 * slots, sizeof(int16_t));
    uint64_t *buckets = carve(&cursor, half, BUCKET_QWORDS * sizeof(uint64_t));
    memset(digits, 0, 8 * slots * sizeof(int16_t));
    memset(buckets, 0, half * BUCKET_QWORDS * sizeof(uint64_t));
    for (size_t k = 0; k < n; k++) {
        int d[KEPT_WINDOWS];
        signed_digits(d, scalars + 32 * k, KEPT_C, KEPT_WINDOWS);
        for (unsigned j = 0; j < KEPT_WINDOWS; j++)
            digits[((k / 8) * KEPT_WINDOWS + j) * 8 + k % 8] = (int16_t)d[j];
    }
    kept_fill(buckets, tables, digits, slots);
    gej lanes[8], acc;
    msm8_sum(lanes, buckets, (unsigned)half);
    acc = lanes[0];
    for (int i = 1; i < 8; i++) gej_add(&acc, &acc, &lanes[i]);
    scratch_put(room);
    return gej_write(out, &acc);
#else
    (void)tables; (void)n; (void)scalars; (void)out;
    return -2;
#endif
}
