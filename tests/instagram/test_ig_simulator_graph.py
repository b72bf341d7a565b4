"""GraphClient against the simulated Graph API on a real loopback server."""

from __future__ import annotations

import io

import httpx
import pytest
from PIL import Image

from marksix.errors import PermanentApiError, RateLimited, TokenExpired
from marksix.instagram.graph import GraphClient
from marksix.sandbox import DEFAULT_TOKEN, SimulatorState
from marksix.sandbox.conformance import BASIC, DAY

from .conftest import APP_SECRET, FakeClock, Sandbox, SandboxFactory


def test_reply_is_recorded_and_readable(sandbox: Sandbox) -> None:
    comment_id = sandbox.comment()
    with sandbox.client() as client:
        reply_id = client.reply(comment_id, "多謝留言！18+ 平和基金 1834 633")
        [reply] = client.list_replies(comment_id)
        comment = client.get_comment(comment_id)
    assert reply == {
        "id": reply_id,
        "text": "多謝留言！18+ 平和基金 1834 633",
        "timestamp": reply["timestamp"],
        "username": "marksix.sandbox",
        "from": {"id": sandbox.simulator.state.account.id, "username": "marksix.sandbox"},
        "parent_id": comment_id,
    }
    assert comment["username"] == "alice" and comment["hidden"] is False
    assert sandbox.simulator.state.reply_records() == [
        {"comment_id": comment_id, "reply_id": reply_id, "text": "多謝留言！18+ 平和基金 1834 633"}
    ]


def test_reply_to_unknown_comment_is_code_100(sandbox: Sandbox) -> None:
    with sandbox.client() as client, pytest.raises(PermanentApiError) as caught:
        client.reply("17999999999999999", "hello")
    assert (caught.value.code, caught.value.subcode, caught.value.status) == (100, 33, 400)
    assert "does not exist" in str(caught.value)
    assert sandbox.simulator.state.reply_records() == []


def test_reply_to_a_reply_attaches_to_the_top_level(sandbox: Sandbox) -> None:
    top = sandbox.comment("first")
    nested = sandbox.comment("me too", username="bob", parent_id=top)
    with sandbox.client() as client:
        reply_id = client.reply(nested, "thanks")
        assert client.get_comment(nested, fields="id,parent_id")["parent_id"] == top
        assert client.get_comment(reply_id, fields="parent_id,user")["parent_id"] == top
        assert [item["id"] for item in client.list_replies(top)] == [nested, reply_id]


@pytest.mark.parametrize(
    ("setup", "message", "problem"),
    [
        ("hidden", "hi", "hidden comment"),
        ("live", "hi", "live video"),
        ("plain", "", "message is required"),
        ("plain", "x" * 2201, "The message is too long"),
    ],
)
def test_rejected_replies_are_code_100(sandbox: Sandbox, setup: str, message: str, problem: str) -> None:
    state = sandbox.simulator.state
    media_id = None
    if setup == "live":
        media_id = state.add_media(state.account.id, "live now", media_product_type="LIVE").id
    comment_id = sandbox.comment(media_id=media_id)
    with sandbox.client() as client:
        if setup == "hidden":
            client.hide(comment_id)
        with pytest.raises(PermanentApiError, match=problem) as caught:
            client.reply(comment_id, message)
    assert caught.value.code == 100


def test_hide_unhide_and_delete(sandbox: Sandbox) -> None:
    comment_id = sandbox.comment()
    with sandbox.client() as client:
        client.hide(comment_id)
        assert client.get_comment(comment_id, fields="hidden")["hidden"] is True
        client.hide(comment_id, hidden=False)
        assert client.get_comment(comment_id, fields="hidden")["hidden"] is False
        client.delete_comment(comment_id)
        with pytest.raises(PermanentApiError):
            client.get_comment(comment_id)


