"""localstripe on 127.0.0.1 only, with its state where we say: run by `.venv-localstripe`'s Python.

    .venv-localstripe/bin/python -I devkit/localstripe_server.py --port 8420 [--state FILE]

localstripe's own command binds every interface (`::`) and has no host option, and it
pickles its store to /tmp/localstripe.pickle, shared by every instance on the machine. This
launcher serves its aiohttp application on 127.0.0.1, keeps the store in FILE (written
whole, then renamed: a crash never leaves half a pickle) or, without --state, in memory
only. It imports nothing of ours: it runs in localstripe's own virtual environment.

One gap is closed so a client can pay as with Stripe: `POST /v1/payment_intents/{id}/confirm`
with `payment_method=pm_card_visa` (localstripe answers 500 "Not implemented" to a
payment method given at confirmation; here it is attached first, as Stripe does).
"""

from __future__ import annotations

import argparse
import logging
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"
CONFIRM_PATH = "/v1/payment_intents/{id}/confirm"


def _keep_store_in(state: Path | None) -> None:
    from localstripe import resources

    def load(store: Any) -> None:
        if state is None or not state.exists():
            return
        try:
            with state.open("rb") as file:
                kept = pickle.load(file)  # noqa: S301 - localstripe's own format, in our data directory (mode 600)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError) as error:
            logging.warning("localstripe: %s is unreadable (%s): starting from scratch", state, error)
            return
        store.clear()
        store.update(kept)

    def dump(store: Any) -> None:
        if state is None:
            return
        descriptor, temporary = tempfile.mkstemp(dir=state.parent, prefix=".localstripe-")
        with os.fdopen(descriptor, "wb") as file:
            pickle.dump(dict(store), file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, state)

    resources.Store.try_load_from_disk = load
    resources.Store.dump_to_disk = dump


def _confirm_with_payment_method() -> None:
    """Stripe attaches a payment method given at confirmation; localstripe refuses it."""
    from localstripe import resources

    original = resources.PaymentIntent._api_confirm

    def confirm(id: Any = None, payment_method: Any = None, **kwargs: Any) -> Any:
        if payment_method is not None:
            if not (isinstance(payment_method, str) and isinstance(id, str) and id.startswith("pi_")):
                raise resources.UserError(400, "Bad request")
            resources.PaymentMethod._api_retrieve(payment_method)  # 404 for an unknown one, as Stripe
            resources.PaymentIntent._api_update(id, payment_method=payment_method)
        return original(id, **kwargs)

    # The server module builds its routes from this list at import: replace the entry first.
    routes = resources.extra_apis
    for index, (method, url, _function) in enumerate(routes):
        if (method, url) == ("POST", CONFIRM_PATH):
            routes[index] = (method, url, confirm)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--state", type=Path, help="where the store is kept (default: in memory only)")
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # localstripe logs each webhook delivery's outcome here.
    logging.getLogger("aiohttp.access").setLevel(logging.INFO)

    _keep_store_in(arguments.state)
    _confirm_with_payment_method()
    from aiohttp import web  # type: ignore[import-not-found]
    from localstripe.resources import store
    from localstripe.server import app

    store.try_load_from_disk()
    print(f"localstripe on http://{HOST}:{arguments.port}", flush=True)
    web.run_app(app, host=HOST, port=arguments.port, print=None, access_log=logging.getLogger("aiohttp.access"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
