/* The generator folds' ladders with affine accumulators, one inversion a step for all the
 * call's outputs (SPEC.md §2.3, §5.3; native_fold2.h).
 *
 * Included by native.c before native_fold2.h. Every output of a zk_fold_terms call shares
 * the scalars, so the same digits: its ladder is the same sequence of steps (a doubling, or
 * the addition of entry e of term t's table) for every output. Here each output's
 * accumulator stays affine, and a step runs over all the call's lane groups at once: the
 * slopes' denominators of every group and lane are inverted together by Montgomery's trick
 * (prefix products lane-wise, one scalar inversion of the eight lanes' products, the
 * backward pass). An affine doubling then costs 2M + 2S and an addition 2M + 1S, plus 3M of
 * the trick, against 2M + 5S and 7M + 4S in Jacobian form; the inversion is shared by the
 * groups, so this pays only for enough of them (FOLD_AFFINE_MIN_GROUPS).
 *
 * A lane whose denominator is 0 (an addition of ±its own accumulator: a doubling or the
 * identity) gets 1 in its place, so the other lanes' inverses stay right, and is flagged
 * bad: its output is garbage from there and is redone on the scalar path by the caller.
 * Variable-time: for public points and public scalars only.
 */
#if ZK_HAVE_IFMA

/* The accumulators of `groups` lane groups and one step's room: denominators and prefix
 * products, one a group; bad[g], the lanes of group g that met a zero denominator. */
typedef struct {
    ge8 *acc;
    fe8 *den, *prefix;
    __mmask8 *bad;
    size_t groups;
} aff_batch;

/* A step's operand for each group: entry `entry` of group g's table at tab + g·stride, as
 * it is, λ·(x, y) = (β·x, y) if endo, negated if negate. */
typedef struct {
    const ge8 *tab;
    size_t stride;
    int entry, endo, negate;
} aff_operand;

/* ---- one scalar inversion of eight lanes, a field operation at a time ------------------
 * The eight lanes' product is inverted by an addition chain for p − 2 (255 squarings, 15
 * multiplications: a^(2^k − 1) built up as x2, x3, x6, x9, x11, x22, x44, x88, x176, x220,
 * x223, then the low bits of p − 2 = 2^256 − 2^32 − 979), then split back into the lanes'
 * inverses. It runs on the scalar multipliers, one operation a call of aff_inv_op, so that
 * the lane arithmetic of the other half of the groups can go on beside it (aff_ladder). */
enum { AFF_CHAIN_STEPS = 15, AFF_LANES_BEFORE = 7, AFF_LANES_AFTER = 14 };

typedef struct {
    fe lane[8], run[8];   /* the lanes and their prefix products run[i] = lane[0] ⋯ lane[i] */
    fe x, power[7];       /* the chain: a = run[7], x2, x3, x11, x22, x44, x88 */
    fe out[8];
    int phase, at, left;  /* phase 0: products, 1: chain, 2: split, 3: done */
} aff_inv;

/* Chain step s: square x `sqr` times, multiply by power[mul], keep the result in
 * power[keep] (0: not kept). */
static const struct { unsigned char sqr, mul, keep; } AFF_CHAIN[AFF_CHAIN_STEPS] = {
    {1, 0, 1}, {1, 0, 2}, {3, 2, 0}, {3, 2, 0}, {2, 1, 3}, {11, 3, 4}, {22, 4, 5},
    {44, 5, 6}, {88, 6, 0}, {44, 5, 0}, {3, 2, 0}, {23, 4, 0}, {5, 0, 0}, {3, 1, 0},
    {2, 0, 0}};

IFMA void aff_inv_start(aff_inv *e, const fe8 *a) {
    fe *lanes[8];
    for (int i = 0; i < 8; i++) lanes[i] = &e->lane[i];
    fe8_scatter(lanes, a);
    e->run[0] = e->lane[0];
    e->phase = 0;
    e->at = 1;
}

