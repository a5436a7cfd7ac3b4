"""Shared code of the MNIST book.

Each module holds one kind of thing, and each public function's docstring
names the chapter that introduces it:

* :mod:`helpers.data` -- verified offline loading, subsets and splits (chapter 1)
* :mod:`helpers.params` -- parameter validation for the papermill ``parameters`` cell
* :mod:`helpers.profiles` -- the smoke / standard / full parameter sets
* :mod:`helpers.plots` -- figures that more than one chapter draws
"""

__version__ = "0.1.0"
