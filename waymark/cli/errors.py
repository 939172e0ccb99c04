"""How a `waymark` command fails: one line on stderr and an exit code, raised as CommandFailed."""

from django.core.exceptions import ValidationError

EXIT_USAGE = 2


class CommandFailed(Exception):
    """A mistake a person can put right. `main` prints `waymark <command>: <message>` on stderr
    and exits with `code`: 2 (the default) for a usage mistake, 1 for a failed check."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


def one_line(exc: ValidationError) -> str:
    """A ValidationError's messages on one line, each field's prefixed with its name."""
    if hasattr(exc, "message_dict"):
        return "; ".join(
            " ".join(messages) if field == "__all__" else f"{field}: {' '.join(messages)}"
            for field, messages in exc.message_dict.items()
        )
    return " ".join(exc.messages)
