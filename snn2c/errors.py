"""User-facing errors: the CLI prints them as one line and exits non-zero."""


class Snn2cError(Exception):
    """A mistake in the user's input (file, option, data) or environment."""


class ModelFormatError(Snn2cError):
    """A .snn file that is malformed, truncated, inconsistent or too new."""
