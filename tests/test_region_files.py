"""Region files as German users write them (issue 18, item 9): Excel exports with semicolons and
decimal commas, thousands points, AGS without the leading zero are read as meant; implausible
values get one line naming the file, the municipality and what is allowed, before any work."""

import time

import pytest

from sim.cli import main
from sim.config import RegionConfig
from sim.data import load_region
from sim.errors import UserError

HEADER = "name,ags,population,area_km2,lat,lon\n"
MUELHEIM = "Mülheim an der Ruhr", "05117000", 170632, 91.28, 51.4186, 6.8844


def region(tmp_path, text, encoding="utf-8"):
    path = tmp_path / "region.csv"
    path.write_bytes(text.encode(encoding))
    return load_region(RegionConfig(preset="custom", csv=str(path)))


def row(table):
    r = table.iloc[0]
    return r["name"], r["ags"], int(r["population"]), float(r["area_km2"]), float(r["lat"]), float(r["lon"])


@pytest.mark.parametrize("text, encoding", [
    (HEADER + "Mülheim an der Ruhr,05117000,170632,91.28,51.4186,6.8844\n", "utf-8"),            # as shipped
    ("name;ags;population;area_km2;lat;lon\nMülheim an der Ruhr;5117000;170.632;91,28;51,4186;6,8844\n", "cp1252"),
    ("\ufeffname;ags;population;area_km2;lat;lon\r\nMülheim an der Ruhr;05117000;170632;91,28;51,4186;6,8844\r\n",
     "utf-8"),                                                                               # Excel "CSV UTF-8"
    (HEADER + 'Mülheim an der Ruhr,5117000.0,"170,632",91.28,"51,4186","6,8844"\n', "utf-8"),
    ("name\tags\tpopulation\tarea_km2\tlat\tlon\nMülheim an der Ruhr\t05117000\t170 632\t91,28\t51.4186\t6.8844\n",
     "utf-8"),
    (" Name ; AGS ;Population;Area_km2;Lat;Lon\nMülheim an der Ruhr; 05117000 ;170.632;91,28;51,4186;6,8844\n", "utf-8"),
])
def test_german_spreadsheet_exports_are_read_as_meant(tmp_path, text, encoding):
    assert row(region(tmp_path, text, encoding)) == MUELHEIM


def test_thousands_points_before_a_decimal_comma_and_commas_before_a_point(tmp_path):
    table = region(tmp_path, "name;ags;population;area_km2;lat;lon\nA;01000001;1.234.567;1.234,5;50,1;8,2\n"
                             "B;01000002;2000;12;50.2;8.3\n")
    assert table.population.tolist() == [1234567, 2000] and table.area_km2.tolist() == [1234.5, 12.0]
    table = region(tmp_path, HEADER + 'A,01000001,"1,234,567","1,234.5",50.1,8.2\n')
    assert table.population.tolist() == [1234567] and table.area_km2.tolist() == [1234.5]


def test_ags_with_and_without_the_leading_zero_is_one_municipality(tmp_path):
    with pytest.raises(UserError, match="duplicate AGS 05117000"):
        region(tmp_path, HEADER + "A,5117000,10,1,51.4,6.9\nB,05117000,10,1,51.4,6.9\n")


BAD = [
    ("A,abc,10,1,51.4,6.9", "AGS 'abc' of A (row 2) is not allowed; give the Amtlicher Gemeindeschlüssel, 8 digits"),
    ("A,,10,1,51.4,6.9", "AGS '' of A (row 2) is not allowed"),
    ("A,123456789,10,1,51.4,6.9", "AGS '123456789' of A (row 2) is not allowed"),
    ("A,05117000,0,1,51.4,6.9", "population must be positive (at least 1) for A (row 2), not '0'"),
    ("A,05117000,0.4,1,51.4,6.9", "population '0.4' of A (row 2) is not a whole number of inhabitants"),
    ("A,05117000,170.6,1,51.4,6.9", "population '170.6' of A (row 2) is not a whole number"),
    ("A,05117000,-5,1,51.4,6.9", "population must be positive (at least 1) for A (row 2), not '-5'"),
    ("A,05117000,1e15,1,51.4,6.9", "population '1e15' of A (row 2) is out of range; allowed: 1 to 10,000,000"),
    ("A,05117000,10,1,6.9,51.4", "lat 6.9, lon 51.4 of A (row 2) lie outside Germany (lat 47.2-55.1, lon 5.8-15.1, "
                                 "WGS84 degrees); lat and lon look swapped"),
    ("A,05117000,10,1,40.4,-3.7", "lat 40.4, lon -3.7 of A (row 2) lie outside Germany"),
    ("A,05117000,10,-3,51.4,6.9", "area_km2 must be positive (or blank) for A (row 2), not -3"),
    ("A,05117000,10,1,51°25',6.9", "column 'lat' is not numeric for A (row 2): \"51°25'\""),
    ("A,05117000,10,1,,6.9", "column 'lat' is empty for A (row 2)"),
    ("A,05117000,10,1,inf,6.9", "column 'lat' is not numeric for A (row 2): 'inf'"),
    (",05117000,10,1,51.4,6.9", "the name is empty in row 2"),
]


@pytest.mark.parametrize("line, fragment", BAD, ids=[b[0] for b in BAD])
def test_implausible_values_are_named_in_one_line(tmp_path, line, fragment):
    with pytest.raises(UserError) as err:
        region(tmp_path, HEADER + line + "\n")
    assert fragment in str(err.value) and str(tmp_path / "region.csv") in str(err.value), str(err.value)
    assert "\n" not in str(err.value)


def test_a_semicolon_file_missing_a_column_says_how_it_was_read(tmp_path):
    with pytest.raises(UserError, match=r"missing column\(s\) lon \(read as semicolon-separated\)"):
        region(tmp_path, "name;ags;population;lat\nA;05117000;10;51,4\n")


def test_a_huge_population_stops_the_command_at_once(tmp_path, capsys):
    path = tmp_path / "big.csv"
    path.write_text(HEADER + "A,05117000,1e15,1,51.4,6.9\n", encoding="utf-8")
    t0 = time.perf_counter()
    with pytest.raises(SystemExit) as exit_info:
        main([f"region.csv={path}", f"output.dir={tmp_path / 'out'}"])
    err = capsys.readouterr().err.strip().splitlines()
    assert exit_info.value.code == 2 and len(err) == 1 and "is out of range; allowed: 1 to 10,000,000" in err[0], err
    assert time.perf_counter() - t0 < 30 and not (tmp_path / "out").exists()
