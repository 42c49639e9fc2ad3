/* Throw-away benchmark (bench/RESULTS.md, "The fold ladders affine"): zk_fold_terms' lane
 * ladders as they are (Jacobian, two groups in lockstep, then the outputs made affine by one
 * batch inversion) against the affine ladder of native_fold_affine.h (one inversion a step
 * for all groups), on q = 1,024 and 2,048 outputs (or any given), three terms, real scalars
 * and points (the generators dumped by the Python below), the lane tables built once before.
 * Outputs compared byte for byte. CPU ms (CLOCK_PROCESS_CPUTIME_ID), old and new alternating,
 * medians over the reps.
 *
 *   python - <<'EOF'    # from the tree, PYTHONPATH=. : points and three scalars' GLV halves
 *   ... (see bench/RESULTS.md)
 *   EOF
 *   gcc -O3 -Wall -DNATIVE='"TREE/zksolv/group/backends/native.c"' \
 *       -DAFFINE='"TREE/zksolv/group/backends/native_fold_affine.h"' -o /tmp/fa fold_affine.c
 *   /tmp/fa /tmp/foldaff/points.bin /tmp/foldaff/halves_g.bin 9 1024 2048 256 64
 */
#include NATIVE
#ifdef AFFINE
#include AFFINE
#endif
#include <stdio.h>
#include <time.h>

static double cpu_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static unsigned char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(1); }
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc(*len);
    if (fread(b, 1, *len, f) != *len) exit(1);
    fclose(f);
    return b;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The current path from the built lane tables: ladders (pairs of groups in lockstep, own
 * points added), then one batch inversion and the bytes. */
static void old_fold(const unsigned char *points, size_t q, const fold_scalar *k, int terms,
                     const fold_room *r, unsigned char *out, double *ladder_ms) {
    size_t groups = q / 8;
    double t0 = cpu_ms();
    for (size_t g = 0; g < groups; g += CHAINS_MAX) {
        int n = groups - g < CHAINS_MAX ? (int)(groups - g) : CHAINS_MAX;
        ladder_groups(points, q, 0, g, n, k, terms, r, r->res);
    }
    *ladder_ms = cpu_ms() - t0;
    gej_to_ge_batch(r->aff, r->res, q, r->prefix);
    for (size_t i = 0; i < q; i++) ge_write(out + 64 * i, &r->aff[i]);
}

/* The affine ladder from the same tables, its outputs written straight from the lanes; bad
 * lanes redone on the scalar path. */
static size_t new_fold(const unsigned char *points, size_t q, const fold_scalar *k, int terms,
                       const fold_room *r, aff_batch *b, ge8 *lo, unsigned char *out) {
    size_t groups = q / 8, redone = 0;
    for (size_t g = 0; g < groups; g++) lane_points(&lo[g], points, 8 * g);
    aff_ladder(b, r->tab8, lo, k, terms);
    for (size_t g = 0; g < groups; g++) {
        fe xs[8], ys[8];
        fe *px[8], *py[8];
        for (int i = 0; i < 8; i++) { px[i] = &xs[i]; py[i] = &ys[i]; }
        fe8_scatter(px, &b->acc[g].x);
        fe8_scatter(py, &b->acc[g].y);
        for (int i = 0; i < 8; i++) {
            size_t j = 8 * g + i;
            if (b->bad[g] >> i & 1) {
                gej res;
                fold_terms_scalar(points, q, j, 1, k, terms, r, &res);
                add_own_point(&res, points, j);
                gej_write(out + 64 * j, &res);
                redone++;
            } else {
                fe_to_be(out + 64 * j, &xs[i]);
                fe_to_be(out + 64 * j + 32, &ys[i]);
            }
        }
    }
    return redone;
}

int main(int argc, char **argv) {
    if (argc < 5) { fprintf(stderr, "usage: points halves reps q...\n"); return 2; }
    size_t plen, hlen;
    unsigned char *points = slurp(argv[1], &plen), *halves = slurp(argv[2], &hlen);
    int reps = atoi(argv[3]), terms = 3;
    fold_scalar k[3];
    for (int t = 0; t < terms; t++) {
        memset(&k[t], 0, sizeof k[t]);
        int l1 = wnaf5(k[t].naf1, halves + 64 * t), l2 = wnaf5(k[t].naf2, halves + 64 * t + 32);
        k[t].len = l1 > l2 ? l1 : l2;
        k[t].neg1 = halves[192 + 2 * t] != 0;
        k[t].neg2 = halves[192 + 2 * t + 1] != 0;
    }
    if (!ifma_usable()) { fprintf(stderr, "no IFMA\n"); return 2; }
    for (int a = 4; a < argc; a++) {
        size_t q = (size_t)atol(argv[a]), groups = q / 8;
        if (64 * q * (terms + 1) > plen) { fprintf(stderr, "too few points\n"); return 2; }
        unsigned char *room = aligned_alloc(64, fold_room_bytes(q * terms) + 64);
        fold_room r = fold_room_carve(room, q * terms);
        if (!built_lane_tables(points, q, 0, groups, terms, &r)) return 3;
        aff_batch b;
        b.groups = groups;
        b.acc = aligned_alloc(64, groups * sizeof(ge8));
        b.den = aligned_alloc(64, groups * sizeof(fe8));
        b.prefix = aligned_alloc(64, groups * sizeof(fe8));
        b.bad = malloc(groups);
        ge8 *lo = aligned_alloc(64, groups * sizeof(ge8));
        unsigned char *out_old = malloc(64 * q), *out_new = malloc(64 * q);
        double old_ms[64], new_ms[64], ladder_ms[64];
        size_t redone = 0;
        for (int rep = 0; rep < reps && rep < 64; rep++) {
            for (int turn = 0; turn < 2; turn++) {
                double t0 = cpu_ms();
                if ((turn == 0) == (rep % 2 == 0)) {
                    old_fold(points, q, k, terms, &r, out_old, &ladder_ms[rep]);
                    old_ms[rep] = cpu_ms() - t0;
                } else {
                    redone = new_fold(points, q, k, terms, &r, &b, lo, out_new);
                    new_ms[rep] = cpu_ms() - t0;
                }
            }
            if (memcmp(out_old, out_new, 64 * q)) { fprintf(stderr, "outputs differ at q %zu\n", q); return 4; }
        }
        int n = reps < 64 ? reps : 64;
        double lm = median(ladder_ms, n), om = median(old_ms, n), nm = median(new_ms, n);
        printf("q %5zu terms %d: old %.3f ms (ladders %.3f) new %.3f ms  new/old %.3f  "
               "new/old-ladders %.3f  (redone %zu)\n", q, terms, om, lm, nm, nm / om, nm / lm, redone);
        fflush(stdout);
    }
    return 0;
}
