"""Start the dashboard with the training service already running: `python -m dashboard.serve [options]`.

`streamlit run app.py` runs no code of ours until a browser opens a page; this starts the training
service and its worker first (rounds left computing by a restart finish at once), then the web
server in the same process. Options are those of `streamlit run`.
"""

from __future__ import annotations

import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    """Start the service, then serve `app.py`; returns the server's exit status."""
    from streamlit.web import cli

    from . import session

    session.start()
    app = Path(__file__).resolve().parents[1] / "app.py"
    sys.argv = ["streamlit", "run", str(app), *(sys.argv[1:] if argv is None else argv)]
    try:
        cli.main()
    except SystemExit as done:
        return int(done.code or 0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
