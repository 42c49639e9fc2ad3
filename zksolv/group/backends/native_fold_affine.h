/* The generator folds' ladders with affine accumulators, one inversion a step for all the
 * outputs of two folds at once (SPEC.md §2.3, §5.3; native_fold2.h, zk_fold_terms_pair).
 *
 * Included by native.c after native_fold2.h. Every output of one fold shares its scalars,
 * so its digits: its ladder is the same sequence of steps (a doubling, or the addition of
 * entry e of term t's table) for every output. Here each output's accumulator stays affine
 * and a step runs over all the lane groups at once: the slopes' denominators of every group
 * and lane are inverted together by Montgomery's trick (prefix products lane-wise, one
 * scalar inversion of the eight lanes' product, the backward pass). An affine doubling then
 * costs 2M + 2S and an addition 2M + 1S, plus the trick's 3M, against 2M + 5S and 7M + 4S
 * in Jacobian form; the inversion (≈ 1.2 µs by native_modinv.h's divsteps) is shared by
 * the groups, so this pays only for enough of them (AFF_MIN_GROUPS). The two folds of a round pair (G's and H's: other scalars,
 * other digits) share the steps: step i is step i of each fold's own ladder, a doubling in
 * one and an addition in the other as it comes.
 *
 * A lane whose denominator is 0 (an addition of ±its own accumulator: a doubling or the
 * identity) gets 1 in its place, so that the other lanes' inverses stay right, and is
 * flagged bad: its output is garbage from there and is redone on the scalar path.
 * Variable-time: for public points and public scalars only.
 */
#if ZK_HAVE_IFMA

/* Lane groups a fold needs from here for the affine ladder to win (bench/RESULTS.md, "A
 * variable-time inversion for the affine folds"): the scalar inversion a step (≈ 1.2 µs,
 * with the eight lanes' products ≈ 1.5 µs) against ≈ 45 ns saved a group; two folds of 32
 * groups (q = 256) measured −15 % against the Jacobian ladders, of 16 groups −2 %, of 8
 * groups +22 %. The tests lower it (zk_fold_affine_min) to run the affine ladders on small
 * folds. */
enum { AFF_MIN_GROUPS = 16 };
static int aff_min_groups = AFF_MIN_GROUPS;

/* The accumulators of all the folds' lane groups and one step's room: denominators and
 * prefix products, one a group; bad[g], the lanes of group g that met a zero denominator. */
typedef struct {
    ge8 *acc;
    fe8 *den, *prefix;
    __mmask8 *bad;
} aff_batch;

/* A step's operand for each group g: entry `entry` of g's table at tab + g·stride (g counted
 * over all the folds' groups), as it is, λ·(x, y) = (β·x, y) if endo (β·x from bx, laid out
 * as tab), negated if negate. */
typedef struct {
    const ge8 *tab;
    const fe8 *bx;
    size_t stride;
    int entry, endo, negate;
} aff_operand;

/* One fold's share of a step: its groups g0 … g1 − 1 doubled (op NULL) or added op. */
typedef struct {
    size_t g0, g1;
    const aff_operand *op;
} aff_part;

/* ---- one scalar inversion for eight lanes ------------------------------------------- */

/* 1/a in every lane by one scalar inversion of the lanes' product (Montgomery's trick over
 * the eight lanes), in variable time (native_modinv.h: the fold's points are public). No
 * lane may be 0 (aff_keep_den puts 1 in place of a zero denominator). */
static void fe8_inv_lanes(fe8 *r, const fe8 *a) {
    fe lane[8], run[8], inv, out[8];
    fe *lanes[8];
    const fe *outs[8];
    for (int i = 0; i < 8; i++) { lanes[i] = &lane[i]; outs[i] = &out[i]; }
    fe8_scatter(lanes, a);
    run[0] = lane[0];
    for (int i = 1; i < 8; i++) fe_mul(&run[i], &run[i - 1], &lane[i]);
    fe_inv_var(&inv, &run[7]);
    for (int i = 7; i > 0; i--) {
        fe_mul(&out[i], &inv, &run[i - 1]);
        fe_mul(&inv, &inv, &lane[i]);
    }
    out[0] = inv;
    fe8_gather(r, outs);
}

