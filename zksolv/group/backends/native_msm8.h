/* Pippenger's bucket method on IFMA lanes (SPEC.md §2.3): lane i of a group owns window
 * 8·g + i, so the eight lanes never touch the same bucket. Each point is added to one
 * bucket per lane, the buckets gathered and scattered by per-lane index.
 *
 * Included by native.c after native_ifma.h. The identity is any lane whose z limbs are all
 * zero (buckets start zeroed); a finite point's tight z is never all zero. Unlike the fold,
 * sums here can meet P + P and P + (−P) in practice (an empty bucket leaves the running sum
 * equal to the window sum), so those lanes are handled in place, not flagged.
 */
#if ZK_HAVE_IFMA

enum { BUCKET_QWORDS = 15 * 8 };   /* x, y, z × 5 limbs × 8 lanes */

IFMA __mmask8 gej8_inf_lanes(const gej8 *a) {
    __m512i any = a->z.v[0];
    for (int i = 1; i < 5; i++) any = _mm512_or_si512(any, a->z.v[i]);
    return _mm512_cmpeq_epi64_mask(any, _mm512_setzero_si512());
}

IFMA void fe8_blend(fe8 *r, __mmask8 take, const fe8 *src) {
    for (int i = 0; i < 5; i++) r->v[i] = _mm512_mask_blend_epi64(take, r->v[i], src->v[i]);
}

IFMA void gej8_blend(gej8 *r, __mmask8 take, const gej8 *src) {
    fe8_blend(&r->x, take, &src->x);
    fe8_blend(&r->y, take, &src->y);
    fe8_blend(&r->z, take, &src->z);
}

IFMA void gej8_set_inf(gej8 *r, __mmask8 lanes) {
    for (int i = 0; i < 5; i++) r->z.v[i] = _mm512_mask_blend_epi64(lanes, r->z.v[i],
                                                                     _mm512_setzero_si512());
}

/* Lanes `ex` found a = ±b (a.y·b.z³ vs b.y·a.z³ tells which): 2a there, else the identity. */
IFMA void gej8_fix_equal_x(gej8 *r, const gej8 *a, const gej8 *b, __mmask8 ex) {
    fe8 t, s1, s2;
    fe8_sqr(&t, &b->z); fe8_mul(&t, &t, &b->z); fe8_mul(&s1, &a->y, &t);
    fe8_sqr(&t, &a->z); fe8_mul(&t, &t, &a->z); fe8_mul(&s2, &b->y, &t);
    fe8_sub(&t, &s1, &s2);
    __mmask8 same = ex & fe8_zero_lanes(&t);
    gej8 twice;
    gej8_double(&twice, a);
    gej8_blend(r, same, &twice);
    gej8_set_inf(r, ex & ~same);
}

/* add-2007-bl, as gej_add, for any lanes: the identity on either side and a = ±b included. */
IFMA void gej8_add_any(gej8 *r, const gej8 *a, const gej8 *b) {
    __mmask8 a_inf = gej8_inf_lanes(a), b_inf = gej8_inf_lanes(b);
    fe8 z1z1, z2z2, u1, u2, s1, s2, h, i, j, rr, v, t;
    gej8 s;
    fe8_sqr(&z1z1, &a->z);
    fe8_sqr(&z2z2, &b->z);
    fe8_mul(&u1, &a->x, &z2z2);
    fe8_mul(&u2, &b->x, &z1z1);
    fe8_mul(&s1, &a->y, &b->z); fe8_mul(&s1, &s1, &z2z2);
    fe8_mul(&s2, &b->y, &a->z); fe8_mul(&s2, &s2, &z1z1);
    fe8_sub(&h, &u2, &u1);
    __mmask8 ex = fe8_zero_lanes(&h) & ~a_inf & ~b_inf;
    /* Lazy sums (fe8_add_lazy, fe8_sub_lazy) with the bounds of gej8_add_ge8's. */
    fe8_sub_lazy(&rr, &s2, &s1, 1); fe8_dbl_lazy(&rr, &rr); fe8_carry(&rr);
    fe8_dbl_lazy(&i, &h); fe8_carry(&i); fe8_sqr(&i, &i);
    fe8_mul(&j, &h, &i);
    fe8_mul(&v, &u1, &i);
    fe8_sqr(&s.x, &rr);
    fe8_dbl_lazy(&t, &v); fe8_add_lazy(&t, &t, &j);
    fe8_sub_lazy(&s.x, &s.x, &t, 3); fe8_carry(&s.x);
    fe8_sub(&t, &v, &s.x); fe8_mul(&s.y, &rr, &t);
    fe8_mul(&t, &s1, &j); fe8_dbl_lazy(&t, &t);
    fe8_sub_lazy(&s.y, &s.y, &t, 2); fe8_carry(&s.y);
    fe8_add(&s.z, &a->z, &b->z); fe8_sqr(&s.z, &s.z);
    fe8_add_lazy(&t, &z1z1, &z2z2);
    fe8_sub_lazy(&s.z, &s.z, &t, 2); fe8_carry(&s.z); fe8_mul(&s.z, &s.z, &h);
    if (ex) gej8_fix_equal_x(&s, a, b, ex);
    gej8_blend(&s, a_inf, b);
    gej8_blend(&s, b_inf & ~a_inf, a);
    *r = s;
}

