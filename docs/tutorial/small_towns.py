# file: sim/outcomes/small_towns.py
"""How much of the funding reaches small towns."""

from sim.metrics import metrics, ratio

SMALL_TOWN = 20_000      # inhabitants; assumption: the size below which German towns rarely have specialist staff


@metrics.register("small_towns", unit="share of approved funds")
def small_towns(model) -> dict[str, float]:
    """small_town_funds_share: the share of all approved funds that went to municipalities of fewer than
    20,000 inhabitants (NaN before the first approval)."""
    granted = sum(p.granted_to for p in model.programmes.values())
    small = model.population < SMALL_TOWN
    return {"small_town_funds_share": ratio(float(granted[small].sum()), float(granted.sum()))}
