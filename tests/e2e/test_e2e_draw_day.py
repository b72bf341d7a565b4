"""Issue 12's "done when", in the running sandbox: comments, a draw, the record, the results post.

The service runs as `marksix serve --sandbox` does (uvicorn, worker threads,
the simulator on the same port, the autopilot's thread). Nothing is written
into the archive or the record by the test: the draw goes through the
simulated HKJC and the same poller as a real result, and the results post is
published through the simulated Graph API, which fetches the card from the
server's own public URL.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_harness import InProcessService, post_comment, replied_to, replies, settled, wait_until

ASKS = ("俾組號碼我", "give me 3 lines please", "幫我揀 2 組", "one line please")
BALL = re.compile(r"(?<!\d)\d{2}(?!\d)")


@pytest.fixture
def service(tmp_path: Path) -> Iterator[InProcessService]:
    running = InProcessService(tmp_path / "home").start()
    yield running
    running.stop()


def marksix(home: Path, *args: str) -> tuple[int, str]:
    """`marksix ARGS` as a person would run it beside the service, on the same data folder."""
    env = {**os.environ, "MARKSIX_HOME": str(home)}
    env.pop("MARKSIX_DATABASE_URL", None)
    command = [sys.executable, "-c", "import sys; from marksix.cli import main; sys.exit(main())", *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)
    return done.returncode, done.stdout


def handed_out_lines(texts: list[str]) -> list[set[int]]:
    """Every line in the reply texts, read from the text people saw (not from our store)."""
    lines = []
    for text in texts:
        for row in text.splitlines():
            numbers = [int(ball) for ball in BALL.findall(row)]
            if len(numbers) == 6 and all(1 <= number <= 49 for number in numbers):
                lines.append(set(numbers))
    return lines


def tier_of(line: set[int], numbers: set[int], extra: int) -> int | None:
    """The Mark Six tier of one 6-number line (HKJC's rules, written out here on purpose)."""
    matched, with_extra = len(line & numbers), extra in line
    return {6: 1, 5: 3 - with_extra, 4: 5 - with_extra, 3: 7 - with_extra}.get(matched)


def test_a_whole_draw_day_in_the_sandbox(service: InProcessService, tmp_path: Path) -> None:
    http, home = service.http, service.settings.home
    comment_ids = [post_comment(http, f"fan{n}", text) for n, text in enumerate(ASKS)]
    wait_until(lambda: replied_to(http, comment_ids), "the replies")
    wait_until(lambda: settled(service.runtime.comments.counts_by_state), "the queue to drain")
    texts = [reply["text"] for reply in replies(http) if reply["comment_id"] in comment_ids]
    lines = handed_out_lines(texts)
    assert len(lines) >= len(ASKS)

    answer = http.post("/sandbox/api/draw")
    assert answer.status_code == 200, answer.text
    drawn = answer.json()
    assert {"draw_id", "numbers", "extra"} <= set(drawn) and drawn["archived"] is True
    draw_id = drawn["draw_id"]

    def results_posts() -> list[dict[str, str]]:
        media = http.get("/sandbox/api/media").json()
        return [item for item in media if f"第 {draw_id} 期攪珠結果" in (item["caption"] or "")]

    wait_until(results_posts, "the results post")

    code, out = marksix(home, "record", "--json", "--draw", draw_id)
    assert code == 0, out
    record = json.loads(out)
    assert record["draw_id"] == draw_id and record["settled"] is True
    assert record["lines"] == len(lines)  # exactly the lines handed out, no more, no fewer
    expected = dict.fromkeys(range(1, 8), 0)
    for line in lines:
        tier = tier_of(line, set(drawn["numbers"]), drawn["extra"])
        if tier is not None:
            expected[tier] += 1
    assert record["by_tier"] == {str(tier): count for tier, count in expected.items()}

    exported = tmp_path / "ledger.json"
    code, out = marksix(home, "record", "export", "--draw", draw_id, "-o", str(exported))
    assert code == 0, out
    code, out = marksix(home, "record", "verify", str(exported), "--json")
    assert code == 0 and json.loads(out)["ok"] is True
    data = json.loads(exported.read_text(encoding="utf-8"))
    data["ledger"]["entries"][0]["numbers"][0] = 49 if data["ledger"]["entries"][0]["numbers"][0] != 49 else 1
    exported.write_text(json.dumps(data), encoding="utf-8")
    code, out = marksix(home, "record", "verify", str(exported), "--json")
    assert code != 0 and json.loads(out)["ok"] is False

    (post,) = results_posts()  # exactly once
    assert post["image_url"].startswith(service.url + "/media/cards/") and post["timestamp"]
    assert f"We handed out {len(lines)} line" in post["caption"] and record["commitment"] in post["caption"]
    assert http.get(post["image_url"].removeprefix(service.url)).content.startswith(b"\xff\xd8\xff")
