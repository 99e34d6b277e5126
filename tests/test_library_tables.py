"""The catalog's async-library coroutine tables cover the installed libraries (see asynclint/library_tables.py)."""

import sys

import pytest

from asynclint import catalog, library_tables


@pytest.mark.parametrize("library", sorted(library_tables.LIBRARIES))
def test_table_has_every_coroutine_function_of_the_installed_library(library):
    pytest.importorskip(library)
    if library == "asyncio" and catalog.GENERATED_FROM["asyncio"] != "%d.%d" % sys.version_info[:2]:
        pytest.skip(f"the asyncio table was generated on Python {catalog.GENERATED_FROM['asyncio']}")
    coroutines, managers = library_tables.introspect({library: library_tables.LIBRARIES[library]})
    missing = sorted(coroutines - catalog.GENERATED_COROUTINES) + sorted(
        name for name, entered in managers.items() if catalog.GENERATED_ASYNC_CONTEXT_MANAGERS.get(name) != entered)
    assert not missing, (f"{library} {library_tables.versions().get(library)} has coroutine functions the catalog "
                         f"lacks; run `python -m asynclint.library_tables --write`: {missing}")


def test_written_block_round_trips(tmp_path):
    path = tmp_path / "catalog.py"
    path.write_text(f"before\n{library_tables.BEGIN}\nold\n{library_tables.END}\nafter\n")
    text = library_tables.render({"trio.sleep"}, {"trio.open_nursery": "trio.Nursery"})
    library_tables.write(text, str(path))
    namespace = {}
    exec(path.read_text(), {"before": 0, "after": 0}, namespace)
    assert namespace["GENERATED_COROUTINES"] == {"trio.sleep"}
    assert namespace["GENERATED_ASYNC_CONTEXT_MANAGERS"] == {"trio.open_nursery": "trio.Nursery"}
