/* The margin audit's per-leaf point work in the kernel (SPEC.md §6.13–§6.15;
 * zksolv/accounts/fastaudit.py is the only caller, the pure-Python path its reference).
 *
 * An audit work unit of 64 margin leaves decodes ≈ 4,400 points and derives, per leaf, every
 * claim commitment that is not a slot itself (room claims width·G − E, the scenario values
 * Σ k·slot with their low limbs X_0 = X − Σ 2^(64·i)·X_i) and the account-tree node points
 * (E[a] = Σ_t E[a][t], sums of sums up the unit's subtree). One Python call per point or
 * per sum cost more than the arithmetic; here each is one call per unit, and every result
 * of a call is made affine with one field inversion (Montgomery's trick, gej_to_ge_batch).
 *
 * Public data only (commitments, the layout's public coefficients): variable time.
 */

/* Decodes `n` 33-byte compressed SEC1 points (SPEC.md §2.2) into 64-byte x ‖ y each, with
 * zk_lift_x's checks (prefix 02/03, x < p, x³ + 7 a square). Returns how many decoded
 * before the first one refused: n when all are points. */
size_t zk_decode_many(const unsigned char *in, size_t n, unsigned char *out) {
    for (size_t i = 0; i < n; i++) {
        const unsigned char *p = in + 33 * i;
        if ((p[0] != 2 && p[0] != 3) || !zk_lift_x(p + 1, p[0] & 1, out + 64 * i)) return i;
    }
    return n;
}

enum { MG_MAX_DIGITS = 257 };

/* Σ d·P of one combination by the interleaved (Straus) double-and-add: term j adds
 * naf[j][b]·P_j at bit b, its digits d ∈ {−1, 0, 1} lowest first, len[j] of them. */
static void mg_combine(gej *acc, const ge *const *pts, const signed char *const *naf, const int *len,
                       size_t terms) {
    int top = 0;
    for (size_t j = 0; j < terms; j++) if (len[j] > top) top = len[j];
    gej_set_inf(acc);
    for (int b = top - 1; b >= 0; b--) {
        gej_double(acc, acc);
        for (size_t j = 0; j < terms; j++) {
            int d = b < len[j] ? naf[j][b] : 0;
            if (!d) continue;
            ge p = *pts[j];
            if (d < 0) fe_neg(&p.y, &p.y);
            gej_add_ge(acc, acc, &p);
        }
    }
}

/* Evaluates a linear-combination program on every leaf of a unit, all results affine.
 *
 * points: `leaves` × `per_leaf` points (64 bytes each, decoded: on the curve), leaf-major;
 * consts: `nconsts` further points every leaf shares (e.g. width·G). The program has
 * `outputs` combinations; combination o has counts[o] terms, taken in order from sources[]
 * (index < per_leaf: the leaf's point; per_leaf + c: consts[c]) and lens[] (the term's
 * digit count ≤ MG_MAX_DIGITS); the terms' signed digits (each −1, 0 or 1, lowest first:
 * the coefficient's non-adjacent form, negated for a subtracted term) follow one another
 * in digits[], `ndigits` of them in all (more asked by lens[] is refused). Writes out[(leaf·outputs + o)·64] and ok[leaf·outputs + o] (0 where the
 * result is the identity, its 64 bytes then zero). Returns 1; 0 (nothing written) if a
 * count, source, length or digit is out of range; −1 on no memory. */
