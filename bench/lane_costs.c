/* What the kernel's building blocks cost on this CPU (SPEC.md §2.3; bench/RESULTS.md, "The
 * prover on AMD Zen 4"): the lane field multiplication's throughput (eight independent
 * chains) against its latency (one chain), the lane mixed addition as one chain and as two
 * in lockstep, the scalar field multiplication, the constant-time scalar multiplication mod n,
 * and a 512-bit gather and scatter of eight words. It includes the kernel's source, so it
 * measures exactly the code the prover runs.
 *
 *     gcc -O3 -o /tmp/lane_costs bench/lane_costs.c -lpthread && /tmp/lane_costs
 *
 * Prints ns per operation (CLOCK_MONOTONIC over a few million operations, best of 3).
 * Needs a CPU with AVX-512 IFMA.
 */
#include "../zksolv/group/backends/native.c"
#include <stdio.h>
#include <time.h>

enum { CHAINS = 8, REPEATS = 3 };

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static volatile uint64_t sink;   /* keeps each result alive */

IFMA void fe8_fill(fe8 *a, uint64_t seed) {
    for (int l = 0; l < 5; l++) a->v[l] = bcast((seed * 0x9E3779B97F4A7C15ULL + l) & M52);
}

/* ns a fe8_mul, `chains` independent products issued in turn (1: each waits for the last). */
IFMA_FN double fe8_mul_ns(long rounds, int chains) {
    fe8 x[CHAINS], y;
    fe8_fill(&y, 99);
    for (int c = 0; c < chains; c++) fe8_fill(&x[c], (uint64_t)c + 1);
    double start = now();
    for (long i = 0; i < rounds; i++)
        for (int c = 0; c < chains; c++) fe8_mul(&x[c], &x[c], &y);
    double spent = now() - start;
    for (int c = 0; c < chains; c++) sink += (uint64_t)_mm512_reduce_add_epi64(x[c].v[0]);
    return 1e9 * spent / ((double)rounds * chains);
}

/* ns an eight-lane mixed addition, n chains in lockstep (gej8_add_ge8_n). */
IFMA_FN double add_ns(long rounds, int n) {
    gej8 a[CHAINS_MAX];
    ge8 b[CHAINS_MAX];
    __mmask8 bad[CHAINS_MAX] = {0};
    for (int c = 0; c < CHAINS_MAX; c++) {
        fe8_fill(&a[c].x, 3 + c); fe8_fill(&a[c].y, 5 + c); fe8_fill(&a[c].z, 7 + c);
        fe8_fill(&b[c].x, 11 + c); fe8_fill(&b[c].y, 13 + c);
    }
    double start = now();
    if (n == 2) for (long i = 0; i < rounds; i++) gej8_add_ge8_n(a, a, b, bad, 2);
    else for (long i = 0; i < rounds; i++) gej8_add_ge8_n(a, a, b, bad, 1);
    double spent = now() - start;
    sink += (uint64_t)_mm512_reduce_add_epi64(a[0].x.v[0]) + bad[0];
    return 1e9 * spent / ((double)rounds * n);
}

/* ns a scalar fe_mul, eight independent chains. */
static double fe_mul_ns(long rounds) {
    fe x[CHAINS], y = {{12345, 1, 2, 3, 4}};
    for (int c = 0; c < CHAINS; c++) x[c] = (fe){{(uint64_t)c + 1, 2, 3, 4, 5}};
    double start = now();
    for (long i = 0; i < rounds; i++)
        for (int c = 0; c < CHAINS; c++) fe_mul(&x[c], &x[c], &y);
    double spent = now() - start;
    for (int c = 0; c < CHAINS; c++) sink += x[c].n[0];
    return 1e9 * spent / ((double)rounds * CHAINS);
}

/* ns a ctsc_mul (mod n, constant-time), `chains` independent chains. */
static double ctsc_mul_ns(long rounds, int chains) {
    ctsc x[CHAINS], y = CTSC_R2;
    for (int c = 0; c < chains; c++) { x[c] = CTSC_R3; x[c].v[0] += (uint64_t)c; }
    double start = now();
    for (long i = 0; i < rounds; i++)
        for (int c = 0; c < chains; c++) ctsc_mul(&x[c], &x[c], &y);
    double spent = now() - start;
    for (int c = 0; c < chains; c++) sink += x[c].v[0];
    return 1e9 * spent / ((double)rounds * chains);
}

static uint64_t words[1 << 15];   /* 256 KB: gathers and scatters hit L1/L2 */

/* ns a 512-bit gather (scatter) of eight words from eight cache lines. */
IFMA_FN double gather_ns(long rounds, int scatter) {
    __m512i idx = _mm512_set_epi64(7 * 64, 6 * 64, 5 * 64, 4 * 64, 3 * 64, 2 * 64, 64, 0);
    __m512i acc = _mm512_setzero_si512();
    const __m512i step = bcast(8 * 64), wrap = bcast((1 << 15) - 1);
    double start = now();
    for (long i = 0; i < rounds; i++) {
        for (int l = 0; l < 8; l++) {
            if (scatter) _mm512_i64scatter_epi64(words + l, idx, acc, 8);
            else acc = _mm512_add_epi64(acc, _mm512_i64gather_epi64(idx, words + l, 8));
        }
        idx = _mm512_and_si512(_mm512_add_epi64(idx, step), wrap);
    }
    double spent = now() - start;
    sink += (uint64_t)_mm512_reduce_add_epi64(acc) + words[7];
    return 1e9 * spent / ((double)rounds * 8);
}

static double best(double (*run)(long, int), long rounds, int arg) {
    double least = run(rounds, arg);
    for (int r = 1; r < REPEATS; r++) {
        double t = run(rounds, arg);
        if (t < least) least = t;
    }
    return least;
}

static double fe_mul_run(long rounds, int unused) { (void)unused; return fe_mul_ns(rounds); }

int main(void) {
    if (!ifma_usable()) {
        fprintf(stderr, "lane_costs: error: this CPU has no AVX-512 IFMA\n");
        return 2;
    }
    printf("fe8_mul, 8 chains (throughput): %6.2f ns (8 lanes)\n", best(fe8_mul_ns, 2000000, 8));
    printf("fe8_mul, 1 chain (latency):     %6.2f ns\n", best(fe8_mul_ns, 2000000, 1));
    printf("gej8_add_ge8, 1 chain:          %6.2f ns (8 lane additions)\n", best(add_ns, 500000, 1));
    printf("gej8_add_ge8, 2 in lockstep:    %6.2f ns (8 lane additions)\n", best(add_ns, 500000, 2));
    printf("fe_mul (scalar), 8 chains:      %6.2f ns\n", best(fe_mul_run, 2000000, 0));
    printf("ctsc_mul, 8 chains:             %6.2f ns\n", best(ctsc_mul_ns, 2000000, 8));
    printf("ctsc_mul, 1 chain:              %6.2f ns\n", best(ctsc_mul_ns, 2000000, 1));
    printf("gather, 8 words:                %6.2f ns\n", best(gather_ns, 4000000, 0));
    printf("scatter, 8 words:               %6.2f ns\n", best(gather_ns, 4000000, 1));
    return 0;
}
