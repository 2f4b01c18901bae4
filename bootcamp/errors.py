"""The one exception type the command line turns into a clear, one-line message."""


class BootcampError(Exception):
    """A problem the user can fix (bad option, missing file); printed as one line, no traceback."""
