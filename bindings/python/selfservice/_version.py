"""The binding's version: the one place it is written (pyproject.toml reads it from here).

It equals the MAJOR.MINOR.PATCH of the libselfservice release the binding was written for; the
test suite checks that it agrees with selfservice.version() of the library it runs against.
"""

__version__ = "0.6.0"