def test_own_comments_are_never_hidden(sandbox: Sandbox) -> None:
    comment_id = sandbox.comment(username="marksix.sandbox")
    with sandbox.client() as client:
        client.hide(comment_id)
        assert client.get_comment(comment_id, fields="hidden,user")["user"] == {
            "id": sandbox.simulator.state.account.id
        }
        assert client.get_comment(comment_id, fields="hidden")["hidden"] is False


def test_private_reply_once_per_comment(sandbox: Sandbox) -> None:
    comment_id = sandbox.comment()
    account_id = sandbox.simulator.state.account.id
    with sandbox.client() as client:
        message_id = client.private_reply(account_id, comment_id, "你嘅號碼")
        with pytest.raises(PermanentApiError, match="Only one private reply") as caught:
            client.private_reply(account_id, comment_id, "again")
    assert message_id.startswith("aWdf")
    assert caught.value.code == 10


def test_comments_page_newest_first_capped_at_50(sandbox: Sandbox) -> None:
    ids = [sandbox.comment(f"comment {n}") for n in range(60)]
    media_id = sandbox.simulator.state.latest_media().id
    with sandbox.client() as client:
        first_page = client.list_comments(media_id, limit=80)
        both_pages = client.list_comments(media_id, limit=80, max_pages=2)
    assert len(first_page) == 50
    assert [item["id"] for item in both_pages] == ids[::-1]


def test_comments_with_expanded_replies(sandbox: Sandbox) -> None:
    top = sandbox.comment("q")
    media_id = sandbox.simulator.state.latest_media().id
    with sandbox.client() as client:
        client.reply(top, "a")
        [item] = client.list_comments(media_id, fields="id,text,replies{id,text,parent_id}")
    assert item["replies"]["data"][0]["text"] == "a"
    assert item["replies"]["data"][0]["parent_id"] == top


def test_media_me_subscribe_and_token_refresh(sandbox_factory: SandboxFactory) -> None:
    clock = FakeClock()
    sandbox = sandbox_factory(state=SimulatorState(clock=clock))
    state = sandbox.simulator.state
    with sandbox.client() as client:
        [media] = client.list_media(state.account.id)
        me = client.me()
        assert client.subscribe(state.account.id, ("comments",))
        assert client.subscriptions(state.account.id) == [{"subscribed_fields": ["comments"]}]
        clock.advance(2 * DAY)  # a token can be refreshed once it is a day old
        fresh = client.refresh_access_token()
    assert media["id"] == state.latest_media().id and "caption" in media
    assert me["user_id"] == state.account.id and me["username"] == "marksix.sandbox"
    assert me["id"] != me["user_id"]  # Instagram Login's /me id differs from entry.id
    assert fresh["expires_in"] == 5183944
    with GraphClient(fresh["access_token"], base_url=sandbox.graph_url) as renewed:
        assert renewed.me()["username"] == "marksix.sandbox"


