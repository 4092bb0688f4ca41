"""Keep the README's generated sections true: `python -m radar.docs` rewrites them."""

from __future__ import annotations

import re
from pathlib import Path

from radar.config import settings_reference_markdown

README = Path(__file__).resolve().parents[1] / "README.md"


def update_readme(path: Path = README) -> bool:
    text = path.read_text(encoding="utf-8")
    new = re.sub(r"(<!-- settings:start -->\n).*?(<!-- settings:end -->)",
                 lambda m: m.group(1) + settings_reference_markdown() + m.group(2), text, flags=re.S)
    if new != text:
        path.write_text(new, encoding="utf-8")
        return True
    return False


if __name__ == "__main__":
    print("README updated" if update_readme() else "README already up to date")
