"""Where each dataset is looked for, and the error when it is not there.

A loader's `root=None` resolves, in order, to:

1. the dataset's own environment variable (`SSHN_WBC_DIR`, `SSHN_OASIS_DIR`,
   `SSHN_CAMUS_DIR`, `SSHN_PANDENTAL_DIR`);
2. `$SSHN_DATA_DIR/<name>`;
3. `../shared/data/<name>` relative to the repository root (the folder
   holding `sshn_keras/`), the project's shared data folder.
"""

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DOWNLOAD_HINTS = {
    "oasis": "python data_scripts/download_oasis.py",
    "wbc": "python data_scripts/download_wbc.py",
    "camus": "follow data_scripts/README.md (CAMUS is downloaded by hand from its authors' page)",
    "pandental": "follow data_scripts/README.md (PanDental is downloaded by hand from Mendeley Data)",
}


def env_var(name: str) -> str:
    """The environment variable that overrides the folder of dataset `name`."""
    return f"SSHN_{name.upper()}_DIR"


def default_root(name: str) -> Path:
    """The folder dataset `name` is looked for in when no root is given."""
    override = os.environ.get(env_var(name))
    if override:
        return Path(override).expanduser()
    base = os.environ.get("SSHN_DATA_DIR")
    if base:
        return Path(base).expanduser() / name
    return (REPO_ROOT / ".." / "shared" / "data" / name).resolve()


def resolve_root(root, name: str) -> Path:
    """Return the dataset folder, checking that it exists.

    Args:
        root: a folder, or None for `default_root(name)`.
        name: dataset name (`"oasis"`, `"wbc"`, `"camus"`, `"pandental"`, or
            any other for user data).

    Raises:
        FileNotFoundError: naming the folder, how to download the data and
            the environment variable that points to it.
    """
    path = default_root(name) if root is None else Path(root).expanduser()
    if not path.is_dir():
        hint = DOWNLOAD_HINTS.get(name)
        how = f" Get it with: {hint} --output {path}." if hint and hint.startswith("python") else (
            f" To get it, {hint}." if hint else ""
        )
        raise FileNotFoundError(
            f"{name} data folder not found: {path}.{how} Or pass `root=` / set {env_var(name)} to the folder."
        )
    return path
