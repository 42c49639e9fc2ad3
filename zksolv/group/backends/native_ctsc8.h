/* The range prover's scalar vectors mod n eight elements at a time (SPEC.md §2.3, §5.3): the
 * elementwise loops of native_prove.h's zk_pv_poly, zk_pv_eval, zk_pv_inner, zk_pv_ipa_round
 * and zk_pv_ipa_fold on lane words. A template: native_prove.h includes it once per set of
 * lane words (V8, M8, CT8_OP(…) of native_lanes.h), naming everything CS8(…), and undefines
 * those parameters at its end; no include guard on purpose.
 *
 * Lane i of a group holds element 8g + i. In the lanes a scalar is five 52-bit limbs (limb 4
 * below 2^48 for values below 2^256), and the Montgomery product is taken with R' = 2^260
 * (five limb steps of 52 bits): mont(a, b) = a·b·2^−260 mod n, fully reduced, for any a, b
 * below 2^256. The buffers keep native_prove.h's form (a·2^256 mod n in four 64-bit words),
 * so each product is brought back to ctsc_mul's a·b·2^−256 by a factor 16 = 2^260 / 2^256:
 * folded into a public constant (16·c), into a vector by four modular doublings, or into an
 * inner product's final sum. Every value a buffer or an output receives is the one the
 * one-at-a-time code gives: products are fully reduced in both, and additions subtract n once
 * where the sum reaches it, as ctsc_add does, down to its wrap past 2^256.
 *
 * Constant-time as native_prove.h: no branch and no memory index depends on a lane's value;
 * selection is by mask and blend; loop counts and indices depend on public sizes only.
 */

typedef struct { V8 v[5]; } CS8(sc);

/* Eight consecutive ctsc into lanes: 64-bit words to 52-bit limbs. */
CT8_IN void CS8(split)(CS8(sc) *r, const ctsc *p) {
    V8 w[4], m52 = CT8_OP(set1)(M52);
    CT8_OP(ctsc_words)(w, p);
    r->v[0] = CT8_OP(and)(w[0], m52);
    r->v[1] = CT8_OP(and)(CT8_OP(xor)(CT8_OP(srli)(w[0], 52), CT8_OP(slli)(w[1], 12)), m52);
    r->v[2] = CT8_OP(and)(CT8_OP(xor)(CT8_OP(srli)(w[1], 40), CT8_OP(slli)(w[2], 24)), m52);
    r->v[3] = CT8_OP(and)(CT8_OP(xor)(CT8_OP(srli)(w[2], 28), CT8_OP(slli)(w[3], 36)), m52);
    r->v[4] = CT8_OP(srli)(w[3], 16);
}

/* Tight limbs (0..3 below 2^52) back to eight ctsc; limb 4's bits past 2^256 drop, as the
 * 64-bit words' carries past the top word do. */
CT8_IN void CS8(join)(ctsc *p, const CS8(sc) *a) {
    V8 w[4];
    w[0] = CT8_OP(xor)(a->v[0], CT8_OP(slli)(a->v[1], 52));
    w[1] = CT8_OP(xor)(CT8_OP(srli)(a->v[1], 12), CT8_OP(slli)(a->v[2], 40));
    w[2] = CT8_OP(xor)(CT8_OP(srli)(a->v[2], 24), CT8_OP(slli)(a->v[3], 28));
    w[3] = CT8_OP(xor)(CT8_OP(srli)(a->v[3], 36), CT8_OP(slli)(a->v[4], 16));
    CT8_OP(ctsc_unwords)(p, w);
}

/* One public scalar in every lane. */
CT8_IN void CS8(broadcast)(CS8(sc) *r, const ctsc *c) {
    uint64_t limbs[5];
    ctsc_limbs52(limbs, c);
    for (int i = 0; i < 5; i++) r->v[i] = CT8_OP(set1)(limbs[i]);
}

/* Carries up limbs 0..3 (each below 2^63) so they are below 2^52; limb 4 takes the rest. */
CT8_IN void CS8(carry)(CS8(sc) *r) {
    V8 m52 = CT8_OP(set1)(M52);
    for (int i = 0; i < 4; i++) {
        r->v[i + 1] = CT8_OP(add)(r->v[i + 1], CT8_OP(srli)(r->v[i], 52));
        r->v[i] = CT8_OP(and)(r->v[i], m52);
    }
}

