/* S on eight lanes: the constant-time Straus of native_ct.h, eight points at a time
 * (SPEC.md §2.3, §5.3). A template: native_lanes.h includes it once per set of lane words
 * (V8, M8, CT8_OP(…)), naming everything CT8(…), and undefines those parameters at its end;
 * no include guard on purpose.
 *
 * Lane i of a block holds points 8g + i (group g); each lane has its own accumulators (one
 * for each run of CT8_RUN windows, CT8_PARTS runs), so a window's doublings are shared by
 * the lane's points and the eight lanes run side by side. Per window step and group: the
 * signed digits' table entries for all runs are selected by one scan of the CT_HALF entries
 * (equality masks, blends; x and y packed as 64-bit words there, unpacked once taken), y
 * negated by blend where the digit is negative,
 * the entry added by the complete mixed formula (RCB Algorithm 8) and the sum kept by blend
 * where the digit is nonzero. The digits themselves are recoded eight scalars at a time, one
 * a lane (lane_digits). Blocks' lane sums are added by the complete formula (RCB
 * Algorithm 7), the runs joined by doublings (join_parts) and the eight lanes joined at the
 * end on the scalar path. Homogeneous
 * projective coordinates, identity (0 : 1 : 0), as native_ct.h.
 */

typedef struct { V8 v[5]; } CT8(fe);
typedef struct { CT8(fe) x, y, z; } CT8(gep);

/* Bits ≥ 256 of limb 4 fold back as ·R256, then one carry pass: limbs below 2^63 in, tight
 * out. */
CT8_IN void CT8(fe_carry)(CT8(fe) *r) {
    V8 top = CT8_OP(srli)(r->v[4], 48);
    r->v[4] = CT8_OP(and)(r->v[4], CT8_OP(set1)(M48));
    r->v[0] = CT8_OP(madd52lo)(r->v[0], top, CT8_OP(set1)(R256));
    for (int i = 0; i < 4; i++) {
        V8 c = CT8_OP(srli)(r->v[i], 52);
        r->v[i] = CT8_OP(and)(r->v[i], CT8_OP(set1)(M52));
        r->v[i + 1] = CT8_OP(add)(r->v[i + 1], c);
    }
}

CT8_IN void CT8(fe_add)(CT8(fe) *r, const CT8(fe) *a, const CT8(fe) *b) {
    for (int i = 0; i < 5; i++) r->v[i] = CT8_OP(add)(a->v[i], b->v[i]);
    CT8(fe_carry)(r);
}

/* a − b as a + 4p − b (b tight). */
CT8_IN void CT8(fe_sub)(CT8(fe) *r, const CT8(fe) *a, const CT8(fe) *b) {
    static const uint64_t four_p[5] = {4 * 0xFFFFEFFFFFC2FULL, 4 * M52, 4 * M52, 4 * M52,
                                       4 * M48};
    for (int i = 0; i < 5; i++)
        r->v[i] = CT8_OP(sub)(CT8_OP(add)(a->v[i], CT8_OP(set1)(four_p[i])), b->v[i]);
    CT8(fe_carry)(r);
}

/* a·k for a public k < 64, by shifts and additions. */
CT8_IN void CT8(fe_mul_small)(CT8(fe) *r, const CT8(fe) *a, unsigned k) {
    CT8(fe) t;
    for (int i = 0; i < 5; i++) t.v[i] = CT8_OP(zero)();
    for (int s = 0; s < 6; s++)
        if (k >> s & 1)
            for (int i = 0; i < 5; i++) t.v[i] = CT8_OP(add)(t.v[i], CT8_OP(slli)(a->v[i], s));
    *r = t;
    CT8(fe_carry)(r);
}

/* a·b: 25 limb products as 52-bit halves into columns c_0..c_9, then c_5..c_9 folded back
 * by 2^260 ≡ R260. */
