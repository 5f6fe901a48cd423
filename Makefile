# diffusion-explainer: `make render` writes the video, `make test` runs the test suite.
# Both first run `setup`, which installs what a fresh Debian 12 machine lacks (idempotent: a second
# run installs nothing).

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
QUALITY ?= h
MUSIC ?= 1
EXECUTOR ?= local
JOBS ?= $(shell nproc)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SETUP_LOG := build/setup.log
SCREENPLAY ?=
SCREENPLAY_ARG := $(if $(SCREENPLAY),--screenplay $(SCREENPLAY))

# LANG=en: the English video (render, verify, studio; LANG=ja, the default: the Japanese one). LANG is
# also the locale variable, and a user whose environment has LANG=en_US.UTF-8 still gets the Japanese
# video: only a LANG given on make's command line chooses the language. The recipes then run with
# LANG=C.UTF-8 (every Debian has it), not with a locale named `en`.
ifeq ($(origin LANG),command line)
VIDEO_LANG := $(LANG)
override LANG := C.UTF-8
else
VIDEO_LANG := ja
endif
ifneq ($(words $(VIDEO_LANG)) $(filter ja en,$(VIDEO_LANG)),1 $(VIDEO_LANG))
$(error LANG=$(VIDEO_LANG) is not a language of the video: use LANG=en (English) or LANG=ja (Japanese, the default), e.g. make render LANG=en)
endif
LANGUAGE_ARG := --language $(VIDEO_LANG)

# One line per setup step; the step's own output (hundreds of dpkg and pip lines) goes to
# $(SETUP_LOG), and its last lines are shown only if it fails. Usage: $(STEP) "what" command args...
STEP = step() { what=$$1; shift; echo "setup: $$what"; mkdir -p $(dir $(SETUP_LOG)); \
	echo "=== $$what: $$*" >> $(SETUP_LOG); \
	if ! "$$@" >> $(SETUP_LOG) 2>&1; then echo "setup: FAILED: $$what. The last lines of $(SETUP_LOG):"; \
	tail -n 30 $(SETUP_LOG); exit 1; fi; }; step

# The Debian packages of $(1) that are not installed yet, installed in one step.
define apt_install
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		$(STEP) "installing Debian packages: $$(echo $$missing)" \
			sh -c "$(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$(echo $$missing)"; \
	fi
endef

# Cairo/Pango headers and a compiler build pycairo and manimpango; Noto CJK draws Japanese, DejaVu
# Sans the English video's subtitles; LaTeX + dvisvgm render MathTex; ffmpeg lets pydub read more
# than WAV; xdg-utils lets `manim -p` (preview) exit cleanly on a machine without a display.
APT_PACKAGES := build-essential pkg-config python3-dev python3-venv libpango1.0-dev \
	fonts-noto-cjk fonts-dejavu-core texlive-latex-base dvisvgm ffmpeg xdg-utils
# `make verify` reads the burned-in subtitles back with Tesseract's Japanese model.
OCR_PACKAGES := tesseract-ocr tesseract-ocr-jpn
# `make test` also opens the review page in a real browser (headless Chromium driven by Selenium).
TEST_PACKAGES := chromium chromium-driver $(OCR_PACKAGES)

.PHONY: setup system-packages render preview test bench check train verify clean ray studio verify-extra

setup: system-packages $(STAMP)

system-packages:
	$(call apt_install,$(APT_PACKAGES))

$(STAMP): pyproject.toml Makefile
	@$(STEP) "creating $(VENV)" $(PYTHON) -m venv $(VENV)
	@$(STEP) "upgrading pip" $(PY) -m pip install --upgrade pip
	@$(STEP) "installing the package and its dependencies into $(VENV) (about two minutes the first time)" \
		$(PY) -m pip install -e '.[test]'
	@$(STEP) "installing the Japanese phonemiser (without its downloading extras)" \
		$(PY) -m pip install --no-deps pyopenjtalk-plus==0.4.1.post10 sudachipy==0.7.0
	@touch $@
	@echo "setup: done (the full log is $(SETUP_LOG))"