/* s − n where s ≥ n, else s, by blend (ctsc_reduce_top): s carried, limb 4 below 2^52. Each
 * limb's difference is taken plus 2^52 so it stays non-negative; bit 52 is "no borrow". */
CT8_IN void CS8(reduce_once)(CS8(sc) *r, const CS8(sc) *s) {
    V8 m52 = CT8_OP(set1)(M52), one = CT8_OP(set1)(1), borrow = CT8_OP(zero)(), d[5];
    for (int i = 0; i < 5; i++) {
        V8 x = CT8_OP(sub)(CT8_OP(add)(s->v[i], CT8_OP(set1)((1ULL << 52) - CTSC_N52[i])),
                           borrow);
        d[i] = CT8_OP(and)(x, m52);
        borrow = CT8_OP(xor)(CT8_OP(srli)(x, 52), one);
    }
    M8 keep_d = CT8_OP(negative)(CT8_OP(sub)(borrow, one));   /* no borrow: s ≥ n */
    for (int i = 0; i < 5; i++) r->v[i] = CT8_OP(select)(keep_d, s->v[i], d[i]);
}

/* r = a + b with ctsc_add's reduction (one subtraction of n where the sum reaches it), for
 * a, b below 2^256 in tight limbs. */
CT8_IN void CS8(add)(CS8(sc) *r, const CS8(sc) *a, const CS8(sc) *b) {
    CS8(sc) s;
    for (int i = 0; i < 5; i++) s.v[i] = CT8_OP(add)(a->v[i], b->v[i]);
    CS8(carry)(&s);
    CS8(reduce_once)(r, &s);
}

/* r = 16·a mod n for a below n: four doublings. */
CT8_IN void CS8(times16)(CS8(sc) *r, const CS8(sc) *a) {
    *r = *a;
    for (int k = 0; k < 4; k++) CS8(add)(r, r, r);
}

/* r = a·b·2^−260 mod n (Montgomery, five 52-bit limb steps; madd52 lo/hi halves of each limb
 * product go to columns j and j+1, left uncarried: each column gains below 2^55 a step), for
 * a, b below 2^256 in tight limbs: the result is below a·b/2^260 + n < 2n, then reduced. */
CT8_IN void CS8(mont)(CS8(sc) *r, const CS8(sc) *a, const CS8(sc) *b) {
    V8 t[6], zero = CT8_OP(zero)(), n0inv = CT8_OP(set1)(CTSC_N0INV & M52), nl[5];
    for (int j = 0; j < 5; j++) nl[j] = CT8_OP(set1)(CTSC_N52[j]);
    for (int j = 0; j < 6; j++) t[j] = zero;
    for (int i = 0; i < 5; i++) {
        for (int j = 0; j < 5; j++) {
            t[j] = CT8_OP(madd52lo)(t[j], a->v[j], b->v[i]);
            t[j + 1] = CT8_OP(madd52hi)(t[j + 1], a->v[j], b->v[i]);
        }
        V8 q = CT8_OP(madd52lo)(zero, t[0], n0inv);   /* −t·n⁻¹ mod 2^52 */
        for (int j = 0; j < 5; j++) {
            t[j] = CT8_OP(madd52lo)(t[j], q, nl[j]);
            t[j + 1] = CT8_OP(madd52hi)(t[j + 1], q, nl[j]);
        }
        t[1] = CT8_OP(add)(t[1], CT8_OP(srli)(t[0], 52));   /* t[0] ≡ 0 mod 2^52: shift out */
        for (int j = 0; j < 5; j++) t[j] = t[j + 1];
        t[5] = zero;
    }
    CS8(sc) s;
    for (int j = 0; j < 5; j++) s.v[j] = t[j];
    CS8(carry)(&s);
    CS8(reduce_once)(r, &s);
}

/* Σ_i mont(a_i, b_i) lane by lane (each lane its own sum) over `groups` groups of eight. */
CT8_IN void CS8(inner_lanes)(CS8(sc) *acc, const ctsc *a, const ctsc *b, size_t groups) {
    for (size_t g = 0; g < groups; g++) {
        CS8(sc) x, y, t;
        CS8(split)(&x, a + 8 * g);
        CS8(split)(&y, b + 8 * g);
        CS8(mont)(&t, &x, &y);
        CS8(add)(acc, acc, &t);
    }
}