CT8_IN void CT8(fe_mul)(CT8(fe) *r, const CT8(fe) *a, const CT8(fe) *b) {
    V8 c[10];
    for (int k = 0; k < 10; k++) c[k] = CT8_OP(zero)();
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 5; j++) {
            c[i + j] = CT8_OP(madd52lo)(c[i + j], a->v[i], b->v[j]);
            c[i + j + 1] = CT8_OP(madd52hi)(c[i + j + 1], a->v[i], b->v[j]);
        }
    for (int k = 5; k < 9; k++) {
        c[k + 1] = CT8_OP(add)(c[k + 1], CT8_OP(srli)(c[k], 52));
        c[k] = CT8_OP(and)(c[k], CT8_OP(set1)(M52));
    }
    V8 r260 = CT8_OP(set1)(R260), over = CT8_OP(zero)();
    for (int k = 0; k < 5; k++) {
        c[k] = CT8_OP(madd52lo)(c[k], c[k + 5], r260);
        if (k < 4) c[k + 1] = CT8_OP(madd52hi)(c[k + 1], c[k + 5], r260);
        else over = CT8_OP(madd52hi)(over, c[k + 5], r260);
    }
    c[0] = CT8_OP(madd52lo)(c[0], over, r260);
    c[1] = CT8_OP(madd52hi)(c[1], over, r260);
    for (int i = 0; i < 5; i++) r->v[i] = c[i];
    CT8(fe_carry)(r);
}

CT8_IN void CT8(fe_select)(CT8(fe) *r, M8 take, const CT8(fe) *a) {
    for (int i = 0; i < 5; i++) r->v[i] = CT8_OP(select)(take, r->v[i], a->v[i]);
}

CT8_IN void CT8(gep_set_inf)(CT8(gep) *r) {
    for (int i = 0; i < 5; i++) {
        r->x.v[i] = r->z.v[i] = CT8_OP(zero)();
        r->y.v[i] = CT8_OP(set1)(FE_ONE.n[i]);
    }
}

/* The steps RCB Algorithms 7 and 8 share, as gep_add_finish. */
CT8_IN void CT8(gep_add_finish)(CT8(gep) *r, CT8(fe) t0, CT8(fe) t1, const CT8(fe) *zz,
                                const CT8(fe) *xy, const CT8(fe) *yz, CT8(fe) xz) {
    CT8(fe) t2, x3, z3;
    CT8(fe_mul_small)(&x3, &t0, 3);
    t0 = x3;
    CT8(fe_mul_small)(&t2, zz, 21);
    CT8(fe_add)(&z3, &t1, &t2); CT8(fe_sub)(&t1, &t1, &t2);
    CT8(fe_mul_small)(&xz, &xz, 21);
    CT8(fe_mul)(&x3, yz, &xz); CT8(fe_mul)(&t2, xy, &t1); CT8(fe_sub)(&r->x, &t2, &x3);
    CT8(fe_mul)(&xz, &xz, &t0); CT8(fe_mul)(&t1, &t1, &z3); CT8(fe_add)(&r->y, &t1, &xz);
    CT8(fe_mul)(&t0, &t0, xy); CT8(fe_mul)(&z3, &z3, yz); CT8(fe_add)(&r->z, &z3, &t0);
}

/* r = a + b, complete (RCB Algorithm 7). */
CT8_IN void CT8(gep_add)(CT8(gep) *r, const CT8(gep) *a, const CT8(gep) *b) {
    CT8(fe) t0, t1, t2, xy, yz, xz, u, v;
    CT8(fe_mul)(&t0, &a->x, &b->x); CT8(fe_mul)(&t1, &a->y, &b->y);
    CT8(fe_mul)(&t2, &a->z, &b->z);
    CT8(fe_add)(&u, &a->x, &a->y); CT8(fe_add)(&v, &b->x, &b->y); CT8(fe_mul)(&xy, &u, &v);
    CT8(fe_add)(&u, &t0, &t1); CT8(fe_sub)(&xy, &xy, &u);
    CT8(fe_add)(&u, &a->y, &a->z); CT8(fe_add)(&v, &b->y, &b->z); CT8(fe_mul)(&yz, &u, &v);
    CT8(fe_add)(&u, &t1, &t2); CT8(fe_sub)(&yz, &yz, &u);
    CT8(fe_add)(&u, &a->x, &a->z); CT8(fe_add)(&v, &b->x, &b->z); CT8(fe_mul)(&xz, &u, &v);
    CT8(fe_add)(&u, &t0, &t2); CT8(fe_sub)(&xz, &xz, &u);
    CT8(gep_add_finish)(r, t0, t1, &t2, &xy, &yz, xz);
}

