"""Region data: the presets hold the real memberships; bad user files fail before any run."""

import pytest

from sim.config import RegionConfig
from sim.data import load_region
from sim.errors import UserError


@pytest.mark.parametrize("preset, n, first_check", [
    ("emscher", 17, "Dorsten"),          # 16 founding Klima.Werk cities plus Dorsten (seed 000, SOURCES.md)
    ("werra_meissner", 16, "Eschwege"),   # LebensWert district (seed 004)
    ("saarbruecken", 10, "Völklingen"),   # Regionalverband Saarbrücken (seed 001)
    ("rvr", 53, "Duisburg"),              # Regionalverband Ruhr, KRIS area
])
def test_presets_hold_the_real_municipalities(preset, n, first_check):
    region = load_region(RegionConfig(preset=preset))
    assert len(region) == n
    assert first_check in set(region.name)
    assert region.ags.str.len().eq(8).all() and region.ags.is_unique


def test_werra_meissner_has_about_100000_inhabitants():
    """DESIGN.md / seed 004: 16 municipalities with about 100,000 people (Zensus 2022: 98,421)."""
    assert load_region(RegionConfig(preset="werra_meissner")).population.sum() == 98_421


def test_ags_prefix_selects_a_state():
    nrw = load_region(RegionConfig(preset="germany", ags_prefix="05"))
    assert len(nrw) == 396 and nrw.ags.str.startswith("05").all()
    assert len(load_region(RegionConfig(preset="germany"))) == 10_784


def write(tmp_path, text):
    path = tmp_path / "region.csv"
    path.write_text(text, encoding="utf-8")
    return RegionConfig(preset="custom", csv=str(path))


GOOD = "name,ags,population,area_km2,lat,lon\nA,01000001,1000,10,50.0,8.0\nB,01000002,2000,,50.1,8.1\n"


def test_user_csv_is_read_and_area_may_be_blank(tmp_path):
    region = load_region(write(tmp_path, GOOD))
    assert list(region.name) == ["A", "B"] and region.population.tolist() == [1000, 2000]


@pytest.mark.parametrize("text, fragment", [
    ("name,ags,population,lat\nA,1,5,50\n", "missing column(s) lon"),
    ("name,ags,population,lat,lon\nA,1,many,50,8\n", "column 'population' is not numeric for A"),
    ("name,ags,population,lat,lon\nA,1,5,50,8\nB,1,6,50,8\n", "duplicate AGS 00000001"),
    ("name,ags,population,lat,lon\n", "has no rows"),
    ("name,ags,population,lat,lon\nA,1,0,50,8\n", "population must be positive"),
    ("", "not a readable UTF-8 CSV"),
])
def test_bad_user_csv_names_the_problem(tmp_path, text, fragment):
    with pytest.raises(UserError) as err:
        load_region(write(tmp_path, text))
    assert fragment in str(err.value) and "region.csv" in str(err.value)


def test_filter_that_matches_nothing_and_missing_file(tmp_path):
    with pytest.raises(UserError, match="matches no municipality"):
        load_region(RegionConfig(preset="emscher", ags_prefix="09"))
    with pytest.raises(UserError, match="no such file"):
        load_region(RegionConfig(preset="custom", csv=str(tmp_path / "nope.csv")))
    with pytest.raises(UserError, match="must name a CSV"):
        load_region(RegionConfig(preset="custom"))