/* The chain's next squaring or multiplication. */
static inline void aff_inv_chain_op(aff_inv *e) {
    if (e->left > 0) {
        fe_sqr(&e->x, &e->x);
        e->left--;
        return;
    }
    fe_mul(&e->x, &e->x, &e->power[AFF_CHAIN[e->at].mul]);
    if (AFF_CHAIN[e->at].keep) e->power[AFF_CHAIN[e->at].keep] = e->x;
    if (++e->at == AFF_CHAIN_STEPS) { e->phase = 2; e->at = 7; e->left = 0; }
    else e->left = AFF_CHAIN[e->at].sqr;
}

/* One field operation of the inversion; nothing once it is done. */
static inline void aff_inv_op(aff_inv *e) {
    switch (e->phase) {
    case 0:
        fe_mul(&e->run[e->at], &e->run[e->at - 1], &e->lane[e->at]);
        if (++e->at == 8) {
            e->phase = 1;
            e->at = 0;
            e->power[0] = e->x = e->run[7];
            e->left = AFF_CHAIN[0].sqr;
        }
        return;
    case 1:
        aff_inv_chain_op(e);
        return;
    case 2:   /* x = 1/(lane[0] ⋯ lane[at]); left 0: lane at's inverse, 1: drop lane at */
        if (e->left == 0) {
            fe_mul(&e->out[e->at], &e->x, &e->run[e->at - 1]);
            e->left = 1;
        } else {
            fe_mul(&e->x, &e->x, &e->lane[e->at]);
            e->left = 0;
            if (--e->at == 0) { e->out[0] = e->x; e->phase = 3; }
        }
        return;
    default:
        return;
    }
}

static inline void aff_inv_ops(aff_inv *e, int n) {
    for (int i = 0; i < n && e->phase != 3; i++) aff_inv_op(e);
}

/* The inversion's remaining operations, then its eight inverses in lanes. */
IFMA void aff_inv_finish(aff_inv *e, fe8 *r) {
    while (e->phase != 3) aff_inv_op(e);
    const fe *outs[8];
    for (int i = 0; i < 8; i++) outs[i] = &e->out[i];
    fe8_gather(r, outs);
}

/* den[g] kept for the backward pass, its zero lanes flagged bad and replaced by 1, and
 * chained into the prefix products: prefix[g] = den[g0] ⋯ den[g − 1], *run = that · den[g]. */
IFMA void aff_keep_den(aff_batch *b, size_t g, const fe8 *den, fe8 *run) {
    fe8 d = *den;
    __mmask8 zero = fe8_zero_lanes(&d);
    if (zero) {
        b->bad[g] |= zero;
        for (int l = 0; l < 5; l++) d.v[l] = _mm512_mask_blend_epi64(zero, d.v[l], bcast(FE_ONE.n[l]));
    }
    b->den[g] = d;
    b->prefix[g] = *run;
    fe8_mul(run, run, &d);
}

/* Backward pass's next inverse: 1/den[g] into *each, *inv from 1/(den[g0] ⋯ den[g]) to
 * 1/(den[g0] ⋯ den[g − 1]). */
IFMA void aff_next_inv(const aff_batch *b, size_t g, fe8 *inv, fe8 *each) {
    fe8_mul(each, inv, &b->prefix[g]);
    fe8_mul(inv, inv, &b->den[g]);
}

/* acc ← (x3, y3) with x3 = λ² − s, s the lazy sum of the two x's (k tight elements), and
 * y3 = λ·(x1 − x3) − y1: the end of an affine addition or doubling. */
IFMA void aff_finish(ge8 *acc, const fe8 *lambda, const fe8 *s, unsigned k) {
    fe8 x3, t;
    fe8_sqr(&x3, lambda);
    fe8_sub_lazy(&x3, &x3, s, k);
    fe8_carry(&x3);
    fe8_sub(&t, &acc->x, &x3);
    fe8_mul(&t, lambda, &t);
    fe8_sub(&acc->y, &t, &acc->y);
    acc->x = x3;
}

/* Group g's operand: its table entry, through the endomorphism and the sign. */
IFMA void aff_operand_of(ge8 *q, const aff_operand *op, size_t g, const fe8 *beta) {
    *q = op->tab[g * op->stride + (size_t)op->entry];
    if (op->endo) fe8_mul(&q->x, &q->x, beta);
    if (op->negate) {
        fe8 zero;
        for (int l = 0; l < 5; l++) zero.v[l] = _mm512_setzero_si512();
        fe8_sub(&q->y, &zero, &q->y);
    }
}

