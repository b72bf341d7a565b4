"""Settings, read once at the entry point: environment, then `.env`, then defaults.

Library code never reads os.environ; the CLI and the server build a Settings
and pass what each part needs. Secrets are SecretStr so they never print.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from marksix.paths import Locator


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="MARKSIX_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    home: Path | None = Field(default=None, description="Data folder (default: the platform's).")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default SQLite in home.")
    redis_url: str | None = Field(default=None, description="Redis for the queue; default SQLite queue.")
    webhook_fsync: Literal["second", "each"] = Field(
        default="second",
        description="SQLite: a webhook's comments are committed before the answer and on disk within "
        "a second (second), or on disk before the answer (each).",
    )

    # Webhooks. app_secret may list several secrets, comma-separated (rotation).
    app_secret: SecretStr = SecretStr("sandbox-app-secret")
    verify_token: SecretStr = SecretStr("sandbox-verify-token")

    # Instagram (real mode only when a token is given).
    ig_access_token: SecretStr | None = None
    ig_user_id: str | None = None
    ig_username: str | None = None
    graph_host: str = "graph.instagram.com"
    graph_api_version: str = "v23.0"

    # Business Login for Instagram (OAuth 2), for "Connect an account" and `marksix accounts connect`.
    # The Instagram app ID and secret are under Instagram > API setup with Instagram login; without
    # an app secret of its own the first MARKSIX_APP_SECRET is used (Meta signs webhooks with it too).
    # The callback is <MARKSIX_PUBLIC_URL>/dashboard/accounts/callback; add it to the app's
    # valid OAuth redirect URIs.
    instagram_app_id: str | None = None
    instagram_app_secret: SecretStr | None = None
    instagram_authorize_url: str = "https://www.instagram.com/oauth/authorize"
    instagram_token_url: str = "https://api.instagram.com/oauth/access_token"  # noqa: S105 - a URL
    # Which features the connected accounts use: each asks Instagram for one more permission.
    publish_enabled: bool = Field(default=True, description="Publish the post card (content_publish).")
    private_replies_enabled: bool = Field(default=True, description="Private replies (manage_messages).")

    # Replies.
    reply_secret: SecretStr = SecretStr("sandbox-reply-secret")
    reply_max_chars: int = Field(default=300, ge=80, le=2200)
    default_language: str = "zh-HK"
    commenter_cooldown_seconds: float = Field(default=60.0, ge=0)
    post_reply_cap: int = Field(default=500, ge=1)
    # Worker timings: how long a silent worker keeps a comment before the sweeper takes it back,
    # and the first retry's delay (doubling after). Production defaults; bench/soak.py shortens them.
    worker_lease_seconds: float = Field(default=120.0, ge=1, le=3600)
    retry_base_seconds: float = Field(default=10.0, gt=0, le=3600)
    # The first wait after a policy block (code 368), doubling per block in a row (worker/policy.py).
    policy_backoff_seconds: float = Field(default=900.0, gt=0, le=86_400)

    # Optional LLM phrasing through any OpenAI-compatible endpoint.
    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = None
    llm_model: str | None = None
    llm_timeout_seconds: float = Field(default=3.0, gt=0, le=60)

    # Results: the service polls HKJC from the draw time (the sandbox polls its simulator instead).
    hkjc_poll: bool = Field(default=True, description="Poll HKJC for new results while serving.")
    hkjc_url: str | None = Field(default=None, description="HKJC's GraphQL URL (default: the official one).")

    # The draw-day post card: a CJK font file, and the public address cards are served from.
    card_font: Path | None = None
    public_url: str | None = None

    # The article studio: local FLUX weights for `article write --image flux`, and the
    # WordPress application password of `article publish`.
    flux_model: Path | None = None
    wordpress_app_password: SecretStr | None = None

    # Dashboard and storage of secrets.
    admin_password: SecretStr | None = None
    session_secret: SecretStr | None = None
    encryption_key: SecretStr | None = None
    # Addresses (or CIDR ranges, comma-separated) of reverse proxies whose X-Forwarded-For and
    # X-Forwarded-Proto are believed. None by default: anyone can send those headers, and the
    # login throttle is keyed on the client address.
    trusted_proxies: str = ""

    @property
    def locator(self) -> Locator:
        """Where the data folder, database, queue and cards are (see paths.py)."""
        return Locator.resolve(self.home, self.database_url)

    @property
    def app_secrets(self) -> list[str]:
        return [part.strip() for part in self.app_secret.get_secret_value().split(",") if part.strip()]

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_base_url and self.llm_model)

    @property
    def oauth_client_secret(self) -> SecretStr | None:
        """The Instagram app secret for the OAuth exchanges: its own setting, else the webhook's."""
        if self.instagram_app_secret is not None and self.instagram_app_secret.get_secret_value().strip():
            return self.instagram_app_secret
        secrets = self.app_secrets
        return SecretStr(secrets[0]) if secrets else None

    @property
    def instagram_configured(self) -> bool:
        return self.ig_access_token is not None and bool(self.ig_user_id)


def load_settings(**overrides: object) -> Settings:
    """Read the settings once; keyword overrides win (used by the CLI and tests)."""
    return Settings(**overrides)  # type: ignore[arg-type]
