/* Bucket fills by sorted runs (SPEC.md §2.3; bench/RESULTS.md, "Bucket fills by sorted
 * runs"; "The kept MSM's lanes own buckets"): every (bucket, point) pair goes to the lane that
 * owns its bucket — lane i the buckets b with b ≡ i (mod 8), as its local bucket b / 8
 * (b = |d| − 1) — and each lane's pairs are sorted by bucket, then walked with the running
 * bucket sum kept in registers, so a bucket is written once, when its run ends, instead of
 * gathered and scattered at every point. A lane holds an eighth of the buckets, so their sum
 * at the end costs an eighth of a lane set's (native_msm_kept.h).
 *
 * Included by native.c after native_msm8.h; used by native_msm_kept.h. Every lane has one
 * entry a step, so the eight lanes walk their sorted lists in step: entry t of every lane is
 * step t. A lane whose run ends at step t writes its sum (masked scatter) and starts the next
 * run at step t + 1 from that step's affine point (Z = 1), blended in per lane, so an empty
 * bucket never meets the addition. Each lane's list is cut in two halves walked as two chains
 * in lockstep (two independent dependency chains); the second half's first run goes to a
 * spill bucket, added into its real bucket at the end (the two halves may share that bucket).
 * Lanes' lists differ in length by the digits' spread over the residues mod 8 (about 1 % for
 * random scalars; the shorter lanes pad); skewed digits make one lane long, which costs time,
 * not correctness.
 *
 * Inside a run the running sum can meet ±P (equal or cancelling points): the mixed
 * addition flags H ≡ 0 there, and those lanes are redone with the complete formulas
 * (gej8_fix_equal_x); a lane whose sum became the identity takes its next point as it is.
 *
 * Variable-time: public points and scalars only.
 */
#if ZK_HAVE_IFMA

/* One step of the walk: lane i's point at qword offset at[i] (one cache line: x, then y, as
 * four 64-bit words each), its bucket, and per-lane masks. `live` lanes hold an entry (the
 * rest are padding). */
typedef struct {
    int32_t at[8];
    uint16_t bucket[8];
    uint8_t start, end, neg, live;
} run_step;

/* How the points of a fill are laid out: entry e, lane i at e·entry + i·lane qwords from
 * the base. */
typedef struct {
    int32_t entry, lane;
} run_layout;

typedef struct {
    run_step *steps;   /* 2·half_steps */
    run_step *own;     /* steps malloc'd when the scratch's were too few (skewed lanes), or NULL */
    size_t half_steps; /* steps a chain */
    int spill[8];      /* lane i's bucket whose second-half run went to the spill bucket, or −1 */
} run_plan;

/* Steps the scratch holds for `entries` slots: a lane's share of the 8·entries digits is
 * about entries, plus its spread; more than this takes its own memory (runs_plan). */
static size_t runs_step_room(size_t entries) { return entries + entries / 8 + 64; }

/* Scratch for a plan of `entries` slots of eight digits in 1..half (zero: no entry). */
static size_t runs_room_bytes(size_t entries, unsigned half) {
    return carved(runs_step_room(entries), sizeof(run_step))
           + carved(8 * entries, sizeof(uint64_t)) + carved((size_t)half + 1, sizeof(uint32_t));
}

/* The counting sort's key of |d|: lane-major, lane (|d| − 1) mod 8 and its local bucket
 * (|d| − 1) / 8 inside; zero digits go to the unused key `half`. */
static inline unsigned runs_key(unsigned magnitude, unsigned half) {
    unsigned b = magnitude - 1;
    return magnitude ? (b & 7) * (half / 8) + (b >> 3) : half;
}

/* Whether slot e's eight digits are all zero (its points' scalars were: whole slots of
 * the argument's left-out halves). */
static inline int runs_slot_empty(const int16_t *digits, size_t e) {
    uint64_t w[2];
    memcpy(w, digits + 8 * e, sizeof w);
    return !(w[0] | w[1]);
}

/* Every entry into the lane that owns its bucket, sorted by bucket, one counting sort for
 * all lanes: order[start[i] + p] is lane i's p-th entry, digit d_(8e+j) of slot e's point j,
 * as (8e + j)·2^32 + 2·local bucket + sign; count[i] how many lane i has (zero digits have
 * none). `at` is room for half + 1 counters. */
