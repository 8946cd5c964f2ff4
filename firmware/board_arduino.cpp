/*
 * board_arduino.cpp - the board interface on the ESP8266 Arduino core (PlatformIO env
 * for the esp8266 board): output through Serial (UART0), waits through delay(),
 * which yields to the Wi-Fi stack and feeds the watchdog that a busy wait would
 * trip. The core's start-up has set up clocks and flash; setup() runs the sensor
 * node (sensor_node_main.c, built with SNN2C_ARDUINO), loop() is never reached.
 * The ROM's __divsi3, __mulsf3, ... come with the core's linker script, so this
 * env builds without firmware/rt_lx106.c.
 */
#include <Arduino.h>

#include "board.h"

extern "C" void snn2c_app_main(void);

void board_init(void)
{
}

void board_uart_init(void)
{
    Serial.begin(BOARD_UART_BAUD);
}

void board_putc(char c)
{
    Serial.write(static_cast<uint8_t>(c));
}

void board_delay_ms(uint32_t ms)
{
    delay(ms);
}

void board_exit(int code)
{
    Serial.printf("SNN2C-EXIT %d\n", code);
    for (;;) {
        delay(1000);
    }
}

void setup()
{
    board_uart_init();
    snn2c_app_main();
}

void loop()
{
    delay(1000);
}
