"""snn2c's local PlatformIO development platform: no packages, system compilers."""

from platformio.public import PlatformBase


class Snn2cPlatform(PlatformBase):
    pass
