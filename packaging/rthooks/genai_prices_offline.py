"""PyInstaller runtime hook: genai-prices without its online price updater (httpx2 is not bundled).

genai-prices imports ``genai_prices.update_prices`` (and with it httpx2, httpcore2, anyio, ssl
and OpenSSL's libraries) when it is imported, only to offer a background task that downloads
new prices. The app never starts it: it prices from the data bundled with the package, offline
(pricing/apiprices.py). This hook registers a stand-in module before genai-prices is imported,
so the bundle can leave out the HTTP stack (about 8 MB); the stand-in says so if it is ever used.
"""
import sys
import types

_module = types.ModuleType("genai_prices.update_prices", __doc__)
_WHY = ("genai-prices' online price updates are not part of the AI Cost Planner bundle: "
        "it prices from the data bundled with genai-prices, offline")


class UpdatePrices:
    """Stand-in for genai-prices' updater: using it raises RuntimeError."""

    def __init__(self, *args, **kwargs):
        raise RuntimeError(_WHY)


def wait_prices_updated_sync(timeout=None):
    """No updater ever runs: nothing was updated."""
    return False


async def wait_prices_updated_async(timeout=None):
    """No updater ever runs: nothing was updated."""
    return False


_module.UpdatePrices = UpdatePrices
_module.wait_prices_updated_sync = wait_prices_updated_sync
_module.wait_prices_updated_async = wait_prices_updated_async
_module.DEFAULT_UPDATE_URL = ""
_module.__all__ = ("DEFAULT_UPDATE_URL", "UpdatePrices", "wait_prices_updated_sync", "wait_prices_updated_async")
sys.modules.setdefault("genai_prices.update_prices", _module)