/* r = a + (bx, by) affine, complete in a (RCB Algorithm 8). */
CT8_IN void CT8(gep_add_ge)(CT8(gep) *r, const CT8(gep) *a, const CT8(fe) *bx,
                            const CT8(fe) *by) {
    CT8(fe) t0, t1, xy, yz, xz, u, v;
    CT8(fe_mul)(&t0, &a->x, bx); CT8(fe_mul)(&t1, &a->y, by);
    CT8(fe_add)(&u, bx, by); CT8(fe_add)(&v, &a->x, &a->y); CT8(fe_mul)(&xy, &u, &v);
    CT8(fe_add)(&u, &t0, &t1); CT8(fe_sub)(&xy, &xy, &u);
    CT8(fe_mul)(&yz, by, &a->z); CT8(fe_add)(&yz, &yz, &a->y);
    CT8(fe_mul)(&xz, bx, &a->z); CT8(fe_add)(&xz, &xz, &a->x);
    CT8(gep_add_finish)(r, t0, t1, &a->z, &xy, &yz, xz);
}

/* r = 2·a, complete (RCB Algorithm 9). */
CT8_IN void CT8(gep_double)(CT8(gep) *r, const CT8(gep) *a) {
    CT8(fe) t0, t1, t2, x3, y3, z3;
    CT8(fe_mul)(&t0, &a->y, &a->y);
    CT8(fe_mul_small)(&z3, &t0, 8);
    CT8(fe_mul)(&t1, &a->y, &a->z);
    CT8(fe_mul)(&t2, &a->z, &a->z); CT8(fe_mul_small)(&t2, &t2, 21);
    CT8(fe_mul)(&x3, &t2, &z3);
    CT8(fe_add)(&y3, &t0, &t2);
    CT8(fe_mul)(&z3, &t1, &z3);
    CT8(fe_mul_small)(&t1, &t2, 3);
    CT8(fe_sub)(&t0, &t0, &t1);
    CT8(fe_mul)(&y3, &t0, &y3); CT8(fe_add)(&y3, &x3, &y3);
    CT8(fe_mul)(&t1, &a->x, &a->y);
    CT8(fe_mul)(&x3, &t0, &t1); CT8(fe_mul_small)(&x3, &x3, 2);
    r->x = x3; r->y = y3; r->z = z3;
}

/* |d| and the lanes where d < 0, without a branch. */
CT8_IN V8 CT8(digit_mag)(V8 d, M8 *neg) {
    *neg = CT8_OP(negative)(d);
    V8 all = CT8_OP(sub)(CT8_OP(zero)(), CT8_OP(srli)(d, 63));   /* all ones where d < 0 */
    return CT8_OP(sub)(CT8_OP(xor)(d, all), all);
}

/* acc += the entry (qx, qy) taken for |d|, y negated by mask where d < 0, the sum kept by
 * mask where d ≠ 0. */
CT8_IN void CT8(add_taken)(CT8(gep) *acc, const CT8(fe) *qx, CT8(fe) qy, V8 mag, M8 neg) {
    CT8(fe) ny;
    for (int l = 0; l < 5; l++) ny.v[l] = CT8_OP(zero)();
    CT8(fe_sub)(&ny, &ny, &qy);
    CT8(fe_select)(&qy, neg, &ny);
    CT8(gep) sum;
    CT8(gep_add_ge)(&sum, acc, qx, &qy);
    M8 nonzero = CT8_OP(not)(CT8_OP(eq)(mag, CT8_OP(zero)()));
    CT8(fe_select)(&acc->x, nonzero, &sum.x);
    CT8(fe_select)(&acc->y, nonzero, &sum.y);
    CT8(fe_select)(&acc->z, nonzero, &sum.z);
}

