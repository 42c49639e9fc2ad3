/* Eight-lane words for the constant-time Straus of native_ct8.h (SPEC.md §2.3), twice over:
 * on AVX-512 IFMA (the fast one) and in portable C (the one valgrind can run).
 *
 * Included by native.c after native_ct.h. native_ct8.h is written once against the names
 * below (V8, M8, v8_*, m8_*) and included once per set: `lp_` is plain C, eight uint64 a
 * word, used by the tests and under valgrind's memcheck (tests/ctime/prove_ctime.c), which
 * cannot run AVX-512; `li_` is the same words in zmm registers and k masks, compiled for
 * IFMA by function attributes and run only where the CPU has it. Every operation is
 * data-oblivious: no branch and no address depends on a lane's value (a k mask selects by
 * blend, never by branch). Since both sets are one algorithm, what memcheck proves about
 * the portable one's branches and addresses holds for the IFMA one; the instructions the
 * IFMA set maps to (vpmadd52, vpaddq, vpblendmq, vpcmpq…) take the same time whatever
 * their operands.
 *
 * Limbs are "tight" as native_ifma.h's: n_0..n_3 < 2^52, n_4 < 2^48 + 2^11; madd52 multiplies
 * the low 52 bits of its operands.
 */

/* ---- portable: eight uint64 ------------------------------------------------------- */

typedef struct { uint64_t l[8]; } lp_v8;
typedef lp_v8 lp_m8;   /* all ones or zero per lane */

#define LP_EACH(r, expr) do { for (int i_ = 0; i_ < 8; i_++) (r).l[i_] = (expr); } while (0)

static inline lp_v8 lp_set1(uint64_t x) { lp_v8 r; LP_EACH(r, x); return r; }
static inline lp_v8 lp_zero(void) { return lp_set1(0); }
static inline lp_v8 lp_load(const uint64_t *p) { lp_v8 r; LP_EACH(r, p[i_]); return r; }
static inline void lp_store(uint64_t *p, lp_v8 a) { for (int i = 0; i < 8; i++) p[i] = a.l[i]; }
static inline lp_v8 lp_add(lp_v8 a, lp_v8 b) { lp_v8 r; LP_EACH(r, a.l[i_] + b.l[i_]); return r; }
static inline lp_v8 lp_sub(lp_v8 a, lp_v8 b) { lp_v8 r; LP_EACH(r, a.l[i_] - b.l[i_]); return r; }
static inline lp_v8 lp_and(lp_v8 a, lp_v8 b) { lp_v8 r; LP_EACH(r, a.l[i_] & b.l[i_]); return r; }
static inline lp_v8 lp_xor(lp_v8 a, lp_v8 b) { lp_v8 r; LP_EACH(r, a.l[i_] ^ b.l[i_]); return r; }
static inline lp_v8 lp_srli(lp_v8 a, int s) { lp_v8 r; LP_EACH(r, a.l[i_] >> s); return r; }
static inline lp_v8 lp_slli(lp_v8 a, int s) { lp_v8 r; LP_EACH(r, a.l[i_] << s); return r; }
static inline lp_v8 lp_rotr(lp_v8 a, int s) { lp_v8 r; LP_EACH(r, a.l[i_] >> s | a.l[i_] << (64 - s)); return r; }

/* acc + low / high 52 bits of the 104-bit product of a's and b's low 52 bits (vpmadd52). */
static inline lp_v8 lp_madd52lo(lp_v8 acc, lp_v8 a, lp_v8 b) {
    lp_v8 r;
    LP_EACH(r, acc.l[i_] + ((uint64_t)((u128)(a.l[i_] & M52) * (b.l[i_] & M52)) & M52));
    return r;
}

static inline lp_v8 lp_madd52hi(lp_v8 acc, lp_v8 a, lp_v8 b) {
    lp_v8 r;
    LP_EACH(r, acc.l[i_] + (uint64_t)(((u128)(a.l[i_] & M52) * (b.l[i_] & M52)) >> 52));
    return r;
}

static inline lp_m8 lp_eq(lp_v8 a, lp_v8 b) { lp_m8 r; LP_EACH(r, ct_eq_mask(a.l[i_], b.l[i_])); return r; }
static inline lp_m8 lp_not(lp_m8 m) { lp_m8 r; LP_EACH(r, ~m.l[i_]); return r; }
static inline lp_m8 lp_negative(lp_v8 a) { lp_m8 r; LP_EACH(r, 0 - ct_barrier(a.l[i_] >> 63)); return r; }

/* m ? b : a, lane by lane. */
static inline lp_v8 lp_select(lp_m8 m, lp_v8 a, lp_v8 b) {
    lp_v8 r;
    LP_EACH(r, (a.l[i_] & ~m.l[i_]) | (b.l[i_] & m.l[i_]));
    return r;
}