/* ---- a step: forward pass, one inversion, backward pass ------------------------------ */

/* Group g's operand: its table entry, through the endomorphism and the sign. */
IFMA void aff_operand_of(ge8 *q, const aff_operand *op, size_t g) {
    size_t at = g * op->stride + (size_t)op->entry;
    q->x = op->endo ? op->bx[at] : op->tab[at].x;
    q->y = op->tab[at].y;
    if (op->negate) {
        fe8 zero;
        for (int l = 0; l < 5; l++) zero.v[l] = _mm512_setzero_si512();
        fe8_sub(&q->y, &zero, &q->y);
    }
}

/* den kept as den[g] for the backward pass, its zero lanes flagged bad and replaced by 1,
 * and chained into the prefix products: prefix[g] = the product so far, *run times den. */
IFMA void aff_keep_den(aff_batch *b, size_t g, const fe8 *den, fe8 *run) {
    fe8 d = *den;
    __mmask8 zero = fe8_zero_lanes(&d);
    if (zero) {
        b->bad[g] |= zero;
        for (int l = 0; l < 5; l++)
            d.v[l] = _mm512_mask_blend_epi64(zero, d.v[l], bcast(FE_ONE.n[l]));
    }
    b->den[g] = d;
    b->prefix[g] = *run;
    fe8_mul(run, run, &d);
}

/* Forward pass over a part: the slopes' denominators (2y for a doubling, x2 − x1 for an
 * addition) kept and multiplied into *run. */