/* zk_pv_inner's first 8·groups terms: <a, b> over them, as ctsc_mul's form (ctsc_lanes_sum16
 * takes the lanes' 2^−260 sums back). */
CT8_FN void CS8(inner)(ctsc *sum, const ctsc *a, const ctsc *b, size_t groups) {
    CS8(sc) acc = {{CT8_OP(zero)(), CT8_OP(zero)(), CT8_OP(zero)(), CT8_OP(zero)(),
                    CT8_OP(zero)()}};
    ctsc lanes[8];
    CS8(inner_lanes)(&acc, a, b, groups);
    CS8(join)(lanes, &acc);
    ctsc_lanes_sum16(sum, lanes);
}

/* zk_pv_eval's first 8·groups elements: out_i = p_i + x·q_i, x16 = 16·x mod n. */
CT8_FN void CS8(eval)(const ctsc *p, const ctsc *q, const ctsc *x16, size_t groups,
                      ctsc *out) {
    CS8(sc) x;
    CS8(broadcast)(&x, x16);
    for (size_t g = 0; g < groups; g++) {
        CS8(sc) pv, qv, t;
        CS8(split)(&pv, p + 8 * g);
        CS8(split)(&qv, q + 8 * g);
        CS8(mont)(&t, &qv, &x);
        CS8(add)(&t, &pv, &t);
        CS8(join)(out + 8 * g, &t);
    }
}

/* v_i ← lo·v_i + hi·v_(half+i) for the eight indices at v (lo, hi: 16 times the factors). */
CT8_IN void CS8(fold_group)(ctsc *v, size_t half, const CS8(sc) *lo, const CS8(sc) *hi) {
    CS8(sc) x, y;
    CS8(split)(&x, v);
    CS8(split)(&y, v + half);
    CS8(mont)(&x, &x, lo);
    CS8(mont)(&y, &y, hi);
    CS8(add)(&x, &x, &y);
    CS8(join)(v, &x);
}

/* zk_pv_ipa_fold's first 8·groups indices: a ← u·a_lo + u⁻¹·a_hi, b ← u⁻¹·b_lo + u·b_hi,
 * u16 = 16·u and ui16 = 16·u⁻¹ mod n. */
CT8_FN void CS8(ipa_fold)(ctsc *a, ctsc *b, size_t half, size_t groups, const ctsc *u16,
                          const ctsc *ui16) {
    CS8(sc) u, ui;
    CS8(broadcast)(&u, u16);
    CS8(broadcast)(&ui, ui16);
    for (size_t i = 0; i < 8 * groups; i += 8) {
        CS8(fold_group)(a + i, half, &u, &ui);
        CS8(fold_group)(b + i, half, &ui, &u);
    }
}

/* Eight plain products (below n) as 32-byte big-endian numbers at out, out + 32, … (the
 * bytes ctsc_plain_to_be writes, a word at a time). */
CT8_IN void CS8(write_plain)(unsigned char *out, const CS8(sc) *a) {
    ctsc v[8];
    CS8(join)(v, a);
    for (int l = 0; l < 8; l++) ctsc_plain_to_be_words(out + 32 * l, &v[l]);
}

/* zk_pv_ipa_round's first 8·groups indices (the MSM scalars written; <a_lo, b_hi> and
 * <a_hi, b_lo> over them into cl, cr as ctsc_mul's form), with the plain factors g16 = 16·g
 * and h256 = 256·h mod n: mont(y⁻ⁱ, 256·h) is 16·f for ctsc_mul's f = y⁻ⁱ·h, and
 * mont(b, 16·f) is ctsc_mul(b, f). */
