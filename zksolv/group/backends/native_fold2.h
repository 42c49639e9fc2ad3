/* Several inner-product rounds' generator folds at once (SPEC.md §2.3, §5.3; ipa.py).
 *
 * Included at the end of native.c. Two one-level folds with factors k (first round) and
 * k' (second) give, for the q outputs of the second,
 *     P''_j = P_j + k'·P_{j+q} + k·P_{j+2q} + k·k'·P_{j+3q}
 * (index j+t·q is term t; the caller computes the terms' scalars). zk_fold_terms computes
 * out_j = P_j + Σ_{t=1..T} k_t·P_{j+t·q} as one Straus sum per output: the ≈ 128 doublings
 * of the GLV halves are shared by the T terms instead of paid once per one-level fold. The
 * scalars are the same for every output, so the eight IFMA lanes share one control flow, as
 * in zk_fold; and so do the groups: two groups' ladders run as two dependency chains in
 * lockstep (CHAINS_MAX, native_ifma.h), which fills the ports a lone chain leaves idle.
 * Variable-time: for public points and public scalars only.
 */

enum { FOLD_TERMS_MAX = 7 };

/* acc = Σ_t k_t·P_t by the terms' shared NAF digits, from the T tables of odd multiples
 * at `tables` (eight entries a term, term after term). */
static void ladder_terms(gej *acc, const ge *tables, const fold_scalar *k, int terms) {
    int len = 0;
    for (int t = 0; t < terms; t++) len = k[t].len > len ? k[t].len : len;
    gej_set_inf(acc);
    for (int b = len - 1; b >= 0; b--) {
        gej_double(acc, acc);
        for (int t = 0; t < terms; t++) {
            if (k[t].naf1[b]) add_digit(acc, tables + 8 * t, k[t].naf1[b], k[t].neg1, 0);
            if (k[t].naf2[b]) add_digit(acc, tables + 8 * t, k[t].naf2[b], k[t].neg2, 1);
        }
    }
}

/* Σ_t k_t·P_{j+t·q} into res[i] for the n outputs j = first + i on the scalar path. */
static void fold_terms_scalar(const unsigned char *points, size_t q, size_t first, size_t n,
                              const fold_scalar *k, int terms, const fold_room *r, gej *res) {
    if (n == 0) return;
    for (size_t i = 0; i < n; i++)
        for (int t = 0; t < terms; t++)
            ge_from_bytes(&r->pts[i * terms + t], points + 64 * (first + i + (t + 1) * q));
    odd_multiples(r->jt, r->pts, n * terms);
    gej_to_ge_batch(r->table, r->jt, 8 * n * terms, r->prefix);
    for (size_t i = 0; i < n; i++) ladder_terms(&res[i], r->table + 8 * terms * i, k, terms);
}

/* out_j's own point P_j added to its sum, on the scalar path. */
static void add_own_point(gej *sum, const unsigned char *points, size_t j) {
    ge own;
    ge_from_bytes(&own, points + 64 * j);
    gej_add_ge(sum, sum, &own);
}

#if ZK_HAVE_IFMA
/* ladder_terms for n groups of eight outputs at once, one chain a group in lockstep: the
 * digits are the same for every output, so the groups share one control flow. Group c's
 * tables in lane form at tab8[c] (tab8[c][8t + e]: entry e of term t in every lane), its
 * outputs' own points P_j at lo[c], added last; its outputs to acc[c][0..7], the lanes that
 * met an exceptional addition to bad[c]. */
