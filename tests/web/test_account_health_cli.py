"""`marksix accounts pause|resume|unblock`: a person holds and releases an account's replies."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine

from cli_runner import run
from marksix.config import load_settings
from marksix.instagram.webhooks import CommentEvent
from marksix.store.account_health import PAUSED_BY_PERSON
from marksix.store.accounts import AccountRepository
from marksix.store.comments import CommentKey, CommentRepository
from marksix.worker.runtime import open_store

ACCOUNT = "17841400000000042"


def _store(home: Path) -> tuple[Engine, CommentRepository, AccountRepository]:
    settings = load_settings(home=home, _env_file=None)
    return open_store(settings, sandbox=True)


def test_pause_resume_and_unblock_from_the_command_line(
    marksix_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    engine, comments, accounts = _store(marksix_home)
    now = dt.datetime.now(dt.UTC)
    try:
        accounts.save(ACCOUNT, "shop", now=now, token="IGAA-cli-token")
        incoming = CommentEvent(
            account_id=ACCOUNT,
            comment_id="17900000000000001",
            media_id="m1",
            text="俾組號碼我",
            from_id="u1",
            from_username="fan",
            parent_id=None,
            field="comments",
            media_product_type="FEED",
            timestamp=None,
        )
        comments.record(incoming, now=now, queued=True)
    finally:
        engine.dispose()

    code, out, _ = run(capsys, "accounts", "pause", ACCOUNT, "--json")
    assert code == 0
    paused = json.loads(out)
    assert (paused["status"], paused["alert"], paused["action"]) == ("blocked", PAUSED_BY_PERSON, "pause")

    code, out, _ = run(capsys, "accounts", "resume", ACCOUNT, "--json")
    assert code == 0
    resumed = json.loads(out)
    assert (resumed["status"], resumed["alert"], resumed["waiting"]) == ("active", None, 1)

    # A block for a reason a person must fix is not lifted by `resume`, only by `unblock`.
    engine, comments, accounts = _store(marksix_home)
    try:
        accounts.block(ACCOUNT, "lacks instagram_business_manage_comments", now=now)
    finally:
        engine.dispose()
    code, _, err = run(capsys, "accounts", "resume", ACCOUNT)
    assert code != 0 and "unblock" in err and "Traceback" not in err
    code, out, _ = run(capsys, "accounts", "unblock", ACCOUNT)
    assert code == 0 and "unblocked: status active" in out and "1 waiting" in out

    engine, comments, accounts = _store(marksix_home)
    try:
        key = CommentKey(ACCOUNT, incoming.comment_id)
        assert comments.get(key).state == "queued"
    finally:
        engine.dispose()


@pytest.mark.parametrize("action", ["pause", "resume", "unblock"])
def test_an_unknown_account_is_named(
    marksix_home: Path, capsys: pytest.CaptureFixture[str], action: str
) -> None:
    code, _, err = run(capsys, "accounts", action, "404")
    assert code != 0 and "404" in err and "Traceback" not in err


def test_moderation_is_off_by_default_and_set_per_account(
    marksix_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    engine, _, accounts = _store(marksix_home)
    try:
        accounts.save(ACCOUNT, "shop", now=dt.datetime.now(dt.UTC), token="IGAA-cli-token")
    finally:
        engine.dispose()
    code, out, _ = run(capsys, "accounts", "moderate", ACCOUNT, "--json")
    assert code == 0 and json.loads(out) == {"id": ACCOUNT, "hide_spam": False, "log": []}
    code, out, _ = run(capsys, "accounts", "moderate", ACCOUNT, "--hide-spam")
    assert code == 0 and "hide spam and adverts: on" in out
    code, out, _ = run(capsys, "accounts", "moderate", ACCOUNT, "--no-hide-spam", "--json")
    assert json.loads(out)["hide_spam"] is False
    code, _, err = run(capsys, "accounts", "moderate", "404")
    assert code != 0 and "404" in err and "Traceback" not in err