def jpeg(width: int = 1080, height: int = 1080, image_format: str = "JPEG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buffer, format=image_format)
    return buffer.getvalue()


def test_publish_image_makes_a_new_post(sandbox_factory: SandboxFactory) -> None:
    clock = FakeClock()
    images = {"https://cards.test/card.jpg": jpeg()}
    state = SimulatorState(clock=clock, image_fetcher=images.__getitem__)
    sandbox = sandbox_factory(state=state)
    account_id = state.account.id
    # The client's sleep moves the simulated clock: IN_PROGRESS, then FINISHED 2 s later.
    with sandbox.client(sleep=clock.advance) as client:
        media_id = client.publish_image(account_id, "https://cards.test/card.jpg", "下期攪珠 18+")
        assert client.list_media(account_id)[0]["id"] == media_id
    assert state.latest_media().caption == "下期攪珠 18+"


@pytest.mark.parametrize(
    ("image", "code", "subcode"),
    [
        (jpeg(image_format="PNG"), 9004, 2207083),  # JPEG only
        (jpeg(1080, 1500), 36003, 2207009),  # taller than 4:5
        (jpeg(1440, 700), 36003, 2207009),  # wider than 1.91:1
        (b"\xff\xd8\xff" + b"0" * (8 * 1024 * 1024), 9004, 2207004),  # over 8 MB
        (None, 9004, 2207052),  # the URL does not answer
    ],
)
def test_container_refuses_what_instagram_cannot_publish(
    sandbox_factory: SandboxFactory, image: bytes | None, code: int, subcode: int
) -> None:
    def fetch(url: str) -> bytes:
        if image is None:
            raise httpx.ConnectError("unreachable")
        return image

    state = SimulatorState(image_fetcher=fetch)
    sandbox = sandbox_factory(state=state)
    with sandbox.client() as client, pytest.raises(PermanentApiError) as caught:
        client.publish_image(state.account.id, "https://cards.test/x.jpg", "c")
    assert (caught.value.code, caught.value.subcode) == (code, subcode)
    assert state.containers == {}


def test_publishing_before_finished_fails_and_the_limit_is_per_account(
    sandbox_factory: SandboxFactory,
) -> None:
    clock = FakeClock()
    state = SimulatorState(clock=clock, image_fetcher=lambda url: jpeg())
    sandbox = sandbox_factory(state=state)
    other = state.add_account("other.shop", "token-other")
    account = state.account
    with sandbox.client() as client:
        container = client._call("POST", f"{account.id}/media", data={"image_url": "u", "caption": "c"})["id"]
        assert client.get_comment(container, "status_code")["status_code"] == "IN_PROGRESS"
        with pytest.raises(PermanentApiError, match="not ready"):
            client._call("POST", f"{account.id}/media_publish", data={"creation_id": container})
        state.published_at[account.id] = [clock()] * 100
        assert client.publishing_limit(account.id) == (100, 100)
        with pytest.raises(RateLimited):
            client.publish_image(account.id, "u", "c")
        clock.advance(DAY + 1)
        assert client.get_comment(container, "status_code")["status_code"] == "EXPIRED"
        assert client.publishing_limit(account.id) == (0, 100)
    with GraphClient("token-other", base_url=sandbox.graph_url, sleep=clock.advance) as second:
        assert second.publishing_limit(other.id) == (0, 100)
        assert second.publish_image(other.id, "u", "c")


def test_refresh_is_refused_under_a_day_and_after_sixty_days(sandbox_factory: SandboxFactory) -> None:
    clock = FakeClock()
    sandbox = sandbox_factory(state=SimulatorState(clock=clock))
    with sandbox.client() as client:
        with pytest.raises(PermanentApiError, match="24 hours"):
            client.refresh_access_token()
        clock.advance(59 * DAY)
        renewed = client.refresh_access_token()["access_token"]
        clock.advance(2 * DAY)  # the first token has now lived past its 60 days
        with pytest.raises(TokenExpired) as caught:
            client.me()
    assert (caught.value.code, caught.value.subcode) == (190, 463)
    with GraphClient(renewed, base_url=sandbox.graph_url) as fresh:
        assert fresh.me()["username"] == "marksix.sandbox"


def test_each_endpoint_demands_its_permission(sandbox_factory: SandboxFactory) -> None:
    state = SimulatorState()
    sandbox = sandbox_factory(state=state)
    comment = sandbox.comment("hi")
    only_basic = state.issue_token(state.account, scopes=frozenset({BASIC}))
    with GraphClient(only_basic.value, base_url=sandbox.graph_url) as client:
        assert client.me()["user_id"] == state.account.id
        with pytest.raises(PermanentApiError) as replying:
            client.reply(comment, "hello")
        with pytest.raises(PermanentApiError) as messaging:
            client.private_reply(state.account.id, comment, "hello")
        with pytest.raises(PermanentApiError) as publishing:
            client.publishing_limit(state.account.id)
    assert replying.value.code == 200 and "instagram_business_manage_comments" in str(replying.value)
    assert messaging.value.code == 10 and "instagram_business_manage_messages" in str(messaging.value)
    assert publishing.value.code == 200 and "instagram_business_content_publish" in str(publishing.value)


def test_the_version_in_the_path_is_required(sandbox: Sandbox) -> None:
    with httpx.Client() as http:
        answer = http.get(f"{sandbox.graph_url}/me", headers={"Authorization": f"Bearer {DEFAULT_TOKEN}"})
    assert answer.status_code == 400 and "version" in answer.json()["error"]["message"]


def test_unknown_token_is_token_expired(sandbox: Sandbox) -> None:
    with (
        GraphClient("not-a-token", base_url=sandbox.graph_url) as client,
        pytest.raises(TokenExpired) as caught,
    ):
        client.me()
    assert (caught.value.code, caught.value.subcode) == (190, 467)
    assert "not-a-token" not in str(caught.value)


def test_parameters_in_query_form_or_json_and_token_in_query(sandbox: Sandbox) -> None:
    comment_id = sandbox.comment()
    base = f"{sandbox.graph_url}/v25.0/{comment_id}/replies"
    auth = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}
    with httpx.Client() as http:
        by_query = http.post(base, params={"message": "q", "access_token": DEFAULT_TOKEN})
        by_form = http.post(base, data={"message": "f"}, headers=auth)
        by_json = http.post(base, json={"message": "j"}, headers=auth)
        unversioned = http.get(f"{sandbox.graph_url}/me", headers=auth)
        no_token = http.get(f"{sandbox.graph_url}/v25.0/me")
    assert [r.status_code for r in (by_query, by_form, by_json, unversioned)] == [200, 200, 200, 400]
    assert [record["text"] for record in sandbox.simulator.state.reply_records()] == ["q", "f", "j"]
    assert no_token.status_code == 400 and no_token.json()["error"]["code"] == 104
    for response in (by_query, no_token):
        assert "X-Business-Use-Case-Usage" in response.headers or response.status_code == 400


