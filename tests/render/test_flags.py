"""A render ends with what its quality report flags, so a line read too fast or a stretch of dead
air is seen without opening the page."""

import json

from diffusion_explainer.render.pipeline import FLAGS_SHOWN, flagged_lines


def test_the_flags_of_the_report_are_printed_at_most_a_screenful(tmp_path):
    report = tmp_path / "report.json"
    problems = [f"s0{i % 8 + 1}_x/line{i:02d}: {7 + i / 10:.1f} characters per second (over 6)" for i in range(15)]
    report.write_text(json.dumps({"problems": problems}), encoding="utf-8")
    lines = flagged_lines(report)
    assert lines[0] == "  report  15 flagged (see index.html):"
    assert [line.strip() for line in lines[1:1 + FLAGS_SHOWN]] == problems[:FLAGS_SHOWN]
    assert lines[-1].strip() == "... and 3 more in report.json"


def test_nothing_flagged_is_said_and_a_missing_report_says_nothing(tmp_path):
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"problems": []}), encoding="utf-8")
    assert flagged_lines(report) == ["  report  nothing flagged"]
    assert flagged_lines(tmp_path / "missing.json") == []


def test_a_real_render_ends_with_its_reports_flags(small_narrated_render):
    outputs, _, log = small_narrated_render
    problems = json.loads(outputs.report.read_text(encoding="utf-8"))["problems"]
    assert flagged_lines(outputs.report)[0] in log
    for problem in problems[:FLAGS_SHOWN]:
        assert problem in log
