/*
 * board.h - the little a firmware image needs from its board: a UART for text
 * output and a way to stop (semihosting exit in an emulator, a parked core on
 * hardware). Values come from board_config.h, which snn2c build renders from
 * the board file (boards/<name>.json).
 */
#ifndef SNN2C_BOARD_H
#define SNN2C_BOARD_H

#include <stdint.h>

#include "board_config.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Clocks and UART set-up; called by the start-up code before main(). */
void board_init(void);

/* Blocking output of one byte / a NUL-terminated string on the board's UART. */
void board_uart_init(void);
void board_putc(char c);
void board_puts(const char *s);

/* Decimal output of integers, without printf. */
void board_put_i32(int32_t v);
void board_put_u32(uint32_t v);

/* Stop: semihosting SYS_EXIT_EXTENDED in emulator images (the emulator exits
 * with `code`), an endless wait on hardware. Never returns. */
void board_exit(int code) __attribute__((noreturn));

/* Busy-wait for about `ms` milliseconds at BOARD_CLOCK_HZ (for examples). */
void board_delay_ms(uint32_t ms);

#ifdef __cplusplus
}
#endif

#endif /* SNN2C_BOARD_H */
