"""Baselines the two papers compare against, plus simple reference classifiers.

One module per method (STYLE §7): open-set methods of STIENet's Tables 2–3 and closed-set
methods of SATNMF's Table 3. :mod:`.reference` holds the plain logistic-regression baseline
used to check that the stand-ins carry emotion signal.
"""
from .reference import cross_corpus_matrix

__all__ = ["cross_corpus_matrix"]
