"""The config schema: every parameter declared once with a source; bad values fail with a clear message."""

import pytest

from sim.config import Config, from_container, iter_params
from sim.errors import UserError


def test_every_parameter_has_a_source_and_help():
    for key, f in iter_params():
        assert f.metadata["source"].strip(), key
        assert f.metadata["help"].strip(), key


def test_every_default_is_inside_its_own_range():
    # from_container checks ranges: building the defaults explicitly must not fail
    from sim.config import to_dict
    assert from_container(to_dict(Config())) == Config()


@pytest.mark.parametrize("data, fragment", [
    ({"horizon_month": 5}, "unknown key 'horizon_month' (did you mean 'horizon_months'?)"),
    ({"funding": {"budget": 1}}, "unknown key 'funding.budget'"),
    ({"horizon_months": "abc"}, "'horizon_months' must be a whole number, not 'abc'"),
    ({"horizon_months": 0}, "'horizon_months' = 0 is out of range; allowed: [1, 1200] months"),
    ({"funding": {"cofinancing_share": 1.0}}, "allowed: [0, 1)"),
    ({"projects": {"failure_hazard": 1.5}}, "'projects.failure_hazard' = 1.5 is out of range"),
    ({"actors": {"capacity_per_100k": -1.0}}, "'actors.capacity_per_100k' = -1.0 is out of range"),
    ({"region": {"preset": "atlantis"}}, "choose one of: emscher"),
    ({"trust": {"forgetting_positive": 0.0}}, "allowed: (0, 1]"),
    ({"output": {"write": "yes"}}, "'output.write' must be true or false"),
])
def test_bad_values_name_key_value_and_allowed(data, fragment):
    with pytest.raises(UserError) as err:
        from_container(data)
    assert fragment in str(err.value)
    assert "\n" not in str(err.value)


def test_integral_float_is_accepted_for_int_but_fraction_is_not():
    assert from_container({"horizon_months": 12.0}).horizon_months == 12
    with pytest.raises(UserError):
        from_container({"horizon_months": 12.5})
