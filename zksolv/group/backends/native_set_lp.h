/* The portable lane words (native_lanes.h's lp_ set) as the parameters of a lane template
 * (native_ct8.h, native_ctsc8.h, native_sha8.h; SPEC.md §2.3): included before each
 * instantiation, with the template's own naming macro; the template undefines them all at
 * its end. No include guard on purpose. */
#define V8 lp_v8
#define M8 lp_m8
#define CT8_OP(name) lp_##name
#define CT8_IN static inline
#define CT8_FN static