IFMA void ladder8_terms_n(gej *const acc[], const ge8 *const tab8[], const ge8 *lo,
                          const fold_scalar *k, int terms, __mmask8 *bad, int n) {
    fe8 beta;
    const fe *betas[8] = {&FE_BETA, &FE_BETA, &FE_BETA, &FE_BETA,
                          &FE_BETA, &FE_BETA, &FE_BETA, &FE_BETA};
    fe8_gather(&beta, betas);
    int len = 0;
    for (int t = 0; t < terms; t++) len = k[t].len > len ? k[t].len : len;
    gej8 a[CHAINS_MAX];
    const ge8 *tab[CHAINS_MAX];
    int empty = 1;
    EACH_CHAIN(c, n) bad[c] = 0;
    for (int b = len - 1; b >= 0; b--) {
        if (!empty) gej8_double_n(a, a, n);
        for (int t = 0; t < terms; t++) {
            EACH_CHAIN(c, n) tab[c] = tab8[c] + 8 * t;
            if (k[t].naf1[b])
                add_digit8_n(a, &empty, tab, k[t].naf1[b], k[t].neg1, 0, &beta, bad, n);
            if (k[t].naf2[b])
                add_digit8_n(a, &empty, tab, k[t].naf2[b], k[t].neg2, 1, &beta, bad, n);
        }
    }
    if (empty)
        EACH_CHAIN(c, n) {
            a[c].x = lo[c].x; a[c].y = lo[c].y;
            for (int i = 0; i < 5; i++) a[c].z.v[i] = bcast(FE_ONE.n[i]);
        }
    else
        gej8_add_ge8_n(a, a, lo, bad, n);
    EACH_CHAIN(c, n) ladder8_store(acc[c], &a[c], 0);
}

IFMA_FN void ladder8_terms_1(gej *const acc[], const ge8 *const tab8[], const ge8 *lo,
                             const fold_scalar *k, int terms, __mmask8 *bad) {
    ladder8_terms_n(acc, tab8, lo, k, terms, bad, 1);
}

IFMA_FN void ladder8_terms_2(gej *const acc[], const ge8 *const tab8[], const ge8 *lo,
                             const fold_scalar *k, int terms, __mmask8 *bad) {
    ladder8_terms_n(acc, tab8, lo, k, terms, bad, 2);
}

/* Points at..at+7 of `points` (x ‖ y, 64 bytes each) in lane form. */
static void lane_points(ge8 *r, const unsigned char *points, size_t at) {
    fe xs[8], ys[8];
    const fe *px[8], *py[8];
    for (int i = 0; i < 8; i++) {
        fe_from_be(&xs[i], points + 64 * (at + i));
        fe_from_be(&ys[i], points + 64 * (at + i) + 32);
        px[i] = &xs[i];
        py[i] = &ys[i];
    }
    fe8_gather(&r->x, px);
    fe8_gather(&r->y, py);
}


/* The ladders of lane groups g … g + n − 1 (n ≤ CHAINS_MAX) into res, the outputs' own
 * points included; an output whose lane met an exceptional addition is redone alone on the
 * scalar path. */
static void ladder_groups(const unsigned char *points, size_t q, size_t first, size_t g,
                          int n, const fold_scalar *k, int terms, const fold_room *r, gej *res) {
    gej *acc[CHAINS_MAX];
    const ge8 *tab8[CHAINS_MAX];
    ge8 lo[CHAINS_MAX];
    __mmask8 bad[CHAINS_MAX];
    for (int c = 0; c < n; c++) {
        acc[c] = res + 8 * (g + c);
        tab8[c] = r->tab8 + 8 * terms * (g + c);
        lane_points(&lo[c], points, first + 8 * (g + c));
    }
    if (n == 2) ladder8_terms_2(acc, tab8, lo, k, terms, bad);
    else ladder8_terms_1(acc, tab8, lo, k, terms, bad);
    for (int c = 0; c < n; c++)
        for (int i = 0; i < 8; i++)
            if (bad[c] >> i & 1) {
                size_t j = first + 8 * (g + c) + i;
                fold_terms_scalar(points, q, j, 1, k, terms, r, &acc[c][i]);
                add_own_point(&acc[c][i], points, j);
            }
}

/* 1 iff the kept table at `table` is that of the point at `xy`: its entry 0 is the point
 * (zk_ct_tables' entries are normalized; the rest follow from entry 0). */
static int kept_table_of(const ge *table, const unsigned char *xy) {
    unsigned char own[64];
    fe_pack_be(own, &table->x);
    fe_pack_be(own + 32, &table->y);
    return !table->inf && memcmp(own, xy, 64) == 0;
}

/* Lane tables of the block's groups from the term points' kept tables (zk_ct_tables:
 * entry j is (j + 1)·P, affine, normalized), so nothing is built or inverted: entry e of
 * term t of group g (tab8[8(g·terms + t) + e]) is, in lane i, entry 2e = (2e + 1)·P of the
 * table of point first + 8g + i + (t + 1)·q, `kept` holding the table of point 0 first.
 * Each table is checked to be its point's as it is read (kept_table_of: one pass over
 * memory); returns 0 at the first that is not, the tables then to be built. */