/* Four 64-bit words (least significant first) as five 52-bit limbs, tight. */
CT8_IN void CT8(fe_unpack)(CT8(fe) *r, const V8 w[4]) {
    V8 m52 = CT8_OP(set1)(M52);
    r->v[0] = CT8_OP(and)(w[0], m52);
    r->v[1] = CT8_OP(and)(CT8_OP(xor)(CT8_OP(srli)(w[0], 52), CT8_OP(slli)(w[1], 12)), m52);
    r->v[2] = CT8_OP(and)(CT8_OP(xor)(CT8_OP(srli)(w[1], 40), CT8_OP(slli)(w[2], 24)), m52);
    r->v[3] = CT8_OP(and)(CT8_OP(xor)(CT8_OP(srli)(w[2], 28), CT8_OP(slli)(w[3], 36)), m52);
    r->v[4] = CT8_OP(srli)(w[3], 16);
}

/* Words c0..c0 + 3 of the lane entries' entries |d_i| for n digit magnitudes at once: every
 * entry's words read once and kept by n masks. */
CT8_IN void CT8(take_words)(V8 taken[][4], const V8 *mag, int n, const uint64_t *entries,
                            int c0) {
    for (int i = 0; i < n; i++)
        for (int c = 0; c < 4; c++) taken[i][c] = CT8_OP(zero)();
    for (int j = 0; j < CT_HALF; j++) {
        const uint64_t *e = entries + (size_t)j * CT8_ENTRY + 8 * c0;
        V8 words[4], index = CT8_OP(set1)((uint64_t)j + 1);
        for (int c = 0; c < 4; c++) words[c] = CT8_OP(load)(e + 8 * c);
        for (int i = 0; i < n; i++) {
            M8 take = CT8_OP(eq)(mag[i], index);
            for (int c = 0; c < 4; c++)
                taken[i][c] = CT8_OP(select)(take, taken[i][c], words[c]);
        }
    }
}

/* The lane entries' entries |d_i| for n ≤ CT8_PARTS digit magnitudes at once
 * (ct8_lane_tables' words), x's words in one sweep and y's in another (n sets of four words
 * each fit the registers; the group's entries are in L1 for the second), then unpacked to
 * limbs. */
CT8_IN void CT8(take_lanes)(CT8(fe) *qx, CT8(fe) *qy, const V8 *mag, int n,
                            const uint64_t *entries) {
    V8 taken[CT8_PARTS][4];
    CT8(take_words)(taken, mag, n, entries, 0);
    for (int i = 0; i < n; i++) CT8(fe_unpack)(&qx[i], taken[i]);
    CT8(take_words)(taken, mag, n, entries, 4);
    for (int i = 0; i < n; i++) CT8(fe_unpack)(&qy[i], taken[i]);
}

/* One point's kept table for every lane: entry |d|'s limbs, every entry broadcast and the
 * one wanted kept by mask. */
CT8_IN void CT8(take_shared)(CT8(fe) *qx, CT8(fe) *qy, V8 mag, const ge *shared) {
    for (int l = 0; l < 5; l++) qx->v[l] = qy->v[l] = CT8_OP(zero)();
    for (int j = 0; j < CT_HALF; j++) {
        M8 take = CT8_OP(eq)(mag, CT8_OP(set1)((uint64_t)j + 1));
        for (int l = 0; l < 5; l++) {
            qx->v[l] = CT8_OP(select)(take, qx->v[l], CT8_OP(set1)(shared[j].x.n[l]));
            qy->v[l] = CT8_OP(select)(take, qy->v[l], CT8_OP(set1)(shared[j].y.n[l]));
        }
    }
}

/* acc += d·P in every lane from one point's kept table (`shared`, every entry read for
 * every lane); add_taken does the rest. */
CT8_IN void CT8(add_digit_shared)(CT8(gep) *acc, V8 d, const ge *shared) {
    M8 neg;
    V8 mag = CT8(digit_mag)(d, &neg);
    CT8(fe) qx, qy;
    CT8(take_shared)(&qx, &qy, mag, shared);
    CT8(add_taken)(acc, &qx, qy, mag, neg);
}

/* acc[i] += d_i·P in every lane, i < CT8_PARTS, from one scan of the group's lane entries
 * (take_lanes). */
