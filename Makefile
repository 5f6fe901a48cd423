# diffusion-explainer: `make render` writes the video, `make test` runs the test suite.
# Both first run `setup`, which installs what a fresh Debian 12 machine lacks (idempotent: a second
# run installs nothing).

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
QUALITY ?= h
JOBS ?= $(shell nproc)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Cairo/Pango headers and a compiler build pycairo and manimpango; Noto CJK draws Japanese;
# LaTeX + dvisvgm render MathTex; ffmpeg lets pydub read more than WAV; xdg-utils lets
# `manim -p` (preview) exit cleanly on a machine without a display.
APT_PACKAGES := build-essential pkg-config python3-dev python3-venv libpango1.0-dev \
	fonts-noto-cjk texlive-latex-base dvisvgm ffmpeg xdg-utils
# `make verify` reads the burned-in subtitles back with Tesseract's Japanese model.
OCR_PACKAGES := tesseract-ocr tesseract-ocr-jpn
# `make test` also opens the review page in a real browser (headless Chromium driven by Selenium).
TEST_PACKAGES := chromium chromium-driver $(OCR_PACKAGES)

.PHONY: setup system-packages render preview test bench check train verify clean

setup: system-packages $(STAMP)

# $(call apt_install,packages): install those of the Debian packages that are missing.
define apt_install
	@missing=$$(for p in $(1); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "setup: installing Debian packages:" $$missing; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

system-packages:
	$(call apt_install,$(APT_PACKAGES))

$(STAMP): pyproject.toml Makefile
	@echo "setup: creating $(VENV) and installing the package (about two minutes the first time)"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	$(PY) -m pip install -q --no-deps pyopenjtalk-plus==0.4.1.post10 sudachipy==0.7.0
	touch $@

check: setup
	$(PY) -m diffusion_explainer check

train: setup
	$(PY) -m diffusion_explainer.engine train

# QUALITY=l|m|h|p|k (Manim's letters, default h = 1080p60); RENDER_FLAGS=--force renders every scene
# again, RENDER_FLAGS=--silent skips speech. Only scenes whose inputs changed are rendered.
render: setup
	$(PY) -m diffusion_explainer render --quality $(QUALITY) --jobs $(JOBS) $(RENDER_FLAGS)

test: setup
	$(call apt_install,$(TEST_PACKAGES))
	$(PY) -m pytest

# The full quality report on the last render (build/index.html, build/report.json), with the burned-in
# subtitles read back by OCR; VERIFY_FLAGS=--no-ocr skips that part (and installs no Tesseract).
verify: setup
	$(if $(findstring --no-ocr,$(VERIFY_FLAGS)),,$(call apt_install,$(OCR_PACKAGES)))
	$(PY) -m diffusion_explainer verify $(VERIFY_FLAGS)

# The render part writes under build/bench/ (the real build is left alone) and prints s per video s.
bench: setup
	$(PY) -m diffusion_explainer.engine bench
	$(PY) -m diffusion_explainer bench --quality $(QUALITY) --jobs $(JOBS) $(RENDER_FLAGS)

clean:
	rm -rf build media
