"""Shared code of the MNIST book.

Each module holds one kind of thing, and each public function's docstring
names the chapter that introduces it:

* :mod:`helpers.data` -- verified offline loading, subsets and splits (chapter 1)
* :mod:`helpers.files` -- atomic writes, so no reader sees half a file (chapter 1)
* :mod:`helpers.params` -- validation of the papermill ``parameters`` cell (chapter 1)
* :mod:`helpers.profiles` -- the smoke / standard / full parameter sets (chapter 1)
* :mod:`helpers.glue` -- numbers from executed cells into the prose (chapter 1)
* :mod:`helpers.plots` -- figures that more than one chapter draws (chapter 1)
* :mod:`helpers.results` -- scoring, metrics files, the sources' numbers (chapter 2)
* :mod:`helpers.training` -- quiet TensorFlow, seeded and timed training (chapter 3)
* :mod:`helpers.ensemble` -- source 000's CNN, augmentation, pipeline (chapter 6)
* :mod:`helpers.members` -- trained ensemble networks, stored and archived (chapter 6)
* :mod:`helpers.listing` -- a helper's source shown on the page (chapter 6)
"""

__version__ = "0.2.0"