/* ---- AVX-512 IFMA: zmm words, k masks -------------------------------------------- */

#if ZK_HAVE_IFMA
typedef __m512i li_v8;
typedef __mmask8 li_m8;

IFMA li_v8 li_set1(uint64_t x) { return _mm512_set1_epi64((long long)x); }
IFMA li_v8 li_zero(void) { return _mm512_setzero_si512(); }
IFMA li_v8 li_load(const uint64_t *p) { return _mm512_loadu_si512(p); }
IFMA void li_store(uint64_t *p, li_v8 a) { _mm512_storeu_si512(p, a); }
IFMA li_v8 li_add(li_v8 a, li_v8 b) { return _mm512_add_epi64(a, b); }
IFMA li_v8 li_sub(li_v8 a, li_v8 b) { return _mm512_sub_epi64(a, b); }
IFMA li_v8 li_and(li_v8 a, li_v8 b) { return _mm512_and_si512(a, b); }
IFMA li_v8 li_xor(li_v8 a, li_v8 b) { return _mm512_xor_si512(a, b); }
#define li_srli(a, s) _mm512_srli_epi64((a), (s))
#define li_slli(a, s) _mm512_slli_epi64((a), (s))
#define li_rotr(a, s) _mm512_ror_epi64((a), (s))
IFMA li_v8 li_madd52lo(li_v8 acc, li_v8 a, li_v8 b) { return _mm512_madd52lo_epu64(acc, a, b); }
IFMA li_v8 li_madd52hi(li_v8 acc, li_v8 a, li_v8 b) { return _mm512_madd52hi_epu64(acc, a, b); }
IFMA li_m8 li_eq(li_v8 a, li_v8 b) { return _mm512_cmpeq_epi64_mask(a, b); }
IFMA li_m8 li_not(li_m8 m) { return (li_m8)~m; }
IFMA li_m8 li_negative(li_v8 a) { return _mm512_cmplt_epi64_mask(a, _mm512_setzero_si512()); }
IFMA li_v8 li_select(li_m8 m, li_v8 a, li_v8 b) { return _mm512_mask_blend_epi64(m, a, b); }
#endif

/* ---- what both share: lane tables and lane digits, block by block ------------------ */

/* Points a block, CT8_BLOCK, measured (bench/RESULTS.md, "S on eight lanes", "S's lanes
 * cheaper"): its lane tables (CT8_BLOCK × CT_HALF entries, 64 bytes a lane) stay in the
 * core's L2 while every window sweeps them, and the doublings, CT8_PARTS × 5 a window step
 * shared by a lane's CT8_BLOCK / 8 points, stay a small part (S's 8,193 points: 11 blocks,
 * not 17 as at 512). A multiple of 8. */
#ifndef ZK_CT8_BLOCK
#define ZK_CT8_BLOCK 768
#endif
/* An entry holds x and y as four 64-bit words each, not five 52-bit limbs: every window's
 * scan reads all of a group's entries (from L2: the block's tables do not fit L1), so its
 * bytes are the scan's cost, and 64 a lane are a fifth fewer than 80 (bench/RESULTS.md,
 * "S's lanes cheaper"). The taken entry is unpacked to limbs once (CT8(fe_unpack)). */
enum { CT8_BLOCK = ZK_CT8_BLOCK, CT8_ENTRY = 2 * 4 * 8 };   /* qwords an entry: x, y words × 8 lanes */

/* S's windows in CT8_PARTS runs of CT8_RUN, each summed by its own lane accumulators in the
 * same pass: part i takes windows i·CT8_RUN .. (i + 1)·CT8_RUN − 1 (those below CT_WINDOWS),
 * so one scan of a group's entries serves a window of each part (CT8(add_digits)), the
 * entries read from L2 once for CT8_PARTS additions. Part i's sum is worth
 * 2^(CT_WINDOW·CT8_RUN·i) times its value (CT8(join_parts)). Measured (bench/RESULTS.md,
 * "S's lanes cheaper"); overridable at compile time only for that. */
#ifndef ZK_CT8_PARTS
#define ZK_CT8_PARTS 4
#endif
enum { CT8_PARTS = ZK_CT8_PARTS, CT8_RUN = (CT_WINDOWS + CT8_PARTS - 1) / CT8_PARTS };

/* Lane tables of `count` points from their kept tables (zk_ct_tables: affine, normalized):
 * entry j of group g at out[(g·CT_HALF + j)·CT8_ENTRY], word c of x at 8c + lane, of y at
 * 32 + 8c + lane (fe_limbs_to_words); lanes past `count` zero (their digits are 0: never
 * taken). Public data. */