static void runs_sort(uint64_t *order, uint32_t *at, const int16_t *digits, size_t entries,
                      unsigned half, size_t start[8], size_t count[8]) {
    memset(at, 0, ((size_t)half + 1) * sizeof(uint32_t));
    for (size_t e = 0; e < entries; e++)
        if (!runs_slot_empty(digits, e))
            for (size_t p = 8 * e; p < 8 * e + 8; p++) at[runs_key((unsigned)abs(digits[p]), half)]++;
    uint32_t total = 0;
    for (unsigned k = 0; k < half; k++) {
        uint32_t c = at[k];
        at[k] = total;
        total += c;
    }
    for (unsigned i = 0; i < 8; i++) {
        start[i] = at[i * (half / 8)];
        count[i] = (i < 7 ? at[(i + 1) * (half / 8)] : total) - start[i];
    }
    for (size_t e = 0; e < entries; e++) {
        if (runs_slot_empty(digits, e)) continue;
        for (size_t p = 8 * e; p < 8 * e + 8; p++) {
            int d = digits[p];
            if (!d) continue;
            unsigned b = (unsigned)abs(d) - 1;
            order[at[runs_key(b + 1, half)]++] = (uint64_t)p << 32 | (uint64_t)(b >> 3) << 1 | (d < 0);
        }
    }
}

/* The steps of both chains from the sorted lists, eight lanes at a time. A run starts at a
 * new bucket and at either chain's first step, and ends before a new bucket and at either
 * chain's last step; the second chain's first run goes to the spill bucket `spill_bucket`.
 * Lanes past their count are padding: the table's first line (readable), not live. */
IFMA_FN void runs_build(run_plan *plan, const uint64_t *order, const size_t start[8],
                        const size_t count[8], unsigned spill_bucket, const run_layout *lay) {
    const __m512i zero = _mm512_setzero_si512();
    const __m512i from = _mm512_loadu_si512(start);
    __m512i counts = _mm512_loadu_si512(count), prev = bcast(UINT64_MAX), spill = prev;
    run_step *st = plan->steps;
    size_t cut = plan->half_steps;
    __mmask8 spilling = 0;
    for (size_t p = 0; p < 2 * cut; p++) {
        __mmask8 live = _mm512_cmpgt_epu64_mask(counts, bcast(p));
        __m512i v = _mm512_mask_i64gather_epi64(zero, live, _mm512_add_epi64(from, bcast(p)),
                                                (const long long *)order, 8);
        __m512i b = _mm512_srli_epi64(_mm512_and_si512(v, bcast(UINT32_MAX)), 1);
        __mmask8 neg = _mm512_test_epi64_mask(v, bcast(1)), forced = p == 0 || p == cut ? 0xFF : 0;
        __m512i point = _mm512_srli_epi64(v, 32);   /* 8e + j: slot e, its point j */
        __m512i x = _mm512_add_epi64(
            _mm512_mul_epu32(_mm512_srli_epi64(point, 3), bcast((uint64_t)lay->entry)),
            _mm512_mul_epu32(_mm512_and_si512(point, bcast(7)), bcast((uint64_t)lay->lane)));
        __mmask8 fresh = _mm512_cmpneq_epi64_mask(b, prev) & live;
        if (p) st[p - 1].end |= fresh & ~forced;
        if (p == cut) spill = _mm512_mask_blend_epi64(live, spill, b), spilling = live;
        else spilling &= ~fresh;
        _mm256_storeu_si256((__m256i *)st[p].at, _mm512_cvtepi64_epi32(x));
        _mm_storeu_si128((__m128i *)st[p].bucket,
                         _mm512_cvtepi64_epi16(_mm512_mask_blend_epi64(spilling, b,
                                                                       bcast(spill_bucket))));
        st[p].live = live;
        st[p].neg = neg;
        st[p].start = (fresh | forced) & live;
        st[p].end = (_mm512_cmpeq_epi64_mask(counts, bcast(p + 1)) | (p + 1 == cut ? 0xFF : 0)) & live;
        prev = _mm512_mask_blend_epi64(live, prev, b);
    }
    int64_t spilled[8];
    _mm512_storeu_si512(spilled, spill);
    for (int i = 0; i < 8; i++) plan->spill[i] = (int)spilled[i];
}

/* The plan of a fill: digits[8e + j] is the digit of slot e's point j, in 1..half by
 * magnitude; each lane's list is cut in two chains of half_steps steps. Returns −1 on no
 * memory (only where the lanes are skewed past the scratch's steps). */
static int runs_plan(run_plan *plan, unsigned char *room, const int16_t *digits, size_t entries,
                     unsigned half, const run_layout *lay) {
    run_step *steps = carve(&room, runs_step_room(entries), sizeof(run_step));
    uint64_t *order = carve(&room, 8 * entries, sizeof(uint64_t));
    uint32_t *at = carve(&room, (size_t)half + 1, sizeof(uint32_t));
    size_t start[8], count[8], most = 0;
    runs_sort(order, at, digits, entries, half, start, count);
    for (unsigned i = 0; i < 8; i++)
        if (count[i] > most) most = count[i];
    plan->half_steps = (most + 1) / 2;
    plan->own = NULL;
    if (2 * plan->half_steps > runs_step_room(entries)) {
        plan->own = malloc(2 * plan->half_steps * sizeof(run_step));
        if (!plan->own) return -1;
        steps = plan->own;
    }
    plan->steps = steps;
    runs_build(plan, order, start, count, half / 8, lay);
    return 0;
}