CT8_IN void CT8(add_digits)(CT8(gep) acc[CT8_PARTS], const V8 d[CT8_PARTS],
                            const uint64_t *entries) {
    M8 neg[CT8_PARTS];
    V8 mag[CT8_PARTS];
    CT8(fe) qx[CT8_PARTS], qy[CT8_PARTS];
    for (int i = 0; i < CT8_PARTS; i++) mag[i] = CT8(digit_mag)(d[i], &neg[i]);
    CT8(take_lanes)(qx, qy, mag, CT8_PARTS, entries);
    for (int i = 0; i < CT8_PARTS; i++) CT8(add_taken)(&acc[i], &qx[i], qy[i], mag[i], neg[i]);
}

/* The CT_WINDOW bits from bit `pos` of eight scalars' words (w[4] zero, for a window that
 * reaches past the top), as scalar_bits: only the public `pos` chooses the words and shifts;
 * the next word's bits are shifted in always, by two shifts so that none is by 64. */
CT8_IN V8 CT8(window_bits)(const V8 w[5], unsigned pos) {
    if (pos >= 256) return CT8_OP(zero)();
    unsigned i = pos / 64, s = pos % 64;
    V8 low = CT8_OP(srli)(w[i], s);
    V8 high = CT8_OP(slli)(CT8_OP(slli)(w[i + 1], 1), 63 - s);
    return CT8_OP(and)(CT8_OP(xor)(low, high), CT8_OP(set1)((1u << CT_WINDOW) - 1));
}

/* ct8_lane_digits eight scalars at a time, one a lane: each window's bits by public shifts,
 * then ct_digits' rule by arithmetic, v = bits + carry, carry = v > CT_HALF (the sign of
 * CT_HALF − v), d = v − carry·2^CT_WINDOW, stored two's complement in the same layout (window
 * w of point k at out[(w·groups + k/8)·8 + k%8], lanes past `count` 0). No branch and no
 * index on a scalar's bits (SPEC.md §2.3; the portable set runs under valgrind in
 * tests/ctime/prove_ctime.c, through msm_tabled and pairs_comb). */
CT8_FN void CT8(lane_digits)(uint64_t *out, const unsigned char *scalars, size_t count) {
    size_t groups = (count + 7) / 8;
    V8 half = CT8_OP(set1)(CT_HALF);
    for (size_t g = 0; g < groups; g++) {
        uint64_t words[4][8];
        ct8_scalar_words(words, scalars + 256 * g, count - 8 * g < 8 ? count - 8 * g : 8);
        V8 w[5], carry = CT8_OP(zero)();
        for (int i = 0; i < 4; i++) w[i] = CT8_OP(load)(words[i]);
        w[4] = CT8_OP(zero)();
        for (unsigned k = 0; k < CT_WINDOWS; k++) {
            V8 v = CT8_OP(add)(CT8(window_bits)(w, k * CT_WINDOW), carry);
            carry = CT8_OP(srli)(CT8_OP(sub)(half, v), 63);
            CT8_OP(store)(out + (k * groups + g) * 8,
                          CT8_OP(sub)(v, CT8_OP(slli)(carry, CT_WINDOW)));
        }
    }
}

/* part[i] = the sum of part i's windows (CT8_RUN) over one block's groups, lanes apart:
 * lane tables and digits as ct8_lane_tables and ct8_lane_digits lay them out. Windows past
 * CT_WINDOWS (where CT8_PARTS does not divide it) add digit 0: nothing, by mask. */
CT8_FN void CT8(block)(CT8(gep) part[CT8_PARTS], const uint64_t *tables,
                       const uint64_t *digits, size_t groups) {
    for (int i = 0; i < CT8_PARTS; i++) CT8(gep_set_inf)(&part[i]);
    for (unsigned w = CT8_RUN; w-- > 0;) {
        for (int s = 0; s < CT_WINDOW; s++)
            for (int i = 0; i < CT8_PARTS; i++) CT8(gep_double)(&part[i], &part[i]);
        for (size_t g = 0; g < groups; g++) {
            V8 d[CT8_PARTS];
            for (unsigned i = 0; i < CT8_PARTS; i++) {
                unsigned window = i * CT8_RUN + w;
                d[i] = window < CT_WINDOWS ? CT8_OP(load)(digits + (window * groups + g) * 8)
                                           : CT8_OP(zero)();
            }
            CT8(add_digits)(part, d, tables + g * CT_HALF * CT8_ENTRY);
        }
    }
}

