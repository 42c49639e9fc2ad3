/* Constant-time check of the kernel's secret paths, after libsecp256k1's valgrind_ctime_test
 * (SPEC.md §2.3). Run under valgrind's memcheck by tests/test_ctime.py.
 *
 * The secrets (scalars, the value bytes, α) are marked undefined: memcheck then reports every
 * branch and every memory address that depends on them ("Conditional jump or move depends on
 * uninitialised value(s)", "Use of uninitialised value"). Each result is marked defined again
 * before it is written out, as the published points A and S are public.
 *
 *     ctime KERNEL.so INPUT [vartime]
 *
 * KERNEL.so is the built kernel (the very code zksolv runs); INPUT holds, in order:
 *   u32 n, then n points (64 bytes x ‖ y) and n scalars (32 bytes big-endian)  -> msm_secret
 *   u32 nbits, u32 m, base point, α, nbits·m points G, nbits·m points H,
 *   m values of nbits/8 bytes little-endian                                   -> bits_commit
 * Output on stdout: for each call, 1 byte status then 64 bytes of point.
 * With "vartime", the secret scalars go through the variable-time zk_msm instead: the
 * canary that shows the check can fail.
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <valgrind/memcheck.h>

typedef int (*msm_fn)(const unsigned char *, const unsigned char *, size_t, unsigned char *);
typedef int (*bits_fn)(const unsigned char *, const unsigned char *, const unsigned char *,
                       const unsigned char *, const unsigned char *, size_t, size_t,
                       unsigned char *);

static unsigned char *slurp(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *data = malloc(len > 0 ? (size_t)len : 1);
    if (data && fread(data, 1, (size_t)len, f) != (size_t)len) { free(data); data = NULL; }
    fclose(f);
    *size = (size_t)len;
    return data;
}

static const unsigned char *input_end;

/* The next `bytes` of the input; exits if the input is shorter. */
static const unsigned char *take(const unsigned char **p, size_t bytes) {
    const unsigned char *at = *p;
    if ((size_t)(input_end - at) < bytes) { fprintf(stderr, "ctime: input too short\n"); exit(2); }
    *p += bytes;
    return at;
}

static uint32_t take_u32(const unsigned char **p) {
    uint32_t v;
    memcpy(&v, take(p, 4), 4);
    return v;
}

/* Print a call's status and point, both declassified: they are published. */
static void emit(int status, unsigned char *out) {
    VALGRIND_MAKE_MEM_DEFINED(&status, sizeof status);
    VALGRIND_MAKE_MEM_DEFINED(out, 64);
    putchar(status & 0xFF);
    fwrite(out, 1, 64, stdout);
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: ctime KERNEL.so INPUT [vartime]\n"); return 2; }
    void *kernel = dlopen(argv[1], RTLD_NOW);
    size_t size;
    unsigned char *input = slurp(argv[2], &size);
    if (!kernel || !input) { fprintf(stderr, "ctime: cannot load %s or %s\n", argv[1], argv[2]); return 2; }
    int vartime = argc > 3 && strcmp(argv[3], "vartime") == 0;
    msm_fn msm = (msm_fn)dlsym(kernel, vartime ? "zk_msm" : "zk_msm_secret");
    bits_fn bits = (bits_fn)dlsym(kernel, "zk_bits_commit_secret");
    if (!msm || !bits) { fprintf(stderr, "ctime: kernel lacks the secret paths\n"); return 2; }

    const unsigned char *p = input;
    input_end = input + size;
    unsigned char out[64];
    uint32_t n = take_u32(&p);
    const unsigned char *points = take(&p, 64 * (size_t)n);
    unsigned char *scalars = (unsigned char *)take(&p, 32 * (size_t)n);
    uint32_t nbits = take_u32(&p), m = take_u32(&p);
    const unsigned char *base = take(&p, 64);
    unsigned char *alpha = (unsigned char *)take(&p, 32);
    const unsigned char *g = take(&p, 64 * (size_t)nbits * m);
    const unsigned char *h = take(&p, 64 * (size_t)nbits * m);
    unsigned char *values = (unsigned char *)take(&p, (size_t)nbits / 8 * m);
    if (p != input_end) { fprintf(stderr, "ctime: input too long\n"); return 2; }

    VALGRIND_MAKE_MEM_UNDEFINED(scalars, 32 * (size_t)n);
    VALGRIND_MAKE_MEM_UNDEFINED(alpha, 32);
    VALGRIND_MAKE_MEM_UNDEFINED(values, (size_t)nbits / 8 * m);
    emit(msm(points, scalars, n, out), out);
    emit(bits(base, alpha, g, h, values, nbits, m, out), out);
    free(input);
    return 0;
}