# SCREENPLAY=FILE checks or renders another screenplay (its video goes to build/<its name>/).
check: setup
	$(PY) -m diffusion_explainer check $(SCREENPLAY)

train: setup
	$(PY) -m diffusion_explainer train

# QUALITY=l|m|h|p|k (Manim's letters, default h = 1080p60); LANG=en the English video; MUSIC=0 leaves
# the music bed and effects out (narration only); RENDER_FLAGS=--force renders every scene again,
# RENDER_FLAGS=--silent skips speech, RENDER_FLAGS="--scene s03_forward" renders one scene alone (no
# join). Only scenes whose inputs changed are rendered. The video goes to build/ at QUALITY=h in
# Japanese, else to build/<quality>/, build/en/ or build/en/<quality>/ (the render prints where).
render: setup $(if $(filter ray,$(EXECUTOR)),ray)
	$(PY) -m diffusion_explainer render --quality $(QUALITY) $(LANGUAGE_ARG) --jobs $(JOBS) --executor $(EXECUTOR) \
		$(SCREENPLAY_ARG) $(if $(filter 0,$(MUSIC)),--no-music) $(RENDER_FLAGS)

# The live studio for authors: a page at http://127.0.0.1:8700/?token=... (the address is printed) that
# previews the screenplay at QUALITY (default l here: 480p15) on every save of it or of a scene file,
# and where a line can be reworded. SCREENPLAY=FILE, STUDIO_FLAGS="--port 8800 --silent". Ctrl-C stops it.
studio: setup
	$(PY) -m diffusion_explainer studio --quality $(if $(filter file,$(origin QUALITY)),l,$(QUALITY)) \
		$(LANGUAGE_ARG) --jobs $(JOBS) $(SCREENPLAY_ARG) $(STUDIO_FLAGS)

# Ray, for EXECUTOR=ray and the tests: an optional extra (a plain `make render` does not need it).
RAY_STAMP := $(VENV)/.ray-installed
ray: setup $(RAY_STAMP)
$(RAY_STAMP): pyproject.toml
	@$(STEP) "installing Ray (render --executor ray)" $(PY) -m pip install -e '.[test,ray]'
	@touch $@

# Whisper base, for `make verify` (every line of the narration heard back) and the tests: an optional extra.
VERIFY_STAMP := $(VENV)/.verify-installed
verify-extra: setup $(VERIFY_STAMP)
$(VERIFY_STAMP): pyproject.toml
	@$(STEP) "installing Whisper base (the narration heard back by verify)" $(PY) -m pip install -e '.[verify]'
	@touch $@

test: setup ray verify-extra
	$(call apt_install,$(TEST_PACKAGES))
	$(PY) -m pytest

# The full quality report on the last render of QUALITY and LANG (build/index.html, build/report.json at
# the default quality in Japanese), with the burned-in subtitles read back by OCR and the narration heard
# back by Whisper base; VERIFY_FLAGS=--no-ocr skips the OCR (and installs no Tesseract),
# VERIFY_FLAGS=--no-hearing the hearing.
verify: setup verify-extra
	$(if $(findstring --no-ocr,$(VERIFY_FLAGS)),,$(call apt_install,$(OCR_PACKAGES)))
	$(PY) -m diffusion_explainer verify --quality $(QUALITY) $(LANGUAGE_ARG) $(SCREENPLAY_ARG) $(VERIFY_FLAGS)

# The render part writes under build/bench/ (the real build is left alone) and prints s per video s;
# then the one-line edit and its undo at 480p15, timed from the render command (bench/edit_loop.py;
# `bench` times them at QUALITY too), and the author's loop: edits timed from the save to the
# studio's new preview (bench/studio_loop.py).
bench: setup ray
	$(PY) -m diffusion_explainer engine-bench
	$(PY) -m diffusion_explainer bench --quality $(QUALITY) --jobs $(JOBS) $(RENDER_FLAGS)
	$(PY) -m diffusion_explainer edit-bench --quality l --jobs $(JOBS) $(RENDER_FLAGS)
	$(PY) -m diffusion_explainer studio-loop --quality l --jobs $(JOBS)

clean:
	rm -rf build media
