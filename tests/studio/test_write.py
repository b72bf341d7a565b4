"""`marksix article write` end to end against the fake OpenAI-compatible server.

Covered: a long article in several chunks, a glossary, a brief, and the ways a
model goes wrong (a dropped number, 15 billion as 15億, a commentary that
invents a figure); each is caught, and a correct translation passes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fake_studio_llm import MODEL, FakeStudioLLM, serve
from PIL import Image

from cli_runner import run
from marksix.llm.client import LlmConfig
from marksix.studio import sources
from marksix.studio.checker import split_article
from marksix.studio.cover import NO_LIKENESS
from marksix.studio.glossary import load_glossary
from marksix.studio.pipeline import WriteOptions, brief_items, write_article

LONG_PARTS = 24


def long_source(data: Path) -> tuple[str, dict[str, str]]:
    """The Meta story followed by 24 generated paragraphs, and the faithful translation of each."""
    source = (data / "meta_source.md").read_text(encoding="utf-8")
    translation = (data / "meta_translation.md").read_text(encoding="utf-8")
    english = sources.from_markdown(source).paragraphs
    chinese, _ = split_article(translation)
    mapping = dict(zip(english, [p for p in chinese.split("\n\n")[1:] if p.strip()], strict=True))
    extra = []
    for index in range(1, LONG_PARTS + 1):
        paragraph = (
            f"Site {index} in Texas will draw {10 + index} megawatts and cost ${index} billion, Meta said."
        )
        mapping[paragraph] = (
            f"Meta表示，位於德州的第{index}號場址將耗電{10 + index}兆瓦，耗資{index * 10}億美元。"
        )
        extra.append(paragraph)
    return source.rstrip() + "\n\n" + "\n\n".join(extra) + "\n", mapping


SECTIONS = {
    "headline": "Meta斥資150億美元建AI數據中心",
    "dek": "馬克·祖克伯格宣布，Meta將於2027年3月前完成投資。",
    "commentary": "這筆投資顯示Meta對AI的決心，但能否回本仍是未知數。",
    "key_figure": "150億美元",
    "cover_prompt": "Mark Zuckerberg standing before glowing data centre racks at dusk",
}


@pytest.fixture
def fake(data: Path) -> Iterator[FakeStudioLLM]:
    _, mapping = long_source(data)
    state = FakeStudioLLM(
        translations=mapping,
        names=[{"source": "The Verge", "rendering": "The Verge"}, {"source": "Texas", "rendering": "德州"}],
        sections=dict(SECTIONS),
        brief=lambda text: "Nvidia於10月付運100萬枚H200晶片。" if "Nvidia" in text else f"快訊：{text}",
    )
    with serve(state):
        yield state


@pytest.fixture
def studio(fake: FakeStudioLLM, data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MARKSIX_LLM_BASE_URL", fake.url)
    monkeypatch.setenv("MARKSIX_LLM_MODEL", MODEL)
    monkeypatch.delenv("MARKSIX_LLM_API_KEY", raising=False)
    source, _ = long_source(data)
    (tmp_path / "story.md").write_text(source, encoding="utf-8")
    return tmp_path


BRIEF = "Nvidia shipped 1 million H200 chips in October. | https://news.example/nvidia"


def write(capsys: pytest.CaptureFixture[str], data: Path, *extra: str) -> tuple[int, str, str]:
    return run(
        capsys,
        "article",
        "write",
        "story.md",
        "-o",
        "out",
        "--glossary",
        str(data / "meta_glossary.yaml"),
        "--chunk-chars",
        "800",
        "--brief",
        BRIEF,
        *extra,
    )


def report_of(folder: Path) -> dict[str, object]:
    return json.loads((folder / "out" / "report.json").read_text(encoding="utf-8"))


def test_a_correct_long_article_with_glossary_and_brief_is_written(
    capsys: pytest.CaptureFixture[str], data: Path, studio: Path, fake: FakeStudioLLM
) -> None:
    code, out, err = write(capsys, data)
    assert code == 0, out + err
    for stage in ("[1/6] read", "[2/6] translate", "[3/6] write", "[4/6] check", "[5/6] cover", "[6/6] save"):
        assert stage in err
    folder = studio / "out"
    assert sorted(path.name for path in folder.iterdir()) == [
        "article.html",
        "article.md",
        "cover.jpg",
        "report.json",
    ]
    report = report_of(studio)
    assert report["ok"] is True and report["finished"] is True and report["accepted_problems"] is False
    assert report["models"] == {"text": MODEL, "image": "typographic card (Pillow)"}
    # Long: several chunks, the glossary in each, the names of the first carried to the next.
    chunks = fake.payloads("translation_chunk")
    assert len(chunks) == report["parts"] >= 3
    assert all(chunk["glossary"]["Mark Zuckerberg"] == ["馬克·祖克伯格", "祖克伯格"] for chunk in chunks)
    assert chunks[0]["names"] == {} and all(
        chunk["names"] == {"The Verge": "The Verge", "Texas": "德州"} for chunk in chunks[1:]
    )
    assert all(request["body"]["response_format"]["type"] == "json_schema" for request in fake.requests)
    # Every figure of the 24 generated paragraphs was checked.
    kept = [fact for fact in report["facts"] if fact["status"] == "kept"]  # type: ignore[union-attr]
    assert len(kept) == len(report["facts"]) > 2 * LONG_PARTS  # type: ignore[arg-type]
    markdown = (folder / "article.md").read_text(encoding="utf-8")
    assert markdown.startswith("# Meta斥資150億美元建AI數據中心")
    assert (
        "## 其他AI動態快訊\n\n- Nvidia於10月付運100萬枚H200晶片。（[來源](https://news.example/nvidia)）"
        in markdown
    )
    assert "## 我的觀點與評論\n\n> 以下為作者個人觀點" in markdown
    assert f"本文由 {MODEL} 翻譯及撰寫" in markdown
    html = (folder / "article.html").read_text(encoding="utf-8")
    assert '<section class="opinion">' in html and 'href="https://news.example/nvidia"' in html
    with Image.open(folder / "cover.jpg") as cover:
        assert cover.format == "JPEG" and cover.width == 1080
    # The written article passes the stand-alone check too.
    code, out, _ = run(
        capsys,
        "article",
        "check",
        "--source",
        "story.md",
        "--translation",
        "out/article.md",
        "--glossary",
        str(data / "meta_glossary.yaml"),
        "--names",
        "out/report.json",
    )
    assert code == 0, out


def _break(fake: FakeStudioLLM, old: str, new: str) -> None:
    for key, value in fake.translations.items():
        if old in value:
            fake.translations[key] = value.replace(old, new)
            return
    raise AssertionError(f"{old} not in any translation")


def test_a_dropped_number_stops_the_article(
    capsys: pytest.CaptureFixture[str], data: Path, studio: Path, fake: FakeStudioLLM
) -> None:
    _break(fake, "有200萬人", "有大量人")
    code, _, err = write(capsys, data)
    assert code == 1
    assert "Not finished" in err and "--accept-problems" in err
    assert sorted(path.name for path in (studio / "out").iterdir()) == ["report.json"]
    report = report_of(studio)
    assert report["finished"] is False
    assert [(p["kind"], p["source"]) for p in report["problems"]] == [("missing", "2 million")]  # type: ignore[union-attr,index]


def test_15_billion_as_15_yi_is_caught(
    capsys: pytest.CaptureFixture[str], data: Path, studio: Path, fake: FakeStudioLLM
) -> None:
    _break(fake, "斥資150億美元", "斥資15億美元")
    code, out, _ = write(capsys, data)
    assert code == 1
    problems = report_of(studio)["problems"]
    assert [(p["kind"], p["source"], p["translation"]) for p in problems] == [  # type: ignore[union-attr,index]
        ("changed", "$15 billion", "15億美元")
    ]
    assert "scale slipped: $15 billion is 150億 USD, not 15億美元" in out


def test_a_commentary_that_invents_a_figure_is_caught(
    capsys: pytest.CaptureFixture[str], data: Path, studio: Path, fake: FakeStudioLLM
) -> None:
    fake.sections["commentary"] = "我估計明年投資會增至300億美元，回本要等到2030年。"
    code, _, _ = write(capsys, data)
    assert code == 1
    problems = report_of(studio)["problems"]
    assert [(p["kind"], p["translation"]) for p in problems] == [  # type: ignore[union-attr,index]
        ("new_fact", "300億美元"),
        ("new_fact", "2030年"),
    ]


def test_a_brief_item_that_invents_a_figure_is_caught(
    capsys: pytest.CaptureFixture[str], data: Path, studio: Path, fake: FakeStudioLLM
) -> None:
    fake.brief = lambda text: "Nvidia於10月付運100萬枚H200晶片，股價升5%。"
    code, _, _ = write(capsys, data)
    assert code == 1
    problems = report_of(studio)["problems"]
    assert [(p["kind"], p["translation"]) for p in problems] == [("new_fact", "5%")]  # type: ignore[union-attr,index]
    assert problems[0]["detail"].startswith("brief item:")  # type: ignore[index]


def test_problems_can_be_accepted_and_the_report_says_so(
    capsys: pytest.CaptureFixture[str], data: Path, studio: Path, fake: FakeStudioLLM
) -> None:
    fake.sections["dek"] = "呢個軟體好犀利。"  # a Taiwan term
    code, out, _ = write(capsys, data, "--accept-problems")
    assert code == 0
    assert "problems accepted" in out
    report = report_of(studio)
    assert report["finished"] is True and report["accepted_problems"] is True
    assert [p["kind"] for p in report["problems"]] == ["usage"]  # type: ignore[union-attr,index]
    assert (studio / "out" / "article.md").is_file()


def test_a_malformed_model_answer_is_a_clear_error(
    capsys: pytest.CaptureFixture[str], data: Path, studio: Path, fake: FakeStudioLLM
) -> None:
    fake.raw_content = "Sure! Here is your translation."
    code, _, err = write(capsys, data)
    assert code == 1
    assert "not JSON" in err and "Traceback" not in err


def test_flux_needs_local_weights(capsys: pytest.CaptureFixture[str], data: Path, studio: Path) -> None:
    code, _, err = write(capsys, data, "--image", "flux")
    assert code == 1
    assert "--flux-model" in err


class StandInFlux:
    """Stands in for a diffusers FluxPipeline: same call, a plain image back. Not a real model."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.prompts: list[str] = []

    def __call__(self, *, prompt: str, width: int, height: int, num_inference_steps: int) -> object:
        self.prompts.append(prompt)

        class Result:
            def __init__(self) -> None:
                self.images = [Image.new("RGB", (width, height), "#335577")]

        return Result()


