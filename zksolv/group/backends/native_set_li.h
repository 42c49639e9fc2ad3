/* The AVX-512 IFMA lane words (native_lanes.h's li_ set) as the parameters of a lane
 * template, as native_set_lp.h; only where ZK_HAVE_IFMA. No include guard on purpose. */
#define V8 li_v8
#define M8 li_m8
#define CT8_OP(name) li_##name
#define CT8_IN IFMA
#define CT8_FN IFMA_FN
