"""The faithfulness checker: kept, missing, changed, added and new facts."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cli_runner import run
from marksix.studio.checker import check, split_article
from marksix.studio.glossary import load_glossary, parse_glossary
from marksix.studio.quantities import in_chinese_units
from marksix.studio.sources import read_file


def sample(data: Path) -> tuple[str, str, str]:
    source = read_file(data / "meta_source.md").full_text
    translation, commentary = split_article((data / "meta_translation.md").read_text(encoding="utf-8"))
    return source, translation, commentary


def problems_of(report: object) -> list[tuple[str, str | None, str | None]]:
    return [(p["kind"], p["source"], p["translation"]) for p in report.to_json()["problems"]]  # type: ignore[attr-defined]


def test_a_faithful_translation_passes(data: Path) -> None:
    source, translation, commentary = sample(data)
    report = check(
        source, translation, glossary=load_glossary(data / "meta_glossary.yaml"), commentary=commentary
    )
    assert report.ok, report.problems
    statuses = {fact.source: fact.status for fact in report.facts}
    assert statuses["$15 billion"] == statuses["18,000"] == statuses["Mark Zuckerberg"] == "kept"
    assert {fact.kind for fact in report.facts} == {"money", "number", "percent", "date", "name"}


def test_15_billion_as_15_yi_is_a_changed_figure(data: Path) -> None:
    source, translation, _ = sample(data)
    report = check(
        source, translation.replace("150億", "15億"), glossary=load_glossary(data / "meta_glossary.yaml")
    )
    assert ("changed", "$15 billion", "15億美元") in problems_of(report)
    detail = next(p.detail for p in report.problems if p.kind == "changed")
    assert "150億" in detail


def test_a_dropped_number_is_missing(data: Path) -> None:
    source, translation, _ = sample(data)
    report = check(
        source,
        translation.replace("有200萬人", "有大量人"),
        glossary=load_glossary(data / "meta_glossary.yaml"),
    )
    assert problems_of(report) == [("missing", "2 million", None)]


@pytest.mark.parametrize(
    ("wrong", "kind"),
    [("1.8萬人", "changed"), ("40兆瓦", "changed"), ("6月5日", "changed"), ("12%", "changed")],
)
def test_other_slips(data: Path, wrong: str, kind: str) -> None:
    source, translation, _ = sample(data)
    slipped = {"1.8萬人": "18萬人", "40兆瓦": "40千瓦", "6月5日": "6月6日", "12%": "21%"}[wrong]
    report = check(
        source, translation.replace(wrong, slipped), glossary=load_glossary(data / "meta_glossary.yaml")
    )
    assert [p[0] for p in problems_of(report)] == [kind]


def test_a_lost_currency_is_a_change(data: Path) -> None:
    source, translation, _ = sample(data)
    report = check(
        source, translation.replace("150億美元", "150億"), glossary=load_glossary(data / "meta_glossary.yaml")
    )
    assert [p[0] for p in problems_of(report)] == ["changed"]


def test_a_figure_the_source_lacks_is_added(data: Path) -> None:
    source, translation, _ = sample(data)
    report = check(
        source, translation + "\n佔地30公頃。", glossary=load_glossary(data / "meta_glossary.yaml")
    )
    assert problems_of(report) == [("added", None, "30")]


def test_names_need_the_latin_form_or_a_rendering(data: Path) -> None:
    source, translation, _ = sample(data)
    glossary = load_glossary(data / "meta_glossary.yaml")
    report = check(source, translation.replace("美國銀行", "美銀"), glossary=glossary)
    assert problems_of(report) == [("missing", "Bank of America", None)]
    # The writer's own choice counts once it is reported, where the glossary has none.
    reported = parse_glossary("Mark Zuckerberg: 馬克·祖克伯格").with_names({"Bank of America": "美銀"})
    assert check(source, translation.replace("美國銀行", "美銀"), glossary=reported).ok
    # Where the glossary has one, the glossary wins.
    assert not check(
        source,
        translation.replace("美國銀行", "美銀"),
        glossary=glossary.with_names({"Bank of America": "美銀"}),
    ).ok
    report = check(source, translation.replace("The Verge", "科技網站"), glossary=glossary)
    assert [p.source for p in report.problems] == ["Verge"]


def test_commentary_that_invents_a_figure_or_a_name(data: Path) -> None:
    source, translation, _ = sample(data)
    report = check(
        source,
        translation,
        glossary=load_glossary(data / "meta_glossary.yaml"),
        commentary="我估計明年投資會增至300億美元，OpenAI亦會跟進。不過150億美元已經唔少。",
    )
    assert problems_of(report) == [("new_fact", None, "300億美元"), ("new_fact", None, "OpenAI")]


def test_glossary_format_errors_name_the_problem() -> None:
    assert parse_glossary("Mark Zuckerberg: [馬克·祖克伯格, 祖克伯格]").renderings("Zuckerberg") == (
        "馬克·祖克伯格",
        "祖克伯格",
    )
    with pytest.raises(ValueError, match="mapping"):
        parse_glossary("- just\n- a list")
    with pytest.raises(ValueError, match="needs a rendering"):
        parse_glossary("Meta: []")
    with pytest.raises(ValueError, match="not valid YAML"):
        parse_glossary("a: [b")


def test_cli_check_text_and_json(capsys: pytest.CaptureFixture[str], data: Path, tmp_path: Path) -> None:
    args = [
        "article",
        "check",
        "--source",
        str(data / "meta_source.md"),
        "--glossary",
        str(data / "meta_glossary.yaml"),
    ]
    code, out, _ = run(capsys, *args, "--translation", str(data / "meta_translation.md"))
    assert code == 0
    assert "facts kept; OK" in out
    bad = tmp_path / "bad.md"
    bad.write_text(
        (data / "meta_translation.md").read_text(encoding="utf-8").replace("150億", "15億"), encoding="utf-8"
    )
    code, out, _ = run(capsys, *args, "--translation", str(bad), "--json")
    assert code == 1
    payload = json.loads(out)
    assert set(payload) == {"ok", "facts", "problems"}
    assert payload["ok"] is False
    assert set(payload["problems"][0]) == {"kind", "source", "translation", "detail"}


def test_cli_check_bad_glossary_is_a_clear_error(
    capsys: pytest.CaptureFixture[str], data: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "g.yaml"
    broken.write_text("a: [b", encoding="utf-8")
    code, _, err = run(
        capsys,
        "article",
        "check",
        "--source",
        str(data / "meta_source.md"),
        "--translation",
        str(data / "meta_translation.md"),
        "--glossary",
        str(broken),
    )
    assert code == 1
    assert "not valid YAML" in err
    assert "Traceback" not in err


@given(
    st.integers(min_value=1, max_value=999),
    st.sampled_from([("million", 6), ("billion", 9), ("trillion", 12)]),
    st.sampled_from([("$", "美元"), ("HK$", "港元"), ("€", "歐元")]),
)
def test_any_amount_is_kept_in_chinese_units_and_a_lost_scale_is_caught(
    mantissa: int, scale: tuple[str, int], currency: tuple[str, str]
) -> None:
    word, power = scale
    sign, chinese_currency = currency
    source = f"The company will spend {sign}{mantissa} {word} next year."
    right = f"該公司明年將斥資{in_chinese_units(Decimal(mantissa) * 10**power)}{chinese_currency}。"
    assert check(source, right).ok
    slipped = f"該公司明年將斥資{mantissa}億{chinese_currency}。"
    report = check(source, slipped)
    assert report.ok == (power == 8)
    assert [problem.kind for problem in report.problems] == ["changed"]


def test_names_in_a_wire_story() -> None:
    from marksix.studio.facts import latin_names

    text = (
        "SAN FRANCISCO (Reuters) - OpenAI on Monday released GPT-5."
        " Shares of Nvidia Corp rose 3.2% in New York."
        " The European Union's AI Act takes effect in August. Analysts were surprised."
    )
    assert latin_names(text) == [
        "SAN FRANCISCO",
        "Reuters",
        "OpenAI",
        "GPT-5",
        "Nvidia Corp",
        "New York",
        "European Union",
        "AI Act",
    ]


def test_the_first_mention_uses_the_full_glossary_form(data: Path) -> None:
    source, translation, _ = sample(data)
    glossary = load_glossary(data / "meta_glossary.yaml")
    assert check(source, translation + "\n祖克伯格補充說明。", glossary=glossary).ok
    report = check(source, "祖克伯格表示：" + translation, glossary=glossary)
    assert problems_of(report) == [("first_mention", "Mark Zuckerberg", "祖克伯格")]
