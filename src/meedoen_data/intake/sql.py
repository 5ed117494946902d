"""SQL is generated from the contract's table and column names, never from file contents or user
input; every identifier is quoted with :func:`ident` and every value is a bound parameter."""


def ident(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'
