/* exit_loop.c - board_exit() on hardware: report the code and park the core. */
#include "board.h"

void board_exit(int code)
{
    board_puts("SNN2C-EXIT ");
    board_put_i32((int32_t)code);
    board_puts("\n");
    for (;;) {
    }
}
