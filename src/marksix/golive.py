"""What real mode needs before it may start: no secret left at its public sandbox value.

The sandbox's secrets are printed in the README and the source, so a server
talking to a real Instagram account with any of them could be forged
(webhooks), read (tokens) or spoofed (replies). `marksix serve` in real
mode refuses to start while one is missing or still the sandbox value, and
names each, one line per setting.
"""

from __future__ import annotations

from pydantic import SecretStr

from marksix.config import Settings


def real_mode_problems(settings: Settings) -> list[str]:
    """One line per secret that is missing or still the sandbox's public value."""
    checked: list[tuple[str, SecretStr | None, str | None]] = [
        ("MARKSIX_APP_SECRET", settings.app_secret, "sandbox-app-secret"),
        ("MARKSIX_VERIFY_TOKEN", settings.verify_token, "sandbox-verify-token"),
        ("MARKSIX_REPLY_SECRET", settings.reply_secret, "sandbox-reply-secret"),
        ("MARKSIX_ENCRYPTION_KEY", settings.encryption_key, None),
    ]
    if settings.instagram_app_secret is not None:  # optional: it defaults to MARKSIX_APP_SECRET
        checked.append(("MARKSIX_INSTAGRAM_APP_SECRET", settings.instagram_app_secret, "sandbox-app-secret"))
    problems: list[str] = []
    for variable, secret, sandbox_value in checked:
        value = secret.get_secret_value().strip() if secret is not None else ""
        if not value:
            problems.append(f"{variable} is not set; real mode needs a secret of your own")
        elif sandbox_value is not None and sandbox_value in {part.strip() for part in value.split(",")}:
            problems.append(f"{variable} is still the public sandbox value; set a secret of your own")
    return problems


def connect_hints(settings: Settings) -> list[str]:
    """What "Connect an account" (Business Login) still needs; real mode starts without it."""
    hints = []
    if not (settings.instagram_app_id or "").strip():
        hints.append("MARKSIX_INSTAGRAM_APP_ID is not set (Instagram > API setup with Instagram login)")
    if not (settings.public_url or "").startswith("https://"):
        hints.append(
            "MARKSIX_PUBLIC_URL is not an https:// address (Instagram redirects the admin back to it)"
        )
    return hints