def test_url_source_url_brief_and_the_flux_wiring(data: Path, fake: FakeStudioLLM, tmp_path: Path) -> None:
    story, _ = long_source(data)
    html = (
        "<html><head><title>Meta to spend $15 billion on AI data centres</title></head><body><article>"
        + "".join(f"<p>{paragraph}</p>" for paragraph in sources.from_markdown(story).paragraphs)
        + "</article></body></html>"
    )
    brief_html = (
        "<html><body><article><p>Nvidia shipped 1 million H200 chips in October,"
        " the company said in a statement today.</p></article></body></html>"
    )
    pages = {"https://news.example/meta": html, "https://news.example/nvidia": brief_html}

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text=pages[str(request.url)], headers={"Content-Type": "text/html"})

    transport = httpx.MockTransport(handler)
    document = sources.load("https://news.example/meta", transport=transport)
    assert document.title == "Meta to spend $15 billion on AI data centres"
    briefs = brief_items(["https://news.example/nvidia"], transport=transport)
    stand_in: list[StandInFlux] = []

    def factory(path: str) -> StandInFlux:
        stand_in.append(StandInFlux(path))
        return stand_in[-1]

    weights = tmp_path / "flux-schnell"
    weights.mkdir()
    result = write_article(
        document,
        briefs,
        load_glossary(data / "meta_glossary.yaml"),
        LlmConfig(base_url=fake.url, api_key=None, model=MODEL, timeout=30),
        tmp_path / "out",
        options=WriteOptions(image="flux", flux_model=weights, flux_factory=factory, chunk_chars=800),
    )
    assert result.finished, result.report["problems"]
    assert stand_in[0].path == str(weights)
    prompt = stand_in[0].prompts[0]
    assert "Zuckerberg" not in prompt and NO_LIKENESS in prompt
    assert result.report["models"]["image"] == "FLUX (flux-schnell)"
    markdown = (tmp_path / "out" / "article.md").read_text(encoding="utf-8")
    assert "封面由 FLUX (flux-schnell) 生成" in markdown
    assert "原文：[Meta to spend $15 billion on AI data centres](https://news.example/meta)" in markdown
    with Image.open(tmp_path / "out" / "cover.jpg") as cover:
        assert cover.size == (1080, 1080)