/* r = Σ 2^(CT_WINDOW·CT8_RUN·i)·part[i], by Horner from the top part. */
CT8_FN void CT8(join_parts)(CT8(gep) *r, const CT8(gep) part[CT8_PARTS]) {
    *r = part[CT8_PARTS - 1];
    for (int i = CT8_PARTS - 2; i >= 0; i--) {
        CT8(gep) t;
        for (int s = 0; s < CT_WINDOW * CT8_RUN; s++) CT8(gep_double)(r, r);
        CT8(gep_add)(&t, r, &part[i]);
        *r = t;
    }
}

CT8_FN void CT8(gep_store)(uint64_t lanes[3][5][8], const CT8(gep) *a) {
    for (int l = 0; l < 5; l++) {
        CT8_OP(store)(lanes[0][l], a->x.v[l]);
        CT8_OP(store)(lanes[1][l], a->y.v[l]);
        CT8_OP(store)(lanes[2][l], a->z.v[l]);
    }
}

/* zk_msm_secret_tabled on eight lanes: Σ k_i·P_i over kept tables, block by block. */
CT8_FN int CT8(msm_tabled)(const ge *tables, const unsigned char *scalars, size_t n,
                           unsigned char *out) {
    unsigned char *room = scratch_get(ct8_room_bytes()), *cursor = room;
    if (!room) return -1;
    uint64_t *lane_tables = carve(&cursor, (size_t)CT8_BLOCK / 8 * CT_HALF * CT8_ENTRY,
                                  sizeof(uint64_t));
    uint64_t *lane_digits = carve(&cursor, (size_t)CT_WINDOWS * CT8_BLOCK, sizeof(uint64_t));
    CT8(gep) total[CT8_PARTS], part[CT8_PARTS], sum;
    for (int i = 0; i < CT8_PARTS; i++) CT8(gep_set_inf)(&total[i]);
    for (size_t at = 0; at < n; at += CT8_BLOCK) {
        size_t count = n - at < CT8_BLOCK ? n - at : CT8_BLOCK;
        CT8_OP(lane_tables)(lane_tables, tables + CT_HALF * at, count);
        CT8(lane_digits)(lane_digits, scalars + 32 * at, count);
        CT8(block)(part, lane_tables, lane_digits, (count + 7) / 8);
        for (int i = 0; i < CT8_PARTS; i++) {
            CT8(gep_add)(&sum, &total[i], &part[i]);
            total[i] = sum;
        }
    }
    scratch_put(room);
    CT8(join_parts)(&sum, total);
    uint64_t lanes[3][5][8];
    CT8(gep_store)(lanes, &sum);
    gep joined;
    ct8_join_lanes(&joined, lanes);
    return gep_write_ct(out, &joined);
}

/* Eight sums k·P_0 + k'·P_1 at once, one a lane (the V_j, SPEC.md §3.2), over the two
 * points' comb tables (zk_comb_tables: the tables of 2^(CT_WINDOW·w)·P, w < CT_WINDOWS), so
 * no doubling: each digit of k and k' adds its entry, the same in every lane. Lanes past
 * `count` have zero scalars and are not written. Each sum written as zk_msm_secret's. */
CT8_FN void CT8(pairs_comb)(const ge *comb, const unsigned char *scalars, size_t count,
                            unsigned char *out) {
    uint64_t lane_digits[CT_WINDOWS * 16];
    unsigned char batch[16 * 32];
    for (size_t at = 0; at < count; at += 8) {
        size_t lanes_used = count - at < 8 ? count - at : 8;
        memset(batch, 0, sizeof batch);
        for (size_t i = 0; i < lanes_used; i++) {   /* firsts in group 0, seconds in group 1 */
            memcpy(batch + 32 * i, scalars + 64 * (at + i), 32);
            memcpy(batch + 32 * (8 + i), scalars + 64 * (at + i) + 32, 32);
        }
        CT8(lane_digits)(lane_digits, batch, 16);
        CT8(gep) acc;
        CT8(gep_set_inf)(&acc);
        for (unsigned w = 0; w < CT_WINDOWS; w++)
            for (unsigned p = 0; p < 2; p++)
                CT8(add_digit_shared)(&acc, CT8_OP(load)(lane_digits + (w * 2 + p) * 8),
                                      comb + CT_HALF * (p * CT_WINDOWS + w));
        uint64_t lanes[3][5][8];
        CT8(gep_store)(lanes, &acc);
        for (size_t i = 0; i < lanes_used; i++) {
            gep p;
            ct8_lane_point(&p, lanes, i);
            gep_write_ct(out + 64 * (at + i), &p);
        }
    }
}

