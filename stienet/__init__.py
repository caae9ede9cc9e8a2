"""stienet: a literate research companion for cross-corpus speech emotion recognition.

Implements STIENet (cross-corpus open-set SER, Zhou & Luo) and SATNMF (semi-supervised
adaptation-regularized transfer NMF, Luo & Han) on real corpora or on synthetic stand-ins.
"""
__version__ = "0.1.0"
