"""Read-only attributes of a model that are views of its parts (spec, task, method options), stored once.

Example:
>>> class Model:
...     num_stages = attribute_of("spec.num_stages", "Resolution levels of the architecture.")
...     hyper_units = method_option("hyper_units")
...     def __init__(self, spec, method_options):
...         self.spec, self.method_options = spec, method_options
>>> from sshn_keras.architectures import UNetSpec
>>> m = Model(UNetSpec((32, 32, 1), num_stages=3), {"hyper_units": (8, 8)})
>>> m.num_stages, m.hyper_units
(3, (8, 8))
"""

from __future__ import annotations

import operator


def attribute_of(path: str, doc: str | None = None) -> property:
    """A read-only property returning `self.<path>` (a dotted path, e.g. `"spec.num_stages"`)."""
    return property(operator.attrgetter(path), doc=doc or f"`{path}`.")


def method_option(name: str, doc: str | None = None) -> property:
    """A read-only property returning the method option `self.method_options[name]`."""
    return property(lambda self: self.method_options[name], doc=doc or f"The method option `{name}`.")
