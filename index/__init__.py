"""Load, segment, chunk and store dialogue documents."""