def test_stdin_source(
    capsys: pytest.CaptureFixture[str], data: Path, studio: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO((studio / "story.md").read_text(encoding="utf-8")))
    code, out, err = run(
        capsys,
        "article",
        "write",
        "-",
        "-o",
        "out",
        "--glossary",
        str(data / "meta_glossary.yaml"),
        "--chunk-chars",
        "800",
    )
    assert code == 0, out + err
    assert "其他AI動態快訊" not in (studio / "out" / "article.md").read_text(encoding="utf-8")


def test_without_an_llm_the_error_says_what_to_set(
    capsys: pytest.CaptureFixture[str], studio: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MARKSIX_LLM_BASE_URL")
    code, _, err = run(capsys, "article", "write", "story.md", "-o", "out")
    assert code == 1
    assert "MARKSIX_LLM_BASE_URL" in err and "Traceback" not in err


def test_a_missing_source_is_a_clear_error(capsys: pytest.CaptureFixture[str], studio: Path) -> None:
    code, _, err = run(capsys, "article", "write", "nope.md", "-o", "out")
    assert code == 1
    assert "neither a URL nor a readable file" in err


def test_without_out_the_article_goes_where_the_dashboard_looks(
    capsys: pytest.CaptureFixture[str], data: Path, studio: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MARKSIX_HOME", str(studio / "home"))
    code, out, err = run(
        capsys, "article", "write", "story.md", "--glossary", str(data / "meta_glossary.yaml")
    )
    assert code == 0, out + err
    (written,) = (studio / "home" / "articles").iterdir()
    assert (written / "article.md").is_file()
