"""Static checks of a screenplay and its scene files, and of the machine, in seconds and without
rendering: everything a render would refuse."""
