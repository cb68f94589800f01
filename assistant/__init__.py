"""Question answering over HRC dialogue statements, with verified speaker citations.

Nothing heavy is imported here: use `from assistant.engine import Assistant`.
"""
