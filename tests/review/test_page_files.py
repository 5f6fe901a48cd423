"""The review page's own files (its template, style and script) ship with the package: each is
matched by a package-data pattern in pyproject.toml, so an installed copy renders the page."""

import fnmatch
import tomllib
from importlib import resources

from tests.conftest import REPO


def test_every_file_the_page_reads_is_package_data():
    patterns = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))[
        "tool"]["setuptools"]["package-data"]["diffusion_explainer.review"]
    files = [f.name for f in resources.files("diffusion_explainer.review").iterdir()
             if f.is_file() and not f.name.endswith((".py", ".pyc"))]
    assert "page.html.j2" in files and "page.css" in files and "page.js" in files
    assert [f for f in files if not any(fnmatch.fnmatch(f, p) for p in patterns)] == []