static int kept_lane_tables(ge8 *tab8, const unsigned char *points, const ge *kept, size_t q,
                            size_t first, size_t groups, int terms) {
    uint64_t lanes[8][2][5][8];   /* a term's eight entries in ge8 form: x, y limbs by lane */
    _Static_assert(sizeof lanes == 8 * sizeof(ge8), "ge8: x then y, five limbs of 8 lanes");
    for (size_t g = 0; g < groups; g++)
        for (int t = 0; t < terms; t++) {
            size_t at = first + 8 * g + (t + 1) * q;
            const ge *p = kept + CT_HALF * at;
            for (int i = 0; i < 8; i++) {   /* table by table, in memory order */
                if (!kept_table_of(p + CT_HALF * i, points + 64 * (at + i))) return 0;
                for (int e = 0; e < 8; e++)
                    for (int l = 0; l < 5; l++) {
                        lanes[e][0][l][i] = p[CT_HALF * i + 2 * e].x.n[l];
                        lanes[e][1][l][i] = p[CT_HALF * i + 2 * e].y.n[l];
                    }
            }
            memcpy(tab8 + 8 * (g * terms + t), lanes, sizeof lanes);
        }
    return 1;
}

/* The block's lane tables built here: odd multiples in Jacobian form, then affine with one
 * inversion a lane. Returns 0 if a table could not be made affine. */
static int built_lane_tables(const unsigned char *points, size_t q, size_t first,
                             size_t groups, int terms, const fold_room *r) {
    for (size_t g = 0; g < groups; g++)
        for (int t = 0; t < terms; t++) {
            ge8 p;
            ge8_load(&p, points + 64 * (first + 8 * g + (t + 1) * q));
            odd_multiples8(r->jt8 + 8 * (g * terms + t), &p);
        }
    return gej8_to_ge8_batch(r->tab8, r->jt8, 8 * groups * terms, r->prefix8);
}

/* The sums of the first n − n mod 8 outputs j = first + i, eight at a time on IFMA lanes,
 * two groups of eight in lockstep (an odd last group alone), into res; the tables from
 * `kept` where it is non-NULL (enough tables: kept_tables_enough) and they are the points'
 * (kept_lane_tables), else built. Returns how many it did: 0 if a table could not be made
 * affine. */
static size_t fold_terms_lanes(const unsigned char *points, size_t q, size_t first, size_t n,
                               const fold_scalar *k, int terms, const ge *kept,
                               const fold_room *r, gej *res) {
    size_t groups = n / 8;
    if (!(kept && kept_lane_tables(r->tab8, points, kept, q, first, groups, terms))
        && !built_lane_tables(points, q, first, groups, terms, r))
        return 0;
    for (size_t g = 0; g < groups; g += CHAINS_MAX) {
        int n_here = groups - g < CHAINS_MAX ? (int)(groups - g) : CHAINS_MAX;
        ladder_groups(points, q, first, g, n_here, k, terms, r, res);
    }
    return 8 * groups;
}
#endif

/* zk_fold_terms for the n ≤ block outputs j = first + i. */
static void fold_terms_block(const unsigned char *points, size_t q, size_t first, size_t n,
                             const fold_scalar *k, int terms, const ge *kept,
                             const fold_room *r, unsigned char *out, unsigned char *ok) {
    gej *res = r->res;
    size_t done = 0;
#if ZK_HAVE_IFMA
    if (simd_on()) done = fold_terms_lanes(points, q, first, n, k, terms, kept, r, res);
#else
    (void)kept;   /* only the lanes read the kept tables */
#endif
    fold_terms_scalar(points, q, first + done, n - done, k, terms, r, res + done);
    for (size_t i = done; i < n; i++) add_own_point(&res[i], points, first + i);   /* the lanes added theirs */
    gej_to_ge_batch(r->aff, res, n, r->prefix);
    for (size_t i = 0; i < n; i++) ok[i] = (unsigned char)ge_write(out + 64 * i, &r->aff[i]);
}