/* A coordinate's four 64-bit words (tight, below 2^256) as five 52-bit limbs. */
IFMA void runs_unpack(fe8 *r, const __m512i w[4]) {
    const __m512i m = bcast(M52);
    r->v[0] = _mm512_and_si512(w[0], m);
    r->v[1] = _mm512_and_si512(_mm512_or_si512(_mm512_srli_epi64(w[0], 52), _mm512_slli_epi64(w[1], 12)), m);
    r->v[2] = _mm512_and_si512(_mm512_or_si512(_mm512_srli_epi64(w[1], 40), _mm512_slli_epi64(w[2], 24)), m);
    r->v[3] = _mm512_and_si512(_mm512_or_si512(_mm512_srli_epi64(w[2], 28), _mm512_slli_epi64(w[3], 36)), m);
    r->v[4] = _mm512_srli_epi64(w[3], 16);
}

/* Words k of eight rows: w[k] lane i = row[i] word k (an 8×8 transpose of 64-bit words in
 * three rounds of eight shuffles). */
IFMA void runs_transpose(__m512i w[8], const __m512i row[8]) {
    __m512i t[8], u[8];
    for (int i = 0; i < 4; i++) {
        t[2 * i] = _mm512_unpacklo_epi64(row[2 * i], row[2 * i + 1]);     /* words 0, 2, 4, 6 */
        t[2 * i + 1] = _mm512_unpackhi_epi64(row[2 * i], row[2 * i + 1]); /* words 1, 3, 5, 7 */
    }
    for (int h = 0; h < 2; h++)   /* rows 4h..4h+3: words (0, 4), (2, 6), (1, 5), (3, 7) */
        for (int o = 0; o < 2; o++) {
            u[4 * h + 2 * o] = _mm512_shuffle_i64x2(t[4 * h + o], t[4 * h + 2 + o], 0x88);
            u[4 * h + 2 * o + 1] = _mm512_shuffle_i64x2(t[4 * h + o], t[4 * h + 2 + o], 0xDD);
        }
    static const int word[4][2] = {{0, 4}, {2, 6}, {1, 5}, {3, 7}};
    for (int k = 0; k < 4; k++) {
        w[word[k][0]] = _mm512_shuffle_i64x2(u[k], u[4 + k], 0x88);
        w[word[k][1]] = _mm512_shuffle_i64x2(u[k], u[4 + k], 0xDD);
    }
}

/* q = the step's points (a line a lane: x, then y), y negated in the lanes that ask: eight
 * line loads and a transpose, cheaper than eight gathers of a word each. */
IFMA void runs_load(ge8 *q, const uint64_t *base, const run_step *s) {
    __m512i row[8], w[8];
    for (int i = 0; i < 8; i++) row[i] = _mm512_loadu_si512(base + s->at[i]);
    runs_transpose(w, row);
    __m512i *wx = w, *wy = w + 4;
    runs_unpack(&q->x, wx);
    runs_unpack(&q->y, wy);
    if (s->neg) {
        fe8 zero, ny;
        for (int l = 0; l < 5; l++) zero.v[l] = _mm512_setzero_si512();
        fe8_sub(&ny, &zero, &q->y);
        fe8_blend(&q->y, s->neg, &ny);
    }
}

/* The rare lanes of a step: `ex` met ±q (2·acc or the identity, complete formulas), `inf`
 * held the identity (the sum is q). Returns the lanes whose sum is now the identity. */
IFMA __mmask8 runs_fix(gej8 *sum, const gej8 *acc, const gej8 *qj, __mmask8 ex, __mmask8 inf) {
    if (ex) gej8_fix_equal_x(sum, acc, qj, ex);
    gej8_blend(sum, inf, qj);
    return ex & gej8_inf_lanes(sum);
}

/* Lanes `lanes` of acc into their buckets (index per lane from the step). */
IFMA void runs_write(uint64_t *buckets, const gej8 *acc, const run_step *s, __mmask8 lanes) {
    const __m512i lane = _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0);
    __m512i b = _mm512_cvtepu16_epi64(_mm_loadu_si128((const __m128i *)s->bucket));
    __m512i idx = _mm512_add_epi64(
        _mm512_sub_epi64(_mm512_slli_epi64(b, 7), _mm512_slli_epi64(b, 3)), lane);
    const fe8 *coords[3] = {&acc->x, &acc->y, &acc->z};
    for (int c = 0; c < 3; c++)
        for (int l = 0; l < 5; l++)
            _mm512_mask_i64scatter_epi64(buckets + 8 * (5 * c + l), lanes, idx, coords[c]->v[l],
                                         8);
}