CT8_FN void CS8(ipa_round)(const ctsc *a, const ctsc *b, size_t half, size_t groups,
                           const ctsc *yinv, const ctsc *g16, const ctsc *h256,
                           unsigned char *l_out, unsigned char *r_out, ctsc *cl, ctsc *cr) {
    CS8(sc) g, h, zero = {{CT8_OP(zero)(), CT8_OP(zero)(), CT8_OP(zero)(), CT8_OP(zero)(),
                           CT8_OP(zero)()}}, acc_l = zero, acc_r = zero;
    CS8(broadcast)(&g, g16);
    CS8(broadcast)(&h, h256);
    for (size_t i = 0; i < 8 * groups; i += 8) {
        CS8(sc) a_lo, a_hi, b_lo, b_hi, y, f, t;
        CS8(split)(&a_lo, a + i);
        CS8(split)(&a_hi, a + half + i);
        CS8(split)(&b_lo, b + i);
        CS8(split)(&b_hi, b + half + i);
        CS8(mont)(&t, &a_lo, &g);                 CS8(write_plain)(l_out + 32 * i, &t);
        CS8(mont)(&t, &a_hi, &g);                 CS8(write_plain)(r_out + 32 * i, &t);
        CS8(split)(&y, yinv + i);
        CS8(mont)(&f, &y, &h);
        CS8(mont)(&t, &b_hi, &f);                 CS8(write_plain)(l_out + 32 * (half + i), &t);
        CS8(split)(&y, yinv + half + i);
        CS8(mont)(&f, &y, &h);
        CS8(mont)(&t, &b_lo, &f);                 CS8(write_plain)(r_out + 32 * (half + i), &t);
        CS8(mont)(&t, &a_lo, &b_hi);              CS8(add)(&acc_l, &acc_l, &t);
        CS8(mont)(&t, &a_hi, &b_lo);              CS8(add)(&acc_r, &acc_r, &t);
    }
    ctsc lanes[8];
    CS8(join)(lanes, &acc_l);
    ctsc_lanes_sum16(cl, lanes);
    CS8(join)(lanes, &acc_r);
    ctsc_lanes_sum16(cr, lanes);
}

/* The public constants of zk_pv_poly's lanes (ctsc_poly_consts): l0 and 16·(a − 1 + z) for
 * a bit a of 0 and of 1. */
typedef struct { CS8(sc) l0_if0, l0_if1, t16_if0, t16_if1; } CS8(poly_consts);

/* zk_pv_poly's eight indices i … i+7 of one value, whose bits are the byte `bits`: l0, r0,
 * r1 written; l0·r1 + s_L·r0 and s_L·r1 added to the lanes' t1, t2 (2^−260 form). The bit
 * selects its constants by mask; z2k holds z^(2+j)·2^k for the eight k. */
CT8_IN void CS8(poly_group)(const CS8(poly_consts) *c, unsigned char bits, const ctsc *s_l,
                            const ctsc *s_r, const ctsc *ypow, const ctsc *z2k, ctsc *l0,
                            ctsc *r0, ctsc *r1, CS8(sc) *t1, CS8(sc) *t2) {
    uint64_t lane_bits[8];
    for (int l = 0; l < 8; l++) lane_bits[l] = (uint64_t)(bits >> l) & 1;
    M8 take = CT8_OP(negative)(CT8_OP(sub)(CT8_OP(zero)(), CT8_OP(load)(lane_bits)));
    CS8(sc) l0v, t16, y, sl, sr, z2, r0v, r1v, u;
    for (int i = 0; i < 5; i++) {
        l0v.v[i] = CT8_OP(select)(take, c->l0_if0.v[i], c->l0_if1.v[i]);
        t16.v[i] = CT8_OP(select)(take, c->t16_if0.v[i], c->t16_if1.v[i]);
    }
    CS8(join)(l0, &l0v);
    CS8(split)(&y, ypow);
    CS8(split)(&z2, z2k);
    CS8(mont)(&r0v, &t16, &y);                  /* (a − 1 + z)·y^i */
    CS8(add)(&r0v, &r0v, &z2);
    CS8(join)(r0, &r0v);
    CS8(split)(&sr, s_r);
    CS8(mont)(&r1v, &sr, &y);
    CS8(times16)(&r1v, &r1v);                   /* ctsc_mul(s_R, y^i) */
    CS8(join)(r1, &r1v);
    CS8(split)(&sl, s_l);
    CS8(mont)(&u, &l0v, &r1v);   CS8(add)(t1, t1, &u);
    CS8(mont)(&u, &sl, &r0v);    CS8(add)(t1, t1, &u);
    CS8(mont)(&u, &sl, &r1v);    CS8(add)(t2, t2, &u);
}

/* zk_pv_poly's indices of value j in whole bytes (k < 8·(nbits/8)), from z2k = z^(2+j)
 * (advanced past them as the one-at-a-time loop advances it); t1, t2 added to as ctsc_mul's
 * form. */