/* r = a + q for affine q in every lane, a possibly the identity or ±q. */
IFMA void gej8_add_ge8_any(gej8 *r, const gej8 *a, const ge8 *q) {
    __mmask8 a_inf = gej8_inf_lanes(a), ex = 0;
    gej8 s, qj;
    qj.x = q->x;
    qj.y = q->y;
    for (int i = 0; i < 5; i++) qj.z.v[i] = bcast(FE_ONE.n[i]);
    gej8_add_ge8(&s, a, q, &ex);
    ex &= ~a_inf;
    if (ex) gej8_fix_equal_x(&s, a, &qj, ex);
    gej8_blend(&s, a_inf, &qj);
    *r = s;
}

IFMA void bucket8_load(gej8 *r, const uint64_t *bucket) {
    for (int l = 0; l < 5; l++) {
        r->x.v[l] = _mm512_loadu_si512(bucket + 8 * l);
        r->y.v[l] = _mm512_loadu_si512(bucket + 8 * (5 + l));
        r->z.v[l] = _mm512_loadu_si512(bucket + 8 * (10 + l));
    }
}

/* Lane i's point q into its bucket |d_i|−1 (lanes `active`): gathered, added, scattered. */
IFMA void bucket8_add(uint64_t *buckets, __m512i d, __mmask8 active, const ge8 *q) {
    const __m512i lane = _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0), zero = _mm512_setzero_si512();
    __m512i b = _mm512_sub_epi64(_mm512_abs_epi64(d), bcast(1));
    __m512i idx = _mm512_add_epi64(
        _mm512_sub_epi64(_mm512_slli_epi64(b, 7), _mm512_slli_epi64(b, 3)), lane);
    gej8 acc;
    fe8 *coords[3] = {&acc.x, &acc.y, &acc.z};
    for (int c = 0; c < 3; c++)
        for (int l = 0; l < 5; l++)
            coords[c]->v[l] = _mm512_mask_i64gather_epi64(zero, active, idx,
                                                          buckets + 8 * (5 * c + l), 8);
    gej8_add_ge8_any(&acc, &acc, q);
    for (int c = 0; c < 3; c++)
        for (int l = 0; l < 5; l++)
            _mm512_mask_i64scatter_epi64(buckets + 8 * (5 * c + l), active, idx, coords[c]->v[l],
                                         8);
}

/* Add every point, signed, to bucket |d|−1 of each lane whose digit d is nonzero. px, py
 * and pny hold each point's tight x, y and −y limbs; digits[8k + i] is point k's lane-i
 * digit. */
IFMA_FN void msm8_fill(uint64_t *buckets, const uint64_t *px, const uint64_t *py,
                       const uint64_t *pny, const int16_t *digits, size_t n) {
    const __m512i zero = _mm512_setzero_si512();
    for (size_t k = 0; k < n; k++) {
        __m512i d = _mm512_cvtepi16_epi64(_mm_loadu_si128((const __m128i *)(digits + 8 * k)));
        __mmask8 active = _mm512_test_epi64_mask(d, d);
        if (!active) continue;
        __mmask8 neg = _mm512_cmplt_epi64_mask(d, zero);
        ge8 q;
        for (int l = 0; l < 5; l++) {
            q.x.v[l] = bcast(px[5 * k + l]);
            q.y.v[l] = _mm512_mask_blend_epi64(neg, bcast(py[5 * k + l]), bcast(pny[5 * k + l]));
        }
        bucket8_add(buckets, d, active, &q);
    }
}

