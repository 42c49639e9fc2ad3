/* The nonce stream's HMAC-SHA512 (SPEC.md §6.2; FIPS 180-4 §6.4, RFC 2104) eight counters at
 * a time, one a lane: sha512_block's rounds on eight-lane words. A template as native_ct8.h:
 * native_prove.h includes it once per set of lane words (V8, CT8_OP(…): native_set_lp.h,
 * native_set_li.h), naming everything SHA8(…), and it undefines those at its end; the portable set is what valgrind's memcheck runs (tests/ctime/prove_ctime.c),
 * the IFMA set the same algorithm in zmm registers. No branch and no address depends on the
 * key. No include guard on purpose. */

/* One block of eight messages (w[t] lane i: word t of message i) into the states h. */
CT8_IN void SHA8(block)(V8 h[8], const V8 block[16]) {
    V8 w[80], s[8];
    for (int t = 0; t < 16; t++) w[t] = block[t];
    for (int t = 16; t < 80; t++) {
        V8 x = w[t - 15], y = w[t - 2];
        V8 s0 = CT8_OP(xor)(CT8_OP(xor)(CT8_OP(rotr)(x, 1), CT8_OP(rotr)(x, 8)), CT8_OP(srli)(x, 7));
        V8 s1 = CT8_OP(xor)(CT8_OP(xor)(CT8_OP(rotr)(y, 19), CT8_OP(rotr)(y, 61)), CT8_OP(srli)(y, 6));
        w[t] = CT8_OP(add)(CT8_OP(add)(w[t - 16], s0), CT8_OP(add)(w[t - 7], s1));
    }
    for (int i = 0; i < 8; i++) s[i] = h[i];
    V8 ones = CT8_OP(set1)(~0ULL);
    for (int t = 0; t < 80; t++) {   /* s = a, b, c, d, e, f, g, h of FIPS 180-4 */
        V8 e = s[4], a = s[0];
        V8 sig1 = CT8_OP(xor)(CT8_OP(xor)(CT8_OP(rotr)(e, 14), CT8_OP(rotr)(e, 18)), CT8_OP(rotr)(e, 41));
        V8 ch = CT8_OP(xor)(CT8_OP(and)(e, s[5]), CT8_OP(and)(CT8_OP(xor)(e, ones), s[6]));
        V8 t1 = CT8_OP(add)(CT8_OP(add)(s[7], sig1),
                            CT8_OP(add)(ch, CT8_OP(add)(CT8_OP(set1)(SHA512_K[t]), w[t])));
        V8 sig0 = CT8_OP(xor)(CT8_OP(xor)(CT8_OP(rotr)(a, 28), CT8_OP(rotr)(a, 34)), CT8_OP(rotr)(a, 39));
        V8 maj = CT8_OP(xor)(CT8_OP(xor)(CT8_OP(and)(a, s[1]), CT8_OP(and)(a, s[2])),
                             CT8_OP(and)(s[1], s[2]));
        for (int i = 7; i > 0; i--) s[i] = s[i - 1];
        s[4] = CT8_OP(add)(s[4], t1);
        s[0] = CT8_OP(add)(t1, CT8_OP(add)(sig0, maj));
    }
    for (int i = 0; i < 8; i++) h[i] = CT8_OP(add)(h[i], s[i]);
}

/* HMAC-SHA512(key, u64be(c)) for c = c1 … c1 + 7 from the key's inner and outer pad states
 * (hmac_pad_state): digest of lane i as out[8i … 8i + 7], most significant word first. */
CT8_FN void SHA8(hmac_counters)(uint64_t out[64], const uint64_t inner[8],
                                const uint64_t outer[8], uint64_t c1) {
    V8 h[8], block[16];
    uint64_t counters[8], lanes[8];
    for (int i = 0; i < 8; i++) counters[i] = c1 + (uint64_t)i;
    for (int t = 0; t < 16; t++) block[t] = CT8_OP(zero)();
    block[0] = CT8_OP(load)(counters);             /* u64be(c), then the padding of 8 bytes */
    block[1] = CT8_OP(set1)(0x8000000000000000ULL);
    block[15] = CT8_OP(set1)((128 + 8) * 8);
    for (int i = 0; i < 8; i++) h[i] = CT8_OP(set1)(inner[i]);
    SHA8(block)(h, block);
    for (int t = 0; t < 8; t++) block[t] = h[t];  /* the inner digest, then its padding */
    block[8] = CT8_OP(set1)(0x8000000000000000ULL);
    block[15] = CT8_OP(set1)((128 + 64) * 8);
    for (int i = 0; i < 8; i++) h[i] = CT8_OP(set1)(outer[i]);
    SHA8(block)(h, block);
    for (int k = 0; k < 8; k++) {
        CT8_OP(store)(lanes, h[k]);
        for (int i = 0; i < 8; i++) out[8 * i + k] = lanes[i];
    }
}

#undef V8
#undef M8
#undef CT8_OP
#undef SHA8
#undef CT8_IN
#undef CT8_FN
