"""`studio`: a live preview of the screenplay being written, in a local web page.

    run_studio(screenplay, settings)   the `studio` command (run.py)

It watches the screenplay and its scene files, checks and renders the preview on every save
(session.py) with scene jobs forked from a process that has already imported Manim
(render/warm_processes.py), plays the new preview from the first moment that changed (changes.py), and lets
the author reword a line from the page (line_edit.py), behind a token (server.py).

(Nothing is imported here.)
"""