static void ct8_lane_tables(uint64_t *out, const ge *tables, size_t count) {
    size_t groups = (count + 7) / 8;
    memset(out, 0, groups * CT_HALF * CT8_ENTRY * sizeof *out);
    for (size_t k = 0; k < count; k++)
        for (int j = 0; j < CT_HALF; j++) {
            uint64_t *entry = out + ((k / 8) * CT_HALF + j) * CT8_ENTRY + k % 8;
            const ge *p = &tables[CT_HALF * k + j];
            uint64_t x[4], y[4];
            fe_limbs_to_words(x, &p->x);
            fe_limbs_to_words(y, &p->y);
            for (int c = 0; c < 4; c++) {
                entry[8 * c] = x[c];
                entry[32 + 8 * c] = y[c];
            }
        }
}

#if ZK_HAVE_IFMA
/* An 8×8 transpose of qwords: column c of rows r[0..7] into t[c] (lane i = r[i]'s qword c),
 * by unpacks and two rounds of two-source permutes. */
IFMA void li_transpose8(li_v8 t[8], const li_v8 r[8]) {
    const __m512i pairs_lo = _mm512_setr_epi64(0, 1, 8, 9, 4, 5, 12, 13);
    const __m512i pairs_hi = _mm512_setr_epi64(2, 3, 10, 11, 6, 7, 14, 15);
    const __m512i halves_lo = _mm512_setr_epi64(0, 1, 2, 3, 8, 9, 10, 11);
    const __m512i halves_hi = _mm512_setr_epi64(4, 5, 6, 7, 12, 13, 14, 15);
    li_v8 a[8], b[8];
    for (int i = 0; i < 4; i++) {   /* a[2i], a[2i+1]: rows 2i, 2i+1's even and odd columns */
        a[2 * i] = _mm512_unpacklo_epi64(r[2 * i], r[2 * i + 1]);
        a[2 * i + 1] = _mm512_unpackhi_epi64(r[2 * i], r[2 * i + 1]);
    }
    for (int h = 0; h < 2; h++)     /* rows 4h..4h+3 of columns {c, c+4}, c = 0..3 */
        for (int o = 0; o < 2; o++) {
            b[4 * h + o] = _mm512_permutex2var_epi64(a[4 * h + o], pairs_lo, a[4 * h + 2 + o]);
            b[4 * h + 2 + o] = _mm512_permutex2var_epi64(a[4 * h + o], pairs_hi, a[4 * h + 2 + o]);
        }
    for (int c = 0; c < 4; c++) {
        t[c] = _mm512_permutex2var_epi64(b[c], halves_lo, b[4 + c]);
        t[c + 4] = _mm512_permutex2var_epi64(b[c], halves_hi, b[4 + c]);
    }
}

/* Qwords 8 and 9 of eight rows as two lane words (lane i = row i's). */
IFMA void li_transpose8x2(li_v8 *q8, li_v8 *q9, const uint64_t *const rows[8]) {
    const __m512i even = _mm512_setr_epi64(0, 2, 4, 6, 8, 10, 12, 14);
    const __m512i odd = _mm512_setr_epi64(1, 3, 5, 7, 9, 11, 13, 15);
#define LI_PAIR(i) _mm_loadu_si128((const __m128i *)(rows[i] + 8))
    li_v8 lo = _mm512_castsi128_si512(LI_PAIR(0)), hi = _mm512_castsi128_si512(LI_PAIR(4));
    lo = _mm512_inserti32x4(lo, LI_PAIR(1), 1);
    lo = _mm512_inserti32x4(lo, LI_PAIR(2), 2);
    lo = _mm512_inserti32x4(lo, LI_PAIR(3), 3);   /* rows 0..3's pairs, one a 128-bit slot */
    hi = _mm512_inserti32x4(hi, LI_PAIR(5), 1);
    hi = _mm512_inserti32x4(hi, LI_PAIR(6), 2);
    hi = _mm512_inserti32x4(hi, LI_PAIR(7), 3);   /* rows 4..7's */
#undef LI_PAIR
    *q8 = _mm512_permutex2var_epi64(lo, even, hi);
    *q9 = _mm512_permutex2var_epi64(lo, odd, hi);
}

/* fe_limbs_to_words on eight lanes: five limb words in, four 64-bit words stored at out,
 * 8 qwords apart. */
IFMA void li_store_words(uint64_t *out, const li_v8 l[5]) {
    li_store(out, li_xor(l[0], li_slli(l[1], 52)));
    li_store(out + 8, li_xor(li_srli(l[1], 12), li_slli(l[2], 40)));
    li_store(out + 16, li_xor(li_srli(l[2], 24), li_slli(l[3], 28)));
    li_store(out + 24, li_xor(li_srli(l[3], 36), li_slli(l[4], 16)));
}

