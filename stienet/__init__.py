"""stienet: a literate research companion for cross-corpus speech emotion recognition.

Implements STIENet (cross-corpus open-set SER, Zhou & Luo) and SATNMF (semi-supervised
adaptation-regularized transfer NMF, Luo & Han) on real corpora or on synthetic stand-ins.
Importing it sets ``OMP_WAIT_POLICY=PASSIVE`` unless already set (:mod:`stienet.threads`).
"""
from .threads import set_wait_policy as _set_wait_policy

_set_wait_policy()
__version__ = "0.1.0"
