"""The plug-in files named in ``SIM_PLUGINS`` as modules of this package: ``sim.plugin_modules.<stem>``.

The package's search path is the folders of those files, read from the environment when it is imported
(and again by ``sim.components`` before it loads plug-ins), so every process finds a plug-in under the same
name: a sweep's worker processes inherit the environment and import it when they unpack a config that
holds its parameters.
"""

import os
from pathlib import Path


def search_path() -> list[str]:
    """The folders of the files and folders named in SIM_PLUGINS (module names are imported as they are)."""
    items = [Path(s.strip()).expanduser().resolve() for s in os.environ.get("SIM_PLUGINS", "").split(os.pathsep)
             if s.strip()]
    return list(dict.fromkeys(str(p if p.is_dir() else p.parent) for p in items if p.is_dir() or p.suffix == ".py"))


__path__ = search_path()
