/*
 * board_espidf.c - the board interface on top of ESP-IDF (PlatformIO env for
 * the ESP32 family): output through the IDF console (UART0), busy delays
 * through the IDF's vTaskDelay. The IDF has already initialised everything.
 */
#include <stdio.h>

#include "freertos/FreeRTOS.h"
#include "freertos/task.h"

#include "board.h"

void board_init(void)
{
}

void board_uart_init(void)
{
}

void board_putc(char c)
{
    putchar(c);
}

void board_exit(int code)
{
    printf("SNN2C-EXIT %d\n", code);
    fflush(stdout);
    for (;;) {
        vTaskDelay(1000 / portTICK_PERIOD_MS);
    }
}
