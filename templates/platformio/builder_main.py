"""SCons script of snn2c's offline PlatformIO platform.

Compiles the project's src/ with the cross compiler named in the board
definition (build.snn2c_prefix), the flags snn2c uses itself
(build.snn2c_cflags / build.snn2c_ldflags) and the project's linker script.
"""

from SCons.Script import AlwaysBuild, Default, DefaultEnvironment

env = DefaultEnvironment()
board = env.BoardConfig()
prefix = board.get("build.snn2c_prefix")
cflags = list(board.get("build.snn2c_cflags"))

env.Replace(
    AR=prefix + "gcc-ar",
    AS=prefix + "gcc",
    CC=prefix + "gcc",
    CXX=prefix + "g++",
    LINK=prefix + "gcc",
    RANLIB=prefix + "gcc-ranlib",
    OBJCOPY=prefix + "objcopy",
    SIZETOOL=prefix + "size",
    PROGNAME="firmware",  # as the official platforms name it
    PROGSUFFIX=".elf",
    SIZEPRINTCMD="$SIZETOOL -B $SOURCES",
)
env.Append(
    ASPPFLAGS=["-x", "assembler-with-cpp", *board.get("build.snn2c_archflags")],
    CCFLAGS=cflags,
    LINKFLAGS=cflags + list(board.get("build.snn2c_ldflags")),
    LIBS=["m"],
)

elf = env.BuildProgram()
size = env.Alias("size", elf, env.VerboseAction("$SIZEPRINTCMD", "Calculating size $SOURCE"))
AlwaysBuild(size)
Default([elf, size])
