/* Throw-away micro-benchmark of the lane field arithmetic (bench/RESULTS.md, "The lane field
 * arithmetic's cost"): TSC ticks a call of fe8_mul (four independent chains: throughput; one
 * chain: latency), fe8_sqr, gej8_add_ge8, gej8_double and the constant-time twins' ct8i_fe_mul,
 * ct8i_gep_add_ge, ct8i_gep_double, from a tree's native.c included whole:
 *
 *   gcc -O3 -DNATIVE='"TREE/zksolv/group/backends/native.c"' -o mb_TREE field_micro.c
 *
 * one binary per tree, run alternately; take each column's minimum over the runs. The inputs
 * are fixed tight elements, not points on the curve: only the instruction stream matters. */
#include NATIVE
#include <time.h>
#include <stdio.h>
static inline unsigned long long rd(void){return __builtin_ia32_rdtsc();}
#define N 1000000
IFMA_FN void init(fe8 *a, int s){ for(int i=0;i<5;i++) a->v[i]=_mm512_set1_epi64(((0x123456789ABCDULL*(s+i+1))&M52)>>(i==4?3:0)); }
IFMA_FN double b_mul_tp(void){ fe8 a[4],b; for(int k=0;k<4;k++)init(&a[k],k); init(&b,9);
  unsigned long long t=rd(); for(int n=0;n<N;n++) for(int k=0;k<4;k++) fe8_mul(&a[k],&a[k],&b);
  t=rd()-t; volatile long long s=_mm512_reduce_add_epi64(a[0].v[0]+a[3].v[1]); (void)s; return (double)t/N/4;}
IFMA_FN double b_mul_lat(void){ fe8 a,b; init(&a,1); init(&b,9);
  unsigned long long t=rd(); for(int n=0;n<N;n++) fe8_mul(&a,&a,&b);
  t=rd()-t; volatile long long s=_mm512_reduce_add_epi64(a.v[0]); (void)s; return (double)t/N;}
IFMA_FN double b_sqr_tp(void){ fe8 a[4]; for(int k=0;k<4;k++)init(&a[k],k);
  unsigned long long t=rd(); for(int n=0;n<N;n++) for(int k=0;k<4;k++) fe8_sqr(&a[k],&a[k]);
  t=rd()-t; volatile long long s=_mm512_reduce_add_epi64(a[0].v[0]+a[3].v[1]); (void)s; return (double)t/N/4;}
IFMA_FN double b_add_ge(void){ gej8 a; ge8 b; init(&a.x,1);init(&a.y,2);init(&a.z,3);init(&b.x,4);init(&b.y,5); __mmask8 bad=0;
  unsigned long long t=rd(); for(int n=0;n<N/4;n++) gej8_add_ge8(&a,&a,&b,&bad);
  t=rd()-t; volatile long long s=_mm512_reduce_add_epi64(a.x.v[0]); (void)s; return (double)t/(N/4);}
IFMA_FN double b_dbl(void){ gej8 a; init(&a.x,1);init(&a.y,2);init(&a.z,3);
  unsigned long long t=rd(); for(int n=0;n<N/4;n++) gej8_double(&a,&a);
  t=rd()-t; volatile long long s=_mm512_reduce_add_epi64(a.x.v[0]); (void)s; return (double)t/(N/4);}
IFMA_FN double b_ct_add(void){ ct8i_gep a; ct8i_fe bx,by; init((fe8*)&a.x,1);init((fe8*)&a.y,2);init((fe8*)&a.z,3);init((fe8*)&bx,4);init((fe8*)&by,5);
  unsigned long long t=rd(); for(int n=0;n<N/4;n++) ct8i_gep_add_ge(&a,&a,&bx,&by);
  t=rd()-t; volatile long long s=_mm512_reduce_add_epi64(a.x.v[0]); (void)s; return (double)t/(N/4);}
IFMA_FN double b_ct_dbl(void){ ct8i_gep a; init((fe8*)&a.x,1);init((fe8*)&a.y,2);init((fe8*)&a.z,3);
  unsigned long long t=rd(); for(int n=0;n<N/4;n++) ct8i_gep_double(&a,&a);
  t=rd()-t; volatile long long s=_mm512_reduce_add_epi64(a.x.v[0]); (void)s; return (double)t/(N/4);}
IFMA_FN double b_ct_mul_tp(void){ ct8i_fe a[4],b; for(int k=0;k<4;k++)init((fe8*)&a[k],k); init((fe8*)&b,9);
  unsigned long long t=rd(); for(int n=0;n<N;n++) for(int k=0;k<4;k++) ct8i_fe_mul(&a[k],&a[k],&b);
  t=rd()-t; volatile long long s=_mm512_reduce_add_epi64(a[0].v[0]+a[3].v[1]); (void)s; return (double)t/N/4;}
int main(int argc,char**argv){ int reps=argc>1?atoi(argv[1]):3;
  for(int r=0;r<reps;r++){
    printf("mul_tp %.1f mul_lat %.1f sqr_tp %.1f add_ge %.1f dbl %.1f ct_mul_tp %.1f ct_add_ge %.1f ct_dbl %.1f\n",
      b_mul_tp(),b_mul_lat(),b_sqr_tp(),b_add_ge(),b_dbl(),b_ct_mul_tp(),b_ct_add(),b_ct_dbl());}
  return 0;}
