"""The secret key of the warehouse's keyed hashes (HMAC-SHA256 of SSNs: ``ssn__hash``).

An SSN is published only masked (``***-**-6789``) and hashed. With the last four digits known, an
unkeyed or publicly salted hash falls to 10^5 guesses, so the hash is keyed with a secret that
never leaves the warehouse home:

* ``$LEADWH_SECRET_KEY`` when set (at least :data:`MIN_KEY_CHARS` characters), else
* ``$LEADWH_HOME/secrets/hmac.key``, generated on first use (32 random bytes, hex), mode 0600 in a
  0700 folder. It is never in the serving file, an export or a log. Keep it with your backups:
  another key gives other hashes (the same SSN no longer matches across the change).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

#: Environment variable holding the key itself (it wins over the key file).
SECRET_KEY_ENV = "LEADWH_SECRET_KEY"
#: The key file, relative to the warehouse home.
KEY_FILE = Path("secrets") / "hmac.key"
MIN_KEY_CHARS = 32


class SecretKeyError(RuntimeError):
    """The key cannot be read or is too weak; the message says what to do."""


@dataclass(frozen=True)
class SecretKey:
    """An HMAC key. Its repr hides the bytes, so a log or a traceback never shows them."""

    secret: bytes
    origin: str  # where it came from: the environment variable's name or the key file's path

    def __repr__(self) -> str:
        return f"SecretKey(origin={self.origin!r}, secret=<hidden>)"

    __str__ = __repr__

    def digest(self, value: str) -> str:
        """HMAC-SHA256 of a value, as 64 hex digits."""
        return hmac.new(self.secret, value.encode("utf-8"), hashlib.sha256).hexdigest()


def key_path(home: Path) -> Path:
    return home / KEY_FILE


def _from_env(environ: dict[str, str]) -> SecretKey | None:
    value = environ.get(SECRET_KEY_ENV, "")
    if not value.strip():
        return None
    if len(value.strip()) < MIN_KEY_CHARS:
        raise SecretKeyError(
            f"{SECRET_KEY_ENV} is shorter than {MIN_KEY_CHARS} characters: use a long random"
            " value, e.g. `python -c 'import secrets; print(secrets.token_hex(32))'`"
        )
    return SecretKey(value.strip().encode("utf-8"), SECRET_KEY_ENV)


def _create(path: Path) -> None:
    """Write a new random key atomically: a concurrent creator's key wins, never a mix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    tmp = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)  # fails when another process created the key first
        except FileExistsError:
            pass
    finally:
        tmp.unlink(missing_ok=True)


def load_key(home: Path, environ: dict[str, str] | None = None) -> SecretKey:
    """The key: ``$LEADWH_SECRET_KEY``, else the home's key file (created on first use)."""
    env = os.environ if environ is None else environ
    found = _from_env(env)
    if found is not None:
        return found
    path = key_path(home)
    if not path.exists():
        _create(path)
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        os.chmod(path, 0o600)  # readable by others (e.g. copied): tighten it
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as error:
        raise SecretKeyError(
            f"cannot read the HMAC key {path} ({error.__class__.__name__}); restore it from a"
            f" backup, or set {SECRET_KEY_ENV}"
        ) from None
    if len(text) < MIN_KEY_CHARS:
        raise SecretKeyError(
            f"the HMAC key {path} is empty or too short; restore it from a backup (deleting it"
            " makes a new key, and every ssn__hash changes)"
        )
    return SecretKey(text.encode("ascii"), str(path))