int zk_margin_eval(const unsigned char *points, size_t per_leaf, size_t leaves,
                   const unsigned char *consts, size_t nconsts, const int *counts, size_t outputs,
                   const int *sources, const int *lens, const signed char *digits, size_t ndigits,
                   unsigned char *out, unsigned char *ok) {
    size_t terms = 0, widest = 0, total = 0;
    for (size_t o = 0; o < outputs; o++) {
        if (counts[o] < 0) return 0;
        terms += (size_t)counts[o];
        if ((size_t)counts[o] > widest) widest = (size_t)counts[o];
    }
    for (size_t t = 0; t < terms; t++) {
        if (sources[t] < 0 || (size_t)sources[t] >= per_leaf + nconsts) return 0;
        if (lens[t] < 0 || lens[t] > MG_MAX_DIGITS || (size_t)lens[t] > ndigits - total) return 0;
        for (int b = 0; b < lens[t]; b++) if (digits[total + (size_t)b] < -1 || digits[total + (size_t)b] > 1) return 0;
        total += (size_t)lens[t];
    }
    size_t results = leaves * outputs, held = per_leaf + nconsts;
    unsigned char *room = scratch_get(carved(terms, sizeof(signed char *)) + carved(held, sizeof(ge))
                                      + carved(widest, sizeof(ge *)) + carved(results, sizeof(gej))
                                      + carved(results, sizeof(ge)) + carved(results, sizeof(fe)));
    if (!room) return -1;
    unsigned char *cursor = room;
    const signed char **naf = carve(&cursor, terms, sizeof(signed char *));
    ge *pts = carve(&cursor, held, sizeof(ge));
    const ge **picked = carve(&cursor, widest, sizeof(ge *));
    gej *acc = carve(&cursor, results, sizeof(gej));
    ge *aff = carve(&cursor, results, sizeof(ge));
    fe *prefix = carve(&cursor, results, sizeof(fe));
    for (size_t t = 0, at = 0; t < terms; at += (size_t)lens[t], t++) naf[t] = digits + at;
    for (size_t c = 0; c < nconsts; c++) ge_from_bytes(&pts[per_leaf + c], consts + 64 * c);
    for (size_t l = 0; l < leaves; l++) {
        for (size_t i = 0; i < per_leaf; i++) ge_from_bytes(&pts[i], points + 64 * (l * per_leaf + i));
        for (size_t o = 0, t = 0; o < outputs; t += (size_t)counts[o], o++) {
            for (int j = 0; j < counts[o]; j++) picked[j] = &pts[sources[t + (size_t)j]];
            mg_combine(&acc[l * outputs + o], picked, naf + t, lens + t, (size_t)counts[o]);
        }
    }
    gej_to_ge_batch(aff, acc, results, prefix);
    for (size_t r = 0; r < results; r++) ok[r] = (unsigned char)ge_write(out + 64 * r, &aff[r]);
    scratch_put(room);
    return 1;
}

/* One level of a subtree of nodes `width` points wide: node g of the output is the
 * pointwise sum of nodes 2g and 2g + 1 of `in` (`groups` output nodes). ok as above.
 * Returns 1; −1 on no memory. */
int zk_sum_pairs(const unsigned char *in, size_t groups, size_t width, unsigned char *out,
                 unsigned char *ok) {
    size_t results = groups * width;
    unsigned char *room = scratch_get(carved(results, sizeof(gej)) + carved(results, sizeof(ge))
                                      + carved(results, sizeof(fe)));
    if (!room) return -1;
    unsigned char *cursor = room;
    gej *acc = carve(&cursor, results, sizeof(gej));
    ge *aff = carve(&cursor, results, sizeof(ge));
    fe *prefix = carve(&cursor, results, sizeof(fe));
    for (size_t g = 0; g < groups; g++)
        for (size_t q = 0; q < width; q++) {
            ge a, b;
            ge_from_bytes(&a, in + 64 * (2 * g * width + q));
            ge_from_bytes(&b, in + 64 * ((2 * g + 1) * width + q));
            gej_set_ge(&acc[g * width + q], &a);
            gej_add_ge(&acc[g * width + q], &acc[g * width + q], &b);
        }
    gej_to_ge_batch(aff, acc, results, prefix);
    for (size_t r = 0; r < results; r++) ok[r] = (unsigned char)ge_write(out + 64 * r, &aff[r]);
    scratch_put(room);
    return 1;
}