/* One step of chain k after the addition: rare lanes fixed, new runs started, ends written. */
IFMA void runs_settle(uint64_t *buckets, gej8 *acc, gej8 *sum, const ge8 *q, __mmask8 ex,
                      __mmask8 *inf, const run_step *s) {
    __mmask8 fresh = s->start | (uint8_t)~s->live, odd = ex & ~fresh & ~*inf;
    __mmask8 empty = *inf & ~fresh;
    gej8 qj;
    qj.x = q->x;
    qj.y = q->y;
    for (int l = 0; l < 5; l++) qj.z.v[l] = bcast(FE_ONE.n[l]);
    __mmask8 now_inf = (odd | empty) ? runs_fix(sum, acc, &qj, odd, empty) : 0;
    gej8_blend(sum, s->start, &qj);
    *inf = now_inf;
    *acc = *sum;
    if (s->end) runs_write(buckets, acc, s, s->end);
}

enum { RUNS_AHEAD = 6 };   /* steps between a point's prefetch and its gather */

/* The cache lines of a step's points, fetched ahead: the sorted walk reads them in no order. */
IFMA void runs_prefetch(const uint64_t *base, const run_step *s) {
    for (int i = 0; i < 8; i++) _mm_prefetch((const char *)(base + s->at[i]), _MM_HINT_T0);
}

/* The walk: steps t and half_steps + t of every lane, two chains in lockstep. */
IFMA_FN void runs_walk(uint64_t *buckets, const uint64_t *base, const run_plan *plan) {
    gej8 acc[2], sum[2];
    ge8 q[2];
    __mmask8 inf[2] = {0, 0}, ex[2];
    memset(acc, 0, sizeof acc);
    for (size_t t = 0; t < plan->half_steps; t++) {
        const run_step *s[2] = {&plan->steps[t], &plan->steps[plan->half_steps + t]};
        if (t + RUNS_AHEAD < plan->half_steps)
            for (int k = 0; k < 2; k++) runs_prefetch(base, s[k] + RUNS_AHEAD);
        for (int k = 0; k < 2; k++) runs_load(&q[k], base, s[k]);
        ex[0] = ex[1] = 0;
        gej8_add_ge8_n(sum, acc, q, ex, 2);   /* two chains in lockstep (native_ifma.h) */
        for (int k = 0; k < 2; k++) runs_settle(buckets, &acc[k], &sum[k], &q[k], ex[k], &inf[k], s[k]);
    }
}

/* The spill bucket (index half) into each lane's bucket plan->spill[i]. */
IFMA_FN void runs_merge_spill(uint64_t *buckets, unsigned half, const run_plan *plan) {
    const __m512i lane = _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0), zero = _mm512_setzero_si512();
    __mmask8 some = 0;
    int64_t target[8];
    for (int i = 0; i < 8; i++) {
        target[i] = plan->spill[i] < 0 ? 0 : plan->spill[i];
        if (plan->spill[i] >= 0) some |= (__mmask8)(1u << i);
    }
    if (!some) return;
    __m512i b = _mm512_loadu_si512(target);
    __m512i idx = _mm512_add_epi64(
        _mm512_sub_epi64(_mm512_slli_epi64(b, 7), _mm512_slli_epi64(b, 3)), lane);
    gej8 bucket, spill;
    fe8 *coords[3] = {&bucket.x, &bucket.y, &bucket.z};
    for (int c = 0; c < 3; c++)
        for (int l = 0; l < 5; l++)
            coords[c]->v[l] = _mm512_mask_i64gather_epi64(zero, some, idx,
                                                          buckets + 8 * (5 * c + l), 8);
    bucket8_load(&spill, buckets + (size_t)BUCKET_QWORDS * half);
    gej8_add_any(&bucket, &bucket, &spill);
    for (int c = 0; c < 3; c++)
        for (int l = 0; l < 5; l++)
            _mm512_mask_i64scatter_epi64(buckets + 8 * (5 * c + l), some, idx, coords[c]->v[l], 8);
}

/* The buckets (half / 8 + 1 a lane, zeroed; the last is the spill) of `entries` slots'
 * digits (magnitudes 1..half, half a multiple of 8), in runs_room_bytes(entries, half) of
 * scratch at `room`. Returns −1 on no memory, else 0. */
static int runs_fill(uint64_t *buckets, unsigned half, const uint64_t *base,
                     const int16_t *digits, size_t entries, const run_layout *lay,
                     unsigned char *room) {
    run_plan plan;
    if (runs_plan(&plan, room, digits, entries, half, lay)) return -1;
    if (plan.half_steps) {
        runs_walk(buckets, base, &plan);
        runs_merge_spill(buckets, half / 8, &plan);
    }
    free(plan.own);
    return 0;
}
#endif