/* The terms' digits from their GLV halves and signs (as zk_fold_terms takes them). */
static void fold_scalars_of(fold_scalar *k, const unsigned char *halves, const unsigned char *negs,
                            int terms) {
    for (int t = 0; t < terms; t++) {
        memset(&k[t], 0, sizeof k[t]);
        int len1 = wnaf5(k[t].naf1, halves + 64 * t), len2 = wnaf5(k[t].naf2, halves + 64 * t + 32);
        k[t].len = len1 > len2 ? len1 : len2;
        k[t].neg1 = negs[2 * t] != 0;
        k[t].neg2 = negs[2 * t + 1] != 0;
    }
}

/* 1 iff `kept` can hold the kept tables (zk_ct_tables) of all (terms + 1)·q points at
 * `points`: `count` tables from there, with entries up to 15·P (CT_HALF ≥ 15). That they
 * are these points' tables is checked as they are read (kept_lane_tables); anything else
 * (too few, another vector's, these shifted) is never used: the fold builds its tables. */
static int kept_tables_enough(size_t q, int terms, const ge *kept, size_t count) {
    return kept && CT_HALF >= 15 && count >= (size_t)(terms + 1) * q;
}

/* zk_fold_terms, the lane tables of the terms' points taken from their kept tables where
 * those fit (kept_tables_enough, kept_lane_tables: `kept` the table of the point at
 * `points`, `count` tables from there; NULL for none) and the kernel runs on IFMA lanes: the same outputs without
 * building and inverting the odd multiples. The portable path builds them. */
int zk_fold_terms_kept(const unsigned char *points, size_t q, int terms,
                       const unsigned char *halves, const unsigned char *negs, const ge *kept,
                       size_t count, unsigned char *out, unsigned char *ok) {
    if (terms < 1 || terms > FOLD_TERMS_MAX) return -2;
    fold_scalar k[FOLD_TERMS_MAX];
    fold_scalars_of(k, halves, negs, terms);
    if (!kept_tables_enough(q, terms, kept, count)) kept = NULL;
    /* A block's tables as zk_fold's, and whole pairs of lane groups (none left alone). */
    size_t block = FOLD_BLOCK / (size_t)terms / (8 * CHAINS_MAX) * (8 * CHAINS_MAX);
    block = q < block ? (q ? q : 1) : block;
    unsigned char *room = scratch_get(fold_room_bytes(block * (size_t)terms));
    if (!room) return -1;
    fold_room r = fold_room_carve(room, block * (size_t)terms);   /* r.res: ≥ block */
    for (size_t at = 0; at < q; at += block) {
        size_t count_here = q - at < block ? q - at : block;
        fold_terms_block(points, q, at, count_here, k, terms, kept, &r, out + 64 * at, ok + at);
    }
    scratch_put(room);
    return 0;
}

/* out_j = P_j + Σ_{t=1..terms} k_t·P_{j+t·q} for j < q, from the (terms + 1)·q points at
 * `points`; k_t = ±h1 ± h2·λ given by its GLV halves: magnitudes at halves + 64·(t−1)
 * (32 bytes big-endian each, h1 then h2) and signs negs[2(t−1)], negs[2(t−1) + 1]. As in
 * zk_fold, an identity output is zeros flagged 0 in `ok`. Returns −1 on no memory, −2 for
 * a number of terms outside 1..FOLD_TERMS_MAX. */
int zk_fold_terms(const unsigned char *points, size_t q, int terms, const unsigned char *halves,
                  const unsigned char *negs, unsigned char *out, unsigned char *ok) {
    return zk_fold_terms_kept(points, q, terms, halves, negs, NULL, 0, out, ok);
}

/* out_i = in_i·k mod n for `count` scalars below n (32 bytes big-endian each, as k): the
 * inner-product argument's MSM scalars for points a fold was deferred over. Public data. */
int zk_sc_scale(const unsigned char *in, size_t count, const unsigned char *k_be,
                unsigned char *out) {
    ctsc k, x, r;
    ctsc_from_be(&k, k_be);                 /* k·2^256: a product with it leaves the form */
    for (size_t i = 0; i < count; i++) {
        for (int w = 0; w < 4; w++) {
            x.v[w] = 0;
            for (int j = 0; j < 8; j++) x.v[w] = (x.v[w] << 8) | in[32 * i + (3 - w) * 8 + j];
        }
        ctsc_mul(&r, &x, &k);
        for (int w = 0; w < 4; w++)
            for (int j = 0; j < 8; j++)
                out[32 * i + (3 - w) * 8 + j] = (unsigned char)(r.v[w] >> (56 - 8 * j));
    }
    return 1;
}
