/* Throw-away micro-benchmark (bench/RESULTS.md, "A variable-time inversion"): ns a call of
 * native_modinv.h's fe_inv_var against the Fermat fe_inv (native.c), on a chain of
 * dependent inputs (each inverse, plus one, is the next input), from a tree's native.c:
 *
 *   gcc -O3 -DNATIVE='"TREE/zksolv/group/backends/native.c"' -o /tmp/mi modinv_micro.c
 *   /tmp/mi 200000
 */
#include NATIVE
#include <stdio.h>
#include <time.h>

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

typedef void inverse_fn(fe *r, const fe *a);

static double ns_a_call(inverse_fn *inv, long n, fe *x) {
    double t = now_ns();
    for (long i = 0; i < n; i++) { inv(x, x); fe_add(x, x, &FE_ONE); }
    return (now_ns() - t) / n;
}

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 100000;
    fe a = {{0x123456789ABCDULL, 0xFEDCBA9876543ULL, 0x0F0F0F0F0F0F0ULL, 0x5555555555555ULL,
             0xAAAAAAAAAAAAULL}}, b = a;
    for (int rep = 0; rep < 5; rep++) {
        double fermat = ns_a_call(fe_inv, n, &a);
        double divsteps = ns_a_call(fe_inv_var, n, &b);
        printf("fe_inv %.0f ns   fe_inv_var %.0f ns\n", fermat, divsteps);
    }
    unsigned char ba[32], bb[32];
    fe_to_be(ba, &a); fe_to_be(bb, &b);
    printf("same chain: %d\n", memcmp(ba, bb, 32) == 0);
    return 0;
}
