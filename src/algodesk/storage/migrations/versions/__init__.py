"""One file per schema revision, oldest first: 0001 is the baseline (the schema of the
last release made with `create_all`)."""