/* ct8_lane_tables on IFMA: each entry's eight points (ten qwords each: x, y limbs, as ge
 * lays them out) transposed in registers, packed to words, 64-byte stores. Lanes past
 * `count` read a zero row. Public data; the same words as ct8_lane_tables
 * (zk_ct_lane_tables checks). */
IFMA_FN void li_lane_tables(uint64_t *out, const ge *tables, size_t count) {
    _Static_assert(offsetof(ge, y) == 5 * sizeof(uint64_t), "ge: x then y, ten qwords");
    static const uint64_t zero_row[10];
    for (size_t g = 0; g < (count + 7) / 8; g++)
        for (int j = 0; j < CT_HALF; j++) {
            const uint64_t *rows[8];
            li_v8 r[8], t[10];
            for (size_t i = 0; i < 8; i++)
                rows[i] = 8 * g + i < count ? tables[CT_HALF * (8 * g + i) + j].x.n : zero_row;
            for (int i = 0; i < 8; i++) r[i] = li_load(rows[i]);
            li_transpose8(t, r);
            li_transpose8x2(&t[8], &t[9], rows);
            uint64_t *entry = out + (g * CT_HALF + (size_t)j) * CT8_ENTRY;
            li_store_words(entry, t);
            li_store_words(entry + 32, t + 5);
        }
}
#endif

/* Signed digits (ct_digits, constant-time) of `count` secret scalars in lane order: window
 * w of point k at out[(w·groups + k/8)·8 + k%8], two's complement; lanes past `count` 0.
 * `digits` is room for CT_WINDOWS ints. Indices depend on the public k and w only. One
 * scalar at a time: the reference that CT8(lane_digits), eight at a time, is tested against
 * (zk_ct_lane_digits). */
static void ct8_lane_digits(uint64_t *out, int *digits, const unsigned char *scalars,
                            size_t count) {
    size_t groups = (count + 7) / 8;
    memset(out, 0, CT_WINDOWS * groups * 8 * sizeof *out);
    for (size_t k = 0; k < count; k++) {
        ct_digits(digits, scalars + 32 * k);
        for (unsigned w = 0; w < CT_WINDOWS; w++)
            out[(w * groups + k / 8) * 8 + k % 8] = (uint64_t)(int64_t)digits[w];
    }
}

/* The 64-bit words of `used` ≤ 8 secret scalars (32 bytes big-endian each), word i of scalar
 * l at words[i][l], least significant word first; lanes past `used` zero. The bytes are
 * moved, never looked at: only the public `used` chooses a branch. */
static void ct8_scalar_words(uint64_t words[4][8], const unsigned char *scalars, size_t used) {
    for (size_t l = 0; l < 8; l++) {
        uint64_t w[5] = {0, 0, 0, 0, 0};
        if (l < used) scalar_words(w, scalars + 32 * l);
        for (int i = 0; i < 4; i++) words[i][l] = w[i];
    }
}

static size_t ct8_room_bytes(void) {
    return carved((size_t)CT8_BLOCK / 8 * CT_HALF * CT8_ENTRY, sizeof(uint64_t))
           + carved((size_t)CT_WINDOWS * CT8_BLOCK, sizeof(uint64_t));
}

/* Lane i's point of the lane words' x, y, z limbs (lane-major as the lane words store them). */
static void ct8_lane_point(gep *p, const uint64_t lanes[3][5][8], size_t i) {
    for (int l = 0; l < 5; l++) {
        p->x.n[l] = lanes[0][l][i];
        p->y.n[l] = lanes[1][l][i];
        p->z.n[l] = lanes[2][l][i];
    }
}

/* The eight lanes' sums added into one point, on the scalar complete formulas. */
static void ct8_join_lanes(gep *r, const uint64_t lanes[3][5][8]) {
    gep_set_inf(r);
    for (int i = 0; i < 8; i++) {
        gep p;
        ct8_lane_point(&p, lanes, (size_t)i);
        gep_add(r, r, &p);
    }
}

/* The portable set's lane tables: ct8_lane_tables itself (li_lane_tables on IFMA). */
static inline void lp_lane_tables(uint64_t *out, const ge *tables, size_t count) {
    ct8_lane_tables(out, tables, count);
}

/* ---- the two instantiations of native_ct8.h (which undefines these names at its end) - */

#include "native_set_lp.h"
#define CT8(name) ct8p_##name
#include "native_ct8.h"

#if ZK_HAVE_IFMA
#include "native_set_li.h"
#define CT8(name) ct8i_##name
#include "native_ct8.h"
#endif
