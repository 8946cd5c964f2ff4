/*
 * sensor_node_main.c - example application: sample -> normalise -> infer (a
 * streaming model: push, one sample of the stream) -> report/act, once per
 * SENSOR_NODE_PERIOD_MS. This is the file to adapt:
 * replace sensor_read() with your ADC/I2C driver and actuate() with what the
 * prediction should drive. Everything else stays as generated.
 */
#include <stdint.h>

#include "board.h"
#include "snn_model.h"
#include "sensor_node_config.h"

#ifndef SENSOR_NODE_PERIOD_MS
#define SENSOR_NODE_PERIOD_MS 1000u
#endif
#ifndef SENSOR_NODE_MAX_SAMPLES /* 0: run forever */
#define SENSOR_NODE_MAX_SAMPLES 0u
#endif

/* Stand-in sensor: a slow sweep across each feature's trained range, in the
 * user's units (the model's normalisation maps them to Q12). */
static void sensor_read(uint32_t sample, float x[SNN_MODEL_N_INPUTS])
{
    for (unsigned j = 0; j < SNN_MODEL_N_INPUTS; j++) {
        uint32_t phase = (sample * (7u + 2u * j)) % 64u;
        float span = sensor_node_high[j] - sensor_node_low[j];
        x[j] = sensor_node_low[j] + span * ((float)phase * (1.0f / 63.0f));
    }
}

/* Stand-in actuator: report the prediction; replace with a GPIO, PWM, radio... */
static void actuate(uint32_t sample, const int32_t y_q16[SNN_MODEL_N_OUTPUTS])
{
    board_puts("sample ");
    board_put_u32(sample);
    for (unsigned o = 0; o < SNN_MODEL_N_OUTPUTS; o++) {
        /* user units x 1000, without printf: round(1000 * y) */
        float y = snn_model_to_units(y_q16[o]) * 1000.0f;
        int32_t milli = (int32_t)(y >= 0.0f ? y + 0.5f : y - 0.5f);
        board_puts(" y_q16=");
        board_put_i32(y_q16[o]);
        board_puts(" y_milli=");
        board_put_i32(milli);
    }
    board_puts("\n");
}

#ifdef SNN2C_ESP_IDF
/* ESP-IDF (PlatformIO env for the ESP32 family): the IDF's start-up calls app_main. */
#define SENSOR_NODE_ENTRY void app_main(void)
#define SENSOR_NODE_RETURN return
#elif defined(SNN2C_ARDUINO)
/* The Arduino core (PlatformIO env for the ESP8266): setup() calls it (board_arduino.cpp). */
#define SENSOR_NODE_ENTRY void snn2c_app_main(void)
#define SENSOR_NODE_RETURN return
#else
#define SENSOR_NODE_ENTRY int main(void)
#define SENSOR_NODE_RETURN return 0
#endif

SENSOR_NODE_ENTRY;
SENSOR_NODE_ENTRY
{
    float x[SNN_MODEL_N_INPUTS];
    int32_t x_q12[SNN_MODEL_N_INPUTS];
    int32_t y_q16[SNN_MODEL_N_OUTPUTS];

    board_puts("snn2c sensor node on " BOARD_NAME "\n");
    snn_model_reset(); /* a streaming model's membranes start here and carry on */
    for (uint32_t sample = 0;; sample++) {
#if SENSOR_NODE_MAX_SAMPLES > 0
        if (sample >= SENSOR_NODE_MAX_SAMPLES) {
            break;
        }
#endif
        sensor_read(sample, x);
        snn_model_normalize(x, x_q12); /* float -> clamped Q12 */
#if SNN_MODEL_STREAMING
        snn_model_push(x_q12, y_q16); /* T steps from the last sample's state, decode */
#else
        snn_model_infer(x_q12, y_q16); /* reset, T steps, decode: integers only */
#endif
        actuate(sample, y_q16);
        board_delay_ms(SENSOR_NODE_PERIOD_MS);
    }
    SENSOR_NODE_RETURN;
}