IFMA_FN void aff_forward(aff_batch *b, const aff_part *part, fe8 *run) {
    for (size_t g = part->g0; g < part->g1; g++) {
        fe8 den;
        if (part->op) {
            ge8 q;
            aff_operand_of(&q, part->op, g);
            fe8_sub(&den, &q.x, &b->acc[g].x);
        } else {
            fe8_add(&den, &b->acc[g].y, &b->acc[g].y);
        }
        aff_keep_den(b, g, &den, run);
    }
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

/* Backward pass over a part, from *inv = 1/(product of the denominators up to its last
 * group), left at 1/(those before its first): a doubling (λ = 3x²/(2y), x3 = λ² − 2x) or
 * an addition (λ = (y2 − y1)/den, x3 = λ² − x1 − x2 with x1 + x2 = den + 2·x1). */
IFMA_FN void aff_backward(aff_batch *b, const aff_part *part, fe8 *inv) {
    aff_operand plain = {0};
    if (part->op) { plain = *part->op; plain.endo = 0; }   /* y2 only: x2 is in den */
    for (size_t g = part->g1; g-- > part->g0;) {
        ge8 *a = &b->acc[g];
        fe8 each, lambda, s;
        fe8_mul(&each, inv, &b->prefix[g]);   /* 1/den[g] */
        fe8_mul(inv, inv, &b->den[g]);
        if (part->op) {
            ge8 q;
            aff_operand_of(&q, &plain, g);
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

/* One step for `n` parts with one inversion. */
IFMA_FN void aff_step(aff_batch *b, const aff_part *parts, int n) {
    fe8 run, inv;
    fe8_one(&run);
    for (int p = 0; p < n; p++) aff_forward(b, &parts[p], &run);
    fe8_inv_lanes(&inv, &run);
    for (int p = n; p-- > 0;) aff_backward(b, &parts[p], &inv);
}

/* A part's groups set to its operand (a fold's first digit: nothing to add it to). */
IFMA_FN void aff_set(aff_batch *b, const aff_part *part) {
    for (size_t g = part->g0; g < part->g1; g++) aff_operand_of(&b->acc[g], part->op, g);
}

/* ---- the ladders of several folds, step by step --------------------------------------- */

/* bx[i] = β·tab[i].x for `count` table entries: the endomorphism's x once an entry, not
 * once a use (about 64 uses a group for three terms). */
IFMA_FN void aff_beta_x(fe8 *bx, const ge8 *tab, size_t count) {
    fe8 beta;
    const fe *betas[8] = {&FE_BETA, &FE_BETA, &FE_BETA, &FE_BETA,
                          &FE_BETA, &FE_BETA, &FE_BETA, &FE_BETA};
    fe8_gather(&beta, betas);
    for (size_t i = 0; i < count; i++) fe8_mul(&bx[i], &tab[i].x, &beta);
}

enum { AFF_END, AFF_DOUBLE, AFF_ADD, AFF_SET };

/* One fold in the batch and where its ladder is: its groups g0 … g1 − 1 (counted over all
 * the folds' groups; their tables at tab8 + 8·terms·g and β·x at bx likewise, own points at
 * lo + g), its scalars, and the next step: slot 0 of `bit` is the doubling (once something
 * was added), slot 1 + 2t + h the digit of term t's half h; after bit 0, the own points'
 * addition. */
typedef struct {
    size_t g0, g1;
    const fold_scalar *k;
    const ge8 *tab8, *lo;
    const fe8 *bx;
    int terms, bit, slot, started, own_done;
} aff_fold;

static aff_fold aff_fold_at(size_t g0, size_t g1, const fold_scalar *k, int terms,
                            const ge8 *tab8, const fe8 *bx, const ge8 *lo) {
    aff_fold f = {g0, g1, k, tab8, lo, bx, terms, 0, 0, 0, 0};
    for (int t = 0; t < terms; t++) f.bit = k[t].len > f.bit ? k[t].len : f.bit;
    f.bit--;
    return f;
}

/* The operand of digit d of term t's half `half`. */
static aff_operand aff_digit(const aff_fold *f, int t, int half, int d) {
    int neg = half ? f->k[t].neg2 : f->k[t].neg1;
    aff_operand op = {f->tab8, f->bx, 8 * (size_t)f->terms, 8 * t + (abs(d) - 1) / 2, half,
                      (d < 0) != neg};
    return op;
}

/* The fold's next step: its kind (AFF_SET for its first operand: nothing to add it to yet)
 * and operand. Each fold's steps are in the order of its own ladder. */
static int aff_next(aff_fold *f, aff_operand *op) {
    while (f->bit >= 0) {
        int slot = f->slot++;
        if (slot > 2 * f->terms) { f->bit--; f->slot = 0; continue; }
        if (slot == 0) {
            if (f->started) return AFF_DOUBLE;
            continue;
        }
        int t = (slot - 1) / 2, half = (slot - 1) % 2;
        int d = half ? f->k[t].naf2[f->bit] : f->k[t].naf1[f->bit];
        if (!d) continue;
        *op = aff_digit(f, t, half, d);
        return f->started++ ? AFF_ADD : AFF_SET;
    }
    if (f->own_done++) return AFF_END;
    aff_operand own = {f->lo, NULL, 1, 0, 0, 0};
    *op = own;
    return f->started++ ? AFF_ADD : AFF_SET;
}

/* The fold's next batch step as a part (1), its first operand set first; 0 at its end. */
IFMA_FN int aff_next_part(aff_batch *b, aff_fold *f, aff_operand *op, aff_part *part) {
    int kind = aff_next(f, op);
    aff_part mine = {f->g0, f->g1, op};
    if (kind == AFF_SET) {
        aff_set(b, &mine);
        kind = aff_next(f, op);
    }
    if (kind == AFF_END) return 0;
    mine.op = kind == AFF_ADD ? op : NULL;
    *part = mine;
    return 1;
}

/* For n ≤ 2 folds, acc_g = lo_g + Σ_t k_t·P_t for each group g, from the groups' lane tables
 * (entry e of term t of group g at tab8[8·(g·terms + t) + e]) and their outputs' own points,
 * added last; lanes that met a zero denominator flagged in b->bad (cleared first). Each
 * step is the next step of every fold's ladder that has one (a doubling for one, an
 * addition for the other, as it comes): one inversion for all. */
IFMA_FN void aff_ladders(aff_batch *b, aff_fold *folds, int n) {
    memset(b->bad + folds[0].g0, 0, (folds[n - 1].g1 - folds[0].g0) * sizeof *b->bad);
    aff_operand ops[2];
    aff_part parts[2];
    for (;;) {
        int count = 0;
        for (int f = 0; f < n; f++)
            count += aff_next_part(b, &folds[f], &ops[count], &parts[count]);
        if (!count) return;
        aff_step(b, parts, count);
    }
}

/* ---- G's and H's folds of a round pair in one batch ------------------------------------ */

/* The pair's room: the scalar path's for one output (redoing a bad lane), the two folds'
 * lane tables (tab8: fold a's, then b's; bx, their β·x) and the building of one fold's (jt8,
 * prefix8), the accumulators, own points, denominators, prefix products and bad lanes of
 * all groups. */
typedef struct {
    fold_room r;
    aff_batch b;
    ge8 *lo;
    fe8 *bx;
} aff_room;

static size_t aff_room_bytes(size_t groups, int terms) {
    size_t entries = 8 * groups * (size_t)terms;   /* one fold's lane table entries */
    return fold_room_bytes((size_t)terms) + carved(2 * entries, sizeof(ge8))
           + carved(2 * entries, sizeof(fe8)) + carved(entries, sizeof(gej8))
           + carved(entries, sizeof(fe8))
           + 2 * carved(2 * groups, sizeof(ge8)) + 2 * carved(2 * groups, sizeof(fe8))
           + carved(2 * groups, sizeof(__mmask8));
}

static aff_room aff_room_carve(unsigned char *cursor, size_t groups, int terms) {
    size_t entries = 8 * groups * (size_t)terms;
    aff_room a;
    a.r = fold_room_carve(cursor, (size_t)terms);
    cursor += fold_room_bytes((size_t)terms);
    a.r.tab8 = carve(&cursor, 2 * entries, sizeof(ge8));
    a.bx = carve(&cursor, 2 * entries, sizeof(fe8));
    a.r.jt8 = carve(&cursor, entries, sizeof(gej8));
    a.r.prefix8 = carve(&cursor, entries, sizeof(fe8));
    a.b.acc = carve(&cursor, 2 * groups, sizeof(ge8));
    a.lo = carve(&cursor, 2 * groups, sizeof(ge8));
    a.b.den = carve(&cursor, 2 * groups, sizeof(fe8));
    a.b.prefix = carve(&cursor, 2 * groups, sizeof(fe8));
    a.b.bad = carve(&cursor, 2 * groups, sizeof(__mmask8));
    return a;
}

/* Fold f's lane tables (at tab8 + f·8·groups·terms) from its points' kept tables where they
 * fit (as zk_fold_terms_kept), else built; and its groups' own points. 0 if a table could
 * not be made affine. */
static int aff_fold_tables(const aff_room *a, int f, const unsigned char *points, size_t q,
                           int terms, const ge *kept, size_t count) {
    size_t groups = q / 8;
    fold_room r = a->r;
    r.tab8 += (size_t)f * 8 * groups * (size_t)terms;
    for (size_t g = 0; g < groups; g++) lane_points(&a->lo[f * groups + g], points, 8 * g);
    if (kept_tables_enough(q, terms, kept, count)
        && kept_lane_tables(r.tab8, points, kept, q, 0, groups, terms))
        return 1;
    return built_lane_tables(points, q, 0, groups, terms, &r);
}

/* Fold f's outputs from its groups' accumulators, as zk_fold_terms writes them; a bad lane's
 * output redone alone on the scalar path (the identity there: zeros, flagged 0). */
static void aff_fold_outputs(const aff_room *a, int f, const unsigned char *points, size_t q,
                             const fold_scalar *k, int terms, unsigned char *out,
                             unsigned char *ok) {
    size_t groups = q / 8;
    for (size_t g = 0; g < groups; g++) {
        fe xs[8], ys[8];
        fe *px[8], *py[8];
        for (int i = 0; i < 8; i++) { px[i] = &xs[i]; py[i] = &ys[i]; }
        fe8_scatter(px, &a->b.acc[f * groups + g].x);
        fe8_scatter(py, &a->b.acc[f * groups + g].y);
        for (int i = 0; i < 8; i++) {
            size_t j = 8 * g + (size_t)i;
            if (a->b.bad[f * groups + g] >> i & 1) {
                gej sum;
                fold_terms_scalar(points, q, j, 1, k, terms, &a->r, &sum);
                add_own_point(&sum, points, j);
                ok[j] = (unsigned char)gej_write(out + 64 * j, &sum);
            } else {
                fe_to_be(out + 64 * j, &xs[i]);
                fe_to_be(out + 64 * j + 32, &ys[i]);
                ok[j] = 1;
            }
        }
    }
}

/* zk_fold_terms_pair on the affine ladders (q a multiple of 8): 0 done, −1 no memory, 1 if a
 * table could not be made affine (nothing written: the caller folds another way). */
static int aff_fold_pair(const unsigned char *const points[2], size_t q, int terms,
                         const fold_scalar *const k[2], const ge *const kept[2],
                         const size_t count[2], unsigned char *out, unsigned char *ok) {
    size_t groups = q / 8;
    unsigned char *room = scratch_get(aff_room_bytes(groups, terms));
    if (!room) return -1;
    aff_room a = aff_room_carve(room, groups, terms);
    int made = 1;
    for (int f = 0; f < 2 && made; f++)
        made = aff_fold_tables(&a, f, points[f], q, terms, kept[f], count[f]);
    if (made) {
        aff_beta_x(a.bx, a.r.tab8, 2 * 8 * groups * (size_t)terms);
        aff_fold folds[2] = {aff_fold_at(0, groups, k[0], terms, a.r.tab8, a.bx, a.lo),
                             aff_fold_at(groups, 2 * groups, k[1], terms, a.r.tab8, a.bx, a.lo)};
        aff_ladders(&a.b, folds, 2);
        for (int f = 0; f < 2; f++)
            aff_fold_outputs(&a, f, points[f], q, k[f], terms, out + 64 * q * f, ok + q * f);
    }
    scratch_put(room);
    return made ? 0 : 1;
}
#endif

/* Two folds of q outputs each at once, as two calls of zk_fold_terms_kept would give: fold a
 * over points_a (its terms' halves and signs first in `halves`, `negs`; its kept tables
 * kept_a, count_a) into out[0, 64q) and ok[0, q), fold b likewise after them. On IFMA lanes
 * and for folds of AFF_MIN_GROUPS groups or more, their ladders run affine in one batch
 * (aff_ladders: G's and H's folds of a round pair, SPEC.md §5.3); else one after the other.
 * Returns 1 for the affine batch, 0 for one fold after the other, −1 on no memory, −2 for a
 * number of terms outside 1..FOLD_TERMS_MAX. */
int zk_fold_terms_pair(const unsigned char *points_a, const unsigned char *points_b, size_t q,
                       int terms, const unsigned char *halves, const unsigned char *negs,
                       const ge *kept_a, size_t count_a, const ge *kept_b, size_t count_b,
                       unsigned char *out, unsigned char *ok) {
    if (terms < 1 || terms > FOLD_TERMS_MAX) return -2;
#if ZK_HAVE_IFMA
    if (simd_on() && q % 8 == 0 && q / 8 >= (size_t)aff_min_groups) {
        fold_scalar ka[FOLD_TERMS_MAX], kb[FOLD_TERMS_MAX];
        fold_scalars_of(ka, halves, negs, terms);
        fold_scalars_of(kb, halves + 64 * terms, negs + 2 * terms, terms);
        const unsigned char *points[2] = {points_a, points_b};
        const fold_scalar *k[2] = {ka, kb};
        const ge *kept[2] = {kept_a, kept_b};
        size_t count[2] = {count_a, count_b};
        int status = aff_fold_pair(points, q, terms, k, kept, count, out, ok);
        if (status < 0) return status;
        if (status == 0) return 1;
    }
#endif
    int status = zk_fold_terms_kept(points_a, q, terms, halves, negs, kept_a, count_a, out, ok);
    if (status < 0) return status;
    return zk_fold_terms_kept(points_b, q, terms, halves + 64 * terms, negs + 2 * terms, kept_b,
                              count_b, out + 64 * q, ok + q);
}

/* The lane groups a fold needs for zk_fold_terms_pair's affine ladders: set to `groups` if
 * it is 1 or more, back to AFF_MIN_GROUPS if 0, only asked if −1; returns the value after the
 * call (0 where the kernel has no IFMA lanes). For the tests. */
int zk_fold_affine_min(int groups) {
#if ZK_HAVE_IFMA
    if (groups == 0) aff_min_groups = AFF_MIN_GROUPS;
    else if (groups > 0) aff_min_groups = groups;
    return aff_min_groups;
#else
    (void)groups;
    return 0;
#endif
}