/* Each lane's running sums over `count` buckets B_b from the top: *total = Σ_b B_b and
 * *weighted = Σ_b (b+1)·B_b. */
IFMA void bucket8_running_sums(gej8 *weighted, gej8 *total, const uint64_t *buckets,
                               unsigned count) {
    memset(total, 0, sizeof *total);
    memset(weighted, 0, sizeof *weighted);
    for (unsigned b = count; b-- > 0;) {
        gej8 bucket;
        bucket8_load(&bucket, buckets + (size_t)BUCKET_QWORDS * b);
        gej8_add_any(total, total, &bucket);
        gej8_add_any(weighted, weighted, total);
    }
}

/* The eight lanes of a into out[0..7], the identity where a lane's z is zero. */
IFMA void gej8_store_lanes(gej out[8], const gej8 *a) {
    __mmask8 inf = gej8_inf_lanes(a);
    fe *xs[8], *ys[8], *zs[8];
    for (int i = 0; i < 8; i++) {
        xs[i] = &out[i].x; ys[i] = &out[i].y; zs[i] = &out[i].z;
        out[i].inf = inf >> i & 1;
    }
    fe8_scatter(xs, &a->x);
    fe8_scatter(ys, &a->y);
    fe8_scatter(zs, &a->z);
}

/* Each lane's window sum Σ_b (b+1)·B_b as running sums, into out[0..7]. */
IFMA_FN void msm8_sum(gej *out, const uint64_t *buckets, unsigned half) {
    gej8 window, running;
    bucket8_running_sums(&window, &running, buckets, half);
    gej8_store_lanes(out, &window);
}

static size_t msm8_room_bytes(size_t n, unsigned c) {
    return carved(15 * n, sizeof(uint64_t)) + carved(8 * n, sizeof(int16_t))
           + carved((size_t)1 << (c - 1), BUCKET_QWORDS * sizeof(uint64_t));
}

/* Window sums W_w for all `windows` windows of width c, eight windows at a time, in
 * msm8_room_bytes(n, c) of scratch at `room`. */
static void msm8_windows(gej *sums, const ge *pts, const int *digits, size_t n, unsigned c,
                         unsigned windows, unsigned char *room) {
    unsigned half = 1u << (c - 1), groups = (windows + 7) / 8;
    uint64_t *px = carve(&room, 15 * n, sizeof(uint64_t)), *py = px + 5 * n, *pny = px + 10 * n;
    int16_t *lanes = carve(&room, 8 * n, sizeof(int16_t));
    uint64_t *buckets = carve(&room, half, BUCKET_QWORDS * sizeof(uint64_t));
    for (size_t k = 0; k < n; k++) {
        fe x = pts[k].x, y = pts[k].y, ny;
        fe_normalize(&x);
        fe_normalize(&y);
        fe_neg(&ny, &y);
        fe_normalize(&ny);
        memcpy(px + 5 * k, x.n, sizeof x.n);
        memcpy(py + 5 * k, y.n, sizeof y.n);
        memcpy(pny + 5 * k, ny.n, sizeof ny.n);
    }
    for (unsigned g = 0; g < groups; g++) {
        for (size_t k = 0; k < n; k++)
            for (unsigned i = 0; i < 8; i++) {
                unsigned w = 8 * g + i;
                lanes[8 * k + i] = (int16_t)(w < windows ? digits[k * windows + w] : 0);
            }
        memset(buckets, 0, (size_t)half * BUCKET_QWORDS * sizeof(uint64_t));
        msm8_fill(buckets, px, py, pny, lanes, n);
        gej group_sums[8];
        msm8_sum(group_sums, buckets, half);
        for (unsigned i = 0; i < 8 && 8 * g + i < windows; i++) sums[8 * g + i] = group_sums[i];
    }
}
#endif