/* The lane sums of A's bit terms (zk_bits_commit_tabled): term k = 8g + i in lane i, G_k
 * where bit k of the values is 1, else −H_k, taken by mask from the points' kept tables
 * (entry 0: the point itself) and added by the complete mixed formula. The bits are read
 * with public shifts and indices: term k's is bit k % 8 of byte k / 8. */
CT8_FN void CT8(bits_tabled)(gep *out, const ge *tables_g, const ge *tables_h,
                             const unsigned char *values, size_t terms) {
    CT8(gep) acc;
    CT8(gep_set_inf)(&acc);
    for (size_t g = 0; g < terms / 8; g++) {
        uint64_t limbs[4][5][8], bits[8];
        for (int i = 0; i < 8; i++) {
            const ge *pg = &tables_g[CT_HALF * (8 * g + i)], *ph = &tables_h[CT_HALF * (8 * g + i)];
            for (int l = 0; l < 5; l++) {
                limbs[0][l][i] = pg->x.n[l]; limbs[1][l][i] = pg->y.n[l];
                limbs[2][l][i] = ph->x.n[l]; limbs[3][l][i] = ph->y.n[l];
            }
            bits[i] = (uint64_t)(values[g] >> i & 1);
        }
        M8 take_h = CT8_OP(eq)(CT8_OP(load)(bits), CT8_OP(zero)());
        CT8(fe) qx, qy, hx, ny;
        for (int l = 0; l < 5; l++) {
            qx.v[l] = CT8_OP(load)(limbs[0][l]); qy.v[l] = CT8_OP(load)(limbs[1][l]);
            hx.v[l] = CT8_OP(load)(limbs[2][l]); ny.v[l] = CT8_OP(zero)();
        }
        CT8(fe) hy;
        for (int l = 0; l < 5; l++) hy.v[l] = CT8_OP(load)(limbs[3][l]);
        CT8(fe_sub)(&ny, &ny, &hy);
        CT8(fe_select)(&qx, take_h, &hx);
        CT8(fe_select)(&qy, take_h, &ny);
        CT8(gep_add_ge)(&acc, &acc, &qx, &qy);
    }
    uint64_t lanes[3][5][8];
    CT8(gep_store)(lanes, &acc);
    ct8_join_lanes(out, lanes);
}

/* For the tests (zk_fe_lanes_op): one field operation on raw lane limbs (limb l of lane i
 * at 8l + i), tight in and out: 0 a + b, 1 a − b, 2 a·b, 3 a·a, 4 a − k·b, 5 a + k·b
 * (k·b by fe_mul_small, k < 64). */
CT8_FN void CT8(limbs_op)(int op, unsigned k, const uint64_t *a, const uint64_t *b,
                          uint64_t *out) {
    CT8(fe) x, y, t, r;
    for (int l = 0; l < 5; l++) {
        x.v[l] = CT8_OP(load)(a + 8 * l);
        y.v[l] = CT8_OP(load)(b + 8 * l);
    }
    CT8(fe_mul_small)(&t, &y, k);
    switch (op) {
        case 0: CT8(fe_add)(&r, &x, &y); break;
        case 1: CT8(fe_sub)(&r, &x, &y); break;
        case 2: CT8(fe_mul)(&r, &x, &y); break;
        case 3: CT8(fe_mul)(&r, &x, &x); break;
        case 4: CT8(fe_sub)(&r, &x, &t); break;
        default: CT8(fe_add)(&r, &x, &t); break;
    }
    for (int l = 0; l < 5; l++) CT8_OP(store)(out + 8 * l, r.v[l]);
}

#undef V8
#undef M8
#undef CT8_OP
#undef CT8
#undef CT8_IN
#undef CT8_FN