/* Forward pass of a step over groups g0 … g1 − 1: the slopes' denominators (2y for a
 * doubling, x2 − x1 for an addition of op) kept, their product into *run; the inversion
 * `e` (another half's) advanced by `quota` operations a group. */
IFMA_FN void aff_forward(aff_batch *b, size_t g0, size_t g1, const aff_operand *op,
                         const fe8 *beta, fe8 *run, aff_inv *e, int quota) {
    fe8_one(run);
    for (size_t g = g0; g < g1; g++) {
        fe8 den;
        aff_inv_ops(e, quota);
        if (op) {
            ge8 q;
            aff_operand_of(&q, op, g, beta);
            fe8_sub(&den, &q.x, &b->acc[g].x);
        } else {
            fe8_add(&den, &b->acc[g].y, &b->acc[g].y);
        }
        aff_keep_den(b, g, &den, run);
    }
}

/* Backward pass of a step over groups g1 − 1 … g0, from the inverse of their product: a
 * doubling (op NULL: λ = 3x²/(2y), x3 = λ² − 2x) or the addition of op (λ = (y2 − y1)/den,
 * x3 = λ² − x1 − x2 with x1 + x2 = den + 2·x1); `e` advanced as in aff_forward. */
IFMA_FN void aff_backward(aff_batch *b, size_t g0, size_t g1, const aff_operand *op,
                          fe8 inv, aff_inv *e, int quota) {
    aff_operand plain;
    if (op) { plain = *op; plain.endo = 0; }   /* y2 only: x2 is in den */
    for (size_t g = g1; g-- > g0;) {
        ge8 *a = &b->acc[g];
        fe8 each, lambda, s;
        aff_inv_ops(e, quota);
        aff_next_inv(b, g, &inv, &each);
        if (op) {
            ge8 q;
            aff_operand_of(&q, &plain, g, NULL);
            fe8_sub(&lambda, &q.y, &a->y);
            fe8_mul(&lambda, &lambda, &each);
            fe8_dbl_lazy(&s, &a->x);
            fe8_add_lazy(&s, &s, &b->den[g]);   /* den + 2x1: three tight elements */
            aff_finish(a, &lambda, &s, 3);
        } else {
            fe8 xx;
            fe8_sqr(&xx, &a->x);
            fe8_dbl_lazy(&lambda, &xx);
            fe8_add_lazy(&lambda, &lambda, &xx);   /* 3x² < 3·2^52 */
            fe8_carry(&lambda);
            fe8_mul(&lambda, &lambda, &each);
            fe8_dbl_lazy(&s, &a->x);                /* 2x: two tight elements */
            aff_finish(a, &lambda, &s, 2);
        }
    }
}

/* Every group's accumulator set to its operand (the ladder's first digit). */
IFMA_FN void aff_set_all(aff_batch *b, const aff_operand *op, const fe8 *beta) {
    for (size_t g = 0; g < b->groups; g++) aff_operand_of(&b->acc[g], op, g, beta);
}

/* β in every lane. */
static void fe8_beta(fe8 *beta) {
    const fe *betas[8] = {&FE_BETA, &FE_BETA, &FE_BETA, &FE_BETA,
                          &FE_BETA, &FE_BETA, &FE_BETA, &FE_BETA};
    fe8_gather(beta, betas);
}

/* The operand of digit d of half `half` of term t. */
static aff_operand aff_digit(const ge8 *tab8, int terms, int t, int d, int half, int neg) {
    aff_operand op = {tab8, 8 * (size_t)terms, 8 * t + (abs(d) - 1) / 2, half, (d < 0) != neg};
    return op;
}

/* ---- the ladder: its steps, two halves of the groups in a pipeline -------------------- */

enum { AFF_END, AFF_DOUBLE, AFF_ADD, AFF_SET };

/* The ladder's steps in order: for each bit from the top, the doubling (once something was
 * added), then the nonzero digits of each term's two halves; the outputs' own points last. */
