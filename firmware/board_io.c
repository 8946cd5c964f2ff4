/* board_io.c - string and integer output over board_putc(), without printf. */
#include "board.h"

void board_puts(const char *s)
{
    while (*s != '\0') {
        if (*s == '\n') {
            board_putc('\r');
        }
        board_putc(*s);
        s++;
    }
}

void board_put_u32(uint32_t v)
{
    char buf[11];
    unsigned n = 0;
    do {
        buf[n++] = (char)('0' + (char)(v % 10u));
        v /= 10u;
    } while (v != 0u);
    while (n > 0u) {
        board_putc(buf[--n]);
    }
}

void board_put_i32(int32_t v)
{
    if (v < 0) {
        board_putc('-');
        /* -(v + 1) + 1 avoids negating INT32_MIN */
        board_put_u32((uint32_t)(-(v + 1)) + 1u);
    } else {
        board_put_u32((uint32_t)v);
    }
}

#ifndef SNN2C_ARDUINO /* the Arduino core's delay() yields and feeds the watchdog */
void board_delay_ms(uint32_t ms)
{
    /* about 4 cycles per iteration; an estimate, good enough for an example */
    volatile uint32_t spin;
    while (ms-- > 0u) {
        for (spin = 0; spin < BOARD_CLOCK_HZ / 4000u; spin++) {
        }
    }
}
#endif
