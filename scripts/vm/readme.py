"""The README's technician steps, exactly as written there.

Each step the VM test runs is a fenced ```sh block in README.md right after a
line `<!-- vm-test: NAME -->`; the test runs the block's text unchanged, as
one script under `set -euo pipefail`, so the README cannot drift from what is
tested.
"""

import re
import textwrap

# The marker, then the block, both indented alike when they stand in a list item.
BLOCK = re.compile(r"<!-- vm-test: ([\w-]+) -->[ \t]*\n([ \t]*)```sh\n(.*?)\n\2```", re.S)


def technician_steps(readme_path):
    with open(readme_path, encoding="utf-8") as readme:
        text = readme.read()
    steps = {}
    for name, _, body in BLOCK.findall(text):
        if name in steps:
            raise ValueError(f"README.md: two blocks are marked vm-test: {name}")
        steps[name] = textwrap.dedent(body) + "\n"
    return steps


def as_script(body):
    """The block as the technician types it, stopping at the first command that fails."""
    return "set -euo pipefail\n" + body