CT8_FN void CS8(poly_value)(const struct ctsc_poly_args *p, size_t j, ctsc *z2k, ctsc *t1,
                            ctsc *t2) {
    CS8(poly_consts) c;
    CS8(broadcast)(&c.l0_if0, &p->l0_if0);
    CS8(broadcast)(&c.l0_if1, &p->l0_if1);
    CS8(broadcast)(&c.t16_if0, &p->t16_if0);
    CS8(broadcast)(&c.t16_if1, &p->t16_if1);
    CS8(sc) zero = {{CT8_OP(zero)(), CT8_OP(zero)(), CT8_OP(zero)(), CT8_OP(zero)(),
                     CT8_OP(zero)()}}, acc1 = zero, acc2 = zero;
    size_t bytes = p->nbits / 8;
    for (size_t k8 = 0; k8 < bytes; k8++) {
        size_t i = j * p->nbits + 8 * k8;
        ctsc z2k8[8];
        for (int l = 0; l < 8; l++) {
            z2k8[l] = *z2k;
            ctsc_add(z2k, z2k, z2k);              /* ctsc_mul by two: the same value */
        }
        CS8(poly_group)(&c, p->values[j * bytes + k8], p->s + i, p->s + p->count + i,
                        p->ypow + i, z2k8, p->l0 + i, p->r0 + i, p->r1 + i, &acc1, &acc2);
    }
    ctsc lanes[8], sum;
    CS8(join)(lanes, &acc1);
    ctsc_lanes_sum16(&sum, lanes);
    ctsc_add(t1, t1, &sum);
    CS8(join)(lanes, &acc2);
    ctsc_lanes_sum16(&sum, lanes);
    ctsc_add(t2, t2, &sum);
}

/* Eight 512-bit numbers (zk_pv_nonces_lanes' digests: number l at digests + 8·l, most
 * significant word first) mod n into out, as ctsc_from_wide: hi·2^256 + lo by the public
 * factors r3_16 = 16·(2^768 mod n) and r2_16 = 16·(2^512 mod n). */
CT8_FN void CS8(from_wide)(ctsc *out, const uint64_t *digests, const ctsc *r3_16,
                           const ctsc *r2_16) {
    ctsc hi[8], lo[8];
    for (int l = 0; l < 8; l++)
        for (int k = 0; k < 4; k++) {
            hi[l].v[k] = digests[8 * l + 3 - k];
            lo[l].v[k] = digests[8 * l + 7 - k];
        }
    CS8(sc) h, x, r3, r2;
    CS8(broadcast)(&r3, r3_16);
    CS8(broadcast)(&r2, r2_16);
    CS8(split)(&x, hi);
    CS8(mont)(&h, &x, &r3);
    CS8(split)(&x, lo);
    CS8(mont)(&x, &x, &r2);
    CS8(add)(&x, &h, &x);
    CS8(join)(out, &x);
}

/* zk_pv_store's first 8·groups scalars as 32 bytes big-endian each: mont(a, 16) is ctsc_to_be's
 * a·2^−256 (below n for any a below 2^256, as there). */
CT8_FN void CS8(store)(const ctsc *in, size_t groups, unsigned char *out) {
    static const ctsc sixteen = {{16, 0, 0, 0}};
    CS8(sc) k, a;
    CS8(broadcast)(&k, &sixteen);
    for (size_t g = 0; g < groups; g++) {
        CS8(split)(&a, in + 8 * g);
        CS8(mont)(&a, &a, &k);
        CS8(write_plain)(out + 256 * g, &a);
    }
}

/* zk_pv_powers past its first eight: out[8g + l] = out[8(g−1) + l]·k^8 for g < groups, with
 * k8_16 = 16·k^8 mod n (each power fully reduced: the one-at-a-time chain's value). */
CT8_FN void CS8(powers)(ctsc *out, size_t groups, const ctsc *k8_16) {
    CS8(sc) k8, p;
    CS8(broadcast)(&k8, k8_16);
    CS8(split)(&p, out);
    for (size_t g = 1; g < groups; g++) {
        CS8(mont)(&p, &p, &k8);
        CS8(join)(out + 8 * g, &p);
    }
}

#undef V8
#undef M8
#undef CT8_OP
#undef CS8
#undef CT8_IN
#undef CT8_FN
