/*
 * hh_float.c - Hodgkin-Huxley in float32; see hh_float.h and benchmarks/_hh.py.
 */
#include "hh_float.h"

#include <math.h>

#define HH_C_M 1.0f
#define HH_G_NA 120.0f
#define HH_G_K 36.0f
#define HH_G_L 0.3f
#define HH_E_NA 50.0f
#define HH_E_K (-77.0f)
#define HH_E_L (-54.387f)

/* x / (exp(x / y) - 1), with its limit at x = 0 */
static float hh_vtrap(float x, float y)
{
    const float r = x / y;
    if (fabsf(r) < 1e-6f) {
        return y * (1.0f - r / 2.0f);
    }
    return x / expm1f(r);
}

static void hh_rates(float v, float *am, float *bm, float *ah, float *bh, float *an, float *bn)
{
    *am = 0.1f * hh_vtrap(-(v + 40.0f), 10.0f);
    *bm = 4.0f * expf(-(v + 65.0f) / 18.0f);
    *ah = 0.07f * expf(-(v + 65.0f) / 20.0f);
    *bh = 1.0f / (1.0f + expf(-(v + 35.0f) / 10.0f));
    *an = 0.01f * hh_vtrap(-(v + 55.0f), 10.0f);
    *bn = 0.125f * expf(-(v + 65.0f) / 80.0f);
}

void snn_hh_rest(snn_hh_state_t *s, uint16_t count)
{
    for (uint32_t i = 0; i < count; i++) {
        float am, bm, ah, bh, an, bn;
        hh_rates(-65.0f, &am, &bm, &ah, &bh, &an, &bn);
        s[i].v = -65.0f;
        s[i].m = am / (am + bm);
        s[i].h = ah / (ah + bh);
        s[i].n = an / (an + bn);
    }
}

uint32_t snn_hh_step_f32(snn_hh_state_t *s, const float *i_ext, uint16_t count, uint16_t steps)
{
    const float dt = SNN_HH_DT_MS;
    uint32_t spikes = 0;
    for (uint32_t i = 0; i < count; i++) {
        float v = s[i].v, m = s[i].m, h = s[i].h, n = s[i].n;
        for (uint32_t k = 0; k < steps; k++) {
            float am, bm, ah, bh, an, bn;
            hh_rates(v, &am, &bm, &ah, &bh, &an, &bn);
            const float n2 = n * n;
            const float i_ion = HH_G_NA * m * m * m * h * (v - HH_E_NA) +
                                HH_G_K * n2 * n2 * (v - HH_E_K) + HH_G_L * (v - HH_E_L);
            const float vn = v + dt * (i_ext[i] - i_ion) / HH_C_M;
            m += dt * (am * (1.0f - m) - bm * m);
            h += dt * (ah * (1.0f - h) - bh * h);
            n += dt * (an * (1.0f - n) - bn * n);
            spikes += (uint32_t)(v < 0.0f && vn >= 0.0f);
            v = vn;
        }
        s[i].v = v;
        s[i].m = m;
        s[i].h = h;
        s[i].n = n;
    }
    return spikes;
}
