/*
 * hh_float.h - Hodgkin-Huxley squid-axon neurons in float32 (comparison model).
 * Same equations, parameters and Euler step as snn2c/reference/hh.py; not part
 * of the fixed-point contract. Needs an FPU to be cheap (soft-float elsewhere).
 */
#ifndef SNN_HH_FLOAT_H
#define SNN_HH_FLOAT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SNN_HH_DT_MS 0.01f /* Euler step */

typedef struct {
    float v; /* mV */
    float m;
    float h;
    float n;
} snn_hh_state_t;

/* Rest state (v = -65 mV, gates at steady state). */
void snn_hh_rest(snn_hh_state_t *s, uint16_t count);

/*
 * Advance `count` neurons by `steps` Euler steps of SNN_HH_DT_MS with input
 * currents i_ext[count] (uA/cm^2). Returns the number of upward crossings of 0 mV.
 */
uint32_t snn_hh_step_f32(snn_hh_state_t *s, const float *i_ext, uint16_t count, uint16_t steps);

#ifdef __cplusplus
}
#endif

#endif /* SNN_HH_FLOAT_H */
