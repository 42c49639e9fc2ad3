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
#include NATIVE   /* native_fold_affine.h included by native.c from here on */
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

/* The affine ladders of `n` folds (fold f: points[f], scalars k[f], q outputs each) from the
 * same tables, in one batch; outputs written straight from the lanes, bad lanes redone on
 * the scalar path. */
static size_t new_folds(const unsigned char *const points[], int n, size_t q,
                        const fold_scalar *const k[], int terms, const fold_room *r,
                        aff_batch *b, ge8 *lo, fe8 *bx, unsigned char *const out[]) {
    size_t groups = q / 8, redone = 0;
    aff_fold folds[2];
    for (int f = 0; f < n; f++) {
        folds[f] = aff_fold_at(groups * f, groups * (f + 1), k[f], terms, r->tab8, bx, lo);
        for (size_t g = 0; g < groups; g++) lane_points(&lo[groups * f + g], points[f], 8 * g);
    }
    aff_beta_x(bx, r->tab8, n * groups * 8 * (size_t)terms);
    aff_ladders(b, folds, n);
    for (int f = 0; f < n; f++)
        for (size_t g = 0; g < groups; g++) {
            fe xs[8], ys[8];
            fe *px[8], *py[8];
            const ge8 *a = &b->acc[groups * f + g];
            for (int i = 0; i < 8; i++) { px[i] = &xs[i]; py[i] = &ys[i]; }
            fe8_scatter(px, &a->x);
            fe8_scatter(py, &a->y);
            for (int i = 0; i < 8; i++) {
                size_t j = 8 * g + i;
                if (b->bad[groups * f + g] >> i & 1) {
                    gej res;
                    fold_terms_scalar(points[f], q, j, 1, k[f], terms, r, &res);
                    add_own_point(&res, points[f], j);
                    gej_write(out[f] + 64 * j, &res);
                    redone++;
                } else {
                    fe_to_be(out[f] + 64 * j, &xs[i]);
                    fe_to_be(out[f] + 64 * j + 32, &ys[i]);
                }
            }
        }
    return redone;
}

static void scalars_of(fold_scalar *k, const unsigned char *halves, int terms) {
    for (int t = 0; t < terms; t++) {
        memset(&k[t], 0, sizeof k[t]);
        int l1 = wnaf5(k[t].naf1, halves + 64 * t), l2 = wnaf5(k[t].naf2, halves + 64 * t + 32);
        k[t].len = l1 > l2 ? l1 : l2;
        k[t].neg1 = halves[64 * terms + 2 * t] != 0;
        k[t].neg2 = halves[64 * terms + 2 * t + 1] != 0;
    }
}

/* usage: points halves_g halves_h reps n q...: n folds (1: G's alone; 2: G's and H's, other
 * scalars, in one batch) of q outputs each, three terms. */
int main(int argc, char **argv) {
    if (argc < 7) { fprintf(stderr, "usage: points halves_g halves_h reps n q...\n"); return 2; }
    size_t plen, hlen;
    unsigned char *points = slurp(argv[1], &plen), *halves[2];
    halves[0] = slurp(argv[2], &hlen);
    halves[1] = slurp(argv[3], &hlen);
    int reps = atoi(argv[4]), n = atoi(argv[5]), terms = 3;
    fold_scalar ks[2][3];
    const fold_scalar *k[2] = {ks[0], ks[1]};
    for (int f = 0; f < 2; f++) scalars_of(ks[f], halves[f], terms);
    if (!ifma_usable()) { fprintf(stderr, "no IFMA\n"); return 2; }
    const unsigned char *pts[2] = {points, points + plen / 2};
    for (int a = 6; a < argc; a++) {
        size_t q = (size_t)atol(argv[a]), groups = q / 8;
        if (64 * q * (terms + 1) > plen / 2) { fprintf(stderr, "too few points\n"); return 2; }
        unsigned char *room = aligned_alloc(64, fold_room_bytes(n * q * terms) + 64);
        fold_room r = fold_room_carve(room, n * q * terms), rf = r;
        for (int f = 0; f < n; f++) {
            rf.tab8 = r.tab8 + groups * terms * 8 * f;
            if (!built_lane_tables(pts[f], q, 0, groups, terms, &rf)) return 3;
        }
        aff_batch b;
        b.acc = aligned_alloc(64, n * groups * sizeof(ge8));
        b.den = aligned_alloc(64, n * groups * sizeof(fe8));
        b.prefix = aligned_alloc(64, n * groups * sizeof(fe8));
        b.bad = malloc(n * groups);
        ge8 *lo = aligned_alloc(64, n * groups * sizeof(ge8));
        fe8 *bx = aligned_alloc(64, n * groups * 8 * terms * sizeof(fe8));
        unsigned char *out_old[2], *out_new[2];
        for (int f = 0; f < 2; f++) { out_old[f] = malloc(64 * q); out_new[f] = malloc(64 * q); }
        double old_ms[64], new_ms[64], ladder_ms[64];
        size_t redone = 0;
        for (int rep = 0; rep < reps && rep < 64; rep++) {
            for (int turn = 0; turn < 2; turn++) {
                double t0 = cpu_ms();
                if ((turn == 0) == (rep % 2 == 0)) {
                    ladder_ms[rep] = 0;
                    for (int f = 0; f < n; f++) {
                        double lm;
                        rf.tab8 = r.tab8 + groups * terms * 8 * f;
                        old_fold(pts[f], q, k[f], terms, &rf, out_old[f], &lm);
                        ladder_ms[rep] += lm;
                    }
                    old_ms[rep] = cpu_ms() - t0;
                } else {
                    redone = new_folds(pts, n, q, k, terms, &r, &b, lo, bx, out_new);
                    new_ms[rep] = cpu_ms() - t0;
                }
            }
            for (int f = 0; f < n; f++)
                if (memcmp(out_old[f], out_new[f], 64 * q)) { fprintf(stderr, "outputs differ at q %zu\n", q); return 4; }
        }
        int m = reps < 64 ? reps : 64;
        double lm = median(ladder_ms, m), om = median(old_ms, m), nm = median(new_ms, m);
        printf("%d fold(s) of q %5zu, terms %d: old %.3f ms (ladders %.3f) new %.3f ms  new/old %.3f  "
               "new/old-ladders %.3f  (redone %zu)\n", n, q, terms, om, lm, nm, nm / om, nm / lm, redone);
        fflush(stdout);
    }
    return 0;
}
