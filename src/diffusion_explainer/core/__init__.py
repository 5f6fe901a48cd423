"""The bottom floor: what every other part uses and that imports nothing else of the package
(where renders build and cache, errors, style, fonts, render settings, atomic files, the store)."""