def test_error_shape_has_every_documented_key(sandbox: Sandbox) -> None:
    with httpx.Client() as http:
        response = http.get(
            f"{sandbox.graph_url}/v25.0/404404", headers={"Authorization": f"Bearer {DEFAULT_TOKEN}"}
        )
    error = response.json()["error"]
    assert set(error) == {"message", "type", "code", "error_subcode", "is_transient", "fbtrace_id"}
    assert response.headers["X-App-Usage"]


def test_unknown_fields_and_bad_cursor_are_code_100(sandbox: Sandbox) -> None:
    comment_id = sandbox.comment()
    with sandbox.client() as client:
        with pytest.raises(PermanentApiError, match="nonexisting field"):
            client.get_comment(comment_id, fields="id,nonsense")
        with pytest.raises(PermanentApiError, match="Cursor"):
            client._call("GET", f"{comment_id}/replies", params={"after": "garbage!"})


def test_appsecret_proof_can_be_required(sandbox_factory: SandboxFactory) -> None:
    strict = sandbox_factory(require_appsecret_proof=True, subscribe=False)
    with strict.client() as client, pytest.raises(PermanentApiError, match="appsecret_proof"):
        client.me()
    with strict.client(app_secret=APP_SECRET) as client:
        assert client.me()["username"] == "marksix.sandbox"


def test_private_replies_are_limited_per_hour(sandbox: Sandbox) -> None:
    state = sandbox.simulator.state
    state.private_replies_per_hour = 2
    comments = [sandbox.comment(f"c{n}") for n in range(3)]
    with sandbox.client() as client:
        client.private_reply(state.account.id, comments[0], "a")
        client.private_reply(state.account.id, comments[1], "b")
        with pytest.raises(RateLimited) as caught:
            client.private_reply(state.account.id, comments[2], "c")
    assert caught.value.code == 613
    assert caught.value.retry_after == 3600