typedef struct {
    const fold_scalar *k;
    const ge8 *tab8, *lo;
    int terms, bit, slot, started, own_done;
} aff_cursor;

static aff_cursor aff_cursor_at(const fold_scalar *k, int terms, const ge8 *tab8, const ge8 *lo) {
    aff_cursor c = {k, tab8, lo, terms, 0, 0, 0, 0};
    for (int t = 0; t < terms; t++) c.bit = k[t].len > c.bit ? k[t].len : c.bit;
    c.bit--;
    return c;
}

/* The next step's kind (AFF_SET for the first operand: nothing to add it to) and operand. */
static int aff_next(aff_cursor *c, aff_operand *op) {
    while (c->bit >= 0) {
        int slot = c->slot++;
        if (slot > 2 * c->terms) { c->bit--; c->slot = 0; continue; }
        if (slot == 0) {
            if (c->started) return AFF_DOUBLE;
            continue;
        }
        int t = (slot - 1) / 2, half = (slot - 1) % 2;
        int d = half ? c->k[t].naf2[c->bit] : c->k[t].naf1[c->bit];
        if (!d) continue;
        *op = aff_digit(c->tab8, c->terms, t, d, half, half ? c->k[t].neg2 : c->k[t].neg1);
        return c->started++ ? AFF_ADD : AFF_SET;
    }
    if (c->own_done++) return AFF_END;
    aff_operand own = {c->lo, 1, 0, 0, 0};
    *op = own;
    return c->started++ ? AFF_ADD : AFF_SET;
}

/* Scalar operations an inversion takes (aff_inv). */
enum { AFF_INV_OPS = AFF_LANES_BEFORE + 270 + AFF_LANES_AFTER };

/* acc_g = lo_g + Σ_t k_t·P_t for every group g of the batch, from its tables in lane form
 * at tab8 + 8·terms·g (tab8[8·(g·terms + t) + e]: entry e of term t) and its outputs' own
 * points lo[g]; lanes that met a zero denominator flagged in b->bad. The groups are cut in
 * two halves A and B that run the same steps half a step apart: while one half's product
 * is inverted on the scalar multipliers, the other's backward and forward passes run on
 * the lanes (the inversion's operations spread over their groups). */
IFMA_FN void aff_ladder(aff_batch *b, const ge8 *tab8, const ge8 *lo, const fold_scalar *k,
                        int terms) {
    fe8 beta, run, inv_a, inv_b;
    fe8_beta(&beta);
    memset(b->bad, 0, b->groups * sizeof *b->bad);
    size_t mid = b->groups / 2, end = b->groups;
    int quota = (int)((AFF_INV_OPS + mid - 1) / (mid ? mid : 1));
    aff_cursor c = aff_cursor_at(k, terms, tab8, lo);
    aff_operand op, prev;
    int kind = aff_next(&c, &op), prev_kind = AFF_END;
    if (kind == AFF_SET) {
        aff_set_all(b, &op, &beta);
        kind = aff_next(&c, &op);
    }
    aff_inv e;
    e.phase = 3;   /* none in flight */
    for (; kind != AFF_END; prev = op, prev_kind = kind, kind = aff_next(&c, &op)) {
        const aff_operand *now = kind == AFF_ADD ? &op : NULL;
        aff_forward(b, 0, mid, now, &beta, &run, &e, 1);
        if (prev_kind != AFF_END) aff_inv_finish(&e, &inv_b);
        aff_inv_start(&e, &run);
        if (prev_kind != AFF_END)
            aff_backward(b, mid, end, prev_kind == AFF_ADD ? &prev : NULL, inv_b, &e, quota);
        aff_forward(b, mid, end, now, &beta, &run, &e, 1);
        aff_inv_finish(&e, &inv_a);
        aff_inv_start(&e, &run);
        aff_backward(b, 0, mid, now, inv_a, &e, quota);
    }
    if (prev_kind != AFF_END) {
        aff_inv_finish(&e, &inv_b);
        aff_backward(b, mid, end, prev_kind == AFF_ADD ? &prev : NULL, inv_b, &e, 0);
    }
}

#endif
